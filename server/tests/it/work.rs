//! An officer's own work in the console: who holds a complaint, actions on
//! several complaints at once, saved views, e-mail preferences and the
//! daily digest.

use serde_json::json;

use crate::console::{Officer, file, officer, track, with};
use crate::support::{complaint, on_both_engines};

/// The id an officer has in a complaint page's list of who may hold it.
fn officer_id(page: &str, o: &Officer) -> String {
    let marker = format!(">Officer {}</option>", o.email);
    let before = page
        .split_once(&marker)
        .map(|(b, _)| b)
        .unwrap_or_else(|| panic!("{} is not offered: {page}", o.email));
    before
        .rsplit("value=\"")
        .next()
        .and_then(|v| v.split('"').next())
        .expect("an id")
        .to_owned()
}

fn assignee_path(code: &str) -> String {
    format!("/console/complaints/{code}/assignee")
}

/// The holder the complaint page shows in its forms.
fn holder(page: &str) -> String {
    let marker = "name=\"holder\" value=\"";
    page.split_once(marker)
        .and_then(|(_, r)| r.split_once('"'))
        .map(|(v, _)| v.to_owned())
        .unwrap_or_default()
}

/// The value of a complaint's box in a list the officer reads now: its
/// code, version and holder, as the list shows them.
pub async fn pick(app: &crate::support::TestApp, code: &str) -> String {
    let version = app
        .db
        .count(format!(
            "SELECT CAST(version AS BIGINT) FROM complaints WHERE tracking_code = '{code}'"
        ))
        .await;
    let holder = app
        .db
        .count(format!(
            "SELECT COALESCE(assignee_id, 0) FROM complaints WHERE tracking_code = '{code}'"
        ))
        .await;
    let holder = if holder == 0 {
        String::new()
    } else {
        holder.to_string()
    };
    format!("{code}/{version}/{holder}")
}

on_both_engines! {
    async fn a_complaint_is_held_by_one_officer_of_its_unit_at_a_time(app) {
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let made = officer(&app, "unit", "badung", Some("pupr")).await;
        let wayan = officer(&app, "unit", "badung", Some("pupr")).await;
        let rubbish = officer(&app, "unit", "badung", Some("dlh")).await;
        let overseer = officer(&app, "supervisor", "badung", None).await;
        let code = file(&app, complaint()).await;
        let (status, _, _) = coordinator.act(&code, &[("action", "dispatch"), ("unit", "pupr")]).await;
        assert_eq!(status, 303);

        // Nobody holds it yet: the unit's to pick up.
        let (_, unheld) = made.get("/console/inbox?assignee=none").await;
        assert!(unheld.contains(&code), "{unheld}");
        let (_, page) = made.get(&format!("/console/complaints/{code}")).await;
        assert!(page.contains("Belum dipegang siapa pun"), "{page}");
        let wayan_id = officer_id(&page, &wayan);
        assert!(!page.contains(&format!("Officer {}</option>", rubbish.email)), "another unit's officer is not offered");

        // A unit officer takes it; the list names them, and it is theirs.
        let (status, location, _) = made.post(&assignee_path(&code), &[("assignee", "me"), ("holder", "")]).await;
        assert_eq!((status, location.as_str()), (303, format!("/console/complaints/{code}?done=assigned").as_str()));
        let (_, mine) = made.get("/console/inbox?assignee=me").await;
        assert!(mine.contains(&code), "{mine}");
        assert!(!wayan.get("/console/inbox?assignee=me").await.1.contains(&code));
        assert!(!made.get("/console/inbox?assignee=none").await.1.contains(&code));
        let (_, listed) = wayan.get("/console/inbox").await;
        assert!(listed.contains(&format!("Officer {}", made.email)), "{listed}");
        // And where a search finds it.
        let (_, found) = wayan.get("/console/inbox?q=berlubang+pasar").await;
        assert!(found.contains(&code) && found.contains(&format!("Officer {}", made.email)), "{found}");

        // A colleague working from a page drawn before is told, not obeyed.
        let (status, _, stale) = wayan.post(&assignee_path(&code), &[("assignee", "me"), ("holder", "")]).await;
        assert_eq!(status, 409);
        assert!(stale.contains("sudah diubah petugas lain"), "{stale}");
        let (_, page) = wayan.get(&format!("/console/complaints/{code}")).await;
        let made_id = holder(&page);
        assert!(!made_id.is_empty());
        // Only an officer of its unit may hold it.
        let rubbish_id = {
            let (_, p) = rubbish.get("/console/inbox").await;
            assert!(!p.contains(&code), "another unit never sees it");
            app.db.count(Box::leak(format!("SELECT id FROM officers WHERE email = '{}'", rubbish.email).into_boxed_str())).await.to_string()
        };
        let (status, _, refused) = wayan.post(&assignee_path(&code), &[("assignee", rubbish_id.as_str()), ("holder", made_id.as_str())]).await;
        assert_eq!(status, 422);
        assert!(refused.contains("Pilih petugas aktif dari unit pengaduan ini"), "{refused}");
        // Given to the colleague, by the coordinator.
        let (status, _, _) = coordinator.post(&assignee_path(&code), &[("assignee", wayan_id.as_str()), ("holder", made_id.as_str())]).await;
        assert_eq!(status, 303);
        assert!(wayan.get("/console/inbox?assignee=me").await.1.contains(&code));
        // Giving it to whoever holds it changes nothing and says so.
        let (status, _, same) = wayan.post(&assignee_path(&code), &[("assignee", "me"), ("holder", wayan_id.as_str())]).await;
        assert_eq!(status, 422);
        assert!(same.contains("sudah dipegang petugas itu"), "{same}");
        // An officer who only oversees holds nothing and gives nothing.
        let (status, _, _) = overseer.post(&assignee_path(&code), &[("assignee", "me"), ("holder", wayan_id.as_str())]).await;
        assert_eq!(status, 403);

        // Each change is in the history, inside the console only.
        let (_, page) = coordinator.get(&format!("/console/complaints/{code}")).await;
        assert!(page.contains(&format!("kepada Officer {}", made.email)), "{page}");
        assert!(page.contains(&format!("kepada Officer {}", wayan.email)), "{page}");
        let public = track(&app, &code).await.to_string();
        assert!(!public.contains("assigned") && !public.contains(&made.email), "{public}");

        // Deactivated: what they held goes back to the unit, with an event.
        let admin = officer(&app, "admin", "bali", None).await;
        let (status, _, _) = admin.post("/console/officers", &[("do", "disable"), ("id", wayan_id.as_str())]).await;
        assert_eq!(status, 303);
        let (_, page) = made.get(&format!("/console/complaints/{code}")).await;
        assert!(page.contains("Belum dipegang siapa pun"), "{page}");
        assert!(page.contains("pemegangnya dinonaktifkan"), "{page}");
        assert!(made.get("/console/inbox?assignee=none").await.1.contains(&code));
        // A deactivated officer is not offered, and cannot be given it.
        assert!(!page.contains(&format!("Officer {}</option>", wayan.email)), "{page}");
        let (status, _, _) = coordinator.post(&assignee_path(&code), &[("assignee", wayan_id.as_str()), ("holder", "")]).await;
        assert_eq!(status, 422);

        // Sent to another unit, it leaves its holder behind.
        made.post(&assignee_path(&code), &[("assignee", "me"), ("holder", "")]).await;
        assert!(made.get("/console/inbox?assignee=me").await.1.contains(&code));
        let (status, _, _) = coordinator.act(&code, &[("action", "dispatch"), ("unit", "dlh")]).await;
        assert_eq!(status, 303);
        let (_, page) = rubbish.get(&format!("/console/complaints/{code}")).await;
        assert!(page.contains("Belum dipegang siapa pun"), "{page}");
        assert!(!made.get("/console/inbox?assignee=me").await.1.contains(&code));
    }

    async fn several_complaints_are_changed_at_once_and_each_refusal_is_named(app) {
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let roads = officer(&app, "unit", "badung", Some("pupr")).await;
        let elsewhere = file(&app, with(json!({"region": "buleleng", "district": null}))).await;
        let first = file(&app, complaint()).await;
        let second = file(&app, complaint()).await;
        let ended = file(&app, complaint()).await;
        let (status, _, _) = coordinator.act(&ended, &[("action", "reject"), ("message", "Bukan kewenangan kami.")]).await;
        assert_eq!(status, 303);
        // The inbox offers each complaint to pick, as the list shows it
        // (its version, nobody holding it), and the actions.
        let (_, inbox) = coordinator.get("/console/inbox").await;
        let shown = pick(&app, &first).await;
        assert!(shown.ends_with('/') && shown.len() > first.len() + 2, "{shown}");
        assert!(inbox.contains(&format!("name=\"pick\" value=\"{shown}\" form=\"bulk\"")), "{inbox}");
        assert!(inbox.contains("action=\"/console/inbox/bulk\""), "{inbox}");

        // Picks of another region's complaint and of no complaint carry no
        // state the officer could have seen: not found, as any stranger.
        let (p1, p2, p3) = (pick(&app, &first).await, pick(&app, &second).await, pick(&app, &ended).await);
        let mixed = [
            ("back", "status=submitted"), ("action", "dispatch"), ("unit", "pupr"), ("note", "Dicek bersama"),
            ("pick", p1.as_str()), ("pick", p2.as_str()), ("pick", p3.as_str()),
            ("pick", elsewhere.as_str()), ("pick", "BDG-NOT-A-CODE"),
        ];
        let (status, _, page) = coordinator.post("/console/inbox/bulk", &mixed).await;
        assert_eq!(status, 200, "{page}");
        let done = page.split("class=\"refused\"").next().unwrap_or_default();
        let refused = page.split("class=\"refused\"").nth(1).unwrap_or_default();
        assert!(done.contains(&first) && done.contains(&second), "{page}");
        assert!(refused.contains(&format!("{ended}</code>: Tindakan ini tidak dapat dilakukan")), "{page}");
        assert!(refused.contains(&format!("{elsewhere}</code>: Tidak ditemukan")), "{page}");
        assert!(refused.contains("BDG-NOT-A-CODE</code>: Tidak ditemukan"), "{page}");
        assert!(page.contains("href=\"/console/inbox?status=submitted\""), "{page}");
        // Each is its own event, with the note.
        for code in [&first, &second] {
            let (_, page) = roads.get(&format!("/console/complaints/{code}")).await;
            assert!(page.contains("Dicek bersama"), "{page}");
            assert_eq!(track(&app, code).await["status"], "verified");
        }
        assert_eq!(track(&app, &ended).await["status"], "rejected");
        // Transferred together to another region: each leaves this one.
        let away = [file(&app, complaint()).await, file(&app, complaint()).await];
        let away_picks = [pick(&app, &away[0]).await, pick(&app, &away[1]).await];
        let (status, _, page) = coordinator
            .post("/console/inbox/bulk", &[("action", "transfer"), ("region", "gianyar"), ("pick", away_picks[0].as_str()), ("pick", away_picks[1].as_str())])
            .await;
        assert_eq!(status, 200);
        assert!(page.contains("Dilakukan (2)") && !page.contains("class=\"refused\""), "{page}");
        for code in &away {
            assert_eq!(track(&app, code).await["region"]["key"], "gianyar");
            assert_eq!(coordinator.get(&format!("/console/complaints/{code}")).await.0, 404);
        }
        // Transferred nowhere: each refused, with the reason.
        let stay = file(&app, complaint()).await;
        let (_, _, page) = coordinator.post("/console/inbox/bulk", &[("action", "transfer"), ("region", ""), ("pick", pick(&app, &stay).await.as_str())]).await;
        assert!(page.contains(&format!("{stay}</code>: Pilih daerah tujuan yang lain")), "{page}");

        // A note without words is refused for each, and nothing is written.
        let (p1, p2) = (pick(&app, &first).await, pick(&app, &second).await);
        let (status, _, page) = roads.post("/console/inbox/bulk", &[("action", "note"), ("note", " "), ("pick", p1.as_str()), ("pick", p2.as_str())]).await;
        assert_eq!(status, 200);
        assert_eq!(page.matches("Tulis catatan internal").count(), 2, "{page}");
        // A unit officer may not dispatch, whatever the form says.
        let (_, _, page) = roads.post("/console/inbox/bulk", &[("action", "dispatch"), ("unit", "dlh"), ("pick", p1.as_str())]).await;
        assert!(page.contains("Peran Anda tidak boleh melakukan ini"), "{page}");
        // Taken at once; another unit's complaint is not found by this one.
        let waiting = file(&app, with(json!({"category": "sampah"}))).await;
        let (_, _, page) = roads.post("/console/inbox/bulk", &[("action", "assign"), ("assignee", "me"), ("pick", p1.as_str()), ("pick", p2.as_str()), ("pick", pick(&app, &waiting).await.as_str())]).await;
        let refused = page.split("class=\"refused\"").nth(1).unwrap_or_default();
        assert!(refused.contains(&format!("{waiting}</code>: Tidak ditemukan")) && !refused.contains(&first), "{page}");
        let (_, mine) = roads.get("/console/inbox?assignee=me").await;
        assert!(mine.contains(&first) && mine.contains(&second), "{mine}");

        // A colleague's list still showed them free: taking them from it
        // overwrites nothing, and says why.
        let colleague = officer(&app, "unit", "badung", Some("pupr")).await;
        let (_, _, page) = colleague.post("/console/inbox/bulk", &[("action", "assign"), ("assignee", "me"), ("pick", p1.as_str())]).await;
        assert!(page.contains(&format!("{first}</code>: Diubah petugas lain sejak daftar Anda ditampilkan")), "{page}");
        assert!(roads.get("/console/inbox?assignee=me").await.1.contains(&first));
        // A note from a list shown before the dispatch: refused; from the
        // list as it is now, written.
        let before_dispatch = format!("{first}/1/");
        let (_, _, page) = colleague.post("/console/inbox/bulk", &[("action", "note"), ("note", "Dari daftar lama"), ("pick", before_dispatch.as_str())]).await;
        assert!(page.contains(&format!("{first}</code>: Diubah petugas lain")), "{page}");
        let now = pick(&app, &first).await;
        let (_, _, page) = colleague.post("/console/inbox/bulk", &[("action", "note"), ("note", "Dari daftar baru"), ("pick", now.as_str())]).await;
        assert!(page.contains("Dilakukan (1)") && !page.contains("class=\"refused\""), "{page}");
        let (_, page) = roads.get(&format!("/console/complaints/{first}")).await;
        assert!(page.contains("Dari daftar baru") && !page.contains("Dari daftar lama"), "{page}");
        // A code alone says nothing of what was seen: refused as changed.
        let (_, _, page) = colleague.post("/console/inbox/bulk", &[("action", "note"), ("note", "x"), ("pick", first.as_str())]).await;
        assert!(page.contains(&format!("{first}</code>: Diubah petugas lain")), "{page}");
        // Nothing picked, too many, or no action: a clear answer.
        let (status, _, page) = roads.post("/console/inbox/bulk", &[("action", "note"), ("note", "x")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Pilih dulu pengaduan"), "{page}");
        let many: Vec<(&str, String)> = (0..101).map(|i| ("pick", format!("BDG-{i}"))).collect();
        let mut fields: Vec<(&str, &str)> = vec![("action", "note"), ("note", "x")];
        fields.extend(many.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(roads.post("/console/inbox/bulk", &fields).await.0, 422);
        // A hundred is not too many: each is answered.
        let (status, _, page) = roads.post("/console/inbox/bulk", &fields[..102]).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("(100)"), "{page}");
        let (status, _, _) = roads.post("/console/inbox/bulk", &[("action", "resolve"), ("pick", now.as_str())]).await;
        assert_eq!(status, 422);
        // Without the session's token, nothing.
        let (status, _, _) = roads.post_raw("/console/inbox/bulk", &[("action", "note"), ("note", "x"), ("pick", now.as_str())], &[]).await;
        assert_eq!(status, 403);
    }

    async fn a_database_failing_in_a_batch_is_told_and_loses_nothing(app) {
        let roads = officer(&app, "unit", "badung", Some("pupr")).await;
        let code = file(&app, complaint()).await;
        let shown = pick(&app, &code).await;
        // From here on, the database refuses to write any event.
        app.db.run(match app.db.engine {
            crate::support::Engine::Sqlite => "CREATE TRIGGER no_events BEFORE INSERT ON complaint_events \
                 BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
                .to_owned(),
            crate::support::Engine::Postgres => "CREATE FUNCTION no_events() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$; \
                 CREATE TRIGGER no_events BEFORE INSERT ON complaint_events \
                 FOR EACH ROW EXECUTE FUNCTION no_events()"
                .to_owned(),
        }).await;
        fn note<'a>(picks: &[&'a str]) -> Vec<(&'static str, &'a str)> {
            let mut f = vec![("action", "note"), ("note", "Dicek di lapangan")];
            f.extend(picks.iter().map(|p| ("pick", *p)));
            f
        }
        // Failing at the first: the whole batch is the database's error,
        // with nothing of its cause, and nothing is written.
        let (status, _, page) = roads.post("/console/inbox/bulk", &note(&[&shown])).await;
        assert_eq!(status, 503, "{page}");
        assert!(page.contains("Layanan sedang tidak tersedia") && !page.contains("disk on fire"), "{page}");
        // Failing after another was answered: that one keeps its answer,
        // and the failure is named with the refusals.
        let (status, _, page) = roads.post("/console/inbox/bulk", &note(&["BDG-NOT-A-CODE", &shown])).await;
        assert_eq!(status, 200, "{page}");
        let refused = page.split("class=\"refused\"").nth(1).unwrap_or_default();
        assert!(refused.contains("BDG-NOT-A-CODE</code>: Tidak ditemukan"), "{page}");
        assert!(refused.contains(&format!("{code}</code>: Basis data tidak dapat dijangkau")), "{page}");
        assert!(!page.contains("disk on fire"), "{page}");
        // Mended, the same list's pick is still good: nothing was written.
        app.db.run("DROP TRIGGER no_events".to_owned() + match app.db.engine {
            crate::support::Engine::Sqlite => "",
            crate::support::Engine::Postgres => " ON complaint_events",
        }).await;
        let (_, before) = roads.get(&format!("/console/complaints/{code}")).await;
        assert!(!before.contains("Dicek di lapangan"), "{before}");
        let (status, _, page) = roads.post("/console/inbox/bulk", &note(&[&shown])).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Dilakukan (1)") && !page.contains("class=\"refused\""), "{page}");
    }
}

/// Saved views on the inbox and on their page: saved, listed, put in the
/// digest, forgotten; names and preferences checked.
mod views {
    use super::*;

    on_both_engines! {
        async fn an_officer_saves_views_and_chooses_how_to_hear(app) {
            let roads = officer(&app, "unit", "badung", Some("pupr")).await;
            let other = officer(&app, "unit", "badung", Some("pupr")).await;
            let (_, inbox) = roads.get("/console/inbox?due=overdue&assignee=me&after=2020-01-01,5").await;
            assert!(inbox.contains("name=\"query\" value=\"due=overdue&amp;assignee=me\""), "{inbox}");
            let save = |name: &'static str, query: &'static str| [("do", "save"), ("name", name), ("query", query), ("in_digest", "1")];
            let (status, location, _) = roads.post("/console/views", &save("  Lewat   tenggat ", "due=overdue&assignee=me&junk=1")).await;
            assert_eq!((status, location.as_str()), (303, "/console/views?done=saved"));
            let (_, page) = roads.get("/console/views").await;
            assert!(page.contains("href=\"/console/inbox?due=overdue&amp;assignee=me\">Lewat tenggat</a>"), "{page}");
            assert!(page.contains("dalam ringkasan"), "{page}");
            // The inbox offers it, marked when it is the list shown.
            let (_, inbox) = roads.get("/console/inbox?due=overdue&assignee=me").await;
            assert!(inbox.contains("aria-current=\"page\">Lewat tenggat</a>"), "{inbox}");
            // Saved again under its name: replaced, not doubled.
            roads.post("/console/views", &save("Lewat tenggat", "due=soon")).await;
            let (_, page) = roads.get("/console/views").await;
            assert_eq!(page.matches(">Lewat tenggat</a>").count(), 1, "{page}");
            assert!(page.contains("href=\"/console/inbox?due=soon\""), "{page}");
            // Nobody else sees or changes it.
            assert!(!other.get("/console/views").await.1.contains("Lewat tenggat"));
            let id = page.split("name=\"id\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("an id").to_owned();
            assert_eq!(other.post("/console/views", &[("do", "delete"), ("id", id.as_str())]).await.0, 404);
            // Out of the digest, then forgotten.
            roads.post("/console/views", &[("do", "digest"), ("id", id.as_str()), ("in_digest", "0")]).await;
            assert!(!roads.get("/console/views").await.1.contains("dalam ringkasan"));
            let (status, _, _) = roads.post("/console/views", &[("do", "delete"), ("id", id.as_str())]).await;
            assert_eq!(status, 303);
            assert!(!roads.get("/console/views").await.1.contains("Lewat tenggat"));
            // A name is needed and short; the preference and its time are checked.
            let (status, _, page) = roads.post("/console/views", &[("do", "save"), ("name", " "), ("query", "")]).await;
            assert_eq!(status, 422);
            assert!(page.contains("Beri nama tampilan ini"), "{page}");
            let long = "x".repeat(61);
            assert_eq!(roads.post("/console/views", &[("do", "save"), ("name", long.as_str()), ("query", "")]).await.0, 422);
            for bad in [[("mail", "weekly"), ("digest_at", "07:00")], [("mail", "digest"), ("digest_at", "25:00")]] {
                let (status, _, page) = roads.post("/console/preferences", &bad).await;
                assert_eq!(status, 422);
                assert!(page.contains("Pilih cara dikabari"), "{page}");
            }
            let (status, _, _) = roads.post("/console/preferences", &[("mail", "digest"), ("digest_at", "6:30")]).await;
            assert_eq!(status, 303);
            let (_, page) = roads.get("/console/views").await;
            assert!(page.contains("value=\"digest\" checked") && page.contains("value=\"06:30\""), "{page}");
            // Without the session's token, nothing.
            assert_eq!(roads.post_raw("/console/preferences", &[("mail", "off"), ("digest_at", "07:00")], &[]).await.0, 403);
        }
    }
}

/// E-mail preferences respected by the outbox, and the daily digest
/// written once per officer and day by several processes at once.
mod digest {
    use std::net::SocketAddr;

    use crate::console::{file, officer};
    use crate::mail::{Smtp, settle, with_smtp};
    use crate::support::{Engine, complaint, config};

    const DAY: i64 = 86_400_000;
    const WITA: i64 = 8 * 3_600_000;

    /// The lines of a digest's section under `== {heading} ==`, up to the
    /// next; nothing when no section has that heading.
    fn section<'a>(text: &'a str, heading: &str) -> &'a str {
        text.split(&format!("== {heading} =="))
            .nth(1)
            .unwrap_or_default()
            .split("\n== ")
            .next()
            .unwrap_or_default()
    }

    async fn digests(engine: Engine) {
        let smtp = Smtp::start(0).await;
        let app = with_smtp(engine, smtp.port, 12).await;
        let loud = officer(&app, "coordinator", "badung", None).await;
        let quiet = officer(&app, "coordinator", "badung", None).await;
        let daily = officer(&app, "coordinator", "badung", None).await;
        let roads = officer(&app, "unit", "badung", Some("pupr")).await;
        let late = officer(&app, "unit", "badung", Some("pupr")).await;
        quiet
            .post(
                "/console/preferences",
                &[("mail", "off"), ("digest_at", "07:00")],
            )
            .await;
        quiet
            .post(
                "/console/views",
                &[
                    ("do", "save"),
                    ("name", "Semua"),
                    ("query", ""),
                    ("in_digest", "1"),
                ],
            )
            .await;
        daily
            .post(
                "/console/preferences",
                &[("mail", "digest"), ("digest_at", "07:00")],
            )
            .await;
        roads
            .post(
                "/console/views",
                &[
                    ("do", "save"),
                    ("name", "Lewat tenggat"),
                    ("query", "due=overdue"),
                    ("in_digest", "1"),
                ],
            )
            .await;
        roads
            .post(
                "/console/views",
                &[
                    ("do", "save"),
                    ("name", "Dekat sekolah"),
                    ("query", "q=sekolah"),
                    ("in_digest", "1"),
                ],
            )
            .await;
        roads
            .post(
                "/console/views",
                &[
                    ("do", "save"),
                    ("name", "Pasar"),
                    ("query", "q=pasar"),
                    ("in_digest", "1"),
                ],
            )
            .await;
        late.post(
            "/console/preferences",
            &[("mail", "immediate"), ("digest_at", "16:00")],
        )
        .await;
        late.post(
            "/console/views",
            &[
                ("do", "save"),
                ("name", "Sore"),
                ("query", ""),
                ("in_digest", "1"),
            ],
        )
        .await;

        // A complaint arrives: only who wants e-mail at once hears of it.
        let code = file(&app, complaint()).await;
        let fresh = file(&app, complaint()).await;
        let school = file(
            &app,
            crate::console::with(serde_json::json!({"title": "Jembatan dekat sekolah retak"})),
        )
        .await;
        let sealed = file(
            &app,
            crate::console::with(serde_json::json!({
                "title": "Pungutan liar oleh petugas jembatan",
                "privacy": "confidential"
            })),
        )
        .await;
        settle(&app).await;
        assert_eq!(smtp.to(&loud.email).await.len(), 4);
        assert!(smtp.to(&quiet.email).await.is_empty());
        assert!(smtp.to(&daily.email).await.is_empty());
        // Given a complaint by somebody else, an officer who wants e-mail at
        // once hears of it; taking one themselves, they do not.
        let field = officer(&app, "unit", "badung", Some("pupr")).await;
        let (_, page) = loud.get(&format!("/console/complaints/{fresh}")).await;
        let field_id = super::officer_id(&page, &field);
        let (status, _, _) = loud
            .post(
                &format!("/console/complaints/{fresh}/assignee"),
                &[("assignee", field_id.as_str()), ("holder", "")],
            )
            .await;
        assert_eq!(status, 303);
        let (status, _, _) = field
            .post(
                &format!("/console/complaints/{school}/assignee"),
                &[("assignee", "me"), ("holder", "")],
            )
            .await;
        assert_eq!(status, 303);
        settle(&app).await;
        let told = smtp.to(&field.email).await;
        assert_eq!(told.len(), 1, "{told:?}");
        let text = crate::mail::plain(&told[0].data);
        assert!(
            text.contains("Ditugaskan kepada Anda")
                && text.contains(&fresh)
                && !text.contains(&school),
            "{text}"
        );
        assert!(
            !text.contains("Wayan Sudarma") && !text.contains("wayan@example.id"),
            "{text}"
        );
        // A confidential complaint's title stays in the console: the
        // e-mail names its code only.
        let (status, _, _) = loud
            .post(
                &format!("/console/complaints/{sealed}/assignee"),
                &[("assignee", field_id.as_str()), ("holder", "")],
            )
            .await;
        assert_eq!(status, 303);
        settle(&app).await;
        let told = smtp.to(&field.email).await;
        assert_eq!(told.len(), 2, "{told:?}");
        let text = crate::mail::plain(&told[1].data);
        assert!(
            text.contains(&sealed) && text.contains("judul rahasia"),
            "{text}"
        );
        assert!(
            !text.contains("Pungutan") && !text.contains("Wayan Sudarma"),
            "{text}"
        );
        // More than a digest lists: twenty more arrive.
        for _ in 0..20 {
            file(&app, complaint()).await;
        }
        app.db
            .run(format!(
                "UPDATE complaints SET due_date = '2020-01-01' WHERE tracking_code = '{code}'"
            ))
            .await;

        // Two processes run the clock at 07:00 Bali time, at once.
        let listen: SocketAddr = "127.0.0.1:0".parse().expect("an address");
        let process = || async {
            let mut c = config(&app.db, listen);
            c.smtp_host = Some("127.0.0.1".into());
            c.smtp_port = smtp.port;
            aduan_server::build_state(c).await.expect("a process")
        };
        let (one, two) = (process().await, process().await);
        let now = aduan_server::state::now_ms();
        let midnight = (now + WITA).div_euclid(DAY) * DAY - WITA;
        let early = midnight + 6 * 3_600_000 + 59 * 60_000;
        assert_eq!(
            aduan_server::digest::send_digests(&one, early)
                .await
                .expect("the clock"),
            0,
            "not before 07:00"
        );
        let seven = midnight + 7 * 3_600_000;
        let (a, b) = tokio::join!(
            aduan_server::digest::send_digests(&one, seven),
            aduan_server::digest::send_digests(&two, seven)
        );
        assert_eq!(
            a.expect("one") + b.expect("two"),
            2,
            "the coordinator who asked for it, and the unit officer's view"
        );
        assert_eq!(
            aduan_server::digest::send_digests(&two, seven + 3_600_000)
                .await
                .expect("again"),
            0
        );
        assert_eq!(
            app.db
                .count("SELECT COUNT(*) FROM outbox WHERE delivery_id LIKE 'digest_%'")
                .await,
            2
        );
        settle(&app).await;
        let roads_mail = smtp.to(&roads.email).await;
        assert_eq!(roads_mail.len(), 1);
        let text = crate::mail::plain(&roads_mail[0].data);
        assert!(
            text.contains("Lewat tenggat (1)") && text.contains(&code) && !text.contains(&fresh),
            "{text}"
        );
        // A view that searches by words lists what the search finds.
        let words = section(&text, "Dekat sekolah (1)");
        assert!(words.contains(&school) && !words.contains(&code), "{text}");
        // Words found in more complaints than a digest lists: the best
        // twenty, the rest in the console.
        assert_eq!(
            section(&text, "Pasar (20+)")
                .lines()
                .filter(|l| l.starts_with("- "))
                .count(),
            20,
            "{text}"
        );
        assert!(text.contains("/console/inbox?due=overdue"), "{text}");
        // The words sought are not in the e-mail: the view's link is the
        // officer's list of views.
        assert!(
            words.contains("/console/views") && !text.contains("q="),
            "{text}"
        );
        assert!(
            !text.contains("Wayan Sudarma") && !text.contains("wayan@example.id"),
            "{text}"
        );
        let daily_mail = smtp.to(&daily.email).await;
        assert_eq!(daily_mail.len(), 1);
        let text = crate::mail::plain(&daily_mail[0].data);
        assert!(
            text.contains(&code) && text.contains(&fresh),
            "their inbox: {text}"
        );
        assert_eq!(
            section(&text, "Kotak masuk / inbox (20+)")
                .lines()
                .filter(|l| l.starts_with("- "))
                .count(),
            20,
            "twenty listed, the rest in the console: {text}"
        );
        // The confidential one by its code, its title kept in the console.
        assert!(
            text.contains(&sealed) && !text.contains("Pungutan"),
            "{text}"
        );
        assert!(
            smtp.to(&quiet.email).await.is_empty(),
            "no e-mail means no digest either"
        );
        assert!(
            smtp.to(&late.email).await.is_empty(),
            "not before their time"
        );
        // The next day, once more.
        let tomorrow = seven + DAY;
        let (a, b) = tokio::join!(
            aduan_server::digest::send_digests(&one, tomorrow),
            aduan_server::digest::send_digests(&two, tomorrow)
        );
        assert_eq!(a.expect("one") + b.expect("two"), 2);
        one.store.close().await;
        two.store.close().await;
    }

    #[tokio::test]
    async fn sqlite() {
        digests(Engine::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        digests(Engine::Postgres).await;
    }
}

mod pages {
    use super::*;

    on_both_engines! {
        async fn a_garbled_page_key_gives_the_first_page(app) {
            let roads = officer(&app, "unit", "badung", Some("pupr")).await;
            let code = file(&app, complaint()).await;
            for path in [
                "/console/inbox?after=garbage",
                "/console/inbox?after=2026-13-45,x",
                "/console/inbox?after=%00,1",
                "/console/inbox?q=jalan&after=many,1",
                "/console/inbox?q=jalan&after=99999999999999999999,1",
                "/console/inbox?assignee=someone",
            ] {
                let (status, page) = roads.get(path).await;
                assert_eq!(status, 200, "{path}: {page}");
                assert!(page.contains(&code), "{path} gives the first page: {page}");
            }
        }
    }
}
