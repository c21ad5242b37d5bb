//! The hosted pages file and track complaints with no script at all.

use crate::support::{TestApp, on_both_engines};

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn good_form(key: &str) -> Vec<(String, String)> {
    form(&[
        ("idempotency_key", key),
        ("lang", "id"),
        ("classification", "complaint"),
        ("title", "Sampah menumpuk di pinggir jalan"),
        (
            "description",
            "Sampah tidak diangkut sejak seminggu, baunya sampai ke rumah warga.",
        ),
        ("category", "sampah"),
        ("district", "denpasar-barat"),
        ("location", "Jl. Gunung Agung"),
        ("landmark", "Banjar Tegal Agung"),
        ("incident_date", "2026-11-01"),
        ("privacy", "anonymous"),
        ("reporter_name", ""),
        ("reporter_email", "warga@example.id"),
        ("reporter_phone", ""),
        ("consent", "yes"),
    ])
}

async fn post_form(app: &TestApp, path: &str, fields: &[(String, String)]) -> (u16, String) {
    let r = app
        .client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .expect("an answer");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

async fn get_page(app: &TestApp, path: &str) -> (u16, String, String) {
    let r = app
        .client
        .get(app.url(path))
        .send()
        .await
        .expect("an answer");
    let status = r.status().as_u16();
    // The tracker's address holds the code: no request from the page names it.
    assert_eq!(
        r.headers()
            .get("referrer-policy")
            .and_then(|v| v.to_str().ok()),
        Some("no-referrer"),
        "{path}"
    );
    let csp = r
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, csp, r.text().await.unwrap_or_default())
}

fn code_in(page: &str) -> String {
    page.split("<p class=\"code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_default()
        .to_owned()
}

on_both_engines! {
    async fn the_form_page_works_without_script(app) {
        let (status, csp, page) = get_page(&app, "/r/badung").await;
        assert_eq!(status, 200);
        assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe"), "{csp}");
        assert!(!page.contains("<script"), "the hosted form needs no script");
        for field in ["name=\"title\"", "name=\"description\"", "name=\"category\"", "name=\"district\"",
                      "name=\"privacy\"", "name=\"consent\"", "name=\"idempotency_key\"", "value=\"denpasar-utara\"",
                      "name=\"landmark\""] {
            assert!(page.contains(field), "{field} missing");
        }
        let (_, _, english) = get_page(&app, "/r/badung?lang=en").await;
        assert!(english.contains("File a complaint") && english.contains("Roads, bridges and drainage"));
        let (status, _, _) = get_page(&app, "/r/atlantis").await;
        assert_eq!(status, 404);
    }

    async fn a_posted_form_files_once_and_shows_the_receipt(app) {
        let key = "hosted-form-key-0001";
        let (status, receipt) = post_form(&app, "/r/badung", &good_form(key)).await;
        assert_eq!(status, 200, "{receipt}");
        let code = code_in(&receipt);
        assert!(code.starts_with("DPS-"), "routed by district to Denpasar: {code}");
        assert!(receipt.contains("Kota Denpasar"));
        // A reload posts the same key: the same receipt, nothing new stored.
        let (_, again) = post_form(&app, "/r/badung", &good_form(key)).await;
        assert_eq!(code_in(&again), code);
        assert_eq!(app.complaints_stored().await, 1);
        assert_eq!(app.db.count("SELECT COUNT(*) FROM complaints WHERE landmark = 'Banjar Tegal Agung'").await, 1);
        let (status, _) = app.get(&format!("/api/v1/complaints/{code}")).await;
        assert_eq!(status, 200);
    }

    async fn a_bad_form_comes_back_with_errors_beside_its_fields(app) {
        let mut fields = good_form("hosted-form-key-0002");
        fields.retain(|(k, _)| k != "consent" && k != "title");
        fields.push(("title".into(), String::new()));
        fields.retain(|(k, _)| k != "description");
        fields.push(("description".into(), "<script>alert(1)</script> tidak aman sama sekali".into()));
        fields.retain(|(k, _)| k != "reporter_email");
        fields.push(("reporter_email".into(), "bukan email".into()));
        let (status, page) = post_form(&app, "/r/badung", &fields).await;
        assert_eq!(status, 422);
        assert!(page.contains("id=\"err-title\""), "no title error");
        assert!(page.contains("id=\"err-consent\""), "no consent error");
        assert!(page.contains("id=\"err-reporter_email\""), "no e-mail error");
        assert!(page.contains("aria-describedby=\"err-title\""));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the typed text is kept, escaped");
        assert!(!page.contains("<script>alert(1)"));
        assert_eq!(app.complaints_stored().await, 0);
    }

    async fn the_tracker_page_shows_the_status_and_takes_a_reply(app) {
        let (_, receipt) = post_form(&app, "/r/badung", &good_form("hosted-form-key-0003")).await;
        let code = code_in(&receipt);
        let (status, csp, page) = get_page(&app, &format!("/r/denpasar/track?code={}", code.to_lowercase())).await;
        assert_eq!(status, 200);
        assert!(csp.contains("form-action 'self'"));
        assert!(page.contains("Menunggu verifikasi"));
        assert!(page.contains("Sampah menumpuk"));
        assert!(!page.contains("warga@example.id"), "the tracker shows no identity");
        let reply = form(&[("code", &code), ("message", "Sampah sudah <b>dua</b> minggu."), ("lang", "en")]);
        let (status, page) = post_form(&app, "/r/denpasar/track", &reply).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Sampah sudah &lt;b&gt;dua&lt;/b&gt; minggu."));
        assert!(page.contains("Reporter"));
        let mut typo: Vec<char> = code.chars().collect();
        let i = typo.len() - 3;
        typo[i] = if typo[i] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        let (status, _, page) = get_page(&app, &format!("/r/denpasar/track?code={typo}&lang=en")).await;
        assert_eq!(status, 400);
        assert!(page.contains("This tracking code has a typo"));
    }
}

/// The form the widget shows while its wasm is on the way is the hosted
/// form's own fields, in the language asked, with the widget's stylesheet,
/// as one module; never a key or a page around it.
#[tokio::test]
async fn the_first_moments_form_is_the_hosted_forms_fields_in_the_language_asked() {
    use aduan_app::api::Locale;
    use aduan_app::labels::Label;

    let app = crate::support::spawn_app(crate::support::Engine::Sqlite).await;
    let get = |path: &'static str| app.get_text(path, Some("en"));
    // The module's first line: `var CSS = "…", HTML = "…";`, JSON strings.
    let parts = |module: &str| -> (String, String) {
        let first = module.lines().next().unwrap_or_default();
        let rest = first
            .strip_prefix("var CSS = ")
            .expect("the stylesheet first");
        let (css, html) = rest.split_once(", HTML = ").expect("then the form");
        let html = html.strip_suffix(';').expect("one statement");
        (
            serde_json::from_str(css).expect("a JSON string"),
            serde_json::from_str(html).expect("a JSON string"),
        )
    };
    let (status, kind, module) = get("/api/v1/regions/badung/early.js?lang=ban").await;
    assert_eq!(status, 200);
    assert_eq!(kind, "text/javascript; charset=utf-8");
    assert!(module.contains("export function show(content, region, view)"));
    assert!(
        module
            .lines()
            .all(|l| !l.starts_with(' ') && !l.starts_with("/*") && !l.starts_with("//")),
        "without comments and indentation"
    );
    let (css, fragment) = parts(&module);
    assert_eq!(css, aduan_app::style::STYLE, "the widget's stylesheet");
    assert!(fragment.starts_with("<div class=\"aduan\" lang=\"ban\" data-aduan-early>"));
    let (_, _, page) = get_page(&app, "/r/badung?lang=ban").await;
    for field in [
        "name=\"classification\"",
        "name=\"title\"",
        "name=\"description\"",
        "name=\"category\"",
        "name=\"district\"",
        "name=\"location\"",
        "name=\"landmark\"",
        "name=\"incident_date\"",
        "name=\"privacy\"",
        "name=\"reporter_name\"",
        "name=\"reporter_email\"",
        "name=\"reporter_phone\"",
        "name=\"consent\"",
        "value=\"denpasar-utara\"",
    ] {
        assert!(
            fragment.contains(field),
            "{field} missing from the fragment"
        );
        assert!(page.contains(field), "{field} missing from the page");
    }
    assert!(fragment.contains(Label::Title.text(Locale::Ban)));
    assert!(
        fragment.contains(r#"name="idempotency_key" value="""#)
            && !fragment.contains("<html")
            && !fragment.contains("name=\"files\""),
        "an empty key (the script makes one), no page, no file chooser (the widget has its own)"
    );
    // Without `?lang=`, the header's language.
    let (_, _, english) = get("/api/v1/regions/badung/early.js").await;
    let (_, english) = parts(&english);
    assert!(english.contains("lang=\"en\"") && english.contains("Roads, bridges and drainage"));
    let (status, kind, refusal) = get("/api/v1/regions/atlantis/early.js").await;
    assert_eq!(status, 404);
    assert!(kind.starts_with("application/json"), "{kind}");
    assert!(refusal.contains("message"));

    // The widget draws its form from the same markup, asked alone.
    let (status, kind, form) = get("/api/v1/regions/badung/form.html?lang=ban").await;
    assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
    assert!(
        form.starts_with("<form ") && form.ends_with("</form>"),
        "{form}"
    );
    assert!(
        fragment.contains(&form),
        "the first moments' form is this one"
    );
    let (_, _, english) = get("/api/v1/regions/badung/form.html").await;
    assert!(english.contains(Label::Title.text(Locale::En)));
    let (status, _, _) = get("/api/v1/regions/atlantis/form.html").await;
    assert_eq!(status, 404);
    // And its stylesheet, when the module that carries it did not come.
    let (status, kind, style) = get("/api/v1/widget.css").await;
    assert_eq!((status, kind.as_str()), (200, "text/css; charset=utf-8"));
    assert_eq!(style, css);
}
