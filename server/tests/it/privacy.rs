//! The promise to a whistleblower, end to end: an anonymous report of an
//! illegal levy, whose reporter left a name, an e-mail address and a phone
//! number, goes through every outlet (console pages of every role, the
//! trackers, Open311, webhooks, SP4N-LAPOR, e-mail, the outbox list) and
//! the identity appears only where the disclosure table allows: the
//! reporter's own mailbox.

use crate::console::{file, officer, track};
use crate::lapor::{FakeLapor, TOKEN};
use crate::mail::{Smtp, plain};
use crate::outbox::{Receiver, subscribe};
use crate::support::{Engine, complaint, spawn_app_with};

const IDENTITY: [&str; 5] = [
    "Wayan",
    "Sudarma",
    "wayan@example.id",
    "3456 7890",
    "81234567890",
];

fn names_the_reporter(text: &str) -> Option<&'static str> {
    IDENTITY
        .iter()
        .copied()
        .find(|needle| text.contains(needle))
}

async fn an_anonymous_levy_report_names_nobody_but_to_the_reporter(engine: Engine) {
    let lapor = FakeLapor::start(0).await;
    let smtp = Smtp::start(0).await;
    let (lapor_url, smtp_port) = (lapor.url.clone(), smtp.port);
    let app = spawn_app_with(engine, move |c| {
        c.lapor_url = Some(lapor_url);
        c.lapor_token = Some(aduan_server::config::Secret::new(TOKEN));
        c.smtp_host = Some("127.0.0.1".into());
        c.smtp_port = smtp_port;
        c.outbox_backoff_ms = 50;
    })
    .await;
    crate::console::wait_until_serving(&app).await;
    app.db
        .exec("UPDATE regions SET integration_mode = 'lapor' WHERE slug IN ('badung', 'bali')")
        .await
        .expect("mode");
    let receiver = Receiver::start(0).await;
    subscribe(&app, &receiver, None).await;
    // An illegal levy in Badung is handed to the province's Saber Pungli
    // unit: the province's coordinator verifies it, the unit handles it.
    let coordinator = officer(&app, "coordinator", "bali", None).await;
    let inspector = officer(&app, "unit", "bali", Some("saber-pungli")).await;
    let others = [
        officer(&app, "coordinator", "badung", None).await,
        officer(&app, "unit", "badung", Some("inspektorat")).await,
        officer(&app, "province", "bali", None).await,
        officer(&app, "supervisor", "badung", None).await,
        officer(&app, "supervisor", "bali", None).await,
        officer(&app, "admin", "bali", None).await,
    ];

    let mut body = complaint();
    body["category"] = "pungli".into();
    body["privacy"] = "anonymous".into();
    body["title"] = "Pungutan di loket KTP kecamatan".into();
    // A photo of the receipt, straight from the phone: GPS, serial and all.
    let receipt = crate::attachments::upload(&app, "kuitansi.jpg", &crate::fixtures::phone_photo())
        .await
        .expect("the photo is taken");
    body["attachments"] = serde_json::json!([receipt]);
    let code = file(&app, body).await;
    let public_id = app.db.public_id(&code).await;
    let (status, _, _) = coordinator
        .act(&code, &[("action", "dispatch"), ("unit", "saber-pungli")])
        .await;
    assert_eq!(status, 303);
    coordinator
        .act(
            &code,
            &[
                ("action", "reply"),
                ("message", "Laporan Anda kami tindak lanjuti."),
            ],
        )
        .await;
    let (status, _) = app
        .post_raw(
            &format!("/api/v1/complaints/{code}/replies"),
            "application/json",
            br#"{"message": "Petugas meminta uang lagi kemarin sore."}"#.to_vec(),
        )
        .await;
    assert!(status == 200 || status == 201, "{status}");
    crate::lapor::wait_for_outbox(&app).await;

    // Console pages: the handling officers read it but do not see who;
    // nobody else even finds it.
    for o in [&coordinator, &inspector] {
        let (status, page) = o.get(&format!("/console/complaints/{code}")).await;
        assert_eq!(status, 200, "{}", o.email);
        assert!(page.contains("Pungutan di loket"), "{}", o.email);
        assert_eq!(
            names_the_reporter(&page),
            None,
            "the page of {} names the reporter",
            o.email
        );
        let (_, inbox) = o.get("/console/inbox").await;
        assert_eq!(names_the_reporter(&inbox), None);
    }
    for o in &others {
        assert_eq!(
            o.get(&format!("/console/complaints/{code}")).await.0,
            404,
            "{}",
            o.email
        );
        let (_, inbox) = o.get("/console/inbox").await;
        assert!(!inbox.contains("Pungutan di loket"), "{}", o.email);
    }

    // The trackers: whoever holds the code does not learn who filed.
    let view = track(&app, &code).await;
    assert_eq!(names_the_reporter(&view.to_string()), None, "{view}");
    assert_eq!(view["privacy"], "anonymous_confidential");
    let hosted = app
        .client
        .get(app.url(&format!("/r/badung/track?code={code}")))
        .send()
        .await
        .expect("an answer");
    assert_eq!(
        names_the_reporter(&hosted.text().await.unwrap_or_default()),
        None
    );

    // Open311: confidential, so not there at all.
    for file in [
        "requests.json",
        "requests.xml",
        "requests.json?jurisdiction_id=badung",
    ] {
        let r = app
            .client
            .get(app.url(&format!("/open311/v2/{file}")))
            .send()
            .await
            .expect("an answer");
        let text = r.text().await.unwrap_or_default();
        assert!(
            !text.contains(&public_id) && !text.contains(&code) && !text.contains("Pungutan"),
            "{file}: {text}"
        );
        assert_eq!(names_the_reporter(&text), None);
    }
    let r = app
        .client
        .get(app.url(&format!("/open311/v2/requests/{public_id}.json")))
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 404);

    // Webhooks: the public id, no code, no content, no identity, not what
    // the anonymous reporter wrote.
    let deliveries = receiver.accepted.lock().await.clone();
    assert!(
        deliveries.iter().any(|d| d.body.contains(&public_id)),
        "no webhook arrived"
    );
    for d in &deliveries {
        assert_eq!(names_the_reporter(&d.body), None, "{}", d.body);
        assert!(
            !d.body.contains(&code)
                && !d.body.contains("Pungutan")
                && !d.body.contains("meminta uang"),
            "{}",
            d.body
        );
    }

    // SP4N-LAPOR: anonymous and confidential, without the identity.
    let forwards = lapor.bodies.lock().await.clone();
    assert_eq!(forwards.len(), 1);
    let xml = &forwards[0];
    assert!(
        xml.contains("<anonim>1</anonim>") && xml.contains("<rahasia>1</rahasia>"),
        "{xml}"
    );
    assert!(
        xml.contains(&format!("<kode_aduan>{public_id}</kode_aduan>")),
        "{xml}"
    );
    assert_eq!(names_the_reporter(xml), None, "{xml}");
    assert!(!xml.contains(&code));
    // LAPOR handles it: the photo goes as a signed link, and what the link
    // gives is the cleaned photo.
    let link = xml
        .split("<url>")
        .nth(1)
        .and_then(|rest| rest.split("</url>").next())
        .expect("the forward links the photo")
        .replace("&amp;", "&");
    let photo = app.client.get(&link).send().await.expect("an answer");
    assert_eq!(photo.status().as_u16(), 200, "{link}");
    let photo = photo.bytes().await.expect("the photo");
    assert!(
        !photo
            .windows(crate::fixtures::SERIAL.len())
            .any(|w| w == crate::fixtures::SERIAL.as_bytes())
    );
    // No webhook names a file of a confidential complaint.
    for d in receiver.accepted.lock().await.iter() {
        assert!(
            !d.body.contains("files_added") && !d.body.contains("kuitansi"),
            "{}",
            d.body
        );
    }

    // E-mail: the reporter's own mailbox is the one place the address
    // goes; no mail names them, officers' mail does not carry the title.
    let mails = smtp.mails.lock().await.clone();
    assert!(
        mails.iter().any(|m| m.to == "wayan@example.id"),
        "the reporter was not told"
    );
    assert!(
        mails.iter().any(|m| m.to != "wayan@example.id"),
        "no officer was told"
    );
    for m in &mails {
        let text = plain(&m.data);
        let named: Vec<&str> = IDENTITY
            .iter()
            .copied()
            .filter(|n| text.contains(n))
            .collect();
        if m.to == "wayan@example.id" {
            assert!(
                named.iter().all(|n| *n == "wayan@example.id"),
                "{named:?} in {text}"
            );
        } else {
            assert!(named.is_empty(), "{named:?} in a mail to {}: {text}", m.to);
            assert!(
                !text.contains("Pungutan"),
                "a confidential title in a mail to {}",
                m.to
            );
        }
    }

    // The performance outlets: the dashboard, its exports and the monthly
    // report of every officer, and the region's public record, carry
    // neither who filed nor the confidential title.
    for o in [&coordinator, &inspector].into_iter().chain(others.iter()) {
        for path in [
            "/console/performance",
            "/console/performance?region=badung",
            "/console/performance.csv",
            "/console/performance.csv?region=badung",
            "/console/performance/complaints.csv",
            "/console/performance/complaints.csv?region=badung",
            "/console/performance/report?region=badung",
            "/console/performance/report?region=bali",
        ] {
            let (_, _, bytes) = o.get_bytes(path).await;
            let text = String::from_utf8_lossy(&bytes);
            assert_eq!(names_the_reporter(&text), None, "{path} for {}", o.email);
            assert!(
                !text.contains("Pungutan di loket"),
                "{path} for {}",
                o.email
            );
            assert!(!text.contains(&code), "{path} for {}", o.email);
        }
    }
    for path in [
        "/r/badung/stats",
        "/r/bali/stats",
        "/api/v1/regions/badung/stats",
        "/api/v1/regions/bali/stats",
    ] {
        let text = app
            .client
            .get(app.url(path))
            .send()
            .await
            .expect("an answer")
            .text()
            .await
            .unwrap_or_default();
        assert_eq!(names_the_reporter(&text), None, "{path}");
        assert!(
            !text.contains("Pungutan di loket") && !text.contains(&code),
            "{path}"
        );
    }

    // The outbox list: a parked mail to the reporter does not show whose.
    app.db
        .exec("UPDATE outbox SET state = 'failed', last_error = '550 5.1.1 <wayan@example.id>: no such user' WHERE event_type = 'email.reporter'")
        .await
        .expect("parked");
    let admin = &others[5];
    let (status, page) = admin.get("/console/integrations").await;
    assert_eq!(status, 200);
    assert!(page.contains("email.reporter"), "the parked mail is listed");
    assert_eq!(names_the_reporter(&page), None, "{page}");
}

#[tokio::test]
async fn sqlite_an_anonymous_levy_report_names_nobody_but_to_the_reporter() {
    an_anonymous_levy_report_names_nobody_but_to_the_reporter(Engine::Sqlite).await;
}

#[tokio::test]
async fn postgres_an_anonymous_levy_report_names_nobody_but_to_the_reporter() {
    an_anonymous_levy_report_names_nobody_but_to_the_reporter(Engine::Postgres).await;
}

/// Erasure and retention.
async fn contacts_are_erased_on_request_and_after_the_retention_period(engine: Engine) {
    let app = spawn_app_with(engine, |_| {}).await;
    let coordinator = officer(&app, "coordinator", "badung", None).await;
    let kept = file(&app, complaint()).await;
    let erased = file(&app, complaint()).await;
    let ended = file(&app, complaint()).await;
    let reporters = || app.db.count("SELECT COUNT(*) FROM reporters");
    assert_eq!(reporters().await, 3);

    // The reporter erases their own contact details; the complaint stays.
    let delete = |code: String| {
        let request = app
            .client
            .delete(app.url(&format!("/api/v1/complaints/{code}/contact")));
        async move { request.send().await.expect("an answer").status().as_u16() }
    };
    assert_eq!(delete(erased.clone()).await, 200);
    assert_eq!(
        delete(erased.clone()).await,
        200,
        "erasing twice changes nothing"
    );
    assert_eq!(delete("BDG-7K3Q-XP9M-2HT4-WQ5B".into()).await, 404);
    assert_eq!(delete("BDG-7K3Q-XP9M-2HT4-WQ5R".into()).await, 400);
    assert_eq!(reporters().await, 2);
    assert_eq!(track(&app, &erased).await["status"], "submitted");
    let (_, page) = coordinator
        .get(&format!("/console/complaints/{erased}"))
        .await;
    assert!(
        !page.contains("Wayan") && page.contains("Pelapor menghapus data kontaknya"),
        "{page}"
    );
    assert!(
        !track(&app, &erased)
            .await
            .to_string()
            .contains("contact_erased"),
        "the tracker lists no such event"
    );
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM complaint_events WHERE kind = 'contact_erased'")
            .await,
        1
    );
    // From the hosted tracker too.
    let r = app
        .client
        .post(app.url("/r/badung/track/erase"))
        .form(&[("code", kept.as_str()), ("lang", "en")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.text()
            .await
            .unwrap_or_default()
            .contains("Erase my contact details")
    );
    assert_eq!(reporters().await, 1);

    // Retention: a complaint that ended long ago loses its contacts; keys
    // and delivered messages past their time go; the rest stays.
    let (status, _, _) = coordinator
        .act(
            &ended,
            &[("action", "reject"), ("message", "Bukan kewenangan kami.")],
        )
        .await;
    assert_eq!(status, 303);
    app.db
        .run(format!(
            "UPDATE complaints SET updated_at = 0 WHERE tracking_code = '{ended}'"
        ))
        .await;
    app.db.run("UPDATE idempotency_keys SET created_at = 0 WHERE complaint_id = (SELECT MIN(id) FROM complaints)".into()).await;
    app.db.run("INSERT INTO outbox (delivery_id, channel, target, event_type, payload, state, attempts, next_attempt_at, created_at, delivered_at) VALUES ('old_1', 'lapor', 'badung', 'lapor.forward', '{\"name\":\"Wayan\"}', 'delivered', 1, 0, 0, 0), ('new_1', 'lapor', 'badung', 'lapor.forward', '{}', 'pending', 0, 0, 0, NULL)".into()).await;
    let keys_before = app.db.count("SELECT COUNT(*) FROM idempotency_keys").await;
    // The marks of digests written: one from last week, one from today.
    let now = aduan_server::state::now_ms();
    app.db
        .run(format!(
            "INSERT INTO digest_runs (officer_id, day, at) SELECT id, '2020-01-01', 0 FROM officers ORDER BY id LIMIT 1; \
             INSERT INTO digest_runs (officer_id, day, at) SELECT id, 'today', {now} FROM officers ORDER BY id LIMIT 1"
        ))
        .await;
    let state = app.state().await;
    // Two processes may purge at once.
    let (a, b) = tokio::join!(
        aduan_server::clock::purge(&state, now),
        aduan_server::clock::purge(&state, now)
    );
    let (a, b) = (a.expect("a purge"), b.expect("a purge"));
    assert_eq!(a.contacts + b.contacts, 1, "{a:?} {b:?}");
    assert_eq!(reporters().await, 0);
    assert_eq!(
        app.db.count("SELECT COUNT(*) FROM complaints").await,
        3,
        "complaints stay"
    );
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM outbox WHERE delivery_id = 'old_1'")
            .await,
        0
    );
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM outbox WHERE delivery_id = 'new_1'")
            .await,
        1,
        "what waits is kept"
    );
    assert_eq!(
        app.db.count("SELECT COUNT(*) FROM idempotency_keys").await,
        keys_before - 1
    );
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM digest_runs WHERE day = 'today'")
            .await,
        1,
        "today's digest is remembered"
    );
    assert_eq!(app.db.count("SELECT COUNT(*) FROM digest_runs").await, 1);
    let again = aduan_server::clock::purge(&state, now)
        .await
        .expect("a purge");
    assert_eq!(again, aduan_server::store::Purged::default());
}

#[tokio::test]
async fn sqlite_contacts_are_erased_on_request_and_after_the_retention_period() {
    contacts_are_erased_on_request_and_after_the_retention_period(Engine::Sqlite).await;
}

#[tokio::test]
async fn postgres_contacts_are_erased_on_request_and_after_the_retention_period() {
    contacts_are_erased_on_request_and_after_the_retention_period(Engine::Postgres).await;
}
