//! Apps and plugins as OCI artifacts, pushed to and pulled from any OCI
//! registry through `oci-client`. A plugin uses the CNCF Wasm layout (an
//! `application/wasm` layer, an `application/vnd.wasm.config.v0+json`
//! config), so other Wasm tooling reads it; an app is its signed package as
//! one layer with the manifest as config. Every layer pulled is checked
//! against its digest. Plain HTTP only for registries on loopback addresses.

use std::collections::BTreeMap;

use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use serde_json::json;

use super::package::sha256_hex;

pub const APP_CONFIG: &str = "application/vnd.scena.app.config.v1+json";
pub const APP_LAYER: &str = "application/vnd.scena.app.v1.tar+gzip";
pub const WASM_CONFIG: &str = "application/vnd.wasm.config.v0+json";
pub const WASM_LAYER: &str = "application/wasm";

/// `oci://HOST[:PORT]/REPO[:TAG|@DIGEST]` (the `oci://` may be left out).
pub fn parse_reference(text: &str) -> Result<Reference, String> {
    let bare = text.strip_prefix("oci://").unwrap_or(text);
    bare.parse::<Reference>()
        .map_err(|e| format!("`{text}` is not an OCI reference such as oci://registry.example.com/team/app:1.0.0: {e}"))
}

fn is_loopback(registry: &str) -> bool {
    let host = registry
        .rsplit_once(':')
        .map_or(registry, |(host, port)| if port.chars().all(|c| c.is_ascii_digit()) { host } else { registry });
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn client_for(reference: &Reference) -> Client {
    let registry = reference.resolve_registry().to_string();
    let protocol =
        if is_loopback(&registry) { ClientProtocol::HttpsExcept(vec![registry]) } else { ClientProtocol::Https };
    crate::tls::install_crypto_provider();
    Client::new(ClientConfig { protocol, ..Default::default() })
}

/// Credentials for a registry: anonymous, or a username and password (or token).
pub fn auth(username: Option<&str>, password: Option<&str>) -> RegistryAuth {
    match (username, password) {
        (Some(user), Some(password)) => RegistryAuth::Basic(user.to_string(), password.to_string()),
        (None, Some(token)) => RegistryAuth::Bearer(token.to_string()),
        _ => RegistryAuth::Anonymous,
    }
}

/// What a push stored: the manifest's digest.
pub struct Pushed {
    pub reference: String,
    pub digest: String,
}

async fn push(reference: &Reference, layer: ImageLayer, config: Config, auth: &RegistryAuth) -> Result<Pushed, String> {
    let client = client_for(reference);
    client
        .push(reference, &[layer], config, auth, None)
        .await
        .map_err(|e| format!("push to {reference} failed: {e}"))?;
    let digest = client
        .fetch_manifest_digest(reference, auth)
        .await
        .map_err(|e| format!("{reference} was pushed but its digest cannot be read: {e}"))?;
    Ok(Pushed { reference: reference.to_string(), digest })
}

/// Pull the one layer of `media_type`, its digest checked.
async fn pull(reference: &Reference, auth: &RegistryAuth, media_type: &str) -> Result<(Vec<u8>, String), String> {
    let client = client_for(reference);
    let image =
        client.pull(reference, auth, vec![media_type]).await.map_err(|e| format!("pull of {reference} failed: {e}"))?;
    let manifest = image.manifest.ok_or_else(|| format!("{reference} came without a manifest"))?;
    let [descriptor] = manifest.layers.as_slice() else {
        return Err(format!("{reference} has {} layers; a scena artifact has one", manifest.layers.len()));
    };
    let [layer] = image.layers.as_slice() else { return Err(format!("{reference}: no layer of type {media_type}")) };
    let digest = format!("sha256:{}", sha256_hex(&layer.data));
    if descriptor.digest != digest || descriptor.media_type != media_type {
        return Err(format!(
            "{reference}: the layer does not match its descriptor ({} {})",
            descriptor.media_type, descriptor.digest
        ));
    }
    Ok((layer.data.to_vec(), image.digest.unwrap_or_default()))
}

pub async fn push_app(
    reference: &Reference,
    package: &[u8],
    manifest: &[u8],
    auth: &RegistryAuth,
) -> Result<Pushed, String> {
    let layer = ImageLayer::new(package.to_vec(), APP_LAYER.to_string(), None);
    push(reference, layer, Config::new(manifest.to_vec(), APP_CONFIG.to_string(), None), auth).await
}

pub async fn pull_app(reference: &Reference, auth: &RegistryAuth) -> Result<(Vec<u8>, String), String> {
    pull(reference, auth, APP_LAYER).await
}

/// Push a component with the CNCF Wasm artifact's config.
pub async fn push_plugin(
    reference: &Reference,
    component: &[u8],
    id: &str,
    imports: &[String],
    auth: &RegistryAuth,
) -> Result<Pushed, String> {
    let digest = format!("sha256:{}", sha256_hex(component));
    // The exported handler's version is the one the component was built
    // against, as its imports say (a plugin built for 0.1.0 exports 0.1.0).
    let version = imports
        .iter()
        .find_map(|import| import.strip_prefix("scena:plugin/")?.split_once('@').map(|(_, v)| v.to_string()))
        .unwrap_or_else(|| {
            scena_host_api::WIT_PACKAGE.rsplit_once('@').map(|(_, v)| v.to_string()).unwrap_or_default()
        });
    let (handler, step) = (format!("scena:plugin/handler@{version}"), format!("scena:plugin/step@{version}"));
    let config = json!({
        "created": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [digest],
        "component": {"exports": [handler], "imports": imports, "target": step},
    });
    let annotations = BTreeMap::from([("org.opencontainers.image.title".to_string(), id.to_string())]);
    let layer = ImageLayer::new(component.to_vec(), WASM_LAYER.to_string(), Some(annotations));
    let config = Config::new(serde_json::to_vec(&config).map_err(|e| e.to_string())?, WASM_CONFIG.to_string(), None);
    push(reference, layer, config, auth).await
}

pub async fn pull_plugin(reference: &Reference, auth: &RegistryAuth) -> Result<(Vec<u8>, String), String> {
    pull(reference, auth, WASM_LAYER).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_plain_http_only_for_loopback() {
        let r = parse_reference("oci://127.0.0.1:5000/team/app:1.0.0").unwrap();
        assert_eq!((r.repository(), r.tag()), ("team/app", Some("1.0.0")));
        assert!(parse_reference("oci://UPPER case/x").is_err());
        assert!(is_loopback("127.0.0.1:5000") && is_loopback("localhost:5000") && is_loopback("[::1]:5000"));
        assert!(!is_loopback("registry.example.com") && !is_loopback("10.0.0.1:5000"));
    }
}
