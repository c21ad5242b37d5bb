//! The little the widget asks of the browser: the clock, randomness, and
//! the one thing it stores (the draft).

use crate::date::Date;

/// Bali's offset from UTC; the server checks dates with its own setting too.
pub const LOCAL_OFFSET_MINUTES: i32 = 480;

pub fn today() -> Date {
    Date::at(js_sys::Date::now() as i64, LOCAL_OFFSET_MINUTES)
}

/// A random key for one draft (128 bits from the browser's CSPRNG).
pub fn random_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !filled {
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut key = String::with_capacity(32);
    for b in bytes {
        key.push(char::from(HEX[usize::from(b >> 4)]));
        key.push(char::from(HEX[usize::from(b & 15)]));
    }
    key
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        // A full or blocked storage only costs the draft, never the form.
        let _ = s.set_item(key, value);
    }
}

pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

pub fn is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

pub fn copy(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// A property of a JavaScript object (`undefined` when it has none).
pub fn property(target: &wasm_bindgen::JsValue, key: &str) -> wasm_bindgen::JsValue {
    js_sys::Reflect::get(target, &wasm_bindgen::JsValue::from_str(key))
        .unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
}

/// Sets a property of an element.
pub fn set(target: &web_sys::Element, key: &str, value: &wasm_bindgen::JsValue) {
    let _ = js_sys::Reflect::set(target, &wasm_bindgen::JsValue::from_str(key), value);
}

/// Every element under `root` matching `selector`.
pub fn all(root: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
    use wasm_bindgen::JsCast;
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i)?.dyn_into::<web_sys::Element>().ok())
        .collect()
}

/// What a click or a submission inside markup asks for: the `data-act` of
/// the nearest element around its target that has one.
pub fn act_of(ev: &web_sys::Event) -> Option<String> {
    use wasm_bindgen::JsCast;
    ev.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("[data-act]")
        .ok()??
        .get_attribute("data-act")
}
