//! Component tests in headless Chromium (wasm-bindgen-test): the widget as
//! mounted by the loader, without a server.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = "
export function count_fetches() {
  window.__fetches = 0;
  if (!window.__realFetch) window.__realFetch = window.fetch;
  window.fetch = function () { window.__fetches++; return window.__realFetch.apply(this, arguments); };
}
export function fetches() { return window.__fetches || 0; }
export function tick() { return new Promise(r => setTimeout(r, 20)); }
export function config(view, lang) {
  return { region: 'badung', lang: lang, api: 'http://127.0.0.1:9', view: view, emit: function () {} };
}
")]
extern "C" {
    fn count_fetches();
    fn fetches() -> u32;
    fn tick() -> js_sys::Promise;
    fn config(view: &str, lang: &str) -> JsValue;
}

async fn settle() {
    let _ = wasm_bindgen_futures::JsFuture::from(tick()).await;
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// A host element with an open shadow root and a container inside it.
fn host() -> (HtmlElement, ShadowRoot) {
    let doc = document();
    let host = doc.create_element("aduan-widget").expect("an element");
    doc.body()
        .expect("a body")
        .append_child(&host)
        .expect("appended");
    let root = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .expect("a shadow root");
    let container: HtmlElement = doc.create_element("div").expect("a div").unchecked_into();
    root.append_child(&container).expect("appended");
    (container, root)
}

fn text_of(root: &ShadowRoot, selector: &str) -> String {
    root.query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_widget_renders_inside_its_shadow_root_and_unmounts_cleanly() {
    let (container, root) = host();
    let id = aduan_widget::mount(container, root.clone(), config("track", "id")).expect("mounted");
    settle().await;
    assert!(root.query_selector("#aduan-code").ok().flatten().is_some());
    assert!(
        document()
            .query_selector("#aduan-code")
            .ok()
            .flatten()
            .is_none(),
        "nothing leaks into the page"
    );
    assert_eq!(
        root.adopted_style_sheets().length(),
        1,
        "the stylesheet is adopted, not inlined"
    );
    aduan_widget::unmount(id);
    settle().await;
    assert!(root.query_selector("#aduan-code").ok().flatten().is_none());
}

#[wasm_bindgen_test]
async fn a_mistyped_tracking_code_is_caught_before_any_request() {
    let (container, root) = host();
    aduan_widget::mount(container, root.clone(), config("track", "id")).expect("mounted");
    settle().await;
    count_fetches();
    let input: HtmlInputElement = root
        .query_selector("#aduan-code")
        .ok()
        .flatten()
        .expect("the code input")
        .unchecked_into();
    input.set_value("BDG-7K3Q-XP9M-2HT4-WQ5X");
    input
        .dispatch_event(&web_sys::Event::new("input").expect("an event"))
        .expect("dispatched");
    let button: HtmlElement = root
        .query_selector(".track button[type=submit]")
        .ok()
        .flatten()
        .expect("the track button")
        .unchecked_into();
    button.click();
    settle().await;
    let shown = text_of(&root, ".track [role=status]");
    assert!(shown.contains("salah ketik"), "{shown}");
    assert_eq!(fetches(), 0, "a typo must not reach the server");
}

#[wasm_bindgen_test]
async fn two_widgets_are_independent_and_switch_language_separately() {
    let (a, root_a) = host();
    let (b, root_b) = host();
    let first = aduan_widget::mount(a, root_a.clone(), config("track", "id")).expect("mounted");
    aduan_widget::mount(b, root_b.clone(), config("track", "id")).expect("mounted");
    settle().await;
    aduan_widget::set_locale(first, "en");
    settle().await;
    assert_eq!(text_of(&root_a, ".track h2"), "Track a complaint");
    assert_eq!(text_of(&root_b, ".track h2"), "Lacak pengaduan");
}
