//! The origin rule: once a region has a site, complaints, replies and
//! uploads a browser sends for it from an origin none of its sites lists
//! (nor the service's own pages) are refused, and the origin is recorded
//! for the region's webmasters. Requests without an `Origin` header (server
//! to server, partners with keys) and regions without sites are open.

use aduan_app::api::Locale;
use aduan_app::i18n::Reason;
use axum::http::{HeaderMap, StatusCode, header};

use super::SiteNote;
use super::origin::{admits, parse_origin};
use crate::error::ApiError;
use crate::state::{AppState, now_ms};

/// What the rule says of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// No origin to judge, the service's own page, or a region without sites.
    Open,
    /// An origin one of the region's sites lists.
    Registered,
    /// Refused; the origin to record, when it is one.
    Refused(Option<String>),
}

/// The rule, given the `Origin` sent, whether it is the service's own, and
/// the region's origin rules.
pub fn decide(sent: Option<&str>, own: bool, rules: &[String]) -> Decision {
    let Some(sent) = sent else {
        return Decision::Open;
    };
    if own || rules.is_empty() {
        return Decision::Open;
    }
    match parse_origin(sent) {
        Some(origin) if rules.iter().any(|r| admits(r, &origin)) => Decision::Registered,
        Some(origin) => Decision::Refused(Some(origin)),
        None => Decision::Refused(None),
    }
}

/// The `Origin` header, when a browser sent one.
pub fn sent_origin(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("null"))
}

/// True when the request comes from the service's own pages: its origin
/// is the host it was sent to, or the configured public address.
pub fn own_origin(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(sent) = sent_origin(headers) else {
        return false;
    };
    if !crate::auth::foreign_origin(headers) {
        return true;
    }
    let public = parse_origin(state.config.public_url.trim_end_matches('/'));
    public.is_some() && parse_origin(sent) == public
}

/// Applies the rule to a request for `region`.
pub async fn admit(
    state: &AppState,
    region: &str,
    headers: &HeaderMap,
    locale: Locale,
) -> Result<(), ApiError> {
    let sent = sent_origin(headers);
    if sent.is_none() || own_origin(state, headers) {
        return Ok(());
    }
    let rules = state
        .store
        .region_origins(region)
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))?;
    match decide(sent, false, &rules) {
        Decision::Open | Decision::Registered => Ok(()),
        Decision::Refused(origin) => {
            if let Some(origin) = origin {
                let note = SiteNote::Refused {
                    region: region.to_owned(),
                    origin,
                };
                if let Err(e) = state.store.site_note(note, now_ms()).await {
                    tracing::warn!(error = %e, "could not record a refused origin");
                }
            }
            Err(refusal(state, region, locale))
        }
    }
}

/// 403 `origin_not_registered`, naming the region.
pub fn refusal(state: &AppState, region: &str, locale: Locale) -> ApiError {
    let name = state
        .catalog()
        .region(region)
        .map_or_else(|| region.to_owned(), |r| r.name.clone());
    let text = match locale {
        Locale::En => format!("This site is not registered to take complaints for {name}."),
        Locale::Id => format!("Situs ini tidak terdaftar untuk menerima pengaduan bagi {name}."),
    };
    ApiError::new(
        StatusCode::FORBIDDEN,
        "origin_not_registered",
        Reason::OriginNotRegistered,
    )
    .speaking(locale)
    .saying(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_opens_for_no_origin_own_pages_and_regions_without_sites() {
        let rules = vec![
            "https://badungkab.go.id".to_owned(),
            "https://*.badungkab.go.id".to_owned(),
        ];
        assert_eq!(decide(None, false, &rules), Decision::Open);
        assert_eq!(
            decide(Some("https://evil.id"), true, &rules),
            Decision::Open
        );
        assert_eq!(decide(Some("https://evil.id"), false, &[]), Decision::Open);
        assert_eq!(
            decide(Some("https://badungkab.go.id"), false, &rules),
            Decision::Registered
        );
        assert_eq!(
            decide(Some("https://WWW.badungkab.go.id"), false, &rules),
            Decision::Registered
        );
        assert_eq!(
            decide(Some("https://evil.id"), false, &rules),
            Decision::Refused(Some("https://evil.id".into()))
        );
        assert_eq!(
            decide(Some("http://badungkab.go.id"), false, &rules),
            Decision::Refused(Some("http://badungkab.go.id".into()))
        );
        assert_eq!(decide(Some("null"), false, &rules), Decision::Refused(None));
    }
}
