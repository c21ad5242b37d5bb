//! The tracker: a code is checked with its check symbol before any request;
//! then the status, due date, public history, and a reply form when the
//! officers wait for the reporter.
//!
//! The service answers the widget in markup (`Accept: text/html`): the
//! same view its JSON carries, drawn by [`crate::markup::tracked`] on the
//! server, so the widget carries neither the view's reading nor its
//! drawing. Its buttons and reply form say what they ask in `data-act`.

use leptos::prelude::*;

use super::{Fetched, browser, fetch_text, message_of, refused};
use crate::api::{Locale, ReplyInput};
use crate::json::ToJson;
use crate::labels::Label;
use crate::tracking::{CodeError, TrackingCode};

/// A request of the tracker: its method, the code, the path after it, a body.
type Asked = (&'static str, String, &'static str, Option<String>);

/// Finds a complaint by its tracking code and takes the reporter's replies.
#[component]
pub fn Tracker(
    /// Base URL of the Aduan service.
    api: String,
    locale: RwSignal<Locale>,
    /// A code to look up at once (from a receipt).
    #[prop(optional)]
    initial: String,
) -> impl IntoView {
    let typed = RwSignal::new(initial.clone());
    // The answer's markup, or why there is none.
    let result = RwSignal::new(None::<Result<String, String>>);
    // The code of the complaint shown, which its buttons act on.
    let shown = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let reply = RwSignal::new(String::new());
    // One key per reply text: a retry of the same text is stored once.
    let reply_key = RwSignal::new(String::new());
    let base = api.trim_end_matches('/').to_owned();

    // Every request of the tracker answers with the complaint as its
    // reporter sees it, so one task asks and shows the answer.
    let ask = Callback::new(move |(method, code, path, body): Asked| {
        let l = locale.get_untracked();
        let url = format!("{base}/api/v1/complaints/{code}{path}");
        let key = body.as_ref().map(|_| reply_key.get_untracked());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let replying = body.is_some();
            let answer = match fetch_text(method, &url, body, key.as_deref(), l, true).await {
                Ok((status, html)) if (200..300).contains(&status) => Ok(html),
                Ok((status, text)) => Err(refused(status, &text)),
                Err(e) => Err(e),
            };
            if answer.is_ok() {
                shown.set(code);
                if replying {
                    reply.set(String::new());
                    reply_key.set(String::new());
                }
            }
            result.set(Some(answer.map_err(|e: Fetched| message_of(&e, l))));
            busy.set(false);
        });
    });
    let ask =
        move |method: &'static str, code: String, path: &'static str, body: Option<String>| {
            ask.run((method, code, path, body));
        };
    let look_up = Callback::new(move |()| {
        let l = locale.get_untracked();
        match TrackingCode::parse(&typed.get_untracked()) {
            Err(CodeError::Malformed) => {
                result.set(Some(Err(crate::i18n::Msg::TrackingCodeMalformed.text(l))));
            }
            Err(CodeError::Mistyped) => {
                result.set(Some(Err(crate::i18n::Msg::TrackingCodeMistyped.text(l))));
            }
            Ok(code) => ask("GET", code.to_string(), "", None),
        }
    });
    if !initial.is_empty() {
        look_up.run(());
    }
    // Another language: the complaint shown is asked again in it.
    Effect::new(move |first: Option<()>| {
        locale.track();
        let code = shown.get_untracked();
        if first.is_some() && !code.is_empty() && !busy.get_untracked() {
            ask("GET", code, "", None);
        }
    });
    let out = NodeRef::<leptos::html::Div>::new();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let code = shown.get_untracked();
        match browser::act_of(&ev).as_deref() {
            // A resolved complaint's follow-up confirmed by its reporter.
            Some("confirm") => ask("POST", code, "/confirmation", None),
            // The reporter erases their contact details; the complaint stays.
            Some("erase") => ask("DELETE", code, "/contact", None),
            _ => {}
        }
    };
    // Only the reply form's: the rating's slot has forms of its own.
    let on_reply = move |ev: leptos::ev::SubmitEvent| {
        if browser::act_of(&ev).as_deref() != Some("reply") {
            return;
        }
        ev.prevent_default();
        let message = reply.get_untracked();
        if message.trim().is_empty() {
            return;
        }
        if reply_key.get_untracked().is_empty() {
            reply_key.set(browser::random_key());
        }
        let body = ReplyInput {
            message,
            locale: Some(locale.get_untracked().key().to_owned()),
            attachments: Vec::new(),
        };
        ask(
            "POST",
            shown.get_untracked(),
            "/replies",
            Some(body.to_json_text()),
        );
    };
    let on_input = move |ev: leptos::ev::Event| {
        let Some(target) = ev.target().map(wasm_bindgen::JsValue::from) else {
            return;
        };
        if browser::property(&target, "name").as_string().as_deref() == Some("reply") {
            reply.set(
                browser::property(&target, "value")
                    .as_string()
                    .unwrap_or_default(),
            );
            reply_key.set(String::new());
        }
    };
    // Nothing is asked twice while a request is on its way; a reply typed
    // before an answer came is kept in the new one.
    Effect::new(move |_| {
        let busy = wasm_bindgen::JsValue::from_bool(busy.get());
        result.track();
        if let Some(el) = out.get() {
            for b in browser::all(&el, "button") {
                browser::set(&b, "disabled", &busy);
            }
            if let Some(text) = el.query_selector("[name=reply]").ok().flatten() {
                browser::set(
                    &text,
                    "value",
                    &wasm_bindgen::JsValue::from_str(&reply.get_untracked()),
                );
            }
        }
    });
    let answer = move || match result.get() {
        None => String::new(),
        Some(Ok(html)) => html,
        Some(Err(message)) => {
            let mut html = String::from("<p class=\"notice bad\">");
            crate::markup::escape_into(&mut html, &message);
            html + "</p>"
        }
    };
    // Rebuilt when the language changes; the typed code and the result stay.
    move || {
        let lang = locale.get();
        view! {
            <div class="track">
                <h2>{Label::TrackTitle.text(lang)}</h2>
                <form on:submit=move |ev| { ev.prevent_default(); look_up.run(()); }>
                    <div class="field">
                        <label for="aduan-code">{Label::TrackingCode.text(lang)}</label>
                        <input id="aduan-code" type="text" autocomplete="off" spellcheck="false"
                            prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                    </div>
                    <button type="submit" class="primary" disabled=move || busy.get()>{Label::Track.text(lang)}</button>
                </form>
                <div role="status" aria-live="polite" node_ref=out inner_html=answer
                    on:click=on_click on:submit=on_reply on:input=on_input></div>
            </div>
        }
    }
}
