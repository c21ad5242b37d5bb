//! Per-address limits on what an anonymous citizen can send: filing and
//! replying share one budget, tracking look-ups have another, uploads a
//! third. Each is a token bucket per client kept in this process, and, on
//! PostgreSQL, where several processes may serve behind one balancer, also
//! a generic cell rate kept in the database for all of them: an address
//! allowed ten submissions a minute gets ten in all, not ten per process.
//! The process's own bucket is asked first, so a flood aimed at one process
//! is refused without a query. A client is an IPv4 address or an IPv6 /64
//! (what one subscriber is given), found behind trusted proxies as the
//! right-most address that is not one of them.

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
use crate::state::{AppState, now_ms};
use crate::store::{Store, Token};

/// A budget: `burst` requests at once, refilled at `per_minute`.
#[derive(Debug)]
pub struct Limiter {
    /// Names the budget in the database (`submit`, `lookup`, `upload`).
    pub(crate) name: &'static str,
    per_minute: u32,
    burst: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl Limiter {
    /// A limiter, or none when `per_minute` is 0 (no limit).
    pub fn new(name: &'static str, per_minute: u32, burst: u32) -> Option<Limiter> {
        (per_minute > 0).then(|| Limiter {
            name,
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

impl Limiter {
    /// Takes one token for `ip` here and, where the store shares budgets
    /// between processes, there too; on refusal, the seconds until one is
    /// back. When the database cannot answer, this process's budget stands
    /// alone rather than refusing every citizen.
    pub async fn take_everywhere(
        &self,
        store: &dyn Store,
        ip: IpAddr,
        names_key: &[u8],
    ) -> Result<(), u64> {
        self.take(ip, Instant::now())?;
        let interval_ms = 60_000 / i64::from(self.per_minute.max(1));
        let key = shared_name(self.name, ip, names_key);
        match store
            .take_shared_token(&key, now_ms(), interval_ms.max(1), i64::from(self.burst))
            .await
        {
            Ok(Some(Token::Spent(wait_ms))) => {
                Err(u64::try_from(wait_ms).unwrap_or(1).div_ceil(1000))
            }
            Ok(Some(Token::Taken) | None) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, budget = self.name, "the shared budget did not answer; this process's stands");
                Ok(())
            }
        }
    }
}

/// The name of a client's bucket in the database: the budget and a keyed
/// digest of the address, never the address (the table is a list of who
/// filed or looked up lately otherwise). The key is shared by every
/// process through `service_keys`, so all of them name a client alike.
pub fn shared_name(budget: &str, ip: IpAddr, names_key: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(names_key).expect("any key");
    mac.update(ip.to_string().as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut name = format!("{budget}:");
    for byte in &digest[..16] {
        name.push_str(&format!("{byte:02x}"));
    }
    name
}

/// The client a budget belongs to (see [`address_of`]).
fn client_ip(state: &AppState, request: &Request) -> Option<IpAddr> {
    address_of(state, request.headers(), request.extensions())
}

/// The client of a request, as budgets count it: the peer; or, with
/// `--trust-forwarded-for`, the right-most address of every
/// `X-Forwarded-For` line (and the peer) that is not a trusted proxy.
/// IPv6 clients are their /64.
pub(crate) fn address_of(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
) -> Option<IpAddr> {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    let client = if state.config.trust_forwarded_for {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|ip| ip.trim().parse::<IpAddr>().ok());
        client_behind(forwarded, peer, &state.config.trusted_proxies)
    } else {
        peer
    };
    Some(bucket(client))
}

/// The right-most of `forwarded` then `peer` that is not a trusted proxy.
/// An entry that is not an address stops the walk: whatever stands left of
/// it was written by someone we do not trust, so the hop right of it is the
/// client.
pub fn client_behind(
    forwarded: impl DoubleEndedIterator<Item = Option<IpAddr>>,
    peer: IpAddr,
    trusted: &[Cidr],
) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded.rev() {
        match hop {
            Some(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
            None => break,
        }
    }
    client
}

/// The unit budgets count: an IPv4 address, or the /64 of an IPv6 one (an
/// IPv4 address written as IPv6 counts as itself).
pub fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !((1u128 << 64) - 1),
            )),
        },
    }
}

/// An address range written as `address/prefix` (a bare address is the
/// range of itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Cidr, String> {
        let (address, prefix) = text.trim().split_once('/').unwrap_or((text.trim(), ""));
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("`{text}` is not an address or an address/prefix"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            max
        } else {
            prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}`: the prefix must be 0 to {max}"))?
        };
        Ok(Cidr { network, prefix })
    }
}

/// Applies the budgets; 429 with `Retry-After` when one is spent.
pub async fn limit_citizens(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    // Every method counts: what writes spends the submission budget, any
    // other method on a look-up path (GET, HEAD, OPTIONS, …) the look-up one.
    let method = request.method();
    let path = request.uri().path();
    let limiter = if path.starts_with("/api/v1/uploads")
        || (path.starts_with("/open311/") && *method == Method::POST)
    {
        // A photo takes a creation and a request per resumption: uploads
        // have a budget of their own (and an Open311 post may carry photos;
        // its partner's key is read only after its body).
        state.limits.upload.as_ref()
    } else if path.starts_with("/sites/") || path.starts_with("/api/v1/sites/") {
        // A site's settings and its policy reports (a beacon is a POST):
        // signs of life, never a citizen's submission budget. (Under
        // `/api/v1` the nested router sees the path without its prefix.)
        state.limits.lookup.as_ref()
    } else if matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        state.limits.submit.as_ref()
    } else if path.contains("/complaints/") || path.ends_with("/track") {
        state.limits.lookup.as_ref()
    } else {
        None
    };
    let refused = match (limiter, client_ip(&state, &request)) {
        (Some(limiter), Some(ip)) => {
            let refused = limiter
                .take_everywhere(state.store.as_ref(), ip, &state.limits.names_key)
                .await
                .err();
            if refused.is_some() {
                state.metrics.refused(limiter.name);
            }
            refused
        }
        _ => None,
    };
    if let Some(wait) = refused {
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
    pub upload: Option<Limiter>,
    /// The key that names clients in shared buckets ([`shared_name`]).
    pub names_key: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_shared_bucket_is_named_without_the_address() {
        let ip: IpAddr = "203.0.113.77".parse().expect("an address");
        let name = shared_name("submit", ip, b"one key");
        assert!(name.starts_with("submit:"), "{name}");
        assert!(!name.contains("203.0.113"), "{name}");
        assert_eq!(name.len(), "submit:".len() + 32);
        // The same everywhere for one key; another key, another name;
        // another address, another bucket.
        assert_eq!(name, shared_name("submit", ip, b"one key"));
        assert_ne!(name, shared_name("submit", ip, b"another key"));
        let other: IpAddr = "203.0.113.78".parse().expect("an address");
        assert_ne!(name, shared_name("submit", other, b"one key"));
        assert_ne!(name, shared_name("lookup", ip, b"one key"));
    }

    #[test]
    fn a_burst_is_allowed_then_the_rate_applies_per_address() {
        let limiter = Limiter::new("submit", 6, 3).unwrap_or_else(|| panic!("a limiter"));
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

    fn cidrs(list: &str) -> Vec<Cidr> {
        list.split(',').filter_map(|c| c.parse().ok()).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::V4([0, 0, 0, 0].into()))
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(bucket(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            bucket(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            ip("2001:db8:1:2::")
        );
        assert_ne!(bucket(ip("2001:db8:1:3::1")), ip("2001:db8:1:2::"));
        assert_eq!(bucket(ip("::ffff:10.1.2.3")), ip("10.1.2.3"));
        assert_eq!(bucket(ip("10.1.2.3")), ip("10.1.2.3"));
    }

    #[test]
    fn the_client_is_the_right_most_address_that_is_not_a_trusted_proxy() {
        let trusted = cidrs("127.0.0.0/8,10.0.0.0/8,::1");
        let hops = |list: &str| {
            list.split(',')
                .map(|h| h.trim().parse::<IpAddr>().ok())
                .collect::<Vec<_>>()
        };
        let proxy = ip("10.0.0.5");
        // A client that wrote its own header cannot choose its address.
        assert_eq!(
            client_behind(
                hops("1.1.1.1, 203.0.113.9, 10.0.0.7").into_iter(),
                proxy,
                &trusted
            ),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_behind(hops("203.0.113.9").into_iter(), proxy, &trusted),
            ip("203.0.113.9")
        );
        // Not behind a trusted proxy: the header is ignored.
        assert_eq!(
            client_behind(hops("1.1.1.1").into_iter(), ip("198.51.100.2"), &trusted),
            ip("198.51.100.2")
        );
        // Garbage stops the walk at the last good hop.
        assert_eq!(
            client_behind(hops("1.1.1.1, junk, 10.0.0.9").into_iter(), proxy, &trusted),
            ip("10.0.0.9")
        );
        assert!(cidrs("10.0.0.0/8")[0].contains(ip("10.200.0.1")));
        assert!(!cidrs("10.0.0.0/8")[0].contains(ip("11.0.0.1")));
        assert!(cidrs("::1")[0].contains(ip("::1")));
        assert!(cidrs("0.0.0.0/0")[0].contains(ip("8.8.8.8")));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("ten".parse::<Cidr>().is_err());
    }

    #[test]
    fn zero_means_no_limit() {
        assert!(Limiter::new("submit", 0, 10).is_none());
    }
}
