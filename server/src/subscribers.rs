//! Adding webhook subscribers and rotating their secrets, and issuing
//! Open311 partner keys: from the command line (`aduan webhook add`,
//! `aduan partner add`) and from the console.

use crate::domain::catalog::Catalog;
use crate::outbound::new_secret;
use crate::state::now_ms;
use crate::store::Store;

/// Issues an Open311 API key to a partner; its id and the key (shown once;
/// only its SHA-256 is stored).
pub async fn add_partner(store: &dyn Store, name: &str) -> Result<(i64, String), String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err("give the partner a name of 1 to 200 characters".into());
    }
    let key = format!(
        "ak_{:032x}{:032x}",
        rand::random::<u128>(),
        rand::random::<u128>()
    );
    let id = store
        .add_partner(name, &crate::routes::open311::key_hash(&key), now_ms())
        .await
        .map_err(|e| e.to_string())?;
    Ok((id, key))
}

/// How long an old secret keeps signing after a rotation.
pub const ROTATION_OVERLAP_MS: i64 = 24 * 3600 * 1000;

/// Checks a subscriber's address: absolute http(s), no credentials in it,
/// not on the internal network unless `allow_private`.
pub async fn check_url(url: &str, allow_private: bool) -> Result<String, String> {
    let url = url.trim();
    let parsed = reqwest::Url::parse(url).map_err(|_| format!("`{url}` is not an address"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!("`{url}` is not an http or https address"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "put no user name or password in the address; the signature authenticates".into(),
        );
    }
    crate::egress::check_target(&parsed, allow_private).await?;
    Ok(url.to_owned())
}

/// Adds a subscriber; its id and its secret (shown once).
pub async fn add(
    store: &dyn Store,
    catalog: &Catalog,
    url: &str,
    region: Option<&str>,
    allow_private: bool,
) -> Result<(i64, String), String> {
    let url = check_url(url, allow_private).await?;
    let region = region.map(str::trim).filter(|r| !r.is_empty());
    if let Some(region) = region
        && catalog.region(region).is_none()
    {
        return Err(format!("`{region}` is not a region"));
    }
    let secret = new_secret();
    let id = store
        .add_subscriber(&url, region, &secret, now_ms())
        .await
        .map_err(|e| e.to_string())?;
    Ok((id, secret))
}

/// Gives a subscriber a new secret; the old one signs beside it for a day.
pub async fn rotate(store: &dyn Store, id: i64) -> Result<String, String> {
    let secret = new_secret();
    let done = store
        .rotate_secret(id, &secret, now_ms() + ROTATION_OVERLAP_MS)
        .await
        .map_err(|e| e.to_string())?;
    if done {
        Ok(secret)
    } else {
        Err(format!("there is no subscriber {id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_plain_http_addresses_are_taken() {
        assert!(
            check_url("https://pro.denpasarkota.go.id/hooks/aduan", false)
                .await
                .is_ok()
        );
        assert!(check_url("http://127.0.0.1:9000/x", false).await.is_err());
        assert!(check_url("http://127.0.0.1:9000/x", true).await.is_ok());
        assert!(check_url("ftp://example.id/x", true).await.is_err());
        assert!(check_url("not a url", true).await.is_err());
        assert!(
            check_url("https://user:pw@example.id/", true)
                .await
                .is_err()
        );
    }
}
