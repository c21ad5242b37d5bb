//! "Saya juga": the listing shows only what the disclosure policy lets
//! anyone see and never a confidential complaint; joining counts a contact
//! once; a supporter's details reach nobody but the supporter; they hear of
//! progress without the tracking code and can stop hearing.

use serde_json::{Value, json};

use crate::console::{file, officer, with};
use crate::mail::{Smtp, plain, settle, with_smtp};
use crate::support::{Engine, TestApp};

async fn listed(app: &TestApp, query: &str) -> (u16, Value) {
    let r = app
        .client
        .get(app.url(&format!("/api/v1/regions/badung/similar?{query}")))
        .header("accept-language", "en")
        .send()
        .await
        .expect("an answer");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn join(app: &TestApp, id: &str, body: Value) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/similar/{id}/supporters")))
        .json(&body)
        .send()
        .await
        .expect("an answer");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The link in an e-mail's text whose address holds `path`, and its token.
fn link_in(text: &str, path: &str) -> (String, String) {
    let link = text
        .split_whitespace()
        .find(|w| w.contains(path))
        .unwrap_or_else(|| panic!("no {path} link: {text}"))
        .to_owned();
    let token = link
        .split("token=")
        .nth(1)
        .and_then(|t| t.split('&').next())
        .unwrap_or_default()
        .to_owned();
    (link, token)
}

fn ids(listing: &Value) -> Vec<String> {
    listing["complaints"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn duplicates_become_supporters(engine: Engine) {
    let smtp = Smtp::start(0).await;
    let app = with_smtp(engine, smtp.port, 12).await;
    crate::console::wait_until_serving(&app).await;
    let coordinator = officer(&app, "coordinator", "badung", None).await;
    let unit = officer(&app, "unit", "badung", Some("pupr")).await;
    let dispatch = [("action", "dispatch"), ("unit", "pupr")];

    // Roads in Kuta: a public one and an anonymous one, both accepted by the
    // coordinator; a confidential one, accepted too; one not yet looked at;
    // and an accepted one elsewhere (another district, another category).
    let public = file(
        &app,
        with(json!({"title": "Lubang JALAN-UMUM di Jalan Raya Kuta"})),
    )
    .await;
    let anonymous = file(
        &app,
        with(
            json!({"title": "Lubang JALAN-ANONIM dekat pantai", "privacy": "anonymous",
        "reporter": {"name": "Nyoman Rahasia", "email": "nyoman@example.id"}}),
        ),
    )
    .await;
    let confidential = file(
        &app,
        with(json!({"title": "Pungutan JALAN-RAHASIA di proyek jalan", "privacy": "confidential"})),
    )
    .await;
    let unseen = file(
        &app,
        with(json!({"title": "Lubang JALAN-BARU belum diperiksa"})),
    )
    .await;
    let elsewhere = file(
        &app,
        with(json!({"title": "Lubang JALAN-LAIN di Mengwi", "district": "Mengwi"})),
    )
    .await;
    let rubbish = file(
        &app,
        with(json!({"title": "Sampah JALAN-SAMPAH menumpuk", "category": "sampah"})),
    )
    .await;
    for code in [&public, &anonymous, &confidential, &elsewhere] {
        let (status, _, page) = coordinator.act(code, &dispatch).await;
        assert_eq!(status, 303, "{page}");
    }
    coordinator
        .act(&rubbish, &[("action", "dispatch"), ("unit", "dlh")])
        .await;
    let id = |code: String| {
        let app = &app;
        async move { app.db.public_id(&code).await }
    };
    let (public_id, anonymous_id) = (id(public.clone()).await, id(anonymous.clone()).await);
    let (confidential_id, unseen_id) = (id(confidential.clone()).await, id(unseen.clone()).await);

    // The listing: newest first, only what anyone may see.
    let (status, listing) = listed(&app, "category=jalan&district=Kuta").await;
    assert_eq!(status, 200, "{listing}");
    assert_eq!(
        ids(&listing),
        [anonymous_id.clone(), public_id.clone()],
        "{listing}"
    );
    let first = &listing["complaints"][1];
    assert_eq!(first["title"], "Lubang JALAN-UMUM di Jalan Raya Kuta");
    assert_eq!(first["status"], "verified");
    assert_eq!(first["status_label"], "Verified and assigned");
    assert_eq!(first["age_days"], 0);
    assert_eq!(first["supporters"], 0);
    let text = listing.to_string();
    for secret in [
        "JALAN-RAHASIA",
        "JALAN-BARU",
        "JALAN-LAIN",
        "JALAN-SAMPAH",
        "Wayan",
        "wayan@",
        "Nyoman",
        "nyoman@",
        &public,
        &anonymous,
        &confidential_id,
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    // The district by its key gives the same.
    assert_eq!(
        ids(&listed(&app, "category=jalan&district=kuta").await.1).len(),
        2
    );

    // Joining: an address, then a link sent to it; counted once followed.
    // The answer is the same whatever the address did before, so it tells
    // nobody who supports what.
    let (status, joined) = join(
        &app,
        &public_id,
        json!({"email": "ketut@example.id", "name": "Ketut"}),
    )
    .await;
    assert_eq!(
        (status, &joined),
        (202, &json!({"id": public_id, "confirm_by_email": true}))
    );
    let (status, again) = join(&app, &public_id, json!({"email": " KETUT@Example.ID "})).await;
    assert_eq!(
        (status, &again),
        (202, &joined),
        "the same person, the same answer"
    );
    // A phone number alone will not do: the link goes by e-mail.
    let (status, refused) = join(
        &app,
        &public_id,
        json!({"phone": "0812 9999 0000", "locale": "en"}),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["error"]["fields"]["email"].is_string(), "{refused}");
    // Someone who never follows the link.
    let (status, _) = join(
        &app,
        &public_id,
        json!({"email": "gede@example.id", "phone": "0812 9999 0000"}),
    )
    .await;
    assert_eq!(status, 202);
    let confirmed = "SELECT COUNT(*) FROM supporters WHERE confirmed_at IS NOT NULL";
    assert_eq!(
        app.db.count(confirmed).await,
        0,
        "nobody counts before the link"
    );
    let (_, listing) = listed(&app, "category=jalan&district=Kuta").await;
    assert_eq!(listing["joinable"], true, "{listing}");
    assert_eq!(listing["complaints"][1]["supporters"], 0, "{listing}");
    settle(&app).await;
    let asked = smtp.to("ketut@example.id").await;
    assert_eq!(asked.len(), 1, "one link, however often they ask");
    let text = plain(&asked[0].data);
    assert!(text.contains("Lubang JALAN-UMUM"), "{text}");
    assert!(
        !text.contains(&public) && !text.contains("/track"),
        "{text}"
    );
    let (link, token) = link_in(&text, "/r/badung/join?token=");
    // The link asks first: a mail scanner following it counts nobody.
    let shown = app.client.get(&link).send().await.expect("an answer");
    assert_eq!(shown.status().as_u16(), 200);
    let form = shown.text().await.unwrap_or_default();
    assert!(
        form.contains(r#"method="post""#) && form.contains(&token),
        "{form}"
    );
    assert_eq!(app.db.count(confirmed).await, 0, "a GET counts nobody");
    for _ in 0..2 {
        let done = app
            .client
            .post(app.url("/r/badung/join"))
            .form(&[("token", token.as_str()), ("lang", "en")])
            .send()
            .await
            .expect("an answer");
        assert_eq!(done.status().as_u16(), 200);
        let page = done.text().await.unwrap_or_default();
        assert!(
            page.contains("You now support this complaint; 1 citizens"),
            "{page}"
        );
    }
    assert_eq!(app.db.count(confirmed).await, 1, "counted once");
    let unknown = app
        .client
        .post(app.url("/r/badung/join"))
        .form(&[("token", "0123456789abcdef0123456789abcdef")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(unknown.status().as_u16(), 404);
    // Counted, asking again still answers the same and sends nothing.
    let (status, again) = join(&app, &public_id, json!({"email": "ketut@example.id"})).await;
    assert_eq!((status, &again), (202, &joined));
    settle(&app).await;
    assert_eq!(smtp.to("ketut@example.id").await.len(), 1);
    // What cannot be joined is not found, and says nothing more.
    for not_joinable in [
        &confidential_id,
        &unseen_id,
        "0000000000000000",
        "no-such-id",
    ] {
        let (status, refused) =
            join(&app, not_joinable, json!({"email": "ketut@example.id"})).await;
        assert_eq!(status, 404, "{not_joinable}: {refused}");
        assert!(!refused.to_string().contains("JALAN-RAHASIA"), "{refused}");
    }
    // A contact is needed; nothing is stored without one.
    let (status, refused) = join(&app, &anonymous_id, json!({"name": "Ketut"})).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["error"]["fields"]["email"].is_string(), "{refused}");
    let (status, _) = join(
        &app,
        &anonymous_id,
        json!({"email": "ketut@example.id", "extra": 1}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM supporters").await, 2);

    // The count shows in the listing; who joined shows nowhere.
    let (_, listing) = listed(&app, "category=jalan&district=Kuta").await;
    assert_eq!(listing["complaints"][1]["supporters"], 1, "{listing}");
    let (_, page) = coordinator
        .get(&format!("/console/complaints/{public}"))
        .await;
    assert!(page.contains(r#"<dd class="supporters">1</dd>"#), "{page}");
    let (_, overview) = coordinator.get("/console/overview").await;
    assert!(
        overview.contains("<strong>1</strong> warga ikut mendukung"),
        "{overview}"
    );
    let open311 = app
        .client
        .get(app.url("/open311/v2/requests.json?jurisdiction_id=badung"))
        .send()
        .await
        .expect("an answer")
        .text()
        .await
        .unwrap_or_default();
    for page in [&page, &overview, &open311, &listing.to_string()] {
        for secret in [
            "ketut",
            "Ketut",
            "gede",
            "0812 9999",
            "081299990000",
            "+6281299990000",
        ] {
            assert!(!page.contains(secret), "{secret} shown: {page}");
        }
    }

    // Progress reaches the supporter who left an address: in their
    // language, with the officer's reply, without the tracking code.
    settle(&app).await;
    let (status, _, page) = unit
        .act(
            &public,
            &[
                ("action", "plan"),
                ("tier", "moderate"),
                ("message", "Tim menambal minggu depan."),
            ],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    settle(&app).await;
    let mails = smtp.to("ketut@example.id").await;
    assert_eq!(mails.len(), 2, "the link, then one e-mail for one change");
    let text = plain(&mails[1].data);
    assert_eq!(
        smtp.to("gede@example.id").await.len(),
        1,
        "an address never confirmed hears nothing but the link"
    );
    assert!(
        text.contains("Lubang JALAN-UMUM") && text.contains("Tim menambal minggu depan."),
        "{text}"
    );
    assert!(
        text.contains("Subject: Pengaduan yang Anda dukung: Sedang ditindaklanjuti"),
        "{text}"
    );
    assert!(
        !text.contains(&public),
        "the tracking code went to a supporter: {text}"
    );
    assert!(!text.contains("/track"), "{text}");
    assert!(
        !text.contains("Wayan") && !text.contains("wayan@"),
        "{text}"
    );
    // The reporter still hears with their code.
    assert!(
        smtp.to("wayan@example.id")
            .await
            .iter()
            .any(|m| plain(&m.data).contains(&public))
    );

    // The link stops the e-mails: asked first, then done; still counted.
    let (link, token) = link_in(&text, "/r/badung/leave?token=");
    let shown = app.client.get(&link).send().await.expect("an answer");
    assert_eq!(shown.status().as_u16(), 200);
    let form = shown.text().await.unwrap_or_default();
    assert!(
        form.contains(r#"method="post""#) && form.contains(&token),
        "{form}"
    );
    let ketut = "SELECT COUNT(*) FROM supporters WHERE email = 'ketut@example.id'";
    assert_eq!(app.db.count(ketut).await, 1, "a GET stops nothing");
    let done = app
        .client
        .post(app.url("/r/badung/leave"))
        .form(&[("token", token.as_str()), ("lang", "en")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(done.status().as_u16(), 200);
    assert!(done.text().await.unwrap_or_default().contains("Done."));
    assert_eq!(app.db.count(ketut).await, 0);
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM supporters WHERE name = 'Ketut'")
            .await,
        0
    );
    assert_eq!(app.db.count(confirmed).await, 1, "still counted");
    let unknown = app
        .client
        .post(app.url("/r/badung/leave"))
        .form(&[("token", "0123456789abcdef0123456789abcdef")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(unknown.status().as_u16(), 404);
    unit.act(
        &public,
        &[("action", "resolve"), ("message", "Sudah ditambal.")],
    )
    .await;
    settle(&app).await;
    assert_eq!(
        smtp.to("ketut@example.id").await.len(),
        2,
        "no e-mail after leaving"
    );
    // An address never confirmed is forgotten after a week, with its link.
    let state = app.state().await;
    aduan_server::clock::purge(&state, aduan_server::state::now_ms() + 8 * 86_400_000)
        .await
        .expect("a purge");
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM supporters WHERE email = 'gede@example.id'")
            .await,
        0
    );
    assert_eq!(app.db.count("SELECT COUNT(*) FROM supporters").await, 1);

    // Resolved, it is no longer listed nor joinable.
    let (_, listing) = listed(&app, "category=jalan&district=Kuta").await;
    assert_eq!(ids(&listing), [anonymous_id]);
    assert_eq!(
        join(&app, &public_id, json!({"email": "kadek@example.id"}))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn sqlite_duplicates_become_supporters() {
    duplicates_become_supporters(Engine::Sqlite).await;
}

#[tokio::test]
async fn postgres_duplicates_become_supporters() {
    duplicates_become_supporters(Engine::Postgres).await;
}

#[tokio::test]
async fn a_listing_asked_wrongly_is_refused_with_each_field_named() {
    let app = crate::support::spawn_app_with(Engine::Sqlite, |_| {}).await;
    crate::console::wait_until_serving(&app).await;
    let (status, body) = listed(&app, "district=Kuta").await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["fields"]["category"].is_string()
            && body["error"]["fields"].get("district").is_none(),
        "{body}"
    );
    let (status, body) = listed(&app, "category=nothing&district=Atlantis").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["fields"]["district"], "This district is not known.",
        "{body}"
    );
    assert!(body["error"]["fields"]["category"].is_string(), "{body}");
    let r = app
        .client
        .get(app.url("/api/v1/regions/atlantis/similar?category=jalan&district=Kuta"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 404);
}

/// Without e-mail no link can be sent, so nobody can join: the list still
/// tells the citizen their complaint is known, without "me too".
#[tokio::test]
async fn without_e_mail_the_list_is_shown_and_nobody_can_join() {
    let app = crate::support::spawn_app(Engine::Sqlite).await;
    crate::console::wait_until_serving(&app).await;
    let coordinator = officer(&app, "coordinator", "badung", None).await;
    let code = file(
        &app,
        with(json!({"title": "Lubang besar di Jalan Raya Kuta"})),
    )
    .await;
    let (status, _, page) = coordinator
        .act(&code, &[("action", "dispatch"), ("unit", "pupr")])
        .await;
    assert_eq!(status, 303, "{page}");
    let public_id = app.db.public_id(&code).await;
    let (status, listing) = listed(&app, "category=jalan&district=Kuta").await;
    assert_eq!(status, 200, "{listing}");
    assert_eq!(ids(&listing), std::slice::from_ref(&public_id));
    assert_eq!(listing["joinable"], false, "{listing}");
    let r = app
        .client
        .post(app.url(&format!("/api/v1/similar/{public_id}/supporters")))
        .header("accept-language", "en")
        .json(&json!({"email": "ketut@example.id"}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 503);
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(
        body["error"]["message"],
        "Following a complaint by e-mail is not available on this service yet.",
        "{body}"
    );
    assert_eq!(app.db.count("SELECT COUNT(*) FROM supporters").await, 0);
}
