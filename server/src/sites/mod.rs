//! Webmasters' sites: where a region's widget may take complaints, how it
//! looks there, and whether it works.
//!
//! - [`origin`]: the browser origins a site lists, and which they admit.
//! - [`theme`]: the accent colour's contrast (WCAG AA).
//! - [`csp`]: what a host page's Content-Security-Policy stops.
//! - [`page`]: reading a fetched page (the tag, `<meta>` policies).
//! - [`gate`]: the rule that refuses an unregistered origin.
//! - [`check`]: the active check, fetching the page through the egress guard.

pub mod check;
pub mod csp;
pub mod gate;
pub mod origin;
pub mod page;
pub mod theme;

use aduan_app::api::Locale;

/// Longest site name, in characters.
pub const NAME_MAX: usize = 120;
/// Longest launcher text, in characters.
pub const LAUNCHER_MAX: usize = 40;
/// Most origins one site lists.
pub const ORIGINS_MAX: usize = 20;
/// Largest corner radius, in pixels.
pub const RADIUS_MAX: i64 = 24;
/// Where the inline snippet mounts the form.
pub const INLINE_TARGET: &str = "aduan-pengaduan";

/// A site as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Site {
    pub id: i64,
    pub site_key: String,
    pub region_slug: String,
    pub name: String,
    pub lang: String,
    pub theme: String,
    pub accent: String,
    pub radius: i64,
    pub launcher: String,
    pub position: String,
    pub mode: String,
    pub check_url: Option<String>,
    pub check_at: Option<i64>,
    pub check_result: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// CSP reports kept per site (the oldest go).
pub const CSP_KEPT: i64 = 50;
/// Origins a site was seen on, kept per site (the oldest go).
pub const SEEN_KEPT: i64 = 20;
/// Unregistered origins kept per region (the oldest go).
pub const REFUSALS_KEPT: i64 = 20;

/// Where a site's widget was seen loading: the origin and bundle version.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Seen {
    pub origin: String,
    pub version: String,
    pub seen_at: i64,
}

/// A site, its origins and where it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRow {
    pub site: Site,
    pub origins: Vec<String>,
    pub seen: Vec<Seen>,
}

/// What a page's policy blocked of the widget, counted.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CspReport {
    pub origin: String,
    pub directive: String,
    pub blocked: String,
    pub reports: i64,
    pub first_at: i64,
    pub last_at: i64,
}

/// Everything a site's page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteDetail {
    pub row: SiteRow,
    pub csp: Vec<CspReport>,
}

/// An origin a region's widget was used from without being registered.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Refusal {
    pub region_slug: String,
    pub origin: String,
    /// Complaints, replies or uploads refused.
    pub refused: i64,
    /// Times the widget loaded there.
    pub loaded: i64,
    pub last_at: i64,
}

/// A site to create (no `id`; `key` and `region` used) or change.
#[derive(Debug, Clone)]
pub struct SiteWrite {
    pub id: Option<i64>,
    pub key: String,
    pub region: String,
    pub settings: Settings,
    pub at_ms: i64,
}

/// Something recorded about a site or an origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteNote {
    /// A request from an unregistered origin was refused.
    Refused { region: String, origin: String },
    /// The widget loaded on an unregistered origin.
    Loaded { region: String, origin: String },
    /// The widget loaded on a registered origin (the heartbeat).
    Seen {
        site_id: i64,
        origin: String,
        version: String,
    },
    /// A page's policy blocked part of the widget.
    Csp {
        site_id: i64,
        origin: String,
        directive: String,
        blocked: String,
    },
    /// A webmaster set an unregistered origin aside.
    Dismiss { region: String, origin: String },
    /// The active check's result (JSON).
    Check {
        site_id: i64,
        url: String,
        result: String,
    },
}

/// What a site's form sets, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub name: String,
    pub origins: Vec<String>,
    pub lang: String,
    pub theme: String,
    pub accent: String,
    pub radius: i64,
    pub launcher: String,
    pub position: String,
    pub mode: String,
}

/// A site's form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct SettingsInput {
    pub name: String,
    /// One origin per line (commas and spaces also separate).
    pub origins: String,
    pub lang: String,
    pub theme: String,
    pub accent: String,
    pub radius: String,
    pub launcher: String,
    pub position: String,
    pub mode: String,
}

impl SettingsInput {
    /// The form filled with a stored site.
    pub fn of(site: &Site, origins: &[String]) -> SettingsInput {
        SettingsInput {
            name: site.name.clone(),
            origins: origins.join("\n"),
            lang: site.lang.clone(),
            theme: site.theme.clone(),
            accent: site.accent.clone(),
            radius: site.radius.to_string(),
            launcher: site.launcher.clone(),
            position: site.position.clone(),
            mode: site.mode.clone(),
        }
    }
}

/// The languages the widget speaks.
pub fn languages() -> impl Iterator<Item = Locale> {
    Locale::ALL.into_iter()
}

/// Checks a site's form: the settings, or one sentence per field.
pub fn check_settings(
    input: &SettingsInput,
    locale: Locale,
) -> Result<Settings, Vec<(&'static str, String)>> {
    let en = locale == Locale::En;
    let say = |id: &str, e: &str| if en { e.to_owned() } else { id.to_owned() };
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        problems.push(("name", say("Isi nama situs.", "Give the site a name.")));
    } else if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        problems.push((
            "name",
            say(
                "Nama situs paling banyak 120 karakter, tanpa karakter kendali.",
                "A site name has at most 120 characters and no control characters.",
            ),
        ));
    }
    let mut origins: Vec<String> = Vec::new();
    for typed in input
        .origins
        .split(|c: char| c == '\n' || c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        match origin::parse_rule(typed) {
            Ok(o) if !origins.contains(&o) => origins.push(o),
            Ok(_) => {}
            Err(p) => problems.push(("origins", p.say(typed, locale))),
        }
    }
    if origins.is_empty() && !problems.iter().any(|(f, _)| *f == "origins") {
        problems.push((
            "origins",
            say(
                "Tulis setidaknya satu asal, misalnya https://badungkab.go.id.",
                "List at least one origin, e.g. https://badungkab.go.id.",
            ),
        ));
    }
    if origins.len() > ORIGINS_MAX {
        problems.push((
            "origins",
            say(
                "Paling banyak 20 asal per situs.",
                "At most 20 origins per site.",
            ),
        ));
    }
    let pick = |typed: &str, allowed: &[&str], default: &str| -> Option<String> {
        let t = typed.trim();
        if t.is_empty() {
            Some(default.to_owned())
        } else {
            allowed.contains(&t).then(|| t.to_owned())
        }
    };
    let keys: Vec<&str> = languages().map(|l| l.key()).collect();
    let lang = pick(&input.lang, &keys, "id");
    let theme = pick(&input.theme, &["auto", "light", "dark"], "auto");
    let position = pick(&input.position, &["right", "left"], "right");
    let mode = pick(&input.mode, &["floating", "inline"], "floating");
    for (field, value) in [
        ("lang", &lang),
        ("theme", &theme),
        ("position", &position),
        ("mode", &mode),
    ] {
        if value.is_none() {
            problems.push((
                field,
                say(
                    "Pilih salah satu pilihan yang ada.",
                    "Choose one of the options.",
                ),
            ));
        }
    }
    let radius = match input.radius.trim() {
        "" => Some(6),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|r| (0..=RADIUS_MAX).contains(r)),
    };
    if radius.is_none() {
        problems.push((
            "radius",
            say(
                "Sudut: bilangan bulat 0 sampai 24 piksel.",
                "Corner radius: a whole number from 0 to 24 pixels.",
            ),
        ));
    }
    let accent_typed = if input.accent.trim().is_empty() {
        "#0b5cad"
    } else {
        input.accent.trim()
    };
    let accent = match theme::Rgb::parse(accent_typed) {
        None => {
            problems.push((
                "accent",
                say(
                    "Warna aksen ditulis #rrggbb, misalnya #0b5cad.",
                    "Write the accent colour as #rrggbb, e.g. #0b5cad.",
                ),
            ));
            None
        }
        Some(rgb) => {
            let verdict = theme::check(rgb, theme.as_deref().unwrap_or("auto"));
            if verdict.passes() {
                Some(rgb.hex())
            } else {
                problems.push(("accent", contrast_refusal(rgb, &verdict, locale)));
                None
            }
        }
    };
    let launcher = input.launcher.trim().to_owned();
    if launcher.chars().count() > LAUNCHER_MAX || launcher.chars().any(char::is_control) {
        problems.push((
            "launcher",
            say(
                "Teks tombol paling banyak 40 karakter.",
                "The launcher text has at most 40 characters.",
            ),
        ));
    }
    match (lang, theme, position, mode, radius, accent) {
        (Some(lang), Some(theme), Some(position), Some(mode), Some(radius), Some(accent))
            if problems.is_empty() =>
        {
            Ok(Settings {
                name,
                origins,
                lang,
                theme,
                accent,
                radius,
                launcher,
                position,
                mode,
            })
        }
        _ => Err(problems),
    }
}

/// Why an accent is refused: its ratio, the threshold, the closest colour
/// that passes.
pub fn contrast_refusal(accent: theme::Rgb, verdict: &theme::Verdict, locale: Locale) -> String {
    let failing: Vec<String> = verdict
        .measures
        .iter()
        .filter(|m| m.required && !m.passes())
        .map(|m| {
            let on = match (m.against, locale) {
                ("light", Locale::En) => "on the light background",
                ("light", Locale::Id | Locale::Ban) => "pada latar terang",
                ("dark", Locale::En) => "on the dark background",
                ("dark", Locale::Id | Locale::Ban) => "pada latar gelap",
                (_, Locale::En) => "for text on it",
                (_, Locale::Id | Locale::Ban) => "untuk teks di atasnya",
            };
            format!("{:.1}:1 {on} ({:.1}:1)", m.ratio, m.needed)
        })
        .collect();
    let suggestion = verdict.suggestion.map(theme::Rgb::hex);
    match locale {
        Locale::En => format!(
            "{} does not meet WCAG AA contrast: {}.{}",
            accent.hex(),
            failing.join(", "),
            suggestion.map_or(String::new(), |s| format!(
                " The closest colour that does is {s}."
            ))
        ),
        Locale::Id | Locale::Ban => format!(
            "{} belum memenuhi kontras WCAG AA: {}.{}",
            accent.hex(),
            failing.join(", "),
            suggestion.map_or(String::new(), |s| format!(
                " Warna terdekat yang memenuhi: {s}."
            ))
        ),
    }
}

/// A new public site key: 16 lower-case hex digits.
pub fn new_key() -> String {
    crate::auth::random_token()[..16].to_owned()
}

/// Whether text could be a site key (checked before any look-up).
pub fn is_key(text: &str) -> bool {
    text.len() == 16 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What a webmaster pastes, for a service at `service` (no trailing slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The one tag (and, inline, the element it fills).
    pub tag: String,
    /// An optional link that opens the form (and is the hosted form without script).
    pub link: String,
    /// The tag with the launcher's look written out, for a first paint
    /// without waiting for the settings (the attributes then win).
    pub tag_with_look: String,
}

/// The snippet for `site`.
pub fn snippet(site: &Site, service: &str) -> Snippet {
    let key = &site.site_key;
    let inline = site.mode == "inline";
    let (before, target) = if inline {
        (
            format!("<div id=\"{INLINE_TARGET}\"></div>\n"),
            format!(" data-target=\"#{INLINE_TARGET}\""),
        )
    } else {
        (String::new(), String::new())
    };
    let tag = format!(
        "{before}<script src=\"{service}/widget.js\" data-site=\"{key}\"{target} async></script>"
    );
    let mut look = String::new();
    if !inline {
        look.push_str(&format!(
            " data-accent=\"{}\" data-position=\"{}\"",
            site.accent, site.position
        ));
        if !site.launcher.is_empty() {
            look.push_str(&format!(
                " data-launcher=\"{}\"",
                attr_escape(&site.launcher)
            ));
        }
    }
    let tag_with_look = format!(
        "{before}<script src=\"{service}/widget.js\" data-site=\"{key}\"{target}{look} async></script>"
    );
    let words = if site.launcher.is_empty() {
        match site.lang.as_str() {
            "en" => "File a complaint".to_owned(),
            _ => "Sampaikan pengaduan".to_owned(),
        }
    } else {
        attr_escape(&site.launcher)
    };
    Snippet {
        tag,
        link: format!("<a href=\"{service}/s/{key}\" data-aduan-open>{words}</a>"),
        tag_with_look,
    }
}

fn attr_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The settings the loader reads (`GET /api/v1/sites/{key}`), named as the
/// tag's data attributes so that the tag's own attributes win.
pub fn loader_settings(site: &Site) -> serde_json::Value {
    serde_json::json!({
        "site": site.site_key,
        "region": site.region_slug,
        "lang": site.lang,
        "theme": site.theme,
        "accent": site.accent,
        "radius": format!("{}px", site.radius),
        "launcher": site.launcher,
        "position": site.position,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SettingsInput {
        SettingsInput {
            name: "Portal Kabupaten Badung".into(),
            origins: "https://badungkab.go.id\nhttps://*.badungkab.go.id, https://badungkab.go.id/"
                .into(),
            ..SettingsInput::default()
        }
    }

    fn site() -> Site {
        Site {
            id: 1,
            site_key: "0123456789abcdef".into(),
            region_slug: "badung".into(),
            name: "Portal".into(),
            lang: "id".into(),
            theme: "auto".into(),
            accent: "#0b5cad".into(),
            radius: 6,
            launcher: String::new(),
            position: "right".into(),
            mode: "floating".into(),
            check_url: None,
            check_at: None,
            check_result: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn a_site_form_with_only_a_name_and_origins_takes_the_defaults() {
        let s = check_settings(&input(), Locale::En).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            s.origins,
            ["https://badungkab.go.id", "https://*.badungkab.go.id"]
        );
        assert_eq!(
            (
                s.lang.as_str(),
                s.theme.as_str(),
                s.accent.as_str(),
                s.radius,
                s.position.as_str(),
                s.mode.as_str()
            ),
            ("id", "auto", "#0b5cad", 6, "right", "floating")
        );
    }

    #[test]
    fn each_bad_field_is_named_with_a_sentence() {
        let bad = SettingsInput {
            name: " ".into(),
            origins: "badungkab.go.id".into(),
            lang: "fr".into(),
            theme: "neon".into(),
            accent: "#ffd700".into(),
            radius: "30".into(),
            launcher: "x".repeat(41),
            position: "top".into(),
            mode: "popup".into(),
        };
        let problems = check_settings(&bad, Locale::En).err().unwrap_or_default();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        for f in [
            "name", "origins", "lang", "theme", "radius", "launcher", "position", "mode",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
        let theme_fallback = check_settings(
            &SettingsInput {
                accent: "#ffd700".into(),
                ..input()
            },
            Locale::En,
        )
        .err()
        .unwrap_or_default();
        let accent = &theme_fallback
            .iter()
            .find(|(f, _)| *f == "accent")
            .unwrap_or_else(|| panic!("no accent"))
            .1;
        assert!(
            accent.starts_with(
                "#ffd700 does not meet WCAG AA contrast: 1.4:1 on the light background (3.0:1)."
            ),
            "{accent}"
        );
        assert!(
            accent.contains("The closest colour that does is #"),
            "{accent}"
        );
        let none = check_settings(
            &SettingsInput {
                origins: String::new(),
                ..input()
            },
            Locale::Id,
        )
        .err()
        .unwrap_or_default();
        assert_eq!(
            none,
            [(
                "origins",
                "Tulis setidaknya satu asal, misalnya https://badungkab.go.id.".to_owned()
            )]
        );
        let many = (0..21)
            .map(|i| format!("https://s{i}.badungkab.go.id"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            check_settings(
                &SettingsInput {
                    origins: many,
                    ..input()
                },
                Locale::En
            )
            .is_err()
        );
        let twenty = (0..20)
            .map(|i| format!("https://s{i}.badungkab.go.id"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            check_settings(
                &SettingsInput {
                    origins: twenty,
                    ..input()
                },
                Locale::En
            )
            .is_ok()
        );
        for (radius, ok) in [
            ("0", true),
            ("24", true),
            ("-1", false),
            ("25", false),
            ("6px", false),
        ] {
            assert_eq!(
                check_settings(
                    &SettingsInput {
                        radius: radius.into(),
                        ..input()
                    },
                    Locale::En
                )
                .is_ok(),
                ok,
                "{radius}"
            );
        }
        let forty = "x".repeat(40);
        assert!(
            check_settings(
                &SettingsInput {
                    launcher: forty,
                    ..input()
                },
                Locale::En
            )
            .is_ok()
        );
        assert!(
            check_settings(
                &SettingsInput {
                    launcher: "a\u{7}".into(),
                    ..input()
                },
                Locale::En
            )
            .is_err()
        );
        assert!(
            check_settings(
                &SettingsInput {
                    name: "x".repeat(121),
                    ..input()
                },
                Locale::En
            )
            .is_err()
        );
        assert!(
            check_settings(
                &SettingsInput {
                    name: "x".repeat(120),
                    ..input()
                },
                Locale::En
            )
            .is_ok()
        );
    }

    #[test]
    fn the_snippet_is_one_tag_and_inline_names_its_target() {
        let s = snippet(&site(), "https://aduan.example");
        assert_eq!(
            s.tag,
            r#"<script src="https://aduan.example/widget.js" data-site="0123456789abcdef" async></script>"#
        );
        assert_eq!(
            s.link,
            r#"<a href="https://aduan.example/s/0123456789abcdef" data-aduan-open>Sampaikan pengaduan</a>"#
        );
        assert!(
            s.tag_with_look
                .contains(r##"data-accent="#0b5cad" data-position="right""##)
        );
        let inline = snippet(
            &Site {
                mode: "inline".into(),
                launcher: "Lapor \"di sini\" <b>".into(),
                lang: "en".into(),
                ..site()
            },
            "https://aduan.example",
        );
        assert!(
            inline
                .tag
                .starts_with("<div id=\"aduan-pengaduan\"></div>\n<script "),
            "{}",
            inline.tag
        );
        assert!(inline.tag.contains(r##"data-target="#aduan-pengaduan""##));
        assert!(inline.link.contains("Lapor &quot;di sini&quot; &lt;b&gt;"));
        let floating = snippet(
            &Site {
                launcher: "A&B".into(),
                ..site()
            },
            "https://aduan.example",
        );
        assert!(floating.tag_with_look.contains("data-launcher=\"A&amp;B\""));
        let english = snippet(
            &Site {
                lang: "en".into(),
                ..site()
            },
            "https://aduan.example",
        );
        assert!(english.link.ends_with(">File a complaint</a>"));
    }

    #[test]
    fn keys_are_sixteen_hex_digits() {
        let k = new_key();
        assert!(is_key(&k), "{k}");
        assert_ne!(k, new_key());
        for bad in [
            "",
            "0123456789abcde",
            "0123456789abcdeF",
            "0123456789abcdefa",
            "0123456789abcdeg",
        ] {
            assert!(!is_key(bad), "{bad}");
        }
    }

    #[test]
    fn the_loader_reads_the_settings_under_its_attribute_names() {
        let v = loader_settings(&Site {
            radius: 12,
            ..site()
        });
        assert_eq!(v["region"], "badung");
        assert_eq!(v["radius"], "12px");
        assert_eq!(v["site"], "0123456789abcdef");
        assert_eq!(v["accent"], "#0b5cad");
    }
}
