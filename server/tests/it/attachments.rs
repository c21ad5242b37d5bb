//! Photos and documents: tus uploads, the cleaning pipeline, attaching,
//! who may fetch them, and forgetting them, on both engines.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::console::{file, officer};
use crate::fixtures::{self, CAMERA, SERIAL};
use crate::support::{Engine, TestApp, complaint, new_key, spawn_app};

fn meta(name: &str) -> String {
    format!(
        "filename {},filetype {}",
        base64::engine::general_purpose::STANDARD.encode(name),
        base64::engine::general_purpose::STANDARD.encode("image/jpeg")
    )
}

/// Creates an upload of `length` bytes; its address.
pub async fn create(app: &TestApp, name: &str, length: usize) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/uploads"))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", length.to_string())
        .header("upload-metadata", meta(name))
        .send()
        .await
        .expect("an answer")
}

pub async fn patch(
    app: &TestApp,
    location: &str,
    offset: usize,
    bytes: Vec<u8>,
) -> reqwest::Response {
    app.client
        .patch(app.url(location))
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", offset.to_string())
        .header("content-type", "application/offset+octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("an answer")
}

pub async fn head(app: &TestApp, location: &str) -> reqwest::Response {
    app.client
        .head(app.url(location))
        .header("tus-resumable", "1.0.0")
        .send()
        .await
        .expect("an answer")
}

/// Uploads a whole file in one creation request: the upload id, or the
/// refusal's status and body.
pub async fn upload(app: &TestApp, name: &str, bytes: &[u8]) -> Result<String, (u16, Value)> {
    let r = app
        .client
        .post(app.url("/api/v1/uploads"))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", bytes.len().to_string())
        .header("upload-metadata", meta(name))
        .header("content-type", "application/offset+octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .expect("an answer");
    let status = r.status().as_u16();
    if status != 201 {
        return Err((status, r.json().await.unwrap_or(Value::Null)));
    }
    let location = r.headers()["location"].to_str().expect("text").to_owned();
    assert_eq!(
        r.headers()["upload-offset"],
        bytes.len().to_string().as_str()
    );
    Ok(location.rsplit('/').next().expect("an id").to_owned())
}

async fn ok_upload(app: &TestApp, name: &str, bytes: &[u8]) -> String {
    upload(app, name, bytes)
        .await
        .unwrap_or_else(|(s, b)| panic!("{name}: {s} {b}"))
}

/// Files a complaint with these uploads attached; its tracking code.
async fn file_with(app: &TestApp, mut body: Value, uploads: &[String]) -> String {
    body["attachments"] = json!(uploads);
    file(app, body).await
}

async fn fetch(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let r = app
        .client
        .get(app.url(path))
        .send()
        .await
        .expect("an answer");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.expect("a body").to_vec())
}

/// Cleaned files the storage holds (a folder for SQLite, rows for PostgreSQL).
pub async fn stored_files(app: &TestApp) -> i64 {
    match app.db.engine {
        Engine::Postgres => app.db.count("SELECT COUNT(*) FROM blobs").await,
        Engine::Sqlite => {
            let db = app.db.url.trim_start_matches("sqlite:");
            let root = std::path::PathBuf::from(format!("{db}-files/files"));
            let mut n = 0;
            if let Ok(dirs) = std::fs::read_dir(&root) {
                for dir in dirs.flatten() {
                    n += std::fs::read_dir(dir.path()).map_or(0, |f| f.count() as i64);
                }
            }
            n
        }
    }
}

/// Uploads still arriving that the storage holds bytes of.
async fn partial_uploads(app: &TestApp) -> i64 {
    match app.db.engine {
        Engine::Postgres => {
            app.db
                .count("SELECT COUNT(DISTINCT upload_id) FROM upload_parts")
                .await
        }
        Engine::Sqlite => {
            let db = app.db.url.trim_start_matches("sqlite:");
            std::fs::read_dir(format!("{db}-files/uploads")).map_or(0, |f| f.count() as i64)
        }
    }
}

async fn a_phone_photo_comes_out_upright_and_without_metadata(engine: Engine) {
    let app = spawn_app(engine).await;
    crate::console::wait_until_serving(&app).await;
    let original = fixtures::phone_photo();
    // The fixture carries what it should: an independent reader finds it.
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&original))
        .expect("the fixture has Exif");
    assert!(
        exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );
    assert!(
        exif.get_field(exif::Tag::BodySerialNumber, exif::In::PRIMARY)
            .is_some()
    );
    assert!(
        exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
            .is_some()
    );

    let id = ok_upload(&app, "IMG_2041.jpg", &original).await;
    let code = file_with(&app, complaint(), &[id]).await;
    let (status, view) = app.get(&format!("/api/v1/complaints/{code}")).await;
    assert_eq!(status, 200);
    let files = view["attachments"]
        .as_array()
        .expect("the tracker lists the files");
    assert_eq!(files.len(), 1, "{view}");
    assert_eq!(files[0]["name"], "IMG_2041.jpg");
    assert_eq!(files[0]["kind"], "jpeg");
    let (status, headers, cleaned) = fetch(&app, files[0]["url"].as_str().expect("a url")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );

    // No metadata at all: the independent reader finds no Exif, and the
    // only segment before the image is the encoder's own JFIF header.
    assert!(
        exif::Reader::new()
            .read_from_container(&mut std::io::Cursor::new(&cleaned))
            .is_err(),
        "the cleaned photo still has Exif"
    );
    assert_eq!(
        fixtures::jpeg_markers(&cleaned),
        vec![0xE0],
        "only JFIF may remain"
    );
    for secret in [SERIAL, CAMERA, "GPS", "xmpmeta", "ICC_PROFILE", "Google"] {
        assert!(
            !cleaned
                .windows(secret.len())
                .any(|w| w == secret.as_bytes()),
            "{secret} survived cleaning"
        );
    }
    // Upright: stored 64×32 red-left, turned 90° clockwise it is 32×64 red on top.
    let photo = image::load_from_memory(&cleaned)
        .expect("a photo")
        .to_rgb8();
    assert_eq!(photo.dimensions(), (32, 64));
    let top = photo.get_pixel(16, 8);
    let bottom = photo.get_pixel(16, 56);
    assert!(top[0] > 150 && top[2] < 100, "top is red: {top:?}");
    assert!(
        bottom[2] > 150 && bottom[0] < 100,
        "bottom is blue: {bottom:?}"
    );

    // The preview is small and clean too.
    let (status, headers, thumb) =
        fetch(&app, files[0]["thumb_url"].as_str().expect("a preview")).await;
    assert_eq!(
        (status, headers["content-type"].to_str().unwrap()),
        (200, "image/jpeg")
    );
    assert_eq!(fixtures::jpeg_markers(&thumb), vec![0xE0]);
}

async fn a_png_loses_its_text_and_a_large_photo_is_scaled(engine: Engine) {
    let app = spawn_app(engine).await;
    crate::console::wait_until_serving(&app).await;
    let png = fixtures::png_with_text();
    assert!(fixtures::png_chunks(&png).contains(&"tEXt".to_owned()));
    let screenshot = ok_upload(&app, "layar.png", &png).await;
    let large = ok_upload(&app, "besar.jpg", &fixtures::noisy_jpeg(3000, 1500, 80)).await;
    let code = file_with(&app, complaint(), &[screenshot, large]).await;
    let (_, view) = app.get(&format!("/api/v1/complaints/{code}")).await;
    let files = view["attachments"].as_array().expect("files");
    let (_, headers, cleaned) = fetch(&app, files[0]["url"].as_str().unwrap()).await;
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(fixtures::png_chunks(&cleaned), vec!["IHDR", "IDAT", "IEND"]);
    assert!(
        !cleaned
            .windows(SERIAL.len())
            .any(|w| w == SERIAL.as_bytes())
    );
    let (_, _, scaled) = fetch(&app, files[1]["url"].as_str().unwrap()).await;
    let photo = image::load_from_memory(&scaled).expect("a photo");
    assert_eq!((photo.width(), photo.height()), (2048, 1024));
}

async fn refused_files_are_named_and_nothing_is_kept(engine: Engine) {
    let app = spawn_app(engine).await;
    crate::console::wait_until_serving(&app).await;
    let whole = fixtures::plain_jpeg(64, 64);
    let mut polyglot = fixtures::plain_jpeg(64, 64);
    polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script>");
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "foto.jpg",
            b"<!DOCTYPE html><html><script>alert(1)</script>".to_vec(),
            415,
            "file_type_not_accepted",
        ),
        (
            "surat.pdf",
            b"GIF89a\x01\x00\x01\x00".to_vec(),
            415,
            "file_type_not_accepted",
        ),
        ("campur.jpg", polyglot, 422, "file_not_plain"),
        (
            "putus.jpg",
            whole[..whole.len() - 30].to_vec(),
            422,
            "file_unreadable",
        ),
        ("bom.png", fixtures::png_bomb(), 422, "image_too_large"),
        (
            "aktif.pdf",
            b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (x) >> >> endobj\n%%EOF\n"
                .to_vec(),
            422,
            "file_not_plain",
        ),
    ];
    for (name, bytes, status, code) in cases {
        let (got, body) = upload(&app, name, &bytes).await.expect_err(name);
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{name}: {body}"
        );
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(name),
            "{name}: the message names the file: {message}"
        );
    }
    // Too large is refused before a byte is sent.
    let r = create(&app, "video.jpg", 11 * 1024 * 1024).await;
    assert_eq!(r.status().as_u16(), 413);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], "file_too_large");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("video.jpg")
    );

    assert_eq!(app.db.count("SELECT COUNT(*) FROM uploads").await, 0);
    assert_eq!(stored_files(&app).await, 0);
    assert_eq!(partial_uploads(&app).await, 0);

    // A PDF that is one is kept as sent, and only ever downloaded.
    let id = ok_upload(&app, "kuitansi.pdf", &fixtures::pdf()).await;
    let code = file_with(&app, complaint(), &[id]).await;
    let (_, view) = app.get(&format!("/api/v1/complaints/{code}")).await;
    let (status, headers, bytes) =
        fetch(&app, view["attachments"][0]["url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, fixtures::pdf());
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("sandbox")
    );
    assert_eq!(view["attachments"][0].get("thumb_url"), None);
}

async fn an_upload_resumes_from_the_last_byte_held(engine: Engine) {
    let app = spawn_app(engine).await;
    crate::console::wait_until_serving(&app).await;
    let photo = fixtures::noisy_jpeg(800, 600, 85);
    let r = create(&app, "jalan.jpg", photo.len()).await;
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(r.headers()["tus-resumable"], "1.0.0");
    assert!(r.headers().contains_key("upload-expires"));
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let third = photo.len() / 3;
    let r = patch(&app, &location, 0, photo[..third].to_vec()).await;
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(r.headers()["upload-offset"], third.to_string().as_str());
    let r = head(&app, &location).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["upload-offset"], third.to_string().as_str());
    assert_eq!(
        r.headers()["upload-length"],
        photo.len().to_string().as_str()
    );
    assert_eq!(r.headers()["cache-control"], "no-store");
    // A client that thinks it is elsewhere is told where the server is.
    let r = patch(&app, &location, third + 10, photo[third + 10..].to_vec()).await;
    assert_eq!(r.status().as_u16(), 409);
    assert_eq!(r.headers()["upload-offset"], third.to_string().as_str());
    // A checksum that does not match takes the request back whole.
    let r = app
        .client
        .patch(app.url(&location))
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", third.to_string())
        .header("content-type", "application/offset+octet-stream")
        .header(
            "upload-checksum",
            format!(
                "sha1 {}",
                base64::engine::general_purpose::STANDARD.encode([0u8; 20])
            ),
        )
        .body(photo[third..2 * third].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 460);
    assert_eq!(
        head(&app, &location).await.headers()["upload-offset"],
        third.to_string().as_str()
    );
    // The right checksum is taken.
    use sha2::Digest as _;
    let sum = sha2::Sha256::digest(&photo[third..2 * third]);
    let r = app
        .client
        .patch(app.url(&location))
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", third.to_string())
        .header("content-type", "application/offset+octet-stream")
        .header(
            "upload-checksum",
            format!(
                "sha256 {}",
                base64::engine::general_purpose::STANDARD.encode(sum)
            ),
        )
        .body(photo[third..2 * third].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let r = patch(&app, &location, 2 * third, photo[2 * third..].to_vec()).await;
    assert_eq!(r.status().as_u16(), 204, "{:?}", r.text().await);
    // Sent again after it finished: nothing changes, nothing is stored twice.
    let r = patch(&app, &location, photo.len(), Vec::new()).await;
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(stored_files(&app).await, 2, "the photo and its preview");
    let id = location.rsplit('/').next().unwrap().to_owned();
    let code = file_with(&app, complaint(), std::slice::from_ref(&id)).await;
    let (_, view) = app.get(&format!("/api/v1/complaints/{code}")).await;
    assert_eq!(view["attachments"].as_array().map(Vec::len), Some(1));
    // The same file uploaded again is stored once.
    let again = ok_upload(&app, "lagi.jpg", &photo).await;
    assert_eq!(stored_files(&app).await, 2);
    // Termination forgets it.
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/uploads/{again}")))
        .header("tus-resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(
        head(&app, &format!("/api/v1/uploads/{again}"))
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        stored_files(&app).await,
        2,
        "the attached copy keeps the bytes"
    );
    // Without the protocol's version, nothing happens.
    let r = app
        .client
        .post(app.url("/api/v1/uploads"))
        .header("upload-length", "10")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 412);
    assert_eq!(r.headers()["tus-version"], "1.0.0");
    // Discovery.
    let r = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/uploads"))
        .send()
        .await
        .unwrap();
    assert!(matches!(r.status().as_u16(), 200 | 204), "{}", r.status());
    assert_eq!(r.headers()["tus-version"], "1.0.0");
    assert!(
        r.headers()["tus-extension"]
            .to_str()
            .unwrap()
            .contains("creation-with-upload")
    );
    assert_eq!(
        r.headers()["tus-max-size"],
        (10 * 1024 * 1024).to_string().as_str()
    );
}

async fn attaching_is_checked_before_anything_is_written(engine: Engine) {
    let app = spawn_app(engine).await;
    crate::console::wait_until_serving(&app).await;
    let before = app.complaints_stored().await;
    // An id nobody uploaded.
    let mut body = complaint();
    body["attachments"] = json!(["0123456789abcdef0123456789abcdef"]);
    let (status, refusal) = app.submit(&body).await;
    assert_eq!(
        (status, refusal["error"]["code"].as_str()),
        (409, Some("upload_not_found")),
        "{refusal}"
    );
    // An upload still arriving.
    let r = create(&app, "setengah.jpg", 5000).await;
    let half = r.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    body["attachments"] = json!([half]);
    let (status, refusal) = app.submit(&body).await;
    assert_eq!(
        (status, refusal["error"]["code"].as_str()),
        (409, Some("upload_unfinished"))
    );
    assert!(
        refusal["error"]["message"]
            .as_str()
            .unwrap()
            .contains("setengah.jpg")
    );
    // Six files where five are allowed.
    let mut six = Vec::new();
    for i in 0..6 {
        six.push(ok_upload(&app, &format!("f{i}.jpg"), &fixtures::plain_jpeg(8 + i, 8)).await);
    }
    body["attachments"] = json!(six);
    let (status, refusal) = app.submit(&body).await;
    assert_eq!(
        (status, refusal["error"]["code"].as_str()),
        (422, Some("too_many_files"))
    );
    assert_eq!(app.complaints_stored().await, before, "nothing was filed");
    // A retry with the same key attaches once.
    body["attachments"] = json!(six[..2]);
    let key = new_key();
    let (s1, first) = app.submit_with_key(&body, &key).await;
    let (s2, second) = app.submit_with_key(&body, &key).await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(first, second);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM attachments").await, 2);
    // Attached uploads are no longer waiting.
    let code = first["tracking_code"].as_str().unwrap();
    let mut other = complaint();
    other["attachments"] = json!(six[..1]);
    let (status, _) = app.submit(&other).await;
    assert_eq!(status, 409, "an upload attaches to one complaint");
    // A reporter's reply carries files too; a retry of it (the same key,
    // the same files, attached by the first try) is taken once, and a file
    // named twice is attached once.
    let reply = ok_upload(&app, "tambahan.jpg", &fixtures::plain_jpeg(20, 20)).await;
    let reply_key = new_key();
    for _ in 0..2 {
        let r = app
            .client
            .post(app.url(&format!("/api/v1/complaints/{code}/replies")))
            .header("idempotency-key", &reply_key)
            .json(&json!({"message": "Ini foto tambahan dari sisi lain jalan.", "attachments": [reply, reply]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
    }
    let r = app
        .client
        .get(app.url(&format!("/api/v1/complaints/{code}")))
        .send()
        .await
        .unwrap();
    let view: Value = r.json().await.unwrap();
    let parts: Vec<&str> = view["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["part"].as_str().unwrap())
        .collect();
    assert_eq!(parts, ["complaint", "complaint", "reporter_reply"]);
}

async fn only_whom_the_policy_allows_can_fetch_a_file(engine: Engine) {
    let app = spawn_app(engine).await;
    crate::console::wait_until_serving(&app).await;
    let state = app.state().await;
    let coordinator = officer(&app, "coordinator", "badung", None).await;
    let inspector = officer(&app, "unit", "badung", Some("inspektorat")).await;
    let other_region = officer(&app, "coordinator", "gianyar", None).await;
    let other_unit = officer(&app, "unit", "badung", Some("pupr")).await;
    let province = officer(&app, "province", "bali", None).await;

    // An anonymous, confidential report of an abuse of authority, with a receipt photo.
    let id = ok_upload(&app, "kuitansi.jpg", &fixtures::phone_photo()).await;
    let mut body = complaint();
    body["category"] = "maladministrasi".into();
    body["privacy"] = "anonymous_confidential".into();
    let code = file_with(&app, body, &[id]).await;
    let file_id = app
        .db
        .strings("SELECT id FROM attachments")
        .await
        .pop()
        .expect("an attachment");
    let console = format!("/console/files/{file_id}");
    assert_eq!(coordinator.get(&console).await.0, 200);
    assert_eq!(inspector.get(&console).await.0, 200);
    assert_eq!(other_region.get(&console).await.0, 404);
    assert_eq!(other_unit.get(&console).await.0, 404);
    assert_eq!(province.get(&console).await.0, 404);
    // The reporter, by the code; never by another complaint's code.
    assert_eq!(
        fetch(&app, &format!("/api/v1/complaints/{code}/files/{file_id}"))
            .await
            .0,
        200
    );
    let other = file(&app, complaint()).await;
    assert_eq!(
        fetch(&app, &format!("/api/v1/complaints/{other}/files/{file_id}"))
            .await
            .0,
        404
    );
    // No public outlet: Open311 names no media, the public address is shut.
    assert_eq!(
        fetch(&app, &format!("/api/v1/media/{file_id}")).await.0,
        404
    );
    let (_, listing) = app.get("/open311/v2/requests.json").await;
    assert!(!listing.to_string().contains(&file_id));
    // A webhook receiver is not given it: even a link signed for it is refused.
    let link = state
        .files
        .signed_path("webhook", &file_id, aduan_server::state::now_ms() + 60_000);
    assert_eq!(fetch(&app, &link).await.0, 404);
    // SP4N-LAPOR handles the complaint: a link for it works, until it expires
    // or is altered.
    let link = state
        .files
        .signed_path("lapor", &file_id, aduan_server::state::now_ms() + 60_000);
    assert_eq!(fetch(&app, &link).await.0, 200);
    assert_eq!(
        fetch(&app, &link.replace("aud=lapor", "aud=webhook"))
            .await
            .0,
        404
    );
    let stale = state
        .files
        .signed_path("lapor", &file_id, aduan_server::state::now_ms() - 1);
    assert_eq!(fetch(&app, &stale).await.0, 404);
    // Guesses: no signature, another id.
    assert_eq!(
        fetch(&app, &format!("/api/v1/files/{file_id}")).await.0,
        404
    );
    assert_eq!(fetch(&app, "/api/v1/media/0000000000000000").await.0, 404);
    let signed_out = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = signed_out.get(app.url(&console)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "signed out: to the sign-in page");

    // A public complaint's photo is public until an officer hides it.
    let id = ok_upload(&app, "lubang.jpg", &fixtures::plain_jpeg(40, 40)).await;
    let code = file_with(&app, complaint(), &[id]).await;
    let public_id = app.db.public_id(&code).await;
    let photo = app
        .db
        .strings("SELECT id FROM attachments")
        .await
        .into_iter()
        .find(|i| *i != file_id)
        .expect("the second attachment");
    assert_eq!(fetch(&app, &format!("/api/v1/media/{photo}")).await.0, 200);
    let (_, one) = app
        .get(&format!("/open311/v2/requests/{public_id}.json"))
        .await;
    let media = one[0]["media_url"].as_str().expect("a media_url");
    assert!(media.ends_with(&format!("/api/v1/media/{photo}")), "{one}");
    let (status, _, _) = coordinator
        .post(
            &format!("/console/complaints/{code}/files/visibility"),
            &[("file", &photo), ("hidden", "1")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(fetch(&app, &format!("/api/v1/media/{photo}")).await.0, 404);
    let (_, one) = app
        .get(&format!("/open311/v2/requests/{public_id}.json"))
        .await;
    assert!(one[0].get("media_url").is_none_or(Value::is_null), "{one}");
    // The reporter and the officers still see it.
    assert_eq!(
        fetch(&app, &format!("/api/v1/complaints/{code}/files/{photo}"))
            .await
            .0,
        200
    );
    assert_eq!(
        coordinator.get(&format!("/console/files/{photo}")).await.0,
        200
    );
}

async fn orphans_expire_and_retention_removes_the_bytes(engine: Engine) {
    // Attachments are kept 730 days after a complaint ends (the default).
    let app = spawn_app(engine).await;
    crate::console::wait_until_serving(&app).await;
    let state = app.state().await;
    let waiting = ok_upload(&app, "lupa.jpg", &fixtures::plain_jpeg(400, 300)).await;
    let r = create(&app, "setengah.jpg", 5000).await;
    let half = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        patch(&app, &half, 0, vec![0xFF; 1000])
            .await
            .status()
            .as_u16(),
        204
    );
    let kept = ok_upload(&app, "bukti.jpg", &fixtures::plain_jpeg(500, 400)).await;
    let code = file_with(&app, complaint(), &[kept]).await;
    assert_eq!(stored_files(&app).await, 4, "two photos, two previews");
    assert_eq!(partial_uploads(&app).await, 1);

    // Nothing is due yet.
    let now = aduan_server::state::now_ms();
    aduan_server::clock::purge(&state, now)
        .await
        .expect("a purge");
    assert_eq!(stored_files(&app).await, 4);

    // A day later the uploads nobody attached are gone, bytes and all.
    let purged = aduan_server::clock::purge(&state, now + 25 * 3_600_000)
        .await
        .expect("a purge");
    assert_eq!(purged.uploads, 2);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM uploads").await, 0);
    assert_eq!(partial_uploads(&app).await, 0);
    assert_eq!(stored_files(&app).await, 2, "the attached photo stays");
    assert_eq!(
        head(&app, &format!("/api/v1/uploads/{waiting}"))
            .await
            .status()
            .as_u16(),
        404
    );

    // A complaint closed long ago loses its files, and the bytes go.
    app.db
        .run(format!(
            "UPDATE complaints SET status = 'closed', updated_at = {} WHERE tracking_code = '{code}'",
            now - 731 * 86_400_000
        ))
        .await;
    let purged = aduan_server::clock::purge(&state, now)
        .await
        .expect("a purge");
    assert_eq!(purged.files, 2);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(stored_files(&app).await, 0);
}

fn multipart_form(
    fields: &[(&str, &str)],
    files: Vec<(&str, Vec<u8>)>,
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text((*k).to_owned(), (*v).to_owned());
    }
    for (name, bytes) in files {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    form
}

fn hosted_fields(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("idempotency_key", key.to_owned()),
        ("lang", "en".into()),
        ("classification", "complaint".into()),
        ("title", "Sampah menumpuk di pinggir jalan".into()),
        (
            "description",
            "Sampah tidak diangkut sejak seminggu, baunya sampai ke rumah warga.".into(),
        ),
        ("category", "sampah".into()),
        ("privacy", "public".into()),
        ("consent", "yes".into()),
    ]
}

async fn post_multipart(
    app: &TestApp,
    path: &str,
    form: reqwest::multipart::Form,
) -> (u16, String) {
    let r = app
        .client
        .post(app.url(path))
        .multipart(form)
        .send()
        .await
        .expect("an answer");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// The attachment checkboxes a hosted form was shown again with.
fn ticked(page: &str) -> Vec<String> {
    page.split("name=\"attachment\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}

async fn the_no_script_form_takes_files_and_keeps_them_when_shown_again(engine: Engine) {
    let app = spawn_app(engine).await;
    crate::console::wait_until_serving(&app).await;
    let key = new_key();
    let fields = hosted_fields(&key);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // A good photo and a page pretending to be one: the form comes back,
    // naming the bad file, with the good one still ticked.
    let form = multipart_form(
        &pairs,
        vec![
            ("sampah.jpg", fixtures::phone_photo()),
            (
                "palsu.jpg",
                b"<html><script>alert(1)</script></html>".to_vec(),
            ),
        ],
    );
    let (status, page) = post_multipart(&app, "/r/denpasar", form).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("palsu.jpg"), "the refusal names the file");
    assert!(page.contains("sampah.jpg"), "the taken file is listed");
    let kept = ticked(&page);
    assert_eq!(kept.len(), 1, "{page}");
    assert!(page.contains("Sampah menumpuk"), "what was typed is kept");
    assert_eq!(app.complaints_stored().await, 0);

    // Sent again with the ticked file and one more: filed with both.
    let mut pairs = pairs.clone();
    pairs.push(("attachment", &kept[0]));
    let form = multipart_form(&pairs, vec![("kuitansi.pdf", fixtures::pdf())]);
    let (status, page) = post_multipart(&app, "/r/denpasar", form).await;
    assert_eq!(status, 200, "{page}");
    let code = page
        .split("class=\"code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("a tracking code on the receipt")
        .to_owned();
    let (_, view) = app.get(&format!("/api/v1/complaints/{code}")).await;
    let names: Vec<&str> = view["attachments"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sampah.jpg", "kuitansi.pdf"]);

    // The tracker shows them; a reply carries one more.
    let (status, page) = {
        let r = app
            .client
            .get(app.url(&format!("/r/denpasar/track?code={code}&lang=en")))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert_eq!(status, 200);
    assert!(
        page.contains("kuitansi.pdf") && page.contains("?size=thumb"),
        "{page}"
    );
    let form = multipart_form(
        &[
            ("idempotency_key", &new_key()),
            ("code", &code),
            ("lang", "en"),
            ("message", "Ini foto dari sisi lain jalan."),
        ],
        vec![("sisi-lain.png", fixtures::png_with_text())],
    );
    let (status, page) = post_multipart(&app, "/r/denpasar/track", form).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("sisi-lain.png"));
}

async fn an_officer_adds_photos_to_a_reply_or_a_note(engine: Engine) {
    let app = spawn_app(engine).await;
    crate::console::wait_until_serving(&app).await;
    let coordinator = officer(&app, "coordinator", "badung", None).await;
    let province = officer(&app, "province", "bali", None).await;
    let code = file(&app, complaint()).await;
    let (status, page) = coordinator
        .get(&format!("/console/complaints/{code}"))
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("multipart/form-data"),
        "the page offers an upload"
    );
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a csrf token")
        .to_owned();
    for (part, name) in [
        ("officer_reply", "sesudah.jpg"),
        ("internal_note", "catatan.jpg"),
    ] {
        let form = multipart_form(
            &[("csrf", &csrf), ("part", part)],
            vec![(name, fixtures::plain_jpeg(400, 300))],
        );
        let (status, _) = coordinator
            .post_multipart(&format!("/console/complaints/{code}/files"), form)
            .await;
        assert_eq!(status, 303, "{part}");
    }
    // A forged post (no token) takes nothing.
    let form = multipart_form(
        &[("part", "officer_reply")],
        vec![("palsu.jpg", fixtures::plain_jpeg(10, 10))],
    );
    let (status, _) = coordinator
        .post_multipart(&format!("/console/complaints/{code}/files"), form)
        .await;
    assert_eq!(status, 403);
    // A role that does not handle complaints cannot add files.
    let form = multipart_form(
        &[("csrf", &csrf), ("part", "officer_reply")],
        vec![("x.jpg", fixtures::plain_jpeg(10, 10))],
    );
    let (status, _) = province
        .post_multipart(&format!("/console/complaints/{code}/files"), form)
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        app.db.count("SELECT COUNT(*) FROM uploads").await,
        0,
        "nothing waits"
    );

    let (_, page) = coordinator
        .get(&format!("/console/complaints/{code}"))
        .await;
    assert!(page.contains("sesudah.jpg") && page.contains("catatan.jpg"));
    assert!(page.contains("/console/files/") && page.contains("?size=thumb"));
    // The reporter sees the reply's photo, not the note's; so does the public.
    let (_, view) = app.get(&format!("/api/v1/complaints/{code}")).await;
    let names: Vec<&str> = view["attachments"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sesudah.jpg"]);
    let public_id = app.db.public_id(&code).await;
    let (_, one) = app
        .get(&format!("/open311/v2/requests/{public_id}.json"))
        .await;
    assert!(
        one[0]["media_url"]
            .as_str()
            .is_some_and(|u| u.contains("/api/v1/media/")),
        "{one}"
    );
}

async fn a_regions_app_gets_officer_photos_by_signed_links(engine: Engine) {
    let app = spawn_app(engine).await;
    crate::console::wait_until_serving(&app).await;
    let receiver = crate::outbox::Receiver::start(0).await;
    crate::outbox::subscribe(&app, &receiver, None).await;
    let coordinator = officer(&app, "coordinator", "badung", None).await;
    // The reporter's own photo is content: a region's app is not given it.
    let id = ok_upload(&app, "lubang.jpg", &fixtures::plain_jpeg(400, 300)).await;
    let public = file_with(&app, complaint(), &[id]).await;
    let mut body = complaint();
    body["privacy"] = "confidential".into();
    let secret = file(&app, body).await;
    let (_, page) = coordinator
        .get(&format!("/console/complaints/{public}"))
        .await;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a csrf token")
        .to_owned();
    for code in [&public, &secret] {
        let form = multipart_form(
            &[("csrf", &csrf), ("part", "officer_reply")],
            vec![("sesudah.jpg", fixtures::plain_jpeg(400, 300))],
        );
        let (status, _) = coordinator
            .post_multipart(&format!("/console/complaints/{code}/files"), form)
            .await;
        assert_eq!(status, 303);
    }
    let public_id = app.db.public_id(&public).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let files_added = loop {
        let found = receiver
            .accepted
            .lock()
            .await
            .iter()
            .find(|d| d.body.contains("complaint.files_added"))
            .cloned();
        if let Some(found) = found {
            break found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no files_added message arrived"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(files_added.signed);
    let v: Value = serde_json::from_str(&files_added.body).expect("json");
    assert_eq!(v["data"]["id"], public_id.as_str());
    let files = v["data"]["files"].as_array().expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["name"], "sesudah.jpg");
    let url = files[0]["url"].as_str().expect("a link");
    assert!(
        url.contains("aud=webhook") && url.contains("signature="),
        "{url}"
    );
    let r = app.client.get(url).send().await.expect("an answer");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    // Nothing about the confidential complaint's photo, nor the reporter's.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let all = receiver.accepted.lock().await.clone();
    assert_eq!(
        all.iter()
            .filter(|d| d.body.contains("files_added"))
            .count(),
        1
    );
    assert!(!all.iter().any(|d| d.body.contains("lubang.jpg")));
}

async fn an_open311_partner_sends_photos_as_media(engine: Engine) {
    let app = spawn_app(engine).await;
    let key = crate::open311::partner_key(&app).await;
    let fields = [
        ("api_key", key.as_str()),
        ("jurisdiction_id", "badung"),
        ("service_code", "jalan"),
        ("address_string", "Jalan Raya Kuta 12"),
        (
            "description",
            "Lubang besar di Jalan Raya Kuta, berbahaya untuk motor.",
        ),
    ];
    let send = |media: Vec<(&'static str, Vec<u8>)>| {
        let form = media.into_iter().fold(
            fields
                .iter()
                .fold(reqwest::multipart::Form::new(), |f, (k, v)| {
                    f.text(*k, (*v).to_owned())
                }),
            |f, (name, bytes)| {
                f.part(
                    "media",
                    reqwest::multipart::Part::bytes(bytes).file_name(name),
                )
            },
        );
        app.client
            .post(app.url("/open311/v2/requests.json"))
            .multipart(form)
            .send()
    };
    // A file that is no photo: the specification's error, nothing filed or kept.
    let r = send(vec![("foto.jpg", b"<html>not a photo</html>".to_vec())])
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    let body: Value = r.json().await.unwrap();
    assert!(
        body[0]["description"]
            .as_str()
            .unwrap_or_default()
            .contains("foto.jpg"),
        "{body}"
    );
    assert_eq!(app.complaints_stored().await, 0);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM uploads").await, 0);
    // A photo: filed with it, and the listing names it.
    let r = send(vec![("lubang.jpg", fixtures::phone_photo())])
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let body: Value = r.json().await.unwrap();
    let id = body[0]["service_request_id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let (_, one) = app.get(&format!("/open311/v2/requests/{id}.json")).await;
    let media = one[0]["media_url"]
        .as_str()
        .expect("a media_url")
        .to_owned();
    let photo = app
        .client
        .get(&media)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(!photo.windows(SERIAL.len()).any(|w| w == SERIAL.as_bytes()));
    // The same request again (a retry) files nothing and attaches nothing more.
    let r = send(vec![("lubang.jpg", fixtures::phone_photo())])
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let again: Value = r.json().await.unwrap();
    assert_eq!(again[0]["service_request_id"], id.as_str());
    assert_eq!(app.complaints_stored().await, 1);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM attachments").await, 1);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM uploads").await, 0);
}

macro_rules! both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(crate::support::Engine::Sqlite).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                super::$name(crate::support::Engine::Postgres).await;
            })*
        }
    };
}

both_engines!(
    a_phone_photo_comes_out_upright_and_without_metadata,
    a_png_loses_its_text_and_a_large_photo_is_scaled,
    refused_files_are_named_and_nothing_is_kept,
    an_upload_resumes_from_the_last_byte_held,
    attaching_is_checked_before_anything_is_written,
    only_whom_the_policy_allows_can_fetch_a_file,
    orphans_expire_and_retention_removes_the_bytes,
    the_no_script_form_takes_files_and_keeps_them_when_shown_again,
    an_officer_adds_photos_to_a_reply_or_a_note,
    a_regions_app_gets_officer_photos_by_signed_links,
    an_open311_partner_sends_photos_as_media,
);
