//! Component tests in headless Chromium (wasm-bindgen-test): the widget as
//! mounted by the loader, without a server.
#![cfg(target_arch = "wasm32")]

use aduan_app::api::Locale;
use aduan_app::words::widget_lines as lines;
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
export function config(view, lang, id, en, ban) {
  const words = { id: id, en: en, ban: ban };
  return {
    region: 'badung', lang: lang, words: words[lang], api: 'http://127.0.0.1:9', view: view,
    emit: function (name, detail) { if (name === 'language') window.__wanted = detail.lang; }
  };
}
export function take_wanted() { const l = window.__wanted || ''; window.__wanted = ''; return l; }
")]
extern "C" {
    fn count_fetches();
    fn fetches() -> u32;
    fn tick() -> js_sys::Promise;
    #[wasm_bindgen(js_name = config)]
    fn js_config(view: &str, lang: &str, id: &str, en: &str, ban: &str) -> JsValue;
    fn take_wanted() -> String;
}

/// What the loader hands `mount`: the words of `lang`, and every language's
/// on request.
fn config(view: &str, lang: &str) -> JsValue {
    js_config(
        view,
        lang,
        lines(Locale::Id),
        lines(Locale::En),
        lines(Locale::Ban),
    )
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
    // The stylesheet comes once, with the first moments' module (or from
    // slots.js): the wasm neither adopts nor inlines one.
    assert_eq!(root.adopted_style_sheets().length(), 0);
    assert!(root.query_selector("style").ok().flatten().is_none());
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
    aduan_widget::set_locale(first, "en", lines(Locale::En));
    settle().await;
    assert_eq!(text_of(&root_a, ".track h2"), "Track a complaint");
    assert_eq!(text_of(&root_b, ".track h2"), "Lacak pengaduan");
}

#[wasm_bindgen_test]
async fn a_widget_mounted_in_balinese_speaks_it_and_asks_for_another_language_once() {
    let (container, root) = host();
    let id = aduan_widget::mount(container, root.clone(), config("track", "ban")).expect("mounted");
    settle().await;
    assert_eq!(text_of(&root, ".track h2"), "Lacak pangaduan");
    take_wanted();
    let select: web_sys::HtmlSelectElement = root
        .query_selector("select.lang")
        .ok()
        .flatten()
        .expect("the language chooser")
        .unchecked_into();
    assert_eq!(select.value(), "ban", "the chooser shows the language");
    let options = root
        .query_selector_all("select.lang option")
        .expect("the options");
    let names: Vec<String> = (0..options.length())
        .filter_map(|i| options.item(i))
        .filter_map(|o| o.text_content())
        .collect();
    assert_eq!(
        names,
        Locale::ALL.map(|l| l.name()),
        "each language by its own name"
    );
    // As a browser tells it: a change that bubbles.
    let choose = |lang: &str| {
        select.set_value(lang);
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        select
            .dispatch_event(
                &web_sys::Event::new_with_event_init_dict("change", &init).expect("an event"),
            )
            .expect("dispatched");
    };
    choose("en");
    settle().await;
    // English may be in already (the tests share one page): then it shows at
    // once; otherwise the loader is asked for it and hands it over.
    if text_of(&root, ".track h2") != "Track a complaint" {
        assert_eq!(take_wanted(), "en", "the loader is asked for English");
        aduan_widget::set_locale(id, "en", lines(Locale::En));
        settle().await;
    }
    assert_eq!(text_of(&root, ".track h2"), "Track a complaint");
    // Both are in now: switching back and forth asks for nothing.
    for (lang, heading) in [("ban", "Lacak pangaduan"), ("en", "Track a complaint")] {
        choose(lang);
        settle().await;
        assert_eq!(text_of(&root, ".track h2"), heading, "{lang}");
    }
    assert_eq!(take_wanted(), "", "nothing more was asked");
}
