//! The officer console: sign-in, every action and refusal, the lifecycle
//! end to end, the clocks, and who may see what.

use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::{Value, json};

use crate::support::{TestApp, complaint, on_both_engines};

pub const PASSWORD: &str = "a long test password";

/// A signed-in officer: a client that keeps their cookie and CSRF token.
pub struct Officer {
    base: String,
    client: reqwest::Client,
    cookie: String,
    csrf: String,
    pub email: String,
    /// The device cookie this browser was given.
    pub device: String,
}

/// Why a sign-in failed: the status and the page.
pub type Refusal = (u16, String);

fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}

fn cookie_from(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.split_once(&marker)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_owned())
        .unwrap_or_default()
}

/// Signs in through the form, as a browser would.
pub async fn sign_in(base: &str, email: &str, password: &str) -> Result<Officer, Refusal> {
    sign_in_from(base, email, password, None, None).await
}

/// The same from a browser holding `device` (a device cookie), and behind
/// a trusted proxy that says the client is `forwarded_for`.
pub async fn sign_in_from(
    base: &str,
    email: &str,
    password: &str,
    device: Option<&str>,
    forwarded_for: Option<&str>,
) -> Result<Officer, Refusal> {
    let client = plain_client();
    let form = client
        .get(format!("{base}/console/login"))
        .send()
        .await
        .expect("the sign-in page");
    let form_cookie = cookie_from(&form, "aduan_sign_in").expect("a sign-in cookie");
    let form_cookie = form_cookie.split(';').next().unwrap_or_default().to_owned();
    let page = form.text().await.unwrap_or_default();
    let token = hidden(&page, "form_token");
    let cookies = match device {
        Some(device) => format!("{form_cookie}; aduan_device={device}"),
        None => form_cookie,
    };
    let mut post = client.post(format!("{base}/console/login"));
    if let Some(ip) = forwarded_for {
        post = post.header("x-forwarded-for", ip);
    }
    let answer = post
        .header("cookie", &cookies)
        .form(&[
            ("email", email),
            ("password", password),
            ("form_token", &token),
        ])
        .send()
        .await
        .expect("an answer");
    let status = answer.status().as_u16();
    if status != 303 {
        return Err((status, answer.text().await.unwrap_or_default()));
    }
    let session = cookie_from(&answer, "aduan_session").expect("a session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    let cookie = session.split(';').next().unwrap_or_default().to_owned();
    let device = cookie_from(&answer, "aduan_device").expect("a device cookie");
    assert!(device.contains("HttpOnly"), "{device}");
    let device = device
        .split(';')
        .next()
        .unwrap_or_default()
        .trim_start_matches("aduan_device=")
        .to_owned();
    let mut officer = Officer {
        base: base.to_owned(),
        client,
        cookie,
        csrf: String::new(),
        email: email.to_owned(),
        device,
    };
    let (mut status, mut inbox) = officer.get("/console/inbox").await;
    if status == 303 {
        // A webmaster's console is their sites.
        (status, inbox) = officer.get("/console/sites").await;
    }
    assert_eq!(status, 200, "{inbox}");
    officer.csrf = hidden(&inbox, "csrf");
    assert_eq!(officer.csrf.len(), 64);
    Ok(officer)
}

impl Officer {
    /// The session cookie, for a client of the test's own.
    pub fn cookie_header(&self) -> &str {
        &self.cookie
    }

    /// A download: its status, content type and bytes.
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("an answer");
        let kind = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (
            r.status().as_u16(),
            kind,
            r.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
        )
    }

    /// A GET whose answer is a redirect: its status and where it leads.
    pub async fn get_location(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("an answer");
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (r.status().as_u16(), location)
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("an answer");
        (r.status().as_u16(), r.text().await.unwrap_or_default())
    }

    /// Posts a multipart form as is (the caller puts the token in it).
    pub async fn post_multipart(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> (u16, String) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .multipart(form)
            .send()
            .await
            .expect("an answer");
        (r.status().as_u16(), r.text().await.unwrap_or_default())
    }

    /// Posts a form with this session's CSRF token; status, location, page.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let mut all: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, &[]).await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> (u16, String, String) {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(fields);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let r = request.send().await.expect("an answer");
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, location, r.text().await.unwrap_or_default())
    }

    /// The version the complaint page shows in its forms.
    pub async fn version(&self, code: &str) -> String {
        let (status, page) = self.get(&format!("/console/complaints/{code}")).await;
        assert_eq!(status, 200, "{page}");
        hidden(&page, "version")
    }

    /// Takes an action at the version the page shows.
    pub async fn act(&self, code: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let version = self.version(code).await;
        let mut all = vec![("version", version.as_str())];
        all.extend_from_slice(fields);
        self.post(&format!("/console/complaints/{code}"), &all)
            .await
    }
}

static SEQ: AtomicU32 = AtomicU32::new(0);

/// Creates an officer in the service's database and signs them in.
pub async fn officer(app: &TestApp, role: &str, region: &str, unit: Option<&str>) -> Officer {
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let email = format!("{role}{n}.{region}@example.go.id");
    add_officer(app, &email, role, region, unit).await;
    sign_in(&app.base, &email, PASSWORD)
        .await
        .unwrap_or_else(|(s, page)| panic!("{email} cannot sign in: {s} {page}"))
}

pub async fn add_officer(app: &TestApp, email: &str, role: &str, region: &str, unit: Option<&str>) {
    // The service migrates the database as it starts; wait for it.
    wait_until_serving(app).await;
    let store = aduan_server::open_store(&app.db.args())
        .await
        .expect("the store");
    let catalog = store.load_catalog().await.expect("the catalog");
    let request = aduan_server::officers::OfficerRequest {
        email: email.to_owned(),
        name: Some(format!("Officer {email}")),
        role: role.to_owned(),
        region: region.to_owned(),
        unit: unit.map(str::to_owned),
    };
    aduan_server::officers::add(store.as_ref(), &catalog, &request, PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store.close().await;
}

/// Files a complaint through the public API; its tracking code.
pub async fn file(app: &TestApp, body: Value) -> String {
    let (status, receipt) = app.submit(&body).await;
    assert_eq!(status, 201, "{receipt}");
    receipt["tracking_code"]
        .as_str()
        .expect("a code")
        .to_owned()
}

pub fn with(changes: Value) -> Value {
    let mut body = complaint();
    if let (Some(b), Some(c)) = (body.as_object_mut(), changes.as_object()) {
        for (k, v) in c {
            b.insert(k.clone(), v.clone());
        }
    }
    body
}

pub async fn wait_until_serving(app: &TestApp) {
    for _ in 0..200 {
        if let Ok(r) = app.client.get(app.url("/healthz")).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the service did not start");
}

async fn page(o: &Officer, code: &str) -> (u16, String) {
    o.get(&format!("/console/complaints/{code}")).await
}

pub async fn track(app: &TestApp, code: &str) -> Value {
    let (status, view) = app.get(&format!("/api/v1/complaints/{code}")).await;
    assert_eq!(status, 200, "{view}");
    view
}

on_both_engines! {
    async fn signing_in_and_out(app) {
        add_officer(&app, "koordinator@badungkab.go.id", "coordinator", "badung", None).await;
        let wrong = sign_in(&app.base, "koordinator@badungkab.go.id", "not the password").await;
        assert_eq!(wrong.as_ref().err().map(|e| e.0), Some(401));
        assert!(wrong.err().is_some_and(|(_, page)| page.contains("salah")));
        let unknown = sign_in(&app.base, "nobody@badungkab.go.id", PASSWORD).await;
        assert_eq!(unknown.err().map(|e| e.0), Some(401));

        // Case and spaces in the address are forgiven.
        let officer = sign_in(&app.base, " Koordinator@BadungKab.go.id", PASSWORD).await
            .unwrap_or_else(|(s, p)| panic!("{s} {p}"));
        let (status, _, _) = officer.post("/console/logout", &[]).await;
        assert_eq!(status, 303);
        let (status, _) = officer.get("/console/inbox").await;
        assert_eq!(status, 303, "a closed session signs nobody in");
        assert_eq!(app.db.count("SELECT COUNT(*) FROM sessions").await, 0);
    }

    async fn an_officer_changes_their_password_and_their_other_sessions_end(app) {
        let email = "sandi@badungkab.go.id";
        add_officer(&app, email, "coordinator", "badung", None).await;
        let here = sign_in(&app.base, email, PASSWORD).await.unwrap_or_else(|(s, p)| panic!("{s} {p}"));
        let elsewhere = sign_in(&app.base, email, PASSWORD).await.unwrap_or_else(|(s, p)| panic!("{s} {p}"));
        let (status, page) = here.get("/console/password").await;
        assert_eq!(status, 200);
        assert!(page.contains("name=\"current\"") && page.contains("href=\"/console/password\""), "{page}");
        let hash = || async {
            app.db.strings("SELECT password_hash FROM officers WHERE email = 'sandi@badungkab.go.id'").await.concat()
        };
        let before = hash().await;

        // Refused, changing nothing.
        let new = "sandi-baru-yang-panjang";
        for (fields, why) in [
            ([("current", PASSWORD), ("new", "pendek"), ("repeat", "pendek")], "paling sedikit"),
            ([("current", PASSWORD), ("new", new), ("repeat", "sandi-baru-yang-lain")], "tidak sama"),
            ([("current", PASSWORD), ("new", PASSWORD), ("repeat", PASSWORD)], "berbeda"),
            ([("current", "bukan-sandinya-sama-sekali"), ("new", new), ("repeat", new)], "salah"),
        ] {
            let (status, _, page) = here.post("/console/password", &fields).await;
            assert_eq!(status, 422, "{fields:?}");
            assert!(page.contains(why), "{fields:?}: {page}");
        }
        let fields = [("csrf", "forged"), ("current", PASSWORD), ("new", new), ("repeat", new)];
        assert_eq!(here.post_raw("/console/password", &fields, &[]).await.0, 403);
        let (status, _, _) = here
            .post_raw("/console/password", &[("csrf", &*here.csrf), ("current", PASSWORD), ("new", new), ("repeat", new)], &[("sec-fetch-site", "cross-site")])
            .await;
        assert_eq!(status, 403);
        assert_eq!(hash().await, before);
        assert_eq!(elsewhere.get("/console/inbox").await.0, 200);

        // Changed: every session ends, this browser goes on under a new
        // session token, only the new password signs in.
        let r = here.client.post(format!("{}/console/password", here.base)).header("cookie", &here.cookie)
            .form(&[("csrf", here.csrf.as_str()), ("current", PASSWORD), ("new", new), ("repeat", new)])
            .send().await.expect("an answer");
        assert_eq!(r.status().as_u16(), 200);
        let renewed = cookie_from(&r, "aduan_session").expect("a new session cookie");
        let renewed = renewed.split(';').next().unwrap_or_default().to_owned();
        let page = r.text().await.unwrap_or_default();
        assert!(page.contains("sudah diubah"), "{page}");
        assert_ne!(hash().await, before);
        assert!(!hash().await.contains(new), "the password is stored only as its hash");
        assert_ne!(renewed, here.cookie);
        assert_eq!(here.get("/console/inbox").await.0, 303, "the old session token is void");
        let here = Officer { cookie: renewed, csrf: hidden(&page, "csrf"), ..here };
        assert_eq!(here.get("/console/inbox").await.0, 200);
        assert_eq!(here.csrf.len(), 64);
        assert_eq!(elsewhere.get("/console/inbox").await.0, 303, "the other session ended");
        assert_eq!(sign_in(&app.base, email, PASSWORD).await.err().map(|e| e.0), Some(401));
        assert!(sign_in(&app.base, email, new).await.is_ok());

        // Guessing the current password counts like failed sign-ins.
        let guesser = officer(&app, "unit", "badung", Some("pupr")).await;
        for _ in 0..5 {
            let (status, _, _) = guesser.post("/console/password", &[("current", "tebakan-yang-salah"), ("new", new), ("repeat", new)]).await;
            assert_eq!(status, 422);
        }
        let (status, _, _) = guesser.post("/console/password", &[("current", PASSWORD), ("new", new), ("repeat", new)]).await;
        assert_eq!(status, 429);
        assert_eq!(sign_in(&app.base, &guesser.email, PASSWORD).await.err().map(|e| e.0), Some(429));
    }

    async fn an_administrator_adds_and_deactivates_officers(app) {
        let admin = officer(&app, "admin", "bali", None).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        assert_eq!(coordinator.get("/console/officers").await.0, 403);
        let (status, _, _) = coordinator.post("/console/officers", &[("do", "disable"), ("id", "1")]).await;
        assert_eq!(status, 403);
        let (status, page) = admin.get("/console/officers").await;
        assert_eq!(status, 200);
        assert!(page.contains(&coordinator.email));
        let (status, _, page) = admin.post("/console/officers", &[("do", "add"), ("email", "pupr2@badungkab.go.id"), ("role", "unit"), ("region", "badung"), ("unit", "pupr"), ("password", "short")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("shorter"), "{page}");
        let (status, _, _) = admin.post("/console/officers", &[("do", "add"), ("email", "pupr2@badungkab.go.id"), ("name", "Petugas Baru"), ("role", "unit"), ("region", "badung"), ("unit", "pupr"), ("password", PASSWORD)]).await;
        assert_eq!(status, 303);
        let newcomer = sign_in(&app.base, "pupr2@badungkab.go.id", PASSWORD).await.unwrap_or_else(|(s, p)| panic!("{s} {p}"));
        let id = app.db.count("SELECT id FROM officers WHERE email = 'pupr2@badungkab.go.id'").await.to_string();
        let (status, _, _) = admin.post("/console/officers", &[("do", "disable"), ("id", &id)]).await;
        assert_eq!(status, 303);
        assert_eq!(newcomer.get("/console/inbox").await.0, 303, "a deactivated officer's session ends");
        assert_eq!(sign_in(&app.base, "pupr2@badungkab.go.id", PASSWORD).await.err().map(|e| e.0), Some(401));
        admin.post("/console/officers", &[("do", "enable"), ("id", &id)]).await;
        assert!(sign_in(&app.base, "pupr2@badungkab.go.id", PASSWORD).await.is_ok());
        // Nobody locks themselves out.
        let own = app.db.count("SELECT id FROM officers WHERE role = 'admin'").await.to_string();
        let (status, _, _) = admin.post("/console/officers", &[("do", "disable"), ("id", &own)]).await;
        assert_eq!(status, 422);
    }

    async fn the_province_sees_every_regions_connection(app) {
        file(&app, complaint()).await;
        let province = officer(&app, "province", "bali", None).await;
        let (status, page) = province.get("/console/overview").await;
        assert_eq!(status, 200);
        let row = |name: &str| page.split("<tr>").find(|r| r.contains(name)).unwrap_or_default().to_owned();
        assert!(row("Kabupaten Bangli").contains("belum terhubung"), "{page}");
        assert!(row("Kabupaten Badung").contains("SP4N-LAPOR"));
        assert!(row("Kabupaten Badung").contains("<td class=\"num\" data-label=\"Terbuka\">1</td>"), "{}", row("Kabupaten Badung"));
        // A region's coordinator sees their units, not the province's table.
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let (_, page) = coordinator.get("/console/overview").await;
        assert!(!page.contains("belum terhubung"));
    }

    async fn failed_sign_ins_are_limited_per_account(app) {
        add_officer(&app, "target@badungkab.go.id", "coordinator", "badung", None).await;
        for _ in 0..5 {
            let r = sign_in(&app.base, "target@badungkab.go.id", "guess guess guess").await;
            assert_eq!(r.err().map(|e| e.0), Some(401));
        }
        // Even the right password waits now.
        let r = sign_in(&app.base, "target@badungkab.go.id", PASSWORD).await;
        assert_eq!(r.err().map(|e| e.0), Some(429));
        // Another account from the same address is not locked by these five.
        add_officer(&app, "other@badungkab.go.id", "coordinator", "badung", None).await;
        assert!(sign_in(&app.base, "other@badungkab.go.id", PASSWORD).await.is_ok());
    }

    async fn the_sign_in_form_refuses_forgeries(app) {
        add_officer(&app, "k@badungkab.go.id", "coordinator", "badung", None).await;
        let client = plain_client();
        let credentials = [("email", "k@badungkab.go.id"), ("password", PASSWORD)];
        // Another site's page posting to the sign-in form (login CSRF).
        for (name, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site"), ("origin", "null")] {
            let r = client.post(app.url("/console/login")).header(name, value)
                .form(&credentials).send().await.expect("an answer");
            assert_eq!(r.status().as_u16(), 403, "{name}: {value}");
            assert!(cookie_from(&r, "aduan_session").is_none());
        }
        // A form token that is not the one its cookie holds.
        let r = client.post(app.url("/console/login"))
            .form(&[("email", "k@badungkab.go.id"), ("password", PASSWORD), ("form_token", &"0".repeat(64))])
            .send().await.expect("an answer");
        assert_eq!(r.status().as_u16(), 403);
        // A same-origin post of just the e-mail address and the password works.
        let r = client.post(app.url("/console/login"))
            .header("origin", app.base.as_str())
            .form(&credentials).send().await.expect("an answer");
        assert_eq!(r.status().as_u16(), 303);
        assert!(cookie_from(&r, "aduan_session").is_some());
    }

    async fn tampered_and_expired_sessions_sign_nobody_in(app) {
        let officer = officer(&app, "coordinator", "badung", None).await;
        let mut forged = Officer {
            base: officer.base.clone(),
            client: plain_client(),
            cookie: officer.cookie.clone(),
            csrf: officer.csrf.clone(),
            email: officer.email.clone(),
            device: officer.device.clone(),
        };
        // One character changed.
        let last = forged.cookie.pop().unwrap_or('0');
        forged.cookie.push(if last == '0' { '1' } else { '0' });
        let (status, _) = forged.get("/console/inbox").await;
        assert_eq!(status, 303);
        forged.cookie = "aduan_session=short".into();
        assert_eq!(forged.get("/console/inbox").await.0, 303);
        assert_eq!(officer.get("/console/inbox").await.0, 200);
        app.db.exec("UPDATE sessions SET expires_at = 0").await.expect("expire");
        assert_eq!(officer.get("/console/inbox").await.0, 303, "an expired session");
    }

    async fn a_complaint_goes_from_filing_to_closing(app) {
        let code = file(&app, complaint()).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let unit = officer(&app, "unit", "badung", Some("pupr")).await;

        // The unit sees nothing to do before dispatch; the coordinator does.
        let (_, page) = unit.get(&format!("/console/complaints/{code}")).await;
        assert!(!page.contains("name=\"action\" value=\"plan\""), "{page}");
        let (status, location, page) = coordinator
            .act(&code, &[("action", "dispatch"), ("unit", "pupr"), ("note", "Cek lokasi dulu")])
            .await;
        assert_eq!(status, 303, "{page}");
        assert!(location.ends_with("?done=dispatch"), "{location}");
        assert_eq!(track(&app, &code).await["status"], "verified");

        let (status, _, page) = unit
            .act(&code, &[("action", "plan"), ("tier", "moderate"), ("message", "Tim akan menambal jalan minggu depan.")])
            .await;
        assert_eq!(status, 303, "{page}");
        let view = track(&app, &code).await;
        assert_eq!(view["status"], "in_progress");
        assert_eq!(view["due"]["step"], "follow_up");

        let (status, _, page) = unit
            .act(&code, &[("action", "resolve"), ("message", "Lubang sudah ditambal pada 3 Desember."), ("note", "Biaya dari pos pemeliharaan")])
            .await;
        assert_eq!(status, 303, "{page}");
        let view = track(&app, &code).await;
        assert_eq!(view["status"], "resolved");
        let text = view.to_string();
        assert!(text.contains("Lubang sudah ditambal pada 3 Desember."), "{text}");
        assert!(text.contains("Tim akan menambal jalan minggu depan."));
        assert!(!text.contains("Cek lokasi dulu"), "an internal note reached the reporter");
        assert!(!text.contains("pos pemeliharaan"), "an internal note reached the reporter");
        assert_eq!(view["due"]["step"], "reporter_confirmation");

        // The reporter answers: it reopens.
        let r = app.client.post(app.url(&format!("/api/v1/complaints/{code}/replies")))
            .json(&json!({"message": "Masih ada lubang kedua di sebelahnya."}))
            .send().await.expect("an answer");
        assert_eq!(r.status().as_u16(), 201);
        assert_eq!(track(&app, &code).await["status"], "in_progress");

        // Confirming is only for a resolved complaint.
        let r = app.client.post(app.url(&format!("/api/v1/complaints/{code}/confirmation")))
            .send().await.expect("an answer");
        assert_eq!(r.status().as_u16(), 409);

        let (status, _, _) = unit
            .act(&code, &[("action", "resolve"), ("message", "Lubang kedua juga sudah ditambal.")])
            .await;
        assert_eq!(status, 303);
        // The hosted tracker offers the confirmation, and it closes it.
        let r = app.client.get(app.url(&format!("/r/badung/track?code={code}"))).send().await.expect("an answer");
        let tracker = r.text().await.unwrap_or_default();
        assert!(tracker.contains("/r/badung/track/confirm"), "{tracker}");
        let r = app.client.post(app.url("/r/badung/track/confirm"))
            .form(&[("code", code.as_str()), ("lang", "id")])
            .send().await.expect("an answer");
        assert_eq!(r.status().as_u16(), 200);
        // Confirming again (a lost answer retried) changes nothing.
        let r = app.client.post(app.url(&format!("/api/v1/complaints/{code}/confirmation")))
            .send().await.expect("an answer");
        assert_eq!(r.status().as_u16(), 200);
        let view = track(&app, &code).await;
        assert_eq!(view["status"], "closed");
        assert!(view["due"].is_null());
        assert_eq!(view["accepts_replies"], false);

        // The officer's page shows the whole history, notes included.
        let (_, page) = coordinator.get(&format!("/console/complaints/{code}")).await;
        assert!(page.contains("Cek lokasi dulu"));
        assert!(page.contains("Masih ada lubang kedua"));
        // Nothing more can be done to a closed complaint.
        assert!(!page.contains("name=\"action\""), "{page}");
    }

    async fn a_returned_complaint_resumes_when_the_reporter_answers(app) {
        let code = file(&app, complaint()).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let (status, _, _) = coordinator
            .act(&code, &[("action", "return"), ("message", "Mohon sebutkan nomor rumah terdekat.")])
            .await;
        assert_eq!(status, 303);
        let view = track(&app, &code).await;
        assert_eq!(view["status"], "needs_info");
        let r = app.client.post(app.url(&format!("/api/v1/complaints/{code}/replies")))
            .json(&json!({"message": "Depan rumah nomor 12."}))
            .send().await.expect("an answer");
        assert_eq!(r.status().as_u16(), 201);
        let view = track(&app, &code).await;
        assert_eq!(view["status"], "submitted");
        assert_eq!(view["due"]["step"], "verification");
    }

    async fn refusals_change_nothing(app) {
        let code = file(&app, complaint()).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let unit = officer(&app, "unit", "badung", Some("pupr")).await;
        let supervisor = officer(&app, "supervisor", "badung", None).await;
        let events = || app.db.count("SELECT COUNT(*) FROM complaint_events");
        let before = events().await;

        // A rejection owes the reporter a reason.
        let (status, _, page) = coordinator.act(&code, &[("action", "reject")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Tulis tanggapan untuk pelapor"), "{page}");
        // A transfer needs another region.
        let (status, _, _) = coordinator.act(&code, &[("action", "transfer"), ("region", "badung")]).await;
        assert_eq!(status, 422);
        // The unit cannot plan before dispatch (wrong state).
        let (status, _, _) = unit.act(&code, &[("action", "plan"), ("tier", "simple"), ("message", "x")]).await;
        assert_eq!(status, 422);
        // A role that may not take the action at all.
        let (status, _, _) = unit.act(&code, &[("action", "dispatch"), ("unit", "pupr")]).await;
        assert_eq!(status, 403);
        let (status, _, _) = supervisor.act(&code, &[("action", "reply"), ("message", "x")]).await;
        assert_eq!(status, 403);
        // A forged token, and a post the browser marks cross-site.
        let version = coordinator.version(&code).await;
        let path = format!("/console/complaints/{code}");
        let (status, _, _) = coordinator.post_raw(&path,
            &[("csrf", "0".repeat(64).as_str()), ("action", "reply"), ("version", &version), ("message", "x")], &[]).await;
        assert_eq!(status, 403);
        let (status, _, _) = coordinator.post_raw(&path,
            &[("csrf", coordinator.csrf.as_str()), ("action", "reply"), ("version", &version), ("message", "x")],
            &[("sec-fetch-site", "cross-site")]).await;
        assert_eq!(status, 403);
        assert_eq!(events().await, before, "a refusal wrote an event");
        assert_eq!(track(&app, &code).await["status"], "submitted");
    }

    async fn the_second_of_two_officers_is_told_it_changed(app) {
        let code = file(&app, complaint()).await;
        let first = officer(&app, "coordinator", "badung", None).await;
        let second = officer(&app, "coordinator", "badung", None).await;
        let version = first.version(&code).await;
        let path = format!("/console/complaints/{code}");
        let dispatch = [("version", version.as_str()), ("action", "dispatch"), ("unit", "pupr")];
        let reject = [("version", version.as_str()), ("action", "reject"), ("message", "Bukan wewenang daerah.")];
        let (a, b) = tokio::join!(first.post(&path, &dispatch), second.post(&path, &reject));
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [303, 409], "{} / {}", a.2, b.2);
        let loser = if a.0 == 409 { &a.2 } else { &b.2 };
        assert!(loser.contains("sudah diubah oleh petugas lain"), "{loser}");
        // Exactly one of the two happened.
        let status = track(&app, &code).await["status"].clone();
        assert!(status == "verified" || status == "rejected", "{status}");
        assert_eq!(app.db.count("SELECT COUNT(*) FROM complaint_events").await, 2);
    }

    async fn a_transfer_moves_the_complaint_and_its_history(app) {
        let code = file(&app, complaint()).await;
        let badung = officer(&app, "coordinator", "badung", None).await;
        let buleleng = officer(&app, "coordinator", "buleleng", None).await;
        assert_eq!(buleleng.get(&format!("/console/complaints/{code}")).await.0, 404);
        let (_, _, _) = badung.act(&code, &[("action", "note"), ("note", "Lokasi ada di Buleleng")]).await;
        let (status, location, page) = badung
            .act(&code, &[("action", "transfer"), ("region", "buleleng"), ("message", "Lokasi berada di Kabupaten Buleleng.")])
            .await;
        assert_eq!(status, 303, "{page}");
        assert_eq!(location, "/console/inbox");
        assert_eq!(badung.get(&format!("/console/complaints/{code}")).await.0, 404);
        let (status, page) = buleleng.get(&format!("/console/complaints/{code}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Lokasi ada di Buleleng"), "the history went with it");
        let view = track(&app, &code).await;
        assert_eq!(view["region"]["key"], "buleleng");
        assert_eq!(view["status"], "submitted");
        // Its words are found where it is now, no longer where it was.
        let (_, page) = buleleng.get("/console/inbox?q=jalan+berlubang").await;
        assert!(page.contains(&code), "{page}");
        let (_, page) = badung.get("/console/inbox?q=jalan+berlubang").await;
        assert!(!page.contains(&code), "{page}");
    }

    async fn a_coordinator_edits_the_routing_rules(app) {
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let (status, page) = coordinator.get("/console/rules").await;
        assert_eq!(status, 200);
        assert!(page.contains("Aturan penerusan"));
        let (status, _, _) = coordinator
            .post("/console/rules", &[("region", "badung"), ("category", "jalan"), ("unit", "dishub")])
            .await;
        assert_eq!(status, 303);
        let (status, _, _) = coordinator
            .post("/console/rules", &[("region", "badung"), ("category", "jalan"), ("unit", "nasa")])
            .await;
        assert_eq!(status, 422);
        let (_, receipt) = app.submit(&complaint()).await;
        assert_eq!(receipt["unit"]["key"], "dishub", "{receipt}");
        // Another region's rules are not theirs: the form edits their own.
        let (status, _, _) = coordinator
            .post("/console/rules", &[("region", "buleleng"), ("category", "jalan"), ("unit", "dlh")])
            .await;
        assert_eq!(status, 303);
        let (_, receipt) = app.submit(&with(json!({"region": "buleleng", "district": null}))).await;
        assert_eq!(receipt["unit"]["key"], "pupr", "{receipt}");
    }

    async fn the_inbox_pages_by_key_and_filters(app) {
        let mut codes = Vec::new();
        for _ in 0..53 {
            codes.push(file(&app, complaint()).await);
        }
        let other = file(&app, with(json!({"category": "sampah"}))).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let (status, first) = coordinator.get("/console/inbox").await;
        assert_eq!(status, 200);
        let next = first.split_once("rel=\"next\" href=\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(url, _)| url.replace("&amp;", "&"))
            .expect("a next-page link");
        let (_, second) = coordinator.get(&next).await;
        let count = |page: &str, code: &str| page.matches(&format!("/console/complaints/{code}\"")).count();
        for code in codes.iter().chain([&other]) {
            assert_eq!(count(&first, code) + count(&second, code), 1, "{code} on exactly one page");
        }
        assert!(!second.contains("rel=\"next\""));
        let (_, filtered) = coordinator.get("/console/inbox?category=sampah").await;
        assert_eq!(count(&filtered, &other), 1);
        assert_eq!(count(&filtered, &codes[0]), 0);
        let (_, overdue) = coordinator.get("/console/inbox?due=overdue").await;
        assert_eq!(count(&overdue, &other), 0);
        app.db.exec("UPDATE complaints SET due_date = '2020-01-01' WHERE category_key = 'sampah'").await.expect("backdate");
        let (_, overdue) = coordinator.get("/console/inbox?due=overdue").await;
        assert_eq!(count(&overdue, &other), 1);
        assert_eq!(count(&overdue, &codes[0]), 0);
        let (_, overview) = coordinator.get("/console/overview").await;
        assert!(overview.contains("54"), "{overview}");
    }

    async fn untrusted_text_is_shown_as_text(app) {
        let code = file(&app, with(json!({
            "title": "<script>alert('judul')</script>",
            "description": "<img src=x onerror=alert(1)> <a href=\"javascript:alert(2)\">klik</a>",
            "location": "\"><svg onload=alert(3)>",
        }))).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let r = coordinator.client.get(app.url(&format!("/console/complaints/{code}")))
            .header("cookie", &coordinator.cookie).send().await.expect("an answer");
        let csp = r.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.headers().get("x-frame-options").and_then(|v| v.to_str().ok()), Some("DENY"));
        assert_eq!(r.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
        let page = r.text().await.unwrap_or_default();
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!page.contains("<img src=x"));
        assert!(!page.contains("<a href=\"javascript:"));
        assert!(!page.contains("<svg"));
        assert!(page.contains("&lt;script&gt;alert('judul')&lt;/script&gt;"));
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
        let (_, inbox) = coordinator.get("/console/inbox").await;
        assert!(!inbox.contains("<script>alert"));
    }

    async fn the_reporter_is_shown_only_as_the_privacy_mode_allows(app) {
        let public = file(&app, complaint()).await;
        let anonymous = file(&app, with(json!({"privacy": "anonymous"}))).await;
        // A supervisory category is confidential and goes to the Inspectorate
        // (illegal levies go further, to the province: see `stats.rs`).
        let confidential = file(&app, with(json!({"category": "maladministrasi", "privacy": "public"}))).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let unit = officer(&app, "unit", "badung", Some("pupr")).await;
        let inspector = officer(&app, "unit", "badung", Some("inspektorat")).await;
        let supervisor = officer(&app, "supervisor", "badung", None).await;
        let sees = |page: &str| page.contains("Wayan Sudarma") || page.contains("wayan@example.id");

        assert!(sees(&page(&coordinator, &public).await.1));
        assert!(sees(&page(&unit, &public).await.1));
        assert!(!sees(&page(&supervisor, &public).await.1));
        for o in [&coordinator, &supervisor] {
            let (status, p) = page(o, &anonymous).await;
            assert_eq!(status, 200);
            assert!(!sees(&p), "anonymous shown to {}", o.email);
        }
        // Confidential is about the content: the officers handling it (the
        // coordinator and the Inspectorate's unit) see who filed it.
        for o in [&coordinator, &inspector] {
            let (status, p) = page(o, &confidential).await;
            assert_eq!(status, 200);
            assert!(sees(&p), "{} sees a confidential reporter", o.email);
        }
        assert_eq!(page(&supervisor, &confidential).await.0, 404);
        // An anonymous report of an abuse of authority is confidential and
        // stays anonymous: no officer at all sees who filed it.
        let whistle = file(&app, with(json!({"category": "maladministrasi", "privacy": "anonymous"}))).await;
        for o in [&coordinator, &inspector] {
            let (status, p) = page(o, &whistle).await;
            assert_eq!(status, 200);
            assert!(!sees(&p), "an anonymous reporter shown to {}", o.email);
            assert!(p.contains("Anonim dan rahasia") || p.contains("Anonymous and confidential"), "{p}");
        }
    }

    async fn every_console_post_without_the_sessions_token_is_refused(app) {
        let code = file(&app, complaint()).await;
        let admin = officer(&app, "admin", "bali", None).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let version = coordinator.version(&code).await;
        let complaint_path = format!("/console/complaints/{code}");
        // A coordinator may write a note: only the token is missing.
        for token in ["", "0000000000000000000000000000000000000000000000000000000000000000"] {
            let fields = [("csrf", token), ("action", "note"), ("version", &version), ("note", "x")];
            assert_eq!(coordinator.post_raw(&complaint_path, &fields, &[]).await.0, 403);
        }
        let posts: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("/console/rules", vec![("region", "badung"), ("category", "jalan"), ("unit", "dlh")]),
            ("/console/rules/handoff", vec![("category", "pungli"), ("unit", "")]),
            ("/console/officers", vec![("do", "add"), ("email", "x@example.go.id"), ("role", "unit"), ("region", "badung"), ("unit", "pupr"), ("password", PASSWORD)]),
            ("/console/password", vec![("current", PASSWORD), ("new", "sandi-baru-yang-panjang"), ("repeat", "sandi-baru-yang-panjang")]),
            ("/console/integrations/mode", vec![("region", "badung"), ("mode", "webhook")]),
            ("/console/integrations/subscriber", vec![("do", "add"), ("url", "https://example.id/hook")]),
            ("/console/integrations/retry", vec![("outbox_id", "1")]),
            ("/console/logout", vec![]),
        ];
        let state_of = || async {
            (
                app.db.count("SELECT COUNT(*) FROM complaint_events").await,
                app.db.count("SELECT COUNT(*) FROM officers").await,
                app.db.count("SELECT COUNT(*) FROM webhook_subscribers").await,
                app.db.count("SELECT COUNT(*) FROM sessions").await,
                app.db.strings("SELECT integration_mode FROM regions WHERE slug = 'badung'").await,
            )
        };
        let before = state_of().await;
        for (path, fields) in &posts {
            for token in ["", "0000000000000000000000000000000000000000000000000000000000000000"] {
                let mut all = vec![("csrf", token)];
                all.extend(fields.iter().copied());
                let (status, _, _) = admin.post_raw(path, &all, &[]).await;
                assert_eq!(status, 403, "{path} with csrf {token:?}");
            }
            let mut all = vec![("csrf", admin.csrf.as_str())];
            all.extend(fields.iter().copied());
            let (status, _, _) = admin.post_raw(path, &all, &[("sec-fetch-site", "cross-site")]).await;
            assert_eq!(status, 403, "{path} cross-site");
        }
        assert_eq!(state_of().await, before, "a refused post changed something");
    }

    async fn the_quiet_period_closes_a_resolved_complaint(app) {
        let code = file(&app, complaint()).await;
        let untouched = file(&app, complaint()).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let unit = officer(&app, "unit", "badung", Some("pupr")).await;
        for c in [&code, &untouched] {
            coordinator.act(c, &[("action", "dispatch"), ("unit", "pupr")]).await;
            unit.act(c, &[("action", "plan"), ("tier", "simple"), ("message", "Rencana")]).await;
            let (status, _, _) = unit.act(c, &[("action", "resolve"), ("message", "Selesai")]).await;
            assert_eq!(status, 303);
        }
        app.db.run(format!("UPDATE complaints SET due_date = '2020-01-01' WHERE tracking_code = '{code}'")).await;
        let state = app.state().await;
        let closed = aduan_server::clock::close_quiet(&state).await.expect("the clock runs");
        assert_eq!(closed, 1);
        // A second process (or a second round) finds nothing left to close.
        assert_eq!(aduan_server::clock::close_quiet(&state).await.expect("the clock runs"), 0);
        let view = track(&app, &code).await;
        assert_eq!(view["status"], "closed");
        assert!(view.to_string().contains("auto_closed"));
        assert_eq!(track(&app, &untouched).await["status"], "resolved");
        state.store.close().await;
    }
}

/// Who may do what, on a complaint inside and outside their scope: every
/// role, every console route. Outside the scope is always 404.
mod isolation_matrix {
    use super::*;

    struct Case {
        role: &'static str,
        region: &'static str,
        unit: Option<&'static str>,
        /// Sees the Badung/PUPR complaint; sees the Buleleng one.
        sees_badung: bool,
        sees_buleleng: bool,
        /// May write a public reply / an internal note on what they see.
        replies: bool,
        notes: bool,
        overview: bool,
        rules: bool,
    }

    const CASES: [Case; 7] = [
        Case {
            role: "admin",
            region: "bali",
            unit: None,
            sees_badung: true,
            sees_buleleng: true,
            replies: false,
            notes: false,
            overview: true,
            rules: true,
        },
        Case {
            role: "province",
            region: "bali",
            unit: None,
            sees_badung: true,
            sees_buleleng: true,
            replies: false,
            notes: true,
            overview: true,
            rules: false,
        },
        Case {
            role: "coordinator",
            region: "badung",
            unit: None,
            sees_badung: true,
            sees_buleleng: false,
            replies: true,
            notes: true,
            overview: true,
            rules: true,
        },
        Case {
            role: "unit",
            region: "badung",
            unit: Some("pupr"),
            sees_badung: true,
            sees_buleleng: false,
            replies: true,
            notes: true,
            overview: false,
            rules: false,
        },
        Case {
            role: "unit",
            region: "badung",
            unit: Some("dlh"),
            sees_badung: false,
            sees_buleleng: false,
            replies: true,
            notes: true,
            overview: false,
            rules: false,
        },
        Case {
            role: "supervisor",
            region: "badung",
            unit: None,
            sees_badung: true,
            sees_buleleng: false,
            replies: false,
            notes: false,
            overview: true,
            rules: false,
        },
        Case {
            role: "supervisor",
            region: "bali",
            unit: None,
            sees_badung: true,
            sees_buleleng: true,
            replies: false,
            notes: false,
            overview: true,
            rules: false,
        },
    ];

    async fn body(app: TestApp) {
        let badung = file(&app, complaint()).await;
        let buleleng = file(&app, with(json!({"region": "buleleng", "district": null}))).await;
        // The unit officer's complaint must be in progress for a reply by a
        // unit to be allowed; dispatch it first.
        let dispatcher = officer(&app, "coordinator", "badung", None).await;
        dispatcher
            .act(&badung, &[("action", "dispatch"), ("unit", "pupr")])
            .await;
        for case in &CASES {
            let who = officer(&app, case.role, case.region, case.unit).await;
            let label = format!("{} {} {:?}", case.role, case.region, case.unit);
            for (code, sees) in [(&badung, case.sees_badung), (&buleleng, case.sees_buleleng)] {
                let path = format!("/console/complaints/{code}");
                let (status, page) = who.get(&path).await;
                assert_eq!(status, if sees { 200 } else { 404 }, "{label} GET {code}");
                if !sees {
                    assert!(
                        !page.contains(code.as_str()) || page.contains("Tidak ditemukan"),
                        "{label}"
                    );
                    assert!(!page.contains("Jalan berlubang"), "{label} saw the content");
                }
                let (_, inbox) = who.get("/console/inbox").await;
                assert_eq!(
                    inbox.contains(&format!("{path}\"")),
                    sees,
                    "{label} inbox {code}"
                );
                let (_, inbox_all) = who.get("/console/inbox?status=verified").await;
                if !sees {
                    assert!(
                        !inbox_all.contains(&format!("{path}\"")),
                        "{label} filtered inbox"
                    );
                }
                // Writing: a reply and a note, at the current version.
                let version = if sees {
                    who.version(code).await
                } else {
                    "2".to_owned()
                };
                let (status, _, _) = who
                    .post(
                        &path,
                        &[
                            ("version", &version),
                            ("action", "reply"),
                            ("message", "Tanggapan uji"),
                        ],
                    )
                    .await;
                let expected = if !sees {
                    404
                } else if case.replies {
                    303
                } else {
                    403
                };
                assert_eq!(status, expected, "{label} reply on {code}");
                let version = if sees {
                    who.version(code).await
                } else {
                    "2".to_owned()
                };
                let (status, _, _) = who
                    .post(
                        &path,
                        &[
                            ("version", &version),
                            ("action", "note"),
                            ("note", "Catatan uji"),
                        ],
                    )
                    .await;
                let expected = if !sees {
                    404
                } else if case.notes {
                    303
                } else {
                    403
                };
                assert_eq!(status, expected, "{label} note on {code}");
                // Holding it: only a unit officer of its unit (the Badung
                // one is with public works, the Buleleng one with its
                // region's coordinating unit, out of every case's region).
                let (status, _, _) = who
                    .post(
                        &format!("{path}/assignee"),
                        &[("assignee", "me"), ("holder", "")],
                    )
                    .await;
                let expected = match (sees, case.role, case.unit) {
                    (false, _, _) => 404,
                    (true, "unit", Some("pupr")) if code == &badung => 303,
                    (true, "coordinator" | "unit", _) => 422,
                    (true, _, _) => 403,
                };
                assert_eq!(status, expected, "{label} takes {code}");
                // Many at once: the same rules, each named (the box's
                // value as the list would show it now).
                let picked = crate::work::pick(&app, code).await;
                let (status, _, page) = who
                    .post(
                        "/console/inbox/bulk",
                        &[
                            ("action", "note"),
                            ("note", "Catatan massal"),
                            ("pick", picked.as_str()),
                        ],
                    )
                    .await;
                assert_eq!(status, 200, "{label} bulk note on {code}");
                let refused = page.split("class=\"refused\"").nth(1).unwrap_or_default();
                assert_eq!(
                    !refused.contains(code.as_str()),
                    sees && case.notes,
                    "{label} bulk note on {code}: {page}"
                );
                if !sees {
                    assert!(refused.contains("Tidak ditemukan"), "{label}: {page}");
                    assert!(!page.contains("Jalan berlubang"), "{label} saw the content");
                }
            }
            let (status, _) = who.get("/console/overview").await;
            assert_eq!(
                status,
                if case.overview { 200 } else { 403 },
                "{label} overview"
            );
            let (status, _) = who.get("/console/rules").await;
            assert_eq!(status, if case.rules { 200 } else { 403 }, "{label} rules");
            let (status, _, _) = who
                .post(
                    "/console/rules",
                    &[
                        ("region", case.region),
                        ("category", "jalan"),
                        ("unit", "pupr"),
                    ],
                )
                .await;
            assert_eq!(
                status,
                if case.rules { 303 } else { 403 },
                "{label} rule change"
            );
        }
        // Nobody signed out can see anything.
        let anonymous = plain_client();
        for path in [
            "/console/inbox",
            "/console/overview",
            "/console/rules",
            &format!("/console/complaints/{badung}"),
        ] {
            let r = anonymous
                .get(app.url(path))
                .send()
                .await
                .expect("an answer");
            assert_eq!(r.status().as_u16(), 303, "{path}");
            assert_eq!(
                r.headers().get("location").and_then(|v| v.to_str().ok()),
                Some("/console/login")
            );
        }
    }

    #[tokio::test]
    async fn sqlite() {
        body(crate::support::spawn_app(crate::support::Engine::Sqlite).await).await;
    }

    #[tokio::test]
    async fn postgres() {
        body(crate::support::spawn_app(crate::support::Engine::Postgres).await).await;
    }
}

#[tokio::test]
async fn the_officer_command_creates_an_officer_from_standard_input() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let db = crate::support::TestDb::new(crate::support::Engine::Sqlite).await;
    // The command creates and migrates the database on its own.
    let run = |args: &[&str], password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aduan"))
            .args(["officer", "add"])
            .args(args)
            .env("DATABASE_URL", &db.url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the aduan binary");
        if let Some(mut stdin) = child.stdin.take() {
            let _ = writeln!(stdin, "{password}");
        }
        let out = child.wait_with_output().expect("it finishes");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let args = [
        "--email",
        "admin@baliprov.go.id",
        "--region",
        "bali",
        "--role",
        "admin",
    ];
    let (ok, out) = run(&args, "a strong first password");
    assert!(ok, "{out}");
    assert!(out.contains("admin@baliprov.go.id"), "{out}");
    assert!(
        !out.contains("a strong first password"),
        "the password was echoed"
    );
    let (ok, out) = run(&args, "a strong first password");
    assert!(!ok && out.contains("exists already"), "{out}");
    let (ok, out) = run(
        &[
            "--email",
            "x@badungkab.go.id",
            "--region",
            "badung",
            "--role",
            "unit",
        ],
        "a strong first password",
    );
    assert!(!ok && out.contains("--unit"), "{out}");
    let (ok, out) = run(
        &[
            "--email",
            "y@badungkab.go.id",
            "--region",
            "badung",
            "--role",
            "coordinator",
        ],
        "short",
    );
    assert!(!ok && out.contains("shorter"), "{out}");
    let hash: i64 = db
        .count("SELECT COUNT(*) FROM officers WHERE password_hash LIKE '$argon2id$%'")
        .await;
    assert_eq!(hash, 1);
}

on_both_engines! {
    async fn an_officer_finds_a_complaint_by_the_code_a_citizen_reads_out(app) {
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let elsewhere = officer(&app, "coordinator", "denpasar", None).await;
        let code = file(&app, with(json!({"title": "Lubang di Jalan Raya Kuta"}))).await;
        let other = file(&app, with(json!({"title": "Jalan retak di Mengwi", "district": "Mengwi"}))).await;
        // The whole code, as typed in a hurry: small letters, no dashes, an O for a 0.
        let typed = code.to_lowercase().replace('-', " ").replace('0', "o");
        let (status, location) = coordinator
            .get_location(&format!("/console/inbox?q={}", typed.replace(' ', "+")))
            .await;
        assert_eq!((status, location.as_str()), (303, format!("/console/complaints/{code}").as_str()));
        // Its last group: the complaints in scope ending with it, in any state.
        let tail = code.rsplit('-').next().unwrap_or_default().to_owned();
        let (status, page) = coordinator
            .get(&format!("/console/inbox?q={}", tail.to_lowercase()))
            .await;
        assert_eq!(status, 200);
        assert!(page.contains(&code), "{page}");
        assert!(!page.contains(&other), "only what ends with it: {page}");
        assert!(page.contains(&format!("value=\"{}\"", tail.to_lowercase())), "the box keeps what was typed");
        // Another region's officer finds nothing of it.
        let (_, page) = elsewhere.get(&format!("/console/inbox?q={tail}")).await;
        assert!(!page.contains(&code), "{page}");
        let (status, _) = elsewhere.get(&format!("/console/complaints/{code}")).await;
        assert_eq!(status, 404);
        // A typo in a whole code, or something that is no code, says so.
        let mut typo: Vec<char> = code.chars().collect();
        let i = typo.len() - 2;
        typo[i] = if typo[i] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        let (status, page) = coordinator.get(&format!("/console/inbox?q={typo}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("salah ketik"), "{page}");
        // Words that are no code are looked for as words.
        let (_, page) = coordinator.get("/console/inbox?q=jalan+rusak").await;
        assert!(page.contains("Tidak ada pengaduan dengan kata-kata itu."), "{page}");
        let (_, page) = coordinator.get("/console/inbox?q=jalan").await;
        assert!(page.contains(&code) && page.contains(&other), "{page}");
    }
}

on_both_engines! {
    async fn an_officer_finds_complaints_by_their_words_within_their_scope(app) {
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let roads = officer(&app, "unit", "badung", Some("pupr")).await;
        let elsewhere = officer(&app, "coordinator", "denpasar", None).await;
        let overseer = officer(&app, "supervisor", "badung", None).await;
        let in_title = file(&app, with(json!({"title": "Lubang besar di Jalan Pélabuhan Benoa"}))).await;
        let in_text = file(&app, with(json!({
            "title": "Jalan rusak dekat dermaga",
            "description": "Ada lubang yang dalam dekat Pelabuhan Benoa, sudah dua minggu."
        }))).await;
        let rubbish = file(&app, with(json!({"title": "Sampah menumpuk di pasar", "category": "sampah"}))).await;
        let secret = file(&app, with(json!({
            "title": "Lubang ditutup setelah pungutan di pelabuhan",
            "privacy": "confidential"
        }))).await;
        let denpasar = file(&app, with(json!({
            "region": "denpasar", "district": "denpasar-barat",
            "title": "Lubang di Jalan Pelabuhan Gatot Subroto"
        }))).await;

        // Words in any case, accented or not: both found, the title's first,
        // the words marked; nothing without them, nothing of another region.
        for typed in ["lubang+pelabuhan", "LUBANG+P%C3%A9labuhan", "lubang+pelab"] {
            let (status, page) = coordinator.get(&format!("/console/inbox?q={typed}")).await;
            assert_eq!(status, 200);
            let (a, b) = (page.find(&in_title), page.find(&in_text));
            assert!(a.is_some() && b.is_some() && a < b, "{typed}: {page}");
            assert!(page.contains(&secret), "the coordinator handles confidential ones: {page}");
            assert!(!page.contains(&rubbish) && !page.contains(&denpasar), "{page}");
        }
        let (_, page) = coordinator.get("/console/inbox?q=lubang+pelabuhan").await;
        assert!(page.contains("<mark>Lubang</mark> besar di Jalan <mark>Pélabuhan</mark> Benoa"), "{page}");
        assert!(page.contains("<mark>lubang</mark> yang dalam dekat <mark>Pelabuhan</mark>"), "the line the words are in: {page}");
        // Within the officer's scope only.
        let (_, page) = elsewhere.get("/console/inbox?q=lubang+pelabuhan").await;
        assert!(page.contains(&denpasar) && !page.contains(&in_title) && !page.contains(&secret), "{page}");
        let (_, page) = roads.get("/console/inbox?q=menumpuk").await;
        assert!(!page.contains(&rubbish), "another unit's: {page}");
        let (_, page) = overseer.get("/console/inbox?q=lubang").await;
        assert!(page.contains(&in_title) && !page.contains(&secret), "no confidential one for an overseer: {page}");
        // Filters still hold, and a word no complaint has says so.
        let (_, page) = coordinator.get("/console/inbox?q=lubang&category=sampah").await;
        assert!(!page.contains(&in_title), "{page}");
        let (_, page) = coordinator.get("/console/inbox?q=jembatan+gantung").await;
        assert!(page.contains("Tidak ada pengaduan dengan kata-kata itu."), "{page}");
        // Four letters that end no code are read as a word too.
        let (_, page) = coordinator.get("/console/inbox?q=pasa").await;
        assert!(page.contains(&rubbish), "{page}");
        // Only signs: nothing to look for.
        let (_, page) = coordinator.get("/console/inbox?q=%2A%2A").await;
        assert!(page.contains("Cari dengan kode pelacakan"), "{page}");
    }

    async fn an_officer_finds_a_reporter_only_where_the_policy_shows_them(app) {
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let overseer = officer(&app, "supervisor", "badung", None).await;
        let reporter = json!({"name": "Ketut Sudarsana", "email": "ketut.s@example.id", "phone": "0812-9999-8888"});
        let known = file(&app, with(json!({"title": "Lampu jalan padam", "reporter": reporter}))).await;
        let hidden = file(&app, with(json!({
            "title": "Lampu taman padam", "privacy": "anonymous",
            "reporter": {"name": "Komang Sembunyi", "email": "komang@example.id", "phone": "+62 813 1111 2222"}
        }))).await;
        for typed in ["sudarsana", "KETUT+sudar", "ketut.s%40example.id", "0812+9999+8888", "%2B6281299998888"] {
            let (_, page) = coordinator.get(&format!("/console/inbox?q={typed}")).await;
            assert!(page.contains("Dari pelapor dengan nama") && page.contains(&known), "{typed}: {page}");
        }
        // Never an anonymous reporter, and the page never echoes who matched.
        for typed in ["sembunyi", "komang%40example.id", "081311112222"] {
            let (_, page) = coordinator.get(&format!("/console/inbox?q={typed}")).await;
            assert!(!page.contains(&hidden) && !page.contains("Dari pelapor dengan nama"), "{typed}: {page}");
        }
        let (_, page) = coordinator.get("/console/inbox?q=sudarsana").await;
        assert!(!page.contains("ketut.s@example.id") && !page.contains("9999"), "{page}");
        // An officer who never sees reporters finds none by them.
        let (_, page) = overseer.get("/console/inbox?q=sudarsana").await;
        assert!(!page.contains(&known), "{page}");
        // Erased by the reporter: no longer found by it.
        let erased = app.client.delete(app.url(&format!("/api/v1/complaints/{known}/contact"))).send().await.expect("an answer");
        assert_eq!(erased.status().as_u16(), 200);
        for typed in ["sudarsana", "081299998888"] {
            let (_, page) = coordinator.get(&format!("/console/inbox?q={typed}")).await;
            assert!(!page.contains(&known), "{typed}: {page}");
        }
    }

    async fn a_search_with_many_results_is_paged_by_key(app) {
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let mut codes = Vec::new();
        for i in 0..52 {
            codes.push(file(&app, with(json!({"title": format!("Drainase tersumbat nomor {i}")}))).await);
        }
        let (_, first) = coordinator.get("/console/inbox?q=drainase").await;
        let next = first
            .split("rel=\"next\" href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("a next page")
            .replace("&amp;", "&");
        let (status, second) = coordinator.get(&next).await;
        assert_eq!(status, 200);
        for code in &codes {
            let shown = usize::from(first.contains(code.as_str())) + usize::from(second.contains(code.as_str()));
            assert_eq!(shown, 1, "{code} on exactly one page");
        }
        assert!(!second.contains("rel=\"next\""), "{second}");
    }
}
