//! The tracker: a code is checked with its check symbol before any request;
//! then the status, due date, public history, and a reply form when the
//! officers wait for the reporter.

use leptos::prelude::*;

use super::{browser, fetch_text, message_of, read};
use crate::api::{Locale, ReplyInput, Status, TrackingView};
use crate::json::ToJson;
use crate::labels::Label;
use crate::tracking::{CodeError, TrackingCode};
use crate::validate::LIMITS;

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
    // Rebuilt when the language changes; the typed code and the result stay.
    move || {
        let lang = locale.get();
        let l = move || lang;
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
                <div role="status" aria-live="polite">
                    {move || match result.get() {
                        None => ().into_any(),
                        Some(Err(message)) => view! { <p class="notice bad">{message}</p> }.into_any(),
                        Some(Ok(view)) => {
                            let code = view.tracking_code.clone();
                            let code_for_confirm = code.clone();
                            let code_for_erase = code.clone();
                            // Once followed up, the reporter rates the handling: the
                            // loader fills the section's slot with a small module.
                            let rate = if matches!(view.status, Status::Resolved | Status::Closed) && view.rating.is_none() {
                                code.clone()
                            } else {
                                String::new()
                            };
                            view! {
                                <section class="result" data-aduan-rate=rate>
                                    <div inner_html=crate::markup::tracking(&view, l())></div>
                                    {(view.status == Status::Resolved).then(|| view! {
                                        <p>{Label::ConfirmHelp.text(l())}</p>
                                        <button type="button" class="primary" disabled=move || busy.get()
                                            on:click=move |_| confirm.run(code_for_confirm.clone())>{Label::ConfirmResolved.text(l())}</button>
                                    })}
                                    {view.accepts_replies.then(|| view! {
                                        <form on:submit=move |ev| { ev.prevent_default(); send_reply.run(code.clone()); }>
                                            <h3>{Label::ReplyTitle.text(l())}</h3>
                                            <div class="field">
                                                <label for="aduan-reply">{Label::ReplyHelp.text(l())}</label>
                                                <textarea id="aduan-reply" maxlength=LIMITS.reply_max.to_string()
                                                    prop:value=move || reply.get() on:input=move |ev| { reply.set(event_target_value(&ev)); reply_key.set(String::new()); }></textarea>
                                            </div>
                                            <button type="submit" class="primary" disabled=move || busy.get()>{Label::SendReply.text(l())}</button>
                                        </form>
                                    })}
                                    <button type="button" class="erase" disabled=move || busy.get()
                                        on:click=move |_| erase.run(code_for_erase.clone())>{Label::EraseContact.text(l())}</button>
                                </section>
                            }.into_any()
                        }
                    }}
                </div>
            </div>
        }
    }
}
