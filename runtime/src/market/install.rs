//! Installing with consent. Before anything changes, an installer sees
//! exactly what a version may touch (`consent`); installing is accepting that
//! list — an upgrade that asks for more is not applied until it is accepted,
//! and the installed version keeps running meanwhile. The grants an install
//! makes belong to the app's scope alone. Uninstalling removes the app's
//! flows, grants, secrets and plugins; runs keep their history.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::check::{Contents, check_contents, installed_flows};
use super::manifest::{Capabilities, CapabilityDiff, Manifest};
use super::package::Package;
use super::{Market, MarketError};
use crate::flow::diff as flow_diff;
use crate::store::{InstallRow, VersionRow, app_scope};

/// What installing a version means, shown before anything changes.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Consent {
    pub app: String,
    pub publisher: String,
    pub version: String,
    /// Exactly what will be granted to the app's plugins; installing accepts it.
    pub capabilities: Capabilities,
    /// The flows as they will be named here.
    pub flows: Vec<String>,
    pub plugins: Vec<ConsentPlugin>,
    /// Secrets the app asks for that have not been supplied yet.
    pub secrets_to_supply: Vec<String>,
    /// For an upgrade (or a downgrade) of an installed app.
    pub upgrade: Option<Upgrade>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ConsentPlugin {
    /// `name@version`
    pub id: String,
    pub sha256: String,
    /// The atoms it imports.
    pub capabilities: Vec<String>,
}

/// What installing another version changes: from which version, what it asks
/// beyond what was consented to, and how each flow changes.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Upgrade {
    pub from: String,
    pub capabilities: CapabilityDiff,
    /// Whether it asks for anything not consented to yet (then `accept` is needed).
    pub needs_consent: bool,
    pub flows: Vec<FlowChange>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FlowChange {
    /// The flow as installed, `APP/FLOW`.
    pub flow: String,
    /// `added`, `changed` or `removed`.
    pub change: String,
    /// For `changed`: the structured diff (as `GET …/flows/{name}/diff` answers it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallRequest {
    /// An app of the catalog; or leave it out and give `oci`.
    #[serde(default)]
    pub app: String,
    /// Install from an OCI reference (`oci://HOST/REPO:TAG`) of a registry the server allows.
    #[serde(default)]
    pub oci: Option<String>,
    /// For `oci`: the public key (base64) of a publisher of another server, as their app pages show it.
    #[serde(default)]
    pub publisher_key: Option<String>,
    /// For `oci`: the tenant secret holding the registry's credentials, `USER:PASSWORD` or a token.
    #[serde(default)]
    pub registry_secret: Option<String>,
    /// The newest version not yanked, if left out.
    #[serde(default)]
    pub version: Option<String>,
    /// The capabilities accepted: must be exactly those asked. May be left
    /// out only when the version asks nothing beyond what is consented already.
    #[serde(default)]
    pub accept: Option<Capabilities>,
    /// Values of the secrets the app asks for.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Installed {
    pub app: String,
    pub version: String,
    pub publisher: String,
    pub capabilities: Capabilities,
    pub flows: Vec<String>,
    /// In the answer to an upgrade: the version it replaced (null elsewhere).
    pub previous_version: Option<String>,
    pub secrets_supplied: Vec<String>,
    pub secrets_missing: Vec<String>,
    pub installed_at: String,
    pub installed_by: String,
}

/// A version ready to install: its row, verified package and loaded contents.
struct Candidate {
    row: VersionRow,
    package: Package,
    contents: Contents,
}

impl Market {
    /// The version `version` (or the newest not yanked) of an app `tenant` may
    /// see, verified; yanked versions only if installed already.
    async fn candidate(&self, tenant: &str, app: &str, version: Option<&str>) -> Result<Candidate, MarketError> {
        let listing = self
            .store
            .listing(app)
            .await?
            .filter(|l| l.visible_to(tenant))
            .ok_or_else(|| MarketError::NotFound(format!("app `{app}`")))?;
        let installed = self.store.install(tenant, app).await?;
        let row = match version {
            Some(version) => self
                .store
                .version(app, version)
                .await?
                .ok_or_else(|| MarketError::NotFound(format!("version {version} of app `{app}`")))?,
            None => {
                let mut rows = self.store.versions(app).await?;
                rows.retain(|r| r.yanked_at.is_none());
                rows.sort_by_key(|r| semver::Version::parse(&r.version).ok());
                rows.pop()
                    .ok_or_else(|| MarketError::Conflict("yanked", format!("every version of app `{app}` is yanked")))?
            }
        };
        if row.yanked_at.is_some() && installed.is_none_or(|i| i.version != row.version) {
            return Err(MarketError::Conflict(
                "yanked",
                format!(
                    "version {} of app `{app}` is yanked and cannot be newly installed; install another version",
                    row.version
                ),
            ));
        }
        debug_assert_eq!(row.publisher, listing.publisher);
        let package = self.verified_package(&row).await?;
        let contents =
            check_contents(&package, &self.sandbox, self.registry.standard()).await.map_err(MarketError::Invalid)?;
        Ok(Candidate { row, package, contents })
    }

    /// What installing `version` of `app` would grant, before anything changes.
    pub async fn consent(&self, tenant: &str, app: &str, version: Option<&str>) -> Result<Consent, MarketError> {
        let candidate = self.candidate(tenant, app, version).await?;
        let installed = self.store.install(tenant, app).await?;
        let manifest = &candidate.package.manifest;
        let supplied = self.store.app_secret_names(&app_scope(tenant, app)).await?;
        let upgrade = match &installed {
            Some(install) => Some(self.upgrade_view(tenant, install, manifest, &candidate).await?),
            None => None,
        };
        Ok(Consent {
            app: app.to_string(),
            publisher: candidate.row.publisher.clone(),
            version: candidate.row.version.clone(),
            capabilities: manifest.capabilities.clone(),
            flows: manifest.flows.iter().map(|f| format!("{app}/{f}")).collect(),
            plugins: candidate
                .contents
                .plugins
                .iter()
                .map(|p| ConsentPlugin {
                    id: p.meta.id(),
                    sha256: p.sha256.clone(),
                    capabilities: p.meta.capabilities.iter().map(|c| c.to_string()).collect(),
                })
                .collect(),
            secrets_to_supply: manifest
                .capabilities
                .secrets
                .iter()
                .filter(|s| !supplied.contains(s))
                .cloned()
                .collect(),
            upgrade,
        })
    }

    async fn upgrade_view(
        &self,
        tenant: &str,
        install: &InstallRow,
        manifest: &Manifest,
        candidate: &Candidate,
    ) -> Result<Upgrade, MarketError> {
        let consented: Capabilities = serde_json::from_str(&install.capabilities).map_err(anyhow::Error::from)?;
        let capabilities = manifest.capabilities.diff_from(&consented);
        let new_flows = installed_flows(manifest, &candidate.contents.flows);
        let flows = self.db.flows();
        let mut changes = Vec::new();
        let new_names: BTreeSet<&str> = new_flows.iter().map(|f| f.name.as_str()).collect();
        for flow in &new_flows {
            match flows.version(tenant, &flow.name, None).await {
                Ok(old) => {
                    let old = old.flow()?;
                    if old != *flow {
                        let diff = serde_json::to_value(flow_diff(&old, flow)).map_err(anyhow::Error::from)?;
                        changes.push(FlowChange {
                            flow: flow.name.clone(),
                            change: "changed".into(),
                            diff: Some(diff),
                        });
                    }
                }
                Err(_) => changes.push(FlowChange { flow: flow.name.clone(), change: "added".into(), diff: None }),
            }
        }
        for old in self.installed_flow_names(tenant, &install.app).await? {
            if !new_names.contains(old.as_str()) {
                changes.push(FlowChange { flow: old, change: "removed".into(), diff: None });
            }
        }
        Ok(Upgrade {
            from: install.version.clone(),
            needs_consent: capabilities.adds_anything(),
            capabilities,
            flows: changes,
        })
    }

    async fn installed_flow_names(&self, tenant: &str, app: &str) -> anyhow::Result<Vec<String>> {
        let prefix = format!("{app}/");
        Ok(self.db.flows().list(tenant).await?.into_iter().map(|(n, _)| n).filter(|n| n.starts_with(&prefix)).collect())
    }

    /// Install (or upgrade to) a version, if `request.accept` is exactly what it asks.
    pub async fn install(&self, tenant: &str, request: InstallRequest, by: &str) -> Result<Installed, MarketError> {
        let app = request.app.as_str();
        let candidate = self.candidate(tenant, app, request.version.as_deref()).await?;
        let manifest = &candidate.package.manifest;
        let asked = &manifest.capabilities;
        let installed = self.store.install(tenant, app).await?;
        let consented: Option<Capabilities> = match &installed {
            Some(install) => Some(serde_json::from_str(&install.capabilities).map_err(anyhow::Error::from)?),
            None => None,
        };
        check_consent(app, &candidate.row.version, asked, request.accept.as_ref(), consented.as_ref())?;
        if let Some(unknown) = request.secrets.keys().find(|name| !asked.secrets.contains(*name)) {
            return Err(MarketError::Invalid(vec![format!(
                "secret `{unknown}` is not one app `{app}` asks for (it asks for: {})",
                asked.secrets.iter().cloned().collect::<Vec<_>>().join(", ")
            )]));
        }
        // Everything is checked: from here on, write.
        let scope = app_scope(tenant, app);
        for (name, value) in &request.secrets {
            self.store.put_app_secret(&scope, name, value, by).await?;
        }
        for plugin in &candidate.contents.plugins {
            let entry = manifest.plugins.iter().find(|e| e.sha256 == plugin.sha256);
            if let Some(bytes) = entry.and_then(|e| candidate.package.files.get(&e.file)) {
                self.registry.keep_blob(&plugin.sha256, bytes).await?;
            }
        }
        let flows = self.db.flows();
        let new_flows = installed_flows(manifest, &candidate.contents.flows);
        for flow in &new_flows {
            flows.save_draft(tenant, flow).await?;
            flows.publish(tenant, &flow.name).await?;
        }
        let keep: BTreeSet<&str> = new_flows.iter().map(|f| f.name.as_str()).collect();
        for old in self.installed_flow_names(tenant, app).await? {
            if !keep.contains(old.as_str()) {
                flows.delete(tenant, &old).await?;
            }
        }
        let row = InstallRow {
            tenant: tenant.to_string(),
            app: app.to_string(),
            version: candidate.row.version.clone(),
            publisher: candidate.row.publisher.clone(),
            capabilities: serde_json::to_string(asked).map_err(anyhow::Error::from)?,
            grants: serde_json::to_string(&asked.grant_doc()).map_err(anyhow::Error::from)?,
            installed_at: crate::store::now_rfc3339(),
            installed_by: by.to_string(),
        };
        self.store.put_install(&row).await?;
        self.registry.set_app_plugins(&scope, candidate.contents.plugins.clone());
        self.grants.forget(tenant);
        let supplied = self.store.app_secret_names(&scope).await?;
        Ok(Installed {
            app: row.app,
            version: row.version,
            publisher: row.publisher,
            capabilities: asked.clone(),
            flows: new_flows.into_iter().map(|f| f.name).collect(),
            previous_version: installed.map(|i| i.version),
            secrets_supplied: asked.secrets.iter().filter(|s| supplied.contains(s)).cloned().collect(),
            secrets_missing: asked.secrets.iter().filter(|s| !supplied.contains(s)).cloned().collect(),
            installed_at: row.installed_at,
            installed_by: row.installed_by,
        })
    }

    /// The tenant's installs.
    pub async fn installs(&self, tenant: &str) -> Result<Vec<Installed>, MarketError> {
        let mut all = Vec::new();
        for row in self.store.installs(Some(tenant)).await? {
            all.push(self.installed_view(tenant, row).await?);
        }
        Ok(all)
    }

    pub async fn installed(&self, tenant: &str, app: &str) -> Result<Installed, MarketError> {
        let row = self
            .store
            .install(tenant, app)
            .await?
            .ok_or_else(|| MarketError::NotFound(format!("installed app `{app}`")))?;
        self.installed_view(tenant, row).await
    }

    async fn installed_view(&self, tenant: &str, row: InstallRow) -> Result<Installed, MarketError> {
        let capabilities: Capabilities = serde_json::from_str(&row.capabilities).map_err(anyhow::Error::from)?;
        let supplied = self.store.app_secret_names(&app_scope(tenant, &row.app)).await?;
        Ok(Installed {
            flows: self.installed_flow_names(tenant, &row.app).await?,
            secrets_supplied: capabilities.secrets.iter().filter(|s| supplied.contains(s)).cloned().collect(),
            secrets_missing: capabilities.secrets.iter().filter(|s| !supplied.contains(s)).cloned().collect(),
            capabilities,
            previous_version: None,
            app: row.app,
            version: row.version,
            publisher: row.publisher,
            installed_at: row.installed_at,
            installed_by: row.installed_by,
        })
    }

    /// Supply (or replace) one of the secrets an installed app asks for.
    pub async fn put_secret(
        &self,
        tenant: &str,
        app: &str,
        name: &str,
        value: &str,
        by: &str,
    ) -> Result<(), MarketError> {
        let installed = self.installed(tenant, app).await?;
        if !installed.capabilities.secrets.contains(name) {
            return Err(MarketError::NotFound(format!(
                "secret `{name}` of installed app `{app}` (it asks for: {})",
                installed.capabilities.secrets.iter().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        self.store.put_app_secret(&app_scope(tenant, app), name, value, by).await?;
        self.grants.forget(tenant);
        Ok(())
    }

    /// Remove the app's flows, grants, secrets and plugins; its runs stay.
    pub async fn uninstall(&self, tenant: &str, app: &str) -> Result<Vec<String>, MarketError> {
        if self.store.install(tenant, app).await?.is_none() {
            return Err(MarketError::NotFound(format!("installed app `{app}`")));
        }
        let removed = self.installed_flow_names(tenant, app).await?;
        for flow in &removed {
            self.db.flows().delete(tenant, flow).await?;
        }
        self.store.remove_install(tenant, app).await?;
        self.registry.remove_app_plugins(&app_scope(tenant, app));
        self.grants.forget(tenant);
        Ok(removed)
    }
}

/// Whether `accept` is the consent installing `version` takes: exactly what it
/// asks; or nothing, when it asks nothing beyond what is consented already.
fn check_consent(
    app: &str,
    version: &str,
    asked: &Capabilities,
    accept: Option<&Capabilities>,
    consented: Option<&Capabilities>,
) -> Result<(), MarketError> {
    let beyond: CapabilityDiff = asked.diff_from(consented.unwrap_or(&Capabilities::default()));
    match accept {
        Some(accepted) if accepted == asked => Ok(()),
        None if !beyond.adds_anything() && (consented.is_some() || asked.is_empty()) => Ok(()),
        _ => {
            let message = match consented {
                Some(_) if beyond.adds_anything() => format!(
                    "version {version} of `{app}` asks for capabilities beyond those consented to; the installed version keeps running until they are accepted (send them as `accept`)"
                ),
                _ => format!(
                    "installing version {version} of `{app}` grants exactly the capabilities in `details.required`; send them as `accept` to consent"
                ),
            };
            Err(MarketError::ConsentRequired(message, json!({"required": asked, "beyond_consented": beyond.added})))
        }
    }
}
