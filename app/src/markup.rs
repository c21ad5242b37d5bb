//! Option lists and the tracker's answer as markup, for the widget: one
//! DOM call for a whole list instead of one view per option (the district
//! list has over fifty, and building them one by one was most of the
//! form's first render on a slow phone), and far fewer bytes in the bundle
//! than a view per line. Every text is escaped.

use crate::api::{Locale, TrackingView};
use crate::labels::{self, Label};

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

/// Who wrote a line of a complaint's history, in `locale`.
fn author(kind: &str, locale: Locale) -> &'static str {
    match kind {
        "reporter" => Label::ByReporter.text(locale),
        "officer" => Label::ByOfficer.text(locale),
        _ => Label::BySystem.text(locale),
    }
}

/// A paragraph of escaped `text`, quieter when `muted`.
fn paragraph(out: &mut String, muted: bool, text: &str) {
    out.push_str(if !muted { "<p>" } else { "<p class=\"muted\">" });
    escape_into(out, text);
    out.push_str("</p>");
}

/// What the tracker shows of a complaint, as the reporter may see it: the
/// code, the status, the title, where it went, the due date, the
/// SP4N-LAPOR id, then the public history. The buttons and forms around it
/// are the widget's own.
pub fn tracking(view: &TrackingView, lang: Locale) -> String {
    let mut out = String::from("<p class=\"code\">");
    escape_into(&mut out, &view.tracking_code);
    out.push_str("</p><p><strong>");
    escape_into(&mut out, Label::Status.text(lang));
    out.push_str(": </strong>");
    escape_into(&mut out, labels::status(view.status, lang));
    out.push_str("</p>");
    paragraph(&mut out, false, &view.title);
    paragraph(
        &mut out,
        true,
        &format!(
            "{}: {} · {}",
            Label::ReceiptRoutedTo.text(lang),
            view.region.name,
            view.unit.name
        ),
    );
    if let Some(due) = &view.due {
        paragraph(
            &mut out,
            false,
            &format!("{}: {}", Label::DueBy.text(lang), due.date),
        );
    }
    if let Some(id) = &view.lapor_tracking_id {
        paragraph(&mut out, false, &format!("SP4N-LAPOR: {id}"));
    }
    out.push_str("<h3>");
    escape_into(&mut out, Label::History.text(lang));
    out.push_str("</h3><ol class=\"history\">");
    for e in &view.timeline {
        let what = if e.kind == "submitted" {
            Some(Label::Submitted.text(lang))
        } else {
            e.to_status.map(|s| labels::status(s, lang))
        };
        out.push_str("<li><span class=\"muted\">");
        escape_into(
            &mut out,
            &format!(
                "{} {} UTC",
                e.at.get(..10).unwrap_or(""),
                e.at.get(11..16).unwrap_or("")
            ),
        );
        out.push_str("</span> · <strong>");
        escape_into(&mut out, author(&e.author, lang));
        out.push_str("</strong>");
        if let Some(w) = what {
            out.push_str(" · ");
            escape_into(&mut out, w);
        }
        if let Some(m) = &e.message {
            out.push_str("<p class=\"msg\">");
            escape_into(&mut out, m);
            out.push_str("</p>");
        }
        out.push_str("</li>");
    }
    out.push_str("</ol>");
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

    fn answer(lapor: bool, due: bool) -> TrackingView {
        serde_json::from_value(serde_json::json!({
            "tracking_code": "DPS-7K3Q-9XWM-4TJP",
            "status": "in_progress",
            "classification": "complaint",
            "privacy": "public",
            "title": "Lubang <b>besar</b> & \"dalam\"",
            "category": {"key": "jalan", "name_id": "Jalan", "name_en": "Roads", "supervisory": false},
            "region": {"key": "denpasar", "name": "Kota Denpasar"},
            "unit": {"key": "pupr", "name": "Dinas PUPR"},
            "submitted_at": "2026-12-01T02:03:04Z",
            "updated_at": "2026-12-02T05:06:07Z",
            "due": if due { serde_json::json!({"step": "follow_up", "date": "2026-12-20"}) } else { serde_json::Value::Null },
            "accepts_replies": false,
            "lapor_tracking_id": if lapor { serde_json::json!("LAPOR-1") } else { serde_json::Value::Null },
            "timeline": [
                {"at": "2026-12-01T02:03:04Z", "kind": "submitted", "author": "reporter",
                 "from_status": null, "to_status": "submitted", "message": null},
                {"at": "2026-12-02T05:06:07Z", "kind": "status_changed", "author": "officer",
                 "from_status": "verified", "to_status": "in_progress", "message": "Kami <i>perbaiki</i>"},
                {"at": "2026-12-02T06:00:00Z", "kind": "reply", "author": "system",
                 "from_status": null, "to_status": null, "message": null}
            ]
        }))
        .expect("a tracking answer")
    }

    #[test]
    fn the_trackers_answer_is_escaped_and_says_each_line_once() {
        let l = Locale::Id;
        let html = tracking(&answer(true, true), l);
        let expected = format!(
            "<p class=\"code\">DPS-7K3Q-9XWM-4TJP</p>\
             <p><strong>{status}: </strong>{in_progress}</p>\
             <p>Lubang &lt;b&gt;besar&lt;/b&gt; &amp; &quot;dalam&quot;</p>\
             <p class=\"muted\">{routed}: Kota Denpasar · Dinas PUPR</p>\
             <p>{due}: 2026-12-20</p>\
             <p>SP4N-LAPOR: LAPOR-1</p>\
             <h3>{history}</h3><ol class=\"history\">\
             <li><span class=\"muted\">2026-12-01 02:03 UTC</span> · <strong>{reporter}</strong> · {submitted}</li>\
             <li><span class=\"muted\">2026-12-02 05:06 UTC</span> · <strong>{officer}</strong> · {in_progress}\
             <p class=\"msg\">Kami &lt;i&gt;perbaiki&lt;/i&gt;</p></li>\
             <li><span class=\"muted\">2026-12-02 06:00 UTC</span> · <strong>{system}</strong></li></ol>",
            status = Label::Status.text(l),
            in_progress = labels::status(crate::api::Status::InProgress, l),
            routed = Label::ReceiptRoutedTo.text(l),
            due = Label::DueBy.text(l),
            history = Label::History.text(l),
            reporter = Label::ByReporter.text(l),
            officer = Label::ByOfficer.text(l),
            system = Label::BySystem.text(l),
            submitted = Label::Submitted.text(l),
        );
        assert_eq!(html, expected);
        // Without a due date (a final complaint) or a LAPOR id, no line for them.
        let bare = tracking(&answer(false, false), l);
        assert!(!bare.contains("SP4N-LAPOR") && !bare.contains(Label::DueBy.text(l)));
        assert_eq!(bare.matches("<p>").count(), html.matches("<p>").count() - 2);
        // In English, the words are English.
        assert!(
            tracking(&answer(true, true), Locale::En).contains(Label::History.text(Locale::En))
        );
    }
}
