//! Browser origins as a site lists them: exact (`https://badungkab.go.id`,
//! default ports dropped, lower case) or every subdomain of one host
//! (`https://*.badungkab.go.id`, never the host itself).

use aduan_app::api::Locale;

/// Longest origin kept, in bytes.
pub const ORIGIN_MAX: usize = 200;

/// Hosts shared by many owners: a `*.` rule on one of them would let any
/// site under it in. Indonesia's second-level domains, the generic top
/// levels, and the hosting platforms where anyone gets a subdomain.
const SHARED_SUFFIXES: [&str; 40] = [
    "id",
    "go.id",
    "co.id",
    "ac.id",
    "or.id",
    "web.id",
    "sch.id",
    "my.id",
    "biz.id",
    "net.id",
    "desa.id",
    "ponpes.id",
    "mil.id",
    "com",
    "net",
    "org",
    "info",
    "xyz",
    "site",
    "online",
    "wordpress.com",
    "blogspot.com",
    "github.io",
    "gitlab.io",
    "netlify.app",
    "vercel.app",
    "pages.dev",
    "workers.dev",
    "herokuapp.com",
    "web.app",
    "firebaseapp.com",
    "appspot.com",
    "wixsite.com",
    "weebly.com",
    "azurewebsites.net",
    "cloudfront.net",
    "000webhostapp.com",
    "glitch.me",
    "onrender.com",
    "blogger.com",
];

/// Why a typed origin is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginProblem {
    /// Nothing typed.
    Empty,
    /// Not `http://` or `https://`.
    Scheme,
    /// A path, query or fragment after the host.
    Path,
    /// No host, or a host with characters a host cannot have.
    Host,
    /// A port that is not a number from 1 to 65535.
    Port,
    /// A wildcard anywhere but a leading `*.`, or over a shared suffix.
    Wildcard,
    /// Longer than [`ORIGIN_MAX`].
    TooLong,
}

impl OriginProblem {
    /// One sentence, naming what was typed.
    pub fn say(&self, typed: &str, locale: Locale) -> String {
        let (id, en) = match self {
            OriginProblem::Empty => ("Asal kosong", "An empty origin"),
            OriginProblem::Scheme => (
                "harus diawali https:// (atau http://)",
                "must start with https:// (or http://)",
            ),
            OriginProblem::Path => (
                "adalah alamat halaman; asal hanya skema dan nama host, misalnya https://badungkab.go.id",
                "is a page address; an origin is only the scheme and host, e.g. https://badungkab.go.id",
            ),
            OriginProblem::Host => ("tidak memuat nama host yang sah", "has no valid host name"),
            OriginProblem::Port => ("memuat port yang tidak sah", "has an invalid port"),
            OriginProblem::Wildcard => (
                "hanya boleh memakai * sebagai awalan *. untuk subdomain situs Anda sendiri, misalnya https://*.badungkab.go.id",
                "may only use * as a leading *. for your own site's subdomains, e.g. https://*.badungkab.go.id",
            ),
            OriginProblem::TooLong => ("terlalu panjang", "is too long"),
        };
        if *self == OriginProblem::Empty {
            return match locale {
                Locale::En => format!("{en}."),
                Locale::Id | Locale::Ban => format!("{id}."),
            };
        }
        match locale {
            Locale::En => format!("`{typed}` {en}."),
            Locale::Id | Locale::Ban => format!("`{typed}` {id}."),
        }
    }
}

/// A typed origin or `*.` rule, as stored: `scheme://host[:port]`.
pub fn parse_rule(typed: &str) -> Result<String, OriginProblem> {
    let text = typed.trim();
    if text.is_empty() {
        return Err(OriginProblem::Empty);
    }
    if text.len() > ORIGIN_MAX {
        return Err(OriginProblem::TooLong);
    }
    let lower = text.to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").ok_or(OriginProblem::Scheme)?;
    if scheme != "https" && scheme != "http" {
        return Err(OriginProblem::Scheme);
    }
    // A trailing slash is what people copy from the address bar.
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#']) {
        return Err(OriginProblem::Path);
    }
    if rest.contains('@') {
        return Err(OriginProblem::Host);
    }
    let (host, port) = split_port(rest)?;
    let (wild, bare) = match host.strip_prefix("*.") {
        Some(bare) => (true, bare),
        None => (false, host),
    };
    if bare.contains('*') {
        return Err(OriginProblem::Wildcard);
    }
    if !valid_host(bare) {
        return Err(OriginProblem::Host);
    }
    if wild && (!bare.contains('.') || SHARED_SUFFIXES.contains(&bare)) {
        return Err(OriginProblem::Wildcard);
    }
    let port = match port {
        Some(p) if default_port(scheme) == Some(p) => None,
        other => other,
    };
    Ok(match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

/// The origin a browser sent (`Origin` header), normalised as rules are;
/// `None` for `null`, a `*` or anything that is not an origin.
pub fn parse_origin(sent: &str) -> Option<String> {
    if sent.contains('*') {
        return None;
    }
    parse_rule(sent).ok()
}

/// Whether `rule` (as stored) admits `origin` (as [`parse_origin`] gives it).
pub fn admits(rule: &str, origin: &str) -> bool {
    if rule == origin {
        return true;
    }
    let Some((scheme, rest)) = rule.split_once("://*.") else {
        return false;
    };
    let Some((o_scheme, o_rest)) = origin.split_once("://") else {
        return false;
    };
    if scheme != o_scheme {
        return false;
    }
    // `*.host[:port]` admits `sub.host[:port]`, any depth, the same port.
    o_rest
        .strip_suffix(rest)
        .and_then(|sub| sub.strip_suffix('.'))
        .is_some_and(|sub| !sub.is_empty() && !sub.starts_with('.'))
}

fn split_port(rest: &str) -> Result<(&str, Option<u16>), OriginProblem> {
    // IPv6 literals are not site origins a webmaster registers.
    if rest.starts_with('[') {
        return Err(OriginProblem::Host);
    }
    match rest.rsplit_once(':') {
        None => Ok((rest, None)),
        Some((host, port)) => {
            let p: u16 = port.parse().map_err(|_| OriginProblem::Port)?;
            if p == 0 || port.starts_with('+') {
                return Err(OriginProblem::Port);
            }
            Ok((host, Some(p)))
        }
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    }
}

fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_origins_are_kept_in_one_form() {
        for (typed, kept) in [
            ("https://badungkab.go.id", "https://badungkab.go.id"),
            ("  HTTPS://BadungKab.go.id/ ", "https://badungkab.go.id"),
            ("https://badungkab.go.id:443", "https://badungkab.go.id"),
            ("http://badungkab.go.id:80", "http://badungkab.go.id"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            (
                "https://badungkab.go.id:8443",
                "https://badungkab.go.id:8443",
            ),
            ("http://localhost:3000", "http://localhost:3000"),
            ("https://*.badungkab.go.id", "https://*.badungkab.go.id"),
            ("https://*.example.com", "https://*.example.com"),
        ] {
            assert_eq!(parse_rule(typed).as_deref(), Ok(kept), "{typed}");
        }
    }

    #[test]
    fn what_is_not_an_origin_is_refused_with_its_reason() {
        for (typed, problem) in [
            ("", OriginProblem::Empty),
            ("   ", OriginProblem::Empty),
            ("badungkab.go.id", OriginProblem::Scheme),
            ("ftp://badungkab.go.id", OriginProblem::Scheme),
            ("javascript://x", OriginProblem::Scheme),
            ("https://badungkab.go.id/pengaduan", OriginProblem::Path),
            ("https://badungkab.go.id?x=1", OriginProblem::Path),
            ("https://badungkab.go.id#top", OriginProblem::Path),
            ("https://", OriginProblem::Host),
            ("https://user@badungkab.go.id", OriginProblem::Host),
            ("https://bad_host.go.id", OriginProblem::Host),
            ("https://-bad.go.id", OriginProblem::Host),
            ("https://bad-.go.id", OriginProblem::Host),
            ("https://a..go.id", OriginProblem::Host),
            ("https://[::1]:80", OriginProblem::Host),
            ("https://badungkab.go.id:0", OriginProblem::Port),
            ("https://badungkab.go.id:99999", OriginProblem::Port),
            ("https://badungkab.go.id:+80", OriginProblem::Port),
            ("https://badungkab.go.id:x", OriginProblem::Port),
            ("*", OriginProblem::Scheme),
            ("https://*", OriginProblem::Wildcard),
            ("https://*.go.id", OriginProblem::Wildcard),
            ("https://*.id", OriginProblem::Wildcard),
            ("https://*.com", OriginProblem::Wildcard),
            ("https://*.localhost", OriginProblem::Wildcard),
            ("https://*.wordpress.com", OriginProblem::Wildcard),
            ("https://*.github.io", OriginProblem::Wildcard),
            ("https://*.blogspot.com", OriginProblem::Wildcard),
            ("https://a.*.go.id", OriginProblem::Wildcard),
            ("https://*badung.go.id", OriginProblem::Wildcard),
        ] {
            assert_eq!(parse_rule(typed), Err(problem), "{typed:?}");
        }
        let long = format!("https://{}.id", "a".repeat(ORIGIN_MAX));
        assert_eq!(parse_rule(&long), Err(OriginProblem::TooLong));
        // Exactly the longest kept (labels of 50: valid hosts).
        let label = "a".repeat(50);
        let host = format!(
            "{label}.{label}.{label}.{}",
            "b".repeat(ORIGIN_MAX - 8 - 153)
        );
        let longest = format!("https://{host}");
        assert_eq!(longest.len(), ORIGIN_MAX);
        assert_eq!(parse_rule(&longest).as_deref(), Ok(longest.as_str()));
        assert_eq!(
            parse_rule(&format!("{longest}a")),
            Err(OriginProblem::TooLong)
        );
        let label = format!("https://{}.go.id", "a".repeat(64));
        assert_eq!(parse_rule(&label), Err(OriginProblem::Host));
    }

    #[test]
    fn each_problem_is_told_in_a_sentence_naming_what_was_typed() {
        assert_eq!(OriginProblem::Empty.say("", Locale::En), "An empty origin.");
        assert_eq!(OriginProblem::Empty.say("", Locale::Id), "Asal kosong.");
        assert_eq!(
            OriginProblem::Path.say("https://a.id/x", Locale::En),
            "`https://a.id/x` is a page address; an origin is only the scheme and host, e.g. https://badungkab.go.id."
        );
        assert_eq!(
            OriginProblem::Scheme.say("a.id", Locale::Id),
            "`a.id` harus diawali https:// (atau http://)."
        );
        for p in [
            OriginProblem::Scheme,
            OriginProblem::Path,
            OriginProblem::Host,
            OriginProblem::Port,
            OriginProblem::Wildcard,
            OriginProblem::TooLong,
        ] {
            let (en, id) = (p.say("x", Locale::En), p.say("x", Locale::Id));
            assert!(en.starts_with("`x` ") && en.ends_with('.'), "{en}");
            assert!(id.starts_with("`x` ") && id.ends_with('.'), "{id}");
            assert_ne!(en, id);
        }
    }

    #[test]
    fn a_browser_origin_is_read_without_wildcards() {
        assert_eq!(
            parse_origin("https://BadungKab.go.id").as_deref(),
            Some("https://badungkab.go.id")
        );
        assert_eq!(parse_origin("null"), None);
        assert_eq!(parse_origin("https://*.badungkab.go.id"), None);
    }

    #[test]
    fn a_rule_admits_its_origin_and_a_star_rule_only_subdomains_on_the_same_scheme_and_port() {
        let exact = "https://badungkab.go.id";
        assert!(admits(exact, "https://badungkab.go.id"));
        assert!(!admits(exact, "http://badungkab.go.id"));
        assert!(!admits(exact, "https://www.badungkab.go.id"));
        assert!(!admits(exact, "https://badungkab.go.id:8443"));
        let star = "https://*.badungkab.go.id";
        assert!(admits(star, "https://www.badungkab.go.id"));
        assert!(admits(star, "https://a.b.badungkab.go.id"));
        assert!(!admits(star, "https://badungkab.go.id"));
        assert!(!admits(star, "http://www.badungkab.go.id"));
        assert!(!admits(star, "https://evilbadungkab.go.id"));
        assert!(!admits(star, "https://www.badungkab.go.id.evil.id"));
        assert!(!admits(star, "https://www.badungkab.go.id:8443"));
        assert!(!admits(star, "https://.badungkab.go.id"));
        assert!(!admits(star, "nonsense"));
        let ported = "http://*.badung.test:8080";
        assert!(admits(ported, "http://www.badung.test:8080"));
        assert!(!admits(ported, "http://www.badung.test"));
    }
}
