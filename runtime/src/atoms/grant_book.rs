//! Where the grants of one plugin call come from. The CLI grants what its
//! flags say (`FixedGrants`); the server grants what the calling tenant set
//! (`TenantGrants`): its HTTP allow-list, and the secrets it granted to that
//! plugin, opened from the sealed store — nothing of another tenant, and no
//! secret granted to another plugin.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::http::HostPattern;
use super::notify::Channel;
use super::secrets::valid_secret_name;
use super::{Grants, HttpAllowList, SecretGrants};
use crate::inventory::{Selector, SelectorSet};
use crate::memo::Memo;
use crate::store::{AppStore, ChannelStore, GrantStore, SecretStore, split_scope};

pub trait GrantSource: Send + Sync {
    /// The grants a call of `plugin` on behalf of `tenant` runs with.
    fn grants_for<'a>(&'a self, tenant: &'a str, plugin: &'a str) -> BoxFuture<'a, anyhow::Result<Arc<Grants>>>;
}

/// The same grants for every call.
pub struct FixedGrants(pub Arc<Grants>);

impl GrantSource for FixedGrants {
    fn grants_for<'a>(&'a self, _: &'a str, _: &'a str) -> BoxFuture<'a, anyhow::Result<Arc<Grants>>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

/// A tenant's grants as set through the API. Plugin `*` in `secrets` means
/// every plugin of the tenant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Grants")]
pub struct GrantDoc {
    /// Hosts plugins may reach over `http`: `api.example.com`, `*.example.com`, `*`,
    /// addresses and networks (`127.0.0.1`, `10.0.0.0/8`) — the only way, with an
    /// exact name, to reach loopback, private and other special addresses.
    #[serde(default)]
    pub http: Vec<String>,
    /// Plugin name (or `*`) → the secrets it may read.
    #[serde(default)]
    pub secrets: BTreeMap<String, Vec<String>>,
    /// Plugin name (or `*`) → label selectors of the hosts it may see and touch
    /// through `cmdb` and `job` (`zone=eu-1,role=game`, `id=h-17`); a host is
    /// granted if any selector matches. A plain list (the older form) grants every plugin.
    #[serde(default, deserialize_with = "hosts_grant")]
    pub hosts: BTreeMap<String, Vec<String>>,
    /// Plugin name (or `*`) → the notification channels it may send to.
    #[serde(default)]
    pub notify: BTreeMap<String, Vec<String>>,
}

fn hosts_grant<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Form {
        PerPlugin(BTreeMap<String, Vec<String>>),
        Everyone(Vec<String>),
    }
    Ok(match Form::deserialize(deserializer)? {
        Form::PerPlugin(map) => map,
        Form::Everyone(list) if list.is_empty() => BTreeMap::new(),
        Form::Everyone(list) => BTreeMap::from([("*".to_string(), list)]),
    })
}

impl GrantDoc {
    /// Everything wrong with the document, each naming where.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for pattern in &self.http {
            if let Err(e) = pattern.parse::<HostPattern>() {
                problems.push(format!("http: {e}"));
            }
        }
        for (plugin, selectors) in &self.hosts {
            if plugin != "*"
                && let Err(e) = scena_host_api::validate_plugin_name(plugin)
            {
                problems.push(format!("hosts: `{plugin}`: {e}"));
            }
            for selector in selectors {
                if selector.trim().is_empty() {
                    problems.push(format!("hosts.{plugin}: an empty selector would grant every host: write `*` rules explicitly as selectors such as `zone=eu-1`"));
                } else if let Err(e) = selector.parse::<Selector>() {
                    problems.push(format!("hosts.{plugin}: {e}"));
                }
            }
        }
        for (plugin, names) in &self.notify {
            if plugin != "*"
                && let Err(e) = scena_host_api::validate_plugin_name(plugin)
            {
                problems.push(format!("notify: `{plugin}`: {e}"));
            }
            for name in names.iter().filter(|n| !valid_channel_name(n)) {
                problems.push(format!("notify.{plugin}: `{name}` is not a channel name (a-z 0-9 - _, at most 63)"));
            }
        }
        for (plugin, names) in &self.secrets {
            if plugin != "*"
                && let Err(e) = scena_host_api::validate_plugin_name(plugin)
            {
                problems.push(format!("secrets: `{plugin}`: {e}"));
            }
            for name in names.iter().filter(|n| !valid_secret_name(n)) {
                problems.push(format!(
                    "secrets.{plugin}: `{name}` is not a secret name (letters, digits, `_`, `.`, `-`; at most 128)"
                ));
            }
        }
        problems
    }

    fn http_allow_list(&self) -> HttpAllowList {
        HttpAllowList(self.http.iter().filter_map(|p| p.parse().ok()).collect())
    }

    /// The hosts `plugin` may see and touch.
    fn hosts_of(&self, plugin: &str) -> SelectorSet {
        SelectorSet(
            [plugin, "*"]
                .iter()
                .filter_map(|p| self.hosts.get(*p))
                .flatten()
                .filter(|s| !s.trim().is_empty())
                .filter_map(|s| s.parse().ok())
                .collect(),
        )
    }

    /// The secrets `plugin` may read.
    fn secrets_of(&self, plugin: &str) -> Vec<&str> {
        granted_to(&self.secrets, plugin)
    }

    /// The channels `plugin` may send to.
    fn channels_of(&self, plugin: &str) -> Vec<&str> {
        granted_to(&self.notify, plugin)
    }
}

/// The names `plugin` (or every plugin, `*`) is granted in one part of the document.
fn granted_to<'a>(part: &'a BTreeMap<String, Vec<String>>, plugin: &str) -> Vec<&'a str> {
    let mut names: Vec<&str> =
        [plugin, "*"].iter().filter_map(|p| part.get(*p)).flatten().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// What a channel may be called: short, lowercase, safe in paths.
pub fn valid_channel_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Grants read from the store, kept per (tenant, plugin) until this process
/// changes a tenant's grants or secrets (`forget`), and a second at most for
/// changes another node of a cluster makes.
pub struct TenantGrants {
    grants: GrantStore,
    secrets: SecretStore,
    channels: ChannelStore,
    apps: AppStore,
    cache: Memo<(String, String), Arc<Grants>>,
}

impl TenantGrants {
    pub fn new(grants: GrantStore, secrets: SecretStore, channels: ChannelStore, apps: AppStore) -> TenantGrants {
        TenantGrants { grants, secrets, channels, apps, cache: Memo::new(Some(std::time::Duration::from_secs(1))) }
    }

    /// Drop what is kept for `tenant` and its installed apps: grants, secrets or installs changed.
    pub fn forget(&self, _tenant: &str) {
        // Everything: a tenant's entries are few, and changes rare.
        self.cache.forget_all();
    }

    /// Drop everything kept (another node changed installs).
    pub fn forget_all(&self) {
        self.cache.forget_all();
    }

    pub async fn doc(&self, tenant: &str) -> anyhow::Result<GrantDoc> {
        match self.grants.get(tenant).await? {
            Some(value) => Ok(serde_json::from_value(value)?),
            None => Ok(GrantDoc::default()),
        }
    }

    /// The grants of `plugin` in `scope`: a tenant's own, as its grant document
    /// says; an installed app's (`TENANT/APP`), exactly what its installer
    /// consented to, with the secrets supplied to the app — never the tenant's.
    async fn load(&self, scope: &str, plugin: &str) -> anyhow::Result<Arc<Grants>> {
        let (tenant, doc, values) = match split_scope(scope) {
            Some((tenant, app)) => {
                let doc: GrantDoc = match self.apps.install(tenant, app).await? {
                    Some(install) => serde_json::from_str(&install.grants)?,
                    None => GrantDoc::default(),
                };
                let values = self.apps.app_secret_values(scope, &doc.secrets_of(plugin)).await?;
                (tenant, doc, values)
            }
            None => {
                let doc = self.doc(scope).await?;
                let values = self.secrets.values(scope, &doc.secrets_of(plugin)).await?;
                (scope, doc, values)
            }
        };
        let mut secrets = SecretGrants::default();
        for (name, value) in values {
            secrets.grant(&name, &value);
        }
        let mut channels = BTreeMap::new();
        for (name, config) in self.channels.configs(tenant, &doc.channels_of(plugin)).await? {
            let channel: Channel =
                serde_json::from_str(&config).map_err(|e| anyhow::anyhow!("channel `{name}` is unreadable: {e}"))?;
            channels.insert(name, channel);
        }
        Ok(Arc::new(Grants { http: doc.http_allow_list(), secrets, hosts: doc.hosts_of(plugin), channels }))
    }
}

impl GrantSource for TenantGrants {
    fn grants_for<'a>(&'a self, tenant: &'a str, plugin: &'a str) -> BoxFuture<'a, anyhow::Result<Arc<Grants>>> {
        Box::pin(async move {
            let key = (tenant.to_string(), plugin.to_string());
            if let Some(grants) = self.cache.get(&key, |_| true) {
                return Ok(grants);
            }
            let changes = self.cache.changes();
            let grants = self.load(tenant, plugin).await?;
            self.cache.keep(key, grants.clone(), changes);
            Ok(grants)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Db, SealingKey};
    use serde_json::json;

    #[test]
    fn documents_with_bad_patterns_or_names_list_every_problem() {
        let doc: GrantDoc = serde_json::from_value(json!({
            "http": ["api.example.com", "bad host"], "secrets": {"Bad Plugin": ["OK"], "kv": ["no spaces"]},
            "hosts": {"find-hosts": ["zone=eu-1", "*.prod"]}, "notify": {"notify": ["ops-chat", "Bad Channel"]}
        }))
        .unwrap();
        let problems = doc.problems();
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("hosts.find-hosts: `*.prod`")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("`Bad Channel` is not a channel name")), "{problems:?}");
        // The older form, a plain list of hosts, grants every plugin.
        let older: GrantDoc = serde_json::from_value(json!({"hosts": ["zone=eu-1"]})).unwrap();
        assert_eq!(older.hosts_of("any-plugin").0.len(), 1);
        assert!(older.hosts_of("any-plugin").admits(&crate::inventory::Host {
            id: "h".into(),
            hostname: "h".into(),
            ip: "10.0.0.1".into(),
            labels: [("zone".to_string(), "eu-1".to_string())].into(),
            agent: None,
            last_seen: None,
        }));
        assert!(serde_json::from_value::<GrantDoc>(json!({"htp": []})).is_err(), "unknown fields are refused");
    }

    #[tokio::test]
    async fn a_call_gets_its_tenants_allow_list_and_only_the_secrets_granted_to_its_plugin() {
        let db = Db::scratch().await.unwrap();
        for tenant in ["acme", "other"] {
            db.identity().ensure_tenant(tenant).await.unwrap();
        }
        let secrets = db.secrets(Arc::new(SealingKey::from_hex(&"22".repeat(32)).unwrap()));
        secrets.put("acme", "API_TOKEN", "t0k", "alice").await.unwrap();
        secrets.put("acme", "DB_PASSWORD", "hunter2", "alice").await.unwrap();
        secrets.put("acme", "SHARED", "s", "alice").await.unwrap();
        secrets.put("other", "API_TOKEN", "not-acme", "bob").await.unwrap();
        let doc = json!({"http": ["api.example.com"], "secrets": {"http-request": ["API_TOKEN"], "*": ["SHARED"]}});
        db.grants().put("acme", &doc, "alice").await.unwrap();
        let channels = db.channels(Arc::new(SealingKey::from_hex(&"22".repeat(32)).unwrap()));
        let book = TenantGrants::new(
            db.grants(),
            secrets,
            channels,
            db.apps(Arc::new(SealingKey::from_hex(&"22".repeat(32)).unwrap())),
        );

        let http = book.grants_for("acme", "http-request").await.unwrap();
        assert!(http.http.allows("api.example.com"));
        assert!(!http.http.allows("evil.example.net"));
        assert_eq!(http.secrets.lookup("API_TOKEN"), Some("t0k"));
        assert_eq!(http.secrets.lookup("SHARED"), Some("s"));
        assert_eq!(http.secrets.lookup("DB_PASSWORD"), None, "not granted to this plugin");

        let kv = book.grants_for("acme", "kv").await.unwrap();
        assert_eq!(kv.secrets.lookup("API_TOKEN"), None);
        assert_eq!(kv.secrets.lookup("SHARED"), Some("s"));

        let other = book.grants_for("other", "http-request").await.unwrap();
        assert_eq!(other.secrets.lookup("API_TOKEN"), None, "`other` granted nothing");
        assert!(!other.http.allows("api.example.com"));

        db.grants().put("acme", &json!({}), "alice").await.unwrap();
        assert!(book.grants_for("acme", "http-request").await.unwrap().http.allows("api.example.com"), "cached");
        book.forget("acme");
        assert!(
            !book.grants_for("acme", "http-request").await.unwrap().http.allows("api.example.com"),
            "forgotten, read again"
        );
    }
}
