//! The delivery worker: claims due outbox rows under a lease, delivers them
//! concurrently, and records each outcome. A failure is retried with
//! exponential backoff and jitter; after the configured number of attempts
//! the row is parked for an administrator. A worker that dies leaves its
//! rows leased; they are claimed again when the lease runs out, and the
//! stable delivery id lets the receiver drop the repeat.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::lapor::{HttpLapor, Lapor, Report};
use crate::mail::{Mail, Mailer};
use crate::outbound;
use crate::state::{AppState, now_ms};
use crate::store::outbox::{Delivered, OutboxRow};

/// Deliveries under way at once, each with its own slot.
const BATCH: i64 = 32;
/// The longest wait between two attempts.
const BACKOFF_CAP_MS: u64 = 3_600_000;

/// The wait before attempt `attempts + 1`: doubling from `base_ms`, capped,
/// the upper half drawn at random so that retries do not arrive in step.
pub fn backoff_ms(base_ms: u64, attempts: i64, random: f64) -> u64 {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let full = base_ms
        .saturating_mul(1u64 << doublings)
        .min(BACKOFF_CAP_MS);
    let half = full / 2;
    half + (half as f64 * random.clamp(0.0, 1.0)) as u64
}

/// Delivers one webhook; `Err` with a message fit for the console (no
/// secret and no query string).
pub async fn deliver_webhook(
    client: &reqwest::Client,
    row: &OutboxRow,
    now_ms: i64,
    allow_private: bool,
) -> Result<(), String> {
    let url = row
        .url
        .as_deref()
        .ok_or("the subscriber no longer exists")?;
    if let Some(host) = crate::egress::private_literal(url, allow_private) {
        return Err(crate::egress::refusal(&host));
    }
    let secret = row
        .secret
        .as_deref()
        .ok_or("the subscriber has no secret")?;
    let timestamp = now_ms / 1000;
    let mut signatures = vec![
        outbound::sign(secret, &row.delivery_id, timestamp, &row.payload)
            .ok_or("the subscriber's secret is not valid base64")?,
    ];
    if let (Some(old), Some(until)) = (&row.previous_secret, row.previous_until)
        && until > now_ms
        && let Some(signature) = outbound::sign(old, &row.delivery_id, timestamp, &row.payload)
    {
        signatures.push(signature);
    }
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &row.delivery_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signatures.join(" "))
        .body(row.payload.clone())
        .send()
        .await
        .map_err(|e| {
            let kind = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "could not connect"
            } else {
                "the connection failed"
            };
            format!("{kind}: {}", e.without_url())
        })?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the receiver answered HTTP {}", status.as_u16()))
    }
}

/// Forwards one complaint to SP4N-LAPOR and stores the ids it gave.
async fn deliver_lapor(
    state: &AppState,
    lapor: Option<&dyn Lapor>,
    row: &OutboxRow,
) -> Result<(), String> {
    let lapor =
        lapor.ok_or("SP4N-LAPOR is not configured (ADUAN_LAPOR_URL and ADUAN_LAPOR_TOKEN)")?;
    let mut report: Report = serde_json::from_str(&row.payload)
        .map_err(|e| format!("the stored report is unreadable: {e}"))?;
    // Download links are made now, so a retry carries fresh ones.
    let now = now_ms();
    for file in &mut report.files {
        file.url = Some(
            state
                .files
                .link(&state.config.public_url, "lapor", &file.id, now),
        );
    }
    let receipt = lapor.forward(&report).await?;
    let complaint = row.complaint_id.ok_or("the message names no complaint")?;
    state
        .store
        .record_lapor(complaint, &receipt.tracking_id, &receipt.transaction_id)
        .await
        .map_err(|e| format!("forwarded, but the LAPOR id could not be stored: {e}"))
}

/// The connectors the worker delivers through.
#[derive(Debug)]
pub struct Connectors {
    pub http: reqwest::Client,
    pub lapor: Option<Box<dyn Lapor>>,
    pub mailer: Option<Mailer>,
}

async fn deliver_mail(mailer: Option<&Mailer>, row: &OutboxRow) -> Result<(), String> {
    let mailer = mailer.ok_or("e-mail is not configured (ADUAN_SMTP_HOST)")?;
    let mail: Mail = serde_json::from_str(&row.payload)
        .map_err(|e| format!("the stored e-mail is unreadable: {e}"))?;
    mailer.send(&mail).await
}

async fn deliver(state: &AppState, connectors: &Connectors, row: &OutboxRow) -> Result<(), String> {
    match row.channel.as_str() {
        "webhook" => {
            // Download links are made now, so a retry carries fresh ones.
            let now = now_ms();
            let linked = OutboxRow {
                payload: outbound::with_links(&row.payload, |id| {
                    state.files.link(&state.config.public_url, "webhook", id, now)
                }),
                ..row.clone()
            };
            deliver_webhook(&connectors.http, &linked, now, state.config.webhook_allow_private).await
        }
        "lapor" => deliver_lapor(state, connectors.lapor.as_deref(), row).await,
        "email" => deliver_mail(connectors.mailer.as_ref(), row).await,
        other => Err(format!("no connector delivers `{other}` messages")),
    }
    .inspect_err(|e| {
        tracing::warn!(delivery = %row.delivery_id, request_id = row.request_id.as_deref().unwrap_or("-"), attempt = row.attempts, error = %e, "a delivery failed");
    })
}

/// Who a delivery went to, as the metrics name it: a subscriber by its id,
/// SP4N-LAPOR by region; never an e-mail address.
fn receiver_label(row: &OutboxRow) -> String {
    match row.channel.as_str() {
        "webhook" => format!("subscriber {}", row.target),
        "lapor" => format!("lapor {}", row.target),
        _ => row.channel.clone(),
    }
}

/// Delivers one claimed row and records the outcome.
async fn deliver_and_record(state: &AppState, connectors: &Connectors, row: OutboxRow) {
    let config = &state.config;
    let outcome = match deliver(state, connectors, &row).await {
        Ok(()) => Delivered::Yes,
        Err(error) if row.attempts >= i64::from(config.outbox_max_attempts) => {
            Delivered::Park { error }
        }
        Err(error) => Delivered::Retry {
            at_ms: now_ms()
                + i64::try_from(backoff_ms(
                    config.outbox_backoff_ms,
                    row.attempts,
                    rand::random::<f64>(),
                ))
                .unwrap_or(i64::MAX / 2),
            error,
        },
    };
    let result = match &outcome {
        Delivered::Yes => "delivered",
        Delivered::Park { .. } => "parked",
        Delivered::Retry { .. } => "retry",
    };
    state
        .metrics
        .delivery(&row.channel, &receiver_label(&row), result);
    if let Err(e) = state.store.finish_delivery(row.id, outcome, now_ms()).await {
        // The lease runs out and the row is delivered again; the
        // receiver drops the repeat by its id.
        tracing::warn!(error = %e, delivery = %row.delivery_id, "cannot record a delivery");
    }
}

/// Claims as many due rows as there are free delivery slots and starts
/// each on its own: a slow receiver holds one slot, never the others.
/// Returns how many rows it claimed.
async fn claim_and_start(
    state: &AppState,
    connectors: &Arc<Connectors>,
    slots: &Arc<Semaphore>,
    running: &mut tokio::task::JoinSet<()>,
) -> usize {
    let free = slots
        .available_permits()
        .min(usize::try_from(BATCH).unwrap_or(32));
    if free == 0 {
        return 0;
    }
    let now = now_ms();
    let lease = i64::try_from(state.config.outbox_lease_secs.max(1) * 1000).unwrap_or(60_000);
    let limit = i64::try_from(free).unwrap_or(BATCH);
    let rows = match state.store.claim_outbox(now, now + lease, limit).await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, "cannot claim outbox messages");
            return 0;
        }
    };
    let claimed = rows.len();
    for row in rows {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            break;
        };
        let (state, connectors) = (state.clone(), connectors.clone());
        running.spawn(async move {
            deliver_and_record(&state, &connectors, row).await;
            drop(permit);
        });
    }
    claimed
}

/// Runs the worker until the process stops.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut builder = reqwest::Client::builder();
        if let Some(resolver) = crate::egress::resolver(state.config.webhook_allow_private) {
            builder = builder.dns_resolver(resolver);
        }
        let client = match builder
            .timeout(Duration::from_secs(
                state.config.delivery_timeout_secs.max(1),
            ))
            .connect_timeout(Duration::from_secs(
                state.config.delivery_timeout_secs.clamp(1, 5),
            ))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Aduan-Webhooks/1")
            .build()
        {
            Ok(client) => client,
            Err(e) => {
                tracing::error!(error = %e, "cannot build the delivery client; nothing will be delivered");
                return;
            }
        };
        let lapor: Option<Box<dyn Lapor>> =
            match (&state.config.lapor_url, &state.config.lapor_token) {
                (Some(url), Some(token)) if !url.trim().is_empty() => {
                    match HttpLapor::new(
                        url,
                        token.expose(),
                        Duration::from_secs(state.config.delivery_timeout_secs.max(1)),
                    ) {
                        Ok(l) => Some(Box::new(l)),
                        Err(e) => {
                            tracing::error!(error = %e, "cannot build the SP4N-LAPOR client");
                            None
                        }
                    }
                }
                _ => None,
            };
        let mailer = match Mailer::from_config(&state.config) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "e-mail is configured wrongly; e-mails wait in the outbox");
                None
            }
        };
        let connectors = Arc::new(Connectors {
            http: client,
            lapor,
            mailer,
        });
        let idle = Duration::from_millis(state.config.outbox_poll_ms.max(10));
        let slots = Arc::new(Semaphore::new(usize::try_from(BATCH).unwrap_or(32)));
        let mut running = tokio::task::JoinSet::new();
        loop {
            while running.try_join_next().is_some() {}
            if claim_and_start(&state, &connectors, &slots, &mut running).await == 0 {
                // Nothing due, or every slot busy: wait for a slot to free,
                // a commit that queued messages (here or, on PostgreSQL, in
                // another process), or the poll interval, whichever comes
                // first. The poll finds retries whose time has come.
                tokio::select! {
                    _ = running.join_next(), if !running.is_empty() => {}
                    () = state.store.signals().outbox.notified() => {}
                    () = tokio::time::sleep(idle) => {}
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        assert_eq!(backoff_ms(1000, 1, 0.0), 500);
        assert_eq!(backoff_ms(1000, 1, 1.0), 1000);
        assert_eq!(backoff_ms(1000, 2, 1.0), 2000);
        assert_eq!(backoff_ms(1000, 4, 0.0), 4000);
        let late = backoff_ms(1000, 40, 1.0);
        assert_eq!(late, BACKOFF_CAP_MS);
        for attempt in 1..20 {
            let d = backoff_ms(2000, attempt, 0.5);
            assert!(d >= backoff_ms(2000, attempt, 0.0) && d <= backoff_ms(2000, attempt, 1.0));
        }
    }
}
