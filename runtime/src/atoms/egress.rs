//! Which addresses the `http` atom may connect to. A host name on the
//! allow-list says nothing about where it points: `*` would otherwise let a
//! plugin reach the server itself (`127.0.0.1`, `localhost`), the cloud's
//! metadata service (`169.254.169.254`) or the private network. So the
//! addresses actually connected to are checked — after resolution, inside the
//! client's resolver, leaving no gap between check and connect — and special
//! ones are refused unless the grant names them: by address or network
//! (`127.0.0.1`, `10.0.0.0/8`), or by the exact host name resolving to them.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, LazyLock};

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::http::HttpAllowList;

/// Ranges no request reaches unless granted by address or network, with what
/// they are (for the refusal's message).
static SPECIAL: LazyLock<Vec<(IpNet, &'static str)>> = LazyLock::new(|| {
    [
        ("0.0.0.0/8", "unspecified"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared (CGNAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved"),
        ("192.0.2.0/24", "documentation"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved or broadcast"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "IPv4-compatible"),
        ("100::/64", "discard"),
        ("2001:db8::/32", "documentation"),
        ("fc00::/7", "unique-local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    ]
    .into_iter()
    .map(|(net, what)| (net.parse().expect("a valid network"), what))
    .collect()
});

/// NAT64 addresses carry an IPv4 address in their last 32 bits.
static NAT64: LazyLock<IpNet> = LazyLock::new(|| "64:ff9b::/96".parse().expect("a valid network"));

/// The address as it will be reached: an IPv4-mapped IPv6 address
/// (`::ffff:127.0.0.1`) or a NAT64 one is its IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) if NAT64.contains(&IpAddr::V6(v6)) => {
            let [.., a, b, c, d] = v6.octets();
            IpAddr::V4(Ipv4Addr::new(a, b, c, d))
        }
        other => other,
    }
}

/// What kind of special address `ip` is; `None` for an ordinary public one.
pub fn special(ip: IpAddr) -> Option<&'static str> {
    let ip = canonical(ip);
    SPECIAL.iter().find(|(net, _)| net.contains(&ip)).map(|(_, what)| *what)
}

/// Why a connection was not made; found again in the client's error chain so
/// the plugin gets `denied`, not `failed`.
#[derive(Debug)]
pub struct EgressRefused(pub String);

impl std::fmt::Display for EgressRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EgressRefused {}

impl HttpAllowList {
    /// Whether `host` may be reached at `ip`: an ordinary address, or a
    /// special one this list names (by network, or by naming `host` exactly).
    pub fn admits_address(&self, host: Option<&str>, ip: IpAddr) -> Result<(), String> {
        let ip = canonical(ip);
        let Some(what) = special(ip) else { return Ok(()) };
        if self.names_network_of(ip) || host.is_some_and(|h| self.names_exactly(h)) {
            return Ok(());
        }
        let subject = match host {
            Some(h) => format!("host `{h}` resolves to {ip}, which is"),
            None => format!("host `{ip}` is"),
        };
        Err(format!(
            "{subject} a {what} address: such addresses are reached only when named (by address, by a network such as `10.0.0.0/8`, or by exact host name) in the HTTP allow-list"
        ))
    }
}

/// The client's resolver: system DNS, then only the answers the allow-list admits.
pub struct GuardedResolver(pub Arc<HttpAllowList>);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let (admitted, refused): (Vec<_>, Vec<_>) =
                found.into_iter().partition(|a| allow.admits_address(Some(&host), a.ip()).is_ok());
            match (admitted.is_empty(), refused.first()) {
                (true, Some(first)) => {
                    let why = allow.admits_address(Some(&host), first.ip()).expect_err("refused above");
                    Err(Box::new(EgressRefused(why)) as Box<dyn std::error::Error + Send + Sync>)
                }
                _ => Ok(Box::new(admitted.into_iter()) as Addrs),
            }
        })
    }
}

/// Whether an error (or one of its causes) is an egress refusal; its message if so.
pub fn refusal_in(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(refused) = e.downcast_ref::<EgressRefused>() {
            return Some(refused.0.clone());
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn special_ranges_are_recognised_in_every_spelling() {
        for (addr, what) in [
            ("127.0.0.1", "loopback"),
            ("::1", "loopback"),
            ("::ffff:127.0.0.1", "loopback"),
            ("64:ff9b::a9fe:a9fe", "link-local"),
            ("169.254.169.254", "link-local"),
            ("10.1.2.3", "private"),
            ("172.31.255.255", "private"),
            ("192.168.0.1", "private"),
            ("100.64.0.1", "shared (CGNAT)"),
            ("fd00::1", "unique-local"),
            ("0.0.0.0", "unspecified"),
            ("::", "unspecified"),
            ("255.255.255.255", "reserved or broadcast"),
            ("224.0.0.1", "multicast"),
            ("ff02::1", "multicast"),
        ] {
            assert_eq!(special(ip(addr)), Some(what), "{addr}");
        }
        for public in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:1.1.1.1"] {
            assert_eq!(special(ip(public)), None, "{public}");
        }
    }

    fn list(patterns: &[&str]) -> HttpAllowList {
        HttpAllowList(patterns.iter().map(|p| p.parse().unwrap()).collect())
    }

    #[test]
    fn special_addresses_need_a_grant_naming_them() {
        let any = list(&["*", "*.example.com"]);
        let error = any.admits_address(Some("localhost"), ip("127.0.0.1")).unwrap_err();
        assert!(error.contains("host `localhost` resolves to 127.0.0.1, which is a loopback address"), "{error}");
        assert!(any.admits_address(None, ip("::ffff:10.0.0.1")).is_err());
        assert!(
            any.admits_address(Some("a.example.com"), ip("10.0.0.1")).is_err(),
            "a wildcard never names an address"
        );
        assert!(any.admits_address(Some("a.example.com"), ip("93.184.216.34")).is_ok());

        assert!(list(&["127.0.0.1"]).admits_address(None, ip("127.0.0.1")).is_ok());
        assert!(list(&["127.0.0.1"]).admits_address(None, ip("::ffff:127.0.0.1")).is_ok());
        assert!(list(&["127.0.0.1"]).admits_address(None, ip("127.0.0.2")).is_err());
        assert!(list(&["10.0.0.0/8"]).admits_address(Some("db.internal"), ip("10.9.8.7")).is_ok());
        assert!(list(&["localhost"]).admits_address(Some("localhost"), ip("::1")).is_ok());
        assert!(list(&["localhost"]).admits_address(Some("other"), ip("::1")).is_err());
        assert!(list(&["::1"]).admits_address(None, ip("::1")).is_ok());
    }

    #[test]
    fn refusals_are_found_in_an_error_chain() {
        #[derive(Debug)]
        struct Outer(EgressRefused);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("connect error")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let error = Outer(EgressRefused("no".into()));
        assert_eq!(refusal_in(&error).as_deref(), Some("no"));
        assert_eq!(refusal_in(&"x".parse::<Ipv6Addr>().unwrap_err()), None);
    }
}
