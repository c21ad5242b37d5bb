//! The complaint form: the draft is kept in the browser as the citizen
//! types, checked with the same rules the server uses, and sent with one
//! idempotency key per draft, so a retry after a timeout or an offline spell
//! never files twice.

use std::time::Duration;

use leptos::prelude::*;

use super::browser;
use super::fields::{Problems, form_fields};
use super::{Fetched, WidgetEvent, get_json, message_of};
use crate::api::{ComplaintInput, Locale, RegionForm};
use crate::i18n::Msg;
use crate::json::{Decoded, FromJson, Json, ToJson};
use crate::labels::Label;
use crate::validate;

/// What is kept in the browser until the complaint is acknowledged.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub input: ComplaintInput,
    pub key: String,
    pub consent: bool,
}

/// Kept as `{"input": …, "key": …, "consent": …}`; a missing member is empty.
impl FromJson for Draft {
    fn from_json(v: &Json) -> Decoded<Draft> {
        let v = v.object()?;
        Ok(Draft {
            input: v.get("input").or_default()?,
            key: v.get("key").or_default()?,
            consent: v.get("consent").or_default()?,
        })
    }
}

impl ToJson for Draft {
    fn to_json(&self) -> Json {
        Json::Object(vec![
            ("input".into(), self.input.to_json()),
            ("key".into(), Json::String(self.key.clone())),
            ("consent".into(), Json::Bool(self.consent)),
        ])
    }
}

impl Draft {
    fn fresh(region: &str) -> Draft {
        Draft {
            input: ComplaintInput {
                region: region.to_owned(),
                classification: "complaint".into(),
                privacy: "public".into(),
                ..ComplaintInput::default()
            },
            key: browser::random_key(),
            consent: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Delivery {
    Idle,
    InFlight,
    /// No answer came; it is sent again when the connection returns.
    Waiting,
    Failed(String),
}

/// Moves keyboard focus, after the next paint, to the first element under
/// `root` that matches `selector`: the first field in error, or the receipt.
fn focus_later(root: NodeRef<leptos::html::Div>, selector: &'static str) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        let target = root
            .get_untracked()
            .and_then(|el| el.query_selector(selector).ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = target {
            let _ = el.focus();
        }
    });
}

thread_local! {
    /// The form's markup drawn so far, by region and language: a citizen
    /// back from the tracker or filing another gets it without a request.
    static MARKUP: std::cell::RefCell<Vec<(String, Locale, String)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

fn known_markup(region: &str, l: Locale) -> Option<String> {
    MARKUP.with(|m| {
        m.borrow()
            .iter()
            .find(|(r, at, _)| r == region && *at == l)
            .map(|(_, _, html)| html.clone())
    })
}

fn remember_markup(region: &str, l: Locale, html: &str) {
    MARKUP.with(|m| {
        let mut m = m.borrow_mut();
        m.retain(|(r, at, _)| !(r == region && *at == l));
        m.push((region.to_owned(), l, html.to_owned()));
    });
}

/// The markup the first moments' form was drawn from (`early.js` keeps it
/// on its root, `[data-aduan-early]`, beside the widget's own), when it is
/// in language `l`.
fn first_form(file: &web_sys::HtmlDivElement, l: Locale) -> Option<String> {
    let first = file
        .parent_element()?
        .parent_element()?
        .query_selector("[data-aduan-early]")
        .ok()??;
    if first.get_attribute("lang").as_deref() != Some(l.key()) {
        return None;
    }
    browser::property(&first, "form").as_string()
}

/// A value the receipt's markup carries for the widget
/// ([`crate::markup::receipt`]: `data-code`, `data-region`), which holds
/// nothing escaped (a code, a region's key).
fn receipt_data(html: &str, name: &str) -> String {
    // Bytes, not a string search: no slicing that could panic (a panic's
    // message and its formatting cost the bundle kilobytes).
    let (html, name) = (html.as_bytes(), name.as_bytes());
    let Some(at) = html
        .windows(name.len() + 2)
        .position(|w| w.starts_with(name) && w.ends_with(b"=\""))
    else {
        return String::new();
    };
    html.iter()
        .skip(at + name.len() + 2)
        .take_while(|&&b| b != b'"')
        .map(|&b| char::from(b))
        .collect()
}

/// The complaint form, its receipt once acknowledged.
/// What a script around the wasm (slots.js, attach.js) left on an element
/// of the form: `dataset[key]` of the first match of `selector`, or empty.
fn slot_data(root: NodeRef<leptos::html::Div>, selector: &str, key: &str) -> String {
    root.get_untracked()
        .and_then(|el| el.query_selector(selector).ok().flatten())
        .and_then(|el| browser::property(&browser::property(&el, "dataset"), key).as_string())
        .unwrap_or_default()
}

#[component]
pub fn ComplaintForm(
    api: String,
    region: String,
    locale: RwSignal<Locale>,
    on_event: Callback<WidgetEvent>,
    on_track: Callback<String>,
    prefetched: String,
) -> impl IntoView {
    let storage_key = format!("aduan.draft.{region}");
    let restored = browser::load(&storage_key)
        .and_then(|s| Draft::from_json_text(&s).ok())
        .filter(|d| d.input.region == region && d.key.len() >= 16);
    let draft = RwSignal::new(restored.unwrap_or_else(|| Draft::fresh(&region)));
    let form = RwSignal::new(None::<Result<RegionForm, String>>);
    let root = NodeRef::<leptos::html::Div>::new();
    let errors = RwSignal::new(Problems::new());
    let sending = RwSignal::new(Delivery::Idle);
    // The receipt's markup, once the complaint is acknowledged.
    let receipt = RwSignal::new(None::<String>);
    let retries = RwSignal::new(0u32);
    let wake = RwSignal::new(0u32);
    let locked =
        Signal::derive(move || matches!(sending.get(), Delivery::InFlight | Delivery::Waiting));

    {
        let key = storage_key.clone();
        Effect::new(move |_| {
            let d = draft.get();
            if receipt.with_untracked(Option::is_none) {
                browser::save(&key, &d.to_json_text());
            }
        });
    }
    {
        let url = format!(
            "{}/api/v1/regions/{}/form",
            api.trim_end_matches('/'),
            region
        );
        match RegionForm::from_json_text(&prefetched).ok() {
            Some(ready) => form.set(Some(Ok(ready))),
            None => leptos::task::spawn_local(async move {
                let loaded = get_json::<RegionForm>(&url, locale.get_untracked()).await;
                form.set(Some(
                    loaded.map_err(|e| message_of(&e, locale.get_untracked())),
                ));
            }),
        }
    }

    // The form's markup in the language shown: the first moments' form's
    // (early.js keeps it as it was sent), one drawn before, or asked now.
    // While another language's is on its way, the form stays as it is.
    let markup = RwSignal::new(None::<Result<(Locale, String), String>>);
    {
        let region = region.clone();
        let base = api.trim_end_matches('/').to_owned();
        Effect::new(move |_| {
            let l = locale.get();
            let Some(el) = root.get() else {
                return;
            };
            if markup.with_untracked(|m| matches!(m, Some(Ok((shown, _))) if *shown == l)) {
                return;
            }
            if let Some(html) = known_markup(&region, l).or_else(|| first_form(&el, l)) {
                remember_markup(&region, l, &html);
                markup.set(Some(Ok((l, html))));
                return;
            }
            let url = format!("{base}/api/v1/regions/{region}/form.html?lang={}", l.key());
            let region = region.clone();
            leptos::task::spawn_local(async move {
                match super::fetch_text("GET", &url, None, None, l, true).await {
                    Ok((200, html)) => {
                        remember_markup(&region, l, &html);
                        if locale.get_untracked() == l {
                            markup.set(Some(Ok((l, html))));
                        }
                    }
                    failed => {
                        let message = match failed {
                            Ok((status, text)) => message_of(&super::refused(status, &text), l),
                            Err(e) => message_of(&e, l),
                        };
                        if markup.with_untracked(Option::is_none) {
                            markup.set(Some(Err(message)));
                        }
                    }
                }
            });
        });
    }

    let post_url = format!("{}/api/v1/complaints", api.trim_end_matches('/'));
    let key_for_done = storage_key.clone();
    let send = Callback::new(move |()| {
        let l = locale.get_untracked();
        let d = draft.get_untracked();
        let Some(Ok(f)) = form.get_untracked() else {
            return;
        };
        let mut input = d.input.clone();
        input.locale = Some(l.key().to_owned());
        let mut problems = Vec::new();
        if let Err(invalid) = validate::check_complaint(&input, browser::today(), &f) {
            for (field, message) in invalid.fields {
                problems.push((field, message.text(l)));
            }
        }
        if !d.consent {
            problems.push(("consent".into(), Msg::Required.text(l)));
        }
        // The files: attach.js keeps the finished upload ids, 32 hex
        // digits each, one after another, on the list (and holds the form
        // back while any is still on its way).
        let ids = slot_data(root, "ul[data-aduan-files]", "ids");
        input.attachments = ids
            .as_bytes()
            .chunks_exact(32)
            .map(|id| id.iter().map(|&b| char::from(b)).collect())
            .collect();
        // The point "use my location" left on its button (slots.js), when
        // it reads as one.
        input.position =
            Some(slot_data(root, "[data-aduan-position]", "aduanPosition")).and_then(|text| {
                let (latitude, longitude) = text.split_once(',')?;
                (validate::degrees(latitude, 90) && validate::degrees(longitude, 180)).then(|| {
                    crate::api::Position {
                        latitude: latitude.to_owned(),
                        longitude: longitude.to_owned(),
                    }
                })
            });
        if !problems.is_empty() {
            errors.set(problems);
            sending.set(Delivery::Idle);
            focus_later(root, "[aria-invalid=true]");
            return;
        }
        errors.set(Vec::new());
        sending.set(Delivery::InFlight);
        let url = post_url.clone();
        let done_key = key_for_done.clone();
        leptos::task::spawn_local(async move {
            // The receipt comes as the markup shown (`Accept: text/html`).
            let body = Some(input.to_json_text());
            let sent = match super::fetch_text("POST", &url, body, Some(&d.key), l, true).await {
                Ok((status, html)) if (200..300).contains(&status) => Ok(html),
                Ok((status, text)) => Err(super::refused(status, &text)),
                Err(e) => Err(e),
            };
            match sent {
                Ok(html) => {
                    browser::remove(&done_key);
                    let region = receipt_data(&html, "data-region");
                    receipt.set(Some(html));
                    focus_later(root, "section h2");
                    sending.set(Delivery::Idle);
                    retries.set(0);
                    on_event.run(WidgetEvent::Submitted(region));
                }
                Err(Fetched::Refused(422, body)) => {
                    errors.set(body.fields.clone());
                    focus_later(root, "[aria-invalid=true]");
                    sending.set(Delivery::Idle);
                }
                Err(Fetched::Refused(status, body))
                    if status < 500 && status != 408 && status != 429 =>
                {
                    let message = body.message.clone();
                    on_event.run(WidgetEvent::Error(message.clone()));
                    sending.set(Delivery::Failed(message));
                }
                Err(_) => {
                    // No answer, or the server is busy: the same key makes the
                    // next try safe, however often it happens.
                    sending.set(Delivery::Waiting);
                    let n = retries.get_untracked().min(4);
                    retries.set(n + 1);
                    set_timeout(
                        move || wake.update(|w| *w += 1),
                        Duration::from_secs(5 << n),
                    );
                }
            }
        });
    });
    // A timer wakes this effect to try again while no answer came.
    Effect::new(move |previous: Option<u32>| {
        let tick = wake.get();
        if previous.is_some()
            && sending.get_untracked() == Delivery::Waiting
            && browser::is_online()
        {
            send.run(());
        }
        tick
    });
    let online = window_event_listener(leptos::ev::online, move |_| {
        if sending.get_untracked() == Delivery::Waiting {
            send.run(());
        }
    });
    on_cleanup(move || online.remove());

    let region_for_new = region.clone();
    let start_again = move || {
        draft.set(Draft::fresh(&region_for_new));
        receipt.set(None);
        errors.set(Vec::new());
    };

    let locked_sig = locked;
    let body = move || {
        if let Some(html) = receipt.get() {
            let code = receipt_data(&html, "data-code");
            let start_again = start_again.clone();
            let on_click = move |ev: leptos::ev::MouseEvent| match browser::act_of(&ev).as_deref() {
                Some("copy") => browser::copy(&code),
                Some("track") => on_track.run(code.clone()),
                Some("again") => start_again(),
                _ => {}
            };
            return view! {
                <section aria-live="polite" inner_html=html on:click=on_click></section>
            }
            .into_any();
        }
        match (form.get(), markup.get()) {
            (Some(Err(message)), _) | (_, Some(Err(message))) => {
                view! { <p class="notice bad" role="alert">{message}</p> }.into_any()
            }
            (Some(Ok(_)), Some(Ok((lang, html)))) => {
                form_fields(html, lang, draft, errors, sending, locked_sig, send).into_any()
            }
            _ => view! { <p role="status">{Label::Loading.text(locale.get_untracked())}</p> }
                .into_any(),
        }
    };
    view! { <div class="file" node_ref=root>{body}</div> }
}
