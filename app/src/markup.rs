//! Option lists as markup, for the widget: one DOM call for a whole list
//! instead of one view per option (the district list has over fifty, and
//! building them one by one was most of the form's first render on a slow
//! phone). Every text is escaped.

/// `text` as HTML text or an attribute value in double quotes.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// One `<option>`.
pub fn option(out: &mut String, value: &str, text: &str) {
    out.push_str("<option value=\"");
    escape_into(out, value);
    out.push_str("\">");
    escape_into(out, text);
    out.push_str("</option>");
}

/// Options under a label (or none): `(value, text)` each.
pub type Group = (Option<String>, Vec<(String, String)>);

/// A `<select>`'s options: the empty choice (`choose`), then the groups.
pub fn options(choose: &str, groups: &[Group]) -> String {
    let mut out = String::new();
    option(&mut out, "", choose);
    for (label, list) in groups {
        if let Some(label) = label {
            out.push_str("<optgroup label=\"");
            escape_into(&mut out, label);
            out.push_str("\">");
        }
        for (value, text) in list {
            option(&mut out, value, text);
        }
        if label.is_some() {
            out.push_str("</optgroup>");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_escaped_and_groups_are_labelled() {
        let groups = vec![
            (
                None,
                vec![("kuta".to_owned(), "Kuta & <Legian>".to_owned())],
            ),
            (
                Some("Daerah \"lain\" · Kota's".to_owned()),
                vec![
                    ("a\"b".to_owned(), "<script>x</script>".to_owned()),
                    ("c".to_owned(), "C".to_owned()),
                ],
            ),
        ];
        assert_eq!(
            options("Pilih…", &groups),
            "<option value=\"\">Pilih…</option>\
             <option value=\"kuta\">Kuta &amp; &lt;Legian&gt;</option>\
             <optgroup label=\"Daerah &quot;lain&quot; · Kota&#39;s\">\
             <option value=\"a&quot;b\">&lt;script&gt;x&lt;/script&gt;</option>\
             <option value=\"c\">C</option></optgroup>"
        );
        assert_eq!(options("-", &[]), "<option value=\"\">-</option>");
    }
}
