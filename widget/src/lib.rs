//! The widget's entry point: a shadow root per host element, and the
//! components from `aduan_app::ui` mounted inside it.

use aduan_app::api::Locale;
use aduan_app::ui::{STYLE, Tracker};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};

/// Mounts the tracker into `host`, inside a shadow root of its own, so the
/// host page's styles cannot reach in and ours cannot leak out.
#[wasm_bindgen]
pub fn mount(host: HtmlElement, api: String, lang: String) -> Result<(), JsValue> {
    let root = match host.shadow_root() {
        Some(existing) => existing,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let container: HtmlElement = document.create_element("div")?.unchecked_into();
    root.append_child(&container)?;
    let locale = Locale::from_key(&lang).unwrap_or_default();
    leptos::mount::mount_to(container, move || {
        view! {
            <style>{STYLE}</style>
            <Tracker api=api.clone() locale=locale />
        }
    })
    .forget();
    Ok(())
}
