//! Open311 GeoReport v2 at `/open311/v2/`, in JSON and XML.
//!
//! - `discovery.{json,xml}`
//! - `services.{json,xml}?jurisdiction_id=SLUG`: the categories
//! - `services/{code}.{json,xml}`: a category's definition (its attribute:
//!   the privacy mode)
//! - `POST requests.{json,xml}` with a partner's `api_key`: files a complaint,
//!   routed like any other; the `service_request_id` is its public id, and
//!   only this answer to the partner that filed it also carries the
//!   tracking code, for the citizen
//! - `GET requests.{json,xml}` with `service_request_id`, `service_code`,
//!   `start_date`, `end_date`, `status`; `GET requests/{id}.{json,xml}`
//!
//! Statuses map to `open` and `closed`; `status_notes` is an officer's last
//! public reply (never what the reporter wrote). What a request shows is
//! asked of [`crate::disclosure`] for the public: confidential complaints
//! are never listed, no tracking code and no reporter's identity are ever
//! shown. Errors use the specification's format, a list
//! of `{code, description}`.

use std::collections::HashMap;

use aduan_app::api::{ComplaintInput, Locale, Position, Privacy, ReporterInput, Status};
use aduan_app::date::{Date, rfc3339};
use axum::extract::{FromRequest, Path, Query, RawForm, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::disclosure::{self, Audience, Field};
use crate::domain::catalog::Catalog;
use crate::error::ApiError;
use crate::intake;
use crate::state::{AppState, now_ms};
use crate::store::outbox::{PublicRequest, RequestFilter};

/// JSON or XML, from the file name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// A public id as issued: 16 lower-case hexadecimal digits.
fn public_id_shape(id: &str) -> bool {
    id.len() == 16
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Splits `name.json` / `name.xml`.
fn split(file: &str) -> Option<(&str, Format)> {
    if let Some(name) = file.strip_suffix(".json") {
        Some((name, Format::Json))
    } else {
        file.strip_suffix(".xml").map(|name| (name, Format::Xml))
    }
}

/// Writes a JSON value as the specification's XML: a list becomes
/// `<list_name><item_name>…</item_name></list_name>`.
fn xml_value(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                xml_value(out, k, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Array(items) => {
            // Nested lists (attribute values, endpoints) repeat their item name.
            let item = match name {
                "values" => "value",
                "attributes" => "attribute",
                "endpoints" => "endpoint",
                "formats" => "format",
                "keywords" => "keyword",
                _ => "item",
            };
            out.push_str(&format!("<{name}>"));
            for v in items {
                xml_value(out, item, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", crate::xml::escape(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

fn respond(status: StatusCode, format: Format, list: &str, item: &str, value: Value) -> Response {
    match format {
        Format::Json => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            value.to_string(),
        )
            .into_response(),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            match &value {
                Value::Array(items) => {
                    out.push_str(&format!("<{list}>"));
                    for v in items {
                        xml_value(&mut out, item, v);
                    }
                    out.push_str(&format!("</{list}>"));
                }
                other => xml_value(&mut out, list, other),
            }
            (
                status,
                [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
                out,
            )
                .into_response()
        }
    }
}

/// The specification's error format: `[{"code": 400, "description": "…"}]`.
fn error(format: Format, status: StatusCode, description: impl Into<String>) -> Response {
    let body = json!([{ "code": status.as_u16(), "description": description.into() }]);
    respond(status, format, "errors", "error", body)
}

fn errors_from(format: Format, e: &ApiError) -> Response {
    if e.fields.is_empty() {
        return error(format, e.status, e.text());
    }
    let list: Vec<Value> = e
        .fields
        .iter()
        .map(|(field, message)| json!({"code": e.status.as_u16(), "description": format!("{}: {message}", open311_field(field))}))
        .collect();
    respond(e.status, format, "errors", "error", Value::Array(list))
}

/// The Open311 name of one of our fields, for error messages.
fn open311_field(field: &str) -> &str {
    match field {
        "category" => "service_code",
        "region" => "jurisdiction_id",
        "location" => "address_string",
        "position" => "lat",
        "reporter.email" => "email",
        "reporter.phone" => "phone",
        "reporter.name" => "first_name",
        other => other,
    }
}

fn base_url(state: &AppState) -> String {
    format!(
        "{}/open311/v2",
        state.config.public_url.trim_end_matches('/')
    )
}

fn service(catalog: &Catalog, key: &str) -> Option<Value> {
    let c = catalog.category(key)?;
    Some(json!({
        "service_code": c.key,
        "service_name": c.name_en,
        "description": format!("{} / {}", c.name_id, c.name_en),
        "metadata": true,
        "type": "realtime",
        "keywords": [c.name_id],
        "group": if c.supervisory { "supervision" } else { "services" },
    }))
}

fn open_or_closed(status: &str) -> &'static str {
    if Status::from_key(status).is_some_and(Status::is_final) {
        "closed"
    } else {
        "open"
    }
}

fn request_json(catalog: &Catalog, base: &str, r: &PublicRequest) -> Option<Value> {
    let privacy = Privacy::of(r.anonymous, r.confidential);
    let public = |field| disclosure::may(Audience::Public, privacy, field);
    // A listing names a complaint only when the public may know of it.
    if !public(Field::PublicId) || !public(Field::Routing) {
        return None;
    }
    let content = public(Field::Content);
    let service_name = catalog
        .category(&r.category_key)
        .map_or(r.category_key.clone(), |c| c.name_en.clone());
    let agency = catalog
        .unit(&r.region_slug, &r.unit_key)
        .map_or(r.unit_key.clone(), |u| u.name.clone());
    let region = catalog
        .region(&r.region_slug)
        .map_or(r.region_slug.clone(), |x| x.name.clone());
    Some(json!({
        "service_request_id": r.public_id,
        "status": open_or_closed(&r.status),
        "status_notes": r.status_notes.as_ref().filter(|_| public(Field::OfficerReply)),
        "service_name": service_name,
        "service_code": r.category_key,
        "description": content.then_some(&r.description),
        "agency_responsible": format!("{agency}, {region}"),
        "service_notice": Value::Null,
        "requested_datetime": rfc3339(r.created_at),
        "updated_datetime": rfc3339(r.updated_at),
        "expected_datetime": if open_or_closed(&r.status) == "open" { r.due_date.as_ref().map(|d| format!("{d}T23:59:59+08:00")) } else { None },
        "address": r.location.as_ref().filter(|_| content),
        "address_id": Value::Null,
        "zipcode": Value::Null,
        "lat": r.latitude.filter(|_| public(Field::Position)),
        "long": r.longitude.filter(|_| public(Field::Position)),
        "media_url": media_url(base, r),
    }))
}

/// The address of the first photo the public may see, if any.
fn media_url(base: &str, r: &PublicRequest) -> Option<String> {
    let privacy = Privacy::of(r.anonymous, r.confidential);
    r.files
        .iter()
        .find(|f| f.kind().is_photo() && f.visible_to(Audience::Public, privacy))
        .map(|f| format!("{}/api/v1/media/{}", base.trim_end_matches('/'), f.id))
}

/// `GET /open311/v2/{file}`: discovery, services, requests.
pub async fn get_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some((name, format)) = split(&file) else {
        return error(
            Format::Json,
            StatusCode::NOT_FOUND,
            "use a .json or .xml name",
        );
    };
    let catalog = state.catalog();
    match name {
        "discovery" => respond(
            StatusCode::OK,
            format,
            "discovery",
            "discovery",
            json!({
                "changeset": "2026-11-28T00:00:00Z",
                "contact": "The Aduan administrators of each region",
                "key_service": "API keys are issued by a system administrator (aduan partner add)",
                "endpoints": [{
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base_url(&state),
                    "changeset": "2026-11-28T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }],
            }),
        ),
        "services" => {
            if let Some(j) = query.get("jurisdiction_id")
                && catalog.region(j).is_none()
            {
                return error(
                    format,
                    StatusCode::NOT_FOUND,
                    format!("jurisdiction_id `{j}` is not known"),
                );
            }
            let list: Vec<Value> = catalog
                .categories
                .iter()
                .filter_map(|c| service(&catalog, &c.key))
                .collect();
            respond(
                StatusCode::OK,
                format,
                "services",
                "service",
                Value::Array(list),
            )
        }
        "requests" => list_requests(&state, &catalog, format, &query).await,
        _ => error(format, StatusCode::NOT_FOUND, "no such resource"),
    }
}

async fn list_requests(
    state: &AppState,
    catalog: &Catalog,
    format: Format,
    query: &HashMap<String, String>,
) -> Response {
    let mut filter = RequestFilter {
        limit: 1000,
        ..RequestFilter::default()
    };
    if let Some(j) = query.get("jurisdiction_id") {
        if catalog.region(j).is_none() {
            return error(
                format,
                StatusCode::NOT_FOUND,
                format!("jurisdiction_id `{j}` is not known"),
            );
        }
        filter.region = Some(j.clone());
    }
    if let Some(ids) = query.get("service_request_id") {
        filter.ids = ids
            .split(',')
            .map(str::trim)
            .filter(|id| public_id_shape(id))
            .map(str::to_owned)
            .collect();
        if filter.ids.is_empty() {
            return respond(
                StatusCode::OK,
                format,
                "service_requests",
                "request",
                json!([]),
            );
        }
    }
    if let Some(code) = query.get("service_code") {
        filter.category = Some(code.clone());
    }
    match query.get("status").map(String::as_str) {
        None | Some("") => {}
        Some("open") => filter.open = Some(true),
        Some("closed") => filter.open = Some(false),
        Some(other) => {
            return error(
                format,
                StatusCode::BAD_REQUEST,
                format!("status `{other}` is neither open nor closed"),
            );
        }
    }
    for (name, slot) in [
        ("start_date", &mut filter.from_ms),
        ("end_date", &mut filter.to_ms),
    ] {
        if let Some(text) = query.get(name) {
            match parse_datetime(text) {
                Some(ms) => *slot = Some(ms),
                None => {
                    return error(
                        format,
                        StatusCode::BAD_REQUEST,
                        format!("{name} is not a w3 datetime"),
                    );
                }
            }
        }
    }
    // Without dates or ids, the last 90 days, as the specification suggests.
    if filter.ids.is_empty() && filter.from_ms.is_none() && filter.to_ms.is_none() {
        filter.from_ms = Some(now_ms() - 90 * 86_400_000);
    }
    match state.store.public_requests(&filter).await {
        Ok(rows) => {
            let list: Vec<Value> = rows
                .iter()
                .filter_map(|r| request_json(catalog, &state.config.public_url, r))
                .collect();
            respond(
                StatusCode::OK,
                format,
                "service_requests",
                "request",
                Value::Array(list),
            )
        }
        Err(e) => errors_from(format, &ApiError::from(e)),
    }
}

/// `2026-11-28T08:00:00Z`, `2026-11-28T16:00:00+08:00` or `2026-11-28`: milliseconds.
fn parse_datetime(text: &str) -> Option<i64> {
    let date = Date::parse(text.get(..10)?)?;
    let day_ms = date.to_days() * 86_400_000;
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(day_ms);
    }
    let rest = rest.strip_prefix('T')?;
    let (h, m, s) = (
        rest.get(0..2)?.parse::<i64>().ok()?,
        rest.get(3..5)?.parse::<i64>().ok()?,
        rest.get(6..8)?.parse::<i64>().ok()?,
    );
    let mut ms = day_ms + ((h * 60 + m) * 60 + s) * 1000;
    let zone = rest
        .get(8..)?
        .trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    if zone != "Z" && !zone.is_empty() {
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let zh = zone.get(1..3)?.parse::<i64>().ok()?;
        let zm = zone
            .get(4..6)
            .or_else(|| zone.get(3..5))
            .unwrap_or("0")
            .parse::<i64>()
            .ok()?;
        ms -= sign * (zh * 60 + zm) * 60_000;
    }
    Some(ms)
}

/// `GET /open311/v2/services/{code}.{format}` and `requests/{id}.{format}`.
pub async fn get_one(
    State(state): State<AppState>,
    Path((kind, file)): Path<(String, String)>,
) -> Response {
    let Some((id, format)) = split(&file) else {
        return error(
            Format::Json,
            StatusCode::NOT_FOUND,
            "use a .json or .xml name",
        );
    };
    let catalog = state.catalog();
    match kind.as_str() {
        "services" => match catalog.category(id) {
            Some(c) => respond(
                StatusCode::OK,
                format,
                "service_definition",
                "service_definition",
                json!({
                    "service_code": c.key,
                    "attributes": [{
                        "variable": true,
                        "code": "privacy",
                        "datatype": "singlevaluelist",
                        "required": false,
                        "datatype_description": "public (default), anonymous (no officer and no other system learns who filed it), confidential (the content is never shown publicly) or anonymous_confidential (both)",
                        "order": 1,
                        "description": "Privacy of the request",
                        "values": [
                            {"key": "public", "name": "Public"},
                            {"key": "anonymous", "name": "Anonymous"},
                            {"key": "confidential", "name": "Confidential"},
                            {"key": "anonymous_confidential", "name": "Anonymous and confidential"},
                        ],
                    }],
                }),
            ),
            None => error(
                format,
                StatusCode::NOT_FOUND,
                format!("service_code `{id}` is not known"),
            ),
        },
        "requests" => {
            if !public_id_shape(id) {
                return error(format, StatusCode::NOT_FOUND, "no request has this id");
            }
            let filter = RequestFilter {
                ids: vec![id.to_owned()],
                limit: 1,
                ..RequestFilter::default()
            };
            match state.store.public_requests(&filter).await {
                Ok(rows) if !rows.is_empty() => {
                    let list: Vec<Value> = rows
                        .iter()
                        .filter_map(|r| request_json(&catalog, &state.config.public_url, r))
                        .collect();
                    respond(
                        StatusCode::OK,
                        format,
                        "service_requests",
                        "request",
                        Value::Array(list),
                    )
                }
                Ok(_) => error(format, StatusCode::NOT_FOUND, "no request has this id"),
                Err(e) => errors_from(format, &ApiError::from(e)),
            }
        }
        _ => error(format, StatusCode::NOT_FOUND, "no such resource"),
    }
}

/// The SHA-256 of a partner key, as stored.
pub fn key_hash(key: &str) -> String {
    format!("{:x}", Sha256::digest(key.as_bytes()))
}

/// `POST /open311/v2/requests.{format}`: files a complaint for a partner.
pub async fn post_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    request: axum::extract::Request,
) -> Response {
    let Some(("requests", format)) = split(&file) else {
        return error(
            Format::Json,
            StatusCode::NOT_FOUND,
            "POST requests.json or requests.xml",
        );
    };
    // Urlencoded, or multipart with the photos as files (`media`).
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (fields, files, body) = if multipart {
        let Ok(parts) = axum::extract::Multipart::from_request(request, &state).await else {
            return error(
                format,
                StatusCode::BAD_REQUEST,
                "the multipart body cannot be read",
            );
        };
        let files = match crate::attachments::intake::read_form(&state, parts, Locale::En).await {
            Ok(files) => files,
            Err(e) => return errors_from(format, &e),
        };
        if let Some(refused) = &files.refused {
            files.discard(&state).await;
            return errors_from(format, refused);
        }
        let fields: HashMap<String, String> = files.texts.iter().cloned().collect();
        // What identifies a retry: the fields in order and each file's bytes.
        let mut body = serde_json::to_vec(&files.texts).unwrap_or_default();
        body.extend(files.digests.join(",").into_bytes());
        (fields, files, body)
    } else {
        let Ok(RawForm(body)) = RawForm::from_request(request, &state).await else {
            return error(format, StatusCode::BAD_REQUEST, "the body cannot be read");
        };
        (
            form_urlencoded(&body),
            crate::attachments::intake::FormFiles::default(),
            body.to_vec(),
        )
    };
    let response = file_request(&state, format, &fields, &files, &body).await;
    if !response.status().is_success() {
        files.discard(&state).await;
    }
    response
}

async fn file_request(
    state: &AppState,
    format: Format,
    fields: &HashMap<String, String>,
    files: &crate::attachments::intake::FormFiles,
    body: &[u8],
) -> Response {
    let key = fields
        .get("api_key")
        .map(String::as_str)
        .unwrap_or_default();
    let partner = if key.is_empty() {
        None
    } else {
        match state.store.partner_by_key(&key_hash(key)).await {
            Ok(p) => p,
            Err(e) => return errors_from(format, &ApiError::from(e)),
        }
    };
    let Some(partner) = partner else {
        return error(
            format,
            StatusCode::FORBIDDEN,
            "api_key is missing or not valid",
        );
    };
    let get = |name: &str| {
        fields
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let Some(region) = get("jurisdiction_id") else {
        return error(
            format,
            StatusCode::BAD_REQUEST,
            "jurisdiction_id is required",
        );
    };
    let Some(category) = get("service_code") else {
        return error(format, StatusCode::BAD_REQUEST, "service_code is required");
    };
    // A point is kept as a point (six decimals, as the API keeps it), and
    // only there: the policy shows it less widely than the address or the
    // title, so it is never copied into them.
    let degrees = |text: Option<String>, limit: f64| {
        text.map(|t| {
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && (-limit..=limit).contains(v))
        })
    };
    let position = match (degrees(get("lat"), 90.0), degrees(get("long"), 180.0)) {
        (Some(Some(latitude)), Some(Some(longitude))) => Some(Position {
            latitude: format!("{latitude:.6}"),
            longitude: format!("{longitude:.6}"),
        }),
        (None, None) => None,
        _ => {
            return error(
                format,
                StatusCode::BAD_REQUEST,
                "lat and long must be decimal degrees, both given",
            );
        }
    };
    let location = match (get("address_string"), get("address_id")) {
        (Some(address), _) => Some(address),
        (None, Some(id)) => Some(format!("address id {id}")),
        (None, None) if position.is_some() => None,
        (None, None) => {
            return error(
                format,
                StatusCode::BAD_REQUEST,
                "a location is required: lat and long, address_string or address_id",
            );
        }
    };
    let description = get("description").unwrap_or_default();
    let name = [get("first_name"), get("last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let title: String = {
        let service = state
            .catalog()
            .category(&category)
            .map(|c| c.name_id.clone())
            .unwrap_or_default();
        let mut t = match &location {
            Some(location) => format!("{service}: {location}"),
            None => format!("{service} (Open311)"),
        };
        if t.chars().count() > 150 {
            t = t.chars().take(150).collect();
        }
        t
    };
    let input = ComplaintInput {
        region,
        classification: "complaint".into(),
        title,
        description,
        category,
        district: None,
        location,
        landmark: None,
        position,
        incident_date: None,
        privacy: get("attribute[privacy]").unwrap_or_else(|| "public".into()),
        reporter: ReporterInput {
            name: (!name.is_empty()).then_some(name),
            email: get("email"),
            phone: get("phone"),
        },
        locale: Some("en".into()),
        attachments: files.uploads.clone(),
    };
    // A retry of the same body from the same partner files once (and a
    // retry with files attaches the first try's files, not its own).
    let idempotency = format!("open311-{}-{}", partner.id, key_hash(&body_text(body)));
    let earlier = if files.uploads.is_empty() {
        None
    } else {
        match state.store.idempotent_receipt(&idempotency).await {
            Ok(earlier) => earlier,
            Err(e) => return errors_from(format, &ApiError::from(e)),
        }
    };
    let filed = match earlier {
        Some((_, receipt)) => {
            files.discard(state).await;
            Ok(receipt)
        }
        None => intake::file(state, &input, &idempotency, "open311", None, Locale::En).await,
    };
    match filed {
        Ok(receipt) => {
            let receipt: Value = serde_json::from_str(&receipt).unwrap_or_default();
            let code = receipt["tracking_code"].as_str().unwrap_or_default();
            let everywhere = crate::store::Scope {
                region: None,
                unit: None,
                confidential: true,
            };
            let public_id = match state.store.officer_complaint(code, &everywhere).await {
                Ok(Some((c, _))) => c.public_id,
                Ok(None) => {
                    return errors_from(format, &ApiError::internal("a filed request is missing"));
                }
                Err(e) => return errors_from(format, &ApiError::from(e)),
            };
            tracing::info!(
                partner = partner.id,
                public_id,
                "open311: a request was filed"
            );
            respond(
                StatusCode::CREATED,
                format,
                "service_requests",
                "request",
                // The partner files for the citizen, who needs the tracking
                // code to follow and answer it; no listing ever carries it.
                json!([{
                    "service_request_id": public_id,
                    "tracking_code": code,
                    "service_notice": format!("Routed to {} · due {}", receipt["unit"]["name"].as_str().unwrap_or_default(), receipt["due"]["date"].as_str().unwrap_or_default()),
                    "account_id": Value::Null,
                }]),
            )
        }
        Err(e) => errors_from(format, &e),
    }
}

fn body_text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

/// Decodes `application/x-www-form-urlencoded`; a repeated field keeps its last value.
fn form_urlencoded(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_decode() {
        let pairs = form_urlencoded(
            b"api_key=abc&description=Jalan+rusak%2C+besar&attribute%5Bprivacy%5D=anonymous&x",
        );
        assert_eq!(
            pairs.get("description").map(String::as_str),
            Some("Jalan rusak, besar")
        );
        assert_eq!(
            pairs.get("attribute[privacy]").map(String::as_str),
            Some("anonymous")
        );
        assert_eq!(pairs.get("x").map(String::as_str), Some(""));
    }

    #[test]
    fn datetimes_read_as_the_w3_profile() {
        assert_eq!(parse_datetime("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_datetime("1970-01-01T01:00:00Z"), Some(3_600_000));
        assert_eq!(parse_datetime("1970-01-01T08:00:00+08:00"), Some(0));
        assert_eq!(parse_datetime("yesterday"), None);
    }

    #[test]
    fn xml_follows_the_list_and_item_names() {
        let r = respond(
            StatusCode::OK,
            Format::Xml,
            "services",
            "service",
            json!([{"service_code": "jalan", "keywords": ["a<b"]}]),
        );
        assert_eq!(r.status(), StatusCode::OK);
        let mut out = String::new();
        xml_value(
            &mut out,
            "service",
            &json!({"service_code": "jalan", "keywords": ["a<b"], "lat": null}),
        );
        assert_eq!(
            out,
            "<service><service_code>jalan</service_code><keywords><keyword>a&lt;b</keyword></keywords><lat/></service>"
        );
    }
}
