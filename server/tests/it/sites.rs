//! Webmasters and their sites: the registry and its scope, the origin
//! rule, the contrast check, the heartbeat, policy reports, the active
//! check of a page, and the preview.

use serde_json::Value;

use crate::console::{Officer, file, officer, with};
use crate::support::{Engine, TestApp, complaint, new_key, on_both_engines, spawn_app};

/// Registers a site through the console; its id and key.
pub async fn register(
    o: &Officer,
    name: &str,
    origins: &str,
    extra: &[(&str, &str)],
) -> (i64, String) {
    let mut fields = vec![("do", "create"), ("name", name), ("origins", origins)];
    fields.extend_from_slice(extra);
    let (status, location, page) = o.post("/console/sites", &fields).await;
    assert_eq!(status, 303, "{page}");
    let id: i64 = location
        .trim_start_matches("/console/sites/")
        .split('?')
        .next()
        .and_then(|i| i.parse().ok())
        .unwrap_or_else(|| panic!("no site in {location}"));
    let (status, page) = o.get(&format!("/console/sites/{id}")).await;
    assert_eq!(status, 200, "{page}");
    let key = page
        .split_once("data-site=&quot;")
        .and_then(|(_, rest)| rest.get(..16))
        .unwrap_or_else(|| panic!("no key on the page"))
        .to_owned();
    (id, key)
}

/// A request as a browser on `origin` sends it; status and body.
async fn from(
    app: &TestApp,
    origin: Option<&str>,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut r = app
        .client
        .request(method, app.url(path))
        .header("accept-language", "en");
    if let Some(origin) = origin {
        r = r.header("origin", origin);
    }
    if let Some(body) = body {
        r = r.json(body).header("idempotency-key", new_key());
    }
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let response = r.send().await.expect("an answer");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn submit_from(app: &TestApp, origin: Option<&str>, body: &Value) -> (u16, Value) {
    from(
        app,
        origin,
        reqwest::Method::POST,
        "/api/v1/complaints",
        Some(body),
        &[],
    )
    .await
}

#[tokio::test]
async fn a_webmaster_keeps_to_their_regions_sites_and_reads_no_complaint() {
    let app = spawn_app(Engine::Sqlite).await;
    let badung = officer(&app, "webmaster", "badung", None).await;
    let buleleng = officer(&app, "webmaster", "buleleng", None).await;
    let admin = officer(&app, "admin", "bali", None).await;
    let code = file(&app, complaint()).await;

    let (id, key) = register(&badung, "Portal Badung", "https://badungkab.go.id", &[]).await;
    assert_eq!(key.len(), 16);
    // Another region's webmaster neither sees nor changes it.
    let (status, page) = buleleng.get("/console/sites").await;
    assert_eq!(status, 200);
    assert!(!page.contains("Portal Badung"), "{page}");
    assert_eq!(buleleng.get(&format!("/console/sites/{id}")).await.0, 404);
    assert_eq!(
        buleleng
            .get(&format!("/console/sites/{id}/preview"))
            .await
            .0,
        404
    );
    let (status, _, _) = buleleng
        .post(&format!("/console/sites/{id}"), &[("do", "delete")])
        .await;
    assert_eq!(status, 404);
    // A webmaster cannot register a site for another region.
    let (_, page) = {
        let (_, _, _) = buleleng
            .post(
                "/console/sites",
                &[
                    ("do", "create"),
                    ("name", "Sneaky"),
                    ("origins", "https://sneaky.id"),
                    ("region", "badung"),
                ],
            )
            .await;
        admin.get("/console/sites").await
    };
    let sneaky = page.split("Sneaky").nth(1).unwrap_or_default();
    assert!(sneaky.contains("Kabupaten Buleleng"), "{page}");
    // The administrator sees every region's sites.
    assert!(page.contains("Portal Badung"));
    assert_eq!(admin.get(&format!("/console/sites/{id}")).await.0, 200);

    // No complaint reaches a webmaster, by any page.
    let (status, location, _) = badung.post_raw("/console/logout", &[], &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (403, ""),
        "a post without the token"
    );
    let inbox = badung.get_bytes("/console/inbox").await;
    assert_eq!(inbox.0, 303, "the inbox sends a webmaster to their sites");
    for path in [
        format!("/console/complaints/{code}"),
        "/console/overview".to_owned(),
        "/console/performance".to_owned(),
        "/console/performance.csv".to_owned(),
        "/console/performance/complaints.csv".to_owned(),
        "/console/rules".to_owned(),
        "/console/officers".to_owned(),
        "/console/integrations".to_owned(),
    ] {
        let (status, page) = badung.get(&path).await;
        assert_eq!(status, 403, "{path}: {page}");
        assert!(!page.contains(&code), "{path}");
    }
    let (status, _, page) = badung
        .post(
            &format!("/console/complaints/{code}"),
            &[("action", "note"), ("message", "x")],
        )
        .await;
    assert_eq!(status, 403, "{page}");
    // Their own pages still work.
    assert_eq!(badung.get("/console/password").await.0, 200);
    // An administrator adds a webmaster from the officers page; a unit is refused.
    let (status, _, page) = admin
        .post(
            "/console/officers",
            &[
                ("do", "add"),
                ("email", "situs@gianyarkab.go.id"),
                ("name", "Pengelola Situs"),
                ("role", "webmaster"),
                ("region", "gianyar"),
                ("unit", "pupr"),
                ("password", crate::console::PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("a webmaster looks after a region's websites, not a unit"),
        "{page}"
    );
    let (status, _, page) = admin
        .post(
            "/console/officers",
            &[
                ("do", "add"),
                ("email", "situs@gianyarkab.go.id"),
                ("name", "Pengelola Situs"),
                ("role", "webmaster"),
                ("region", "gianyar"),
                ("unit", ""),
                ("password", crate::console::PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let added = crate::console::sign_in(
        &app.base,
        "situs@gianyarkab.go.id",
        crate::console::PASSWORD,
    )
    .await
    .unwrap_or_else(|(s, p)| panic!("{s} {p}"));
    let (status, page) = added.get("/console/sites").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Pengelola situs web · Kabupaten Gianyar"),
        "{page}"
    );
    // Officers of other roles do not manage sites.
    let coordinator = officer(&app, "coordinator", "badung", None).await;
    assert_eq!(coordinator.get("/console/sites").await.0, 403);
    assert_eq!(
        coordinator.get(&format!("/console/sites/{id}")).await.0,
        403
    );
}

#[tokio::test]
async fn the_inbox_a_webmaster_lands_on_sends_them_to_their_sites() {
    let app = spawn_app(Engine::Sqlite).await;
    let badung = officer(&app, "webmaster", "badung", None).await;
    let (status, page) = badung.get("/console/sites").await;
    assert_eq!(status, 200);
    // The menu offers the sites and nothing about complaints.
    assert!(page.contains("href=\"/console/sites\""), "{page}");
    assert!(!page.contains("href=\"/console/inbox\""), "{page}");
    assert!(!page.contains("href=\"/console/performance\""), "{page}");
}

on_both_engines! {
    async fn the_origin_rule_opens_with_no_sites_and_then_admits_only_registered_origins(app) {
        let site_origin = "https://badungkab.go.id";
        let stranger = "https://pungli-palsu.example";
        // No site yet: any origin files.
        assert_eq!(submit_from(&app, Some(stranger), &complaint()).await.0, 201);

        let webmaster = officer(&app, "webmaster", "badung", None).await;
        register(&webmaster, "Portal Badung", &format!("{site_origin}\nhttps://*.badungkab.go.id"), &[]).await;

        let (status, body) = submit_from(&app, Some(site_origin), &complaint()).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(submit_from(&app, Some("https://layanan.badungkab.go.id"), &complaint()).await.0, 201);
        let mut english = complaint();
        english["locale"] = "en".into();
        let (status, body) = submit_from(&app, Some(stranger), &english).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "origin_not_registered");
        assert_eq!(
            body["error"]["message"],
            "This site is not registered to take complaints for Kabupaten Badung."
        );
        // The widget's own language.
        let mut indonesian = complaint();
        indonesian["locale"] = "id".into();
        let (_, body) = submit_from(&app, Some(stranger), &indonesian).await;
        assert_eq!(body["error"]["message"], "Situs ini tidak terdaftar untuk menerima pengaduan bagi Kabupaten Badung.");
        // A server (no Origin), the service's own pages, another region: open.
        assert_eq!(submit_from(&app, None, &complaint()).await.0, 201);
        assert_eq!(submit_from(&app, Some(&app.base), &complaint()).await.0, 201);
        let buleleng = with(serde_json::json!({"region": "buleleng", "district": "Sukasada"}));
        assert_eq!(submit_from(&app, Some(stranger), &buleleng).await.0, 201);
        // An opaque origin (a sandboxed frame) is refused too, unless the
        // browser says it is the service's own page (a form on a page with
        // `Referrer-Policy: no-referrer`, as the hosted pages are, is sent
        // with `Origin: null`).
        assert_eq!(submit_from(&app, Some("null"), &complaint()).await.0, 403);
        let same = [("sec-fetch-site", "same-origin")];
        let (status, body) = from(&app, Some("null"), reqwest::Method::POST, "/api/v1/complaints", Some(&complaint()), &same).await;
        assert_eq!(status, 201, "{body}");
        let cross = [("sec-fetch-site", "cross-site")];
        assert_eq!(from(&app, Some("null"), reqwest::Method::POST, "/api/v1/complaints", Some(&complaint()), &cross).await.0, 403);

        // No way round through a region without sites: filed for Buleleng
        // with a Badung district, it lands in Badung, whose rule refuses.
        let mut around = with(serde_json::json!({"region": "buleleng"}));
        around["locale"] = "en".into();
        let (status, body) = submit_from(&app, Some(stranger), &around).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["message"], "This site is not registered to take complaints for Kabupaten Badung.");
        // Badung's own site hands a Denpasar district on (no wrong door).
        let onward = with(serde_json::json!({"district": "denpasar-barat"}));
        let (status, body) = submit_from(&app, Some(site_origin), &onward).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["region"]["key"], "denpasar", "{body}");

        // Replies: the complaint's region decides.
        let code = file(&app, complaint()).await;
        let reply = serde_json::json!({"message": "Lubangnya makin besar setelah hujan semalam."});
        let path = format!("/api/v1/complaints/{code}/replies");
        let (status, body) = from(&app, Some(stranger), reqwest::Method::POST, &path, Some(&reply), &[]).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "origin_not_registered");
        let (status, body) = from(&app, Some(site_origin), reqwest::Method::POST, &path, Some(&reply), &[]).await;
        // A reply is taken while the complaint is open (or 409 when the
        // lifecycle refuses it): not refused for its origin.
        assert!(status == 201 || status == 409, "{status} {body}");

        // Uploads that name the region.
        let metadata = "filename Zm90by5qcGc=,region YmFkdW5n";
        let tus = [("tus-resumable", "1.0.0"), ("upload-length", "10"), ("upload-metadata", metadata)];
        let (status, body) = from(&app, Some(stranger), reqwest::Method::POST, "/api/v1/uploads", None, &tus).await;
        assert_eq!(status, 403, "{body}");
        let (status, body) = from(&app, Some(site_origin), reqwest::Method::POST, "/api/v1/uploads", None, &tus).await;
        assert_eq!(status, 201, "{body}");

        // The hosted form posted from another site's page.
        let hosted = app
            .client
            .post(app.url("/r/badung"))
            .header("origin", stranger)
            .form(&[("title", "x")])
            .send()
            .await
            .expect("an answer");
        assert_eq!(hosted.status().as_u16(), 403);

        // The refused origin waits on the sites page, and once added it files.
        let (_, page) = webmaster.get("/console/sites").await;
        assert!(page.contains(stranger), "{page}");
        let site_id = page
            .split_once("name=\"site\"")
            .and_then(|(_, rest)| rest.split_once("value=\""))
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(id, _)| id.to_owned())
            .unwrap_or_default();
        let (status, _, page) = webmaster
            .post("/console/sites", &[("do", "add_origin"), ("origin", stranger), ("site", &site_id)])
            .await;
        assert_eq!(status, 303, "{page}");
        assert_eq!(submit_from(&app, Some(stranger), &complaint()).await.0, 201);
        let (_, page) = webmaster.get("/console/sites").await;
        assert!(!page.contains("Asal yang belum terdaftar"), "still listed: {page}");
    }
}

on_both_engines! {
    async fn a_removed_last_site_opens_the_region_again(app) {
        let webmaster = officer(&app, "webmaster", "badung", None).await;
        let (id, _) = register(&webmaster, "Portal", "https://badungkab.go.id", &[]).await;
        assert_eq!(submit_from(&app, Some("https://elsewhere.example"), &complaint()).await.0, 403);
        let (status, _, _) = webmaster.post(&format!("/console/sites/{id}"), &[("do", "delete")]).await;
        assert_eq!(status, 303);
        assert_eq!(submit_from(&app, Some("https://elsewhere.example"), &complaint()).await.0, 201);
        assert_eq!(webmaster.get(&format!("/console/sites/{id}")).await.0, 404);
    }
}

#[tokio::test]
async fn bad_settings_are_refused_field_by_field_and_a_pale_accent_gets_a_closer_colour() {
    let app = spawn_app(Engine::Sqlite).await;
    let w = officer(&app, "webmaster", "badung", None).await;
    let (status, _, page) = w
        .post(
            "/console/sites",
            &[
                ("do", "create"),
                ("name", ""),
                ("origins", "badungkab.go.id/layanan"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Isi nama situs."), "{page}");
    assert!(page.contains("harus diawali https://"), "{page}");
    assert!(
        !w.get("/console/sites")
            .await
            .1
            .contains("<td><a href=\"/console/sites/")
    );

    let (id, _) = register(&w, "Portal", "https://badungkab.go.id", &[]).await;
    let save = |accent: &'static str, theme: &'static str| {
        let w = &w;
        async move {
            w.post(
                &format!("/console/sites/{id}"),
                &[
                    ("do", "save"),
                    ("name", "Portal"),
                    ("origins", "https://badungkab.go.id"),
                    ("accent", accent),
                    ("theme", theme),
                    ("radius", "12"),
                    ("launcher", "Lapor!"),
                    ("position", "left"),
                    ("mode", "floating"),
                    ("lang", "en"),
                ],
            )
            .await
        }
    };
    let (status, _, page) = save("#ffd700", "light").await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("#ffd700 belum memenuhi kontras WCAG AA: 1.4:1 pada latar terang (3.0:1)."),
        "{page}"
    );
    assert!(page.contains("Warna terdekat yang memenuhi: #"), "{page}");
    // Nothing was saved.
    let (_, page) = w.get(&format!("/console/sites/{id}")).await;
    assert!(page.contains("value=\"#0b5cad\""), "{page}");
    // On the dark theme the same yellow passes; a navy does not.
    let (status, _, page) = save("#ffd700", "dark").await;
    assert_eq!(status, 303, "{page}");
    let (status, _, page) = save("#0b2a5c", "dark").await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("pada latar gelap"), "{page}");
    let (status, _, _) = save("#0b5cad", "light").await;
    assert_eq!(status, 303);
    // What the loader reads now.
    let (_, page) = w.get(&format!("/console/sites/{id}")).await;
    let key = page
        .split_once("data-site=&quot;")
        .and_then(|(_, r)| r.get(..16))
        .unwrap_or_default()
        .to_owned();
    let (status, settings) = from(
        &app,
        None,
        reqwest::Method::GET,
        &format!("/api/v1/sites/{key}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        settings,
        serde_json::json!({"site": key, "region": "badung", "lang": "en", "theme": "light", "accent": "#0b5cad", "radius": "12px", "launcher": "Lapor!", "position": "left"})
    );
    // The plain link opens the region's hosted form in the site's language.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let r = plain
        .get(app.url(&format!("/s/{key}")))
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/r/badung?lang=en");
    assert_eq!(
        from(
            &app,
            None,
            reqwest::Method::GET,
            "/api/v1/sites/0123456789abcdef",
            None,
            &[]
        )
        .await
        .0,
        404
    );
    assert_eq!(
        from(
            &app,
            None,
            reqwest::Method::GET,
            "/api/v1/sites/not-a-key",
            None,
            &[]
        )
        .await
        .0,
        404
    );
}

on_both_engines! {
    async fn the_heartbeat_and_policy_reports_reach_the_sites_page(app) {
        let w = officer(&app, "webmaster", "badung", None).await;
        let (id, key) = register(&w, "Portal", "https://badungkab.go.id", &[]).await;
        let settings = format!("/api/v1/sites/{key}?v=cd32b35ef0654597");
        let (status, _) = from(&app, Some("https://badungkab.go.id"), reqwest::Method::GET, &settings, None, &[]).await;
        assert_eq!(status, 200);
        // Loaded on a page that is not registered: listed for the webmaster.
        from(&app, Some("https://staging.badung.example"), reqwest::Method::GET, &settings, None, &[]).await;
        let (_, page) = w.get(&format!("/console/sites/{id}")).await;
        assert!(page.contains("Terlihat di <code>https://badungkab.go.id</code> baru saja"), "{page}");
        assert!(page.contains("<code>cd32b35ef0654597</code>"), "{page}");
        let (_, list) = w.get("/console/sites").await;
        assert!(list.contains("https://staging.badung.example"), "{list}");

        // A policy report from the widget on the registered page, by image
        // (no Origin, a Referer) and by beacon (a POST with an Origin).
        let csp = format!("/api/v1/sites/{key}/csp?d=connect-src&b={}", urlencode(&format!("{}/api/v1/regions/badung/form", app.base)));
        let (status, _) = from(&app, None, reqwest::Method::GET, &csp, None, &[("referer", "https://badungkab.go.id/layanan")]).await;
        assert_eq!(status, 204);
        let wasm = format!("/api/v1/sites/{key}/csp?d=script-src&b=wasm-eval");
        assert_eq!(from(&app, Some("https://badungkab.go.id"), reqwest::Method::POST, &wasm, None, &[]).await.0, 204);
        // What is not about the widget, or not from the site, is dropped.
        for (path, origin) in [
            (format!("/api/v1/sites/{key}/csp?d=connect-src&b=https%3A%2F%2Ftracker.example%2Fx"), "https://badungkab.go.id"),
            (format!("/api/v1/sites/{key}/csp?d=frame-src&b=wasm-eval"), "https://badungkab.go.id"),
            (format!("/api/v1/sites/{key}/csp?d=script-src&b=wasm-eval"), "https://evil.example"),
        ] {
            assert_eq!(from(&app, Some(origin), reqwest::Method::POST, &path, None, &[]).await.0, 204);
        }
        let (_, page) = w.get(&format!("/console/sites/{id}")).await;
        let reports = page.split_once("id=\"csp-reports\"").map(|(_, r)| r).unwrap_or_default();
        let reports = reports.split_once("</table>").map(|(t, _)| t).unwrap_or_default();
        assert!(reports.contains(&format!("<code>connect-src</code></td><td><code>{}</code>", app.base)), "{reports}");
        assert!(reports.contains("<code>script-src</code></td><td><code>wasm-eval</code>"), "{reports}");
        assert!(!reports.contains("tracker.example") && !reports.contains("frame-src") && !reports.contains("evil.example"), "{reports}");
        // Never a path of the service (a tracking code could be in one).
        assert!(!reports.contains("/api/v1/regions"), "{reports}");

        // The region's connectivity: the widget was seen this week.
        let admin = officer(&app, "admin", "bali", None).await;
        let (_, csv) = admin.get("/console/performance.csv").await;
        let header = cells(csv.lines().next().unwrap_or_default().trim_start_matches('\u{feff}'));
        let column = header.iter().position(|h| h == "widget_seen_7d").unwrap_or_else(|| panic!("no column in {header:?}"));
        let badung = csv.lines().map(cells).find(|l| l.iter().any(|c| c == "Kabupaten Badung")).unwrap_or_default();
        assert_eq!(badung.get(column).map(String::as_str), Some("yes"), "{badung:?}");
        let buleleng = csv.lines().map(cells).find(|l| l.iter().any(|c| c == "Kabupaten Buleleng")).unwrap_or_default();
        assert_eq!(buleleng.get(column).map(String::as_str), Some("no"), "{buleleng:?}");
    }
}

/// The cells of one CSV line (quoted cells may hold commas).
fn cells(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    out.push(cell);
    out
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A host page for the active check, served on loopback.
async fn host_page(policy: &'static str, body: String) -> String {
    use axum::http::header;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    let app = axum::Router::new().route(
        "/layanan",
        axum::routing::get(move || {
            let body = body.clone();
            async move {
                (
                    [
                        (header::CONTENT_SECURITY_POLICY, policy),
                        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    ],
                    body,
                )
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_active_check_finds_the_tag_and_names_the_missing_connect_src() {
    let app = spawn_app(Engine::Sqlite).await;
    let w = officer(&app, "webmaster", "badung", None).await;
    let (id, key) = register(&w, "Portal", "https://badungkab.go.id", &[]).await;
    let tag = format!(
        "<html><body><h1>Badung</h1><script src=\"{}/widget.js\" data-site=\"{key}\" async></script></body></html>",
        app.base
    );
    let policy =
        "default-src 'self'; script-src 'self' http://127.0.0.1:* 'wasm-unsafe-eval'; img-src *";
    let host = host_page(policy, tag).await;
    let page_url = format!("{host}/layanan");

    // A page of another origin is not fetched.
    let (status, _, page) = w
        .post(
            &format!("/console/sites/{id}"),
            &[("do", "check"), ("url", &page_url)],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Periksa halaman dari salah satu asal situs ini."),
        "{page}"
    );

    // Registered (the test's receivers live on loopback, which this
    // service allows as an operator would with --webhook-allow-private).
    let (status, _, page) = w
        .post(
            &format!("/console/sites/{id}"),
            &[
                ("do", "save"),
                ("name", "Portal"),
                ("origins", &format!("https://badungkab.go.id\n{host}")),
            ],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let (status, location, _) = w
        .post(
            &format!("/console/sites/{id}"),
            &[("do", "check"), ("url", &page_url)],
        )
        .await;
    assert_eq!(status, 303);
    assert!(location.ends_with("#check-result"), "{location}");
    let (_, page) = w.get(&format!("/console/sites/{id}")).await;
    let result = page
        .split_once("id=\"check-result\"")
        .map(|(_, r)| r)
        .unwrap_or_default();
    let result = result
        .split_once("</div>")
        .map(|(r, _)| r)
        .unwrap_or_default();
    assert!(result.contains("Perlu diperbaiki."), "{result}");
    assert!(
        result.contains("Tag widget ditemukan, dengan kunci situs ini."),
        "{result}"
    );
    // The page has no connect-src: default-src decides, so the advice is a
    // whole directive that keeps what default-src allowed.
    assert!(
        result.contains(&format!(
            "Tambahkan direktif <code>connect-src 'self' {}</code> untuk mengirim pengaduan dan membaca statusnya.",
            app.base
        )),
        "{result}"
    );
    assert!(
        !result.contains("<code>script-src"),
        "script-src was enough: {result}"
    );
    // The address is remembered for the next check.
    assert!(page.contains(&format!("value=\"{page_url}\"")), "{page}");
}

#[tokio::test]
async fn the_preview_runs_the_widget_under_its_own_policy_and_the_console_keeps_none() {
    let app = spawn_app(Engine::Sqlite).await;
    let w = officer(&app, "webmaster", "badung", None).await;
    let (id, key) = register(
        &w,
        "Portal",
        "https://badungkab.go.id",
        &[("mode", "inline")],
    )
    .await;
    let r = app
        .client
        .get(app.url(&format!("/console/sites/{id}/preview")))
        .header("cookie", w.cookie_header())
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    let page = r.text().await.unwrap_or_default();
    assert!(page.contains(&format!("data-site=\"{key}\"")), "{page}");
    let r = app
        .client
        .get(app.url(&format!("/console/sites/{id}")))
        .header("cookie", w.cookie_header())
        .send()
        .await
        .expect("an answer");
    let console_csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        console_csp.starts_with("default-src 'none'"),
        "{console_csp}"
    );
    assert!(!console_csp.contains("script-src"), "{console_csp}");
    // Signed out, there is no preview.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let r = plain
        .get(app.url(&format!("/console/sites/{id}/preview")))
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 303);
}

on_both_engines! {
    async fn what_is_recorded_about_origins_stays_small_whoever_sends_it(app) {
        use aduan_server::sites::{SiteNote, SiteWrite, Settings};
        crate::console::wait_until_serving(&app).await;
        let store = aduan_server::open_store(&app.db.args()).await.expect("the store");
        let settings = Settings {
            origins: vec!["https://*.badungkab.go.id".into()],
            ..settings_of()
        };
        let id = store
            .save_site(SiteWrite { id: None, key: "00000000000000aa".into(), region: "badung".into(), settings, at_ms: 1 })
            .await
            .expect("saved")
            .expect("an id");
        for i in 0..25_i64 {
            let origin = format!("https://s{i}.example");
            store.site_note(SiteNote::Refused { region: "badung".into(), origin: origin.clone() }, 100 + i).await.expect("noted");
            store.site_note(SiteNote::Seen { site_id: id, origin: format!("https://s{i}.badungkab.go.id"), version: "v".into() }, 100 + i).await.expect("noted");
        }
        // The same origin again counts, and is not a new row.
        store.site_note(SiteNote::Loaded { region: "badung".into(), origin: "https://s24.example".into() }, 200).await.expect("noted");
        for i in 0..60_i64 {
            store
                .site_note(SiteNote::Csp { site_id: id, origin: "https://www.badungkab.go.id".into(), directive: "connect-src".into(), blocked: format!("b{i}") }, 100 + i)
                .await
                .expect("noted");
        }
        // A region that does not exist records nothing.
        store.site_note(SiteNote::Refused { region: "atlantis".into(), origin: "https://x.example".into() }, 300).await.expect("noted");

        let refusals = store.origin_refusals(Some("badung")).await.expect("read");
        assert_eq!(refusals.len(), 20);
        assert!(refusals.iter().all(|r| r.origin != "https://s0.example" && r.origin != "https://s4.example"), "the oldest went");
        let last = refusals.iter().find(|r| r.origin == "https://s24.example").expect("the newest stays");
        assert_eq!((last.refused, last.loaded, last.last_at), (1, 1, 200));
        assert!(store.origin_refusals(Some("atlantis")).await.expect("read").is_empty());
        let detail = store.site_detail(id).await.expect("read").expect("the site");
        assert_eq!(detail.row.seen.len(), 20);
        assert_eq!(detail.row.seen[0].origin, "https://s24.badungkab.go.id", "newest first");
        assert_eq!(detail.csp.len(), 50);
        assert!(detail.csp.iter().all(|c| c.blocked != "b0"), "the oldest report went");

        // Registering a refused origin takes it off the list; removing the
        // site removes what was recorded about it.
        let again = Settings {
            origins: vec!["https://*.badungkab.go.id".into(), "https://s24.example".into()],
            ..settings_of()
        };
        store.save_site(SiteWrite { id: Some(id), key: String::new(), region: String::new(), settings: again, at_ms: 2 }).await.expect("saved");
        let refusals = store.origin_refusals(Some("badung")).await.expect("read");
        assert!(refusals.iter().all(|r| r.origin != "https://s24.example"));
        assert_eq!(store.region_origins("badung").await.expect("read"), ["https://*.badungkab.go.id", "https://s24.example"]);
        assert!(store.delete_site(id).await.expect("removed"));
        assert!(!store.delete_site(id).await.expect("removed"));
        assert!(store.site_detail(id).await.expect("read").is_none());
        assert!(store.region_origins("badung").await.expect("read").is_empty());
        assert_eq!(
            store.save_site(SiteWrite { id: Some(id), key: String::new(), region: String::new(), settings: Settings { origins: vec![], ..settings_of() }, at_ms: 3 }).await.expect("a write"),
            None,
            "a removed site cannot be changed"
        );
        store.close().await;
    }
}

fn settings_of() -> aduan_server::sites::Settings {
    aduan_server::sites::Settings {
        name: "x".into(),
        origins: vec![],
        lang: "id".into(),
        theme: "auto".into(),
        accent: "#0b5cad".into(),
        radius: 6,
        launcher: String::new(),
        position: "right".into(),
        mode: "floating".into(),
    }
}

#[tokio::test]
async fn site_requests_spend_the_look_up_budget_never_a_citizens_submissions() {
    let app = crate::support::spawn_app_with(Engine::Sqlite, |c| {
        c.lookup_per_minute = 2;
        c.submit_per_minute = 1;
    })
    .await;
    let w = officer(&app, "webmaster", "buleleng", None).await;
    let (_, key) = register(&w, "Portal", "https://bulelengkab.go.id", &[]).await;
    let settings = format!("/api/v1/sites/{key}");
    let report = format!("/api/v1/sites/{key}/csp?d=connect-src&b=wasm-eval");
    // The look-up budget lets 30 through at once.
    let mut statuses = Vec::new();
    for _ in 0..30 {
        statuses.push(
            from(
                &app,
                Some("https://bulelengkab.go.id"),
                reqwest::Method::POST,
                &report,
                None,
                &[],
            )
            .await
            .0,
        );
    }
    statuses.dedup();
    assert_eq!(statuses, [204], "policy reports are answered");
    let (status, _) = from(&app, None, reqwest::Method::GET, &settings, None, &[]).await;
    assert_eq!(status, 429, "site requests are look-ups");
    // The submission budget is untouched by thirty beacons (a POST).
    assert_eq!(submit_from(&app, None, &complaint()).await.0, 201);
}

#[tokio::test]
async fn the_page_check_reads_two_megabytes_and_says_when_a_page_is_longer() {
    let app = spawn_app(Engine::Sqlite).await;
    let w = officer(&app, "webmaster", "badung", None).await;
    let (id, key) = register(&w, "Portal", "https://badungkab.go.id", &[]).await;
    let tag = format!(
        "<script src=\"{}/widget.js\" data-site=\"{key}\" async></script>",
        app.base
    );
    let filler = |bytes: usize| format!("<p>{}</p>", "a".repeat(bytes));
    // The tag after 1.5 MB is found; after 3 MB the page is cut and it is not.
    let short = host_page(
        "",
        format!("<html><body>{}{tag}</body></html>", filler(1_500_000)),
    )
    .await;
    let long = host_page(
        "",
        format!("<html><body>{}{tag}</body></html>", filler(3_000_000)),
    )
    .await;
    let (status, _, page) = w
        .post(
            &format!("/console/sites/{id}"),
            &[
                ("do", "save"),
                ("name", "Portal"),
                ("origins", &format!("{short}\n{long}")),
            ],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let check = |url: String| {
        let w = &w;
        async move {
            let (status, _, _) = w
                .post(
                    &format!("/console/sites/{id}"),
                    &[("do", "check"), ("url", &url)],
                )
                .await;
            assert_eq!(status, 303);
            let (_, page) = w.get(&format!("/console/sites/{id}")).await;
            page.split_once("id=\"check-result\"")
                .map(|(_, r)| r.to_owned())
                .unwrap_or_default()
        }
    };
    let result = check(format!("{short}/layanan")).await;
    assert!(
        result.contains("Tag widget ditemukan, dengan kunci situs ini."),
        "{result}"
    );
    assert!(!result.contains("lebih dari 2 MB"), "{result}");
    let result = check(format!("{long}/layanan")).await;
    assert!(
        result.contains("Halaman lebih dari 2 MB; hanya awalnya yang dibaca."),
        "{result}"
    );
    assert!(
        result.contains("Tag widget tidak ditemukan di halaman ini."),
        "{result}"
    );
}

#[tokio::test]
async fn the_page_check_follows_redirects_only_within_the_site_and_wants_html() {
    use axum::http::header;
    let app = spawn_app(Engine::Sqlite).await;
    let w = officer(&app, "webmaster", "badung", None).await;
    let (id, key) = register(&w, "Portal", "https://badungkab.go.id", &[]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let tag = format!(
        "<script src=\"{}/widget.js\" data-site=\"{key}\"></script>",
        app.base
    );
    let pages = axum::Router::new()
        .route(
            "/lama",
            axum::routing::get(|| async { axum::response::Redirect::to("/baru") }),
        )
        .route(
            "/baru",
            axum::routing::get(move || {
                let tag = tag.clone();
                async move { ([(header::CONTENT_TYPE, "text/html")], tag) }
            }),
        )
        .route(
            "/keluar",
            axum::routing::get(move || async move {
                axum::response::Redirect::to(&format!("http://localhost:{port}/baru"))
            }),
        )
        .route(
            "/teks",
            axum::routing::get(|| async { ([(header::CONTENT_TYPE, "text/plain")], "hello") }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, pages).await;
    });
    let site = format!("http://127.0.0.1:{port}");
    let (status, _, page) = w
        .post(
            &format!("/console/sites/{id}"),
            &[("do", "save"), ("name", "Portal"), ("origins", &site)],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let check = |path: &'static str| {
        let (w, site) = (&w, site.clone());
        async move {
            let (status, _, _) = w
                .post(
                    &format!("/console/sites/{id}"),
                    &[("do", "check"), ("url", &format!("{site}{path}"))],
                )
                .await;
            assert_eq!(status, 303);
            let (_, page) = w.get(&format!("/console/sites/{id}")).await;
            page.split_once("id=\"check-result\"")
                .map(|(_, r)| r.to_owned())
                .unwrap_or_default()
        }
    };
    // Within the site: followed, and the page it ends on is read.
    let result = check("/lama").await;
    assert!(result.contains("Berfungsi."), "{result}");
    assert!(result.contains(&format!("{site}/baru")), "{result}");
    // Away from the site's origins (another origin, though the same
    // machine): not followed.
    let result = check("/keluar").await;
    assert!(
        result.contains("Halaman tidak dapat dihubungi."),
        "{result}"
    );
    assert!(result.contains("away from the site"), "{result}");
    // Not a page.
    let result = check("/teks").await;
    assert!(
        result.contains("Alamat itu bukan halaman HTML."),
        "{result}"
    );
    assert!(result.contains("text/plain"), "{result}");
}
