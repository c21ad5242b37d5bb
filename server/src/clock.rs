//! The clock task: closes complaints whose quiet period after the
//! resolution passed with no answer, reminds officers of due dates about
//! to pass (when e-mail is on), forgets expired sessions and whatever the
//! retention settings keep no longer, and rereads the reference data (a
//! routing rule edited in another process).
//!
//! Safe with several server processes on one database: each close is a
//! transition applied only if the complaint is still resolved at the
//! version read, so two processes never close one complaint twice.

use std::time::Duration;

use aduan_app::api::Status;

use crate::domain::lifecycle::{Action, next};
use crate::state::{AppState, now_ms};
use crate::store::{ActOutcome, Purged, Retention, StoreError, Transition};

/// Complaints closed per round, at most.
const BATCH: i64 = 500;

/// Closes every resolved complaint whose quiet period ended; returns how many.
pub async fn close_quiet(state: &AppState) -> Result<usize, StoreError> {
    let catalog = state.catalog();
    let now = now_ms();
    let today = catalog.today(now).to_string();
    let to = next(Status::Resolved, Action::AutoClose)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut closed = 0;
    loop {
        let due = state.store.quiet_resolved(&today, BATCH).await?;
        let found = due.len();
        let mut progressed = false;
        for row in due {
            let outcome = state
                .store
                .act(Transition {
                    complaint_id: row.id,
                    public_id: row.public_id.clone(),
                    privacy: row.privacy(),
                    tracking_code: row.tracking_code,
                    expected_version: row.version,
                    author: "system",
                    officer_id: None,
                    kind: Action::AutoClose.event_kind(),
                    from_status: Status::Resolved.key().to_owned(),
                    to_status: to.key().to_owned(),
                    region: row.region_slug,
                    unit: row.unit_key,
                    due_step: None,
                    due_date: today.clone(),
                    tier: None,
                    public_message: None,
                    internal_note: None,
                    detail: None,
                    at_ms: now,
                    inbound: None,
                    lapor_update: None,
                    mail: crate::mail::MailContext::of(&state.config),
                })
                .await?;
            if outcome == ActOutcome::Done {
                closed += 1;
            }
            progressed |= outcome != ActOutcome::NotFound;
        }
        if (found as i64) < BATCH || !progressed {
            return Ok(closed);
        }
    }
}

/// Queues reminders for complaints due on the next working day.
pub async fn remind_due(state: &AppState) -> Result<usize, StoreError> {
    let Some(mail) = crate::mail::MailContext::of(&state.config) else {
        return Ok(0);
    };
    let now = now_ms();
    let tomorrow = crate::domain::calendar::add_working_days(
        state.catalog().today(now),
        1,
        &Default::default(),
    );
    state
        .store
        .queue_due_reminders(&tomorrow.to_string(), &mail, now)
        .await
}

/// Forgets, as the retention settings say (UU 27/2022 on personal data):
/// delivered outbox messages and their payloads, idempotency and reply
/// keys, inbound and LAPOR message ids, and the contact details of
/// complaints that ended long enough ago.
pub async fn purge(state: &AppState, now: i64) -> Result<Purged, StoreError> {
    let days = |n: u32| now - i64::from(n) * 86_400_000;
    let c = &state.config;
    state
        .store
        .purge(Retention {
            delivered_before: days(c.keep_delivered_days),
            keys_before: days(c.keep_keys_days),
            contacts_before: days(c.keep_contacts_days),
        })
        .await
}

/// One round of the clock's work.
pub async fn tick(state: &AppState) {
    if let Err(e) = remind_due(state).await {
        tracing::warn!(error = %e, "the clock could not queue due-date reminders");
    }
    match close_quiet(state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(closed = n, "closed complaints whose quiet period passed"),
        Err(e) => tracing::warn!(error = %e, "the clock could not close complaints"),
    }
    let now = now_ms();
    if let Err(e) = state.store.sweep(now, now - 24 * 3600 * 1000).await {
        tracing::warn!(error = %e, "the clock could not sweep sessions");
    }
    match purge(state, now).await {
        Ok(p) if p == Purged::default() => {}
        Ok(p) => tracing::info!(
            messages = p.messages,
            keys = p.keys,
            contacts = p.contacts,
            "forgot what is kept no longer"
        ),
        Err(e) => tracing::warn!(error = %e, "the clock could not purge old data"),
    }
    if let Err(e) = state.reload_catalog().await {
        tracing::warn!(error = %e, "the clock could not reread the reference data");
    }
}

/// Runs [`tick`] every `interval` until the process stops.
pub fn spawn(state: AppState, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(interval.max(Duration::from_secs(1)));
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            tick(&state).await;
        }
    })
}
