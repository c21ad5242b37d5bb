//! The widget bundle is served for embedding on any site: the loader briefly
//! cached, the hashed files immutable, precompressed, cross-origin.

use crate::support::{Engine, spawn_app};

fn hashed(ext: &str) -> String {
    dist_file("aduan_widget", ext)
}

/// The file in `public/dist` whose name starts with `prefix` and ends with
/// `ext`.
fn dist_file(prefix: &str, ext: &str) -> String {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/dist");
    let entries = std::fs::read_dir(&dist).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build the bundle with `cargo xtask dist` (cargo xtask test does)",
            dist.display()
        )
    });
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with(prefix) && n.ends_with(ext))
        .unwrap_or_else(|| panic!("no {prefix}…{ext} in public/dist"))
}

#[tokio::test]
async fn the_loader_and_the_hashed_files_are_served_for_embedding() {
    let app = spawn_app(Engine::Sqlite).await;
    let get = |path: String, encoding: &'static str| {
        let client = app.client.clone();
        let url = app.url(&path);
        async move {
            client
                .get(url)
                .header("accept-encoding", encoding)
                .header("origin", "https://tabanankab.go.id")
                .send()
                .await
                .expect("an answer")
        }
    };
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };

    let loader = get("/widget.js".into(), "br").await;
    assert_eq!(loader.status().as_u16(), 200);
    assert_eq!(header(&loader, "content-encoding"), "br");
    assert!(header(&loader, "content-type").contains("javascript"));
    assert_eq!(header(&loader, "cache-control"), "public, max-age=300");
    assert_eq!(header(&loader, "access-control-allow-origin"), "*");
    assert_eq!(
        header(&loader, "cross-origin-resource-policy"),
        "cross-origin"
    );

    let wasm = get(format!("/dist/{}", hashed(".wasm")), "gzip").await;
    assert_eq!(wasm.status().as_u16(), 200);
    assert_eq!(header(&wasm, "content-type"), "application/wasm");
    assert_eq!(header(&wasm, "content-encoding"), "gzip");
    assert!(header(&wasm, "cache-control").contains("immutable"));
    assert_eq!(header(&wasm, "access-control-allow-origin"), "*");

    let glue = get(format!("/dist/{}", hashed(".js")), "identity").await;
    assert_eq!(glue.status().as_u16(), 200);
    assert!(header(&glue, "cache-control").contains("immutable"));
    assert_eq!(
        header(&glue, "cross-origin-resource-policy"),
        "cross-origin"
    );

    let missing = get("/dist/aduan_widget_bg.0000000000000000.wasm".into(), "br").await;
    assert_eq!(missing.status().as_u16(), 404);
    assert!(header(&missing, "content-type").starts_with("application/json"));
}

fn brotli_bytes(name: &str) -> u64 {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../public/dist")
        .join(format!("{name}.br"));
    std::fs::metadata(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .len()
}

/// The widget's download budget (at most 5 KB brotli before a citizen
/// touches anything, at most 90 KB for the open form with the tracker, its
/// slots and the words of the page's language). A change that grows past
/// it fails here, not on a phone.
#[test]
fn the_bundle_stays_within_its_download_budget() {
    let before_interaction = brotli_bytes("widget.js");
    let words = ["id", "en", "ban"]
        .map(|lang| brotli_bytes(&dist_file("words.", &format!(".{lang}.txt"))))
        .into_iter()
        .max()
        .unwrap_or_default();
    let open_form = brotli_bytes(&hashed(".js"))
        + brotli_bytes(&hashed(".wasm"))
        + brotli_bytes(&dist_file("slots.", ".js"))
        + words;
    assert!(
        before_interaction <= 5_000,
        "widget.js is {before_interaction} B brotli; the budget is 5,000 B"
    );
    assert!(
        open_form <= 90_000,
        "the glue, wasm, slots and one language's words are {open_form} B brotli; the budget is 90,000 B"
    );
}

/// Each language's words are a file of their own, fetched when needed; the
/// wasm carries none of them.
#[test]
fn the_widget_carries_no_language_and_each_has_its_file() {
    use aduan_app::api::Locale;
    use aduan_app::labels::Label;
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/dist");
    let wasm = std::fs::read(dist.join(hashed(".wasm"))).expect("the wasm");
    for locale in Locale::ALL {
        let name = dist_file("words.", &format!(".{}.txt", locale.key()));
        let text = std::fs::read_to_string(dist.join(&name)).expect("the words");
        let how_to = Label::ReceiptHowTo.text(locale);
        assert!(text.lines().any(|l| l == how_to), "{name} has {how_to}");
        assert!(
            !wasm.windows(how_to.len()).any(|w| w == how_to.as_bytes()),
            "the wasm carries {how_to}"
        );
        // The form's own words are drawn by the server: the widget is not
        // sent them.
        let consent = Label::Consent.text(locale);
        assert!(!text.lines().any(|l| l == consent), "{name} has {consent}");
    }
}
