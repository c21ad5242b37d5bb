//! The widget end to end in headless Chromium against the real server.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::browser::{Browser, Page};
use crate::support::{Engine, TestApp, spawn_app};

/// The built widget bundle must exist for the browser tests.
pub fn require_bundle() {
    let loader = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/dist/widget.js");
    assert!(
        loader.exists(),
        "public/dist/widget.js is missing: build the bundle with `cargo xtask dist` (cargo xtask test does)"
    );
}

/// An element inside the `i`th inline widget's shadow root.
fn w(i: usize, selector: &str) -> String {
    format!("document.querySelectorAll('aduan-widget')[{i}].shadowRoot.querySelector({selector:?})")
}

/// `selector` in the `i`th widget's own form, once the first moments' form
/// has handed over to it (before that, the same ids are the first form's).
fn in_widget_form(i: usize, selector: &str) -> String {
    format!(
        "(!{} && {})",
        w(i, "[data-aduan-early]"),
        w(i, &format!(".aduan form {selector}"))
    )
}

async fn fill(page: &Page<'_>, element: &str, value: &str) {
    let js = format!(
        "(el => {{ el.value = {value:?}; el.dispatchEvent(new Event('input', {{bubbles: true}})); \
         el.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})({element})"
    );
    assert_eq!(
        page.eval(&js).await,
        json!(true),
        "could not fill {element}"
    );
}

async fn click(page: &Page<'_>, element: &str) {
    assert_eq!(
        page.eval(&format!("({element}).click() ?? true")).await,
        json!(true),
        "could not click {element}"
    );
}

async fn setup() -> (TestApp, Browser) {
    require_bundle();
    let app = spawn_app(Engine::Sqlite).await;
    (app, Browser::launch().await)
}

/// Fills the first inline widget's form with a valid complaint.
async fn fill_complaint(page: &Page<'_>) {
    page.wait_for(&in_widget_form(0, "#category option[value=sampah]"), 30)
        .await;
    fill(
        page,
        &w(0, "#title"),
        "Sampah menumpuk di Jalan Gunung Agung",
    )
    .await;
    fill(
        page,
        &w(0, "#description"),
        "Sampah tidak diangkut sejak seminggu dan mulai berbau.",
    )
    .await;
    fill(page, &w(0, "#category"), "sampah").await;
    fill(page, &w(0, "#district"), "denpasar-barat").await;
    click(page, &w(0, "input[type=checkbox]")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_page_styles_do_not_reach_two_independent_inline_widgets() {
    let (app, browser) = setup().await;
    let page = browser.page().await;
    // The first mount's box as it enters the page (before any of the widget
    // has loaded) and after the form arrived: the same box, so nothing around
    // it moves. (The page's own stylesheet may still be loading at the first
    // moment, so the mount's own size is what is compared.)
    page.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": "new MutationObserver(() => { const h = document.querySelector('aduan-widget'); \
            if (h && window.__before === undefined) window.__before = h.getBoundingClientRect().height; }) \
            .observe(document, {childList: true, subtree: true});"}),
    )
    .await;
    page.goto(&app.url("/demo/inline.html")).await;
    page.wait_for(
        &format!("{} && {}", w(0, "#title"), w(1, "#aduan-code")),
        30,
    )
    .await;
    page.wait_for(&in_widget_form(0, "#category option[value=sampah]"), 30)
        .await;
    let before = page.eval("window.__before").await;
    assert!(
        before.as_f64().unwrap_or(0.0) > 100.0,
        "the mount had no box when it arrived: {before}"
    );
    let after = page
        .eval("document.querySelector('aduan-widget').getBoundingClientRect().height")
        .await;
    assert_eq!(
        after, before,
        "the widget's box changed size when the form loaded"
    );
    assert_eq!(
        page.eval("document.querySelectorAll('aduan-widget').length")
            .await,
        json!(2)
    );
    let label = page
        .eval(&format!(
            "(s => [s.color, s.fontSize, s.fontFamily])(getComputedStyle({}))",
            w(0, "label")
        ))
        .await;
    assert_ne!(
        label[0], "rgb(255, 0, 0)",
        "the page's colour leaked in: {label}"
    );
    assert_eq!(label[1], "15px");
    assert!(
        !label[2].as_str().unwrap_or_default().contains("Courier"),
        "{label}"
    );
    let input = page
        .eval(&format!(
            "(s => [s.fontSize, s.borderTopStyle, s.backgroundColor])(getComputedStyle({}))",
            w(0, "#title")
        ))
        .await;
    assert_eq!(
        input[0], "16px",
        "inputs are at least 16px so phones do not zoom"
    );
    assert_ne!(input[1], "dashed");
    assert_ne!(input[2], "rgb(255, 255, 0)");
    let height = page
        .eval(&format!(
            "{}.getBoundingClientRect().height",
            w(0, "button[type=submit]")
        ))
        .await;
    assert!(
        height.as_f64().unwrap_or(0.0) >= 44.0,
        "targets are at least 44px: {height}"
    );
    // Typing in one widget leaves the other alone.
    fill(&page, &w(1, "#aduan-code"), "DPS-0000").await;
    fill(&page, &w(0, "#title"), "Judul di widget pertama").await;
    assert_eq!(
        page.eval(&format!("{}.value", w(1, "#aduan-code"))).await,
        json!("DPS-0000")
    );
    assert_eq!(page.eval(&w(1, "#title")).await, Value::Null);
    // The page's own styles are untouched by ours.
    let host_h2 = page
        .eval("getComputedStyle(document.querySelector('main h2')).color")
        .await;
    assert_eq!(host_h2, "rgb(255, 0, 0)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_is_filed_its_receipt_shown_and_found_in_the_tracker() {
    let (app, browser) = setup().await;
    let page = browser.page().await;
    page.goto(&app.url("/demo/inline.html")).await;
    fill_complaint(&page).await;
    // The draft survives a reload.
    page.goto(&app.url("/demo/inline.html")).await;
    let title = page
        .wait_for(&format!("{}.value", w(0, "#title")), 30)
        .await;
    assert_eq!(title, "Sampah menumpuk di Jalan Gunung Agung");
    page.wait_for(&in_widget_form(0, "#category option[value=sampah]"), 30)
        .await;
    // The lists show the draft's choices.
    assert_eq!(
        page.eval(&format!(
            "[{}.value, {}.value]",
            w(0, "#category"),
            w(0, "#district")
        ))
        .await,
        json!(["sampah", "denpasar-barat"])
    );
    page.eval("window.addEventListener('aduan:submitted', e => { window.__submitted = JSON.stringify(e.detail); }); true").await;
    click(&page, &w(0, "button[type=submit]")).await;
    let code = page
        .wait_for(&format!("{}?.textContent", w(0, "section .code")), 30)
        .await;
    let code = code.as_str().unwrap_or_default().to_owned();
    assert!(code.starts_with("DPS-"), "{code}");
    // The page hears of the receipt, but not the tracking code: that is
    // the reporter's credential, and the page's scripts are not the reporter.
    assert_eq!(
        page.eval("window.__submitted").await,
        json!(r#"{"region":"denpasar"}"#),
        "the page hears of the receipt without the code"
    );
    let focused = page
        .wait_for(
            "document.querySelectorAll('aduan-widget')[0].shadowRoot.activeElement?.tagName",
            10,
        )
        .await;
    assert_eq!(focused, "H2", "focus moves to the receipt");
    assert_eq!(app.complaints_stored().await, 1);
    let draft = page
        .eval("localStorage.getItem('aduan.draft.denpasar')")
        .await;
    assert_eq!(draft, Value::Null, "the draft is deleted once acknowledged");
    // From the receipt to the tracker.
    let track_button = format!(
        "[...{}.querySelectorAll('section button')].find(b => b.textContent.includes('Track'))",
        w(0, "div").replace(".querySelector(\"div\")", "")
    );
    click(&page, &track_button).await;
    let status = page
        .wait_for(&format!("{}?.textContent", w(0, ".track .result")), 30)
        .await;
    let status = status.as_str().unwrap_or_default();
    assert!(
        status.contains(&code) && status.contains("Waiting for verification"),
        "{status}"
    );
    // Back to filing, and from a receipt to a new, empty form.
    page.goto(&app.url("/demo/inline.html")).await;
    fill_complaint(&page).await;
    click(&page, &w(0, "button[type=submit]")).await;
    page.wait_for(&format!("{}?.textContent", w(0, "section .code")), 30)
        .await;
    click(&page, &w(0, "section button[data-act=again]")).await;
    page.wait_for(&in_widget_form(0, "#title"), 30).await;
    assert_eq!(
        page.eval(&format!(
            "[{}.value, {}.value, {}.checked]",
            w(0, "#title"),
            w(0, "#category"),
            w(0, "input[name=consent]")
        ))
        .await,
        json!(["", "", false])
    );
    assert_eq!(app.complaints_stored().await, 2);
}

/// The tracker in the widget: a reporter asked for more answers from it,
/// what they type kept while it is sent, and the answer shown again in the
/// language they choose.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reporter_answers_the_officers_from_the_widgets_tracker() {
    use aduan_app::api::Locale;
    use aduan_app::labels::Label;
    let (app, browser) = setup().await;
    let (_, receipt) = app.submit(&crate::support::complaint()).await;
    let code = receipt["tracking_code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    app.db
        .exec("UPDATE complaints SET status = 'needs_info', due_step = 'reporter_reply'")
        .await
        .expect("an officer's question");
    let page = browser.page().await;
    page.goto(&app.url("/demo/inline.html")).await;
    page.wait_for(&w(1, "#aduan-code"), 30).await;
    fill(&page, &w(1, "#aduan-code"), &code.to_lowercase()).await;
    click(&page, &w(1, ".track button[type=submit]")).await;
    let result = format!("{}?.textContent || ''", w(1, ".track .result"));
    page.wait_for(&format!("({result}).includes({code:?})"), 30)
        .await;
    fill(
        &page,
        &w(1, "#aduan-reply"),
        "Lubangnya <b>makin</b> besar.",
    )
    .await;
    click(
        &page,
        &w(1, ".result form[data-act=reply] button[type=submit]"),
    )
    .await;
    page.wait_for(
        &format!("({result}).includes('Lubangnya <b>makin</b> besar.')"),
        30,
    )
    .await;
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM complaint_events WHERE kind = 'reply' AND public_message = 'Lubangnya <b>makin</b> besar.'")
            .await,
        1
    );
    assert_eq!(
        page.eval(&format!("{}.value", w(1, "#aduan-reply"))).await,
        json!(""),
        "the reply sent is no longer in the box"
    );
    // A reply being written stays when the answer is drawn again in
    // another language.
    fill(&page, &w(1, "#aduan-reply"), "Foto menyusul.").await;
    page.eval(&format!(
        "{0}.value = 'id'; {0}.dispatchEvent(new Event('change', {{bubbles: true}})); true",
        w(1, "select.lang")
    ))
    .await;
    page.wait_for(
        &format!("({result}).includes({:?})", Label::History.text(Locale::Id)),
        30,
    )
    .await;
    assert_eq!(
        page.eval(&format!("{}.value", w(1, "#aduan-reply"))).await,
        json!("Foto menyusul.")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_form_says_why_beside_each_field_and_moves_focus_there() {
    let (app, browser) = setup().await;
    let page = browser.page().await;
    page.goto(&app.url("/demo/inline.html")).await;
    page.wait_for(&in_widget_form(0, "#category option[value=sampah]"), 30)
        .await;
    fill(&page, &w(0, "#description"), "Terlalu pendek").await;
    click(&page, &w(0, "button[type=submit]")).await;
    let focused = page
        .wait_for(
            "document.querySelectorAll('aduan-widget')[0].shadowRoot.activeElement?.id",
            10,
        )
        .await;
    assert_eq!(focused, "title", "focus goes to the first field in error");
    let title_error = page
        .eval(&format!("{}?.textContent", w(0, "#err-title")))
        .await;
    assert_eq!(title_error, "This field is required.");
    let described = page
        .eval(&format!(
            "{}.getAttribute('aria-describedby')",
            w(0, "#title")
        ))
        .await;
    assert_eq!(described, "err-title");
    let description_error = page
        .eval(&format!("{}?.textContent", w(0, "#err-description")))
        .await;
    assert!(
        description_error
            .as_str()
            .unwrap_or_default()
            .contains("20"),
        "{description_error}"
    );
    assert!(
        page.eval(&format!("{}?.textContent", w(0, "[role=alert]")))
            .await
            .is_string()
    );
    assert_eq!(app.complaints_stored().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_works_under_a_strict_content_security_policy() {
    let (app, browser) = setup().await;
    let page = browser.page().await;
    page.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": "window.__violations = []; document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"}),
    )
    .await;
    let response = app
        .client
        .get(app.url("/demo/strict-csp.html"))
        .send()
        .await
        .expect("the page");
    let csp = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains("style-src 'self'")
            && !csp.contains("'unsafe-inline'")
            && !csp.contains("'unsafe-eval'")
            && !csp.contains("blob:"),
        "{csp}"
    );
    page.goto(&app.url("/demo/strict-csp.html")).await;
    page.wait_for(&in_widget_form(0, "#title"), 30).await;
    let styled = page
        .eval(&format!("getComputedStyle({}).fontSize", w(0, "#title")))
        .await;
    assert_eq!(
        styled, "16px",
        "the widget's own styles apply under style-src 'self'"
    );
    assert_eq!(page.eval("window.__violations").await, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_whose_answer_is_lost_is_retried_without_a_duplicate() {
    let (app, browser) = setup().await;
    let page = browser.page().await;
    page.goto(&app.url("/demo/inline.html")).await;
    fill_complaint(&page).await;
    let mut events = page.events();
    page.call(
        "Fetch.enable",
        json!({"patterns": [{"urlPattern": "*/api/v1/complaints", "requestStage": "Response"}]}),
    )
    .await;
    click(&page, &w(0, "button[type=submit]")).await;
    // The first answer is dropped after the server committed; later ones pass.
    let mut paused = 0;
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let done = page.eval(&format!("!!{}", w(0, "section .code"))).await;
        if done == json!(true) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no receipt after the connection came back"
        );
        let event = tokio::time::timeout(Duration::from_millis(200), events.recv()).await;
        if let Ok(Ok(e)) = event
            && e["method"] == "Fetch.requestPaused"
            && e["sessionId"] == page.session.as_str()
        {
            {
                let id = e["params"]["requestId"].clone();
                paused += 1;
                if paused == 1 {
                    page.call(
                        "Fetch.failRequest",
                        json!({"requestId": id, "errorReason": "ConnectionReset"}),
                    )
                    .await;
                    let waiting = page
                        .wait_for(
                            &format!(
                                "(t => t && t.includes('offline') && t)({}?.textContent)",
                                w(0, "[role=status] .notice")
                            ),
                            10,
                        )
                        .await;
                    assert!(
                        waiting.as_str().unwrap_or_default().contains("offline"),
                        "{waiting}"
                    );
                } else {
                    page.call("Fetch.continueRequest", json!({"requestId": id}))
                        .await;
                }
            }
        }
    }
    assert!(paused >= 2, "the widget did not try again");
    assert_eq!(
        app.complaints_stored().await,
        1,
        "the retry filed a duplicate"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_floating_panel_opens_from_a_launcher_keeps_focus_and_destroys_cleanly() {
    let (app, browser) = setup().await;
    let page = browser.page().await;
    page.goto(&app.url("/demo/regency.html")).await;
    page.wait_for("!!document.querySelector('aduan-launcher')", 10)
        .await;
    let before = page.eval("performance.getEntriesByType('resource').filter(r => r.name.includes('/dist/')).length").await;
    assert_eq!(
        before,
        json!(0),
        "nothing but the loader loads before intent"
    );
    // The same tag run again adds nothing.
    page.eval("(() => { const s = document.createElement('script'); s.src = '/widget.js'; s.dataset.region = 'badung'; \
         s.dataset.launcher = 'Lapor!'; document.body.appendChild(s); return true; })()").await;
    page.wait_for(
        "document.querySelectorAll('[data-aduan-seen]').length === 2",
        10,
    )
    .await;
    assert_eq!(page.eval("document.querySelectorAll('aduan-launcher').length + document.querySelectorAll('aduan-panel').length").await, json!(2));
    page.eval(
        "window.__opened = 0; window.__off = Aduan.on('open', () => window.__opened++); true",
    )
    .await;
    // Keyboard users reach the link first; activating it opens the panel.
    page.eval("document.querySelector('a[data-aduan-open]').focus(); true")
        .await;
    click(&page, "document.querySelector('a[data-aduan-open]')").await;
    page.wait_for(
        "document.querySelector('aduan-panel').shadowRoot.querySelector('.content .aduan #title')",
        30,
    )
    .await;
    assert_eq!(
        page.eval("document.querySelector('aduan-panel').hidden")
            .await,
        json!(false)
    );
    assert_eq!(
        page.eval("document.activeElement === document.querySelector('aduan-panel')")
            .await,
        json!(true),
        "focus moves into the panel"
    );
    assert_eq!(page.eval("window.__opened").await, json!(1));
    // Tab from the last control wraps to the first, inside the dialog.
    let wrapped = page
        .eval(
            "(() => { const s = document.querySelector('aduan-panel').shadowRoot; \
             const all = [...s.querySelectorAll('.dialog button, .dialog input, .dialog select, .dialog textarea')].filter(e => !e.disabled); \
             const last = all[all.length - 1]; last.focus(); \
             last.dispatchEvent(new KeyboardEvent('keydown', {key: 'Tab', bubbles: true, composed: true, cancelable: true})); \
             return s.activeElement.className; })()",
        )
        .await;
    assert_eq!(wrapped, "close", "focus stays inside the open panel");
    page.eval("document.querySelector('aduan-panel').shadowRoot.querySelector('.close').dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true, composed: true})); true").await;
    assert_eq!(
        page.eval("document.querySelector('aduan-panel').hidden")
            .await,
        json!(true)
    );
    assert_eq!(
        page.eval("document.activeElement === document.querySelector('a[data-aduan-open]')")
            .await,
        json!(true),
        "focus returns to the launcher"
    );
    page.eval("window.__off(); Aduan.open(); Aduan.close(); true")
        .await;
    assert_eq!(
        page.eval("window.__opened").await,
        json!(1),
        "an unsubscribed listener is not called"
    );
    page.eval("Aduan.destroy(); true").await;
    let left = page.eval("document.querySelectorAll('aduan-panel, aduan-launcher, aduan-widget, [data-aduan-seen]').length + (window.Aduan ? 1 : 0)").await;
    assert_eq!(left, json!(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_script_the_launcher_is_a_link_to_the_hosted_form() {
    let (app, browser) = setup().await;
    let page = browser.page().await;
    page.call(
        "Emulation.setScriptExecutionDisabled",
        json!({"value": true}),
    )
    .await;
    page.goto(&app.url("/demo/regency.html")).await;
    let doc = page.call("DOM.getDocument", json!({})).await;
    let root = doc["root"]["nodeId"].clone();
    let launcher = page
        .call(
            "DOM.querySelector",
            json!({"nodeId": root, "selector": "aduan-launcher"}),
        )
        .await;
    assert_eq!(launcher["nodeId"], json!(0), "no script, no widget");
    let link = page
        .call(
            "DOM.querySelector",
            json!({"nodeId": root, "selector": "a[data-aduan-open][href='/r/badung']"}),
        )
        .await;
    assert_ne!(link["nodeId"], json!(0));
    page.goto(&app.url("/r/badung")).await;
    let doc = page.call("DOM.getDocument", json!({})).await;
    let form = page.call("DOM.querySelector", json!({"nodeId": doc["root"]["nodeId"], "selector": "form[action='/r/badung'] button[type=submit]"})).await;
    assert_ne!(form["nodeId"], json!(0), "the hosted form is there");
}

/// Submits the form `selector` after setting its fields, like an officer typing.
async fn submit_form(page: &Page<'_>, selector: &str, fields: &[(&str, &str)]) {
    // A navigation may still be finishing: wait for the form to be there.
    page.wait_for(
        &format!("document.querySelector({selector:?}) !== null"),
        30,
    )
    .await;
    let mut js =
        format!("(() => {{ const f = document.querySelector({selector:?}); if (!f) return false;");
    for (name, value) in fields {
        js.push_str(&format!(" f.elements[{name:?}].value = {value:?};"));
    }
    js.push_str(" f.closest('details')?.setAttribute('open', ''); f.querySelector('button[type=submit]').click(); return true; })()");
    assert_eq!(page.eval(&js).await, json!(true), "no form {selector}");
}

async fn console_sign_in(page: &Page<'_>, base: &str, email: &str) {
    page.goto(&format!("{base}/console/login")).await;
    submit_form(
        page,
        "form[action='/console/login']",
        &[("email", email), ("password", "a long test password")],
    )
    .await;
    page.wait_for(
        "document.querySelector('table.inbox, p.empty') && location.pathname === '/console/inbox'",
        30,
    )
    .await;
}

/// A region coordinator dispatches a complaint filed through the API; the
/// unit officer plans and resolves it with a public reply; the citizen
/// finds that reply in the tracker.
async fn officers_work_a_complaint_in_the_browser(app: TestApp) {
    let browser = Browser::launch().await;
    let code = crate::console::file(&app, crate::support::complaint()).await;
    crate::console::add_officer(
        &app,
        "koordinator@badung.example.id",
        "coordinator",
        "badung",
        None,
    )
    .await;
    crate::console::add_officer(
        &app,
        "pupr@badung.example.id",
        "unit",
        "badung",
        Some("pupr"),
    )
    .await;
    let page = browser.page().await;
    let complaint_url = format!("{}/console/complaints/{code}", app.base);

    console_sign_in(&page, &app.base, "koordinator@badung.example.id").await;
    assert_eq!(
        page.eval(&format!(
            "document.querySelector('a[href=\"/console/complaints/{code}\"]') !== null"
        ))
        .await,
        json!(true),
        "the complaint is in the coordinator's inbox"
    );
    page.goto(&complaint_url).await;
    submit_form(
        &page,
        "form:has(input[name=action][value=dispatch])",
        &[("unit", "pupr")],
    )
    .await;
    page.wait_for("location.search.includes('done=dispatch')", 30)
        .await;
    // Script never runs in the console: the page works without it.
    assert_eq!(page.eval("document.scripts.length").await, json!(0));
    submit_form(&page, "form[action='/console/logout']", &[]).await;
    page.wait_for("location.pathname === '/console/login'", 30)
        .await;

    console_sign_in(&page, &app.base, "pupr@badung.example.id").await;
    page.goto(&complaint_url).await;
    submit_form(
        &page,
        "form:has(input[name=action][value=plan])",
        &[("message", "Tim PUPR akan menambal lubang minggu ini.")],
    )
    .await;
    page.wait_for("location.search.includes('done=plan')", 30)
        .await;
    submit_form(
        &page,
        "form:has(input[name=action][value=resolve])",
        &[
            ("message", "Lubang di depan Pasar Kuta sudah ditambal."),
            ("note", "Material dari gudang Mengwi"),
        ],
    )
    .await;
    page.wait_for("location.search.includes('done=resolve')", 30)
        .await;

    page.goto(&format!("{}/r/badung/track?code={code}", app.base))
        .await;
    let text = page.eval("document.body.innerText").await;
    let text = text.as_str().unwrap_or_default();
    assert!(
        text.contains("Lubang di depan Pasar Kuta sudah ditambal."),
        "{text}"
    );
    assert!(
        !text.contains("gudang Mengwi"),
        "an internal note reached the tracker"
    );

    // The widget's tracker shows the same, and takes the reporter's
    // confirmation that the complaint was resolved.
    page.goto(&app.url("/demo/inline.html")).await;
    page.wait_for(&w(1, "#aduan-code"), 30).await;
    fill(&page, &w(1, "#aduan-code"), &code).await;
    click(&page, &w(1, ".track button[type=submit]")).await;
    let result = format!("{}?.textContent", w(1, ".track .result"));
    let shown = page
        .wait_for(&format!("{result}?.includes('Resolved') && {result}"), 30)
        .await;
    let shown = shown.as_str().unwrap_or_default();
    assert!(
        shown.contains("Lubang di depan Pasar Kuta sudah ditambal.") && shown.contains(&code),
        "{shown}"
    );
    assert!(
        !shown.contains("gudang Mengwi"),
        "an internal note reached the widget"
    );
    click(&page, &w(1, ".result > button[type=button]")).await;
    page.wait_for(&format!("{result}?.includes('Status: Closed')"), 30)
        .await;
    assert_eq!(crate::console::track(&app, &code).await["status"], "closed");

    // The reporter rates the handling there, once (a small module fills
    // the tracker's slot).
    page.wait_for(&w(1, ".result .rate input[name=score][value='4']"), 30)
        .await;
    click(&page, &w(1, ".result .rate input[name=score][value='4']")).await;
    fill(&page, &w(1, "#aduan-rate"), "Cepat dan ramah.").await;
    click(&page, &w(1, ".result .rate button[type=submit]")).await;
    page.wait_for(
        &format!("{result}?.includes('Your rating: 4 / 5. Thank you.')"),
        30,
    )
    .await;
    assert_eq!(crate::console::track(&app, &code).await["rating"], 4);
    assert!(
        !page
            .eval(&result)
            .await
            .to_string()
            .contains("Cepat dan ramah"),
        "the comment is the officers'"
    );

    // And the reporter erases their contact details from it; the complaint stays.
    let reporters = || app.db.count("SELECT COUNT(*) FROM reporters");
    let before = reporters().await;
    click(&page, &w(1, ".result > button.erase")).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while reporters().await != before - 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the contact details were not erased"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    page.wait_for(&format!("{result}?.includes('Status: Closed')"), 30)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_work_a_complaint_in_the_browser_on_sqlite() {
    officers_work_a_complaint_in_the_browser(spawn_app(Engine::Sqlite).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_work_a_complaint_in_the_browser_on_postgres() {
    officers_work_a_complaint_in_the_browser(spawn_app(Engine::Postgres).await).await;
}

/// A region coordinator opens the dashboard and follows a number to the
/// complaints it counts; a citizen reads the region's public record in the
/// widget's `stats` view.
async fn the_dashboard_leads_to_its_complaints_and_the_record_shows_in_the_widget(app: TestApp) {
    require_bundle();
    let browser = Browser::launch().await;
    let first = crate::console::file(&app, crate::support::complaint()).await;
    let second = crate::console::file(&app, crate::support::complaint()).await;
    crate::console::add_officer(
        &app,
        "kinerja@badung.example.id",
        "coordinator",
        "badung",
        None,
    )
    .await;
    let page = browser.page().await;
    console_sign_in(&page, &app.base, "kinerja@badung.example.id").await;
    page.goto(&app.url("/console/performance")).await;
    page.wait_for("document.querySelector('table.performance')", 30)
        .await;
    assert_eq!(page.eval("document.scripts.length").await, json!(0));
    assert_eq!(
        page.eval("document.querySelectorAll('figure.chart svg').length >= 2 && document.querySelectorAll('table.chart-data').length >= 2").await,
        json!(true),
        "each chart has its data table"
    );
    let link = "[...document.querySelectorAll('table.performance tbody a')].find(a => a.href.includes('measure=received') && a.href.includes('unit=pupr'))";
    assert_eq!(page.eval(&format!("{link}.textContent")).await, json!("2"));
    click(&page, link).await;
    page.wait_for(
        "location.pathname === '/console/inbox' && document.querySelector('p.counted')",
        30,
    )
    .await;
    let text = page.eval("document.body.innerText").await;
    let text = text.as_str().unwrap_or_default();
    assert!(text.contains(&first) && text.contains(&second), "{text}");

    // The record covers complete months: one of last month's complaints.
    crate::stats::file_last_month(&app, "W1", "jalan").await;
    page.goto(&app.url("/demo/record.html")).await;
    let record = "document.querySelector('aduan-widget').shadowRoot.querySelector('.aduan-stats')?.textContent";
    let shown = page
        .wait_for(&format!("{record}?.includes('Complaints received') && {record}?.includes('Kabupaten Badung') && {record}"), 30)
        .await;
    let shown = shown.as_str().unwrap_or_default();
    assert!(shown.contains("Complaints received1"), "{shown}");
    assert!(shown.contains("Roads, bridges and drainage10"), "{shown}");
    assert!(shown.contains("the last 12 complete months"), "{shown}");
    assert!(shown.contains("By month"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_leads_to_its_complaints_on_sqlite() {
    the_dashboard_leads_to_its_complaints_and_the_record_shows_in_the_widget(
        spawn_app(Engine::Sqlite).await,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_leads_to_its_complaints_on_postgres() {
    the_dashboard_leads_to_its_complaints_and_the_record_shows_in_the_widget(
        spawn_app(Engine::Postgres).await,
    )
    .await;
}

/// A host page for the widget, served from its own origin; its body is set
/// once the webmaster has the snippet.
/// `/layanan.html` has no policy; `/ketat.html` one that lets the widget's
/// script in but not its requests (no `connect-src` for the service).
async fn host_server(body: std::sync::Arc<std::sync::Mutex<String>>, service: &str) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let page = move |body: std::sync::Arc<std::sync::Mutex<String>>, policy: String| {
        move || {
            let body = body.lock().map(|b| b.clone()).unwrap_or_default();
            let policy = policy.clone();
            async move {
                let mut response = axum::response::IntoResponse::into_response((
                    [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    format!(
                        "<!doctype html><html lang=id><head><meta charset=utf-8><title>Kota Denpasar</title></head>\
                         <body><h1>Layanan pengaduan</h1>{body}</body></html>"
                    ),
                ));
                if let Ok(value) = axum::http::HeaderValue::from_str(&policy)
                    && !policy.is_empty()
                {
                    response
                        .headers_mut()
                        .insert(axum::http::header::CONTENT_SECURITY_POLICY, value);
                }
                response
            }
        }
    };
    let strict = format!(
        "default-src 'self'; script-src {service} 'wasm-unsafe-eval'; connect-src 'self'; img-src *"
    );
    let app = axum::Router::new()
        .route(
            "/layanan.html",
            axum::routing::get(page(body.clone(), String::new())),
        )
        .route("/ketat.html", axum::routing::get(page(body, strict)));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    port
}

/// A webmaster registers their site in the console, chooses an accent,
/// pastes the snippet into their page; a citizen files from it in that
/// colour; from another origin the same snippet is refused in words, and
/// the site's page shows where the widget was seen and what was refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webmaster_installs_the_widget_and_only_their_site_takes_complaints() {
    let (app, browser) = setup().await;
    crate::console::add_officer(
        &app,
        "web@denpasar.example.id",
        "webmaster",
        "denpasar",
        None,
    )
    .await;
    let body = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let port = host_server(body.clone(), &app.base).await;
    let registered = format!("http://127.0.0.1:{port}");
    let page = browser.page().await;

    page.goto(&format!("{}/console/login", app.base)).await;
    submit_form(
        &page,
        "form[action='/console/login']",
        &[
            ("email", "web@denpasar.example.id"),
            ("password", "a long test password"),
        ],
    )
    .await;
    page.wait_for(
        "location.pathname === '/console/sites' && document.querySelector('h1')",
        30,
    )
    .await;
    submit_form(
        &page,
        "form:has(input[name=do][value=create])",
        &[("name", "Portal Kota Denpasar"), ("origins", &registered)],
    )
    .await;
    page.wait_for("/^\\/console\\/sites\\/\\d+$/.test(location.pathname) && document.querySelector('#snippet')", 30)
        .await;
    submit_form(
        &page,
        "form:has(input[name=do][value=save])",
        &[
            ("name", "Portal Kota Denpasar"),
            ("origins", &registered),
            ("accent", "#7a1f5c"),
            ("theme", "light"),
            ("mode", "inline"),
            ("radius", "12"),
        ],
    )
    .await;
    page.wait_for(
        "location.search === '?done=saved' && document.querySelector('#snippet')",
        30,
    )
    .await;
    let snippet = page
        .eval("document.querySelector('#snippet').value")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        snippet.contains("data-site=\"") && snippet.contains("data-target=\"#aduan-pengaduan\""),
        "{snippet}"
    );
    assert!(!snippet.contains("data-region"), "{snippet}");
    let site_path = page
        .eval("location.pathname")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned();
    *body.lock().unwrap_or_else(|e| e.into_inner()) = snippet;

    // Aduan's own hosted form still takes complaints for the region (its
    // page's referrer policy makes the browser send `Origin: null`).
    page.goto(&format!("{}/r/denpasar", app.base)).await;
    page.wait_for(
        "document.querySelector('form select#category option[value=sampah]')",
        30,
    )
    .await;
    let posted = page
        .eval(
            "(() => { const f = document.querySelector('form[method=post]'); \
             f.elements.title.value = 'Lampu jalan mati di Jalan Hayam Wuruk'; \
             f.elements.description.value = 'Tiga lampu jalan mati sejak minggu lalu, jalan gelap di malam hari.'; \
             f.elements.category.value = 'sampah'; f.elements.district.value = 'denpasar-timur'; \
             f.elements.consent.checked = true; f.querySelector('button[type=submit]').click(); return true; })()",
        )
        .await;
    assert_eq!(posted, json!(true));
    let hosted_code = page
        .wait_for("document.querySelector('p.code')?.textContent", 30)
        .await;
    assert!(
        hosted_code.as_str().unwrap_or_default().starts_with("DPS-"),
        "{hosted_code}"
    );

    // A citizen on the registered site, in the webmaster's colour.
    page.goto(&format!("{registered}/layanan.html")).await;
    fill_complaint(&page).await;
    let colour = page
        .eval(&format!(
            "getComputedStyle({}).backgroundColor",
            w(0, "button[type=submit]")
        ))
        .await;
    assert_eq!(
        colour,
        json!("rgb(122, 31, 92)"),
        "the accent colour is applied"
    );
    let radius = page
        .eval(&format!(
            "getComputedStyle({}).borderTopLeftRadius",
            w(0, "button[type=submit]")
        ))
        .await;
    assert_eq!(radius, json!("12px"), "the corner radius is applied");
    click(&page, &w(0, "button[type=submit]")).await;
    let code = page
        .wait_for(&format!("{}?.textContent", w(0, "section .code")), 30)
        .await;
    assert!(
        code.as_str().unwrap_or_default().starts_with("DPS-"),
        "{code}"
    );

    // The same snippet on a page of another origin: the widget says why.
    let stranger = format!("http://localhost:{port}");
    page.goto(&format!("{stranger}/layanan.html")).await;
    fill_complaint(&page).await;
    click(&page, &w(0, "button[type=submit]")).await;
    let refusal = page
        .wait_for(&format!("{}?.textContent", w(0, "p.notice.bad")), 30)
        .await;
    assert_eq!(
        refusal,
        json!("Situs ini tidak terdaftar untuk menerima pengaduan bagi Kota Denpasar.")
    );
    assert_eq!(
        app.complaints_stored().await,
        2,
        "the hosted form's and the site's; nothing from the other origin"
    );

    // A page whose policy stops the widget's requests: the widget's own
    // report (by image, which this policy lets through) reaches the site.
    page.goto(&format!("{registered}/ketat.html")).await;
    page.wait_for(
        "performance.getEntriesByType('resource').some(e => e.name.includes('/csp?d=connect-src'))",
        30,
    )
    .await;

    // The webmaster sees it all: where it works, what the policy blocked,
    // and the origin refused.
    page.goto(&format!("{}{site_path}", app.base)).await;
    let seen = page
        .wait_for("document.querySelector('#seen')?.textContent", 30)
        .await;
    assert!(
        seen.as_str().unwrap_or_default().contains(&registered),
        "{seen}"
    );
    let blocked = page
        .wait_for(
            "document.querySelector('#csp-reports + table')?.textContent",
            30,
        )
        .await;
    let blocked = blocked.as_str().unwrap_or_default();
    assert!(
        blocked.contains("connect-src") && blocked.contains(&app.base),
        "{blocked}"
    );
    page.goto(&format!("{}/console/sites", app.base)).await;
    let unregistered = page
        .wait_for(
            "document.querySelector('#unregistered ~ table')?.textContent",
            30,
        )
        .await;
    assert!(
        unregistered
            .as_str()
            .unwrap_or_default()
            .contains(&stranger),
        "{unregistered}"
    );
}

/// A floating site: nothing loads before intent; on intent the launcher
/// takes the site's colour, text and side; the panel opens on the site's
/// region; the next visit draws the launcher in the site's look at once;
/// the console's preview runs the same widget on the service's own page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_floating_site_draws_its_launcher_in_its_own_look_after_the_first_intent() {
    let (app, browser) = setup().await;
    crate::console::add_officer(&app, "web@gianyar.example.id", "webmaster", "gianyar", None).await;
    let body = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let port = host_server(body.clone(), &app.base).await;
    let origin = format!("http://127.0.0.1:{port}");
    let page = browser.page().await;
    page.goto(&format!("{}/console/login", app.base)).await;
    submit_form(
        &page,
        "form[action='/console/login']",
        &[
            ("email", "web@gianyar.example.id"),
            ("password", "a long test password"),
        ],
    )
    .await;
    page.wait_for(
        "location.pathname === '/console/sites' && document.querySelector('h1')",
        30,
    )
    .await;
    submit_form(
        &page,
        "form:has(input[name=do][value=create])",
        &[("name", "Portal Gianyar"), ("origins", &origin)],
    )
    .await;
    page.wait_for("document.querySelector('#snippet')", 30)
        .await;
    submit_form(
        &page,
        "form:has(input[name=do][value=save])",
        &[
            ("name", "Portal Gianyar"),
            ("origins", &origin),
            ("accent", "#1f5c3a"),
            ("theme", "light"),
            ("mode", "floating"),
            ("launcher", "Lapor ke Gianyar"),
            ("position", "left"),
            ("lang", "en"),
        ],
    )
    .await;
    page.wait_for("location.search === '?done=saved'", 30).await;
    let site_path = page
        .eval("location.pathname")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let snippet = page.eval("document.querySelector('#snippet').value").await;
    *body.lock().unwrap_or_else(|e| e.into_inner()) =
        snippet.as_str().unwrap_or_default().to_owned();

    page.goto(&format!("{origin}/layanan.html")).await;
    page.wait_for("!!document.querySelector('aduan-launcher')", 10)
        .await;
    let launcher = "document.querySelector('aduan-launcher')";
    assert_eq!(
        page.eval("performance.getEntriesByType('resource').filter(r => r.name.includes('/dist/') || r.name.includes('/api/')).length").await,
        json!(0),
        "nothing loads before intent"
    );
    // Intent: the settings arrive with the bundle and restyle the launcher.
    page.eval(&format!(
        "{launcher}.dispatchEvent(new PointerEvent('pointerenter')); true"
    ))
    .await;
    page.wait_for(
        &format!(
            "{launcher}.shadowRoot.querySelector('button').textContent === 'Lapor ke Gianyar'"
        ),
        30,
    )
    .await;
    assert_eq!(
        page.eval(&format!("{launcher}.dataset.position")).await,
        json!("left")
    );
    assert_eq!(
        page.eval(&format!(
            "getComputedStyle({launcher}.shadowRoot.querySelector('button')).backgroundColor"
        ))
        .await,
        json!("rgb(31, 92, 58)")
    );
    click(
        &page,
        &format!("{launcher}.shadowRoot.querySelector('button')"),
    )
    .await;
    let districts = page
        .wait_for(
            "document.querySelector('aduan-panel').shadowRoot.querySelector('.content .aduan #district option[value=ubud]')?.value",
            30,
        )
        .await;
    assert_eq!(
        districts,
        json!("ubud"),
        "the panel files for the site's region"
    );
    assert_eq!(
        page.eval(
            "document.querySelector('aduan-panel').shadowRoot.querySelector('.content .aduan').lang"
        )
        .await,
        json!("en"),
        "in the site's language"
    );

    // The next visit: the launcher has the site's look before any request.
    page.goto(&format!("{origin}/layanan.html")).await;
    page.wait_for("!!document.querySelector('aduan-launcher')", 10)
        .await;
    assert_eq!(
        page.eval(&format!(
            "{launcher}.shadowRoot.querySelector('button').textContent"
        ))
        .await,
        json!("Lapor ke Gianyar")
    );
    assert_eq!(
        page.eval(
            "performance.getEntriesByType('resource').filter(r => r.name.includes('/api/')).length"
        )
        .await,
        json!(0)
    );

    // The console's preview: the same widget, on the service's own page.
    page.goto(&format!("{}{site_path}/preview", app.base)).await;
    page.wait_for("!!document.querySelector('aduan-launcher')", 10)
        .await;
    click(
        &page,
        &format!("{launcher}.shadowRoot.querySelector('button')"),
    )
    .await;
    page.wait_for(
        "document.querySelector('aduan-panel').shadowRoot.querySelector('.content .aduan #district option[value=ubud]')",
        30,
    )
    .await;
}

/// The text of the first inline widget's label for `field`.
fn label_of(field: &str) -> String {
    format!("{}?.textContent", w(0, &format!("label[for={field}]")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_files_in_balinese_and_switches_language_on_the_form() {
    use aduan_app::api::Locale;
    use aduan_app::labels::Label;
    use aduan_app::words::script_word;

    let (app, browser) = setup().await;
    let page = browser.page().await;
    // A page whose launcher has loaded nothing yet, given a widget in Balinese.
    page.goto(&app.url("/demo/regency.html")).await;
    page.wait_for("!!document.querySelector('aduan-launcher')", 10)
        .await;
    page.eval(
        "Aduan.destroy(); document.body.textContent = ''; performance.clearResourceTimings(); \
         const target = document.createElement('div'); target.id = 'ban-form'; document.body.append(target); \
         const s = document.createElement('script'); s.src = '/widget.js'; \
         Object.assign(s.dataset, {region: 'denpasar', mode: 'inline', target: '#ban-form', lang: 'ban'}); \
         document.body.append(s); true",
    )
    .await;
    let title = page.wait_for(&label_of("title"), 30).await;
    assert_eq!(
        title,
        Label::Title.text(Locale::Ban),
        "the form in Balinese"
    );
    assert_eq!(
        page.eval(&format!("{}.lang", w(0, ".aduan"))).await,
        json!("ban")
    );
    let legend = page
        .wait_for(&format!("{}?.textContent", w(0, "#aduan-files legend")), 10)
        .await;
    assert_eq!(
        legend,
        script_word("files", "filesLegend", Locale::Ban),
        "the loader's own words in Balinese"
    );
    let fetched = "performance.getEntriesByType('resource').map(r => r.name).filter(n => n.includes('/dist/words.')).map(n => n.split('/dist/words.')[1].split('.')[1]).join(',')";
    assert_eq!(
        page.eval(fetched).await,
        json!("ban"),
        "only the page's language is fetched"
    );
    // The region's form is asked for once, with the bundle, not after it.
    let timing = page
        .eval(
            "(() => { const all = performance.getEntriesByType('resource'); \
              const form = all.filter(r => r.name.includes('/api/v1/regions/denpasar/form')); \
              const wasm = all.find(r => r.name.endsWith('.wasm')); \
              return [form.length, form.length && wasm ? form[0].startTime < wasm.responseEnd : null]; })()",
        )
        .await;
    assert_eq!(timing, json!([1, true]), "the form comes with the wasm");

    // The citizen switches to English on the form: its words are fetched then.
    fill(&page, &w(0, "select.lang"), "en").await;
    page.wait_for(
        &format!(
            "{} === {:?}",
            label_of("title"),
            Label::Title.text(Locale::En)
        ),
        10,
    )
    .await;
    page.wait_for(
        &format!(
            "{}?.textContent === {:?}",
            w(0, "#aduan-files legend"),
            script_word("files", "filesLegend", Locale::En)
        ),
        10,
    )
    .await;
    assert_eq!(page.eval(fetched).await, json!("ban,en"));
    // And back, without another request.
    fill(&page, &w(0, "select.lang"), "ban").await;
    page.wait_for(
        &format!(
            "{} === {:?}",
            label_of("title"),
            Label::Title.text(Locale::Ban)
        ),
        10,
    )
    .await;
    assert_eq!(page.eval(fetched).await, json!("ban,en"));

    // Filed in Balinese, with the banjar named: the receipt speaks it.
    fill_complaint(&page).await;
    assert_eq!(
        page.wait_for(&label_of("landmark"), 10).await,
        format!(
            "{} ({})",
            Label::Landmark.text(Locale::Ban),
            Label::Optional.text(Locale::Ban)
        )
    );
    fill(&page, &w(0, "#landmark"), "Banjar Tegal").await;
    click(&page, &w(0, "button[type=submit]")).await;
    let code = page
        .wait_for(&format!("{}?.textContent", w(0, "section .code")), 30)
        .await;
    assert!(
        code.as_str().unwrap_or_default().starts_with("DPS-"),
        "{code}"
    );
    let heading = page
        .wait_for(&format!("{}?.textContent", w(0, "section h2")), 10)
        .await;
    assert_eq!(heading, Label::ReceiptTitle.text(Locale::Ban));
    assert_eq!(app.complaints_stored().await, 1);
    assert_eq!(
        app.db
            .count(
                "SELECT COUNT(*) FROM complaints WHERE landmark = 'Banjar Tegal' AND locale = 'ban'"
            )
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_joins_a_complaint_like_theirs_instead_of_filing_it_again() {
    use aduan_app::api::Locale;
    use aduan_app::words::script_word;

    require_bundle();
    // Joining is confirmed by e-mail: a mail server that keeps what it gets.
    let smtp = crate::mail::Smtp::start(0).await;
    let app = crate::mail::with_smtp(Engine::Sqlite, smtp.port, 12).await;
    crate::console::wait_until_serving(&app).await;
    let browser = Browser::launch().await;
    let coordinator = crate::console::officer(&app, "coordinator", "denpasar", None).await;
    // Rubbish in Denpasar Barat, accepted by the coordinator: one public, one
    // confidential (never listed).
    let like = |title: &str, privacy: &str| {
        crate::console::with(json!({
            "region": "denpasar", "category": "sampah", "district": "denpasar-barat",
            "title": title, "privacy": privacy,
        }))
    };
    let public =
        crate::console::file(&app, like("Sampah TERBUKA menumpuk di pasar", "public")).await;
    let hidden =
        crate::console::file(&app, like("Sampah RAHASIA dibuang petugas", "confidential")).await;
    for code in [&public, &hidden] {
        let (status, _, page) = coordinator
            .act(code, &[("action", "dispatch"), ("unit", "dlh")])
            .await;
        assert_eq!(status, 303, "{page}");
    }

    let page = browser.page().await;
    inline_denpasar(&app, &page).await;
    page.wait_for(&in_widget_form(0, "#category option[value=sampah]"), 30)
        .await;
    // Nothing is asked before both are chosen.
    fill(&page, &w(0, "#category"), "sampah").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        page.eval(&format!("!!{}", w(0, ".similar"))).await,
        json!(false)
    );
    fill(&page, &w(0, "#district"), "denpasar-barat").await;
    let listed = page
        .wait_for(&format!("{}?.textContent", w(0, ".similar")), 15)
        .await;
    let listed = listed.as_str().unwrap_or_default().to_owned();
    assert!(
        listed.contains("Sampah TERBUKA menumpuk di pasar"),
        "{listed}"
    );
    assert!(
        listed.contains(script_word("similar", "title", Locale::Id)),
        "{listed}"
    );
    assert!(
        !listed.contains("RAHASIA") && !listed.contains(&public),
        "{listed}"
    );
    assert_eq!(
        page.eval("document.querySelector('aduan-widget').shadowRoot.querySelectorAll('.similar li').length").await,
        json!(1)
    );

    // "Saya juga": an address, then a link to it; counted once followed.
    click(&page, &w(0, ".similar li button")).await;
    page.wait_for(&w(0, ".similar input[type=email]"), 5).await;
    click(&page, &w(0, ".similar form button[type=submit]")).await;
    let refused = page
        .wait_for(&format!("{}?.textContent || ''", w(0, ".similar .err")), 10)
        .await;
    assert!(
        !refused.as_str().unwrap_or_default().is_empty(),
        "a contact is asked for"
    );
    assert_eq!(app.db.count("SELECT COUNT(*) FROM supporters").await, 0);
    fill(
        &page,
        &w(0, ".similar input[type=email]"),
        "ketut@example.id",
    )
    .await;
    click(&page, &w(0, ".similar form button[type=submit]")).await;
    let check = script_word("similar", "check", Locale::Id).replace("{email}", "ketut@example.id");
    page.wait_for(
        &format!(
            "{}?.textContent === {check:?}",
            w(0, ".similar li p[role=status]")
        ),
        10,
    )
    .await;
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM supporters WHERE confirmed_at IS NULL")
            .await,
        1,
        "waiting for the address to be confirmed"
    );
    assert_eq!(app.complaints_stored().await, 2, "nothing was filed");
    crate::mail::settle(&app).await;
    let mails = smtp.to("ketut@example.id").await;
    assert_eq!(mails.len(), 1);
    let text = crate::mail::plain(&mails[0].data);
    let token = text
        .split("/r/denpasar/join?token=")
        .nth(1)
        .and_then(|t| t.split('&').next())
        .unwrap_or_else(|| panic!("no confirmation link: {text}"))
        .to_owned();
    let done = app
        .client
        .post(app.url("/r/denpasar/join"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("an answer");
    assert_eq!(done.status().as_u16(), 200);
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM supporters WHERE confirmed_at IS NOT NULL")
            .await,
        1
    );

    // Filing anyway stays at hand: the form is all there, and the panel
    // goes with one tap, giving the title field the focus.
    click(&page, &w(0, ".similar > button")).await;
    page.wait_for(&format!("!{}", w(0, ".similar")), 5).await;
    assert_eq!(
        page.eval(&format!(
            "{}.shadowRoot.activeElement?.id",
            "document.querySelector('aduan-widget')"
        ))
        .await,
        json!("title")
    );
    assert_eq!(
        page.eval(&format!("!!{}", w(0, "button[type=submit]")))
            .await,
        json!(true)
    );
}

/// Opens a fresh inline widget for Denpasar on `page`.
async fn inline_denpasar(app: &TestApp, page: &Page<'_>) {
    page.goto(&app.url("/demo/regency.html")).await;
    page.wait_for("!!document.querySelector('aduan-launcher')", 10)
        .await;
    mount_inline_denpasar(page).await;
}

/// On a demo page whose launcher is in: its widget gone, an inline widget
/// for Denpasar instead.
pub async fn mount_inline_denpasar(page: &Page<'_>) {
    page.eval(
        "Aduan.destroy(); document.body.textContent = ''; \
         const target = document.createElement('div'); target.id = 'form'; document.body.append(target); \
         const s = document.createElement('script'); s.src = '/widget.js'; \
         Object.assign(s.dataset, {region: 'denpasar', mode: 'inline', target: '#form'}); \
         document.body.append(s); true",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn use_my_location_asks_the_phone_only_on_a_tap_and_a_refusal_leaves_the_form_working() {
    use aduan_app::api::Locale;
    use aduan_app::words::script_word;

    let (app, browser) = setup().await;
    let origin = app.url("");
    let said = |key: &'static str| script_word("files", key, Locale::Id);
    let located = "SELECT COUNT(*) FROM complaints WHERE latitude BETWEEN -8.6706 AND -8.6704 AND longitude BETWEEN 115.2125 AND 115.2127";

    // Refused by the browser: the button says so and the complaint goes
    // without a point.
    browser
        .call(
            None,
            "Browser.setPermission",
            json!({"permission": {"name": "geolocation"}, "setting": "denied", "origin": origin}),
        )
        .await
        .expect("permission set");
    let page = browser.page().await;
    inline_denpasar(&app, &page).await;
    fill_complaint(&page).await;
    let button = w(0, "button.locate");
    assert_eq!(
        page.wait_for(&format!("{button}?.textContent"), 10).await,
        said("locate"),
        "nothing is asked before the tap"
    );
    click(&page, &button).await;
    page.wait_for(
        &format!("{button}.textContent === {:?}", said("notLocated")),
        10,
    )
    .await;
    click(&page, &w(0, "button[type=submit]")).await;
    page.wait_for(&format!("{}?.textContent", w(0, "section .code")), 30)
        .await;
    assert_eq!(app.complaints_stored().await, 1);
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM complaints WHERE latitude IS NULL")
            .await,
        1
    );

    // Allowed: the point goes with the complaint; a second tap would
    // leave it out again.
    browser
        .call(
            None,
            "Browser.setPermission",
            json!({"permission": {"name": "geolocation"}, "setting": "granted", "origin": origin}),
        )
        .await
        .expect("permission set");
    let page = browser.page().await;
    page.call(
        "Emulation.setGeolocationOverride",
        json!({"latitude": -8.6705, "longitude": 115.2126, "accuracy": 10}),
    )
    .await;
    inline_denpasar(&app, &page).await;
    fill_complaint(&page).await;
    page.wait_for(&button, 10).await;
    click(&page, &button).await;
    page.wait_for(
        &format!("{button}.textContent === {:?}", said("located")),
        10,
    )
    .await;
    click(&page, &button).await;
    assert_eq!(
        page.eval(&format!("{button}.textContent")).await,
        json!(said("locate"))
    );
    click(&page, &button).await;
    page.wait_for(
        &format!("{button}.textContent === {:?}", said("located")),
        10,
    )
    .await;
    click(&page, &w(0, "button[type=submit]")).await;
    page.wait_for(&format!("{}?.textContent", w(0, "section .code")), 30)
        .await;
    assert_eq!(app.complaints_stored().await, 2);
    assert_eq!(app.db.count(located).await, 1, "the point was stored");
}

/// What on the page reaches past the viewport's width, and how wide the
/// page scrolls: an empty list when everything fits.
const TOO_WIDE: &str = r#"(() => {
    const w = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
        .map(e => [e, e.getBoundingClientRect()])
        .filter(([e, r]) => r.width > 0 && (r.right > w + 1 || r.left < -1))
        .map(([e, r]) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(r.left)}–${Math.round(r.right)}`);
    if (document.documentElement.scrollWidth > w) wide.push(`the page scrolls to ${document.documentElement.scrollWidth}`);
    return wide.slice(0, 12);
})()"#;

/// The controls a finger taps that are smaller than 44 px high.
const SMALL_TARGETS: &str = r#"(() => [...document.querySelectorAll('button, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), .bar a, td.pick label')]
    .map(e => [e, e.getBoundingClientRect()])
    .filter(([e, r]) => r.width > 0 && r.height < 43.5)
    .map(([e, r]) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(r.height)}px`)
    .slice(0, 12))()"#;

/// An officer works from a phone in the field: the inbox, a complaint, the
/// overview and the performance dashboard fit 360 px with no sideways
/// scrolling, lists become cards and taps are large; the same pages still
/// fit an office screen at 1280 px. No script runs in any of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_fits_a_phone_and_an_office_screen() {
    let app = spawn_app(Engine::Sqlite).await;
    let browser = Browser::launch().await;
    let long_title =
        "Jalan berlubang sangat dalam di depan Pasar Kuta dekat Banjar Pande Mas sejak hujan";
    let code = crate::console::file(&app, crate::console::with(json!({"title": long_title}))).await;
    for _ in 0..3 {
        crate::console::file(&app, crate::support::complaint()).await;
    }
    crate::console::add_officer(
        &app,
        "ponsel@badung.example.id",
        "coordinator",
        "badung",
        None,
    )
    .await;
    crate::console::add_officer(
        &app,
        "lapangan@badung.example.id",
        "unit",
        "badung",
        Some("pupr"),
    )
    .await;
    // The administrator's pages, with a site of their own and a rule.
    let admin = crate::console::officer(&app, "admin", "bali", None).await;
    let (site, _) = crate::sites::register(
        &admin,
        "Portal Kabupaten Badung dengan nama yang sangat panjang sekali",
        "https://www.badungkab.go.id https://layanan.badungkab.go.id",
        &[("region", "badung")],
    )
    .await;
    let page = browser.page().await;
    let phone = json!({"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": true});
    let office = json!({"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false});
    for (email, paths) in [
        (
            "ponsel@badung.example.id",
            vec![
                "/console/inbox".to_owned(),
                format!("/console/complaints/{code}"),
                "/console/overview".to_owned(),
                "/console/performance".to_owned(),
                "/console/views".to_owned(),
            ],
        ),
        (
            "lapangan@badung.example.id",
            vec![
                "/console/inbox?q=pasar".to_owned(),
                format!("/console/complaints/{code}"),
            ],
        ),
        (
            admin.email.as_str(),
            vec![
                "/console/rules".to_owned(),
                "/console/officers".to_owned(),
                "/console/integrations".to_owned(),
                "/console/sites".to_owned(),
                format!("/console/sites/{site}"),
                "/console/performance/report".to_owned(),
                "/console/password".to_owned(),
            ],
        ),
    ] {
        page.call("Emulation.setDeviceMetricsOverride", phone.clone())
            .await;
        console_sign_in(&page, &app.base, email).await;
        for (size, metrics) in [("360 px", &phone), ("1280 px", &office)] {
            page.call("Emulation.setDeviceMetricsOverride", metrics.clone())
                .await;
            for path in &paths {
                page.goto(&app.url(path)).await;
                // Every folded action open, as an officer would open them.
                page.eval("document.querySelectorAll('details').forEach(d => d.open = true)")
                    .await;
                assert_eq!(
                    page.eval("document.scripts.length").await,
                    json!(0),
                    "{path}"
                );
                let wide = page.eval(TOO_WIDE).await;
                assert_eq!(
                    wide,
                    json!([]),
                    "{email} at {size}, {path}: wider than the screen"
                );
                if size == "360 px" {
                    assert_eq!(
                        page.eval(SMALL_TARGETS).await,
                        json!([]),
                        "{email} at {size}, {path}: small targets"
                    );
                }
            }
        }
        // On the phone the inbox is cards: one complaint per box, its
        // fields one under another, and each can be picked by those who
        // work them.
        page.call("Emulation.setDeviceMetricsOverride", phone.clone())
            .await;
        page.goto(&app.url("/console/inbox")).await;
        let card = page
            .eval(&format!(
                "(() => {{ const a = document.querySelector('table.inbox a[href=\"/console/complaints/{code}\"]'); const tr = a.closest('tr'); const tds = [...tr.children].filter(td => !td.classList.contains('pick')); return [getComputedStyle(tr).display, tds.length > 1 && tds.every((td, i) => i === 0 || td.getBoundingClientRect().top >= tds[i - 1].getBoundingClientRect().bottom - 1), !!tr.querySelector('input[name=pick]')]; }})()"
            ))
            .await;
        // The administrator reads but does not work complaints: no box.
        let picks = email != admin.email;
        assert_eq!(
            card,
            json!(["block", true, picks]),
            "{email}: the inbox is cards"
        );
        if email == "lapangan@badung.example.id" {
            // Two boxes ticked on the phone and taken at once, without
            // script: the boxes belong to the form under the list.
            page.eval("document.querySelectorAll('table.inbox input[name=pick]').forEach((b, i) => { if (i < 2) b.click(); })")
                .await;
            click(
                &page,
                "document.querySelector('form#bulk button[type=submit]')",
            )
            .await;
            page.wait_for(
                "location.pathname === '/console/inbox/bulk' && document.querySelectorAll('ul.done li').length",
                30,
            )
            .await;
            assert_eq!(
                page.eval("[document.querySelectorAll('ul.done li').length, document.querySelector('ul.refused')?.textContent ?? null]").await,
                json!([2, null])
            );
            assert_eq!(page.eval(TOO_WIDE).await, json!([]), "the result");
            page.goto(&app.url("/console/inbox?assignee=me")).await;
            assert_eq!(
                page.eval("document.querySelectorAll('table.inbox tbody tr').length")
                    .await,
                json!(2)
            );
        }
        submit_form(&page, "form[action='/console/logout']", &[]).await;
        page.wait_for("location.pathname === '/console/login'", 30)
            .await;
        // The sign-in page fits the phone too.
        assert_eq!(page.eval(TOO_WIDE).await, json!([]), "/console/login");
        assert_eq!(page.eval(SMALL_TARGETS).await, json!([]), "/console/login");
    }
}
