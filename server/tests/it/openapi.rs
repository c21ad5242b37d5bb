//! The OpenAPI document is exact where it matters to a client generated
//! from it: every value it calls valid is accepted by the service.

use regex::Regex;
use serde_json::{Value, json};

use crate::support::{Engine, complaint, spawn_app_with};

/// Whether `value` satisfies a string schema as the document writes it
/// (type, enum, minLength and maxLength in characters, pattern).
fn allows(schema: &Value, value: &Value) -> bool {
    let Some(text) = value.as_str() else {
        return value.is_null() && schema["nullable"] == true;
    };
    let chars = text.chars().count() as u64;
    if let Some(list) = schema["enum"].as_array()
        && !list.iter().any(|v| v == value)
    {
        return false;
    }
    if schema["minLength"].as_u64().is_some_and(|min| chars < min)
        || schema["maxLength"].as_u64().is_some_and(|max| chars > max)
    {
        return false;
    }
    schema["pattern"].as_str().is_none_or(|p| {
        Regex::new(p)
            .unwrap_or_else(|e| panic!("the document's pattern {p} does not compile: {e}"))
            .is_match(text)
    })
}

#[tokio::test]
async fn every_value_the_document_calls_valid_is_accepted() {
    let app = spawn_app_with(Engine::Sqlite, |_| {}).await;
    crate::console::wait_until_serving(&app).await;
    let (_, doc) = app.get("/api/v1/openapi.json").await;
    let input = &doc["components"]["schemas"]["ComplaintInput"]["properties"];
    let reporter = &input["reporter"]["properties"];
    let long = |n: usize| "a".repeat(n);
    // Each candidate with what the document says and what the service
    // answers: valid by the document must mean 201; the document may be
    // stricter than the service (a trailing space the service trims).
    let candidates: Vec<(&str, Option<&str>, Value, bool, u16)> = vec![
        ("title", None, json!("Jalan"), true, 201),
        ("title", None, json!("Jalan 🌊 rusak di Ṭabanan"), true, 201),
        ("title", None, json!(long(150)), true, 201),
        ("title", None, json!(long(151)), false, 422),
        ("title", None, json!("    "), false, 422),
        ("title", None, json!("Jalan \u{202e}rusak"), false, 422),
        ("title", None, json!("Jalan\u{fffe}rusak"), false, 422),
        ("title", None, json!("Dua\nbaris"), false, 422),
        (
            "description",
            None,
            json!("Baris pertama\nbaris kedua\ttab, sudah lama."),
            true,
            201,
        ),
        (
            "description",
            None,
            json!(format!("{} ", long(20))),
            false,
            201,
        ),
        ("description", None, json!(long(4000)), true, 201),
        (
            "description",
            None,
            json!("Lubang besar sekali \u{85} di sini."),
            false,
            422,
        ),
        ("location", None, json!("Jl. Raya Kuta No. 7"), true, 201),
        ("location", None, json!(long(300)), true, 201),
        ("location", None, json!(long(301)), false, 422),
        (
            "landmark",
            None,
            json!("Banjar Tegal, Desa Adat Kuta"),
            true,
            201,
        ),
        ("landmark", None, json!(long(150)), true, 201),
        ("landmark", None, json!(long(151)), false, 422),
        ("incident_date", None, json!("2026-11-20"), true, 201),
        ("privacy", None, json!("anonymous_confidential"), true, 201),
        ("privacy", None, json!("secret"), false, 422),
        ("locale", None, json!("ban"), true, 201),
        ("locale", None, json!("jv"), false, 422),
        (
            "email",
            Some("reporter"),
            json!("wayan.sudarma+aduan@example.id"),
            true,
            201,
        ),
        (
            "email",
            Some("reporter"),
            json!("W@Example.CO.ID"),
            true,
            201,
        ),
        ("email", Some("reporter"), json!("a@b"), false, 422),
        (
            "email",
            Some("reporter"),
            json!("a b@example.id"),
            false,
            422,
        ),
        (
            "phone",
            Some("reporter"),
            json!("+62 812-3456-7890"),
            true,
            201,
        ),
        (
            "phone",
            Some("reporter"),
            json!("(0361) 223.344"),
            true,
            201,
        ),
        ("phone", Some("reporter"), json!("0812 345"), false, 422),
        (
            "phone",
            Some("reporter"),
            json!("0812345678901234"),
            false,
            422,
        ),
        (
            "name",
            Some("reporter"),
            json!("Ni Luh Putu Ayu"),
            true,
            201,
        ),
        ("name", Some("reporter"), json!(long(101)), false, 422),
    ];
    let mut accepted_by_document = 0;
    for (field, parent, value, valid, answered) in candidates {
        let schema = if parent.is_some() {
            &reporter[field]
        } else {
            &input[field]
        };
        assert!(schema.is_object(), "{field} is not described");
        assert_eq!(
            allows(schema, &value),
            valid,
            "the document on {field} = {value}"
        );
        let mut body = complaint();
        match parent {
            Some(p) => body[p][field] = value.clone(),
            None => body[field] = value.clone(),
        }
        let (status, answer) = app.submit(&body).await;
        assert_eq!(status, answered, "{field} = {value}: {answer}");
        if valid {
            accepted_by_document += 1;
        }
    }
    assert!(
        accepted_by_document >= 14,
        "too few valid candidates: {accepted_by_document}"
    );

    // Tracking codes in every form the document allows are read.
    let code_schema = &doc["paths"]["/api/v1/complaints/{code}"]["get"]["parameters"][0]["schema"];
    let (_, receipt) = app.submit(&complaint()).await;
    let code = receipt["tracking_code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for form in [
        code.clone(),
        code.to_lowercase(),
        code.replace('-', ""),
        code.replace('-', " "),
        code.replace('0', "O").replace('1', "l"),
    ] {
        assert!(allows(code_schema, &json!(form)), "{form}");
        assert_eq!(
            app.get(&format!("/api/v1/complaints/{}", form.replace(' ', "%20")))
                .await
                .0,
            200,
            "{form}"
        );
    }
    assert!(!allows(code_schema, &json!("BDG-UUUU-UUUU-UUUU-UUUU")));
}

#[test]
fn every_operation_lists_the_refusals_every_route_can_give() {
    let doc: Value =
        serde_json::from_str(include_str!("../../src/routes/openapi.json")).unwrap_or_default();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let responses = &op["responses"];
            if path.starts_with("/api/v1/complaints") {
                for status in ["400", "404", "429", "503"] {
                    if path == "/api/v1/complaints" && status == "404" {
                        continue;
                    }
                    assert!(
                        responses[status].is_object(),
                        "{method} {path} does not list {status}"
                    );
                }
            }
        }
    }
}
