//! Filing, tracking and replying, shared by the JSON API and the hosted
//! pages: validation, routing, the clocks and the store, with refusals as
//! [`ApiError`]s in the citizen's language.

use aduan_app::api::{
    Classification, ComplaintInput, Due, Locale, Named, Receipt, Status, TimelineEntry,
    TrackingView,
};
use aduan_app::date::rfc3339;
use aduan_app::i18n::{Msg, Reason};
use aduan_app::tracking::{CodeError, TrackingCode};
use aduan_app::validate;
use axum::http::StatusCode;
use sha2::{Digest, Sha256};

use crate::attachments::Part;
use crate::casework::CaseError;
use crate::domain::calendar::add_working_days;
use crate::domain::catalog::Catalog;
use crate::domain::lifecycle::{Action, clock};
use crate::domain::routing::route;
use crate::error::ApiError;
use crate::state::{AppState, now_ms};
use crate::store::{
    NewComplaint, PublicComplaint, PublicEvent, ReplyOutcome, ReporterReply, StoreError,
    SubmitOutcome,
};

/// The first step after intake: verification and dispatch.
const FIRST_STEP: &str = "verification";

fn named(key: &str, name: Option<&str>) -> Named {
    Named {
        key: key.to_owned(),
        name: name.unwrap_or(key).to_owned(),
    }
}

fn random_bits() -> u128 {
    rand::random::<u128>()
}

/// Validates, routes and stores a complaint in one transaction; returns the
/// receipt as JSON once it committed (or the original receipt for a retry).
pub async fn file(
    state: &AppState,
    input: &ComplaintInput,
    key: &str,
    channel: &'static str,
    origin: Option<&axum::http::HeaderMap>,
    locale: Locale,
) -> Result<String, ApiError> {
    let catalog = &state.catalog();
    let now = now_ms();
    let today = catalog.today(now);
    let valid =
        validate::complaint(input, today, catalog.as_ref()).map_err(|e| ApiError::invalid(&e))?;
    let routed = route(&valid, catalog).map_err(|e| ApiError::internal(e.to_string()))?;
    if let Some(headers) = origin {
        crate::sites::gate::admit_filing(state, &valid.region, &routed.region, headers, locale)
            .await?;
    }
    let region = catalog
        .region(&routed.region)
        .ok_or_else(|| ApiError::internal(format!("routed to unknown region {}", routed.region)))?;
    let unit_name = catalog
        .unit(&routed.region, &routed.unit)
        .map(|u| u.name.as_str());
    let due_date = add_working_days(
        today,
        catalog.settings.verify_days,
        catalog.holidays(&routed.region),
    );
    let body_hash = {
        let canonical = serde_json::to_vec(input).map_err(|e| ApiError::internal(e.to_string()))?;
        format!("{:x}", Sha256::digest(&canonical))
    };
    if !input.attachments.is_empty() {
        // A retry of a complaint filed with files: its uploads are attached
        // already, so they are not checked again; attaching is idempotent.
        let earlier = state
            .store
            .idempotent_receipt(key)
            .await
            .map_err(|e| ApiError::from(e).speaking(locale))?;
        match earlier {
            Some((hash, receipt)) if hash == body_hash => {
                let code = serde_json::from_str::<Receipt>(&receipt)
                    .map_err(|e| ApiError::internal(e.to_string()))?
                    .tracking_code;
                attach_to(state, &code, &input.attachments, Part::Complaint, locale).await?;
                return Ok(receipt);
            }
            Some(_) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "idempotency_key_reused",
                    Reason::IdempotencyKeyReused,
                )
                .speaking(locale));
            }
            None => {
                state
                    .files
                    .check(state.store.as_ref(), &input.attachments, None, locale)
                    .await?;
            }
        }
    }

    // 75 random bits make a collision vanishingly rare; a few tries cover it.
    for _ in 0..4 {
        let code = TrackingCode::generate(&region.code_prefix, random_bits())
            .ok_or_else(|| ApiError::internal(format!("bad prefix for {}", region.slug)))?;
        let receipt = Receipt {
            tracking_code: code.to_string(),
            status: Status::Submitted,
            privacy: routed.privacy,
            region: named(&region.slug, Some(&region.name)),
            unit: named(&routed.unit, unit_name),
            submitted_at: rfc3339(now),
            due: Due {
                step: FIRST_STEP.to_owned(),
                date: due_date.to_string(),
            },
        };
        let receipt_json =
            serde_json::to_string(&receipt).map_err(|e| ApiError::internal(e.to_string()))?;
        let new = NewComplaint {
            tracking_code: receipt.tracking_code.clone(),
            public_id: format!("{:016x}", rand::random::<u64>()),
            idempotency_key: key.to_owned(),
            body_hash: body_hash.clone(),
            region: routed.region.clone(),
            unit: routed.unit.clone(),
            filed_region: valid.region.clone(),
            channel: channel.to_owned(),
            handed_off_from: routed.handed_off_from.clone(),
            district: valid.district.clone(),
            category: valid.category.clone(),
            classification: valid.classification.key().to_owned(),
            privacy: routed.privacy,
            title: valid.title.clone(),
            description: valid.description.clone(),
            location: valid.location.clone(),
            landmark: valid.landmark.clone(),
            position: valid.position.as_ref().and_then(|p| p.degrees()),
            incident_date: valid.incident_date.map(|d| d.to_string()),
            locale: valid.locale.key().to_owned(),
            reporter: valid.reporter.clone(),
            due_step: FIRST_STEP.to_owned(),
            due_date: due_date.to_string(),
            at_ms: now,
            receipt_json: receipt_json.clone(),
            mail: crate::mail::MailContext::of(&state.config),
        };
        match state.store.submit(new).await {
            Ok(SubmitOutcome::Created) => {
                attach_to(
                    state,
                    &receipt.tracking_code,
                    &input.attachments,
                    Part::Complaint,
                    locale,
                )
                .await?;
                return Ok(receipt_json);
            }
            Ok(SubmitOutcome::Replayed(stored)) => {
                // A retry attaches what the first try may not have.
                if !input.attachments.is_empty() {
                    let code = serde_json::from_str::<Receipt>(&stored)
                        .map_err(|e| ApiError::internal(e.to_string()))?
                        .tracking_code;
                    attach_to(state, &code, &input.attachments, Part::Complaint, locale).await?;
                }
                return Ok(stored);
            }
            Ok(SubmitOutcome::KeyReused) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "idempotency_key_reused",
                    Reason::IdempotencyKeyReused,
                )
                .speaking(locale));
            }
            Err(StoreError::DuplicateCode) => continue,
            Err(e) => return Err(ApiError::from(e).speaking(locale)),
        }
    }
    Err(ApiError::internal("four tracking-code collisions in a row"))
}

/// Attaches checked uploads to the complaint with this code.
async fn attach_to(
    state: &AppState,
    code: &str,
    uploads: &[String],
    part: Part,
    locale: Locale,
) -> Result<(), ApiError> {
    if uploads.is_empty() {
        return Ok(());
    }
    let complaint = state
        .store
        .complaint_ref(code)
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))?
        .ok_or_else(|| ApiError::not_found(Reason::ComplaintNotFound).speaking(locale))?;
    state
        .files
        .attach(state.store.as_ref(), complaint.id, uploads, part, locale)
        .await
}

/// What the reporter may see of a complaint's files, with addresses under
/// its tracking code.
pub async fn files_for_reporter(
    state: &AppState,
    code: &TrackingCode,
    locale: Locale,
) -> Result<Vec<aduan_app::api::FileView>, ApiError> {
    let Some(complaint) = state
        .store
        .complaint_ref(code.as_str())
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))?
    else {
        return Ok(Vec::new());
    };
    let privacy = aduan_app::api::Privacy::of(complaint.anonymous, complaint.confidential);
    reporter_files(state, complaint.id, privacy, code, locale).await
}

/// The files of complaint `id` its reporter may see.
async fn reporter_files(
    state: &AppState,
    id: i64,
    privacy: aduan_app::api::Privacy,
    code: &TrackingCode,
    locale: Locale,
) -> Result<Vec<aduan_app::api::FileView>, ApiError> {
    let rows = state
        .store
        .attachments(id)
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))?;
    Ok(rows
        .into_iter()
        .filter(|row| row.visible_to(crate::disclosure::Audience::Reporter, privacy))
        .map(|row| {
            let url = format!("/api/v1/complaints/{code}/files/{}", row.id);
            aduan_app::api::FileView {
                thumb_url: row.thumb.is_some().then(|| format!("{url}?size=thumb")),
                id: row.id,
                name: row.filename,
                kind: row.kind,
                size: u64::try_from(row.size).unwrap_or(0),
                part: row.part,
                at: rfc3339(row.created_at),
                url,
            }
        })
        .collect())
}

/// Reads a tracking code from the path: 400 for a malformed or mistyped one.
pub fn tracking_code(typed: &str, locale: Locale) -> Result<TrackingCode, ApiError> {
    TrackingCode::parse(typed).map_err(|e| {
        let (code, msg) = match e {
            CodeError::Malformed => ("tracking_code_malformed", Msg::TrackingCodeMalformed),
            CodeError::Mistyped => ("tracking_code_mistyped", Msg::TrackingCodeMistyped),
        };
        ApiError::new(StatusCode::BAD_REQUEST, code, msg).speaking(locale)
    })
}

fn parse_status(key: &str) -> Result<Status, ApiError> {
    Status::from_key(key).ok_or_else(|| ApiError::internal(format!("stored status `{key}`")))
}

/// The tracker's view: status, routed-to names, due date, public history.
fn tracking_view(
    catalog: &Catalog,
    c: PublicComplaint,
    events: Vec<PublicEvent>,
) -> Result<TrackingView, ApiError> {
    let status = parse_status(&c.status)?;
    let category = catalog
        .category(&c.category)
        .map(Catalog::category_option)
        .ok_or_else(|| ApiError::internal(format!("stored category `{}`", c.category)))?;
    let mut timeline = Vec::with_capacity(events.len());
    for e in events {
        timeline.push(TimelineEntry {
            at: rfc3339(e.at),
            kind: e.kind,
            author: e.author,
            from_status: e.from_status.as_deref().map(parse_status).transpose()?,
            to_status: e.to_status.as_deref().map(parse_status).transpose()?,
            message: e.public_message,
        });
    }
    let due = match (c.due_step, c.due_date) {
        (Some(step), Some(date)) if !status.is_final() => Some(Due { step, date }),
        _ => None,
    };
    Ok(TrackingView {
        tracking_code: c.tracking_code,
        status,
        classification: Classification::from_key(&c.classification).ok_or_else(|| {
            ApiError::internal(format!("stored classification `{}`", c.classification))
        })?,
        privacy: c.privacy,
        title: c.title,
        category,
        region: named(
            &c.region,
            catalog.region(&c.region).map(|r| r.name.as_str()),
        ),
        unit: named(
            &c.unit,
            catalog.unit(&c.region, &c.unit).map(|u| u.name.as_str()),
        ),
        submitted_at: rfc3339(c.created_at),
        updated_at: rfc3339(c.updated_at),
        due,
        accepts_replies: !status.is_final(),
        rating: c.rating,
        lapor_tracking_id: c.lapor_tracking_id,
        timeline,
    })
}

/// The tracker's view of a complaint.
pub async fn track(
    state: &AppState,
    code: &TrackingCode,
    locale: Locale,
) -> Result<TrackingView, ApiError> {
    let (complaint, events) = state
        .store
        .find_public(code.as_str())
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))?
        .ok_or_else(|| ApiError::not_found(Reason::ComplaintNotFound).speaking(locale))?;
    tracking_view(&state.catalog(), complaint, events)
}

/// The tracker's view of a complaint with the files its reporter may see:
/// one query when it has no files, two when it has.
pub async fn tracked(
    state: &AppState,
    code: &TrackingCode,
    locale: Locale,
) -> Result<(TrackingView, Vec<aduan_app::api::FileView>), ApiError> {
    let (complaint, events) = state
        .store
        .find_public(code.as_str())
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))?
        .ok_or_else(|| ApiError::not_found(Reason::ComplaintNotFound).speaking(locale))?;
    let files = if complaint.has_files {
        reporter_files(state, complaint.id, complaint.privacy, code, locale).await?
    } else {
        Vec::new()
    };
    Ok((tracking_view(&state.catalog(), complaint, events)?, files))
}

/// The reporter confirms that the follow-up resolved the complaint: it is
/// closed. Only a resolved complaint can be confirmed.
pub async fn confirm(
    state: &AppState,
    code: &TrackingCode,
    locale: Locale,
) -> Result<TrackingView, ApiError> {
    let not_found = || ApiError::not_found(Reason::ComplaintNotFound).speaking(locale);
    let c = state
        .store
        .complaint_ref(code.as_str())
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))?
        .ok_or_else(not_found)?;
    let from = parse_status(&c.status)?;
    if from == Status::Closed {
        // Confirming twice (a retry after a lost answer) changes nothing.
        return track(state, code, locale).await;
    }
    let command = crate::casework::Command::of(Action::ReporterConfirm);
    let applied = crate::casework::apply(
        state,
        &crate::casework::Actor::Reporter,
        &c,
        &command,
        locale,
    )
    .await;
    match applied {
        Ok(()) => track(state, code, locale).await,
        Err(CaseError::Refused(_)) => {
            Err(
                ApiError::new(StatusCode::CONFLICT, "not_resolved", Reason::NotResolved)
                    .speaking(locale),
            )
        }
        Err(CaseError::Changed) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "complaint_changed",
            Reason::ComplaintChanged,
        )
        .speaking(locale)),
        Err(CaseError::NotFound) => Err(not_found()),
        Err(CaseError::Store(e)) => Err(ApiError::from(e).speaking(locale)),
    }
}

/// The reporter rates the handling of a resolved or closed complaint, once.
/// Returns the complaint as it is now.
pub async fn rate(
    state: &AppState,
    code: &TrackingCode,
    score: u8,
    comment: Option<String>,
    locale: Locale,
) -> Result<TrackingView, ApiError> {
    let c = state
        .store
        .complaint_ref(code.as_str())
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))?
        .ok_or_else(|| ApiError::not_found(Reason::ComplaintNotFound).speaking(locale))?;
    if !matches!(c.status.as_str(), "resolved" | "closed") {
        return Err(
            ApiError::new(StatusCode::CONFLICT, "not_resolved", Reason::NotRatable)
                .speaking(locale),
        );
    }
    let added = state
        .store
        .rate(c.id, i32::from(score), comment, now_ms())
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))?;
    if !added {
        return Err(
            ApiError::new(StatusCode::CONFLICT, "already_rated", Reason::AlreadyRated)
                .speaking(locale),
        );
    }
    track(state, code, locale).await
}

/// Adds the reporter's reply; a complaint waiting for it goes back to
/// verification with a fresh clock. With a key, a retry of the same reply is
/// stored once. Returns the complaint as it is now.
pub async fn reply(
    state: &AppState,
    code: &TrackingCode,
    message: String,
    attachments: &[String],
    key: Option<String>,
    locale: Locale,
) -> Result<TrackingView, ApiError> {
    let current = track(state, code, locale).await?;
    if !attachments.is_empty() {
        // A retried reply names files its first try attached already.
        let complaint = state
            .store
            .complaint_ref(code.as_str())
            .await
            .map_err(|e| ApiError::from(e).speaking(locale))?
            .map(|c| c.id);
        state
            .files
            .check(state.store.as_ref(), attachments, complaint, locale)
            .await?;
    }
    let catalog = &state.catalog();
    let now = now_ms();
    let due_after = |status: Status| {
        let (step, days) = clock(status, None, &catalog.settings).unwrap_or((FIRST_STEP, 0));
        let date = add_working_days(
            catalog.today(now),
            days,
            catalog.holidays(&current.region.key),
        );
        (step.to_owned(), date.to_string())
    };
    // The key covers the files too: the same words with other files are
    // another reply.
    let message_hash_input = format!("{message}\u{0}{}", attachments.join(","));
    let reply = ReporterReply {
        tracking_code: code.to_string(),
        message,
        at_ms: now,
        resume_due: due_after(Status::Submitted),
        reopen_due: due_after(Status::InProgress),
        mail: crate::mail::MailContext::of(&state.config),
        idempotency: key.map(|k| {
            (
                k,
                format!("{:x}", Sha256::digest(message_hash_input.as_bytes())),
            )
        }),
    };
    match state.store.add_reporter_reply(reply).await {
        Ok(ReplyOutcome::Added { .. } | ReplyOutcome::Replayed) => {
            attach_to(
                state,
                code.as_str(),
                attachments,
                Part::ReporterReply,
                locale,
            )
            .await?;
            track(state, code, locale).await
        }
        Ok(ReplyOutcome::KeyReused) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_key_reused",
            Reason::IdempotencyKeyReused,
        )
        .speaking(locale)),
        Ok(ReplyOutcome::NotFound) => {
            Err(ApiError::not_found(Reason::ComplaintNotFound).speaking(locale))
        }
        Ok(ReplyOutcome::Closed) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "replies_closed",
            Reason::RepliesClosed,
        )
        .speaking(locale)),
        Err(e) => Err(ApiError::from(e).speaking(locale)),
    }
}

/// The reporter erases their contact details: the complaint stays, its
/// officers see that the contact was erased, and no more e-mail is sent.
/// Erasing twice changes nothing.
pub async fn erase_contact(
    state: &AppState,
    code: &TrackingCode,
    locale: Locale,
) -> Result<(), ApiError> {
    let found = state
        .store
        .erase_contact(code.as_str(), now_ms())
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))?;
    if found {
        Ok(())
    } else {
        Err(ApiError::not_found(Reason::ComplaintNotFound).speaking(locale))
    }
}
