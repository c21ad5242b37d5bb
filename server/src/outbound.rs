//! What leaves the system about a complaint, and how it is signed.
//!
//! Every public event of a complaint (filed, a change of state, a public
//! reply) becomes one JSON message per receiver, written to the outbox in
//! the same transaction as the event. What a message carries is asked of
//! [`crate::disclosure`] for [`Audience::Webhook`]: the complaint's public
//! id (never its tracking code), no identity, no internal note, and what
//! the reporter wrote only when they did not ask to stay anonymous.
//!
//! Webhooks follow the Standard Webhooks format: the headers
//! `webhook-id`, `webhook-timestamp` and `webhook-signature`, the signature
//! being `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the
//! subscriber's secret (`whsec_` and base64).

use aduan_app::api::Privacy;
use aduan_app::date::rfc3339;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::disclosure::{self, Audience, Field};

/// The facts of one event, as the store has them.
#[derive(Debug, Clone, Copy)]
pub struct EventFacts<'a> {
    pub kind: &'a str,
    /// The reporter's credential: for the reporter's and officers' e-mail only.
    pub tracking_code: &'a str,
    pub public_id: &'a str,
    pub privacy: Privacy,
    /// True when `public_message` is what the reporter wrote.
    pub by_reporter: bool,
    pub region: &'a str,
    pub unit: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: &'a str,
    pub public_message: Option<&'a str>,
    pub at_ms: i64,
}

/// The message type an event is sent as; `None` for what stays inside.
pub fn event_type(
    kind: &str,
    from: Option<&str>,
    to: &str,
    public_message: Option<&str>,
) -> Option<&'static str> {
    if crate::disclosure::is_internal_event(kind) {
        return None;
    }
    if kind == "submitted" {
        return Some("complaint.created");
    }
    if from.is_some_and(|f| f != to) {
        return Some("complaint.status_changed");
    }
    public_message.map(|_| "complaint.reply_added")
}

/// The message type and JSON body for an event, or `None` when it stays inside.
pub fn message(facts: &EventFacts<'_>) -> Option<(&'static str, String)> {
    let written = if facts.by_reporter {
        Field::ReporterMessage
    } else {
        Field::OfficerReply
    };
    let public_message = disclosure::keep(
        Audience::Webhook,
        facts.privacy,
        written,
        facts.public_message,
    );
    let kind = event_type(
        facts.kind,
        facts.from_status,
        facts.to_status,
        public_message,
    )?;
    let body = json!({
        "type": kind,
        "timestamp": rfc3339(facts.at_ms),
        "data": {
            "id": facts.public_id,
            "region": facts.region,
            "unit": facts.unit,
            "event": facts.kind,
            "status": facts.to_status,
            "previous_status": facts.from_status,
            "message": public_message,
        }
    });
    Some((kind, body.to_string()))
}

/// The message that tells a region's app of files attached to a complaint
/// (only those the policy lets it see; the caller filtered them). Links are
/// added when it is delivered ([`with_links`]).
pub fn files_message(
    public_id: &str,
    region: &str,
    unit: &str,
    files: &[&crate::attachments::AttachmentRow],
    at_ms: i64,
) -> String {
    json!({
        "type": FILES_ADDED,
        "timestamp": rfc3339(at_ms),
        "data": {
            "id": public_id,
            "region": region,
            "unit": unit,
            "files": files.iter().map(|f| json!({
                "id": f.id,
                "name": f.name_for(Audience::Webhook),
                "kind": f.kind,
                "size": f.size,
                "part": f.part,
            })).collect::<Vec<_>>(),
        }
    })
    .to_string()
}

/// The type of the message that lists attached files.
pub const FILES_ADDED: &str = "complaint.files_added";

/// The payload with a download link (`url`) added to every file it lists;
/// any other payload as it is.
pub fn with_links(payload: &str, link: impl Fn(&str) -> String) -> String {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(payload) else {
        return payload.to_owned();
    };
    let Some(files) = value
        .get_mut("data")
        .and_then(|d| d.get_mut("files"))
        .and_then(serde_json::Value::as_array_mut)
    else {
        return payload.to_owned();
    };
    for file in files {
        let url = file.get("id").and_then(|i| i.as_str()).map(&link);
        if let (Some(url), Some(file)) = (url, file.as_object_mut()) {
            file.insert("url".into(), url.into());
        }
    }
    value.to_string()
}

/// A new subscriber secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    format!("whsec_{}", B64.encode(rand::random::<[u8; 32]>()))
}

/// The signature of one delivery under one secret: `v1,<base64>`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = B64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    Some(format!("v1,{}", B64.encode(mac.finalize().into_bytes())))
}

/// True when `header` (space-separated `v1,…` signatures) holds a valid
/// signature of the delivery under `secret`. The comparison takes the same
/// time wherever the signatures differ.
pub fn verify(secret: &str, id: &str, timestamp: i64, body: &str, header: &str) -> bool {
    let Some(expected) = sign(secret, id, timestamp, body) else {
        return false;
    };
    header
        .split_whitespace()
        .any(|candidate| crate::auth::same_secret(candidate, &expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        let signature = sign(secret, id, 1614265330, body);
        assert_eq!(
            signature.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert!(verify(
            secret,
            id,
            1614265330,
            body,
            "v1,bogus v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        ));
        assert!(!verify(
            secret,
            id,
            1614265331,
            body,
            signature.as_deref().unwrap_or_default()
        ));
        assert!(!verify(
            secret,
            id,
            1614265330,
            "{}",
            signature.as_deref().unwrap_or_default()
        ));
    }

    #[test]
    fn files_get_links_when_they_are_sent() {
        let row = crate::attachments::AttachmentRow {
            id: "0123456789abcdef".into(),
            complaint_id: 7,
            upload_id: "0".repeat(32),
            part: "officer_reply".into(),
            hidden: false,
            blob: "b".repeat(64),
            thumb: None,
            kind: "jpeg".into(),
            filename: "sesudah.jpg".into(),
            size: 1234,
            width: Some(10),
            height: Some(10),
            created_at: 0,
        };
        let body = files_message("5c1d0e9a7b3f2468", "badung", "pupr", &[&row], 0);
        assert!(!body.contains(&row.blob), "the storage name stays inside");
        let linked = with_links(&body, |id| format!("https://x/{id}"));
        let v: serde_json::Value = serde_json::from_str(&linked).unwrap_or_default();
        assert_eq!(v["type"], FILES_ADDED);
        assert_eq!(v["data"]["id"], "5c1d0e9a7b3f2468");
        assert_eq!(v["data"]["files"][0]["url"], "https://x/0123456789abcdef");
        assert_eq!(v["data"]["files"][0]["name"], "sesudah.jpg");
        // Other messages pass unchanged.
        assert_eq!(
            with_links(r#"{"type":"x","data":{}}"#, |_| "u".into()),
            r#"{"type":"x","data":{}}"#
        );
        assert_eq!(with_links("not json", |_| "u".into()), "not json");
    }

    #[test]
    fn notes_stay_inside_and_the_rest_is_typed() {
        assert_eq!(event_type("note", Some("verified"), "verified", None), None);
        assert_eq!(event_type("assigned", None, "verified", Some("x")), None);
        assert_eq!(
            event_type("contact_erased", Some("closed"), "closed", None),
            None
        );
        assert_eq!(
            event_type("submitted", None, "submitted", None),
            Some("complaint.created")
        );
        assert_eq!(
            event_type("dispatched", Some("submitted"), "verified", None),
            Some("complaint.status_changed")
        );
        assert_eq!(
            event_type("reply", None, "verified", Some("Terima kasih")),
            Some("complaint.reply_added")
        );
        assert_eq!(event_type("reply", None, "verified", None), None);
    }

    #[test]
    fn a_message_carries_no_identity_and_the_public_reply() {
        let facts = EventFacts {
            kind: "resolved",
            tracking_code: "BDG-7K3Q-XP9M-2HT4-WQ5B",
            public_id: "5c1d0e9a7b3f2468",
            privacy: Privacy::AnonymousConfidential,
            by_reporter: false,
            region: "badung",
            unit: "pupr",
            from_status: Some("in_progress"),
            to_status: "resolved",
            public_message: Some("Sudah ditambal."),
            at_ms: 0,
        };
        let (kind, body) = message(&facts).unwrap_or(("", String::new()));
        assert_eq!(kind, "complaint.status_changed");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        assert_eq!(v["data"]["message"], "Sudah ditambal.");
        assert_eq!(v["data"]["status"], "resolved");
        assert_eq!(v["data"]["id"], "5c1d0e9a7b3f2468");
        assert!(v["data"].get("reporter").is_none());
        assert!(!body.contains("BDG-7K3Q"), "{body}");
        assert!(new_secret().starts_with("whsec_"));
    }

    #[test]
    fn what_an_anonymous_reporter_writes_stays_inside() {
        let facts = |privacy| EventFacts {
            kind: "reply",
            tracking_code: "BDG-7K3Q-XP9M-2HT4-WQ5B",
            public_id: "5c1d0e9a7b3f2468",
            privacy,
            by_reporter: true,
            region: "badung",
            unit: "pupr",
            from_status: Some("needs_info"),
            to_status: "submitted",
            public_message: Some("Rumah saya no. 7"),
            at_ms: 0,
        };
        let (_, open) = message(&facts(Privacy::Public)).unwrap_or(("", String::new()));
        assert!(open.contains("Rumah saya no. 7"));
        let (kind, hidden) = message(&facts(Privacy::Anonymous)).unwrap_or(("", String::new()));
        assert_eq!(kind, "complaint.status_changed");
        assert!(!hidden.contains("Rumah saya"), "{hidden}");
        // Without a change of state, nothing is left to send.
        let mut same = facts(Privacy::AnonymousConfidential);
        same.from_status = None;
        assert_eq!(message(&same), None);
    }
}
