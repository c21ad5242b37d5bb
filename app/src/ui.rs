//! The Leptos components the widget mounts.
//!
//! For now the tracker: a citizen types a tracking code, the shared check
//! symbol catches a typo before any request, and the status and public
//! history come from the API.

use leptos::prelude::*;

use crate::api::{ErrorBody, Locale, TrackingView};
use crate::tracking::{CodeError, TrackingCode};

/// The widget's styles, scoped by the shadow root. Sizes are in px because
/// rem would follow the host page's root font size.
pub const STYLE: &str = r#"
:host{all:initial !important;display:block !important}
.aduan{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px;max-width:480px;box-sizing:border-box}
.aduan h2{font-size:20px;margin:0 0 12px}
.aduan label{display:block;font-size:14px;margin-bottom:4px}
.aduan input{font-size:16px;min-height:44px;width:100%;box-sizing:border-box;padding:8px;border:1px solid #8c959f;border-radius:6px;text-transform:uppercase}
.aduan button{font-size:16px;min-height:44px;margin-top:8px;padding:8px 16px;border:0;border-radius:6px;background:var(--aduan-accent,#0b5cad);color:#fff;cursor:pointer}
.aduan .error{color:#a40e26;margin-top:8px}
.aduan ol{padding-left:20px}
"#;

fn t(locale: Locale, id: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::Id => id,
        Locale::En => en,
    }
}

async fn fetch_view(api: String, code: TrackingCode) -> Result<TrackingView, String> {
    let url = format!("{}/api/v1/complaints/{}", api.trim_end_matches('/'), code);
    let response = gloo_net::http::Request::get(&url)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.ok() {
        response
            .json::<TrackingView>()
            .await
            .map_err(|e| e.to_string())
    } else {
        let body: Result<ErrorBody, _> = response.json().await;
        Err(body.map_or_else(
            |_| format!("HTTP {}", response.status()),
            |b| b.error.message,
        ))
    }
}

/// Finds a complaint by its tracking code.
#[component]
pub fn Tracker(
    /// Base URL of the Aduan service.
    api: String,
    /// The language to speak.
    locale: Locale,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<TrackingView, String>>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match TrackingCode::parse(&typed.get_untracked()) {
            Err(CodeError::Malformed) => result.set(Some(Err(t(
                locale,
                "Ini bukan kode pelacakan.",
                "This is not a tracking code.",
            )
            .to_owned()))),
            Err(CodeError::Mistyped) => result.set(Some(Err(t(
                locale,
                "Kode ini salah ketik. Periksa kembali setiap karakternya.",
                "This code has a typo. Please check each character.",
            )
            .to_owned()))),
            Ok(code) => {
                busy.set(true);
                let api = api.clone();
                leptos::task::spawn_local(async move {
                    result.set(Some(fetch_view(api, code).await));
                    busy.set(false);
                });
            }
        }
    };
    view! {
        <div class="aduan" lang=locale.key()>
            <h2>{t(locale, "Lacak pengaduan", "Track a complaint")}</h2>
            <form on:submit=submit>
                <label for="aduan-code">{t(locale, "Kode pelacakan", "Tracking code")}</label>
                <input id="aduan-code" name="code" autocomplete="off" spellcheck="false" bind:value=typed />
                <button type="submit" disabled=move || busy.get()>{t(locale, "Lacak", "Track")}</button>
            </form>
            <div role="status" aria-live="polite">
                {move || match result.get() {
                    None => ().into_any(),
                    Some(Err(message)) => view! { <p class="error">{message}</p> }.into_any(),
                    Some(Ok(view)) => view! {
                        <div class="result">
                            <p><strong>{view.tracking_code.clone()}</strong>": "{crate::labels::status(view.status, locale)}</p>
                            <p>{view.title.clone()}</p>
                            <p>{view.region.name.clone()}" · "{view.unit.name.clone()}</p>
                            <ol>
                                {view.timeline.iter().map(|e| view! {
                                    <li>{e.at.clone()}" "{e.message.clone().unwrap_or_default()}</li>
                                }).collect_view()}
                            </ol>
                        </div>
                    }.into_any(),
                }}
            </div>
        </div>
    }
}
