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
use crate::json::{FromJson, Refusal, ToJson};
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
async fn fetch_text(
    method: &str,
    url: &str,
    body: Option<String>,
    key: Option<&str>,
    locale: Locale,
) -> Result<(u16, String), Fetched> {
    use wasm_bindgen::JsCast;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| Fetched::Network)?;
    let _ = headers.set("Accept-Language", locale.key());
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
    read(fetch_text("GET", url, None, None, locale).await?)
}

pub(crate) async fn post_json<T: FromJson>(
    url: &str,
    body: Option<&dyn ToJson>,
    key: Option<&str>,
    locale: Locale,
) -> Result<T, Fetched> {
    let body = body.map(ToJson::to_json_text);
    read(fetch_text("POST", url, body, key, locale).await?)
}

/// The language chooser's options: each language by its own name.
pub const LANGUAGE_OPTIONS: &str = "<option value=\"id\" lang=\"id\">Bahasa Indonesia</option>\
     <option value=\"en\" lang=\"en\">English</option>\
     <option value=\"ban\" lang=\"ban\">Basa Bali</option>";

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
    // Reference data: the same for a form made again when the citizen
    // comes back to the tab.
    let tab = move |which: View, label: Label| {
        view! {
            <button type="button" class="tab"
                aria-pressed=move || (view_now.get() == which).to_string()
                on:click=move |_| view_now.set(which)>
                {move || label.text(locale.get())}
            </button>
        }
    };
    view! {
        <div class="aduan" lang=move || locale.get().key()>
            <div class="top">
                <div class="tabs" role="group">
                    {tab(View::File, Label::FileTitle)}
                    {tab(View::Track, Label::TrackTitle)}
                </div>
                // The options are fixed markup (far fewer bytes in the
                // bundle than a view per option), then the value is set.
                <select class="lang" inner_html=LANGUAGE_OPTIONS prop:value=move || locale.get().key()
                    aria-label=move || Label::Language.text(locale.get())
                    on:change=move |ev| {
                        if let Some(l) = Locale::from_key(&event_target_value(&ev)) {
                            if crate::words::is_installed(l) {
                                locale.set(l);
                            } else {
                                on_event.run(WidgetEvent::Language(l));
                            }
                        }
                    }>
                </select>
            </div>
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
