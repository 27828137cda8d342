//! Plugins and apps pushed to and pulled from a real OCI registry with the
//! CLI: the bytes round-trip with their digest checked, a plugin is laid out
//! as a CNCF Wasm artifact a plain OCI client reads, and a blob altered in
//! the registry is refused on pull.

use serde_json::Value;

use crate::support::registry::Registry;
use crate::support::{TempDir, guest, guest_bytes, scena};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_round_trips_as_a_cncf_wasm_artifact_and_a_changed_blob_is_refused() {
    let registry = Registry::start("oci-plugin");
    let work = TempDir::new("oci-plugin-work");
    let reference = format!("oci://{}/team/echo:0.1.0", registry.address);
    let pushed = scena(work.path(), &["plugin", "push", guest("echo").to_str().unwrap(), &reference]);
    assert_eq!(pushed.code, 0, "{pushed:?}");
    let pushed: Value = serde_json::from_str(&pushed.stdout).unwrap();
    assert!(pushed["digest"].as_str().unwrap().starts_with("sha256:"), "{pushed}");

    // A plain OCI client (the distribution API over HTTP) reads the CNCF layout.
    let client = scena::tls::client();
    let base = format!("http://{}/v2/team/echo", registry.address);
    let manifest: Value = client
        .get(format!("{base}/manifests/0.1.0"))
        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(manifest["config"]["mediaType"], "application/vnd.wasm.config.v0+json", "{manifest}");
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm", "{manifest}");
    let layer = manifest["layers"][0]["digest"].as_str().unwrap().to_string();
    let blob = client.get(format!("{base}/blobs/{layer}")).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(blob.to_vec(), guest_bytes("echo"), "the layer is the component");
    let config_digest = manifest["config"]["digest"].as_str().unwrap();
    let config: Value = client.get(format!("{base}/blobs/{config_digest}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        (config["architecture"].as_str(), config["layerDigests"][0].as_str()),
        (Some("wasm"), Some(layer.as_str()))
    );

    let pulled = work.path().join("echo.wasm");
    let ran = scena(work.path(), &["plugin", "pull", &reference, "-o", pulled.to_str().unwrap()]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(std::fs::read(&pulled).unwrap(), guest_bytes("echo"));

    // One byte changed in the registry's copy: the pull is refused and writes nothing.
    let file = registry.blob_file(&layer);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[200] ^= 1;
    std::fs::write(&file, bytes).unwrap();
    let refused_to = work.path().join("tampered.wasm");
    let refused = scena(work.path(), &["plugin", "pull", &reference, "-o", refused_to.to_str().unwrap()]);
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(!refused_to.exists(), "nothing written");

    // Only a component that loads as a plugin is pushed.
    let junk = work.path().join("junk.wasm");
    std::fs::write(&junk, b"\0asm junk").unwrap();
    let bad = scena(work.path(), &["plugin", "push", junk.to_str().unwrap(), &reference]);
    assert_eq!(bad.code, 1, "{bad:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_package_round_trips_through_a_registry() {
    let registry = Registry::start("oci-app");
    let work = TempDir::new("oci-app-work");
    let dir = work.path().join("hello-app");
    let made = scena(work.path(), &["app", "new", "hello-app", "--dir", dir.to_str().unwrap()]);
    assert_eq!(made.code, 0, "{made:?}");
    let package = work.path().join("hello-app.scena-app");
    let packed = scena(work.path(), &["app", "pack", dir.to_str().unwrap(), "-o", package.to_str().unwrap()]);
    assert_eq!(packed.code, 0, "{packed:?}");
    let reference = format!("oci://{}/apps/hello-app:0.1.0", registry.address);
    let pushed = scena(work.path(), &["app", "push", package.to_str().unwrap(), &reference]);
    assert_eq!(pushed.code, 0, "{pushed:?}");
    let pulled = work.path().join("pulled.scena-app");
    let ran = scena(work.path(), &["app", "pull", &reference, "-o", pulled.to_str().unwrap()]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(std::fs::read(pulled).unwrap(), std::fs::read(package).unwrap());
    let plugin_ref = format!("oci://{}/team/echo:0.1.0", registry.address);
    assert_eq!(scena(work.path(), &["plugin", "push", guest("echo").to_str().unwrap(), &plugin_ref]).code, 0);
    let wrong = scena(work.path(), &["app", "pull", &plugin_ref, "-o", work.path().join("x").to_str().unwrap()]);
    assert_ne!(wrong.code, 0, "a plugin is not an app: {wrong:?}");
}
