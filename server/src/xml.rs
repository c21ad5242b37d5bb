//! Text inside XML 1.0 documents (Open311 and SP4N-LAPOR): markup escaped,
//! and the characters XML 1.0 forbids or discourages dropped, so that one
//! complaint can never make a document ill-formed for every reader.
//! Validation refuses those characters at the door; this is the second line.

/// True for a character an XML 1.0 document may carry as text: tab, line
/// feed, carriage return and the printable ranges, without the C1 controls
/// and the non-characters U+FFFE and U+FFFF.
pub fn allowed(c: char) -> bool {
    let u = c as u32;
    matches!(c, '\t' | '\n' | '\r')
        || ((0x20..0x7F).contains(&u) || (0xA0..=0xFFFD).contains(&u) || u >= 0x1_0000)
}

/// `text` escaped for an element's content or an attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if allowed(c) => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_forbidden_characters_dropped() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(
            escape("a\u{0}b\u{1}c\u{1b}d\u{7f}e\u{85}f\u{9f}g\u{fffe}h\u{ffff}i"),
            "abcdefghi"
        );
        assert_eq!(escape("tab\tline\ncr\r"), "tab\tline\ncr\r");
        assert_eq!(escape("Ṭirta 🌊 \u{a0}\u{fffd}"), "Ṭirta 🌊 \u{a0}\u{fffd}");
    }
}
