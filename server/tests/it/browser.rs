//! A small Chrome DevTools Protocol client for the browser tests and the
//! widget benchmark: real headless Chromium, started with a fresh profile and
//! the flags this network-less machine needs, driven over its DevTools
//! WebSocket. (`xtask` includes this file too.)

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, broadcast, oneshot};
use tokio_tungstenite::tungstenite::Message;

type Sink = futures_util::stream::SplitSink<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Message,
>;

/// A running Chromium.
pub struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    sink: Mutex<Sink>,
    pending: Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>,
    events: broadcast::Sender<Value>,
    next: AtomicU64,
}

fn chromium() -> String {
    if let Ok(path) = std::env::var("ADUAN_CHROMIUM") {
        return path;
    }
    for candidate in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ] {
        if std::path::Path::new(candidate).exists() {
            return candidate.to_owned();
        }
    }
    panic!(
        "Chromium is not installed: the browser tests need Debian's `chromium` (cargo xtask test installs it when run as root)"
    );
}

impl Browser {
    pub async fn launch() -> Browser {
        let profile = tempfile::tempdir().expect("a profile folder");
        let mut child = Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                "--window-size=1000,1600",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("Chromium starts");
        let stderr = child.stderr.take().expect("its error output");
        let mut lines = BufReader::new(stderr).lines();
        let mut url = None;
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(at) = line.find("ws://") {
                url = Some(line[at..].trim().to_owned());
                break;
            }
        }
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let url = url.expect("Chromium printed its DevTools address");
        let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .expect("the DevTools socket");
        let (sink, mut stream) = ws.split();
        let pending: Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>> = Arc::default();
        let (events, _) = broadcast::channel(1024);
        let (p, e) = (pending.clone(), events.clone());
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let value: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                match value["id"].as_u64() {
                    Some(id) => {
                        if let Some(tx) = p.lock().await.remove(&id) {
                            let _ = tx.send(value);
                        }
                    }
                    None => {
                        let _ = e.send(value);
                    }
                }
            }
        });
        Browser {
            child,
            _profile: profile,
            sink: Mutex::new(sink),
            pending,
            events,
            next: AtomicU64::new(1),
        }
    }

    /// Sends a command and waits for its answer.
    pub async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, String> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().await.insert(id, tx);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            message["sessionId"] = json!(s);
        }
        self.sink
            .lock()
            .await
            .send(Message::Text(message.to_string().into()))
            .await
            .map_err(|e| e.to_string())?;
        let answer = tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .map_err(|_| format!("{method} got no answer"))?
            .map_err(|e| e.to_string())?;
        if let Some(error) = answer.get("error") {
            return Err(format!("{method}: {error}"));
        }
        Ok(answer["result"].clone())
    }

    /// A new tab.
    pub async fn page(&self) -> Page<'_> {
        let target = self
            .call(None, "Target.createTarget", json!({"url": "about:blank"}))
            .await
            .expect("a tab");
        let attached = self
            .call(
                None,
                "Target.attachToTarget",
                json!({"targetId": target["targetId"], "flatten": true}),
            )
            .await
            .expect("attached");
        let session = attached["sessionId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let page = Page {
            browser: self,
            session,
        };
        page.call("Page.enable", json!({})).await;
        page.call("Runtime.enable", json!({})).await;
        page
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// One tab.
pub struct Page<'a> {
    browser: &'a Browser,
    pub session: String,
}

impl Page<'_> {
    pub async fn call(&self, method: &str, params: Value) -> Value {
        self.browser
            .call(Some(&self.session), method, params)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Events of this tab.
    pub fn events(&self) -> broadcast::Receiver<Value> {
        self.browser.events.subscribe()
    }

    /// Opens `url` and waits for its load event. A load event of the page
    /// before (a form post still arriving) does not count: only one after
    /// the main frame committed this navigation's document.
    pub async fn goto(&self, url: &str) {
        let mut events = self.events();
        let navigated = self.call("Page.navigate", json!({ "url": url })).await;
        let loader = navigated["loaderId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let mut committed = loader.is_empty();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, events.recv()).await {
                Ok(Ok(e)) if e["sessionId"] == self.session.as_str() => {
                    let frame = &e["params"]["frame"];
                    if e["method"] == "Page.frameNavigated"
                        && frame["parentId"].is_null()
                        && frame["loaderId"] == loader.as_str()
                    {
                        committed = true;
                    }
                    if e["method"] == "Page.loadEventFired" && committed {
                        return;
                    }
                }
                Ok(_) => {}
                Err(_) => panic!("{url} did not load"),
            }
        }
    }

    /// Evaluates JavaScript (awaiting a promise) and returns its value.
    pub async fn eval(&self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "awaitPromise": true, "returnByValue": true}),
            )
            .await;
        if let Some(details) = result.get("exceptionDetails") {
            panic!("{expression} threw: {details}");
        }
        result["result"]["value"].clone()
    }

    /// Evaluates `expression` until it is truthy, for at most `seconds`.
    pub async fn wait_for(&self, expression: &str, seconds: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let guarded = format!(
            "(() => {{ try {{ return ({expression}); }} catch (e) {{ return null; }} }})()"
        );
        loop {
            let value = self.eval(&guarded).await;
            let truthy = !matches!(&value, Value::Null | Value::Bool(false))
                && value != json!(0)
                && value != json!("");
            if truthy {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "waited {seconds} s for: {expression}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
