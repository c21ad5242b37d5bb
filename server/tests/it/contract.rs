//! The store contract: the same expectations of SQLite and PostgreSQL.

use std::sync::Arc;

use aduan_app::validate::Reporter;
use aduan_server::domain::reference::ReferenceData;
use aduan_server::store::{
    NewComplaint, ReplyOutcome, ReporterReply, Store, StoreError, SubmitOutcome,
};

use crate::support::{Engine, TestDb};

async fn open(engine: Engine) -> (TestDb, Arc<dyn Store>) {
    let db = TestDb::new(engine).await;
    let store = aduan_server::open_store(&db.args())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    (db, store)
}

/// A public id that differs when the code or the key differs.
fn public_id_of(code: &str, key: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (code, key).hash(&mut h);
    format!("{:016x}", h.finish())
}

fn complaint(code: &str, key: &str) -> NewComplaint {
    NewComplaint {
        tracking_code: code.to_owned(),
        public_id: public_id_of(code, key),
        idempotency_key: key.to_owned(),
        body_hash: format!("hash-of-{key}"),
        region: "badung".into(),
        unit: "pupr".into(),
        filed_region: "badung".into(),
        channel: "api".into(),
        handed_off_from: None,
        district: Some("kuta".into()),
        category: "jalan".into(),
        classification: "complaint".into(),
        privacy: aduan_app::api::Privacy::Anonymous,
        title: "Jalan berlubang".into(),
        description: "Lubang besar di depan pasar.".into(),
        location: None,
        landmark: None,
        position: None,
        incident_date: Some("2026-11-01".into()),
        locale: "id".into(),
        reporter: Reporter {
            name: Some("Made".into()),
            email: None,
            phone: Some("081234567890".into()),
        },
        due_step: "verification".into(),
        due_date: "2026-12-02".into(),
        at_ms: 1_764_000_000_000,
        receipt_json: format!("{{\"tracking_code\":\"{code}\"}}"),
        mail: None,
    }
}

macro_rules! contract {
    ($(async fn $name:ident($db:ident, $store:ident) $body:block)*) => {
        $(
            mod $name {
                use super::*;
                async fn body($db: TestDb, $store: Arc<dyn Store>) $body
                #[tokio::test]
                async fn sqlite() {
                    let (db, store) = open(Engine::Sqlite).await;
                    body(db, store).await
                }
                #[tokio::test]
                async fn postgres() {
                    let (db, store) = open(Engine::Postgres).await;
                    body(db, store).await
                }
            }
        )*
    };
}

contract! {
    async fn seeding_twice_changes_nothing_and_keeps_edits(db, store) {
        let regions = db.count("SELECT COUNT(*) FROM regions").await;
        let districts = db.count("SELECT COUNT(*) FROM districts").await;
        assert_eq!(regions, 10);
        assert_eq!(districts, 57);
        db.exec("UPDATE regions SET integration_mode = 'lapor' WHERE slug = 'bangli'").await.expect("an edit");
        // An administrator keeps illegal levies with each region.
        assert_eq!(store.load_catalog().await.expect("catalog").handoff("pungli"), Some(("bali", "saber-pungli")));
        store.set_handoff("pungli", None).await.expect("no hand-off");
        let data = ReferenceData::bali().unwrap_or_else(|e| panic!("{e}"));
        store.seed(&data).await.expect("seeding again");
        assert_eq!(db.count("SELECT COUNT(*) FROM regions").await, regions);
        // Ten regions of eleven units, and the province's Saber Pungli unit.
        assert_eq!(db.count("SELECT COUNT(*) FROM units").await, 111);
        assert_eq!(db.count("SELECT COUNT(*) FROM units WHERE key = 'saber-pungli' AND region_slug = 'bali'").await, 1);
        assert_eq!(store.load_catalog().await.expect("catalog").handoff("pungli"), None);
        assert_eq!(db.count("SELECT COUNT(*) FROM regions WHERE slug = 'bangli' AND integration_mode = 'lapor'").await, 1);
    }

    async fn the_catalog_reads_back_what_was_seeded(_db, store) {
        let catalog = store.load_catalog().await.expect("the catalog");
        assert_eq!(catalog.regions.len(), 10);
        assert_eq!(catalog.region("bangli").map(|r| r.lapor_group_2019), Some(None));
        assert_eq!(catalog.region("badung").map(|r| r.lapor_group_2019), Some(Some(1)));
        assert_eq!(catalog.coordinator("gianyar").map(|u| u.key.as_str()), Some("inspektorat"));
        assert_eq!(catalog.rule("tabanan", "adminduk"), Some("disdukcapil"));
        assert_eq!(catalog.settings.verify_days, 3);
        assert_eq!(catalog.settings.auto_close_days, 10);
        let nyepi = aduan_app::date::Date::parse("2026-03-19").expect("a date");
        assert!(catalog.holidays("karangasem").contains(&nyepi));
    }

    async fn a_submission_is_stored_with_its_reporter_apart_and_its_first_event(db, store) {
        let outcome = store.submit(complaint("BDG-AAAA-AAAA-AAAA-AAAA", "key-one-1")).await;
        assert_eq!(outcome.ok(), Some(SubmitOutcome::Created));
        assert_eq!(db.count("SELECT COUNT(*) FROM reporters WHERE name = 'Made'").await, 1);
        assert_eq!(db.count("SELECT COUNT(*) FROM complaint_events WHERE kind = 'submitted'").await, 1);
        let (c, events) = store.find_public("BDG-AAAA-AAAA-AAAA-AAAA").await.expect("a read").expect("the complaint");
        assert_eq!((c.region.as_str(), c.unit.as_str(), c.status.as_str()), ("badung", "pupr", "submitted"));
        assert_eq!(c.due_date.as_deref(), Some("2026-12-02"));
        assert_eq!(events.len(), 1);
        assert_eq!(store.find_public("BDG-BBBB-BBBB-BBBB-BBBB").await.expect("a read"), None);
    }

    async fn the_same_key_replays_or_conflicts_and_stores_nothing_new(db, store) {
        let first = store.submit(complaint("BDG-AAAA-AAAA-AAAA-AAAA", "key-two-2")).await;
        assert_eq!(first.ok(), Some(SubmitOutcome::Created));
        let again = store.submit(complaint("BDG-CCCC-CCCC-CCCC-CCCC", "key-two-2")).await;
        assert_eq!(again.ok(), Some(SubmitOutcome::Replayed("{\"tracking_code\":\"BDG-AAAA-AAAA-AAAA-AAAA\"}".into())));
        let mut other = complaint("BDG-DDDD-DDDD-DDDD-DDDD", "key-two-2");
        other.body_hash = "another body".into();
        assert_eq!(store.submit(other).await.ok(), Some(SubmitOutcome::KeyReused));
        assert_eq!(db.count("SELECT COUNT(*) FROM complaints").await, 1);
    }

    async fn a_taken_tracking_code_fails_alone(db, store) {
        assert_eq!(store.submit(complaint("BDG-AAAA-AAAA-AAAA-AAAA", "key-three-1")).await.ok(), Some(SubmitOutcome::Created));
        let (a, b) = tokio::join!(
            store.submit(complaint("BDG-AAAA-AAAA-AAAA-AAAA", "key-three-2")),
            store.submit(complaint("BDG-EEEE-EEEE-EEEE-EEEE", "key-three-3")),
        );
        assert!(matches!(a, Err(StoreError::DuplicateCode)), "{a:?}");
        assert_eq!(b.ok(), Some(SubmitOutcome::Created));
        assert_eq!(db.count("SELECT COUNT(*) FROM idempotency_keys WHERE key = 'key-three-2'").await, 0);
        assert_eq!(db.count("SELECT COUNT(*) FROM complaint_events").await, 2);
    }

    async fn many_concurrent_submissions_are_all_committed(db, store) {
        let mut tasks = Vec::new();
        for i in 0..200 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let code = aduan_app::tracking::TrackingCode::generate("BDG", i).map(|c| c.to_string()).unwrap_or_default();
                store.submit(complaint(&code, &format!("key-many-{i}"))).await
            }));
        }
        for t in tasks {
            let outcome = t.await.expect("the task ran");
            assert_eq!(outcome.ok(), Some(SubmitOutcome::Created));
        }
        assert_eq!(db.count("SELECT COUNT(*) FROM complaints").await, 200);
        assert_eq!(db.count("SELECT COUNT(*) FROM complaint_events").await, 200);
        assert_eq!(db.count("SELECT COUNT(*) FROM idempotency_keys").await, 200);
    }

    async fn replies_resume_waiting_complaints_and_stop_at_closed_ones(db, store) {
        store.submit(complaint("BDG-AAAA-AAAA-AAAA-AAAA", "key-four-1")).await.expect("stored");
        let reply = |code: &str| ReporterReply {
            tracking_code: code.to_owned(),
            message: "Ini fotonya.".into(),
            at_ms: 1_764_000_100_000,
            resume_due: ("verification".into(), "2026-12-09".into()),
            reopen_due: ("follow_up".into(), "2026-12-09".into()),
            mail: None,
            idempotency: None,
        };
        let plain = store.add_reporter_reply(reply("BDG-AAAA-AAAA-AAAA-AAAA")).await;
        assert_eq!(plain.ok(), Some(ReplyOutcome::Added { status: "submitted".into() }));
        db.exec("UPDATE complaints SET status = 'needs_info'").await.expect("an edit");
        let resumed = store.add_reporter_reply(reply("BDG-AAAA-AAAA-AAAA-AAAA")).await;
        assert_eq!(resumed.ok(), Some(ReplyOutcome::Added { status: "submitted".into() }));
        let (c, events) = store.find_public("BDG-AAAA-AAAA-AAAA-AAAA").await.expect("a read").expect("found");
        assert_eq!((c.status.as_str(), c.due_date.as_deref()), ("submitted", Some("2026-12-09")));
        assert_eq!(events.len(), 3);
        assert_eq!(events[2].from_status.as_deref(), Some("needs_info"));
        db.exec("UPDATE complaints SET status = 'rejected'").await.expect("an edit");
        assert_eq!(store.add_reporter_reply(reply("BDG-AAAA-AAAA-AAAA-AAAA")).await.ok(), Some(ReplyOutcome::Closed));
        assert_eq!(store.add_reporter_reply(reply("BDG-ZZZZ-ZZZZ-ZZZZ-ZZZZ")).await.ok(), Some(ReplyOutcome::NotFound));
    }

    async fn a_keyed_reply_sent_twice_is_stored_once(db, store) {
        store.submit(complaint("BDG-AAAA-AAAA-AAAA-AAAA", "key-six-1")).await.expect("stored");
        let reply = |message: &str, hash: &str| ReporterReply {
            tracking_code: "BDG-AAAA-AAAA-AAAA-AAAA".into(),
            message: message.into(),
            at_ms: 1_764_000_200_000,
            resume_due: ("verification".into(), "2026-12-09".into()),
            reopen_due: ("follow_up".into(), "2026-12-09".into()),
            mail: None,
            idempotency: Some(("reply-key-0001".into(), hash.into())),
        };
        let first = store.add_reporter_reply(reply("Ini fotonya.", "h1")).await;
        assert_eq!(first.ok(), Some(ReplyOutcome::Added { status: "submitted".into() }));
        assert_eq!(store.add_reporter_reply(reply("Ini fotonya.", "h1")).await.ok(), Some(ReplyOutcome::Replayed));
        assert_eq!(store.add_reporter_reply(reply("Lain lagi.", "h2")).await.ok(), Some(ReplyOutcome::KeyReused));
        assert_eq!(db.count("SELECT COUNT(*) FROM complaint_events WHERE kind = 'reply'").await, 1);
        // A closed complaint refuses a new key and stores no key for it.
        db.exec("UPDATE complaints SET status = 'closed'").await.expect("an edit");
        let mut late = reply("Masih rusak.", "h3");
        late.idempotency = Some(("reply-key-0002".into(), "h3".into()));
        assert_eq!(store.add_reporter_reply(late).await.ok(), Some(ReplyOutcome::Closed));
        assert_eq!(db.count("SELECT COUNT(*) FROM reply_keys").await, 1);
    }

    async fn the_history_is_append_only(db, store) {
        store.submit(complaint("BDG-AAAA-AAAA-AAAA-AAAA", "key-five-1")).await.expect("stored");
        assert!(db.exec("UPDATE complaint_events SET public_message = 'changed'").await.is_err());
        assert!(db.exec("DELETE FROM complaint_events").await.is_err());
        assert_eq!(db.count("SELECT COUNT(*) FROM complaint_events").await, 1);
    }

    async fn health_answers_and_close_is_clean(_db, store) {
        assert!(store.health().await.is_ok());
        store.close().await;
    }
}
