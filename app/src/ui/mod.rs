//! The Leptos components the widget mounts: the complaint form, the receipt
//! and the tracker, in Indonesian and English.

mod browser;
mod fields;
mod form;
mod tracker;

use leptos::prelude::*;

pub use form::ComplaintForm;
pub use tracker::Tracker;

use crate::api::Locale;
use crate::json::{FromJson, Refusal};
use crate::labels::Label;

/// Which part the widget opens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    File,
    Track,
}

/// What the widget tells the page about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WidgetEvent {
    /// A complaint was acknowledged; the region it went to. Never the
    /// tracking code: it is the reporter's credential, and the host page's
    /// scripts (analytics, chat, ads) are not the reporter.
    Submitted(String),
    /// Something the citizen could not get past.
    Error(String),
    /// The citizen chose a language whose words are not in yet: the loader
    /// fetches them and switches the widget.
    Language(Locale),
}

/// Where the widget talks to and what it shows first.
#[derive(Clone, Debug)]
pub struct WidgetConfig {
    pub region: String,
    pub api: String,
    pub view: View,
    /// The region's form (`GET /api/v1/regions/{slug}/form`) as the loader
    /// fetched it with the bundle: one round trip less before the form
    /// works. Empty or unreadable, the form fetches it itself.
    pub form: String,
}

/// Why a request did not give what was asked.
#[derive(Clone, Debug)]
pub(crate) enum Fetched {
    /// No answer: offline, or the connection broke.
    Network,
    /// An answer refusing: its status and message.
    Refused(u16, Refusal),
}

pub(crate) fn message_of(error: &Fetched, locale: Locale) -> String {
    match error {
        Fetched::Network => Label::Offline.text(locale).to_owned(),
        Fetched::Refused(_, body) => body.message.clone(),
    }
}

/// One request with the browser's `fetch`: the status and the body's text.
/// Not generic, so the widget carries one copy of it.
/// `html`: the answer is asked as markup (the tracker's), else as JSON.
async fn fetch_text(
    method: &str,
    url: &str,
    body: Option<String>,
    key: Option<&str>,
    locale: Locale,
    html: bool,
) -> Result<(u16, String), Fetched> {
    use wasm_bindgen::JsCast;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| Fetched::Network)?;
    let _ = headers.set("Accept-Language", locale.key());
    let _ = headers.set(
        "Accept",
        if html {
            "text/html"
        } else {
            "application/json"
        },
    );
    if let Some(key) = key {
        let _ = headers.set("Idempotency-Key", key);
    }
    if let Some(body) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&wasm_bindgen::JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    let request =
        web_sys::Request::new_with_str_and_init(url, &init).map_err(|_| Fetched::Network)?;
    let window = web_sys::window().ok_or(Fetched::Network)?;
    let response: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| Fetched::Network)?
            .dyn_into()
            .map_err(|_| Fetched::Network)?;
    let text = wasm_bindgen_futures::JsFuture::from(response.text().map_err(|_| Fetched::Network)?)
        .await
        .map_err(|_| Fetched::Network)?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}

/// Reads an answer: `T` when it succeeded, the refusal when not.
fn read<T: FromJson>((status, text): (u16, String)) -> Result<T, Fetched> {
    if (200..300).contains(&status) {
        T::from_json_text(&text).map_err(|_| Fetched::Network)
    } else {
        Err(refused(status, &text))
    }
}

/// A refusal's body; not generic, so the widget carries one copy of it.
fn refused(status: u16, text: &str) -> Fetched {
    let body = Refusal::from_json_text(text).unwrap_or_else(|_| Refusal {
        message: format!("HTTP {status}"),
        fields: Vec::new(),
    });
    Fetched::Refused(status, body)
}

pub(crate) async fn get_json<T: FromJson>(url: &str, locale: Locale) -> Result<T, Fetched> {
    read(fetch_text("GET", url, None, None, locale, false).await?)
}

/// The widget's top: a tab for filing, one for tracking, and the language
/// chooser with each language by its own name.
const TOP: &str = "<div class=\"tabs\" role=\"group\">\
     <button type=\"button\" class=\"tab\" data-act=\"file\"></button>\
     <button type=\"button\" class=\"tab\" data-act=\"track\"></button></div>\
     <select class=\"lang\"><option value=\"id\" lang=\"id\">Bahasa Indonesia</option>\
     <option value=\"en\" lang=\"en\">English</option>\
     <option value=\"ban\" lang=\"ban\">Basa Bali</option></select>";

/// The whole widget: a tab for filing, a tab for tracking, a language
/// chooser. A language whose words are in is shown at once; another is
/// asked of the loader ([`WidgetEvent::Language`]).
#[component]
pub fn App(
    config: WidgetConfig,
    locale: RwSignal<Locale>,
    #[prop(into)] on_event: Callback<WidgetEvent>,
) -> impl IntoView {
    let view_now = RwSignal::new(config.view);
    let handed_code = RwSignal::new(String::new());
    let on_track = Callback::new(move |code: String| {
        handed_code.set(code);
        view_now.set(View::Track);
    });
    let WidgetConfig {
        region, api, form, ..
    } = config;
    // The tabs and the language chooser are fixed markup (far fewer bytes
    // in the bundle than a view each); one effect gives them their words,
    // which tab is pressed and the language chosen.
    let top = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let (l, now) = (locale.get(), view_now.get());
        let Some(el) = top.get() else {
            return;
        };
        for tab in browser::all(&el, ".tab") {
            let which = match tab.get_attribute("data-act").as_deref() {
                Some("track") => View::Track,
                _ => View::File,
            };
            let label = match which {
                View::File => Label::FileTitle,
                View::Track => Label::TrackTitle,
            };
            tab.set_text_content(Some(label.text(l)));
            let _ = tab.set_attribute("aria-pressed", if which == now { "true" } else { "false" });
        }
        if let Some(chooser) = el.query_selector("select").ok().flatten() {
            browser::set(&chooser, "value", &wasm_bindgen::JsValue::from_str(l.key()));
            let _ = chooser.set_attribute("aria-label", Label::Language.text(l));
        }
    });
    let on_click = move |ev: leptos::ev::MouseEvent| match browser::act_of(&ev).as_deref() {
        Some("file") => view_now.set(View::File),
        Some("track") => view_now.set(View::Track),
        _ => {}
    };
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(l) = Locale::from_key(&event_target_value(&ev)) {
            if crate::words::is_installed(l) {
                locale.set(l);
            } else {
                on_event.run(WidgetEvent::Language(l));
            }
        }
    };
    view! {
        <div class="aduan" lang=move || locale.get().key()>
            <div class="top" node_ref=top inner_html=TOP on:click=on_click on:change=on_change></div>
            {move || match view_now.get() {
                View::File => view! {
                    <ComplaintForm api=api.clone() region=region.clone() locale=locale on_event=on_event on_track=on_track
                        prefetched=form.clone() />
                }.into_any(),
                View::Track => view! {
                    <Tracker api=api.clone() locale=locale initial=handed_code.get_untracked() />
                }.into_any(),
            }}
        </div>
    }
}
