//! Open311 GeoReport v2: discovery, services, filing with a partner key,
//! reading requests, in JSON and XML, and the specification's errors.

use serde_json::Value;

use crate::console::{file, officer, track, wait_until_serving};
use crate::support::{TestApp, complaint, on_both_engines};

pub async fn partner_key(app: &TestApp) -> String {
    wait_until_serving(app).await;
    let store = aduan_server::open_store(&app.db.args())
        .await
        .expect("the store");
    let (_, key) = aduan_server::subscribers::add_partner(store.as_ref(), "Civic app")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store.close().await;
    key
}

async fn get(app: &TestApp, path: &str) -> (u16, String, String) {
    app.get_text(path, None).await
}

async fn post(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let r = app
        .client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .expect("an answer");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A spec error list with this code.
fn is_error(text: &str, code: u16) -> bool {
    json(text).as_array().is_some_and(|list| {
        !list.is_empty()
            && list
                .iter()
                .all(|e| e["code"] == code && e["description"].is_string())
    })
}

on_both_engines! {
    async fn discovery_and_services_in_json_and_xml(app) {
        let (status, kind, body) = get(&app, "/open311/v2/discovery.json").await;
        assert_eq!((status, kind.as_str()), (200, "application/json"));
        assert!(json(&body)["endpoints"][0]["url"].as_str().is_some_and(|u| u.ends_with("/open311/v2")));
        let (status, kind, body) = get(&app, "/open311/v2/discovery.xml").await;
        assert_eq!(status, 200);
        assert!(kind.starts_with("text/xml"));
        assert!(body.contains("<discovery>") && body.contains("<endpoints><endpoint>"), "{body}");

        let (status, _, body) = get(&app, "/open311/v2/services.json?jurisdiction_id=badung").await;
        assert_eq!(status, 200);
        let services = json(&body);
        let roads = services.as_array().and_then(|l| l.iter().find(|s| s["service_code"] == "jalan")).cloned().unwrap_or_default();
        assert_eq!(roads["metadata"], true);
        assert_eq!(roads["type"], "realtime");
        assert!(roads["service_name"].is_string());
        let (_, _, xml) = get(&app, "/open311/v2/services.xml?jurisdiction_id=badung").await;
        assert!(xml.starts_with("<?xml") && xml.contains("<services><service><service_code>"), "{xml}");
        let (status, _, body) = get(&app, "/open311/v2/services.json?jurisdiction_id=atlantis").await;
        assert_eq!(status, 404);
        assert!(is_error(&body, 404), "{body}");

        let (status, _, body) = get(&app, "/open311/v2/services/jalan.json").await;
        assert_eq!(status, 200);
        let definition = json(&body);
        assert_eq!(definition["service_code"], "jalan");
        assert_eq!(definition["attributes"][0]["code"], "privacy");
        assert_eq!(definition["attributes"][0]["datatype"], "singlevaluelist");
        let (status, _, xml) = get(&app, "/open311/v2/services/jalan.xml").await;
        assert_eq!(status, 200);
        assert!(xml.contains("<service_definition><service_code>jalan</service_code><attributes><attribute>"), "{xml}");
        assert_eq!(get(&app, "/open311/v2/services/nothing.json").await.0, 404);
    }

    async fn a_partner_files_a_request_routed_like_any_other(app) {
        let key = partner_key(&app).await;
        let fields = [
            ("api_key", key.as_str()),
            ("jurisdiction_id", "badung"),
            ("service_code", "jalan"),
            ("lat", "-8.7185"),
            ("long", "115.1686"),
            ("description", "Lubang besar di Jalan Raya Kuta, berbahaya untuk motor."),
            ("first_name", "Made"),
            ("email", "made@example.id"),
        ];
        // Without a key, or with a wrong one: 403 in the specification's format.
        let without: Vec<_> = fields.iter().filter(|(k, _)| *k != "api_key").copied().collect();
        let (status, body) = post(&app, "/open311/v2/requests.json", &without).await;
        assert_eq!(status, 403);
        assert!(is_error(&body, 403), "{body}");
        let mut wrong = fields.to_vec();
        wrong[0] = ("api_key", "ak_not_a_key");
        assert_eq!(post(&app, "/open311/v2/requests.json", &wrong).await.0, 403);
        let (status, xml) = post(&app, "/open311/v2/requests.xml", &without).await;
        assert_eq!(status, 403);
        assert!(xml.contains("<errors><error><code>403</code><description>"), "{xml}");
        assert_eq!(app.complaints_stored().await, 0);

        let (status, body) = post(&app, "/open311/v2/requests.json", &fields).await;
        assert_eq!(status, 201, "{body}");
        // The partner files for the citizen: the answer names the request
        // by its public id and, for the citizen, carries the tracking code.
        let id = json(&body)[0]["service_request_id"].as_str().unwrap_or_default().to_owned();
        let code = json(&body)[0]["tracking_code"].as_str().unwrap_or_default().to_owned();
        assert!(code.starts_with("BDG-"), "{body}");
        assert_eq!(id, app.db.public_id(&code).await);
        assert!(aduan_app::tracking::TrackingCode::parse(&id).is_err(), "{id}");
        let view = track(&app, &code).await;
        assert_eq!(view["unit"]["key"], "pupr");
        // The same request sent again files nothing new.
        let (status, again) = post(&app, "/open311/v2/requests.json", &fields).await;
        assert_eq!(status, 201);
        assert_eq!(json(&again)[0]["service_request_id"], id.as_str());
        assert_eq!(app.complaints_stored().await, 1);

        // Malformed fields: the specification's error format.
        let mut missing = fields.to_vec();
        missing.retain(|(k, _)| *k != "service_code");
        let (status, body) = post(&app, "/open311/v2/requests.json", &missing).await;
        assert_eq!(status, 400);
        assert!(is_error(&body, 400), "{body}");
        let mut nowhere = fields.to_vec();
        nowhere.retain(|(k, _)| *k != "lat" && *k != "long");
        assert_eq!(post(&app, "/open311/v2/requests.json", &nowhere).await.0, 400);
        let mut short = fields.to_vec();
        short[5] = ("description", "pendek");
        let (status, body) = post(&app, "/open311/v2/requests.json", &short).await;
        assert_eq!(status, 422);
        assert!(is_error(&body, 422) && body.contains("description"), "{body}");
        let mut bad_lat = fields.to_vec();
        bad_lat[3] = ("lat", "north");
        assert_eq!(post(&app, "/open311/v2/requests.json", &bad_lat).await.0, 400);
        assert_eq!(app.complaints_stored().await, 1);
    }

    async fn requests_are_read_with_filters_and_status_notes(app) {
        let public = file(&app, complaint()).await;
        let confidential = file(&app, {
            let mut c = complaint();
            c["category"] = "pungli".into();
            c
        }).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        coordinator.act(&public, &[("action", "reply"), ("message", "Sedang kami periksa.")]).await;
        // What the reporter writes back is never public, not even as the
        // latest note.
        let (status, body) = app.post_raw(&format!("/api/v1/complaints/{public}/replies"), "application/json",
            br#"{"message": "Nomor saya 0812 9999 1111, rumah no. 7."}"#.to_vec()).await;
        assert!(status == 200 || status == 201, "{status} {body}");
        let public_code = public.clone();
        let public = app.db.public_id(&public_code).await;
        let confidential = app.db.public_id(&confidential).await;
        // A tracking code is not a public id.
        assert_eq!(get(&app, &format!("/open311/v2/requests/{public_code}.json")).await.0, 404);

        let (status, _, body) = get(&app, &format!("/open311/v2/requests/{public}.json")).await;
        assert_eq!(status, 200, "{body}");
        assert!(!body.contains("0812 9999") && !body.contains(&public_code), "{body}");
        let request = json(&body)[0].clone();
        assert_eq!(request["service_request_id"], public.as_str());
        assert_eq!(request["status"], "open");
        assert_eq!(request["status_notes"], "Sedang kami periksa.");
        assert_eq!(request["service_code"], "jalan");
        assert!(request["requested_datetime"].as_str().is_some_and(|d| d.ends_with('Z')));
        assert!(!body.contains("Wayan"), "the reporter's identity");
        let (status, _, xml) = get(&app, &format!("/open311/v2/requests/{public}.xml")).await;
        assert_eq!(status, 200);
        assert!(xml.contains(&format!("<service_requests><request><service_request_id>{public}</service_request_id>")), "{xml}");

        // Confidential complaints are never shown.
        assert_eq!(get(&app, &format!("/open311/v2/requests/{confidential}.json")).await.0, 404);
        let (_, _, all) = get(&app, "/open311/v2/requests.json?jurisdiction_id=badung").await;
        assert!(all.contains(&public) && !all.contains(&confidential), "{all}");
        assert!(!all.contains(&public_code) && !all.contains("0812 9999"), "{all}");
        // No value anywhere in a public listing works as a tracking code.
        fn strings(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::String(s) => out.push(s.clone()),
                Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
                Value::Object(o) => o.values().for_each(|x| strings(x, out)),
                _ => {}
            }
        }
        let mut values = Vec::new();
        strings(&json(&all), &mut values);
        assert!(values.len() > 10, "{all}");
        for value in values.iter().flat_map(|v| v.split_whitespace()) {
            assert!(aduan_app::tracking::TrackingCode::parse(value).is_err(), "`{value}` reads as a tracking code");
        }
        let (_, _, all_xml) = get(&app, "/open311/v2/requests.xml").await;
        assert!(!all_xml.contains(&public_code) && !all_xml.contains("0812 9999"), "{all_xml}");

        let (_, _, open) = get(&app, "/open311/v2/requests.json?status=open&service_code=jalan").await;
        assert!(open.contains(&public));
        let (_, _, closed) = get(&app, "/open311/v2/requests.json?status=closed").await;
        assert!(!closed.contains(&public));
        let (_, _, listed) = get(&app, &format!("/open311/v2/requests.json?service_request_id={public}")).await;
        assert_eq!(json(&listed).as_array().map(Vec::len), Some(1));
        let (_, _, future) = get(&app, "/open311/v2/requests.json?start_date=2099-01-01T00:00:00Z").await;
        assert_eq!(json(&future).as_array().map(Vec::len), Some(0));
        let (status, _, body) = get(&app, "/open311/v2/requests.json?start_date=yesterday").await;
        assert_eq!(status, 400);
        assert!(is_error(&body, 400));
        let (status, _, body) = get(&app, "/open311/v2/requests.json?status=maybe").await;
        assert_eq!(status, 400);
        assert!(is_error(&body, 400));
    }
}

#[tokio::test]
async fn the_partner_command_prints_the_key_once() {
    let db = crate::support::TestDb::new(crate::support::Engine::Sqlite).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aduan"))
        .args(["partner", "add", "--name", "Civic app of Gianyar"])
        .env("DATABASE_URL", &db.url)
        .output()
        .expect("the aduan binary");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    let key = text
        .lines()
        .find(|l| l.starts_with("ak_"))
        .unwrap_or_default();
    assert_eq!(key.len(), 67, "{text}");
    let stored = db.strings("SELECT key_hash FROM partners").await;
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], key, "only the key's hash is kept");
    assert_eq!(stored[0], aduan_server::routes::open311::key_hash(key));
}
