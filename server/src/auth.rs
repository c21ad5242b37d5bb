//! Officer sign-in: argon2id password hashes, sessions kept in the database
//! (any server process serves any request), a CSRF token per session, and
//! sign-in attempts taken from budgets before any password is checked.
//!
//! Budgets (each a 15-minute window, kept in the database so that every
//! process shares them, taken atomically): 5 attempts per account from one
//! address, 50 per account from everywhere, 30 per address. A browser that
//! signed in to the account before carries a device cookie and has its own
//! budget instead (10), so an attacker who knows an officer's address
//! cannot lock the officer out. Password hashing runs on at most as many
//! threads as there are cores; beyond that a request waits briefly, then is
//! refused quickly, so a burst cannot take unbounded memory.
//!
//! The session cookie holds 256 random bits; the database keeps only their
//! SHA-256, so a copy of the database signs nobody in. A tampered or expired
//! cookie matches no live session and signs nobody in.

use std::net::IpAddr;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use crate::domain::catalog::Catalog;
use crate::domain::lifecycle::Role;
use crate::state::{AppState, now_ms};
use crate::store::{Budget, NewSession, Officer, Scope, StoreError};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "aduan_session";
/// The cookie that guards the sign-in form itself against login CSRF.
pub const SIGN_IN_COOKIE: &str = "aduan_sign_in";
/// How long a session lasts: one working day.
pub const SESSION_HOURS: i64 = 12;
/// The cookie that marks a browser the officer signed in from before.
pub const DEVICE_COOKIE: &str = "aduan_device";
/// How long a browser stays trusted.
pub const DEVICE_DAYS: i64 = 180;
/// Attempts are counted over this window.
pub const ATTEMPT_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Attempts per account from one address (an IPv6 /64).
pub const ATTEMPTS_PER_ACCOUNT_AND_ADDRESS: i64 = 5;
/// Attempts per account from every untrusted browser together.
pub const ATTEMPTS_PER_ACCOUNT: i64 = 50;
/// Attempts per address, whatever the account.
pub const ATTEMPTS_PER_ADDRESS: i64 = 30;
/// Attempts from one trusted browser.
pub const ATTEMPTS_PER_DEVICE: i64 = 10;
/// How long a password check waits for a free hashing thread.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The budgets an attempt takes from: a trusted browser's own, or those of
/// the account with this address, the account, and the address.
pub fn budgets(email: &str, client: Option<IpAddr>, device: Option<&str>) -> Vec<Budget> {
    let budget = |key: String, limit| Budget {
        key,
        limit,
        window_ms: ATTEMPT_WINDOW_MS,
    };
    if let Some(device) = device {
        return vec![budget(format!("device:{device}"), ATTEMPTS_PER_DEVICE)];
    }
    let address = client.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    vec![
        budget(
            format!("pair:{email}|{address}"),
            ATTEMPTS_PER_ACCOUNT_AND_ADDRESS,
        ),
        budget(format!("account:{email}"), ATTEMPTS_PER_ACCOUNT),
        budget(format!("address:{address}"), ATTEMPTS_PER_ADDRESS),
    ]
}

/// An attempt to prove who one is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// A budget is spent: refuse without checking anything.
    Refused,
    /// Check the password; on success empty these budgets.
    Admitted { reset_on_success: Vec<String> },
}

/// Takes an attempt at `email`'s password from the budgets, before the
/// password is checked. `device` is the device cookie, if any: it counts
/// only when it belongs to this account.
pub async fn take_attempt(
    state: &AppState,
    email: &str,
    client: Option<IpAddr>,
    device: Option<&str>,
) -> Result<Attempt, StoreError> {
    let now = now_ms();
    let device = match device.filter(|d| d.len() == 64) {
        Some(token) => {
            let hash = token_hash(token);
            let owner = state.store.device_email(&hash, now).await?;
            owner.filter(|o| o == email).map(|_| hash)
        }
        None => None,
    };
    let budgets = budgets(email, client, device.as_deref());
    if !state.store.take_attempt(&budgets, now).await? {
        return Ok(Attempt::Refused);
    }
    // What a correct password gives back: the budget of this browser, or of
    // the account at this address; never the account's or the address's.
    Ok(Attempt::Admitted {
        reset_on_success: budgets.into_iter().take(1).map(|b| b.key).collect(),
    })
}

/// One of the threads password hashing may use, waited for a little.
async fn hashing_slot(state: &AppState) -> Option<tokio::sync::OwnedSemaphorePermit> {
    tokio::time::timeout(HASHING_WAIT, state.password_checks.clone().acquire_owned())
        .await
        .ok()?
        .ok()
}

/// Checks `password` against `stored` (or a decoy when there is no
/// account) on a bounded number of threads; `None` when none was free in
/// time.
pub async fn check_password(
    state: &AppState,
    password: String,
    stored: Option<String>,
) -> Option<bool> {
    let permit = hashing_slot(state).await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        match stored {
            Some(hash) => verify_password(&password, &hash),
            None => {
                // As slow as a real check, so a wrong address is not told apart.
                let _ = verify_password(&password, decoy_hash());
                false
            }
        }
    })
    .await
    .ok()
}

/// Hashes a new password on the same bounded threads; `None` when none was
/// free in time.
pub async fn hash_bounded(state: &AppState, password: String) -> Option<Result<String, String>> {
    let permit = hashing_slot(state).await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        hash_password(&password)
    })
    .await
    .ok()
}

/// Remembers this browser for the officer; returns the device cookie's
/// value (the one presented, when it is already theirs).
pub async fn trust_device(
    state: &AppState,
    officer_id: i64,
    presented: Option<&str>,
    already_trusted: bool,
) -> Result<String, StoreError> {
    let token = match presented {
        Some(token) if already_trusted => token.to_owned(),
        _ => random_token(),
    };
    let now = now_ms();
    state
        .store
        .trust_device(
            &token_hash(&token),
            officer_id,
            now,
            now + DEVICE_DAYS * 86_400_000,
        )
        .await?;
    Ok(token)
}

/// Hashes a password with argon2id and a fresh salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| format!("cannot make a salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// True when `password` matches the stored hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to verify against when the account does not exist, so that a
/// wrong address takes as long as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("no account has this password").unwrap_or_default())
}

/// 256 random bits, hex.
pub fn random_token() -> String {
    let a = rand::random::<u128>();
    let b = rand::random::<u128>();
    format!("{a:032x}{b:032x}")
}

pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time that depends neither on where they differ
/// nor on their lengths: their SHA-256 digests are compared, every byte.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// A cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/console, Secure over HTTPS.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> String {
    let secure = if state.config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/console; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

/// Opens a session for `officer`; returns the cookie's token.
pub async fn open_session(state: &AppState, officer: &Officer) -> Result<String, StoreError> {
    let token = random_token();
    let now = now_ms();
    state
        .store
        .open_session(NewSession {
            token_hash: token_hash(&token),
            officer_id: officer.id,
            csrf_token: random_token(),
            at_ms: now,
            expires_at: now + SESSION_HOURS * 3600 * 1000,
        })
        .await?;
    Ok(token)
}

/// The signed-in officer: who, in which role and scope, and the CSRF token
/// their forms must carry.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub officer: Officer,
    pub role: Role,
    pub csrf: String,
    pub token_hash: String,
}

/// The complaints an officer in `role` may see.
pub fn scope_of(o: &Officer, role: Role, catalog: &Catalog) -> Scope {
    let of_province = catalog
        .region(&o.region_slug)
        .is_some_and(|r| r.kind == "province");
    let everywhere = role.sees_every_region() || (role == Role::Supervisor && of_province);
    if !role.reads_complaints() {
        // No region and no unit has an empty key: a scope that admits nothing.
        return Scope {
            region: Some(String::new()),
            unit: Some(String::new()),
            confidential: false,
        };
    }
    Scope {
        region: (!everywhere).then(|| o.region_slug.clone()),
        unit: (role == Role::Unit).then(|| o.unit_key.clone()).flatten(),
        // Confidential complaints stay with the region that handles them.
        confidential: matches!(role, Role::Coordinator | Role::Unit),
    }
}

impl SignedIn {
    /// The complaints this officer may see.
    pub fn scope(&self, catalog: &Catalog) -> Scope {
        scope_of(&self.officer, self.role, catalog)
    }

    /// True when the form's token is this session's.
    pub fn csrf_ok(&self, posted: &str) -> bool {
        same_secret(&self.csrf, posted)
    }

    /// True when a state-changing post may be taken: the browser does not
    /// mark it cross-site and it carries this session's token.
    pub fn may_post(&self, headers: &HeaderMap, posted: &str) -> bool {
        !cross_site(headers) && self.csrf_ok(posted)
    }
}

/// Why a console request has no officer: it is sent to the sign-in page.
#[derive(Debug)]
pub struct SignInFirst;

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        Redirect::to("/console/login").into_response()
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).filter(|t| t.len() == 64) else {
            return Err(SignInFirst.into_response());
        };
        let hash = token_hash(token);
        match state.store.session(&hash, now_ms()).await {
            Ok(Some((officer, csrf))) => {
                let Some(role) = Role::from_key(&officer.role) else {
                    return Err(SignInFirst.into_response());
                };
                if !role.reads_complaints() && !webmaster_may_open(parts.uri.path()) {
                    // A webmaster's console is their sites; the inbox they
                    // land on after signing in sends them there.
                    return Err(if parts.uri.path() == "/console/inbox" {
                        Redirect::to("/console/sites").into_response()
                    } else {
                        crate::routes::console::forbidden(
                            crate::extract::locale_of(&parts.headers),
                            None,
                        )
                    });
                }
                Ok(SignedIn {
                    officer,
                    role,
                    csrf,
                    token_hash: hash,
                })
            }
            Ok(None) => Err(SignInFirst.into_response()),
            Err(e) => Err(crate::error::ApiError::from(e).into_response()),
        }
    }
}

/// The console pages open to a role that reads no complaint: its sites,
/// its password, signing out.
pub fn webmaster_may_open(path: &str) -> bool {
    path == "/console/sites"
        || path.starts_with("/console/sites/")
        || path == "/console/password"
        || path == "/console/logout"
}

/// True when the browser says the request came from another site (a
/// forged form post); requests without the header are judged by the token.
pub fn cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
}

/// True when the request names an `Origin` other than the host it was sent to.
pub fn foreign_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin
        .split_once("://")
        .map_or("", |(_, rest)| rest.trim_end_matches('/'));
    origin == "null" || !origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("correct horse").unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horse ", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        assert!(!verify_password(
            "no account has this password x",
            decoy_hash()
        ));
    }

    #[test]
    fn an_attempt_takes_from_the_account_address_and_pair_or_the_device_alone() {
        let ip: IpAddr = [203, 0, 113, 9].into();
        let keys = |b: Vec<Budget>| b.into_iter().map(|b| (b.key, b.limit)).collect::<Vec<_>>();
        assert_eq!(
            keys(budgets("a@b.id", Some(ip), None)),
            [
                ("pair:a@b.id|203.0.113.9".to_owned(), 5),
                ("account:a@b.id".to_owned(), 50),
                ("address:203.0.113.9".to_owned(), 30),
            ]
        );
        assert_eq!(
            keys(budgets("a@b.id", Some(ip), Some("abc"))),
            [("device:abc".to_owned(), 10)]
        );
        assert!(
            budgets("a@b.id", None, None)
                .iter()
                .all(|b| b.window_ms == 15 * 60 * 1000)
        );
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "x_aduan_session=1; aduan_session=abc; other=2"
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abcd", "abcd"));
        assert!(!same_secret("abcd", "abce"));
        assert!(!same_secret("abcd", "abc"));
        assert!(!same_secret("", "a"));
        assert!(!same_secret("a", ""));
        assert_eq!(random_token().len(), 64);
        assert_ne!(random_token(), random_token());
    }
}
