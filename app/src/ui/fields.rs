//! The complaint form's fields: the server's markup of the form (the one
//! definition the hosted page without script, the first moments' form and
//! this share), drawn as it is sent, in the citizen's language.
//!
//! The widget fills it from the draft, keeps the draft from it through one
//! input handler keyed by each field's `name`, puts each error beside its
//! field and disables every control while a complaint is on its way. The
//! markup's own words need nothing of the widget: it carries only the
//! sentences that come and go (errors, the sending's state).

use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::Element;

use super::browser::{all, property, set};
use super::form::{Delivery, Draft};
use crate::api::Locale;
use crate::labels::Label;
use crate::validate::LIMITS;

/// The fields in error, each with its sentence, by the rules' names
/// (`reporter.email`).
pub(super) type Problems = Vec<(String, String)>;

fn some(v: String) -> Option<String> {
    (!v.is_empty()).then_some(v)
}

/// The form's name of a field the rules name: `reporter.email` is
/// `reporter_email`, as the hosted form posts it.
fn form_name(rule: &str) -> String {
    rule.replace('.', "_")
}

/// Writes one field's new value into the draft, by the field's name.
fn set_field(d: &mut Draft, name: &str, value: String, checked: bool) {
    let i = &mut d.input;
    match name {
        "classification" => i.classification = value,
        "title" => i.title = value,
        "description" => i.description = value,
        "category" => i.category = value,
        "district" => i.district = some(value),
        "location" => i.location = some(value),
        "landmark" => i.landmark = some(value),
        "incident_date" => i.incident_date = some(value),
        "privacy" => i.privacy = value,
        "reporter_name" => i.reporter.name = some(value),
        "reporter_email" => i.reporter.email = some(value),
        "reporter_phone" => i.reporter.phone = some(value),
        "consent" => d.consent = checked,
        _ => {}
    }
}

/// The draft's value of a field, by the field's name; `None` for a field
/// the draft does not keep (the form's hidden ones, the consent's box).
fn field_of<'a>(d: &'a Draft, name: &str) -> Option<&'a str> {
    let i = &d.input;
    let text = |v: &'a Option<String>| v.as_deref().unwrap_or("");
    Some(match name {
        "classification" => &i.classification,
        "title" => &i.title,
        "description" => &i.description,
        "category" => &i.category,
        "district" => text(&i.district),
        "location" => text(&i.location),
        "landmark" => text(&i.landmark),
        "incident_date" => text(&i.incident_date),
        "privacy" => &i.privacy,
        "reporter_name" => text(&i.reporter.name),
        "reporter_email" => text(&i.reporter.email),
        "reporter_phone" => text(&i.reporter.phone),
        _ => return None,
    })
}

/// The form's one input handler: whatever field changed, by its name.
fn on_field(draft: RwSignal<Draft>, ev: &web_sys::Event) {
    let Some(target) = ev.target().map(JsValue::from) else {
        return;
    };
    let Some(name) = property(&target, "name").as_string() else {
        return;
    };
    let value = property(&target, "value").as_string().unwrap_or_default();
    let checked = property(&target, "checked").as_bool().unwrap_or(false);
    draft.update(|d| set_field(d, &name, value, checked));
}

/// Sets every field of the form to the draft's value.
fn fill(form: &Element, d: &Draft) {
    for el in all(form, "[name]") {
        let name = el.get_attribute("name").unwrap_or_default();
        let kind = el.get_attribute("type").unwrap_or_default();
        if kind == "checkbox" && name == "consent" {
            set(&el, "checked", &JsValue::from_bool(d.consent));
            continue;
        }
        let Some(value) = field_of(d, &name) else {
            continue;
        };
        if kind == "radio" {
            let mine = el.get_attribute("value").as_deref() == Some(value);
            set(&el, "checked", &JsValue::from_bool(mine));
        } else {
            set(&el, "value", &JsValue::from_str(value));
        }
    }
}

/// Puts each problem beside its field (`p.err#err-NAME`, the field marked
/// invalid and described by it), after taking the earlier ones away.
/// Returns the problems with no field on the form.
fn show_problems(form: &Element, problems: &Problems) -> Vec<String> {
    for el in all(form, "p.err") {
        el.remove();
    }
    for el in all(form, "[aria-invalid]") {
        let _ = el.remove_attribute("aria-invalid");
        let kept: Vec<String> = el
            .get_attribute("aria-describedby")
            .unwrap_or_default()
            .split_whitespace()
            .filter(|id| !id.starts_with("err-"))
            .map(str::to_owned)
            .collect();
        let _ = if kept.is_empty() {
            el.remove_attribute("aria-describedby")
        } else {
            el.set_attribute("aria-describedby", &kept.join(" "))
        };
    }
    let mut elsewhere = Vec::new();
    for (rule, message) in problems {
        let name = form_name(rule);
        // The names come from the server's answer: only a plain name is
        // looked for.
        let plain = !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        let controls = if plain {
            all(form, &format!("[name={name}]"))
        } else {
            Vec::new()
        };
        let Some(field) = controls
            .first()
            .and_then(|c| c.closest(".field").ok().flatten())
        else {
            elsewhere.push(message.clone());
            continue;
        };
        let id = format!("err-{name}");
        if let Some(p) = form
            .owner_document()
            .and_then(|doc| doc.create_element("p").ok())
        {
            p.set_class_name("err");
            p.set_id(&id);
            p.set_text_content(Some(message));
            let _ = field.append_child(&p);
        }
        for control in controls {
            let _ = control.set_attribute("aria-invalid", "true");
            let described = control
                .get_attribute("aria-describedby")
                .unwrap_or_default();
            let _ = control.set_attribute("aria-describedby", format!("{described} {id}").trim());
        }
    }
    elsewhere
}

/// The description's count of characters, under it (made once per form).
fn count(form: &Element, characters: usize, lang: Locale) {
    let Some(field) = form.query_selector("#description").ok().flatten() else {
        return;
    };
    let span = match form.query_selector(".count").ok().flatten() {
        Some(span) => span,
        None => {
            let Some(span) = form
                .owner_document()
                .and_then(|doc| doc.create_element("span").ok())
            else {
                return;
            };
            span.set_class_name("count");
            let _ = field.after_with_node_1(&span);
            span
        }
    };
    span.set_text_content(Some(&format!(
        "{} / {} {}",
        characters,
        LIMITS.description_max,
        Label::Characters.text(lang)
    )));
}

pub(super) fn form_fields(
    markup: String,
    lang: Locale,
    draft: RwSignal<Draft>,
    errors: RwSignal<Problems>,
    sending: RwSignal<Delivery>,
    locked: Signal<bool>,
    send: Callback<()>,
) -> impl IntoView {
    let holder = NodeRef::<leptos::html::Div>::new();
    let elsewhere = RwSignal::new(Vec::<String>::new());
    // One effect keeps the page up to date: the draft's values once the
    // form is in, then the count, the errors and the lock as they change
    // (each only when it did).
    Effect::new(move |was: Option<Option<(usize, Problems, bool)>>| {
        let now = (
            draft.with(|d| d.input.description.chars().count()),
            errors.get(),
            locked.get(),
        );
        let form = holder.get()?;
        let was = was.flatten();
        if was.is_none() {
            fill(&form, &draft.get_untracked());
        }
        if was.as_ref().is_none_or(|w| w.0 != now.0) {
            count(&form, now.0, lang);
        }
        if was.as_ref().is_none_or(|w| w.1 != now.1) {
            elsewhere.set(show_problems(&form, &now.1));
        }
        if was.as_ref().is_none_or(|w| w.2 != now.2) {
            let locked = JsValue::from_bool(now.2);
            for el in all(&form, "input,select,textarea,button") {
                set(&el, "disabled", &locked);
            }
        }
        Some(now)
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send.run(());
    };
    let on_input = move |ev: leptos::ev::Event| on_field(draft, &ev);
    let on_change = move |ev: leptos::ev::Event| on_field(draft, &ev);
    // What is wrong beyond the fields, and how the sending goes, as one
    // piece of markup (its one button sends again).
    let status = move || {
        let mut html = String::new();
        let mut notice = |class: &str, lines: &[&str]| {
            html.push_str("<p class=\"notice");
            html.push_str(class);
            html.push_str("\">");
            for (i, line) in lines.iter().enumerate() {
                if i > 0 {
                    html.push_str("<br>");
                }
                crate::markup::escape_into(&mut html, line);
            }
            html.push_str("</p>");
        };
        if !errors.with(Vec::is_empty) {
            let elsewhere = elsewhere.get();
            let mut lines = vec![Label::FixErrors.text(lang)];
            lines.extend(elsewhere.iter().map(String::as_str));
            notice(" bad\" role=\"alert", &lines);
        }
        match sending.get() {
            Delivery::Idle => {}
            Delivery::InFlight => notice("", &[Label::Sending.text(lang)]),
            Delivery::Waiting => {
                notice("", &[Label::Offline.text(lang)]);
                html.push_str("<button type=\"button\" class=\"link\" data-act=\"retry\">");
                crate::markup::escape_into(&mut html, Label::TryAgain.text(lang));
                html.push_str("</button>");
            }
            Delivery::Failed(message) => notice(" bad", &[&message]),
        }
        html
    };
    let on_retry = move |ev: leptos::ev::MouseEvent| {
        if super::browser::act_of(&ev).as_deref() == Some("retry") {
            send.run(());
        }
    };
    view! {
        <div node_ref=holder inner_html=markup on:submit=on_submit on:input=on_input on:change=on_change></div>
        <div role="status" aria-live="polite" inner_html=status on:click=on_retry></div>
    }
}
