//! Where outgoing requests may go. A webhook URL that names a loopback,
//! private, shared, link-local (cloud metadata lives there) or otherwise
//! special address is refused, both when a subscriber is added and when a
//! delivery resolves the name (so a name that later points inside is
//! caught too), unless the operator allows private targets
//! (`--webhook-allow-private`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// True for an address outside the public internet.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => private_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => private_v4(v4),
            None => private_v6(v6),
        },
    }
}

fn private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // Protocol assignments, 192.0.0.0/24, and benchmarking, 198.18.0.0/15.
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (18..20).contains(&b))
        // Reserved, 240.0.0.0/4.
        || a >= 240
}

fn private_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local (fc00::/7: also where some clouds put metadata).
        || (first & 0xfe00) == 0xfc00
        // Link-local (fe80::/10) and the old site-local (fec0::/10).
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        // Documentation, 2001:db8::/32.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // IPv4-compatible and NAT64 forms of any address.
        || ip.segments()[..6].iter().all(|s| *s == 0)
        || (first == 0x0064 && ip.segments()[1] == 0xff9b)
}

/// Why a target is refused.
pub fn refusal(host: &str) -> String {
    format!(
        "`{host}` is a loopback, private or link-local address; webhooks go to the public internet (an operator can allow private targets with --webhook-allow-private)"
    )
}

/// Checks a webhook URL's host when a subscriber is added: an address is
/// judged as it is, a name by what it resolves to now (a name that does
/// not resolve yet is taken; every delivery checks again).
pub async fn check_target(url: &reqwest::Url, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return if is_private(ip) {
            Err(refusal(host))
        } else {
            Ok(())
        };
    }
    let lower = host.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") || lower.ends_with(".internal") {
        return Err(refusal(host));
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let resolved = tokio::time::timeout(
        Duration::from_secs(3),
        tokio::net::lookup_host((host, port)),
    )
    .await;
    if let Ok(Ok(addresses)) = resolved {
        for address in addresses {
            if is_private(address.ip()) {
                return Err(refusal(host));
            }
        }
    }
    Ok(())
}

/// The host of a URL when it is an address that may not be reached.
pub fn private_literal(url: &str, allow_private: bool) -> Option<String> {
    if allow_private {
        return None;
    }
    let parsed = reqwest::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .ok()
        .filter(|ip| is_private(*ip))
        .map(|_| host.to_owned())
}

/// A resolver that hands the HTTP client only public addresses: a name
/// that resolves to nothing else fails, so a delivery never connects to
/// the internal network whatever the name points at by then.
#[derive(Debug, Clone, Copy)]
pub struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !is_private(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(refusal(&host).into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The resolver for delivery clients: public only unless allowed.
pub fn resolver(allow_private: bool) -> Option<Arc<PublicOnly>> {
    (!allow_private).then_some(Arc::new(PublicOnly))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn the_internal_network_and_metadata_are_private() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.0.170",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "fec0::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2001:db8::1",
            "ff02::1",
        ] {
            assert!(is_private(ip(private)), "{private}");
        }
        for public in [
            "8.8.8.8",
            "203.0.114.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_private(ip(public)), "{public}");
        }
    }

    #[tokio::test]
    async fn a_subscriber_on_the_internal_network_is_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://[::1]/hook",
            "http://169.254.169.254/latest/meta-data",
            "https://10.0.0.5/hook",
            "http://localhost:9000/hook",
            "http://metadata.google.internal/",
        ] {
            let parsed = reqwest::Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(check_target(&parsed, false).await.is_err(), "{url}");
            assert!(check_target(&parsed, true).await.is_ok(), "{url}");
        }
        let public =
            reqwest::Url::parse("https://203.0.114.7/hook").unwrap_or_else(|e| panic!("{e}"));
        assert!(check_target(&public, false).await.is_ok());
        assert_eq!(
            private_literal("http://10.0.0.5/x", false).as_deref(),
            Some("10.0.0.5")
        );
        assert_eq!(
            private_literal("http://[::1]:80/x", false).as_deref(),
            Some("[::1]")
        );
        assert_eq!(private_literal("http://10.0.0.5/x", true), None);
        assert_eq!(private_literal("https://example.id/x", false), None);
    }

    #[tokio::test]
    async fn the_resolver_hands_out_no_private_address() {
        use reqwest::dns::Resolve;
        let name = "localhost".parse::<reqwest::dns::Name>();
        let Ok(name) = name else { panic!("a name") };
        let resolved = PublicOnly.resolve(name).await;
        assert!(resolved.is_err(), "localhost resolved to a usable address");
    }
}
