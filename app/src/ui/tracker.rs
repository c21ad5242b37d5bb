//! The tracker: a code is checked with its check symbol before any request;
//! then the status, due date, public history, and a reply form when the
//! officers wait for the reporter.

use leptos::prelude::*;

use super::{browser, fetch_text, message_of, read};
use crate::api::{Locale, ReplyInput, TrackingView};
use crate::json::ToJson;
use crate::labels::Label;
use crate::tracking::{CodeError, TrackingCode};

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
    let result = RwSignal::new(None::<Result<TrackingView, String>>);
    let busy = RwSignal::new(false);
    let reply = RwSignal::new(String::new());
    // One key per reply text: a retry of the same text is stored once.
    let reply_key = RwSignal::new(String::new());
    let base = api.trim_end_matches('/').to_owned();

    // Every request of the tracker answers with the complaint as its reporter
    // sees it, so one task asks and shows the answer.
    let ask =
        move |method: &'static str, url: String, body: Option<String>, key: Option<String>| {
            let l = locale.get_untracked();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let replying = body.is_some();
                let answer = match fetch_text(method, &url, body, key.as_deref(), l).await {
                    Ok(answer) => read::<TrackingView>(answer),
                    Err(e) => Err(e),
                };
                if replying && answer.is_ok() {
                    reply.set(String::new());
                    reply_key.set(String::new());
                }
                result.set(Some(answer.map_err(|e| message_of(&e, l))));
                busy.set(false);
            });
        };
    let look_up = {
        let base = base.clone();
        Callback::new(move |()| {
            let l = locale.get_untracked();
            match TrackingCode::parse(&typed.get_untracked()) {
                Err(CodeError::Malformed) => {
                    result.set(Some(Err(crate::i18n::Msg::TrackingCodeMalformed.text(l))));
                }
                Err(CodeError::Mistyped) => {
                    result.set(Some(Err(crate::i18n::Msg::TrackingCodeMistyped.text(l))));
                }
                Ok(code) => ask(
                    "GET",
                    format!("{base}/api/v1/complaints/{code}"),
                    None,
                    None,
                ),
            }
        })
    };
    if !initial.is_empty() {
        look_up.run(());
    }
    let confirm = {
        let base = base.clone();
        Callback::new(move |code: String| {
            let url = format!("{base}/api/v1/complaints/{code}/confirmation");
            ask("POST", url, None, None);
        })
    };
    // The reporter erases their contact details; the complaint stays.
    let erase = {
        let base = base.clone();
        Callback::new(move |code: String| {
            ask(
                "DELETE",
                format!("{base}/api/v1/complaints/{code}/contact"),
                None,
                None,
            );
        })
    };
    let send_reply = Callback::new(move |code: String| {
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
        let url = format!("{base}/api/v1/complaints/{code}/replies");
        ask(
            "POST",
            url,
            Some(body.to_json_text()),
            Some(reply_key.get_untracked()),
        );
    });
    // The answer's buttons and reply form are markup: one listener each
    // for what they ask (`data-act`), and the typed reply kept as typed.
    let out = NodeRef::<leptos::html::Div>::new();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let code = result.with_untracked(|r| match r {
            Some(Ok(view)) => view.tracking_code.clone(),
            _ => String::new(),
        });
        match browser::act_of(&ev).as_deref() {
            Some("confirm") => confirm.run(code),
            Some("erase") => erase.run(code),
            _ => {}
        }
    };
    // Only the reply form's: the rating's slot has forms of its own.
    let on_reply = move |ev: leptos::ev::SubmitEvent| {
        if browser::act_of(&ev).as_deref() != Some("reply") {
            return;
        }
        ev.prevent_default();
        if let Some(Ok(view)) = result.get_untracked() {
            send_reply.run(view.tracking_code);
        }
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
    // Nothing is asked twice while a request is on its way.
    Effect::new(move |_| {
        let busy = wasm_bindgen::JsValue::from_bool(busy.get());
        result.track();
        if let Some(el) = out.get() {
            for b in browser::all(&el, "button") {
                browser::set(&b, "disabled", &busy);
            }
        }
    });
    // Rebuilt when the language changes; the typed code and the result stay.
    move || {
        let lang = locale.get();
        let answer = move || match result.get() {
            None => String::new(),
            Some(Err(message)) => {
                let mut html = String::from("<p class=\"notice bad\">");
                crate::markup::escape_into(&mut html, &message);
                html + "</p>"
            }
            Some(Ok(view)) => crate::markup::tracked(&view, lang, &reply.get_untracked()),
        };
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
