//! The public API end to end: forms, filing, idempotency, tracking, replies.

use serde_json::{Value, json};

use crate::support::{complaint, new_key, on_both_engines};

on_both_engines! {
    async fn health_names_the_database(app) {
        let (status, body) = app.get("/healthz").await;
        assert_eq!(status, 200);
        assert_eq!(body["status"], "ok");
        let expected = match app.db.engine {
            crate::support::Engine::Sqlite => "sqlite",
            crate::support::Engine::Postgres => "postgres",
        };
        assert_eq!(body["database"], expected);
    }

    async fn regions_list_bali_with_bangli_unknown(app) {
        let (status, body) = app.get("/api/v1/regions").await;
        assert_eq!(status, 200);
        let regions = body.as_array().cloned().unwrap_or_default();
        assert_eq!(regions.len(), 10);
        assert_eq!(regions[0]["slug"], "bali");
        let bangli = regions.iter().find(|r| r["slug"] == "bangli").cloned().unwrap_or_default();
        assert_eq!(bangli["lapor_group_2019"], Value::Null);
        assert_eq!(bangli["integration_mode"], "none");
        let denpasar = regions.iter().find(|r| r["slug"] == "denpasar").cloned().unwrap_or_default();
        assert_eq!(denpasar["integration_mode"], "webhook");
        assert_eq!(denpasar["own_portal"], "PRO Denpasar");
    }

    async fn the_form_lists_what_a_form_needs(app) {
        let (status, form) = app.get("/api/v1/regions/badung/form").await;
        assert_eq!(status, 200);
        assert_eq!(form["region"]["slug"], "badung");
        assert_eq!(form["categories"].as_array().map(Vec::len), Some(15));
        let pungli = form["categories"].as_array().and_then(|c| c.iter().find(|c| c["key"] == "pungli")).cloned();
        assert_eq!(pungli.map(|p| (p["name_en"].clone(), p["supervisory"].clone())),
            Some((json!("Illegal levies (extortion)"), json!(true))));
        assert_eq!(form["districts"][0]["region"], "badung");
        assert!(form["districts"].as_array().is_some_and(|d| d.iter().any(|d| d["key"] == "denpasar-utara")));
        let classes: Vec<&str> = form["classifications"].as_array().map(|a| a.iter().filter_map(|c| c["key"].as_str()).collect()).unwrap_or_default();
        assert_eq!(classes, ["complaint", "aspiration", "information_request"]);
        let privacy: Vec<&str> = form["privacy_modes"].as_array().map(|a| a.iter().filter_map(|c| c["key"].as_str()).collect()).unwrap_or_default();
        assert_eq!(privacy, ["public", "anonymous", "confidential", "anonymous_confidential"]);
        assert!(form["privacy_modes"][1]["help_en"].as_str().is_some_and(|h| h.contains("No officer")));
        assert_eq!(form["limits"]["title_max"], 150);
        assert_eq!(form["limits"]["description_max"], 4000);
        let (status, body) = app.get("/api/v1/regions/atlantis/form").await;
        assert_eq!((status, body["error"]["code"].clone()), (404, json!("not_found")));
    }

    async fn a_filed_complaint_is_acknowledged_and_tracked(app) {
        let (status, receipt) = app.submit(&complaint()).await;
        assert_eq!(status, 201, "{receipt}");
        let code = receipt["tracking_code"].as_str().unwrap_or_default().to_owned();
        assert!(code.starts_with("BDG-"), "{code}");
        assert_eq!(receipt["status"], "submitted");
        assert_eq!(receipt["region"]["name"], "Kabupaten Badung");
        assert_eq!(receipt["unit"]["key"], "pupr");
        assert_eq!(receipt["due"]["step"], "verification");
        assert!(receipt["due"]["date"].as_str().is_some_and(|d| d.len() == 10));

        let (status, view) = app.get(&format!("/api/v1/complaints/{code}")).await;
        assert_eq!(status, 200);
        assert_eq!(view["tracking_code"], code.as_str());
        assert_eq!(view["status"], "submitted");
        assert_eq!(view["category"]["key"], "jalan");
        assert_eq!(view["due"], receipt["due"]);
        assert_eq!(view["timeline"].as_array().map(Vec::len), Some(1));
        assert_eq!(view["timeline"][0]["kind"], "submitted");
        let text = view.to_string();
        assert!(!text.contains("Wayan") && !text.contains("wayan@example.id") && !text.contains("3456"),
            "the tracker leaks the reporter: {text}");

        // Typed loosely: lower case, spaces, look-alikes.
        let loose = code.to_lowercase().replace('-', " ").replace('0', "o").replace('1', "l");
        let (status, again) = app.get(&format!("/api/v1/complaints/{}", loose.replace(' ', "%20"))).await;
        assert_eq!(status, 200);
        assert_eq!(again["tracking_code"], code.as_str());
    }

    async fn a_complaint_about_denpasar_filed_on_badung_site_goes_to_denpasar(app) {
        let mut body = complaint();
        body["district"] = json!("Denpasar Selatan");
        body["category"] = json!("sampah");
        let (status, receipt) = app.submit(&body).await;
        assert_eq!(status, 201, "{receipt}");
        assert!(receipt["tracking_code"].as_str().is_some_and(|c| c.starts_with("DPS-")));
        assert_eq!(receipt["region"]["key"], "denpasar");
        assert_eq!(receipt["unit"]["key"], "dlh");
    }

    async fn an_illegal_levy_is_handed_to_the_provinces_saber_pungli_unit_as_confidential(app) {
        let mut body = complaint();
        body["category"] = json!("pungli");
        body["privacy"] = json!("public");
        let (status, receipt) = app.submit(&body).await;
        assert_eq!(status, 201, "{receipt}");
        assert_eq!(receipt["region"]["key"], "bali");
        assert_eq!(receipt["unit"]["key"], "saber-pungli");
        assert_eq!(receipt["privacy"], "confidential");
        let code = receipt["tracking_code"].as_str().unwrap_or_default();
        assert!(code.starts_with("BPV-"), "{code}");
        let from = app.db.strings("SELECT handed_off_from FROM complaints WHERE handed_off_from IS NOT NULL").await;
        assert_eq!(from, ["badung"]);
    }

    async fn an_abuse_of_authority_goes_to_the_inspectorate_as_confidential(app) {
        let mut body = complaint();
        body["category"] = json!("maladministrasi");
        body["privacy"] = json!("public");
        let (status, receipt) = app.submit(&body).await;
        assert_eq!(status, 201, "{receipt}");
        assert_eq!(receipt["region"]["key"], "badung");
        assert_eq!(receipt["unit"]["key"], "inspektorat");
        assert_eq!(receipt["privacy"], "confidential");
    }

    async fn a_retry_with_the_same_key_returns_the_same_receipt_and_stores_nothing(app) {
        let key = new_key();
        let (first_status, first) = app.submit_with_key(&complaint(), &key).await;
        assert_eq!(first_status, 201);
        // The same content, sent again with its fields in another order.
        let mut reordered = serde_json::Map::new();
        if let Value::Object(map) = complaint() {
            for (k, v) in map.into_iter().rev() {
                reordered.insert(k, v);
            }
        }
        let (status, second) = app.submit_with_key(&Value::Object(reordered), &key).await;
        assert_eq!(status, 201);
        assert_eq!(second, first);
        assert_eq!(app.complaints_stored().await, 1);

        let mut other = complaint();
        other["title"] = json!("Lampu jalan mati sejak seminggu");
        let (status, refused) = app.submit_with_key(&other, &key).await;
        assert_eq!(status, 409);
        assert_eq!(refused["error"]["code"], "idempotency_key_reused");
        assert_eq!(app.complaints_stored().await, 1);
    }

    async fn concurrent_retries_with_one_key_store_one_complaint(app) {
        let key = new_key();
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let client = app.client.clone();
            let url = app.url("/api/v1/complaints");
            let key = key.clone();
            tasks.push(tokio::spawn(async move {
                let r = client.post(url).header("idempotency-key", key).json(&complaint()).send().await;
                match r {
                    Ok(r) => (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null)),
                    Err(_) => (0, Value::Null),
                }
            }));
        }
        let mut codes = std::collections::BTreeSet::new();
        for t in tasks {
            let (status, body) = t.await.unwrap_or((0, Value::Null));
            assert_eq!(status, 201, "{body}");
            codes.insert(body["tracking_code"].as_str().unwrap_or_default().to_owned());
        }
        assert_eq!(codes.len(), 1, "{codes:?}");
        assert_eq!(app.complaints_stored().await, 1);
    }

    async fn markup_is_stored_and_served_as_plain_text(app) {
        let mut body = complaint();
        body["title"] = json!("<script>alert('x')</script>");
        body["description"] = json!("<img src=x onerror=alert(1)> <a href=\"javascript:alert(1)\">klik</a> jalan rusak");
        let (status, receipt) = app.submit(&body).await;
        assert_eq!(status, 201, "{receipt}");
        let code = receipt["tracking_code"].as_str().unwrap_or_default();
        let response = app.client.get(app.url(&format!("/api/v1/complaints/{code}"))).send().await.expect("answer");
        assert_eq!(response.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/json"));
        assert_eq!(response.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
        let view: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(view["title"], "<script>alert('x')</script>");
        assert_eq!(app.db.count("SELECT COUNT(*) FROM complaints WHERE description LIKE '<img src=x onerror=%'").await, 1);
    }

    async fn a_reporter_reply_moves_a_waiting_complaint_back_to_verification(app) {
        let (_, receipt) = app.submit(&complaint()).await;
        let code = receipt["tracking_code"].as_str().unwrap_or_default().to_owned();
        app.db.exec("UPDATE complaints SET status = 'needs_info', due_step = 'reporter_reply', due_date = '2026-01-01'").await.expect("an operator's update");
        let response = app.client.post(app.url(&format!("/api/v1/complaints/{code}/replies")))
            .json(&json!({"message": "Foto lubang sudah saya lampirkan di sini.", "locale": "en"}))
            .send().await.expect("answer");
        assert_eq!(response.status().as_u16(), 201);
        let view: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(view["status"], "submitted");
        assert_eq!(view["due"]["step"], "verification");
        assert_ne!(view["due"]["date"], "2026-01-01");
        let last = view["timeline"].as_array().and_then(|t| t.last()).cloned().unwrap_or_default();
        assert_eq!(last["kind"], "reply");
        assert_eq!(last["author"], "reporter");
        assert_eq!(last["from_status"], "needs_info");
        assert_eq!(last["to_status"], "submitted");
        assert_eq!(last["message"], "Foto lubang sudah saya lampirkan di sini.");
    }

    async fn the_widget_is_answered_in_the_markup_it_shows(app) {
        use aduan_app::api::{Locale, Receipt, TrackingView};
        let html = |r: reqwest::RequestBuilder| async move {
            let r = r.header("accept", "text/html").header("accept-language", "en").send().await.expect("an answer");
            let status = r.status().as_u16();
            let kind = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            let vary = r.headers().get("vary").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            (status, kind, vary, r.text().await.unwrap_or_default())
        };
        // The receipt: the markup the widget shows, with the code and the
        // region for its buttons and its event; a retry with the same key
        // is the same receipt.
        let mut hostile = complaint();
        hostile["title"] = json!("<script>alert('x')</script> jalan rusak");
        hostile["locale"] = json!("en");
        let key = new_key();
        let post = || app.client.post(app.url("/api/v1/complaints")).header("idempotency-key", &key).json(&hostile);
        let (status, kind, vary, receipt) = html(post()).await;
        assert_eq!((status, kind.as_str()), (201, "text/html; charset=utf-8"), "{receipt}");
        assert!(vary.contains("Accept"), "{vary}");
        let code = receipt.split("data-code=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default().to_owned();
        assert!(code.starts_with("BDG-"), "{receipt}");
        assert!(receipt.contains("data-region=\"badung\""), "{receipt}");
        let (_, json_receipt) = app.submit_with_key(&hostile, &key).await;
        let r: Receipt = serde_json::from_value(json_receipt).expect("the receipt as JSON");
        assert_eq!(receipt, aduan_app::markup::receipt(&r, Locale::En));
        assert_eq!(html(post()).await.3, receipt);

        // The tracker's answer: the same view as the JSON, drawn, escaped.
        let url = app.url(&format!("/api/v1/complaints/{code}"));
        let (status, kind, _, shown) = html(app.client.get(&url)).await;
        assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
        let (_, json_view) = app.get(&format!("/api/v1/complaints/{code}")).await;
        let view: TrackingView = serde_json::from_value(json_view).expect("the view as JSON");
        assert_eq!(shown, aduan_app::markup::tracked(&view, Locale::En, ""));
        assert!(shown.contains("&lt;script&gt;") && !shown.contains("<script>"), "{shown}");
        assert!(shown.contains("data-act=\"reply\"") && shown.contains("data-act=\"erase\""), "{shown}");
        // JSON unless HTML comes first.
        let either = app.client.get(&url).header("accept", "application/json, text/html").send().await.expect("an answer");
        assert!(either.headers()["content-type"].to_str().unwrap_or_default().starts_with("application/json"));
        // A reply, and a refusal, the same way: a refusal stays JSON.
        let reply = app.client.post(format!("{url}/replies")).json(&json!({"message": "Lubangnya <b>makin</b> besar."}));
        let (status, kind, _, replied) = html(reply).await;
        assert_eq!((status, kind.as_str()), (201, "text/html; charset=utf-8"));
        assert!(replied.contains("Lubangnya &lt;b&gt;makin&lt;/b&gt; besar."), "{replied}");
        let (status, kind, _, refused) = html(app.client.get(app.url("/api/v1/complaints/BDG-0000-0000-0000"))).await;
        assert!(status >= 400 && kind.starts_with("application/json"), "{status} {kind} {refused}");
        app.db.exec("UPDATE complaints SET status = 'resolved'").await.expect("an operator's update");
        let (status, kind, _, confirmed) = html(app.client.post(format!("{url}/confirmation"))).await;
        assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"), "{confirmed}");
        assert!(confirmed.contains("Closed") && !confirmed.contains("data-act=\"confirm\""), "{confirmed}");
        let (status, kind, _, erased) = html(app.client.delete(format!("{url}/contact"))).await;
        assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
        assert!(erased.contains(&code));
    }

    async fn a_reply_retried_with_its_key_is_stored_once(app) {
        let (_, receipt) = app.submit(&complaint()).await;
        let code = receipt["tracking_code"].as_str().unwrap_or_default().to_owned();
        let url = app.url(&format!("/api/v1/complaints/{code}/replies"));
        let send = |message: &'static str| {
            app.client.post(&url).header("idempotency-key", "reply-retry-0001").json(&json!({"message": message})).send()
        };
        assert_eq!(send("Lubangnya makin besar.").await.map(|r| r.status().as_u16()).ok(), Some(201));
        assert_eq!(send("Lubangnya makin besar.").await.map(|r| r.status().as_u16()).ok(), Some(201));
        assert_eq!(app.db.count("SELECT COUNT(*) FROM complaint_events WHERE kind = 'reply'").await, 1);
        let reused = send("Pesan yang lain.").await.expect("an answer");
        assert_eq!(reused.status().as_u16(), 409);
        let bad = app.client.post(&url).header("idempotency-key", "x").json(&json!({"message": "Halo"})).send().await.expect("answer");
        assert_eq!(bad.status().as_u16(), 400);
        assert_eq!(app.db.count("SELECT COUNT(*) FROM complaint_events WHERE kind = 'reply'").await, 1);
    }

    async fn a_closed_complaint_takes_no_more_replies(app) {
        let (_, receipt) = app.submit(&complaint()).await;
        let code = receipt["tracking_code"].as_str().unwrap_or_default().to_owned();
        app.db.exec("UPDATE complaints SET status = 'closed'").await.expect("an operator's update");
        let response = app.client.post(app.url(&format!("/api/v1/complaints/{code}/replies")))
            .json(&json!({"message": "Masih rusak."}))
            .send().await.expect("answer");
        assert_eq!(response.status().as_u16(), 409);
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(body["error"]["code"], "replies_closed");
        assert_eq!(app.db.count("SELECT COUNT(*) FROM complaint_events WHERE kind = 'reply'").await, 0);
        let (_, view) = app.get(&format!("/api/v1/complaints/{code}")).await;
        assert_eq!(view["accepts_replies"], false);
        assert_eq!(view["due"], Value::Null);
    }

    async fn the_openapi_document_describes_every_route(app) {
        let (status, doc) = app.get("/api/v1/openapi.json").await;
        assert_eq!(status, 200);
        assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
        for path in ["/healthz", "/api/v1/regions", "/api/v1/regions/{slug}/form", "/api/v1/complaints",
                     "/api/v1/complaints/{code}", "/api/v1/complaints/{code}/replies", "/api/v1/openapi.json"] {
            assert!(doc["paths"][path].is_object(), "{path} is not described");
        }
        let required = &doc["components"]["schemas"]["ComplaintInput"]["properties"];
        for field in ["region", "classification", "title", "description", "category", "district", "location",
                      "incident_date", "privacy", "reporter", "locale"] {
            assert!(required[field].is_object(), "{field} is not described");
        }
    }

    async fn the_api_answers_cross_origin_preflights(app) {
        let response = app.client.request(reqwest::Method::OPTIONS, app.url("/api/v1/complaints"))
            .header("origin", "https://badungkab.go.id")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type, idempotency-key")
            .send().await.expect("answer");
        assert!(response.status().is_success());
        let allow = |h: &str| response.headers().get(h).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
        assert_eq!(allow("access-control-allow-origin"), "*");
        assert!(allow("access-control-allow-headers").contains("idempotency-key"));
        assert!(allow("access-control-allow-methods").contains("post"));
    }
}
