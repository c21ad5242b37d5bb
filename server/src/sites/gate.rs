//! The origin rule: once a region has a site, complaints, replies and
//! uploads a browser sends for it from an origin none of its sites lists
//! (nor the service's own pages) are refused, and the origin is recorded
//! for the region's webmasters. Requests without an `Origin` header (server
//! to server, partners with keys) and regions without sites are open.
//!
//! A complaint counts for the region it is filed for and, when its district
//! routes it elsewhere, for that region too, unless a registered site of the
//! first sent it (no wrong door for a registered site; no way round a
//! region's rule through a region without sites). A reply counts for the
//! region the complaint was filed for or the one that holds it now.

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

/// The rule for filing: the filed region's decision, then, when the
/// complaint is routed to another region, that region's, unless a
/// registered site of the filed region sent it. The refusal names the
/// region whose rule refused.
pub fn decide_filing(
    sent: Option<&str>,
    own: bool,
    filed: &[String],
    routed: Option<&[String]>,
) -> (Decision, bool) {
    let first = decide(sent, own, filed);
    match (&first, routed) {
        (Decision::Open, Some(routed)) => {
            let second = decide(sent, own, routed);
            let by_routed = matches!(second, Decision::Refused(_));
            (second, by_routed)
        }
        _ => (first, false),
    }
}

/// The rule for a reply: open when either region's rule admits it.
pub fn decide_reply(sent: Option<&str>, own: bool, regions: &[&[String]]) -> Decision {
    let decisions: Vec<Decision> = regions.iter().map(|r| decide(sent, own, r)).collect();
    decisions
        .iter()
        .find(|d| !matches!(d, Decision::Refused(_)))
        .or(decisions.first())
        .cloned()
        .unwrap_or(Decision::Open)
}

/// The `Origin` header, when a browser sent one.
pub fn sent_origin(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("null"))
}

/// True when the request comes from the service's own pages: its origin
/// is the host it was sent to, or the configured public address, or it is
/// `null` from a page of the same origin (a form on a page whose referrer
/// policy is `no-referrer`, as the hosted pages are, is sent with
/// `Origin: null`; `Sec-Fetch-Site` is set by the browser alone).
pub fn own_origin(state: &AppState, headers: &HeaderMap) -> bool {
    from_own_page(headers, &state.config.public_url)
}

/// [`own_origin`], given the service's public address.
fn from_own_page(headers: &HeaderMap, public_url: &str) -> bool {
    let Some(sent) = sent_origin(headers) else {
        return false;
    };
    if sent == "null" {
        return headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"same-origin");
    }
    if !crate::auth::foreign_origin(headers) {
        return true;
    }
    let public = parse_origin(public_url.trim_end_matches('/'));
    public.is_some() && parse_origin(sent) == public
}

/// The origin the rule judges: a browser's, not the service's own page's.
fn judged<'h>(state: &AppState, headers: &'h HeaderMap) -> Option<&'h str> {
    sent_origin(headers).filter(|_| !own_origin(state, headers))
}

/// A region's origin rules.
async fn rules(state: &AppState, region: &str, locale: Locale) -> Result<Vec<String>, ApiError> {
    state
        .store
        .region_origins(region)
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))
}

/// Records a refused origin for `region` and answers the refusal.
async fn refuse(
    state: &AppState,
    region: &str,
    origin: Option<String>,
    locale: Locale,
) -> ApiError {
    if let Some(origin) = origin {
        let note = SiteNote::Refused {
            region: region.to_owned(),
            origin,
        };
        if let Err(e) = state.store.site_note(note, now_ms()).await {
            tracing::warn!(error = %e, "could not record a refused origin");
        }
    }
    refusal(state, region, locale)
}

/// Applies the rule to a request for `region` (an upload, a hosted page).
pub async fn admit(
    state: &AppState,
    region: &str,
    headers: &HeaderMap,
    locale: Locale,
) -> Result<(), ApiError> {
    let Some(sent) = judged(state, headers) else {
        return Ok(());
    };
    let sent = Some(sent);
    match decide(sent, false, &rules(state, region, locale).await?) {
        Decision::Open | Decision::Registered => Ok(()),
        Decision::Refused(origin) => Err(refuse(state, region, origin, locale).await),
    }
}

/// Applies the rule to a complaint filed for `filed` and routed to `routed`.
pub async fn admit_filing(
    state: &AppState,
    filed: &str,
    routed: &str,
    headers: &HeaderMap,
    locale: Locale,
) -> Result<(), ApiError> {
    let Some(sent) = judged(state, headers) else {
        return Ok(());
    };
    let sent = Some(sent);
    let filed_rules = rules(state, filed, locale).await?;
    let routed_rules = if routed == filed {
        None
    } else {
        Some(rules(state, routed, locale).await?)
    };
    match decide_filing(sent, false, &filed_rules, routed_rules.as_deref()) {
        (Decision::Open | Decision::Registered, _) => Ok(()),
        (Decision::Refused(origin), by_routed) => {
            let region = if by_routed { routed } else { filed };
            Err(refuse(state, region, origin, locale).await)
        }
    }
}

/// Applies the rule to a reply to the complaint `code`.
pub async fn admit_reply(
    state: &AppState,
    code: &str,
    headers: &HeaderMap,
    locale: Locale,
) -> Result<(), ApiError> {
    let Some(sent) = judged(state, headers) else {
        return Ok(());
    };
    let sent = Some(sent);
    let every = crate::store::Scope {
        region: None,
        unit: None,
        confidential: true,
    };
    let Some((record, _)) = state
        .store
        .officer_complaint(code, &every)
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))?
    else {
        // No such complaint: the reply itself answers that.
        return Ok(());
    };
    let filed = rules(state, &record.filed_region_slug, locale).await?;
    let current = rules(state, &record.region_slug, locale).await?;
    match decide_reply(sent, false, &[&filed, &current]) {
        Decision::Open | Decision::Registered => Ok(()),
        Decision::Refused(origin) => {
            Err(refuse(state, &record.filed_region_slug, origin, locale).await)
        }
    }
}

/// 403 `origin_not_registered`, naming the region.
pub fn refusal(state: &AppState, region: &str, locale: Locale) -> ApiError {
    let name = state
        .catalog()
        .region(region)
        .map_or_else(|| region.to_owned(), |r| r.name.clone());
    let text = aduan_app::words::Word::OriginNotRegisteredFor.fill(locale, &[("region", &name)]);
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

    fn headers(pairs: &[(&'static str, &[u8])]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                *k,
                axum::http::HeaderValue::from_bytes(v).unwrap_or_else(|e| panic!("{e}")),
            );
        }
        h
    }

    #[test]
    fn the_origin_sent_and_whether_it_is_the_services_own() {
        const PUBLIC: &str = "https://aduan.baliprov.go.id/";
        assert_eq!(sent_origin(&headers(&[])), None);
        assert_eq!(
            sent_origin(&headers(&[("origin", b"https://a.id")])),
            Some("https://a.id")
        );
        // Not text: judged as an opaque origin.
        assert_eq!(
            sent_origin(&headers(&[("origin", b"https://\xff.id")])),
            Some("null")
        );

        let own = |pairs: &[(&'static str, &[u8])]| from_own_page(&headers(pairs), PUBLIC);
        assert!(!own(&[]), "no origin is not a page");
        assert!(
            own(&[
                ("origin", b"https://aduan.baliprov.go.id"),
                ("host", b"127.0.0.1:8080")
            ]),
            "the public address"
        );
        assert!(
            own(&[
                ("origin", b"http://127.0.0.1:8080"),
                ("host", b"127.0.0.1:8080")
            ]),
            "the host asked"
        );
        assert!(!own(&[
            ("origin", b"https://badungkab.go.id"),
            ("host", b"aduan.baliprov.go.id")
        ]));
        assert!(
            own(&[("origin", b"null"), ("sec-fetch-site", b"same-origin")]),
            "a no-referrer form"
        );
        assert!(!own(&[
            ("origin", b"null"),
            ("sec-fetch-site", b"cross-site")
        ]));
        assert!(!own(&[("origin", b"null")]));
        assert!(!from_own_page(
            &headers(&[("origin", b"https://x.id"), ("host", b"y.id")]),
            "not a url"
        ));
    }

    #[test]
    fn a_complaint_routed_elsewhere_needs_a_registered_site_or_the_other_regions_rule() {
        let badung = vec!["https://badungkab.go.id".to_owned()];
        let denpasar = vec!["https://denpasarkota.go.id".to_owned()];
        let open: Vec<String> = Vec::new();
        let evil = Some("https://evil.example");
        // Badung's own site hands a Denpasar district on: no wrong door.
        assert_eq!(
            decide_filing(
                Some("https://badungkab.go.id"),
                false,
                &badung,
                Some(&denpasar)
            ),
            (Decision::Registered, false)
        );
        // Filed through a region without sites into one with sites: its rule.
        assert_eq!(
            decide_filing(evil, false, &open, Some(&denpasar)),
            (Decision::Refused(Some("https://evil.example".into())), true)
        );
        assert_eq!(
            decide_filing(evil, false, &open, Some(&open)),
            (Decision::Open, false)
        );
        assert_eq!(
            decide_filing(evil, false, &open, None),
            (Decision::Open, false)
        );
        // Refused by the filed region before the routed one is asked.
        assert_eq!(
            decide_filing(evil, false, &badung, Some(&open)),
            (
                Decision::Refused(Some("https://evil.example".into())),
                false
            )
        );
        assert_eq!(
            decide_filing(None, false, &badung, Some(&denpasar)),
            (Decision::Open, false)
        );
        assert_eq!(
            decide_filing(evil, true, &badung, Some(&denpasar)),
            (Decision::Open, false)
        );
    }

    #[test]
    fn a_reply_passes_when_either_region_admits_it() {
        let badung = vec!["https://badungkab.go.id".to_owned()];
        let bali = vec!["https://baliprov.go.id".to_owned()];
        let open: Vec<String> = Vec::new();
        let site = Some("https://badungkab.go.id");
        assert_eq!(
            decide_reply(site, false, &[&badung, &bali]),
            Decision::Registered
        );
        assert_eq!(
            decide_reply(site, false, &[&bali, &badung]),
            Decision::Registered
        );
        assert_eq!(
            decide_reply(Some("https://evil.example"), false, &[&badung, &open]),
            Decision::Open
        );
        assert_eq!(
            decide_reply(Some("https://evil.example"), false, &[&badung, &bali]),
            Decision::Refused(Some("https://evil.example".into()))
        );
        assert_eq!(decide_reply(site, false, &[]), Decision::Open);
    }
}
