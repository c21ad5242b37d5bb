//! "Saya juga": the widget's listing of complaints like the one a citizen
//! is filing, joining one, and the link in a supporter's e-mails that
//! stops them. What is shown is decided in [`crate::supporters`].

use aduan_app::api::{Locale, SupportInput};
use aduan_app::i18n::{Msg, Reason};
use aduan_app::validate::{self, Invalid};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::ApiError;
use crate::extract::{AcceptLocale, JsonBody};
use crate::state::{AppState, now_ms};
use crate::supporters::{self, Joined, NewSupporter};

use super::hosted::Link;

/// `?category=&district=` of the listing.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SimilarQuery {
    pub category: String,
    pub district: String,
}

/// `GET /api/v1/regions/{slug}/similar?category=K&district=D`: up to five
/// open complaints of that category in that district from the last 60
/// days, newest first, as anyone may see them.
pub async fn list(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<SimilarQuery>,
    AcceptLocale(locale): AcceptLocale,
) -> Result<Response, ApiError> {
    let catalog = state.catalog();
    if catalog.region(&slug).is_none() {
        return Err(ApiError::not_found(Reason::RegionNotFound).speaking(locale));
    }
    let mut fields = std::collections::BTreeMap::new();
    let category = query.category.trim();
    match category {
        "" => fields.insert("category".to_owned(), Msg::Required),
        key if catalog.category(key).is_none() => {
            fields.insert("category".to_owned(), Msg::UnknownCategory)
        }
        _ => None,
    };
    // Its key or its name, as a complaint names it.
    let district = aduan_app::validate::Catalog::district_key(&*catalog, query.district.trim())
        .and_then(|key| catalog.district(&key));
    if district.is_none() {
        let msg = match query.district.trim() {
            "" => Msg::Required,
            _ => Msg::UnknownDistrict,
        };
        fields.insert("district".to_owned(), msg);
    }
    let Some(district) = district.filter(|_| fields.is_empty()) else {
        return Err(ApiError::invalid(&Invalid { locale, fields }));
    };
    // A district's complaints go to the region it belongs to, whichever
    // region's site the citizen is on.
    let now = now_ms();
    let since = now - supporters::WINDOW_DAYS * 86_400_000;
    let rows = state
        .store
        .similar(
            &district.region,
            category,
            &district.key,
            since,
            supporters::LISTED,
        )
        .await?;
    let offset = catalog.settings.timezone_offset_minutes;
    let listed = supporters::public_view(rows, catalog.today(now), offset, locale);
    // Joining needs e-mail (the confirmation link): without it, the list
    // still tells the citizen it is known, and offers no "me too".
    let joinable = crate::mail::MailContext::of(&state.config).is_some();
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(serde_json::json!({ "complaints": listed, "joinable": joinable })),
    )
        .into_response())
}

/// `POST /api/v1/similar/{id}/supporters`: a citizen joins the complaint
/// with this public id. They count once they follow the link e-mailed to
/// the address they gave. The answer is 202 and the same whether the
/// address is new (the link is sent), waiting, or counted already
/// (nothing is sent), so it tells nobody who supports what. 503 when
/// e-mail is off.
pub async fn join(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AcceptLocale(header_locale): AcceptLocale,
    JsonBody(input): JsonBody<SupportInput>,
) -> Result<Response, ApiError> {
    // Without a `locale` field, the language of the request.
    let unnamed = input.locale.as_deref().is_none_or(|l| l.trim().is_empty());
    let asked = |locale| if unnamed { header_locale } else { locale };
    let (contact, locale) = validate::supporter(&input).map_err(|mut e| {
        e.locale = asked(e.locale);
        ApiError::invalid(&e)
    })?;
    let locale = asked(locale);
    let not_found = || ApiError::not_found(Reason::SupportNotFound).speaking(locale);
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(not_found());
    }
    let secret = state
        .store
        .service_key(supporters::SECRET_NAME, &crate::auth::random_token())
        .await?;
    let who = NewSupporter::new(contact, locale, now_ms(), &secret);
    let mail = crate::mail::MailContext::of(&state.config);
    match state.store.join(&id, who, mail).await? {
        Joined::NotFound => Err(not_found()),
        Joined::NoMail => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "support_needs_mail",
            Reason::SupportNeedsMail,
        )
        .speaking(locale)),
        Joined::Asked | Joined::Known => Ok((
            StatusCode::ACCEPTED,
            Json(serde_json::json!({ "id": id, "confirm_by_email": true })),
        )
            .into_response()),
    }
}

/// The links in a supporter's e-mails (to confirm, to stop them).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    pub token: String,
    pub lang: String,
}

fn token_shape(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A supporter's link followed: the question, in the link's language.
fn ask(state: &AppState, link: Link, slug: &str, form: &LinkForm, header: Locale) -> Response {
    let locale = Locale::from_key(&form.lang).unwrap_or(header);
    if state.catalog().region(slug).is_none() {
        return super::hosted::no_such_region(locale);
    }
    let token = Some(form.token.as_str()).filter(|t| token_shape(t));
    super::hosted::link_page(link, slug, locale, token, None)
}

/// A supporter's link answered: `done` does it, and says what was done
/// (`None` for a token nobody holds).
async fn answer<F, Fut>(
    state: &AppState,
    link: Link,
    slug: &str,
    form: &LinkForm,
    header: Locale,
    done: F,
) -> Response
where
    F: FnOnce(Locale) -> Fut,
    Fut: std::future::Future<Output = Result<Option<String>, crate::store::StoreError>>,
{
    let locale = Locale::from_key(&form.lang).unwrap_or(header);
    if state.catalog().region(slug).is_none() {
        return super::hosted::no_such_region(locale);
    }
    if !token_shape(&form.token) {
        return super::hosted::link_page(link, slug, locale, None, None);
    }
    match done(locale).await {
        Ok(Some(said)) => {
            super::hosted::link_page(link, slug, locale, Some(&form.token), Some(said))
        }
        Ok(None) => super::hosted::link_page(link, slug, locale, None, None),
        Err(e) => super::hosted::error_page(locale, &ApiError::from(e).speaking(locale)),
    }
}

/// `GET /r/{slug}/join?token=`: the link in the e-mail that confirms a
/// supporter's address asks first (a mail scanner that follows it counts
/// nobody).
pub async fn show_confirm(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(form): Query<LinkForm>,
    AcceptLocale(header): AcceptLocale,
) -> Response {
    ask(&state, Link::Join, &slug, &form, header)
}

/// `POST /r/{slug}/join`: counts the supporter.
pub async fn confirm(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    AcceptLocale(header): AcceptLocale,
    axum::Form(form): axum::Form<LinkForm>,
) -> Response {
    let store = state.store.clone();
    let token = form.token.clone();
    answer(
        &state,
        Link::Join,
        &slug,
        &form,
        header,
        |locale| async move {
            Ok(match store.confirm_supporter(&token, now_ms()).await? {
                supporters::Confirmed::Counted { supporters, .. } => Some(
                    aduan_app::words::Word::JoinDone
                        .fill(locale, &[("count", &supporters.to_string())]),
                ),
                supporters::Confirmed::Unknown => None,
            })
        },
    )
    .await
}

/// `GET /r/{slug}/leave?token=`: asks before stopping (a mail scanner that
/// follows the link stops nothing).
pub async fn show_leave(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(form): Query<LinkForm>,
    AcceptLocale(header): AcceptLocale,
) -> Response {
    ask(&state, Link::Leave, &slug, &form, header)
}

/// `POST /r/{slug}/leave`: stops a supporter's e-mails.
pub async fn leave(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    AcceptLocale(header): AcceptLocale,
    axum::Form(form): axum::Form<LinkForm>,
) -> Response {
    let store = state.store.clone();
    let token = form.token.clone();
    answer(
        &state,
        Link::Leave,
        &slug,
        &form,
        header,
        |locale| async move {
            Ok(store
                .leave(&token)
                .await?
                .map(|_| aduan_app::words::Word::LeaveDone.text(locale).to_owned()))
        },
    )
    .await
}
