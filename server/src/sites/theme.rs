//! The widget's accent colour checked against WCAG 2.2 AA: the text on a
//! filled button (black or white, whichever reads better, needs 4.5:1) and
//! the accent itself as a focus ring and button edge on the widget's
//! background (a user-interface component, 3:1, success criterion 1.4.11).

/// The widget's light background.
pub const LIGHT_BG: Rgb = Rgb(0xff, 0xff, 0xff);
/// The widget's dark background.
pub const DARK_BG: Rgb = Rgb(0x16, 0x1b, 0x22);
/// Text on the accent (AA, normal text).
pub const TEXT_MIN: f64 = 4.5;
/// The accent against the background (AA, non-text contrast).
pub const EDGE_MIN: f64 = 3.0;

/// A colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rgb` or `#rrggbb`, any case.
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.trim().strip_prefix('#')?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let digit = |i: usize| u8::from_str_radix(&hex[i..=i], 16).ok();
        match hex.len() {
            3 => Some(Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
            6 => Some(Rgb(
                u8::from_str_radix(&hex[0..2], 16).ok()?,
                u8::from_str_radix(&hex[2..4], 16).ok()?,
                u8::from_str_radix(&hex[4..6], 16).ok()?,
            )),
            _ => None,
        }
    }

    /// `#rrggbb`, lower case.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance (WCAG 2.2).
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// The contrast ratio with another colour, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// Black or white, whichever reads better on this colour (the loader
    /// makes the same choice).
    pub fn text_on(self) -> Rgb {
        let black = Rgb(0, 0, 0);
        let white = Rgb(0xff, 0xff, 0xff);
        if self.contrast(black) > self.contrast(white) {
            black
        } else {
            white
        }
    }

    /// This colour moved `step`/100 of the way towards `target`.
    fn towards(self, target: Rgb, step: u8) -> Rgb {
        let mix = |a: u8, b: u8| {
            let (a, b, t) = (i32::from(a), i32::from(b), i32::from(step));
            u8::try_from(a + (b - a) * t / 100).unwrap_or(0)
        };
        Rgb(
            mix(self.0, target.0),
            mix(self.1, target.1),
            mix(self.2, target.2),
        )
    }
}

/// One measured pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// `text` (on the accent) or `light` / `dark` (the accent on that background).
    pub against: &'static str,
    pub ratio: f64,
    pub needed: f64,
    /// A failure here refuses the colour; otherwise it is a warning.
    pub required: bool,
}

impl Measure {
    pub fn passes(&self) -> bool {
        self.ratio >= self.needed
    }
}

/// The accent's contrast for a theme (`light`, `dark` or `auto`): the
/// measures, and the closest colour that passes every required one when
/// this one does not.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub measures: Vec<Measure>,
    pub suggestion: Option<Rgb>,
}

impl Verdict {
    /// True when no required measure fails.
    pub fn passes(&self) -> bool {
        self.measures.iter().all(|m| m.passes() || !m.required)
    }
}

/// Checks `accent` for `theme`. Under `auto` the light background is
/// required and the dark one advised: most readers see the light one, and
/// a colour that suits both is not always possible.
pub fn check(accent: Rgb, theme: &str) -> Verdict {
    let backgrounds: &[(&'static str, Rgb, bool)] = match theme {
        "dark" => &[("dark", DARK_BG, true)],
        "light" => &[("light", LIGHT_BG, true)],
        _ => &[("light", LIGHT_BG, true), ("dark", DARK_BG, false)],
    };
    let measure = |c: Rgb| {
        let mut all = vec![Measure {
            against: "text",
            ratio: c.contrast(c.text_on()),
            needed: TEXT_MIN,
            required: true,
        }];
        all.extend(backgrounds.iter().map(|(name, bg, required)| Measure {
            against: name,
            ratio: c.contrast(*bg),
            needed: EDGE_MIN,
            required: *required,
        }));
        all
    };
    let measures = measure(accent);
    let ok = |m: &[Measure]| m.iter().all(|m| m.passes() || !m.required);
    if ok(&measures) {
        return Verdict {
            measures,
            suggestion: None,
        };
    }
    // Darker on a light background, lighter on a dark one, a step at a time.
    let target = if backgrounds[0].1 == LIGHT_BG {
        Rgb(0, 0, 0)
    } else {
        Rgb(0xff, 0xff, 0xff)
    };
    let suggestion = (1..=100)
        .map(|step| accent.towards(target, step))
        .find(|c| ok(&measure(*c)));
    Verdict {
        measures,
        suggestion,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb(text: &str) -> Rgb {
        Rgb::parse(text).unwrap_or_else(|| panic!("{text}"))
    }

    #[test]
    fn colours_are_read_in_both_hex_forms_and_nothing_else() {
        assert_eq!(Rgb::parse("#0b5cad"), Some(Rgb(0x0b, 0x5c, 0xad)));
        assert_eq!(Rgb::parse(" #0B5CAD "), Some(Rgb(0x0b, 0x5c, 0xad)));
        assert_eq!(Rgb::parse("#fa0"), Some(Rgb(0xff, 0xaa, 0x00)));
        for bad in [
            "0b5cad", "#0b5ca", "#0b5cadd", "#ggg", "#", "", "red", "#12345g", "#+1+2+3",
        ] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
        assert_eq!(rgb("#0B5CAD").hex(), "#0b5cad");
    }

    #[test]
    fn ratios_match_the_wcag_definition() {
        let white = rgb("#fff");
        let black = rgb("#000");
        assert!((white.contrast(black) - 21.0).abs() < 1e-9);
        assert!((black.contrast(white) - 21.0).abs() < 1e-9);
        assert!((white.contrast(white) - 1.0).abs() < 1e-9);
        // Reference values from the WCAG contrast formula.
        assert!((rgb("#767676").contrast(white) - 4.54).abs() < 0.01);
        assert!((rgb("#0b5cad").contrast(white) - 6.67).abs() < 0.01);
        assert!((rgb("#808080").luminance() - 0.2159).abs() < 0.001);
        // The sRGB knee: 10/255 is below it, 11/255 above.
        assert!((Rgb(10, 10, 10).luminance() - (10.0 / 255.0) / 12.92).abs() < 1e-9);
        assert!(Rgb(11, 11, 11).luminance() > Rgb(10, 10, 10).luminance());
        assert_eq!(rgb("#ffd700").text_on(), rgb("#000"));
        assert_eq!(rgb("#0b5cad").text_on(), rgb("#fff"));
    }

    #[test]
    fn a_colour_moves_towards_another_by_hundredths() {
        let c = Rgb(200, 100, 0);
        assert_eq!(c.towards(Rgb(0, 0, 0), 50), Rgb(100, 50, 0));
        assert_eq!(c.towards(Rgb(0, 0, 0), 1), Rgb(198, 99, 0));
        assert_eq!(c.towards(Rgb(255, 255, 255), 100), Rgb(255, 255, 255));
        assert_eq!(c.towards(Rgb(255, 255, 255), 10), Rgb(205, 115, 25));
        assert_eq!(c.towards(c, 37), c);
    }

    #[test]
    fn a_dark_accent_passes_on_light_and_a_pale_one_is_refused_with_a_closer_colour() {
        let good = check(rgb("#0b5cad"), "light");
        assert!(good.passes(), "{good:?}");
        assert_eq!(good.suggestion, None);
        assert_eq!(good.measures.len(), 2);

        let pale = check(rgb("#ffd700"), "light");
        assert!(!pale.passes());
        let s = pale.suggestion.unwrap_or_else(|| panic!("no suggestion"));
        assert!(s.contrast(LIGHT_BG) >= EDGE_MIN, "{}", s.hex());
        // The closest: one step less dark would not pass.
        assert!(check(s, "light").passes());
        assert!(s.contrast(LIGHT_BG) < EDGE_MIN + 0.2, "{}", s.hex());
    }

    #[test]
    fn the_dark_theme_needs_a_light_enough_accent_and_auto_only_advises_it() {
        let navy = rgb("#0b2a5c");
        let dark = check(navy, "dark");
        assert!(!dark.passes());
        let lighter = dark.suggestion.unwrap_or_else(|| panic!("no suggestion"));
        assert!(lighter.contrast(DARK_BG) >= EDGE_MIN);
        assert!(lighter.luminance() > navy.luminance());

        let auto = check(navy, "auto");
        assert!(auto.passes(), "{auto:?}");
        let advised = auto
            .measures
            .iter()
            .find(|m| m.against == "dark")
            .unwrap_or_else(|| panic!("no dark measure"));
        assert!(!advised.required && !advised.passes());
        assert!(
            auto.measures
                .iter()
                .any(|m| m.against == "light" && m.required)
        );
    }

    #[test]
    fn text_on_the_accent_is_measured_at_the_text_threshold() {
        let v = check(rgb("#777777"), "light");
        let text = &v.measures[0];
        assert_eq!(text.against, "text");
        assert!((text.needed - TEXT_MIN).abs() < 1e-9);
        assert!(text.required);
        assert!(text.passes(), "{text:?}");
        let edge = &v.measures[1];
        assert!((edge.needed - EDGE_MIN).abs() < 1e-9);
        // #777 on white is 4.48:1: a good edge, and exactly where 4.5 would fail.
        assert!(edge.passes());
        assert!(edge.ratio < TEXT_MIN);
    }
}
