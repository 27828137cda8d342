//! Installing from an OCI reference: the server pulls a signed package from a
//! registry its operator allows (`scena serve --oci-registry HOST`), verifies
//! it against its publisher's key — a tenant's of this server, or one the
//! installer pins for a publisher of another server — and adds the version to
//! the catalog, visible to the installing tenant, before installing it as any
//! other version.

use oci_client::secrets::RegistryAuth;

use super::check::check_contents;
use super::oci;
use super::package::{Package, sha256_hex};
use super::{Market, MarketError};
use crate::store::VersionRow;

impl Market {
    /// Pull `reference` and add its version to the catalog for `tenant`: the app's name and version.
    pub async fn import_from_oci(
        &self,
        tenant: &str,
        reference: &str,
        publisher_key: Option<&str>,
        auth: &RegistryAuth,
        allowed_registries: &[String],
        by: &str,
    ) -> Result<(String, String), MarketError> {
        let parsed = oci::parse_reference(reference).map_err(|e| MarketError::Invalid(vec![e]))?;
        let registry = parsed.resolve_registry().to_string();
        if !allowed_registries.contains(&registry) {
            return Err(MarketError::NotAllowed(format!(
                "this server installs from no registry `{registry}`; its operator allows registries with `scena serve --oci-registry HOST[:PORT]`"
            )));
        }
        let (bytes, _) = oci::pull_app(&parsed, auth).await.map_err(|e| MarketError::Invalid(vec![e]))?;
        let package = Package::read(&bytes).map_err(MarketError::Tampered)?;
        let signature = package
            .signature
            .as_ref()
            .ok_or_else(|| MarketError::Tampered(format!("{reference} is not signed by a publisher")))?;
        let publisher = signature.publisher.clone();
        let key = match self.publisher_key(&publisher).await? {
            Some(known) => known,
            None => {
                let pinned = publisher_key.ok_or_else(|| {
                    MarketError::Invalid(vec![format!(
                        "publisher `{publisher}` does not publish on this server: pin their public key with `publisher_key` (their app pages show it)"
                    )])
                })?;
                pinned.to_string()
            }
        };
        package.verify(&publisher, &key).map_err(|e| MarketError::Tampered(format!("{reference} is refused: {e}")))?;
        check_contents(&package, &self.sandbox, self.registry.standard()).await.map_err(MarketError::Invalid)?;
        if self.store.signing_key(&publisher).await?.is_none() {
            self.store.pin_foreign_key(&publisher, &key, by).await?;
        }
        let (name, version) = (package.manifest.name.clone(), package.manifest.version.to_string());
        let sha256 = sha256_hex(&bytes);
        match self.store.version(&name, &version).await? {
            Some(existing) if existing.package_sha256 == sha256 => {}
            Some(_) => {
                return Err(MarketError::Conflict(
                    "version_exists",
                    format!("{name}@{version} is in the catalog with other content; a published version never changes"),
                ));
            }
            None => {
                self.packages.put(&sha256, &bytes).await?;
                let row = VersionRow {
                    name: name.clone(),
                    version: version.clone(),
                    publisher: publisher.clone(),
                    manifest: String::from_utf8(package.manifest_bytes.clone()).map_err(anyhow::Error::from)?,
                    package_sha256: sha256,
                    published_at: crate::store::now_rfc3339(),
                    published_by: format!("{by} from {reference}"),
                    yanked_at: None,
                };
                if let Err(why) = self.store.publish(&row).await? {
                    return Err(MarketError::Conflict("app_name_taken", why));
                }
            }
        }
        // The installing tenant sees what it imported.
        let listing =
            self.store.listing(&name).await?.ok_or_else(|| anyhow::anyhow!("the listing of `{name}` vanished"))?;
        if !listing.visible_to(tenant) {
            let mut shared = listing.shared_with();
            shared.push(tenant.to_string());
            self.store.set_visibility(&name, &listing.visibility, &shared).await?;
        }
        Ok((name, version))
    }
}
