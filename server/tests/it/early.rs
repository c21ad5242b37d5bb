//! The widget's first moments: the citizen types into the form the server
//! sends while the wasm is held back, and nothing they typed (values, the
//! focus, the caret, a word still in an input method) is lost when the
//! wasm's form takes over.

use serde_json::{Value, json};

use crate::browser::{Browser, Page};
use crate::e2e::require_bundle;
use crate::support::{Engine, TestApp, spawn_app};

/// An element inside the inline widget's shadow root.
fn w(selector: &str) -> String {
    format!("document.querySelector('aduan-widget').shadowRoot.querySelector({selector:?})")
}

/// Types `text` where the focus is, as a keyboard or an input method does.
async fn type_text(page: &Page<'_>, text: &str) {
    page.call("Input.insertText", json!({ "text": text })).await;
}

async fn eval_str(page: &Page<'_>, js: &str) -> String {
    page.eval(js).await.as_str().unwrap_or_default().to_owned()
}

/// Opens an inline widget for Denpasar with every `.wasm` request held
/// back; returns the held request's id once the browser asked for it.
async fn open_with_the_wasm_held(app: &TestApp, page: &Page<'_>) -> String {
    open_with_held(app, page, "*.wasm").await
}

/// Opens an inline widget for Denpasar with the first request matching
/// `pattern` held back; returns its id once the browser asked for it.
async fn open_with_held(app: &TestApp, page: &Page<'_>, pattern: &str) -> String {
    let mut events = page.events();
    page.goto(&app.url("/demo/regency.html")).await;
    page.wait_for("!!document.querySelector('aduan-launcher')", 10)
        .await;
    page.call(
        "Fetch.enable",
        json!({"patterns": [{"urlPattern": pattern, "requestStage": "Request"}]}),
    )
    .await;
    crate::e2e::mount_inline_denpasar(page).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let event: Value = tokio::time::timeout(left, events.recv())
            .await
            .expect("the widget asks for its wasm")
            .expect("events");
        if event["sessionId"] == page.session.as_str() && event["method"] == "Fetch.requestPaused" {
            return event["params"]["requestId"]
                .as_str()
                .expect("a request id")
                .to_owned();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_types_before_the_wasm_is_in_and_loses_nothing_when_it_takes_over() {
    require_bundle();
    let app = spawn_app(Engine::Sqlite).await;
    let browser = Browser::launch().await;
    let page = browser.page().await;
    let held = open_with_the_wasm_held(&app, &page).await;

    // The server's form is there and takes keystrokes while the wasm waits.
    page.wait_for(&w("[data-aduan-early] #title"), 30).await;
    assert_eq!(
        page.eval(&format!("!!{}", w(".aduan:not([data-aduan-early])")))
            .await,
        json!(false),
        "the wasm is held back"
    );
    page.eval(&format!("{}.focus(); true", w("#title"))).await;
    type_text(&page, "Jalan berlubang di Jalan Gatot Subroto").await;
    for (select, value) in [("#category", "sampah"), ("#district", "denpasar-barat")] {
        page.eval(&format!(
            "(el => {{ el.value = {value:?}; el.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})({})",
            w(select)
        ))
        .await;
    }
    page.eval(&format!(
        "{}.click(); true",
        w("input[name=privacy][value=confidential]")
    ))
    .await;
    page.eval(&format!("{}.click(); true", w("input[name=consent]")))
        .await;
    page.eval(&format!("{}.focus(); true", w("#reporter_name")))
        .await;
    type_text(&page, "Made").await;
    page.eval(&format!("{}.focus(); true", w("#description")))
        .await;
    type_text(&page, "Lubangnya dalam, sudah dua motor jatuh.").await;
    // The caret back inside the text, after "Lubangnya".
    page.eval(&format!(
        "{}.setSelectionRange(9, 9); true",
        w("#description")
    ))
    .await;
    // A word still being composed in an input method when the wasm comes.
    page.call(
        "Input.imeSetComposition",
        json!({"text": " sekali", "selectionStart": 7, "selectionEnd": 7}),
    )
    .await;

    page.call("Fetch.continueRequest", json!({ "requestId": held }))
        .await;
    // The wasm's form is in, and waits hidden while the word is unfinished.
    page.wait_for(&w(".aduan:not([data-aduan-early]) form #title"), 30)
        .await;
    assert_eq!(
        page.eval(&format!("!!{}", w("[data-aduan-early]"))).await,
        json!(true),
        "the first form stays while a word is being composed"
    );
    assert_eq!(
        page.eval(&format!("{}.hidden", w(".aduan:not([data-aduan-early])")))
            .await,
        json!(true)
    );
    // The word is committed: now the wasm's form takes over.
    type_text(&page, " sekali").await;
    page.wait_for(&format!("!{}", w("[data-aduan-early]")), 10)
        .await;

    let shown = w(".aduan");
    assert_eq!(
        page.eval(&format!("{shown}.hidden")).await,
        json!(false),
        "the wasm's form is shown"
    );
    for (field, typed) in [
        ("#title", "Jalan berlubang di Jalan Gatot Subroto"),
        (
            "#description",
            "Lubangnya sekali dalam, sudah dua motor jatuh.",
        ),
        ("#category", "sampah"),
        ("#reporter_name", "Made"),
    ] {
        assert_eq!(
            eval_str(&page, &format!("{}.value", w(field))).await,
            typed,
            "{field} after the takeover"
        );
    }
    for ticked in [
        "input[name=privacy][value=confidential]",
        "input[name=consent]",
    ] {
        assert_eq!(
            page.eval(&format!("{}.checked", w(ticked))).await,
            json!(true),
            "{ticked} after the takeover"
        );
    }
    // The focus and the caret, where the citizen left them.
    let root = "document.querySelector('aduan-widget').shadowRoot";
    assert_eq!(
        eval_str(&page, &format!("{root}.activeElement?.id")).await,
        "description"
    );
    assert_eq!(
        page.eval(&format!(
            "[{root}.activeElement.selectionStart, {root}.activeElement.selectionEnd]"
        ))
        .await,
        json!([16, 16]),
        "the caret after the composed word"
    );
    // The complaints like it are asked for, as if chosen in the wasm's form.
    page.wait_for(
        "performance.getEntriesByType('resource').some(r => r.name.includes('/similar?category=sampah&district=denpasar-barat'))",
        10,
    )
    .await;
    // Fully working: the wasm keeps the draft, and typing goes on.
    type_text(&page, "!").await;
    let draft = page
        .wait_for(
            "localStorage.getItem('aduan.draft.denpasar')?.includes('sekali!')",
            10,
        )
        .await;
    assert_eq!(draft, json!(true));
    let kept = eval_str(&page, "localStorage.getItem('aduan.draft.denpasar')").await;
    assert!(
        kept.contains("Jalan berlubang di Jalan Gatot Subroto") && kept.contains("Made"),
        "the draft holds what was typed before the wasm: {kept}"
    );

    // Sent, it carries all of it.
    page.eval(&format!("{}.click(); true", w("button[type=submit]")))
        .await;
    page.wait_for(&format!("{}?.textContent", w("section .code")), 30)
        .await;
    assert_eq!(
        app.db
            .count(
                "SELECT COUNT(*) FROM complaints WHERE title = 'Jalan berlubang di Jalan Gatot Subroto' \
                 AND description = 'Lubangnya sekali! dalam, sudah dua motor jatuh.' AND confidential"
            )
            .await,
        1
    );
}

/// A finger's tap on "send" (a click with a count, as a tap gives).
async fn tap_send(page: &Page<'_>) {
    page.eval(&format!(
        "{}.dispatchEvent(new MouseEvent('click', {{bubbles: true, cancelable: true, detail: 1}}))",
        w("button[type=submit]")
    ))
    .await;
}

/// Fills the first moments' form with a whole complaint, consent ticked.
async fn fill_before_the_wasm(page: &Page<'_>) {
    page.wait_for(&w("[data-aduan-early] #title"), 30).await;
    for (field, value) in [
        ("#title", "Lampu jalan mati di Renon"),
        (
            "#description",
            "Sudah tiga malam lampu jalan di depan lapangan mati.",
        ),
    ] {
        page.eval(&format!("{}.focus(); true", w(field))).await;
        type_text(page, value).await;
    }
    for (select, value) in [("#category", "jalan"), ("#district", "denpasar-barat")] {
        page.eval(&format!(
            "(el => {{ el.value = {value:?}; el.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})({})",
            w(select)
        ))
        .await;
    }
    page.eval(&format!("{}.click(); true", w("input[name=consent]")))
        .await;
}

const RENON: &str = "SELECT COUNT(*) FROM complaints WHERE title = 'Lampu jalan mati di Renon' AND category_key = 'jalan'";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sending_asked_for_before_the_wasm_is_in_is_made_by_the_wasm() {
    require_bundle();
    let app = spawn_app(Engine::Sqlite).await;
    let browser = Browser::launch().await;

    // Enter in a field is no "send" (the complaint may be half written):
    // the wasm takes over and sends nothing.
    let page = browser.page().await;
    let held = open_with_the_wasm_held(&app, &page).await;
    fill_before_the_wasm(&page).await;
    page.eval(&format!("{}.focus(); true", w("#title"))).await;
    for kind in ["keyDown", "keyUp"] {
        page.call(
            "Input.dispatchKeyEvent",
            json!({"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"}),
        )
        .await;
    }
    page.call("Fetch.continueRequest", json!({ "requestId": held }))
        .await;
    page.wait_for(
        &format!(
            "!{} && {}",
            w("[data-aduan-early]"),
            w(".aduan form #title")
        ),
        30,
    )
    .await;
    // The choices made before the wasm ask for the complaints like it,
    // as if made in the wasm's form.
    page.wait_for(
        "performance.getEntriesByType('resource').some(r => r.name.includes('/similar?category=jalan&district=denpasar-barat'))",
        10,
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(app.complaints_stored().await, 0, "Enter sent nothing");
    assert_eq!(
        page.eval(&format!("!!{}", w("section .code"))).await,
        json!(false)
    );

    // A tap on "send" before the wasm: nothing leaves for the hosted page,
    // and the wasm sends it once in. (A fresh start: the draft kept above
    // would fill the form already.)
    page.eval("localStorage.clear(); true").await;
    let page = browser.page().await;
    let held = open_with_the_wasm_held(&app, &page).await;
    fill_before_the_wasm(&page).await;
    tap_send(&page).await;
    assert_eq!(
        eval_str(&page, "location.pathname").await,
        "/demo/regency.html",
        "the page stays"
    );
    assert_eq!(app.complaints_stored().await, 0);
    page.call("Fetch.continueRequest", json!({ "requestId": held }))
        .await;
    page.wait_for(&format!("{}?.textContent", w("section .code")), 30)
        .await;
    assert_eq!(app.db.count(RENON).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_wasm_cannot_start_what_was_typed_goes_by_the_hosted_page() {
    require_bundle();
    let app = spawn_app(Engine::Sqlite).await;
    let browser = Browser::launch().await;
    let page = browser.page().await;
    let held = open_with_the_wasm_held(&app, &page).await;
    fill_before_the_wasm(&page).await;
    // The wasm never comes.
    page.call(
        "Fetch.failRequest",
        json!({ "requestId": held, "errorReason": "ConnectionRefused" }),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        eval_str(&page, "location.pathname").await,
        "/demo/regency.html",
        "the page does not leave what was typed"
    );
    assert_eq!(
        eval_str(&page, &format!("{}.value", w("#title"))).await,
        "Lampu jalan mati di Renon"
    );
    // "Send" posts it to the hosted page, which files it and shows the receipt.
    tap_send(&page).await;
    page.wait_for("location.pathname === '/r/denpasar'", 30)
        .await;
    page.wait_for("document.querySelector('.code')?.textContent", 30)
        .await;
    assert_eq!(app.db.count(RENON).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_form_starts_from_the_draft_this_browser_keeps() {
    require_bundle();
    let app = spawn_app(Engine::Sqlite).await;
    let browser = Browser::launch().await;
    let page = browser.page().await;
    page.goto(&app.url("/demo/regency.html")).await;
    page.eval(
        "localStorage.setItem('aduan.draft.denpasar', JSON.stringify({input: {region: 'denpasar', \
         title: 'Drainase tersumbat', description: '', category: 'jalan', privacy: 'anonymous', \
         classification: 'complaint', reporter: {phone: '081234567890'}}, key: 'k0123456789abcdef', consent: true})); true",
    )
    .await;
    let held = open_with_the_wasm_held(&app, &page).await;
    page.wait_for(&w("[data-aduan-early] #title"), 30).await;
    assert_eq!(
        page.eval(&format!(
            "[{}.value, {}.value, {}.checked, {}.value, {}.checked]",
            w("#title"),
            w("#category"),
            w("input[name=privacy][value=anonymous]"),
            w("#reporter_phone"),
            w("input[name=consent]")
        ))
        .await,
        json!(["Drainase tersumbat", "jalan", true, "081234567890", true])
    );
    // Only what the citizen changes is handed over; the rest stays the draft's.
    page.eval(&format!("{}.focus(); true", w("#title"))).await;
    type_text(&page, " di Sanur").await;
    page.call("Fetch.continueRequest", json!({ "requestId": held }))
        .await;
    page.wait_for(&format!("!{}", w("[data-aduan-early]")), 30)
        .await;
    page.wait_for(&w(".aduan form #title"), 10).await;
    assert_eq!(
        page.eval(&format!(
            "[{}.value, {}.value, {}.value]",
            w("#title"),
            w("#category"),
            w("#reporter_phone")
        ))
        .await,
        json!(["Drainase tersumbat di Sanur", "jalan", "081234567890"])
    );
}

/// Without the first moments' module (it carries the stylesheet and the
/// form's markup), the widget asks the server for both: it is styled, its
/// form is the server's, it says what is wrong beside each field, and a
/// language chosen on the form redraws it in that language with what was
/// typed kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_first_moments_module_the_widget_asks_for_its_style_and_form() {
    use aduan_app::api::Locale;
    use aduan_app::i18n::Msg;
    use aduan_app::labels::Label;
    require_bundle();
    let app = spawn_app(Engine::Sqlite).await;
    let browser = Browser::launch().await;
    let page = browser.page().await;
    let held = open_with_held(&app, &page, "*early.js*").await;
    page.call(
        "Fetch.failRequest",
        json!({ "requestId": held, "errorReason": "ConnectionRefused" }),
    )
    .await;
    page.wait_for(&w(".aduan form #title"), 30).await;
    assert_eq!(
        page.eval(&format!("!!{}", w("[data-aduan-early]"))).await,
        json!(false)
    );
    // Styled by the sheet the server sent.
    page.wait_for(
        &format!("getComputedStyle({}).fontSize === '16px'", w("#title")),
        10,
    )
    .await;
    // The server's form: its names and its words.
    assert_eq!(
        eval_str(
            &page,
            &format!("{}.textContent", w("label[for=reporter_email]"))
        )
        .await,
        format!(
            "{} ({})",
            Label::Email.text(Locale::Id),
            Label::Optional.text(Locale::Id)
        )
    );
    page.eval(&format!("{}.focus(); true", w("#title"))).await;
    type_text(&page, "Lampu jalan mati di Renon").await;
    tap_send(&page).await;
    page.wait_for(&format!("{}?.textContent", w("#err-description")), 10)
        .await;
    assert_eq!(
        page.eval(&format!(
            "[{}.textContent, {}.getAttribute('aria-invalid'), {}.getAttribute('aria-describedby'), {}.getAttribute('aria-invalid')]",
            w("#err-description"),
            w("#description"),
            w("#description"),
            w("#title")
        ))
        .await,
        json!([Msg::Required.text(Locale::Id), "true", "err-description", null])
    );
    // Another language: the form is drawn again in it, the title kept and
    // the errors said again in English once sent again.
    page.eval(&format!(
        "{0}.value = 'en'; {0}.dispatchEvent(new Event('change', {{bubbles: true}})); true",
        w("select.lang")
    ))
    .await;
    page.wait_for(
        &format!(
            "{}?.textContent === {:?}",
            w("label[for=title]"),
            Label::Title.text(Locale::En)
        ),
        30,
    )
    .await;
    assert_eq!(
        eval_str(&page, &format!("{}.value", w("#title"))).await,
        "Lampu jalan mati di Renon"
    );
    tap_send(&page).await;
    page.wait_for(
        &format!(
            "{}?.textContent === {:?}",
            w("#err-description"),
            Msg::Required.text(Locale::En)
        ),
        10,
    )
    .await;
}
