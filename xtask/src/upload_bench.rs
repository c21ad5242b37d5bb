//! Photos: a 12-megapixel JPEG from choosing it in the widget to the
//! receipt, in headless Chromium with a 4x slower CPU and a slow mobile
//! network (150 ms, 1.6 Mbps each way), with the bytes on the wire; and the
//! server taking 50 uploads of 10 MB at once: how fast it cleans them and
//! how much memory it needs, next to 50 uploads of 1 MB (memory must not
//! grow with the file size).

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use image::ImageEncoder;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::Result;

/// A noisy photo of `w`×`h` (compresses like a real one) at `quality`.
pub fn photo(w: u32, h: u32, quality: u8) -> Vec<u8> {
    let mut seed: u32 = 0x2545_f491;
    let pixels = image::RgbImage::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let n = (seed & 0x1f) as u8;
        image::Rgb([
            ((x * 255 / w) as u8).saturating_add(n),
            ((y * 255 / h) as u8).saturating_add(n / 2),
            (((x + y) * 127 / (w + h)) as u8).saturating_add(n),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(pixels.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .expect("a JPEG");
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn w(selector: &str) -> String {
    format!("document.querySelector('aduan-widget').shadowRoot.querySelector({selector:?})")
}

/// Choosing a 12-megapixel photo in the widget to the receipt: the time and
/// the bytes the browser sent.
pub async fn in_the_widget(server: SocketAddr, runs: usize) -> Result<(Vec<f64>, Vec<u64>, usize)> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("IMG_20261203_101500.jpg");
    let original = photo(4000, 3000, 92);
    std::fs::write(&path, &original).map_err(|e| e.to_string())?;
    let proxy = crate::cutter::Cutter::start(server).await;
    let browser = crate::browser::Browser::launch().await;
    let (mut times, mut bytes) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let page = browser.page().await;
        page.call("Network.enable", json!({})).await;
        page.call("Network.setCacheDisabled", json!({"cacheDisabled": true}))
            .await;
        page.goto(&format!("{}/demo/inline.html", proxy.url)).await;
        page.wait_for(
            &format!(
                "{} && {}",
                w("#files-pick"),
                w("#category option[value=jalan]")
            ),
            60,
        )
        .await;
        for (field, value) in [
            ("#title", "Jalan rusak di depan balai banjar"),
            (
                "#description",
                "Aspal mengelupas dan berlubang dalam, berbahaya untuk motor.",
            ),
            ("#category", "jalan"),
            ("#district", "denpasar-barat"),
        ] {
            page.eval(&format!(
                "(el => {{ el.value = {value:?}; el.dispatchEvent(new Event('input', {{bubbles: true}})); \
                 el.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})({})",
                w(field)
            ))
            .await;
        }
        page.eval(&format!("({}).click() ?? true", w("input[name=consent]")))
            .await;
        // The phone and its network from here on.
        page.call(
            "Network.emulateNetworkConditions",
            json!({"offline": false, "latency": 150, "downloadThroughput": 200_000, "uploadThroughput": 200_000}),
        )
        .await;
        page.call("Emulation.setCPUThrottlingRate", json!({"rate": 4}))
            .await;
        proxy.arm(Vec::new(), crate::cutter::Break::Reset).await;
        let input = page
            .call(
                "Runtime.evaluate",
                json!({"expression": w("#files-pick"), "returnByValue": false}),
            )
            .await;
        let object = input["result"]["objectId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let t0 = Instant::now();
        page.call(
            "DOM.setFileInputFiles",
            json!({"objectId": object, "files": [path.display().to_string()]}),
        )
        .await;
        let list = w("ul[data-aduan-files]");
        page.wait_for(
            &format!("{list}.dataset.ids && !{list}.hasAttribute('data-busy')"),
            120,
        )
        .await;
        page.eval(&format!("({}).click() ?? true", w("button[type=submit]")))
            .await;
        page.wait_for(&format!("{}?.textContent", w("section p.code")), 120)
            .await;
        times.push(t0.elapsed().as_secs_f64());
        bytes.push(proxy.sent.load(Ordering::SeqCst));
        page.call("Page.close", json!({})).await;
    }
    Ok((times, bytes, original.len()))
}

/// One tus upload of `body` in a single creation request; true when the
/// service took it (201).
async fn upload(server: SocketAddr, body: std::sync::Arc<Vec<u8>>) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(server).await else {
        return false;
    };
    let head = format!(
        "POST /api/v1/uploads HTTP/1.1\r\nHost: {server}\r\nTus-Resumable: 1.0.0\r\nUpload-Length: {n}\r\n\
         Upload-Metadata: filename cGhvdG8uanBn\r\nContent-Type: application/offset+octet-stream\r\n\
         Content-Length: {n}\r\nConnection: close\r\n\r\n",
        n = body.len()
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return false;
    }
    for chunk in body.chunks(64 * 1024) {
        if stream.write_all(chunk).await.is_err() {
            return false;
        }
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    answer.starts_with(b"HTTP/1.1 201")
}

/// `n` uploads of `body` at once: the seconds they took and how many were taken.
pub async fn at_once(server: SocketAddr, body: Vec<u8>, n: usize) -> (f64, usize) {
    let body = std::sync::Arc::new(body);
    let t0 = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|_| tokio::spawn(upload(server, body.clone())))
        .collect();
    let mut taken = 0;
    for task in tasks {
        if task.await.unwrap_or(false) {
            taken += 1;
        }
    }
    (t0.elapsed().as_secs_f64(), taken)
}

pub fn report_widget(times: &[f64], bytes: &[u64], original: usize) {
    println!(
        "\nPhotos in the widget (12 MP JPEG, 4x slower CPU, 150 ms and 1.6 Mbps each way, {} runs):",
        times.len()
    );
    println!("  the photo as taken: {} KB", original / 1000);
    println!(
        "  choosing it to the receipt: median {:.2} s (runs: {}; target under 5 s)",
        median(times.to_vec()),
        times
            .iter()
            .map(|t| format!("{t:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  bytes sent on the wire (photo, upload and complaint requests): median {} KB (target at most 600 KB)",
        median(bytes.iter().map(|b| *b as f64).collect()) as u64 / 1000
    );
}

pub fn pause() -> Duration {
    Duration::from_millis(500)
}
