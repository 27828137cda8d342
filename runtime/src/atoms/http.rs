//! `http`: outgoing requests to hosts on the tenant's allow-list. No redirects
//! are followed (a redirect could lead off the list), responses are capped,
//! and every request is bounded by the call's deadline.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ipnet::IpNet;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use url::Host;

use super::egress::{self, GuardedResolver};
use super::{AtomCall, AtomResult};
use crate::bindings::scena::plugin::http as wit_http;
use crate::bindings::wit::AtomError;

/// A granted host: `api.example.com`, `*.example.com` (any subdomain, not the
/// apex), `*` (any host — grant with care), or an address or network
/// (`127.0.0.1`, `::1`, `10.0.0.0/8`). Only an address, a network or an exact
/// host name reaches special addresses (loopback, private, link-local…: see
/// `egress`); the wildcards never do.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HostPattern {
    Exact(String),
    Subdomains(String),
    Any,
    Net(IpNet),
}

impl HostPattern {
    /// Whether a URL host given as a name matches.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        match self {
            HostPattern::Exact(h) => host == *h,
            HostPattern::Subdomains(suffix) => {
                host.len() > suffix.len() + 1
                    && host.ends_with(suffix.as_str())
                    && host[..host.len() - suffix.len()].ends_with('.')
            }
            HostPattern::Any => true,
            HostPattern::Net(_) => false,
        }
    }
}

/// An address or a network, as a grant writes it: `127.0.0.1`, `[::1]`,
/// `127.1` (what a URL would make of it), `10.0.0.0/8`. `None`: not one.
fn parse_net(s: &str) -> Option<Result<IpNet, String>> {
    if let Some((addr, _)) = s.split_once('/') {
        let net = match s.parse::<IpNet>() {
            Ok(net) => net,
            Err(_) if addr.parse::<IpAddr>().is_ok() || addr.contains(':') => {
                return Some(Err(format!(
                    "invalid network `{s}`: write an address and a prefix length, such as `10.0.0.0/8` or `fc00::/7`"
                )));
            }
            Err(_) => return None,
        };
        return Some(if net.trunc() == net {
            Ok(net)
        } else {
            Err(format!("invalid network `{s}`: it has bits set past its prefix; did you mean `{}`?", net.trunc()))
        });
    }
    let literal = s.strip_prefix('[').and_then(|v| v.strip_suffix(']')).unwrap_or(s);
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return Some(Ok(IpNet::from(egress::canonical(ip))));
    }
    if s.contains(':') {
        return Some(Err(format!(
            "invalid host pattern `{s}`: a grant names a host or an address, not a port (write it without `:port`)"
        )));
    }
    // What a URL would read more into (`user@127.0.0.1`) is no address spelling.
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
        return None;
    }
    // Spellings such as `2130706433` or `127.1`, read as a URL reads them.
    match Url::parse(&format!("http://{s}/")).ok()?.host()? {
        Host::Ipv4(ip) => Some(Ok(IpNet::from(IpAddr::V4(ip)))),
        Host::Ipv6(ip) => Some(Ok(IpNet::from(egress::canonical(IpAddr::V6(ip))))),
        Host::Domain(_) => None,
    }
}

impl FromStr for HostPattern {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        let valid_host = |h: &str| {
            !h.is_empty()
                && h.split('.')
                    .all(|label| !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        };
        if s == "*" {
            Ok(HostPattern::Any)
        } else if let Some(net) = parse_net(&s) {
            net.map(HostPattern::Net)
        } else if let Some(suffix) = s.strip_prefix("*.").map(|h| h.trim_end_matches('.')) {
            if valid_host(suffix) {
                Ok(HostPattern::Subdomains(suffix.to_string()))
            } else {
                Err(format!("invalid host pattern `{s}`"))
            }
        } else if valid_host(s.trim_end_matches('.')) {
            Ok(HostPattern::Exact(s.trim_end_matches('.').to_string()))
        } else {
            Err(format!(
                "invalid host pattern `{s}`: use a host name, `*.domain`, `*`, an address or a network (`10.0.0.0/8`)"
            ))
        }
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostPattern::Exact(h) => f.write_str(h),
            HostPattern::Subdomains(s) => write!(f, "*.{s}"),
            HostPattern::Any => f.write_str("*"),
            HostPattern::Net(net) if net.prefix_len() == net.max_prefix_len() => write!(f, "{}", net.addr()),
            HostPattern::Net(net) => write!(f, "{net}"),
        }
    }
}

/// The hosts a tenant's plugins may reach. Empty: none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct HttpAllowList(pub Vec<HostPattern>);

impl HttpAllowList {
    /// Whether a URL's host may be asked for. A name is then resolved and
    /// its addresses checked as they are connected to (`egress`); an
    /// address is checked here.
    pub fn admits<S: AsRef<str>>(&self, host: &Host<S>) -> Result<(), String> {
        match host {
            Host::Domain(name) if self.0.iter().any(|p| p.matches(name.as_ref())) => Ok(()),
            Host::Domain(name) => Err(format!("host `{}` is not on the HTTP allow-list", name.as_ref())),
            Host::Ipv4(ip) => self.admits_ip(IpAddr::V4(*ip)),
            Host::Ipv6(ip) => self.admits_ip(IpAddr::V6(*ip)),
        }
    }

    fn admits_ip(&self, ip: IpAddr) -> Result<(), String> {
        if self.names_network_of(ip) {
            return Ok(());
        }
        if !self.0.contains(&HostPattern::Any) {
            return Err(format!("host `{}` is not on the HTTP allow-list", egress::canonical(ip)));
        }
        self.admits_address(None, ip)
    }

    /// Whether an address or network of this list holds `ip`.
    pub(super) fn names_network_of(&self, ip: IpAddr) -> bool {
        let ip = egress::canonical(ip);
        self.0.iter().any(|p| matches!(p, HostPattern::Net(net) if net.contains(&ip)))
    }

    /// Whether this list names `host` exactly (not through a wildcard).
    pub(super) fn names_exactly(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.0.iter().any(|p| matches!(p, HostPattern::Exact(h) if *h == host))
    }
}

/// Limits of the HTTP atom, the same for every tenant of a runtime.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub max_response_bytes: usize,
    pub max_timeout: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings { max_response_bytes: 8 << 20, max_timeout: Duration::from_secs(30) }
    }
}

/// The clients, one per allow-list: each resolves through a resolver that
/// admits only what its list does, and keeps its own connection pool — a
/// connection opened under one tenant's grants is never reused under
/// another's, which would skip the resolver's check.
pub struct HttpClient {
    clients: Mutex<HashMap<Arc<HttpAllowList>, reqwest::Client>>,
    settings: HttpSettings,
}

/// Distinct allow-lists kept at once; past that the pools start over.
const MAX_CLIENTS: usize = 64;

impl HttpClient {
    pub fn new(settings: HttpSettings) -> anyhow::Result<HttpClient> {
        Ok(HttpClient { clients: Mutex::new(HashMap::new()), settings })
    }

    fn client_for(&self, allow: &HttpAllowList) -> Result<reqwest::Client, AtomError> {
        let mut clients = self.clients.lock().expect("http clients lock");
        if let Some(client) = clients.get(allow) {
            return Ok(client.clone());
        }
        let allow = Arc::new(allow.clone());
        let client = crate::tls::client_builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the target itself, past the resolver's check.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver(allow.clone())))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("scena/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AtomError::Failed(format!("cannot set up the HTTP client: {e}")))?;
        if clients.len() >= MAX_CLIENTS {
            clients.clear();
        }
        clients.insert(allow, client.clone());
        Ok(client)
    }
}

struct Prepared {
    method: Method,
    url: Url,
    headers: HeaderMap,
    timeout: Duration,
}

impl AtomCall {
    fn http_prepare(&self, request: &wit_http::Request) -> Result<Prepared, AtomError> {
        let method = match request.method.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            "HEAD" => Method::HEAD,
            "OPTIONS" => Method::OPTIONS,
            other => return Err(AtomError::Invalid(format!("unsupported HTTP method `{other}`"))),
        };
        let url =
            Url::parse(&request.url).map_err(|e| AtomError::Invalid(format!("invalid URL `{}`: {e}", request.url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(AtomError::Invalid(format!("only http and https URLs are allowed, got `{}`", url.scheme())));
        }
        let host = url.host().ok_or_else(|| AtomError::Invalid(format!("URL `{url}` has no host")))?;
        self.grants
            .http
            .admits(&host)
            .map_err(|why| AtomError::Denied(format!("{why} of tenant `{}`", self.scope.tenant)))?;
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| AtomError::Invalid(format!("invalid header name `{name}`")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| AtomError::Invalid(format!("invalid value for header `{name}`")))?;
            headers.append(name, value);
        }
        let client = &self.services.http;
        let asked = request.timeout_ms.map_or(client.settings.max_timeout, |ms| Duration::from_millis(ms.into()));
        let left = self.deadline.saturating_duration_since(Instant::now());
        let timeout = asked.min(client.settings.max_timeout).min(left);
        Ok(Prepared { method, url, headers, timeout })
    }

    pub(super) async fn http_send(&self, request: wit_http::Request) -> Result<wit_http::Response, AtomError> {
        let prepared = self.http_prepare(&request)?;
        let client = &self.services.http;
        let target = format!("{} {}", prepared.method, prepared.url);
        let mut builder = client
            .client_for(&self.grants.http)?
            .request(prepared.method, prepared.url)
            .headers(prepared.headers)
            .timeout(prepared.timeout);
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let tenant = &self.scope.tenant;
        let failed = |e: reqwest::Error| {
            if let Some(why) = egress::refusal_in(&e) {
                return AtomError::Denied(format!("{target}: {why} of tenant `{tenant}`"));
            }
            let why = if e.is_timeout() { "timed out".to_string() } else { error_chain(&e) };
            AtomError::Failed(format!("{target}: {why}"))
        };
        let mut response = builder.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let cap = client.settings.max_response_bytes;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > cap {
                return Err(AtomError::Failed(format!("{target}: response body exceeds the {cap} byte limit")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(wit_http::Response { status, headers, body })
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl wit_http::Host for AtomCall {
    async fn send(&mut self, request: wit_http::Request) -> AtomResult<wit_http::Response> {
        let summary = format!("{} {}", request.method, request.url);
        let result = self.http_send(request).await;
        let outcome = match &result {
            Ok(response) => format!("status {}", response.status),
            Err(e) => super::describe_error(e),
        };
        self.record_outcome("http", summary, outcome);
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(patterns: &[&str]) -> HttpAllowList {
        HttpAllowList(patterns.iter().map(|p| p.parse().unwrap()).collect())
    }

    impl HttpAllowList {
        pub(crate) fn allows(&self, host: &str) -> bool {
            self.admits(&Host::parse(host).unwrap()).is_ok()
        }
    }

    #[test]
    fn exact_hosts_match_only_themselves() {
        let allow = list(&["api.example.com"]);
        assert!(allow.allows("api.example.com"));
        assert!(allow.allows("API.Example.com."));
        assert!(!allow.allows("example.com"));
        assert!(!allow.allows("api.example.com.evil.net"));
        assert!(!allow.allows("evilapi.example.com"));
    }

    #[test]
    fn wildcards_match_subdomains_not_the_apex_or_lookalikes() {
        let allow = list(&["*.example.com"]);
        assert!(allow.allows("a.example.com"));
        assert!(allow.allows("a.b.example.com"));
        assert!(!allow.allows("example.com"));
        assert!(!allow.allows("badexample.com"));
        assert!(!allow.allows("example.com.evil.net"));
    }

    #[test]
    fn empty_list_allows_nothing_and_star_allows_all() {
        assert!(!HttpAllowList::default().allows("localhost"));
        assert!(list(&["*"]).allows("anything.at.all"));
    }

    #[test]
    fn malformed_patterns_are_refused() {
        for bad in [
            "",
            "*.",
            "a*.example.com",
            "exa mple.com",
            "**",
            "*.*.com",
            "10.0.0.0/33",
            "10.0.0.1/8",
            "fc00::/129",
            "10.0.0.0/x",
            "1.2.3.4/",
            "127.0.0.1:80",
            "[::1]:8080",
            "example.com:443",
            "user@127.0.0.1",
            "127.0.0.1?x",
        ] {
            assert!(bad.parse::<HostPattern>().is_err(), "{bad}");
        }
        let error = "10.0.0.1/8".parse::<HostPattern>().unwrap_err();
        assert!(error.contains("did you mean `10.0.0.0/8`"), "{error}");
        let error = "127.0.0.1:80".parse::<HostPattern>().unwrap_err();
        assert!(error.contains("not a port"), "a port is refused, not dropped: {error}");
    }

    #[test]
    fn addresses_and_networks_are_read_in_every_spelling() {
        for (written, shown) in [
            ("127.0.0.1", "127.0.0.1"),
            ("127.1", "127.0.0.1"),
            ("2130706433", "127.0.0.1"),
            ("[::1]", "::1"),
            ("::ffff:127.0.0.1", "127.0.0.1"),
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("FC00::/7", "fc00::/7"),
        ] {
            let pattern: HostPattern = written.parse().unwrap();
            assert!(matches!(pattern, HostPattern::Net(_)), "{written}");
            assert_eq!(pattern.to_string(), shown);
        }
    }

    #[test]
    fn a_wildcard_reaches_public_addresses_but_never_special_ones() {
        let any = list(&["*"]);
        assert!(any.allows("93.184.216.34"));
        for special in
            ["127.0.0.1", "[::1]", "169.254.169.254", "10.0.0.1", "[::ffff:127.0.0.1]", "0.0.0.0", "[fd00::1]"]
        {
            let error = any.admits(&Host::parse(special).unwrap()).unwrap_err();
            assert!(error.contains("address: such addresses are reached only when named"), "{special}: {error}");
        }
        assert!(list(&["127.0.0.1"]).allows("127.0.0.1"));
        assert!(list(&["10.0.0.0/8"]).allows("10.1.2.3"));
        assert!(!list(&["10.0.0.0/8"]).allows("11.0.0.1"), "a network grants only its addresses");
        assert!(!list(&["*.example.com"]).allows("10.0.0.1"));
    }
}
