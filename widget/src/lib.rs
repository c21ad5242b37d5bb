//! The widget's entry points, called by the loader (`public/loader.js`):
//! `mount` renders the app into an element inside a shadow root and returns
//! a handle; `unmount` removes it again; `set_locale` switches its language.

use std::cell::RefCell;

/// The widget allocates little and briefly: a free list is enough, and far
/// smaller in the bundle than the default allocator.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

use aduan_app::api::Locale;
use aduan_app::ui::{App, View, WidgetConfig, WidgetEvent};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot};

struct Mounted {
    locale: RwSignal<Locale>,
    // Dropping the handle removes the widget's nodes and its reactive owner.
    _handle: Box<dyn std::any::Any>,
}

thread_local! {
    static MOUNTS: RefCell<Vec<(u32, Mounted)>> = const { RefCell::new(Vec::new()) };
    // Each widget's `emit(name, detail)`, by its handle: kept here so the
    // widget's callbacks carry only the handle (a JS function may not cross
    // threads, and a wrapper that checks the thread costs the bundle 2 KB).
    static EMITS: RefCell<Vec<(u32, js_sys::Function)>> = const { RefCell::new(Vec::new()) };
    static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

/// Tells the page through the loader's `emit` of widget `id`.
fn emit(id: u32, event: WidgetEvent) {
    let (name, key, value) = match event {
        WidgetEvent::Submitted(region) => ("submitted", "region", region),
        WidgetEvent::Error(message) => ("error", "message", message),
        WidgetEvent::Language(wanted) => ("language", "lang", wanted.key().to_owned()),
    };
    let detail = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&detail, &JsValue::from_str(key), &JsValue::from_str(&value));
    // Taken out of the list for the call, so a page's handler that mounts
    // or removes a widget never finds it borrowed.
    let Some(f) = EMITS.with(|e| {
        e.borrow()
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, f)| f.clone())
    }) else {
        return;
    };
    let _ = f.call2(&JsValue::NULL, &JsValue::from_str(name), &detail);
}

fn text(config: &JsValue, key: &str) -> String {
    js_sys::Reflect::get(config, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Renders the widget into `container` (inside `root`). `config` carries
/// `region`, `lang`, `words` (that language's words, one a line), `api`,
/// `view` (`file` or `track`) and `emit(name, detail)`. A citizen who picks
/// a language whose words are not in yet is told to the loader as the event
/// `language` (`{lang}`); it fetches them and calls [`set_locale`].
#[wasm_bindgen]
pub fn mount(container: HtmlElement, root: ShadowRoot, config: JsValue) -> Result<u32, JsValue> {
    // The stylesheet is the first moments' module's (or slots.js asks the
    // server for it): the wasm carries none.
    let _ = root;
    let first = Locale::from_key(&text(&config, "lang")).unwrap_or_default();
    if !aduan_app::words::install(first, &text(&config, "words")) {
        return Err(JsValue::from_str("the widget's words did not arrive whole"));
    }
    let locale = RwSignal::new(first);
    let id = NEXT.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    if let Some(f) = js_sys::Reflect::get(&config, &JsValue::from_str("emit"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        EMITS.with(|e| e.borrow_mut().push((id, f)));
    }
    let app_config = WidgetConfig {
        region: text(&config, "region"),
        api: text(&config, "api"),
        view: if text(&config, "view") == "track" {
            View::Track
        } else {
            View::File
        },
        form: text(&config, "form"),
    };
    let handle = leptos::mount::mount_to(container, move || {
        view! { <App config=app_config.clone() locale=locale on_event=move |e| emit(id, e) /> }
    });
    MOUNTS.with(|m| {
        m.borrow_mut().push((
            id,
            Mounted {
                locale,
                _handle: Box::new(handle),
            },
        ));
    });
    Ok(id)
}

/// Removes a mounted widget and everything it rendered.
#[wasm_bindgen]
pub fn unmount(handle: u32) {
    // Taken out first, so the widget's own clean-up never finds the list borrowed.
    let removed = MOUNTS.with(|m| {
        let mut mounts = m.borrow_mut();
        let at = mounts.iter().position(|(id, _)| *id == handle);
        at.map(|at| mounts.swap_remove(at))
    });
    drop(removed);
    EMITS.with(|e| e.borrow_mut().retain(|(id, _)| *id != handle));
}

/// Switches a mounted widget's language (`id`, `en` or `ban`), given its
/// words (one a line) unless they are in already.
#[wasm_bindgen]
pub fn set_locale(handle: u32, lang: &str, words: &str) {
    if let Some(locale) = Locale::from_key(lang)
        && aduan_app::words::install(locale, words)
    {
        MOUNTS.with(|m| {
            if let Some((_, mounted)) = m.borrow().iter().find(|(id, _)| *id == handle) {
                mounted.locale.set(locale);
            }
        });
    }
}
