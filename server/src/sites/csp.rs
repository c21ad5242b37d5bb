//! What a host page's Content-Security-Policy lets the widget do: each
//! directive the widget needs, read with the fallbacks browsers use
//! (`script-src-elem` → `script-src` → `default-src`), and what to add
//! where it is missing.

/// A parsed policy: directives in the order written, names lower case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policy {
    pub directives: Vec<(String, Vec<String>)>,
}

impl Policy {
    /// Parses one policy (`a b; c d`); a second policy in the same header
    /// value (after a comma) is [`parse_header`]'s job.
    pub fn parse(text: &str) -> Policy {
        let mut directives: Vec<(String, Vec<String>)> = Vec::new();
        for part in text.split(';') {
            let mut words = part.split_ascii_whitespace();
            let Some(name) = words.next() else { continue };
            let name = name.to_ascii_lowercase();
            // The first of a repeated directive counts; browsers ignore the rest.
            if directives.iter().any(|(n, _)| *n == name) {
                continue;
            }
            directives.push((name, words.map(str::to_owned).collect()));
        }
        Policy { directives }
    }

    /// A directive's sources, when the policy has it.
    pub fn get(&self, name: &str) -> Option<&[String]> {
        self.directives
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }
}

/// Every policy in a header value (comma-separated policies are each enforced).
pub fn parse_header(value: &str) -> Vec<Policy> {
    value
        .split(',')
        .map(Policy::parse)
        .filter(|p| !p.directives.is_empty())
        .collect()
}

/// A URL reduced to what source expressions look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub scheme: String,
    pub host: String,
    pub port: u16,
    pub path: String,
}

impl Target {
    pub fn parse(url: &str) -> Option<Target> {
        let u = reqwest::Url::parse(url).ok()?;
        Some(Target {
            scheme: u.scheme().to_owned(),
            host: u.host_str()?.to_ascii_lowercase(),
            port: u.port_or_known_default()?,
            path: u.path().to_owned(),
        })
    }

    fn origin_is(&self, other: &Target) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port
    }
}

/// Whether a source list admits `url` on a page at `page`.
pub fn allows(sources: &[String], url: &Target, page: &Target) -> bool {
    sources.iter().any(|s| source_allows(s, url, page))
}

fn scheme_fits(source: &str, url: &str) -> bool {
    // An http: source also admits the https: version of the same thing.
    source == url || (source == "http" && url == "https") || (source == "ws" && url == "wss")
}

fn source_allows(source: &str, url: &Target, page: &Target) -> bool {
    let s = source.to_ascii_lowercase();
    if s == "*" {
        return matches!(url.scheme.as_str(), "http" | "https" | "ws" | "wss")
            || url.scheme == page.scheme;
    }
    if s == "'self'" {
        return url.origin_is(page)
            || (page.scheme == "http"
                && url.scheme == "https"
                && url.host == page.host
                && (url.port == 443 || url.port == page.port));
    }
    if s.starts_with('\'') {
        return false;
    }
    // scheme-source: `https:`
    if let Some(scheme) = s.strip_suffix(':')
        && !scheme.contains('/')
        && !scheme.contains('.')
    {
        return scheme_fits(scheme, &url.scheme);
    }
    // host-source: [scheme://]host[:port][path]
    let (scheme, rest) = match s.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, s.as_str()),
    };
    match scheme {
        Some(scheme) if !scheme_fits(scheme, &url.scheme) => return false,
        None if !scheme_fits(&page.scheme, &url.scheme) => return false,
        _ => {}
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let host_ok = match host.strip_prefix("*.") {
        Some(base) => url.host.ends_with(&format!(".{base}")),
        None => host == "*" || host == url.host,
    };
    if !host_ok {
        return false;
    }
    let port_ok = match port {
        Some("*") => true,
        Some(p) => p.parse::<u16>().is_ok_and(|p| p == url.port),
        None => {
            let default = match url.scheme.as_str() {
                "https" | "wss" => 443,
                _ => 80,
            };
            // (An http source admits https on 443, its default port.)
            url.port == default
        }
    };
    if !port_ok {
        return false;
    }
    path.is_empty()
        || if path.ends_with('/') {
            url.path.starts_with(path)
        } else {
            url.path == path
        }
}

/// Something the widget needs that a policy does not give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The directive to change (the one in force), or to add.
    pub directive: &'static str,
    /// What to add to it; for a directive to add, its whole value: the
    /// `default-src` sources it replaces plus what the widget needs (a new
    /// directive with only the widget's sources would shut out what
    /// `default-src` let in).
    pub add: String,
    /// What the widget needs it for.
    pub need: Need,
    /// True when the page has no such directive (its `default-src` decides).
    pub new_directive: bool,
}

/// What the widget does that a policy can stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Load the loader and its modules.
    Scripts,
    /// Compile its WebAssembly.
    Wasm,
    /// Talk to the service (forms, complaints, tracking).
    Connect,
    /// Show photos in the tracker.
    Images,
    /// The page runs scripts only by nonce ('strict-dynamic').
    Nonce,
}

impl Need {
    pub fn say(self, en: bool) -> &'static str {
        match (self, en) {
            (Need::Scripts, true) => "to load the widget's script",
            (Need::Scripts, false) => "untuk memuat skrip widget",
            (Need::Wasm, true) => "to start the form (WebAssembly)",
            (Need::Wasm, false) => "untuk menjalankan formulir (WebAssembly)",
            (Need::Connect, true) => "to send complaints and read their status",
            (Need::Connect, false) => "untuk mengirim pengaduan dan membaca statusnya",
            (Need::Images, true) => "to show photos in the tracker",
            (Need::Images, false) => "untuk menampilkan foto di pelacak",
            (Need::Nonce, true) => {
                "the page runs scripts by nonce ('strict-dynamic'): give the widget's script tag your page's nonce attribute"
            }
            (Need::Nonce, false) => {
                "halaman menjalankan skrip dengan nonce ('strict-dynamic'): beri tag skrip widget atribut nonce halaman Anda"
            }
        }
    }
}

/// The lines a page's policy needs for the widget served from `service`
/// (`https://aduan.example`).
pub fn needed_lines(service: &str) -> [String; 3] {
    [
        format!("script-src {service} 'wasm-unsafe-eval'"),
        format!("connect-src {service}"),
        format!("img-src {service}"),
    ]
}

/// What the policies of a page at `page_url` stop of a widget served from
/// `service`; `tag_has_nonce` when the widget's tag carries a nonce.
pub fn missing(
    policies: &[Policy],
    service: &str,
    page_url: &str,
    tag_has_nonce: bool,
) -> Vec<Missing> {
    let (Some(page), Some(script), Some(api)) = (
        Target::parse(page_url),
        Target::parse(&format!("{service}/widget.js")),
        Target::parse(&format!("{service}/api/v1/regions")),
    ) else {
        return Vec::new();
    };
    let bundle = Target::parse(&format!("{service}/dist/aduan_widget.js"));
    let wasm_ok = |sources: &[String]| {
        sources.iter().any(|s| {
            s.eq_ignore_ascii_case("'wasm-unsafe-eval'") || s.eq_ignore_ascii_case("'unsafe-eval'")
        })
    };
    let scripts_ok = |sources: &[String]| {
        allows(sources, &script, &page) && bundle.as_ref().is_none_or(|b| allows(sources, b, &page))
    };
    // A directive to add in place of `default-src`: its sources and `more`.
    let instead = |sources: &[String], more: &[String]| {
        let mut all: Vec<String> = sources
            .iter()
            .filter(|s| !s.eq_ignore_ascii_case("'none'"))
            .cloned()
            .collect();
        all.extend(more.iter().cloned());
        all.join(" ")
    };
    let mut out: Vec<Missing> = Vec::new();
    let mut add = |m: Missing| {
        if !out.contains(&m) {
            out.push(m);
        }
    };
    for policy in policies {
        let elem = policy.get("script-src-elem");
        let script_src = policy.get("script-src");
        let default = policy.get("default-src");
        let strict = elem
            .or(script_src)
            .or(default)
            .is_some_and(|s| s.iter().any(|s| s.eq_ignore_ascii_case("'strict-dynamic'")));
        // Scripts: the tag and the modules it imports (script-src-elem,
        // else script-src, else default-src); WebAssembly is compiled under
        // script-src (else default-src).
        let mut needs_scripts = false;
        if strict {
            if !tag_has_nonce {
                let directive = if elem.is_some() {
                    "script-src-elem"
                } else if script_src.is_some() {
                    "script-src"
                } else {
                    "default-src"
                };
                add(Missing {
                    directive,
                    add: "nonce".into(),
                    need: Need::Nonce,
                    new_directive: false,
                });
            }
        } else if let Some(sources) = elem {
            if !scripts_ok(sources) {
                add(Missing {
                    directive: "script-src-elem",
                    add: service.to_owned(),
                    need: Need::Scripts,
                    new_directive: false,
                });
            }
        } else if let Some(sources) = script_src {
            if !scripts_ok(sources) {
                add(Missing {
                    directive: "script-src",
                    add: service.to_owned(),
                    need: Need::Scripts,
                    new_directive: false,
                });
            }
        } else if let Some(sources) = default {
            needs_scripts = !scripts_ok(sources);
        }
        match (script_src, default) {
            (Some(sources), _) if !wasm_ok(sources) => add(Missing {
                directive: "script-src",
                add: "'wasm-unsafe-eval'".into(),
                need: Need::Wasm,
                new_directive: false,
            }),
            (None, Some(sources)) if needs_scripts || !wasm_ok(sources) => {
                // One script-src line, for both, in place of default-src.
                let mut more = Vec::new();
                if needs_scripts {
                    more.push(service.to_owned());
                }
                if !wasm_ok(sources) {
                    more.push("'wasm-unsafe-eval'".to_owned());
                }
                add(Missing {
                    directive: "script-src",
                    add: instead(sources, &more),
                    need: if needs_scripts {
                        Need::Scripts
                    } else {
                        Need::Wasm
                    },
                    new_directive: true,
                });
            }
            _ => {}
        }
        for (name, need) in [("connect-src", Need::Connect), ("img-src", Need::Images)] {
            match (policy.get(name), default) {
                (Some(sources), _) if !allows(sources, &api, &page) => add(Missing {
                    directive: name,
                    add: service.to_owned(),
                    need,
                    new_directive: false,
                }),
                (None, Some(sources)) if !allows(sources, &api, &page) => add(Missing {
                    directive: name,
                    add: instead(sources, &[service.to_owned()]),
                    need,
                    new_directive: true,
                }),
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &str = "https://aduan.baliprov.go.id";
    const PAGE: &str = "https://badungkab.go.id/layanan";

    fn missing_in(policy: &str) -> Vec<(&'static str, String)> {
        missing(&parse_header(policy), SERVICE, PAGE, false)
            .into_iter()
            .map(|m| (m.directive, m.add))
            .collect()
    }

    #[test]
    fn no_policy_needs_nothing_and_the_recommended_lines_suffice() {
        assert!(missing_in("").is_empty());
        let lines = needed_lines(SERVICE).join("; ");
        assert!(
            missing_in(&format!("default-src 'self'; {lines}")).is_empty(),
            "{lines}"
        );
    }

    #[test]
    fn a_missing_connect_src_is_named() {
        let found = missing_in(&format!(
            "default-src 'self'; script-src 'self' {SERVICE} 'wasm-unsafe-eval'; img-src *"
        ));
        assert_eq!(found, [("connect-src", format!("'self' {SERVICE}"))]);
        let named = missing_in(&format!(
            "default-src 'self'; script-src 'self' {SERVICE} 'wasm-unsafe-eval'; connect-src 'self'; img-src *"
        ));
        assert_eq!(named, [("connect-src", SERVICE.to_owned())]);
        let found = missing(
            &parse_header(&format!(
                "default-src 'self'; script-src 'self' {SERVICE} 'wasm-unsafe-eval'; img-src *"
            )),
            SERVICE,
            PAGE,
            false,
        );
        assert_eq!(found[0].need, Need::Connect);
    }

    #[test]
    fn the_fallbacks_are_read_as_browsers_read_them() {
        // default-src decides where a directive is absent: the advice is a
        // whole new directive, keeping what default-src let in.
        let found = missing(
            &parse_header("default-src 'self' https://cdn.example"),
            SERVICE,
            PAGE,
            false,
        );
        let lines: Vec<(&str, &str, bool)> = found
            .iter()
            .map(|m| (m.directive, m.add.as_str(), m.new_directive))
            .collect();
        assert_eq!(
            lines,
            [
                (
                    "script-src",
                    "'self' https://cdn.example https://aduan.baliprov.go.id 'wasm-unsafe-eval'",
                    true
                ),
                (
                    "connect-src",
                    "'self' https://cdn.example https://aduan.baliprov.go.id",
                    true
                ),
                (
                    "img-src",
                    "'self' https://cdn.example https://aduan.baliprov.go.id",
                    true
                ),
            ]
        );
        assert_eq!(found[0].need, Need::Scripts);
        // default-src 'none' is not carried into the new line.
        let none = missing(
            &parse_header(&format!(
                "default-src 'none'; script-src {SERVICE} 'wasm-unsafe-eval'; img-src *"
            )),
            SERVICE,
            PAGE,
            false,
        );
        assert_eq!(none.len(), 1);
        assert_eq!(
            (none[0].directive, none[0].add.as_str()),
            ("connect-src", SERVICE)
        );
        // Only wasm missing under default-src: a script-src with it.
        let wasm = missing(
            &parse_header(&format!("default-src 'self' {SERVICE}")),
            SERVICE,
            PAGE,
            false,
        );
        assert_eq!(wasm.len(), 1);
        assert_eq!(
            (wasm[0].directive, wasm[0].need),
            ("script-src", Need::Wasm)
        );
        assert_eq!(wasm[0].add, format!("'self' {SERVICE} 'wasm-unsafe-eval'"));
        // script-src-elem decides for the tag; script-src for wasm.
        assert_eq!(
            missing_in(&format!(
                "script-src-elem {SERVICE}; script-src 'none'; connect-src https:; img-src https:"
            )),
            [("script-src", "'wasm-unsafe-eval'".to_owned())]
        );
        assert_eq!(
            missing_in(&format!(
                "script-src-elem 'self'; script-src {SERVICE} 'unsafe-eval'; connect-src *; img-src *"
            )),
            [("script-src-elem", SERVICE.to_owned())]
        );
        // A policy without the directives leaves them open.
        assert!(missing_in("frame-ancestors 'none'; base-uri 'self'").is_empty());
    }

    #[test]
    fn every_policy_of_a_page_is_enforced() {
        let two =
            format!("script-src * 'wasm-unsafe-eval', connect-src {SERVICE}, connect-src 'self'");
        assert_eq!(missing_in(&two), [("connect-src", SERVICE.to_owned())]);
    }

    #[test]
    fn source_expressions_match_as_specified() {
        let page = Target::parse(PAGE).unwrap_or_else(|| panic!("page"));
        let url = Target::parse(&format!("{SERVICE}/api/v1/x")).unwrap_or_else(|| panic!("url"));
        let yes = |s: &str| allows(&[s.to_owned()], &url, &page);
        for ok in [
            "*",
            "https:",
            "http:",
            "aduan.baliprov.go.id",
            "https://aduan.baliprov.go.id",
            "http://aduan.baliprov.go.id",
            "https://aduan.baliprov.go.id:443",
            "https://aduan.baliprov.go.id:*",
            "*.baliprov.go.id",
            "https://*.go.id",
            "https://aduan.baliprov.go.id/api/",
            "https://aduan.baliprov.go.id/api/v1/x",
            "HTTPS://ADUAN.BALIPROV.GO.ID",
        ] {
            assert!(yes(ok), "{ok}");
        }
        for no in [
            "'self'",
            "'none'",
            "'unsafe-inline'",
            "'nonce-abc'",
            "data:",
            "wss:",
            "badungkab.go.id",
            "https://aduan.baliprov.go.id:8443",
            "*.aduan.baliprov.go.id",
            "https://aduan.baliprov.go.id/other/",
            "https://aduan.baliprov.go.id/api",
            "ftp://aduan.baliprov.go.id",
        ] {
            assert!(!yes(no), "{no}");
        }
        // 'self' on the service's own page.
        let own = Target::parse(&format!("{SERVICE}/demo")).unwrap_or_else(|| panic!("own"));
        assert!(allows(&["'self'".to_owned()], &url, &own));
        // A scheme-less host on an http page admits https too, not the reverse.
        let plain = Target::parse("http://badung.test/").unwrap_or_else(|| panic!("plain"));
        assert!(allows(&["aduan.baliprov.go.id".to_owned()], &url, &plain));
        let http_url =
            Target::parse("http://aduan.baliprov.go.id/x").unwrap_or_else(|| panic!("u"));
        assert!(!allows(
            &["https://aduan.baliprov.go.id".to_owned()],
            &http_url,
            &page
        ));
        // A ws: source admits the secure wss: too, and neither admits https.
        let socket =
            Target::parse("wss://aduan.baliprov.go.id/live").unwrap_or_else(|| panic!("wss"));
        assert!(allows(&["ws:".to_owned()], &socket, &page));
        assert!(allows(&["wss:".to_owned()], &socket, &page));
        assert!(!allows(&["https:".to_owned()], &socket, &page));
        assert!(!allows(&["ws:".to_owned()], &url, &page));
        let plain_socket =
            Target::parse("ws://aduan.baliprov.go.id/live").unwrap_or_else(|| panic!("ws"));
        assert!(!allows(&["wss:".to_owned()], &plain_socket, &page));
        // Ports other than the default must be named.
        let ported = Target::parse("http://127.0.0.1:8080/api").unwrap_or_else(|| panic!("p"));
        assert!(allows(
            &["http://127.0.0.1:8080".to_owned()],
            &ported,
            &plain
        ));
        assert!(!allows(&["http://127.0.0.1".to_owned()], &ported, &plain));
        assert!(allows(&["*".to_owned()], &ported, &plain));
    }

    fn target(scheme: &str, host: &str, port: u16, path: &str) -> Target {
        Target {
            scheme: scheme.into(),
            host: host.into(),
            port,
            path: path.into(),
        }
    }

    #[test]
    fn star_self_and_scheme_less_hosts_follow_the_page() {
        let one = |s: &str, url: &Target, page: &Target| allows(&[s.to_owned()], url, page);
        let https_page = target("https", "a.id", 443, "/");
        let http_page = target("http", "a.id", 80, "/");
        // `*`: any network scheme, or the page's own.
        assert!(one("*", &target("wss", "b.id", 443, "/"), &https_page));
        assert!(!one("*", &target("ftp", "b.id", 21, "/"), &https_page));
        assert!(one(
            "*",
            &target("ftp", "b.id", 21, "/"),
            &target("ftp", "a.id", 21, "/")
        ));
        // 'self': the page's origin, or its https upgrade.
        assert!(one(
            "'self'",
            &target("https", "a.id", 443, "/x"),
            &https_page
        ));
        assert!(one(
            "'self'",
            &target("https", "a.id", 443, "/x"),
            &http_page
        ));
        assert!(!one(
            "'self'",
            &target("http", "a.id", 80, "/x"),
            &https_page
        ));
        assert!(!one(
            "'self'",
            &target("https", "b.id", 443, "/x"),
            &http_page
        ));
        let ported = target("http", "a.id", 8080, "/");
        assert!(one("'self'", &target("https", "a.id", 8080, "/x"), &ported));
        assert!(!one(
            "'self'",
            &target("https", "a.id", 9443, "/x"),
            &ported
        ));
        assert!(!one(
            "'self'",
            &target("https", "a.id", 8080, "/x"),
            &http_page
        ));
        // A host without a scheme takes the page's: never http under https.
        assert!(!one("a.id", &target("http", "a.id", 80, "/"), &https_page));
        assert!(one("a.id", &target("https", "a.id", 443, "/"), &http_page));
    }

    #[test]
    fn every_need_is_told_in_both_languages() {
        for need in [
            Need::Scripts,
            Need::Wasm,
            Need::Connect,
            Need::Images,
            Need::Nonce,
        ] {
            let (en, id) = (need.say(true), need.say(false));
            assert!(!en.is_empty() && !id.is_empty());
            assert_ne!(en, id, "{need:?}");
        }
        assert_eq!(
            Need::Connect.say(true),
            "to send complaints and read their status"
        );
        assert_eq!(
            Need::Wasm.say(false),
            "untuk menjalankan formulir (WebAssembly)"
        );
    }

    #[test]
    fn a_source_naming_only_the_loader_file_still_stops_the_bundle() {
        let only_loader = missing_in(&format!(
            "script-src {SERVICE}/widget.js 'wasm-unsafe-eval'; connect-src *; img-src *"
        ));
        assert_eq!(only_loader, [("script-src", SERVICE.to_owned())]);
        let whole = missing_in(&format!(
            "script-src {SERVICE}/widget.js {SERVICE}/dist/ 'wasm-unsafe-eval'; connect-src *; img-src *"
        ));
        assert!(whole.is_empty(), "{whole:?}");
        // default-src alone that allows it all asks for nothing.
        assert!(missing_in("default-src * 'wasm-unsafe-eval'").is_empty());
    }

    #[test]
    fn strict_dynamic_asks_for_a_nonce_unless_the_tag_has_one() {
        let policy = parse_header(&format!(
            "script-src 'nonce-r4nd0m' 'strict-dynamic' 'wasm-unsafe-eval'; connect-src {SERVICE}; img-src {SERVICE}"
        ));
        let without = missing(&policy, SERVICE, PAGE, false);
        assert_eq!(without.len(), 1);
        assert_eq!(without[0].need, Need::Nonce);
        assert!(missing(&policy, SERVICE, PAGE, true).is_empty());
    }

    #[test]
    fn repeated_directives_count_once_and_names_ignore_case() {
        let p = Policy::parse("Connect-Src 'none'; connect-src *; ;  ");
        assert_eq!(p.directives.len(), 1);
        assert_eq!(p.directives[0].0, "connect-src");
        assert_eq!(p.directives[0].1, ["'none'"]);
        assert!(parse_header(" , ").is_empty());
    }
}
