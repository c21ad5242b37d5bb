//! What an operator watches: Prometheus's text format at `/metrics`, served
//! on its own address (`--metrics-listen`) or, on the public one, only with
//! `Authorization: Bearer` and the `--metrics-token`.
//!
//! Counted as things happen: requests by route (the route's pattern, never
//! the path a citizen sent, which may hold a tracking code), method and
//! status, with a latency histogram; deliveries by channel, receiver and
//! result; sign-in failures; refusals by budget. Read at each scrape: the
//! database pool, the outbox (depth, oldest pending message, parked), and
//! complaints by status.
//!
//! Every request also gets an id: the `X-Request-Id` a trusted balancer
//! sent (letters, digits, `-`, `_`, `.`; at most 64), or a new one. It is
//! returned in the response's `X-Request-Id`, carried by every log line
//! written while the request runs, and stored with the outbox messages the
//! request queues, so a delivery's log line names the request behind it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::extract::AcceptLocale;
use crate::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bound, n) in BUCKETS.iter().zip(self.counts.iter_mut()) {
            if seconds <= *bound {
                *n += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

#[derive(Debug, Default)]
struct Counted {
    /// (route, method, status) → requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (route, method) → latency.
    latency: BTreeMap<(String, String), Histogram>,
    /// (channel, receiver, result) → deliveries.
    deliveries: BTreeMap<(String, String, &'static str), u64>,
    /// Budget → refusals.
    refusals: BTreeMap<&'static str, u64>,
    sign_in_failures: u64,
}

/// The process's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    counted: Mutex<Counted>,
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce(&mut Counted) -> T) -> T {
        let mut counted = self.counted.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut counted)
    }

    /// One answered request.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.with(|c| {
            *c.requests
                .entry((route.to_owned(), method.to_owned(), status))
                .or_default() += 1;
            c.latency
                .entry((route.to_owned(), method.to_owned()))
                .or_default()
                .observe(seconds);
        });
    }

    /// One delivery attempt: `result` is `delivered`, `retry` or `parked`.
    pub fn delivery(&self, channel: &str, receiver: &str, result: &'static str) {
        self.with(|c| {
            *c.deliveries
                .entry((channel.to_owned(), receiver.to_owned(), result))
                .or_default() += 1;
        });
    }

    /// A request refused by a budget.
    pub fn refused(&self, budget: &'static str) {
        self.with(|c| *c.refusals.entry(budget).or_default() += 1);
    }

    /// A wrong e-mail address or password at the console's door.
    pub fn sign_in_failed(&self) {
        self.with(|c| c.sign_in_failures += 1);
    }
}

/// A label value as Prometheus's text format writes it.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn help(out: &mut String, name: &str, kind: &str, text: &str) {
    let _ = writeln!(out, "# HELP {name} {text}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The whole text a scrape answers.
pub async fn render(state: &AppState) -> String {
    let mut out = String::new();
    state.metrics.with(|c| {
        help(
            &mut out,
            "aduan_http_requests_total",
            "counter",
            "Requests answered, by route pattern, method and status.",
        );
        for ((route, method, status), n) in &c.requests {
            let _ = writeln!(
                out,
                "aduan_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                label(route),
                label(method)
            );
        }
        help(
            &mut out,
            "aduan_http_request_duration_seconds",
            "histogram",
            "Time from the request's arrival to its answer's headers.",
        );
        for ((route, method), h) in &c.latency {
            let (route, method) = (label(route), label(method));
            for (bound, n) in BUCKETS.iter().zip(h.counts.iter()) {
                let _ = writeln!(
                    out,
                    "aduan_http_request_duration_seconds_bucket{{route=\"{route}\",method=\"{method}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "aduan_http_request_duration_seconds_bucket{{route=\"{route}\",method=\"{method}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "aduan_http_request_duration_seconds_sum{{route=\"{route}\",method=\"{method}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "aduan_http_request_duration_seconds_count{{route=\"{route}\",method=\"{method}\"}} {}",
                h.count
            );
        }
        help(
            &mut out,
            "aduan_deliveries_total",
            "counter",
            "Delivery attempts by channel, receiver and result (delivered, retry, parked).",
        );
        for ((channel, receiver, result), n) in &c.deliveries {
            let _ = writeln!(
                out,
                "aduan_deliveries_total{{channel=\"{}\",receiver=\"{}\",result=\"{result}\"}} {n}",
                label(channel),
                label(receiver)
            );
        }
        help(
            &mut out,
            "aduan_rate_limited_total",
            "counter",
            "Requests refused because an address spent its budget.",
        );
        for budget in ["submit", "lookup", "upload"] {
            let n = c.refusals.get(budget).copied().unwrap_or(0);
            let _ = writeln!(out, "aduan_rate_limited_total{{budget=\"{budget}\"}} {n}");
        }
        help(
            &mut out,
            "aduan_sign_in_failures_total",
            "counter",
            "Console sign-ins refused for a wrong address or password.",
        );
        let _ = writeln!(out, "aduan_sign_in_failures_total {}", c.sign_in_failures);
    });

    let pool = state.store.pool_use();
    help(
        &mut out,
        "aduan_db_pool_connections",
        "gauge",
        "Database connections of this process, by state.",
    );
    let _ = writeln!(
        out,
        "aduan_db_pool_connections{{state=\"in_use\"}} {}",
        pool.open.saturating_sub(pool.idle)
    );
    let _ = writeln!(
        out,
        "aduan_db_pool_connections{{state=\"idle\"}} {}",
        pool.idle
    );
    help(
        &mut out,
        "aduan_db_pool_max_connections",
        "gauge",
        "The most connections this process's pool opens.",
    );
    let _ = writeln!(out, "aduan_db_pool_max_connections {}", pool.max);

    let now = crate::state::now_ms();
    match state.store.outbox_counts().await {
        Ok(counts) => {
            help(
                &mut out,
                "aduan_outbox_pending",
                "gauge",
                "Messages waiting to be delivered (including retries).",
            );
            let _ = writeln!(out, "aduan_outbox_pending {}", counts.pending);
            help(
                &mut out,
                "aduan_outbox_parked",
                "gauge",
                "Messages that failed every attempt and wait for an administrator.",
            );
            let _ = writeln!(out, "aduan_outbox_parked {}", counts.failed);
            help(
                &mut out,
                "aduan_outbox_oldest_pending_age_seconds",
                "gauge",
                "Age of the oldest message still waiting (0 when none waits).",
            );
            let age = counts
                .oldest_pending_at
                .map_or(0.0, |at| (now - at).max(0) as f64 / 1000.0);
            let _ = writeln!(out, "aduan_outbox_oldest_pending_age_seconds {age}");
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot read the outbox"),
    }
    match state.store.complaints_by_status().await {
        Ok(rows) => {
            help(
                &mut out,
                "aduan_complaints",
                "gauge",
                "Complaints by status.",
            );
            for (status, n) in rows {
                let _ = writeln!(out, "aduan_complaints{{status=\"{}\"}} {n}", label(&status));
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot count complaints"),
    }
    out
}

/// The answer to a scrape.
async fn scrape(state: &AppState) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        render(state).await,
    )
        .into_response()
}

/// The shortest `--metrics-token` a server starts with: a token an
/// operator typed by hand is one a stranger can guess.
pub const MIN_TOKEN_LEN: usize = 32;

/// Refuses a metrics token too short to keep `/metrics` private (the
/// token itself is never printed).
pub fn check_token(config: &crate::config::Config) -> anyhow::Result<()> {
    match &config.metrics_token {
        Some(token) if token.expose().trim().len() < MIN_TOKEN_LEN => anyhow::bail!(
            "--metrics-token (ADUAN_METRICS_TOKEN) must be at least {MIN_TOKEN_LEN} characters; make one with `openssl rand -hex 32`"
        ),
        _ => Ok(()),
    }
}

/// `GET /metrics` on the public address, routed only when a metrics token
/// is set. A request without the token gets the very answer of a path
/// that does not exist: nothing tells a stranger that it is there.
pub async fn public_metrics(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    request: Request,
) -> Response {
    let Some(token) = state.config.metrics_token.as_ref() else {
        return crate::routes::system::not_found(AcceptLocale(locale))
            .await
            .into_response();
    };
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !crate::auth::same_secret(presented, token.expose()) {
        return crate::routes::system::not_found(AcceptLocale(locale))
            .await
            .into_response();
    }
    scrape(&state).await
}

/// The router of `--metrics-listen`: `/metrics` and nothing else, no token.
pub fn private_router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(|State(state): State<AppState>| async move { scrape(&state).await }),
        )
        .with_state(state)
}

/// The id of a request (see the module's notes).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

tokio::task_local! {
    /// The request the current task serves, for what it queues.
    pub static REQUEST_ID: String;
}

/// The request id of the task, if it serves a request.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// An id a balancer sent, if it is one we can carry safely.
fn acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Whether the request came straight from a balancer Aduan trusts: only
/// then is its `X-Request-Id` the balancer's, not the client's.
fn from_trusted_proxy(state: &AppState, request: &Request) -> bool {
    state.config.trust_forwarded_for
        && request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .is_some_and(|peer| {
                state
                    .config
                    .trusted_proxies
                    .iter()
                    .any(|range| range.contains(peer.0.ip()))
            })
}

/// Where the routing layer writes the pattern of the route it chose.
#[derive(Debug, Clone, Default)]
pub struct RouteSlot(Arc<Mutex<Option<String>>>);

/// Inside the router: notes which route pattern answered.
pub async fn note_route(request: Request, next: Next) -> Response {
    if let (Some(slot), Some(path)) = (
        request.extensions().get::<RouteSlot>(),
        request.extensions().get::<MatchedPath>(),
    ) && let Ok(mut s) = slot.0.lock()
    {
        *s = Some(path.as_str().to_owned());
    }
    next.run(request).await
}

/// Outside everything: the request id, its log span, and the counters.
pub async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| from_trusted_proxy(&state, &request) && acceptable(v))
        .map_or_else(new_id, str::to_owned);
    let slot = RouteSlot::default();
    request.extensions_mut().insert(slot.clone());
    request.extensions_mut().insert(RequestId(id.clone()));
    let method = method_label(request.method()).to_owned();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %method,
        path = %crate::disclosure::loggable_path(request.uri().path()),
    );
    let mut response = REQUEST_ID
        .scope(id.clone(), next.run(request).instrument(span.clone()))
        .await;
    let status = response.status();
    let route = slot
        .0
        .lock()
        .ok()
        .and_then(|s| s.clone())
        .unwrap_or_else(|| {
            if status == StatusCode::NOT_FOUND {
                "unmatched".to_owned()
            } else {
                "static".to_owned()
            }
        });
    let seconds = started.elapsed().as_secs_f64();
    state
        .metrics
        .request(&route, &method, status.as_u16(), seconds);
    if status.is_server_error() {
        span.in_scope(|| {
            tracing::warn!(status = status.as_u16(), route = %route, seconds, "a request failed");
        });
    } else {
        span.in_scope(|| {
            tracing::debug!(status = status.as_u16(), route = %route, seconds, "answered");
        });
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// A method as the metrics name it: the standard ones by name, any other as
/// `other` (a client cannot grow the series by inventing methods).
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn new_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_counts_each_bucket_at_and_above_its_value() {
        let mut h = Histogram::default();
        h.observe(0.003);
        h.observe(0.5);
        h.observe(20.0);
        assert_eq!(h.count, 3);
        assert_eq!(h.counts[0], 0, "le 0.001");
        assert_eq!(h.counts[2], 1, "le 0.005");
        assert_eq!(h.counts[8], 2, "le 0.5 holds 0.5 itself");
        assert_eq!(h.counts[11], 2, "le 10: not the 20 s one");
        assert!((h.sum - 20.503).abs() < 1e-9);
    }

    #[test]
    fn only_plain_short_ids_are_carried() {
        assert!(acceptable("f3a9-01.b_c"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(65)));
        assert!(acceptable(&"a".repeat(64)));
        assert!(!acceptable("id with space"));
        assert!(!acceptable("x\"y"));
        assert!(!acceptable("naïve"));
    }

    #[test]
    fn invented_methods_share_one_series() {
        use axum::http::Method;
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::HEAD), "HEAD");
        assert_eq!(method_label(&Method::POST), "POST");
        assert_eq!(method_label(&Method::PUT), "PUT");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
        assert_eq!(method_label(&Method::OPTIONS), "OPTIONS");
        assert_eq!(method_label(&Method::TRACE), "other");
        let invented = Method::from_bytes(b"BREW").unwrap_or(Method::CONNECT);
        assert_eq!(method_label(&invented), "other");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
