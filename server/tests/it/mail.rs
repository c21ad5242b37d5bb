//! E-mail over SMTP against a small SMTP receiver on loopback, which can
//! also refuse; and against no server at all.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use crate::console::{file, officer};
use crate::support::{Engine, TestApp, complaint, spawn_app_with};

/// One e-mail the receiver took.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) to: String,
    pub(crate) data: String,
}

/// An SMTP receiver: refuses the first `refuse` recipients with 550, then
/// takes everything.
pub(crate) struct Smtp {
    pub(crate) port: u16,
    pub(crate) mails: Arc<Mutex<Vec<Received>>>,
}

impl Smtp {
    pub(crate) async fn start(refuse: u32) -> Smtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let port = listener.local_addr().expect("an address").port();
        let mails: Arc<Mutex<Vec<Received>>> = Arc::default();
        let refusing = Arc::new(AtomicU32::new(refuse));
        let taken = mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (taken, refusing) = (taken.clone(), refusing.clone());
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read);
                    let _ = write.write_all(b"220 test.local ESMTP\r\n").await;
                    let mut to = String::new();
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO")
                        {
                            b"250-test.local\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("MAIL FROM") {
                            b"250 OK\r\n"
                        } else if upper.starts_with("RCPT TO") {
                            if refusing.load(Ordering::SeqCst) > 0 {
                                refusing.fetch_sub(1, Ordering::SeqCst);
                                b"550 mailbox unavailable\r\n"
                            } else {
                                to = line[8..]
                                    .trim()
                                    .trim_matches(['<', '>', ':'])
                                    .trim()
                                    .to_owned();
                                b"250 OK\r\n"
                            }
                        } else if upper.starts_with("DATA") {
                            let _ = write.write_all(b"354 go ahead\r\n").await;
                            let mut data = String::new();
                            loop {
                                let mut l = String::new();
                                if reader.read_line(&mut l).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                if l == ".\r\n" || l == ".\n" {
                                    break;
                                }
                                data.push_str(&l);
                            }
                            taken.lock().await.push(Received {
                                to: to.trim_matches(['<', '>']).to_owned(),
                                data,
                            });
                            b"250 queued\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            b"250 OK\r\n"
                        };
                        if write.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Smtp { port, mails }
    }

    pub(crate) async fn to(&self, address: &str) -> Vec<Received> {
        self.mails
            .lock()
            .await
            .iter()
            .filter(|m| m.to == address)
            .cloned()
            .collect()
    }
}

pub(crate) async fn with_smtp(engine: Engine, port: u16, attempts: u32) -> TestApp {
    spawn_app_with(engine, move |c| {
        c.smtp_host = Some("127.0.0.1".into());
        c.smtp_port = port;
        c.outbox_backoff_ms = 30;
        c.outbox_max_attempts = attempts;
    })
    .await
}

pub(crate) async fn settle(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while app
        .db
        .count("SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND state = 'pending'")
        .await
        > 0
    {
        if Instant::now() > deadline {
            let errors = app.db.strings("SELECT delivery_id || ' ' || state || ' ' || COALESCE(last_error, '-') FROM outbox").await;
            panic!("the outbox did not settle: {errors:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Quoted-printable soft line breaks undone, so text can be searched.
/// A message's text, with quoted-printable undone when it is so encoded
/// (soft breaks joined, `=HH` read as bytes).
pub(crate) fn plain(data: &str) -> String {
    if !data.contains("Content-Transfer-Encoding: quoted-printable") {
        return data.to_owned();
    }
    let joined = data.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn reporters_and_officers_hear_what_concerns_them(engine: Engine) {
    let smtp = Smtp::start(0).await;
    let app = with_smtp(engine, smtp.port, 12).await;
    crate::console::wait_until_serving(&app).await;
    let coordinator = officer(&app, "coordinator", "badung", None).await;
    let unit = officer(&app, "unit", "badung", Some("pupr")).await;
    let code = file(&app, complaint()).await;
    settle(&app).await;
    let receipt = smtp.to("wayan@example.id").await;
    assert_eq!(receipt.len(), 1, "the receipt");
    let text = plain(&receipt[0].data);
    assert!(
        text.contains(&code) && text.contains("/r/badung/track?code="),
        "{text}"
    );
    assert!(
        text.contains("Subject: Pengaduan Anda diterima"),
        "in the reporter's language: {text}"
    );
    assert_eq!(
        smtp.to(&coordinator.email).await.len(),
        1,
        "the coordinator hears of a complaint to verify"
    );
    assert!(smtp.to(&unit.email).await.is_empty());

    coordinator
        .act(&code, &[("action", "dispatch"), ("unit", "pupr")])
        .await;
    coordinator
        .act(&code, &[("action", "note"), ("note", "CATATAN-DALAM")])
        .await;
    coordinator
        .act(
            &code,
            &[
                ("action", "reply"),
                ("message", "Petugas akan datang besok."),
            ],
        )
        .await;
    settle(&app).await;
    assert_eq!(
        smtp.to(&unit.email).await.len(),
        1,
        "the unit hears of the dispatch"
    );
    let reporter = smtp.to("wayan@example.id").await;
    assert_eq!(
        reporter.len(),
        3,
        "receipt, the change of state and the reply; never the note"
    );
    let all: String = reporter.iter().map(|m| plain(&m.data)).collect();
    assert!(all.contains("Petugas akan datang besok."));
    assert!(!all.contains("CATATAN-DALAM"));

    // A reporter writing in English hears in English; their own reply is
    // not sent back to them.
    let mut english = complaint();
    english["locale"] = "en".into();
    english["reporter"]["email"] = "tourist@example.com".into();
    let code = file(&app, english).await;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/complaints/{code}/replies")))
        .json(&serde_json::json!({"message": "One more detail about the hole."}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 201);
    settle(&app).await;
    let tourist = smtp.to("tourist@example.com").await;
    assert_eq!(tourist.len(), 1, "{tourist:?}");
    assert!(plain(&tourist[0].data).contains("Subject: Your complaint was received"));

    // And a reporter writing in Balinese, in Balinese.
    let mut balinese = complaint();
    balinese["locale"] = "ban".into();
    balinese["reporter"]["email"] = "krama@example.id".into();
    file(&app, balinese).await;
    settle(&app).await;
    let krama = smtp.to("krama@example.id").await;
    assert_eq!(krama.len(), 1, "{krama:?}");
    let text = plain(&krama[0].data);
    let opening = aduan_app::words::Word::MailReceivedOpening.text(aduan_app::api::Locale::Ban);
    assert!(text.contains(opening), "{opening} in {text}");

    // Due dates about to pass: each officer is reminded once.
    app.db
        .exec("UPDATE complaints SET due_date = '2000-01-03'")
        .await
        .expect("due");
    let state = app.state().await;
    let reminders = state
        .store
        .queue_due_reminders(
            "2000-01-03",
            &aduan_server::mail::MailContext {
                public_url: app.base.clone(),
            },
            0,
        )
        .await
        .expect("reminders");
    assert!(reminders >= 2, "{reminders}");
    let again = state
        .store
        .queue_due_reminders(
            "2000-01-03",
            &aduan_server::mail::MailContext {
                public_url: app.base.clone(),
            },
            0,
        )
        .await
        .expect("reminders");
    assert_eq!(again, reminders, "the same rows are found");
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM outbox WHERE delivery_id LIKE 'due_%'")
            .await,
        i64::try_from(reminders).unwrap_or(0),
        "queued once"
    );
    state.store.close().await;
}

#[tokio::test]
async fn sqlite_mail() {
    reporters_and_officers_hear_what_concerns_them(Engine::Sqlite).await;
}

#[tokio::test]
async fn postgres_mail() {
    reporters_and_officers_hear_what_concerns_them(Engine::Postgres).await;
}

#[tokio::test]
async fn a_refusing_smtp_server_is_retried_then_parked_and_blocks_nothing() {
    // Refuses twice, then takes it: retried and delivered.
    let smtp = Smtp::start(2).await;
    let app = with_smtp(Engine::Sqlite, smtp.port, 12).await;
    file(&app, complaint()).await;
    settle(&app).await;
    assert_eq!(smtp.to("wayan@example.id").await.len(), 1);
    assert!(
        app.db
            .count("SELECT CAST(MAX(attempts) AS BIGINT) FROM outbox WHERE channel = 'email'")
            .await
            >= 3
    );

    // Always refuses: parked with the reason, while filing goes on.
    let smtp = Smtp::start(1_000).await;
    let app = with_smtp(Engine::Sqlite, smtp.port, 2).await;
    let first = file(&app, complaint()).await;
    settle(&app).await;
    assert_eq!(
        app.db
            .count(
                "SELECT COUNT(*) FROM outbox WHERE state = 'failed' AND last_error LIKE '%refused%'"
            )
            .await,
        1
    );
    let second = file(&app, complaint()).await;
    assert_ne!(first, second);
    assert_eq!(app.complaints_stored().await, 2);
}

#[tokio::test]
async fn an_unreachable_smtp_server_parks_the_mail_and_blocks_nothing() {
    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        l.local_addr().expect("an address").port()
    };
    let app = with_smtp(Engine::Sqlite, port, 2).await;
    file(&app, complaint()).await;
    settle(&app).await;
    assert_eq!(app.db.count("SELECT COUNT(*) FROM outbox WHERE state = 'failed' AND last_error LIKE '%could not be reached%'").await, 1);
    assert_eq!(app.complaints_stored().await, 1);
}
