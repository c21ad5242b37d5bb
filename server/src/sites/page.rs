//! Reading a webmaster's page as the active check fetched it: the
//! widget's script tag and the policies in `<meta http-equiv>` tags. A
//! small tag scanner, not a browser: it reads start tags and their
//! attributes and skips comments.

/// A start tag: its name and attributes (names lower case, values with the
/// common character references decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    pub attributes: Vec<(String, String)>,
}

impl Tag {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Most tags kept from one page.
pub const TAGS_MAX: usize = 5_000;
/// Most attributes kept from one tag.
pub const ATTRIBUTES_MAX: usize = 64;

/// Elements whose content is text, not markup: the scanner skips to their end.
const RAW: [&str; 6] = [
    "script", "style", "textarea", "title", "template", "noscript",
];

/// Every `<script>` start tag of `html`, and every `<meta>` one before the
/// `<body>` (a policy in a `<meta>` counts only in the head), in order.
/// One pass over the page whatever its shape.
pub fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let bytes = html.as_bytes();
    let mut in_body = false;
    let mut i = 0;
    while out.len() < TAGS_MAX
        && let Some(at) = html[i..].find('<')
    {
        let start = i + at;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(html.len(), |e| start + e + 3);
            continue;
        }
        let name_len = rest[1..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let name = rest[1..=name_len].to_ascii_lowercase();
        let (attributes, end) = read_attributes(html, start + 1 + name_len);
        i = end.max(start + 1);
        in_body |= name == "body";
        if name == "script" || (name == "meta" && !in_body) {
            out.push(Tag {
                name: name.clone(),
                attributes,
            });
        }
        if RAW.contains(&name.as_str()) {
            let close = format!("</{name}");
            i = find_ignoring_case(bytes, i, close.as_bytes()).unwrap_or(html.len());
        }
    }
    out
}

/// Where `needle` (ASCII) starts at or after `from`, ignoring ASCII case.
fn find_ignoring_case(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

fn read_attributes(html: &str, mut i: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut attributes = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attributes, i);
        }
        if b[i] == b'>' {
            return (attributes, i + 1);
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i];
                let from = i + 1;
                let to = html[from..]
                    .bytes()
                    .position(|c| c == quote)
                    .map_or(b.len(), |p| from + p);
                value = decode(&html[from..to]);
                i = (to + 1).min(b.len());
            } else {
                let from = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = decode(&html[from..i]);
            }
        }
        if !name.is_empty()
            && attributes.len() < ATTRIBUTES_MAX
            && !attributes.iter().any(|(n, _)| *n == name)
        {
            attributes.push((name, value));
        }
    }
}

fn decode(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The widget's tag as found on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// No script tag loads `SERVICE/widget.js`.
    Missing,
    /// The tag, with the site key it names (if any), the region (if any),
    /// and whether it carries a nonce.
    Tag {
        site: Option<String>,
        region: Option<String>,
        nonce: bool,
    },
}

/// Finds the widget's tag on a page at `page_url`: a script whose `src`
/// resolves to `service` + `/widget.js`.
pub fn find_widget(tags: &[Tag], page_url: &str, service: &str) -> Found {
    let Ok(page) = reqwest::Url::parse(page_url) else {
        return Found::Missing;
    };
    let Ok(wanted) = reqwest::Url::parse(&format!("{service}/widget.js")) else {
        return Found::Missing;
    };
    for tag in tags.iter().filter(|t| t.name == "script") {
        let Some(src) = tag.get("src") else { continue };
        let Ok(url) = page.join(src.trim()) else {
            continue;
        };
        if url.origin() == wanted.origin() && url.path() == wanted.path() {
            let text = |n: &str| {
                tag.get(n)
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            return Found::Tag {
                site: text("data-site"),
                region: text("data-region"),
                nonce: tag.get("nonce").is_some_and(|n| !n.is_empty()),
            };
        }
    }
    Found::Missing
}

/// The policies a page sets in `<meta http-equiv="Content-Security-Policy">`.
pub fn meta_policies(tags: &[Tag]) -> Vec<String> {
    tags.iter()
        .filter(|t| t.name == "meta")
        .filter(|t| {
            t.get("http-equiv")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("content-security-policy"))
        })
        .filter_map(|t| t.get("content").map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &str = "https://aduan.baliprov.go.id";

    #[test]
    fn the_tag_is_found_with_its_key_however_it_is_written() {
        let html = r#"<!doctype html><html><head>
            <!-- <script src="https://aduan.baliprov.go.id/widget.js" data-site="old"></script> -->
            <meta charset=utf-8>
            <script>var s = "<script src='https://aduan.baliprov.go.id/widget.js' data-site='inline'>";</script>
            <SCRIPT async SRC='//aduan.baliprov.go.id/widget.js' Data-Site = "k3y&amp;1" nonce="abc"></SCRIPT>
            </head></html>"#;
        let found = find_widget(&tags(html), "https://badungkab.go.id/", SERVICE);
        assert_eq!(
            found,
            Found::Tag {
                site: Some("k3y&1".into()),
                region: None,
                nonce: true
            }
        );
    }

    #[test]
    fn a_relative_src_resolves_against_the_page_and_other_hosts_do_not_count() {
        let on_service = r#"<script src="/widget.js" data-region="badung" async></script>"#;
        assert_eq!(
            find_widget(
                &tags(on_service),
                "https://aduan.baliprov.go.id/demo",
                SERVICE
            ),
            Found::Tag {
                site: None,
                region: Some("badung".into()),
                nonce: false
            }
        );
        assert_eq!(
            find_widget(&tags(on_service), "https://badungkab.go.id/", SERVICE),
            Found::Missing
        );
        let lookalike = r#"<script src="https://aduan.baliprov.go.id.evil.id/widget.js" data-site="x"></script>
            <script src="https://aduan.baliprov.go.id/widget.json"></script><script data-site="y"></script>"#;
        assert_eq!(
            find_widget(&tags(lookalike), "https://badungkab.go.id/", SERVICE),
            Found::Missing
        );
        assert_eq!(find_widget(&[], "not a url", SERVICE), Found::Missing);
    }

    #[test]
    fn meta_policies_are_read_and_other_metas_are_not() {
        let html = r#"<meta http-equiv="Content-Security-Policy" content="default-src 'self'">
            <meta http-equiv=refresh content="5"><meta name="csp" content="x">
            <meta HTTP-EQUIV=' content-security-policy ' content='connect-src &quot;x&quot;'>"#;
        assert_eq!(
            meta_policies(&tags(html)),
            ["default-src 'self'", "connect-src \"x\""]
        );
    }

    #[test]
    fn text_elements_and_the_body_hide_what_a_browser_would_not_run() {
        let html = format!(
            r#"<head><meta http-equiv="Content-Security-Policy" content="a"></head><body>
            <meta http-equiv="Content-Security-Policy" content="in the body">
            <template><script src="{SERVICE}/widget.js" data-site="t"></script></template>
            <noscript><script src="{SERVICE}/widget.js" data-site="n"></script></noscript>
            <TEXTAREA><script src="{SERVICE}/widget.js" data-site="x"></script></TEXTAREA>
            <style>/* <script src="{SERVICE}/widget.js" data-site="s"> */</style>
            <script src="{SERVICE}/widget.js" data-site="real"></script>"#
        );
        let t = tags(&html);
        assert_eq!(meta_policies(&t), ["a"]);
        assert_eq!(
            find_widget(&t, "https://badungkab.go.id/", SERVICE),
            Found::Tag {
                site: Some("real".into()),
                region: None,
                nonce: false
            }
        );
    }

    #[test]
    fn a_hostile_page_is_read_in_one_pass_and_kept_small() {
        // Many scripts and a tag with very many attributes: linear, capped.
        let many = "<script></script>".repeat(120_000);
        let started = std::time::Instant::now();
        let t = tags(&many);
        assert_eq!(t.len(), TAGS_MAX);
        let attributes: String = (0..200_000).map(|i| format!(" a{i}=1")).collect();
        let wide = format!("<script{attributes} src=x>");
        let t = tags(&wide);
        assert_eq!(t[0].attributes.len(), ATTRIBUTES_MAX);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(find_ignoring_case(b"abc</SCRIPT>", 0, b"</script"), Some(3));
        assert_eq!(find_ignoring_case(b"abc", 5, b"</script"), None);
    }

    #[test]
    fn broken_markup_ends_without_a_panic() {
        for html in [
            "<",
            "<script",
            "<script src=",
            "<meta content='x",
            "<!--",
            "<script>never closed",
            "<<>>",
            "<a b=c d>",
        ] {
            let _ = tags(html);
        }
        let t = tags("<script src=a.js defer>");
        assert_eq!(t[0].get("src"), Some("a.js"));
        assert_eq!(t[0].get("defer"), Some(""));
    }
}
