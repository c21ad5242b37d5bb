//! Per-address limits on what an anonymous citizen can send: filing and
//! replying share one budget, tracking look-ups have another. Each is a
//! token bucket per client address, kept in this process (a flood is
//! stopped at each process; the database is never asked).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use aduan_app::i18n::Reason;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::extract::locale_of;
use crate::state::AppState;

/// A budget: `burst` requests at once, refilled at `per_minute`.
#[derive(Debug)]
pub struct Limiter {
    per_minute: u32,
    burst: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl Limiter {
    /// A limiter, or none when `per_minute` is 0 (no limit).
    pub fn new(per_minute: u32, burst: u32) -> Option<Limiter> {
        (per_minute > 0).then(|| Limiter {
            per_minute,
            burst: burst.max(1),
            buckets: Mutex::new(HashMap::new()),
        })
    }

    /// Takes one token for `ip`; on refusal, the seconds until one is back.
    pub fn take(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let rate = f64::from(self.per_minute) / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            // Forget addresses whose bucket is full again.
            let burst = f64::from(self.burst);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = buckets.entry(ip).or_insert((f64::from(self.burst), now));
        *tokens =
            (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(f64::from(self.burst));
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil() as u64)
        }
    }
}

/// The client's address: the peer, or with a trusted proxy in front, the
/// last address that proxy appended to `X-Forwarded-For`.
fn client_ip(state: &AppState, request: &Request) -> Option<IpAddr> {
    address_of(state, request.headers(), request.extensions())
}

/// [`client_ip`] from a request's parts.
pub(crate) fn address_of(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
) -> Option<IpAddr> {
    if state.config.trust_forwarded_for {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Applies the budgets; 429 with `Retry-After` when one is spent.
pub async fn limit_citizens(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let limiter = if request.method() == Method::POST {
        state.limits.submit.as_ref()
    } else if request.method() == Method::GET && request.uri().path().contains("/complaints/")
        || request.uri().path().ends_with("/track")
    {
        state.limits.lookup.as_ref()
    } else {
        None
    };
    if let (Some(limiter), Some(ip)) = (limiter, client_ip(&state, &request))
        && let Err(wait) = limiter.take(ip, Instant::now())
    {
        let locale = locale_of(request.headers());
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            Reason::RateLimited,
        )
        .speaking(locale)
        .into_response();
        if let Ok(value) = HeaderValue::from_str(&wait.max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    next.run(request).await
}

/// The budgets of one process.
#[derive(Debug)]
pub struct Limits {
    pub submit: Option<Limiter>,
    pub lookup: Option<Limiter>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_is_allowed_then_the_rate_applies_per_address() {
        let limiter = Limiter::new(6, 3).unwrap_or_else(|| panic!("a limiter"));
        let (a, b): (IpAddr, IpAddr) = ([10, 0, 0, 1].into(), [10, 0, 0, 2].into());
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take(a, t0), Ok(()));
        }
        assert_eq!(limiter.take(a, t0), Err(10), "one token every 10 s");
        assert_eq!(
            limiter.take(b, t0),
            Ok(()),
            "another address has its own budget"
        );
        assert_eq!(limiter.take(a, t0 + Duration::from_secs(10)), Ok(()));
        assert!(limiter.take(a, t0 + Duration::from_secs(11)).is_err());
    }

    #[test]
    fn zero_means_no_limit() {
        assert!(Limiter::new(0, 10).is_none());
    }
}
