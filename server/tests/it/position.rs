//! Where the reporter's phone was, and the banjar they named: stored with
//! the complaint, shown to the officers who handle it, and public only for
//! a public complaint (issue: "never public for anonymous complaints").

use serde_json::{Value, json};

use crate::console::{file, officer};
use crate::outbox::{Receiver, subscribe};
use crate::support::{Engine, complaint, spawn_app_with};

/// The Open311 request with `public_id` among Badung's.
async fn open311(app: &crate::support::TestApp, public_id: &str) -> Value {
    let r = app
        .client
        .get(app.url("/open311/v2/requests.json?jurisdiction_id=badung"))
        .send()
        .await
        .expect("an answer");
    let all: Value = r.json().await.expect("JSON");
    all.as_array()
        .and_then(|list| list.iter().find(|x| x["service_request_id"] == public_id))
        .cloned()
        .unwrap_or_else(|| panic!("{public_id} is not listed: {all}"))
}

/// Files a request through Open311 for `key`'s partner in Badung's roads
/// with `fields`; its public id and tracking code.
async fn post_open311(
    app: &crate::support::TestApp,
    key: &str,
    fields: &[(&str, &str)],
) -> (String, String) {
    let mut form = vec![
        ("api_key", key),
        ("jurisdiction_id", "badung"),
        ("service_code", "jalan"),
    ];
    form.extend_from_slice(fields);
    let r = app
        .client
        .post(app.url("/open311/v2/requests.json"))
        .form(&form)
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 201);
    let created: Value = r.json().await.expect("JSON");
    let text = |k: &str| created[0][k].as_str().unwrap_or_default().to_owned();
    (text("service_request_id"), text("tracking_code"))
}

async fn a_point_reaches_only_whom_the_policy_allows(engine: Engine) {
    let app = spawn_app_with(engine, |c| c.outbox_backoff_ms = 50).await;
    crate::console::wait_until_serving(&app).await;
    let receiver = Receiver::start(0).await;
    subscribe(&app, &receiver, None).await;
    let coordinator = officer(&app, "coordinator", "badung", None).await;
    let province = officer(&app, "province", "bali", None).await;

    let mut named = complaint();
    named["landmark"] = "Banjar Tegal".into();
    named["position"] = json!({"latitude": -8.7182, "longitude": 115.1686});
    let named = file(&app, named).await;
    let mut anonymous = complaint();
    anonymous["privacy"] = "anonymous".into();
    anonymous["landmark"] = "Banjar Anyar".into();
    anonymous["position"] = json!({"latitude": -8.7, "longitude": 115.17});
    let anonymous = file(&app, anonymous).await;

    // The handling officers see both points, as a link for the phone's map.
    let (status, page) = coordinator
        .get(&format!("/console/complaints/{named}"))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("Banjar Tegal"), "{page}");
    assert!(
        page.contains(r#"href="geo:-8.718200,115.168600""#),
        "{page}"
    );
    let (_, page) = coordinator
        .get(&format!("/console/complaints/{anonymous}"))
        .await;
    assert!(
        page.contains("Banjar Anyar") && page.contains("-8.700000, 115.170000"),
        "{page}"
    );
    // The province oversees: the content, but not where an anonymous
    // reporter stood.
    let (status, page) = province
        .get(&format!("/console/complaints/{anonymous}"))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("Banjar Anyar"), "{page}");
    assert!(!page.contains("115.17"), "{page}");
    let (_, page) = province.get(&format!("/console/complaints/{named}")).await;
    assert!(page.contains("-8.718200, 115.168600"), "{page}");

    // Open311: the point of the public complaint, none of the anonymous one.
    let public = open311(&app, &app.db.public_id(&named).await).await;
    assert_eq!(
        (public["lat"].as_f64(), public["long"].as_f64()),
        (Some(-8.7182), Some(115.1686))
    );
    let hidden = open311(&app, &app.db.public_id(&anonymous).await).await;
    assert_eq!(
        (&hidden["lat"], &hidden["long"]),
        (&Value::Null, &Value::Null),
        "{hidden}"
    );

    // Webhooks never carry a point.
    crate::lapor::wait_for_outbox(&app).await;
    let deliveries = receiver.accepted.lock().await.clone();
    assert!(!deliveries.is_empty(), "no webhook arrived");
    for d in &deliveries {
        assert!(
            !d.body.contains("115.1") && !d.body.contains("Banjar"),
            "{}",
            d.body
        );
    }

    // A point out of range is refused, the rest of the form kept.
    let mut wrong = complaint();
    wrong["position"] = json!({"latitude": 91, "longitude": 115.2});
    let (status, body) = app.submit(&wrong).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["position"].is_string(), "{body}");
    assert_eq!(
        body["error"]["fields"].as_object().map(|f| f.len()),
        Some(1),
        "{body}"
    );
    // Open311 takes a point as a point.
    let key = crate::open311::partner_key(&app).await;
    let (id, _) = post_open311(
        &app,
        &key,
        &[
            ("lat", "-8.65"),
            ("long", "115.2167"),
            (
                "description",
                "Lubang besar di tikungan dekat balai banjar.",
            ),
        ],
    )
    .await;
    let listed = open311(&app, &id).await;
    assert_eq!(
        (listed["lat"].as_f64(), listed["long"].as_f64()),
        (Some(-8.65), Some(115.2167))
    );
    // An anonymous request with only a point: the point is not copied into
    // the address or the title, which the public and overseers read.
    let (id, code) = post_open311(
        &app,
        &key,
        &[
            ("lat", "-8.681234567890123"),
            ("long", "115.2399e0"),
            ("attribute[privacy]", "anonymous"),
            ("description", "Lubang besar di depan rumah saya sendiri."),
        ],
    )
    .await;
    let listed = open311(&app, &id).await;
    assert_eq!(
        (&listed["lat"], &listed["long"], &listed["address"]),
        (&Value::Null, &Value::Null, &Value::Null),
        "{listed}"
    );
    let all = app
        .client
        .get(app.url("/open311/v2/requests.xml?jurisdiction_id=badung"))
        .send()
        .await
        .expect("an answer")
        .text()
        .await
        .unwrap_or_default();
    assert!(!all.contains("8.681") && !all.contains("115.239"), "{all}");
    let (_, page) = province.get("/console/inbox").await;
    assert!(
        !page.contains("8.681") && !page.contains("115.239"),
        "{page}"
    );
    // The handling officer has the point, to six decimals.
    let (_, page) = coordinator
        .get(&format!("/console/complaints/{code}"))
        .await;
    assert!(page.contains("-8.681235, 115.239900"), "{page}");
}

#[tokio::test]
async fn sqlite_a_point_reaches_only_whom_the_policy_allows() {
    a_point_reaches_only_whom_the_policy_allows(Engine::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_point_reaches_only_whom_the_policy_allows() {
    a_point_reaches_only_whom_the_policy_allows(Engine::Postgres).await;
}
