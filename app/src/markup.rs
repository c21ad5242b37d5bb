//! The widget's receipt and the tracker's answer as markup: one DOM call
//! for each, and far fewer bytes in the bundle than a view per line. Their
//! buttons say what they do in `data-act`, and the widget listens once on
//! the markup's container. Every text is escaped.

use crate::api::{Locale, Receipt, Status, TrackingView};
use crate::labels::{self, Label};
use crate::validate::LIMITS;

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

/// A `<button>` doing `act`, with `class` and the escaped `text`.
fn button(out: &mut String, act: &str, class: &str, text: &str) {
    out.push_str("<button type=\"button\" class=\"");
    out.push_str(class);
    out.push_str("\" data-act=\"");
    out.push_str(act);
    out.push_str("\">");
    escape_into(out, text);
    out.push_str("</button>");
}

/// The receipt once a complaint is acknowledged: its tracking code and
/// how to use it, where it went, when it is due; then copying the code
/// (`copy`), tracking it (`track`) and filing another (`again`).
pub fn receipt(r: &Receipt, lang: Locale) -> String {
    // The code and the region for the widget (its buttons, its event).
    let mut out = String::from("<h2 tabindex=\"-1\" data-code=\"");
    escape_into(&mut out, &r.tracking_code);
    out.push_str("\" data-region=\"");
    escape_into(&mut out, &r.region.key);
    out.push_str("\">");
    escape_into(&mut out, Label::ReceiptTitle.text(lang));
    out.push_str("</h2>");
    paragraph(
        &mut out,
        false,
        &format!("{}:", Label::TrackingCode.text(lang)),
    );
    out.push_str("<p class=\"code\">");
    escape_into(&mut out, &r.tracking_code);
    out.push_str("</p>");
    button(&mut out, "copy", "link", Label::Copy.text(lang));
    paragraph(&mut out, false, Label::ReceiptHowTo.text(lang));
    paragraph(
        &mut out,
        false,
        &format!(
            "{}: {} · {}",
            Label::ReceiptRoutedTo.text(lang),
            r.region.name,
            r.unit.name
        ),
    );
    paragraph(
        &mut out,
        false,
        &format!("{}: {}", Label::DueBy.text(lang), r.due.date),
    );
    out.push_str("<p>");
    button(&mut out, "track", "link", Label::TrackLink.text(lang));
    out.push(' ');
    button(&mut out, "again", "link", Label::FileAnother.text(lang));
    out.push_str("</p>");
    out
}

/// The tracker's whole answer: [`tracking`], then what the reporter may
/// do. A resolved complaint is confirmed (`confirm`); while the officers
/// wait for the reporter, a reply form (`data-act="reply"`, its text
/// `reply` kept as typed); the reporter's contact details are erased
/// (`erase`). Once followed up and not yet rated, the section carries the
/// code for the rating's slot (`data-aduan-rate`).
pub fn tracked(view: &TrackingView, lang: Locale, reply: &str) -> String {
    let rate = matches!(view.status, Status::Resolved | Status::Closed) && view.rating.is_none();
    let mut out = String::from("<section class=\"result\" data-aduan-rate=\"");
    if rate {
        escape_into(&mut out, &view.tracking_code);
    }
    out.push_str("\">");
    out.push_str(&tracking(view, lang));
    if view.status == Status::Resolved {
        paragraph(&mut out, false, Label::ConfirmHelp.text(lang));
        button(
            &mut out,
            "confirm",
            "primary",
            Label::ConfirmResolved.text(lang),
        );
    }
    if view.accepts_replies {
        out.push_str("<form data-act=\"reply\"><h3>");
        escape_into(&mut out, Label::ReplyTitle.text(lang));
        out.push_str("</h3><div class=\"field\"><label for=\"aduan-reply\">");
        escape_into(&mut out, Label::ReplyHelp.text(lang));
        out.push_str(&format!(
            "</label><textarea id=\"aduan-reply\" name=\"reply\" maxlength=\"{}\">",
            LIMITS.reply_max
        ));
        escape_into(&mut out, reply);
        out.push_str("</textarea></div><button type=\"submit\" class=\"primary\">");
        escape_into(&mut out, Label::SendReply.text(lang));
        out.push_str("</button></form>");
    }
    button(&mut out, "erase", "erase", Label::EraseContact.text(lang));
    out.push_str("</section>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
            routed = esc(Label::ReceiptRoutedTo.text(l)),
            due = esc(Label::DueBy.text(l)),
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

    fn esc(text: &str) -> String {
        let mut out = String::new();
        escape_into(&mut out, text);
        out
    }

    fn receipt_of(code: &str, region: &str) -> Receipt {
        serde_json::from_value(serde_json::json!({
            "tracking_code": code,
            "status": "submitted",
            "privacy": "public",
            "region": {"key": region, "name": "Kota <Denpasar>"},
            "unit": {"key": "dlhk", "name": "DLHK & Kebersihan"},
            "submitted_at": "2026-12-01T02:03:04Z",
            "due": {"step": "verification", "date": "2026-12-04"}
        }))
        .expect("a receipt")
    }

    #[test]
    fn the_receipt_says_the_code_where_it_went_and_offers_three_things() {
        let l = Locale::En;
        let html = receipt(&receipt_of("DPS-7K3Q-9XWM-4TJP", "denpasar"), l);
        let expected = format!(
            "<h2 tabindex=\"-1\" data-code=\"DPS-7K3Q-9XWM-4TJP\" data-region=\"denpasar\">{title}</h2>\
             <p>{code_label}:</p><p class=\"code\">DPS-7K3Q-9XWM-4TJP</p>\
             <button type=\"button\" class=\"link\" data-act=\"copy\">{copy}</button>\
             <p>{how_to}</p>\
             <p>{routed}: Kota &lt;Denpasar&gt; · DLHK &amp; Kebersihan</p>\
             <p>{due}: 2026-12-04</p>\
             <p><button type=\"button\" class=\"link\" data-act=\"track\">{track}</button> \
             <button type=\"button\" class=\"link\" data-act=\"again\">{again}</button></p>",
            title = esc(Label::ReceiptTitle.text(l)),
            code_label = esc(Label::TrackingCode.text(l)),
            copy = esc(Label::Copy.text(l)),
            how_to = esc(Label::ReceiptHowTo.text(l)),
            routed = esc(Label::ReceiptRoutedTo.text(l)),
            due = esc(Label::DueBy.text(l)),
            track = esc(Label::TrackLink.text(l)),
            again = esc(Label::FileAnother.text(l)),
        );
        assert_eq!(html, expected);
        // What the widget reads back is escaped like the rest.
        assert!(
            receipt(&receipt_of("A\"B", "x<y"), l)
                .starts_with("<h2 tabindex=\"-1\" data-code=\"A&quot;B\" data-region=\"x&lt;y\">")
        );
    }

    #[test]
    fn the_trackers_whole_answer_offers_only_what_the_reporter_may_do() {
        let l = Locale::Id;
        let mut view = answer(false, true);
        view.accepts_replies = true;
        let open = tracked(&view, l, "Sudah <b>saya</b> foto");
        assert!(
            open.starts_with("<section class=\"result\" data-aduan-rate=\"\">"),
            "{open}"
        );
        assert!(open.contains(&tracking(&view, l)));
        assert!(open.ends_with(&format!(
            "<button type=\"button\" class=\"erase\" data-act=\"erase\">{}</button></section>",
            esc(Label::EraseContact.text(l))
        )));
        assert!(open.contains(&format!(
            "<form data-act=\"reply\"><h3>{}</h3><div class=\"field\"><label for=\"aduan-reply\">{}</label>\
             <textarea id=\"aduan-reply\" name=\"reply\" maxlength=\"{}\">Sudah &lt;b&gt;saya&lt;/b&gt; foto</textarea></div>\
             <button type=\"submit\" class=\"primary\">{}</button></form>",
            esc(Label::ReplyTitle.text(l)),
            esc(Label::ReplyHelp.text(l)),
            LIMITS.reply_max,
            esc(Label::SendReply.text(l))
        )), "{open}");
        assert!(!open.contains("data-act=\"confirm\""));
        // Resolved: confirmed by the reporter, and rated (the code for the
        // rating's slot) until it is.
        view.status = Status::Resolved;
        view.accepts_replies = false;
        let resolved = tracked(&view, l, "");
        assert!(resolved.starts_with(&format!(
            "<section class=\"result\" data-aduan-rate=\"{}\">",
            view.tracking_code
        )));
        assert!(resolved.contains(&format!(
            "<p>{}</p><button type=\"button\" class=\"primary\" data-act=\"confirm\">{}</button>",
            esc(Label::ConfirmHelp.text(l)),
            esc(Label::ConfirmResolved.text(l))
        )));
        assert!(!resolved.contains("<form"));
        view.rating = Some(4);
        assert!(
            tracked(&view, l, "").starts_with("<section class=\"result\" data-aduan-rate=\"\">")
        );
        // Closed: rated, never confirmed again.
        view.status = Status::Closed;
        view.rating = None;
        let closed = tracked(&view, l, "");
        assert!(closed.contains(&format!("data-aduan-rate=\"{}\"", view.tracking_code)));
        assert!(!closed.contains("data-act=\"confirm\""));
    }
}
