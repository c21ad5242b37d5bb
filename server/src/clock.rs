//! The clock task: closes complaints whose quiet period after the
//! resolution passed with no answer, reminds officers of due dates about
//! to pass and writes officers' daily digests (when e-mail is on), forgets expired sessions and whatever the
//! retention settings keep no longer, and rereads the reference data (a
//! routing rule edited in another process).
//!
//! Safe with several server processes on one database: each close is a
//! transition applied only if the complaint is still resolved at the
//! version read, so two processes never close one complaint twice.

use std::time::Duration;

use aduan_app::api::Locale;

use crate::casework::{self, Actor, CaseError, Command};
use crate::domain::lifecycle::Action;
use crate::state::{AppState, now_ms};
use crate::store::{ActOutcome, Purged, Retention, StoreError};

/// Complaints closed per round, at most.
const BATCH: i64 = 500;

/// Closes every resolved complaint whose quiet period ended; returns how many.
pub async fn close_quiet(state: &AppState) -> Result<usize, StoreError> {
    let today = state.catalog().today(now_ms()).to_string();
    let mut closed = 0;
    loop {
        let due = state.store.quiet_resolved(&today, BATCH).await?;
        let found = due.len();
        let mut progressed = false;
        for row in due {
            let outcome = match casework::apply(
                state,
                &Actor::Clock,
                &row,
                &Command::of(Action::AutoClose),
                Locale::Id,
            )
            .await
            {
                Ok(()) => ActOutcome::Done,
                Err(CaseError::NotFound) => ActOutcome::NotFound,
                // Changed (or no longer resolved): another process or an
                // officer came first.
                Err(CaseError::Changed | CaseError::Refused(_)) => ActOutcome::Changed,
                Err(CaseError::Store(e)) => return Err(e),
            };
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
/// complaints that ended long enough ago; uploads never attached once they
/// expire, and the photos and documents of complaints that ended long
/// enough ago, bytes and all.
pub async fn purge(state: &AppState, now: i64) -> Result<Purged, StoreError> {
    let days = |n: u32| now - i64::from(n) * 86_400_000;
    let c = &state.config;
    let mut purged = state
        .store
        .purge(Retention {
            delivered_before: days(c.keep_delivered_days),
            keys_before: days(c.keep_keys_days),
            contacts_before: days(c.keep_contacts_days),
            unconfirmed_before: now - crate::supporters::UNCONFIRMED_DAYS * 86_400_000,
            digests_before: now - crate::digest::KEEP_RUNS_DAYS * 86_400_000,
        })
        .await?;
    let (uploads, files) = state
        .files
        .sweep(state.store.as_ref(), now, days(c.keep_attachments_days))
        .await?;
    purged.uploads = uploads as u64;
    purged.files = files as u64;
    Ok(purged)
}

/// One round of the clock's work.
pub async fn tick(state: &AppState) {
    if let Err(e) = remind_due(state).await {
        tracing::warn!(error = %e, "the clock could not queue due-date reminders");
    }
    match crate::digest::send_digests(state, now_ms()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(digests = n, "queued officers' daily digests"),
        Err(e) => tracing::warn!(error = %e, "the clock could not queue the daily digests"),
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
            uploads = p.uploads,
            files = p.files,
            "forgot what is kept no longer"
        ),
        Err(e) => tracing::warn!(error = %e, "the clock could not purge old data"),
    }
    if let Err(e) = state.reload_catalog().await {
        tracing::warn!(error = %e, "the clock could not reread the reference data");
    }
    match backfill(state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            complaints = n,
            "read the history of older complaints for the indicators"
        ),
        Err(e) => {
            tracing::warn!(error = %e, "the clock could not read older complaints for the indicators")
        }
    }
}

/// Complaints whose facts one round brings up to date, at most.
const BACKFILL_ROUND: usize = 20_000;

/// Reads the history of complaints written before the indicators existed
/// (an upgrade), a batch at a time; how many.
pub async fn backfill(state: &AppState) -> Result<usize, StoreError> {
    let mut done = 0;
    while done < BACKFILL_ROUND {
        let n = state.store.backfill_facts(200).await?;
        done += n;
        if n < 200 {
            break;
        }
    }
    Ok(done)
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
