//! The active check: the server fetches a page of the webmaster's site
//! (through the same outbound guard as webhooks: public addresses only
//! unless the operator allows private ones, a timeout, a size limit), finds
//! the widget's tag and reads the page's policies.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::csp::{self, Need};
use super::origin::{admits, parse_origin};
use super::page::{self, Found};

/// The most of a page read.
pub const PAGE_MAX: usize = 2 * 1024 * 1024;
/// How long a check may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Redirects followed.
pub const REDIRECTS: usize = 5;

/// What the check found, kept with the site (JSON) and shown on its page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The page asked for.
    pub url: String,
    /// Where it ended after redirects.
    pub final_url: String,
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    /// Why the page could not be read: `timeout`, `refused` (a private
    /// address), `connect`, `status`, `not_html`; empty when it was read.
    pub failure: String,
    /// Details of the failure, for the webmaster.
    pub detail: String,
    /// The page was longer than [`PAGE_MAX`]; only its start was read.
    pub truncated: bool,
    /// `missing`, `ok`, `other_site` (the tag names another key), `region`
    /// (the tag names a region, not this site).
    pub tag: String,
    /// The key or region the tag names.
    pub tag_names: String,
    /// The policies in force: where each came from (`header`, `meta`) and its text.
    pub policies: Vec<(String, String)>,
    /// Report-only policies (not enforced; shown as such).
    pub report_only: Vec<String>,
    /// What to change: directive, what to add (for a new directive, its
    /// whole value), need (`scripts`, `wasm`, `connect`, `images`, `nonce`),
    /// and whether the directive is new (the page's `default-src` decides now).
    pub missing: Vec<(String, String, String, bool)>,
}

impl Report {
    /// True when the page carries this site's tag and nothing stops it.
    pub fn passes(&self) -> bool {
        self.failure.is_empty() && self.tag == "ok" && self.missing.is_empty()
    }
}

fn need_key(need: Need) -> &'static str {
    match need {
        Need::Scripts => "scripts",
        Need::Wasm => "wasm",
        Need::Connect => "connect",
        Need::Images => "images",
        Need::Nonce => "nonce",
    }
}

/// The need a stored key stands for.
pub fn need_of(key: &str) -> Option<Need> {
    [
        Need::Scripts,
        Need::Wasm,
        Need::Connect,
        Need::Images,
        Need::Nonce,
    ]
    .into_iter()
    .find(|n| need_key(*n) == key)
}

/// Whether `url` is a page of one of the site's origins; the URL, or why not.
pub fn page_of_site(url: &str, rules: &[String]) -> Result<reqwest::Url, &'static str> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|_| "not_url")?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("not_url");
    }
    let origin = parse_origin(&parsed.origin().ascii_serialization()).ok_or("not_url")?;
    if rules.iter().any(|r| admits(r, &origin)) {
        Ok(parsed)
    } else {
        Err("not_site")
    }
}

/// A page as fetched.
#[derive(Debug, Clone)]
pub struct Fetched<'a> {
    /// The address asked for, and where it ended after redirects.
    pub url: &'a str,
    pub final_url: &'a str,
    pub status: u16,
    pub headers: &'a reqwest::header::HeaderMap,
    /// The body, or its first [`PAGE_MAX`] bytes (`truncated`).
    pub body: &'a str,
    pub truncated: bool,
}

/// Reads a fetched page for the site `key` of the service at `service`.
pub fn read(page: &Fetched<'_>, key: &str, service: &str) -> Report {
    let Fetched {
        url,
        final_url,
        status,
        headers,
        body,
        truncated,
    } = *page;
    let mut report = Report {
        url: url.to_owned(),
        final_url: final_url.to_owned(),
        status: Some(status),
        truncated,
        ..Report::default()
    };
    if !(200..300).contains(&status) {
        report.failure = "status".into();
        report.detail = format!("HTTP {status}");
        return report;
    }
    let tags = page::tags(body);
    let mut nonce = false;
    match page::find_widget(&tags, final_url, service) {
        Found::Missing => report.tag = "missing".into(),
        Found::Tag {
            site,
            region,
            nonce: n,
        } => {
            nonce = n;
            match (site, region) {
                (Some(s), _) if s == key => report.tag = "ok".into(),
                (Some(s), _) => {
                    report.tag = "other_site".into();
                    report.tag_names = s;
                }
                (None, Some(r)) => {
                    report.tag = "region".into();
                    report.tag_names = r;
                }
                (None, None) => report.tag = "missing".into(),
            }
        }
    }
    for value in headers.get_all("content-security-policy") {
        if let Ok(text) = value.to_str()
            && !text.trim().is_empty()
        {
            report.policies.push(("header".into(), text.to_owned()));
        }
    }
    for text in page::meta_policies(&tags) {
        report.policies.push(("meta".into(), text));
    }
    for value in headers.get_all("content-security-policy-report-only") {
        if let Ok(text) = value.to_str() {
            report.report_only.push(text.to_owned());
        }
    }
    let policies: Vec<csp::Policy> = report
        .policies
        .iter()
        .flat_map(|(_, text)| csp::parse_header(text))
        .collect();
    report.missing = csp::missing(&policies, service, final_url, nonce)
        .into_iter()
        .map(|m| {
            (
                m.directive.to_owned(),
                m.add,
                need_key(m.need).to_owned(),
                m.new_directive,
            )
        })
        .collect();
    report
}

/// Checks run at once: a page is read off the async threads, and a few
/// webmasters checking big pages cannot take the server's cores.
static CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// True for an address literal no check may reach, whatever the operator
/// allows: link-local (where cloud metadata lives) and 0.0.0.0/8.
fn always_refused(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    match host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
    {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_link_local() || ip.octets()[0] == 0,
        Ok(std::net::IpAddr::V6(ip)) => {
            (ip.segments()[0] & 0xffc0) == 0xfe80
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_link_local() || v4.octets()[0] == 0)
        }
        Err(_) => false,
    }
}

/// Fetches `url`, a page of a site whose origin rules are `rules`, and reads
/// it. `allow_private` is the operator's setting for page checks
/// (`--site-check-allow-private`). Redirects are followed only within the
/// site's origins; no proxy is used (it would resolve names past the guard).
pub async fn run(
    url: reqwest::Url,
    rules: &[String],
    key: &str,
    service: &str,
    allow_private: bool,
) -> Report {
    let failed = |failure: &str, detail: String| Report {
        url: url.to_string(),
        final_url: url.to_string(),
        failure: failure.to_owned(),
        detail,
        ..Report::default()
    };
    if always_refused(&url) {
        return failed(
            "refused",
            crate::egress::refusal(url.host_str().unwrap_or_default()),
        );
    }
    if let Some(host) = crate::egress::private_literal(url.as_str(), allow_private) {
        return failed("refused", crate::egress::refusal(&host));
    }
    let Ok(_permit) = CHECKS.acquire().await else {
        return failed("connect", "the service is stopping".into());
    };
    let site = rules.to_vec();
    let mut builder = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .user_agent("Aduan site check")
        .no_proxy()
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= REDIRECTS {
                attempt.error("too many redirects")
            } else if page_of_site(attempt.url().as_str(), &site).is_err() {
                attempt.error("a redirect away from the site's origins")
            } else if always_refused(attempt.url())
                || crate::egress::private_literal(attempt.url().as_str(), allow_private).is_some()
            {
                attempt.error("a redirect to a private address")
            } else {
                attempt.follow()
            }
        }));
    if let Some(resolver) = crate::egress::resolver(allow_private) {
        builder = builder.dns_resolver(resolver);
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => return failed("connect", e.to_string()),
    };
    let mut response = match client
        .get(url.clone())
        .header("accept", "text/html")
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) if e.is_timeout() => {
            return failed(
                "timeout",
                format!("no answer within {} s", TIMEOUT.as_secs()),
            );
        }
        Err(e) => return failed(if is_guard(&e) { "refused" } else { "connect" }, chain(&e)),
    };
    let status = response.status().as_u16();
    let final_url = response.url().to_string();
    let headers = response.headers().clone();
    let html = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.to_ascii_lowercase().contains("html"));
    let mut body: Vec<u8> = Vec::new();
    let mut truncated = false;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = PAGE_MAX - body.len();
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => {
                return failed(
                    "timeout",
                    format!("the page did not arrive within {} s", TIMEOUT.as_secs()),
                );
            }
            Err(e) => return failed("connect", chain(&e)),
        }
    }
    let (asked, key, service) = (url.to_string(), key.to_owned(), service.to_owned());
    let read_off_thread = tokio::task::spawn_blocking(move || {
        let text = String::from_utf8_lossy(&body);
        let fetched = Fetched {
            url: &asked,
            final_url: &final_url,
            status,
            headers: &headers,
            body: &text,
            truncated,
        };
        (read(&fetched, &key, &service), headers)
    });
    let Ok((mut report, headers)) = read_off_thread.await else {
        return failed("connect", "the page could not be read".into());
    };
    if report.failure.is_empty() && !html {
        report.failure = "not_html".into();
        report.detail = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
    }
    report
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn is_guard(e: &reqwest::Error) -> bool {
    let text = chain(e);
    text.contains("private") || text.contains("loopback")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &str = "https://aduan.example";
    const KEY: &str = "0123456789abcdef";

    fn headers(pairs: &[(&'static str, &str)]) -> reqwest::header::HeaderMap {
        let mut h = reqwest::header::HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap_or_else(|_| panic!("{v}")));
        }
        h
    }

    /// Reads a page served at https://b.id/ with `status`, `headers` and `body`.
    fn read_at(status: u16, headers: &reqwest::header::HeaderMap, body: &str) -> Report {
        read(
            &Fetched {
                url: "https://b.id/",
                final_url: "https://b.id/",
                status,
                headers,
                body,
                truncated: false,
            },
            KEY,
            SERVICE,
        )
    }

    fn page_with(tag: &str) -> String {
        format!("<!doctype html><title>Badung</title>{tag}")
    }

    #[test]
    fn a_page_with_the_tag_and_no_policy_passes() {
        let body = page_with(&format!(
            r#"<script src="{SERVICE}/widget.js" data-site="{KEY}" async></script>"#
        ));
        let r = read_at(200, &headers(&[]), &body);
        assert!(r.passes(), "{r:?}");
        assert_eq!(
            (r.url.as_str(), r.final_url.as_str(), r.status, r.truncated),
            ("https://b.id/", "https://b.id/", Some(200), false)
        );
        assert_eq!(r.tag, "ok");
    }

    #[test]
    fn the_header_policy_without_connect_src_is_named() {
        let body = page_with(&format!(
            r#"<script src="{SERVICE}/widget.js" data-site="{KEY}"></script>"#
        ));
        let h = headers(&[
            (
                "content-security-policy",
                "default-src 'self'; script-src 'self' https://aduan.example 'wasm-unsafe-eval'; img-src *",
            ),
            ("content-security-policy-report-only", "default-src 'none'"),
        ]);
        let r = read_at(200, &h, &body);
        assert!(!r.passes());
        assert_eq!(
            r.missing,
            [(
                "connect-src".to_owned(),
                format!("'self' {SERVICE}"),
                "connect".to_owned(),
                true
            )]
        );
        assert_eq!(r.report_only, ["default-src 'none'"]);
        assert_eq!(r.policies[0].0, "header");
        assert_eq!(need_of("connect"), Some(Need::Connect));
        assert_eq!(need_of("other"), None);
    }

    #[test]
    fn a_meta_policy_counts_and_a_wrong_key_or_a_region_tag_is_told() {
        let body = page_with(&format!(
            r#"<meta http-equiv="Content-Security-Policy" content="script-src {SERVICE}; connect-src {SERVICE}; img-src {SERVICE}">
               <script src="{SERVICE}/widget.js" data-site="ffffffffffffffff"></script>"#
        ));
        let r = read_at(200, &headers(&[]), &body);
        assert_eq!(
            (r.tag.as_str(), r.tag_names.as_str()),
            ("other_site", "ffffffffffffffff")
        );
        assert_eq!(r.policies[0].0, "meta");
        assert_eq!(
            r.missing,
            [(
                "script-src".to_owned(),
                "'wasm-unsafe-eval'".to_owned(),
                "wasm".to_owned(),
                false
            )]
        );
        let region = page_with(&format!(
            r#"<script src="{SERVICE}/widget.js" data-region="badung"></script>"#
        ));
        let r = read_at(200, &headers(&[]), &region);
        assert_eq!((r.tag.as_str(), r.tag_names.as_str()), ("region", "badung"));
        let bare = page_with(&format!(r#"<script src="{SERVICE}/widget.js"></script>"#));
        let r = read_at(200, &headers(&[]), &bare);
        assert_eq!(r.tag, "missing");
        let none = read_at(200, &headers(&[]), "<p>hi</p>");
        assert_eq!(none.tag, "missing");
        assert!(!none.passes());
    }

    #[test]
    fn an_error_status_is_a_failure() {
        let r = read_at(404, &headers(&[]), "");
        assert_eq!(
            (r.failure.as_str(), r.detail.as_str()),
            ("status", "HTTP 404")
        );
        assert!(!r.passes());
        let ok = read_at(299, &headers(&[]), "");
        assert!(ok.failure.is_empty());
    }

    #[test]
    fn only_pages_of_the_sites_origins_are_fetched() {
        let rules = vec![
            "https://badungkab.go.id".to_owned(),
            "https://*.badungkab.go.id".to_owned(),
        ];
        assert!(page_of_site("https://badungkab.go.id/layanan?x=1", &rules).is_ok());
        assert!(page_of_site("https://www.badungkab.go.id/", &rules).is_ok());
        assert_eq!(
            page_of_site("https://evil.id/", &rules).err(),
            Some("not_site")
        );
        assert_eq!(
            page_of_site("http://badungkab.go.id/", &rules).err(),
            Some("not_site")
        );
        assert_eq!(
            page_of_site("file:///etc/passwd", &rules).err(),
            Some("not_url")
        );
        assert_eq!(page_of_site("not a url", &rules).err(), Some("not_url"));
    }

    #[test]
    fn only_link_local_and_zero_addresses_are_always_refused() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap_or_else(|e| panic!("{u}: {e}"));
        for refused in [
            "http://169.254.169.254/",
            "http://0.0.0.0/",
            "http://[fe80::1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[::ffff:0.0.0.1]/",
        ] {
            assert!(always_refused(&url(refused)), "{refused}");
        }
        for allowed in [
            "http://127.0.0.1:8080/",
            "http://10.0.0.5/",
            "https://badungkab.go.id/",
            "http://[::1]/",
            "http://[::ffff:10.0.0.5]/",
            "http://[fc00::1]/",
        ] {
            assert!(!always_refused(&url(allowed)), "{allowed}");
        }
    }

    #[tokio::test]
    async fn a_private_address_is_refused_without_the_operators_consent() {
        let url = reqwest::Url::parse("http://127.0.0.1:9/").unwrap_or_else(|e| panic!("{e}"));
        let rules = vec![
            "http://127.0.0.1:9".to_owned(),
            "http://localhost:9".to_owned(),
        ];
        let r = run(url, &rules, KEY, SERVICE, false).await;
        assert_eq!(r.failure, "refused", "{r:?}");
        let named = reqwest::Url::parse("http://localhost:9/").unwrap_or_else(|e| panic!("{e}"));
        let r = run(named, &rules, KEY, SERVICE, false).await;
        assert_eq!(r.failure, "refused", "{r:?}");
        // Link-local (cloud metadata) stays refused even when private
        // targets are allowed.
        for metadata in [
            "http://169.254.169.254/latest/meta-data/",
            "http://[fe80::1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://0.0.0.0:9/",
        ] {
            let url = reqwest::Url::parse(metadata).unwrap_or_else(|e| panic!("{e}"));
            let r = run(
                url.clone(),
                &[url.origin().ascii_serialization()],
                KEY,
                SERVICE,
                true,
            )
            .await;
            assert_eq!(r.failure, "refused", "{metadata}: {r:?}");
        }
    }
}
