//! Every kind of bad input gets a clear 4xx JSON error, stores nothing, and
//! the service keeps serving.

use serde_json::{Value, json};

use crate::support::{TestApp, complaint, on_both_engines};

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<none>")
}

/// Asserts the refusal and that nothing was stored.
async fn refused(
    app: &TestApp,
    (status, body): (u16, Value),
    want_status: u16,
    want_code: &str,
) -> Value {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(error_code(&body), want_code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(
        app.complaints_stored().await,
        0,
        "a refused complaint was stored"
    );
    body
}

fn with(field: &str, value: Value) -> Value {
    let mut body = complaint();
    body[field] = value;
    body
}

on_both_engines! {
    async fn characters_that_would_break_a_feed_are_refused_with_the_field_named(app) {
        for (field, value) in [
            ("title", "Jalan \u{fffe} berlubang"),
            ("title", "Jalan \u{202e}gnalubreb"),
            ("description", "Lubang besar di depan pasar\u{ffff} sejak dua minggu."),
            ("description", "Lubang besar di depan pasar\u{1b}[31m sejak dua minggu."),
            ("location", "Jl. Raya\u{85}Kuta"),
        ] {
            let body = refused(&app, app.submit(&with(field, json!(value))).await, 422, "validation_failed").await;
            assert!(body["error"]["fields"][field].as_str().is_some_and(|m| m.contains("karakter")), "{field}: {body}");
        }
    }

    async fn malformed_json_is_400(app) {
        let r = app.post_raw("/api/v1/complaints", "application/json", b"{\"region\": \"badung\",".to_vec()).await;
        refused(&app, r, 400, "malformed_json").await;
    }

    async fn invalid_utf8_is_400(app) {
        let mut bytes = serde_json::to_vec(&complaint()).unwrap_or_default();
        let at = bytes.windows(5).position(|w| w == b"Jalan").unwrap_or(0);
        bytes[at] = 0xff;
        let r = app.post_raw("/api/v1/complaints", "application/json", bytes).await;
        refused(&app, r, 400, "invalid_utf8").await;
    }

    async fn a_wrong_content_type_is_415(app) {
        let bytes = serde_json::to_vec(&complaint()).unwrap_or_default();
        let r = app.post_raw("/api/v1/complaints", "text/plain", bytes.clone()).await;
        refused(&app, r, 415, "unsupported_media_type").await;
        let r = app.post_raw("/api/v1/complaints", "application/x-www-form-urlencoded", bytes).await;
        refused(&app, r, 415, "unsupported_media_type").await;
    }

    async fn a_body_over_the_limit_is_413(app) {
        let big = with("description", json!("a".repeat(70 * 1024)));
        let r = app.post_raw("/api/v1/complaints", "application/json", serde_json::to_vec(&big).unwrap_or_default()).await;
        refused(&app, r, 413, "payload_too_large").await;
    }

    async fn wrong_types_name_the_field(app) {
        let body = refused(&app, app.submit(&with("title", json!(42))).await, 422, "validation_failed").await;
        assert!(body["error"]["fields"]["title"].is_string(), "{body}");
        let body = refused(&app, app.submit(&with("reporter", json!("Wayan"))).await, 422, "validation_failed").await;
        assert!(body["error"]["fields"]["reporter"].is_string(), "{body}");
        let r = app.post_raw("/api/v1/complaints", "application/json", b"[1,2]".to_vec()).await;
        refused(&app, r, 422, "validation_failed").await;
    }

    async fn missing_fields_are_each_named(app) {
        let body = refused(&app, app.submit(&json!({"region": "badung"})).await, 422, "validation_failed").await;
        let fields = body["error"]["fields"].as_object().cloned().unwrap_or_default();
        for f in ["classification", "title", "description", "category", "privacy"] {
            assert!(fields.contains_key(f), "{f} missing from {body}");
        }
        assert_eq!(body["error"]["fields"]["title"], "Wajib diisi.");
    }

    async fn unknown_fields_are_refused_not_dropped(app) {
        let body = refused(&app, app.submit(&with("nik", json!("5103012345678901"))).await, 422, "validation_failed").await;
        assert!(body["error"]["fields"]["nik"].is_string(), "{body}");
        let mut nested = complaint();
        nested["reporter"]["nik"] = json!("5103012345678901");
        let body = refused(&app, app.submit(&nested).await, 422, "validation_failed").await;
        assert!(body["error"]["fields"]["reporter.nik"].is_string(), "{body}");
    }

    async fn unknown_references_are_refused(app) {
        let body = refused(&app, app.submit(&with("region", json!("atlantis"))).await, 422, "validation_failed").await;
        assert!(body["error"]["fields"]["region"].is_string());
        let body = refused(&app, app.submit(&with("category", json!("cuaca"))).await, 422, "validation_failed").await;
        assert!(body["error"]["fields"]["category"].is_string());
        let body = refused(&app, app.submit(&with("district", json!("Ubud Utara"))).await, 422, "validation_failed").await;
        assert!(body["error"]["fields"]["district"].is_string());
        let body = refused(&app, app.submit(&with("privacy", json!("secret"))).await, 422, "validation_failed").await;
        assert!(body["error"]["fields"]["privacy"].is_string());
        let body = refused(&app, app.submit(&with("classification", json!("praise"))).await, 422, "validation_failed").await;
        assert!(body["error"]["fields"]["classification"].is_string());
    }

    async fn a_future_incident_date_is_refused(app) {
        let body = refused(&app, app.submit(&with("incident_date", json!("2999-01-01"))).await, 422, "validation_failed").await;
        assert!(body["error"]["fields"]["incident_date"].is_string());
        let body = refused(&app, app.submit(&with("incident_date", json!("2026-02-30"))).await, 422, "validation_failed").await;
        assert!(body["error"]["fields"]["incident_date"].is_string());
    }

    async fn over_long_fields_are_refused(app) {
        let body = refused(&app, app.submit(&with("title", json!("x".repeat(151)))).await, 422, "validation_failed").await;
        assert_eq!(body["error"]["fields"]["title"], "Terlalu panjang: paling banyak 150 karakter.");
        refused(&app, app.submit(&with("description", json!("x".repeat(4001)))).await, 422, "validation_failed").await;
        let mut bad_contact = complaint();
        bad_contact["reporter"]["email"] = json!("bukan-email");
        bad_contact["reporter"]["phone"] = json!("123");
        let body = refused(&app, app.submit(&bad_contact).await, 422, "validation_failed").await;
        assert!(body["error"]["fields"]["reporter.email"].is_string());
        assert!(body["error"]["fields"]["reporter.phone"].is_string());
    }

    async fn refusals_speak_english_when_asked(app) {
        let mut body = with("title", json!(""));
        body["locale"] = json!("en");
        let body = refused(&app, app.submit(&body).await, 422, "validation_failed").await;
        assert_eq!(body["error"]["message"], "Some fields need correcting.");
        assert_eq!(body["error"]["fields"]["title"], "This field is required.");
        let r = app.client.get(app.url("/api/v1/complaints/nonsense")).header("accept-language", "en-GB,en;q=0.8").send().await.expect("answer");
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!(body["error"]["message"].as_str().is_some_and(|m| m.starts_with("This is not a tracking code")), "{body}");
    }

    async fn refusals_speak_balinese_when_asked(app) {
        use aduan_app::{api::Locale, words::Word};
        let mut body = with("title", json!(""));
        body["locale"] = json!("ban");
        let body = refused(&app, app.submit(&body).await, 422, "validation_failed").await;
        assert_eq!(body["error"]["message"], Word::ValidationFailed.text(Locale::Ban));
        assert_eq!(body["error"]["fields"]["title"], Word::Required.text(Locale::Ban));
        let r = app.client.get(app.url("/api/v1/complaints/nonsense")).header("accept-language", "ban-ID,ban;q=0.9,id;q=0.8").send().await.expect("answer");
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(body["error"]["message"], Word::TrackingCodeMalformed.text(Locale::Ban), "{body}");
        // A complaint filed in Balinese is kept in Balinese.
        let (status, receipt) = app.submit(&{ let mut c = complaint(); c["locale"] = json!("ban"); c }).await;
        assert_eq!(status, 201, "{receipt}");
    }

    async fn a_missing_or_bad_idempotency_key_is_400(app) {
        let r = app.client.post(app.url("/api/v1/complaints")).json(&complaint()).send().await.expect("answer");
        let status = r.status().as_u16();
        refused(&app, (status, r.json().await.unwrap_or(Value::Null)), 400, "idempotency_key_required").await;
        refused(&app, app.submit_with_key(&complaint(), "short").await, 400, "idempotency_key_invalid").await;
    }

    async fn tracking_codes_are_checked_before_any_lookup(app) {
        let (_, receipt) = app.submit(&complaint()).await;
        let code = receipt["tracking_code"].as_str().unwrap_or_default().to_owned();
        let (status, body) = app.get("/api/v1/complaints/not-a-code").await;
        assert_eq!((status, error_code(&body)), (400, "tracking_code_malformed"));
        // One symbol changed: caught by the check symbol.
        let mut typo: Vec<char> = code.chars().collect();
        let last = typo.len() - 2;
        typo[last] = if typo[last] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        let (status, body) = app.get(&format!("/api/v1/complaints/{typo}")).await;
        assert_eq!((status, error_code(&body)), (400, "tracking_code_mistyped"));
        // Well formed and checking out, but nobody filed it.
        let unknown = aduan_app::tracking::TrackingCode::generate("BDG", 12345).map(|c| c.to_string()).unwrap_or_default();
        let (status, body) = app.get(&format!("/api/v1/complaints/{unknown}")).await;
        assert_eq!((status, error_code(&body)), (404, "not_found"));
        let r = app.client.post(app.url(&format!("/api/v1/complaints/{unknown}/replies")))
            .json(&json!({"message": "Halo"})).send().await.expect("answer");
        assert_eq!(r.status().as_u16(), 404);
    }

    async fn bad_replies_are_refused(app) {
        let (_, receipt) = app.submit(&complaint()).await;
        let code = receipt["tracking_code"].as_str().unwrap_or_default().to_owned();
        let url = app.url(&format!("/api/v1/complaints/{code}/replies"));
        let r = app.client.post(&url).json(&json!({"message": "   "})).send().await.expect("answer");
        assert_eq!(r.status().as_u16(), 422);
        let r = app.client.post(&url).json(&json!({"message": "ok", "extra": true})).send().await.expect("answer");
        assert_eq!(r.status().as_u16(), 422);
        let r = app.client.post(&url).header("content-type", "text/plain").body("halo").send().await.expect("answer");
        assert_eq!(r.status().as_u16(), 415);
        assert_eq!(app.db.count("SELECT COUNT(*) FROM complaint_events WHERE kind = 'reply'").await, 0);
    }

    async fn unknown_addresses_and_methods_get_the_json_error_body(app) {
        let (status, body) = app.get("/api/v1/nothing-here").await;
        assert_eq!((status, error_code(&body)), (404, "not_found"));
        let r = app.client.delete(app.url("/api/v1/regions")).send().await.expect("answer");
        assert_eq!(r.status().as_u16(), 405);
        assert!(r.headers().get("allow").is_some());
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(error_code(&body), "method_not_allowed");
        let r = app.client.put(app.url("/api/v1/complaints")).send().await.expect("answer");
        assert_eq!(r.status().as_u16(), 405);
    }

    async fn the_service_keeps_serving_after_bad_input(app) {
        for raw in [&b"{"[..], b"\xff\xfe", b"null", b"{\"title\": {\"a\": 1}}", b"\"x\""] {
            let (status, _) = app.post_raw("/api/v1/complaints", "application/json", raw.to_vec()).await;
            assert!((400..500).contains(&status), "{status}");
        }
        let (status, receipt) = app.submit(&complaint()).await;
        assert_eq!(status, 201, "{receipt}");
        assert_eq!(app.get("/healthz").await.0, 200);
    }
}

#[tokio::test]
async fn an_address_that_files_too_fast_is_slowed_down_with_429() {
    let app = crate::support::spawn_app_with(crate::support::Engine::Sqlite, |c| {
        c.submit_per_minute = 1;
        c.lookup_per_minute = 1;
    })
    .await;
    let mut accepted = 0;
    let mut refused = None;
    for _ in 0..12 {
        match app.submit(&complaint()).await {
            (201, _) => accepted += 1,
            other => {
                refused = Some(other);
                break;
            }
        }
    }
    assert_eq!(accepted, 10, "a burst of ten is allowed");
    let (status, body) = refused.unwrap_or((0, Value::Null));
    assert_eq!((status, error_code(&body)), (429, "rate_limited"));
    let r = app
        .client
        .post(app.url("/api/v1/complaints"))
        .header("idempotency-key", "one-more-key-1")
        .json(&complaint())
        .send()
        .await
        .expect("answer");
    assert!(r.headers().get("retry-after").is_some());
    assert_eq!(app.complaints_stored().await, 10);
    // Look-ups have a budget of their own, and health is never limited.
    assert_eq!(
        app.get("/api/v1/complaints/BDG-7K3Q-XP9M-2HT4-WQ5R")
            .await
            .0,
        400
    );
    assert_eq!(app.get("/healthz").await.0, 200);
}

#[tokio::test]
async fn look_ups_are_limited_whatever_the_method() {
    let app = crate::support::spawn_app_with(crate::support::Engine::Sqlite, |c| {
        c.lookup_per_minute = 1;
    })
    .await;
    crate::console::wait_until_serving(&app).await;
    let path = app.url("/api/v1/complaints/BDG-7K3Q-XP9M-2HT4-WQ5R");
    let mut statuses = Vec::new();
    for _ in 0..31 {
        statuses.push(
            app.client
                .head(&path)
                .send()
                .await
                .expect("an answer")
                .status()
                .as_u16(),
        );
    }
    // The burst of 30 is spent by HEAD alone; the next GET waits too.
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert_eq!(
        app.get("/api/v1/complaints/BDG-7K3Q-XP9M-2HT4-WQ5R")
            .await
            .0,
        429
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_budget_and_cannot_pick_one() {
    let app = crate::support::spawn_app_with(crate::support::Engine::Sqlite, |c| {
        c.lookup_per_minute = 1;
        c.trust_forwarded_for = true;
        c.trusted_proxies = vec!["127.0.0.0/8".parse().expect("a range")];
    })
    .await;
    crate::console::wait_until_serving(&app).await;
    let path = app.url("/api/v1/complaints/BDG-7K3Q-XP9M-2HT4-WQ5R");
    let look = |forwarded: Vec<&'static str>| {
        let mut request = app.client.get(&path);
        for line in forwarded {
            request = request.header("x-forwarded-for", line);
        }
        async move { request.send().await.expect("an answer").status().as_u16() }
    };
    // One client spends its budget, rotating what it writes at the left
    // of the header: the proxy's right-most entry is what counts.
    for i in 0..30 {
        let spoof: &'static str = if i % 2 == 0 {
            "1.1.1.1, 203.0.113.5"
        } else {
            "9.9.9.9, 203.0.113.5"
        };
        assert_eq!(look(vec![spoof]).await, 400);
    }
    assert_eq!(look(vec!["8.8.8.8, 203.0.113.5"]).await, 429);
    // Two header lines are read as one list.
    assert_eq!(look(vec!["8.8.4.4", "203.0.113.5"]).await, 429);
    // Another client, and another /64, are not held back.
    assert_eq!(look(vec!["203.0.113.6"]).await, 400);
    for _ in 0..30 {
        look(vec!["2001:db8:1:2::1"]).await;
    }
    assert_eq!(
        look(vec!["2001:db8:1:2:ffff::9"]).await,
        429,
        "one /64 is one client"
    );
    assert_eq!(look(vec!["2001:db8:1:3::1"]).await, 400);
}
