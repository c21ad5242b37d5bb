//! The whole URL map, grouped by audience, and the layers around it.

pub mod bundle;
pub mod console;
pub mod files;
pub mod hosted;
pub mod inbound;
pub mod lapor_status;
pub mod limits;
pub mod open311;
pub mod public;
pub mod sites;
pub mod supporters;
pub mod system;
pub mod transparency;
pub mod uploads;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::handler::HandlerWithoutStateExt;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, head, post};
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::error::ApiError;
use crate::extract::locale_of;
use crate::state::AppState;

/// Builds the service.
pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    // A form that carries files (the hosted form, an officer's upload).
    let form_limit = usize::try_from(state.files.settings.max_total_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(1024 * 1024);
    let timeout = Duration::from_secs(state.config.request_timeout_secs.max(1));

    // Citizens, through the widget on any government site: no cookies, so
    // any origin may call it.
    // Reference data and public listings, compressed: the region's form is
    // 9 KB of JSON and under 2 KB compressed, fetched beside the widget's
    // wasm on a slow phone. None of it holds a secret (compressing a
    // response that holds one next to what a client sent can leak it), so
    // the trackers' answers, which hold the tracking code, stay as they are.
    let reference = Router::new()
        .route("/regions", get(public::list_regions))
        .route("/regions/{slug}/form", get(public::find_region_form))
        .route("/regions/{slug}/early.js", get(hosted::early_form))
        .route("/regions/{slug}/form.html", get(hosted::form_fragment))
        .route("/widget.css", get(hosted::widget_style))
        .route("/regions/{slug}/stats", get(transparency::stats_json))
        .route("/regions/{slug}/similar", get(supporters::list))
        .layer(tower_http::compression::CompressionLayer::new());
    let public_api = Router::new()
        .merge(reference)
        .route("/similar/{id}/supporters", post(supporters::join))
        .route("/complaints", post(public::submit_complaint))
        .route("/complaints/{code}", get(public::find_complaint_by_code))
        .route(
            "/complaints/{code}/replies",
            post(public::add_reporter_reply),
        )
        .route(
            "/complaints/{code}/confirmation",
            post(public::confirm_resolution),
        )
        .route(
            "/complaints/{code}/contact",
            delete(public::erase_reporter_contact),
        )
        .route("/complaints/{code}/rating", post(public::rate_handling))
        .route("/sites/{key}", get(sites::settings))
        .route(
            "/sites/{key}/csp",
            get(sites::csp_report).post(sites::csp_report),
        )
        .route("/complaints/{code}/files/{id}", get(files::for_reporter))
        .route("/media/{id}", get(files::for_public))
        .route("/files/{id}", get(files::for_link))
        .route("/openapi.json", get(system::openapi))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::limit_citizens,
        ))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::POST, Method::DELETE])
                .allow_headers([
                    header::CONTENT_TYPE,
                    header::ACCEPT_LANGUAGE,
                    HeaderName::from_static("idempotency-key"),
                ])
                .max_age(Duration::from_secs(86_400)),
        );

    // Citizens without script: the hosted form and tracker.
    let hosted_pages = Router::new()
        .route(
            "/r/{slug}",
            get(hosted::show_complaint_form)
                .post(hosted::submit_complaint_form)
                .layer(DefaultBodyLimit::max(form_limit)),
        )
        .route(
            "/r/{slug}/track",
            get(hosted::show_tracker)
                .post(hosted::reply_from_tracker)
                .layer(DefaultBodyLimit::max(form_limit)),
        )
        .route("/r/{slug}/track/confirm", post(hosted::confirm_from_tracker))
        .route("/r/{slug}/track/erase", post(hosted::erase_from_tracker))
        .route("/r/{slug}/track/rate", post(hosted::rate_from_tracker))
        .route(
            "/r/{slug}/join",
            get(supporters::show_confirm).post(supporters::confirm),
        )
        .route(
            "/r/{slug}/leave",
            get(supporters::show_leave).post(supporters::leave),
        )
        .route("/s/{key}", get(sites::hosted))
        .layer(middleware::from_fn_with_state(state.clone(), limits::limit_citizens))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'",
            ),
        ))
        // The tracker's address holds the tracking code: no request it
        // makes (its stylesheet, a link followed) says where it came from.
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    // A region's public record: no script, no identity, cacheable.
    let public_record = Router::new()
        .route("/r/{slug}/stats", get(transparency::stats_page))
        .layer(middleware::from_fn_with_state(state.clone(), limits::limit_citizens))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors *",
            ),
        ));

    // Officers: server-rendered pages with no script at all; the session
    // cookie is only sent under /console.
    let console_pages = Router::new()
        .route("/console", get(console::home))
        .route(
            "/console/login",
            get(console::show_sign_in).post(console::sign_in),
        )
        .route("/console/logout", post(console::sign_out))
        .route("/console/inbox", get(console::show_inbox))
        .route("/console/overview", get(console::show_overview))
        .route("/console/performance", get(console::performance::show))
        .route("/console/performance.csv", get(console::performance::csv))
        .route("/console/performance.xlsx", get(console::performance::xlsx))
        .route(
            "/console/performance/complaints.csv",
            get(console::performance::complaints_csv),
        )
        .route(
            "/console/performance/report",
            get(console::performance::monthly),
        )
        .route(
            "/console/rules",
            get(console::show_rules).post(console::save_rule),
        )
        .route("/console/rules/handoff", post(console::save_handoff))
        .route(
            "/console/officers",
            get(console::officers::show).post(console::officers::change),
        )
        .route(
            "/console/password",
            get(console::password::show).post(console::password::change),
        )
        .route(
            "/console/sites",
            get(console::sites::show_all).post(console::sites::change_all),
        )
        .route(
            "/console/sites/{id}",
            get(console::sites::show_one).post(console::sites::change_one),
        )
        .route("/console/integrations", get(console::integrations::show))
        .route(
            "/console/integrations/mode",
            post(console::integrations::set_mode),
        )
        .route(
            "/console/integrations/subscriber",
            post(console::integrations::subscriber),
        )
        .route(
            "/console/integrations/retry",
            post(console::integrations::retry),
        )
        .route(
            "/console/complaints/{code}",
            get(console::show_complaint).post(console::act_on_complaint),
        )
        .route("/console/inbox/bulk", post(console::bulk::act_on_many))
        .route(
            "/console/views",
            get(console::views::show_views).post(console::views::change_view),
        )
        .route(
            "/console/preferences",
            post(console::views::set_preferences),
        )
        .route(
            "/console/complaints/{code}/assignee",
            post(console::assign_complaint),
        )
        .route("/console/files/{id}", get(files::for_officer))
        .route(
            "/console/complaints/{code}/files/visibility",
            post(console::set_file_visibility),
        )
        .route(
            "/console/complaints/{code}/files",
            post(console::add_officer_files).layer(DefaultBodyLimit::max(form_limit)),
        )
        // The preview of a site's widget sets a policy of its own that lets
        // the widget run; every other page keeps the script-free one.
        .route("/console/sites/{id}/preview", get(console::sites::preview));
    let console_pages = as_console(console_pages);

    // A region's own app: signed messages, no cookies, no browser.
    let inbound_api = Router::new()
        .route("/api/v1/webhooks/{subscriber}", post(inbound::receive))
        .route("/api/v1/lapor/status", post(lapor_status::receive));

    // Civic software: Open311 GeoReport v2, readable from any origin.
    let open311_api = Router::new()
        .route(
            "/open311/v2/{file}",
            get(open311::get_file)
                .post(open311::post_request)
                .layer(DefaultBodyLimit::max(form_limit)),
        )
        .route("/open311/v2/{kind}/{file}", get(open311::get_one))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::limit_citizens,
        ))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE]),
        );

    // The widget bundle, for pages on any origin.
    let dist = state.config.public_dir.join("dist");
    let widget_bundle = Router::new()
        .route_service(
            "/widget.js",
            ServeFile::new(dist.join("widget.js"))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .nest_service(
            "/dist",
            ServeDir::new(&dist).precompressed_br().precompressed_gzip(),
        )
        .layer(middleware::from_fn(bundle::bundle_headers));

    // The demo page that shows the widget under a strict policy.
    let strict_demo = Router::new()
        .route_service("/demo/strict-csp.html", ServeFile::new(state.config.public_dir.join("demo/strict-csp.html")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self'",
            ),
        ));

    // Resumable uploads (tus): no request timeout (a photo over a slow
    // link takes minutes); a body that stops sending ends by itself.
    let uploads = Router::new()
        .route(
            "/api/v1/uploads",
            post(uploads::create).options(uploads::options),
        )
        .route(
            "/api/v1/uploads/{id}",
            head(uploads::head)
                .patch(uploads::patch)
                .delete(uploads::terminate),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::limit_citizens,
        ))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([
                    Method::POST,
                    Method::HEAD,
                    Method::PATCH,
                    Method::DELETE,
                    Method::OPTIONS,
                ])
                .allow_headers(TUS_REQUEST_HEADERS.map(HeaderName::from_static))
                .expose_headers(TUS_RESPONSE_HEADERS.map(HeaderName::from_static))
                .max_age(Duration::from_secs(86_400)),
        )
        .layer(middleware::from_fn_with_state(state.clone(), tus_headers));

    // Operators and load balancers; `/metrics` only where a token can open
    // it (otherwise the path is as absent as any other).
    let mut operators = Router::new()
        .route("/livez", get(system::livez))
        .route("/healthz", get(system::healthz));
    if state.config.metrics_token.is_some() {
        operators = operators.route("/metrics", get(crate::metrics::public_metrics));
    }

    Router::new()
        .merge(hosted_pages)
        .merge(public_record)
        .merge(console_pages)
        .merge(inbound_api)
        .merge(open311_api)
        .merge(strict_demo)
        .merge(widget_bundle)
        .merge(operators)
        .nest("/api/v1", public_api)
        // The loader, the widget bundle and the demo pages; JSON 404 otherwise.
        .fallback_service(
            ServeDir::new(&state.config.public_dir)
                .precompressed_br()
                .precompressed_gzip()
                .not_found_service(system::not_found.into_service()),
        )
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .merge(uploads)
        // Which route answered, for the metrics (never the path itself).
        .route_layer(middleware::from_fn(crate::metrics::note_route))
        .layer(middleware::from_fn(errors_as_json))
        .layer(DefaultBodyLimit::max(limit))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // The request id, its log span (carrying the path only as the
        // disclosure policy lets a log line carry it) and the counters.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::observe,
        ))
        .with_state(state)
}

/// The console's answer headers: its script-free policy (unless the page
/// set its own, as the widget's preview does), no framing, same-origin
/// referrers, no caching.
fn as_console(pages: Router<AppState>) -> Router<AppState> {
    pages
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// What a tus client may send, across origins.
const TUS_REQUEST_HEADERS: [&str; 10] = [
    "content-type",
    "accept-language",
    "tus-resumable",
    "upload-length",
    "upload-metadata",
    "upload-offset",
    "upload-checksum",
    "upload-defer-length",
    "upload-concat",
    "x-requested-with",
];

/// What a tus client must be able to read, across origins.
const TUS_RESPONSE_HEADERS: [&str; 9] = [
    "location",
    "tus-resumable",
    "tus-version",
    "tus-extension",
    "tus-max-size",
    "tus-checksum-algorithm",
    "upload-offset",
    "upload-length",
    "upload-expires",
];

/// Every answer under `/api/v1/uploads` says what this server speaks.
async fn tus_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        "tus-resumable",
        HeaderValue::from_static(uploads::TUS_VERSION),
    );
    h.insert(
        "tus-version",
        HeaderValue::from_static(uploads::TUS_VERSION),
    );
    h.insert(
        "tus-extension",
        HeaderValue::from_static(uploads::TUS_EXTENSIONS),
    );
    h.insert(
        "tus-checksum-algorithm",
        HeaderValue::from_static(uploads::TUS_CHECKSUMS),
    );
    h.insert(
        "tus-max-size",
        HeaderValue::from(state.files.settings.max_file_bytes),
    );
    response
}

/// Gives every error the common JSON body, whatever layer produced it.
async fn errors_as_json(request: Request, next: Next) -> Response {
    let locale = locale_of(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    // JSON and the hosted pages' HTML are already shaped; bare statuses and
    // plain-text rejections are not.
    let shaped = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(b"application/json")
                || v.as_bytes().starts_with(b"text/html")
                || v.as_bytes().starts_with(b"text/xml")
                || v.as_bytes().starts_with(b"application/xml")
        });
    if (status.is_client_error() || status.is_server_error()) && !shaped {
        let allow = response.headers().get(header::ALLOW).cloned();
        let mut replaced = ApiError::for_status(status)
            .speaking(locale)
            .into_response();
        if let Some(allow) = allow {
            replaced.headers_mut().insert(header::ALLOW, allow);
        }
        return replaced;
    }
    response
}
