//! The marketplace through the API and the CLI: a tenant packs and publishes
//! an app, another sees it, installs it by consenting to exactly its
//! capabilities, supplies its secret and runs its flows; the grants stay the
//! app's; an upgrade asking for more waits for consent; yanked, private,
//! tampered and hiding packages are refused; uninstalling keeps run history.

use std::path::Path;

use serde_json::{Value, json};

use super::*;
use crate::support::http_fixture::{Fixture, Reply as FixtureReply};
use crate::support::server::{ADMIN, Reply, serve_with};
use crate::support::{TempDir, guest, guest_bytes, scena};

/// An app folder: a flow calling the shipped `authed-get` plugin, a flow calling
/// that flow as a subflow, and the manifest with `capabilities`.
fn write_app(dir: &Path, version: &str, capabilities: Value) {
    std::fs::create_dir_all(dir.join("flows")).unwrap();
    std::fs::create_dir_all(dir.join("plugins")).unwrap();
    let manifest = json!({
        "format": 1, "name": "ping-tools", "version": version, "title": "Ping tools",
        "description": "Checks an endpoint with a token", "categories": ["monitoring"],
        "changelog": format!("Version {version}."), "readme": "README.md",
        "flows": ["check", "twice"], "capabilities": capabilities,
    });
    let check = json!({"name": "check", "inputs": {"type": "object", "required": ["url"]},
        "nodes": [{"id": "start", "kind": "start"},
                  {"id": "get", "kind": "step", "plugin": "authed-get@^1", "input": {"url": "${inputs.url}", "secret": "API_TOKEN"}},
                  {"id": "end", "kind": "end", "output": {"body": "${steps.get.output.body}"}}],
        "edges": [{"from": "start", "to": "get"}, {"from": "get", "to": "end"}]});
    let twice = json!({"name": "twice",
        "nodes": [{"id": "start", "kind": "start"},
                  {"id": "one", "kind": "subflow", "flow": "check", "input": {"url": "${inputs.url}"}},
                  {"id": "end", "kind": "end", "output": {"body": "${steps.one.output.body}"}}],
        "edges": [{"from": "start", "to": "one"}, {"from": "one", "to": "end"}]});
    std::fs::write(dir.join("scena-app.json"), manifest.to_string()).unwrap();
    std::fs::write(dir.join("flows/check.json"), check.to_string()).unwrap();
    std::fs::write(dir.join("flows/twice.json"), twice.to_string()).unwrap();
    std::fs::write(dir.join("README.md"), "# Ping tools\n\nChecks an endpoint.\n").unwrap();
    std::fs::copy(guest("authed-get"), dir.join("plugins/authed-get.wasm")).unwrap();
}

fn capabilities(http: &[&str]) -> Value {
    json!({"atoms": ["http", "log", "secrets"], "http": http, "secrets": ["API_TOKEN"]})
}

/// `scena app pack` of an app folder: the package's bytes.
fn pack(work: &TempDir, version: &str, capabilities: Value) -> Vec<u8> {
    let dir = work.path().join(format!("app-{version}"));
    write_app(&dir, version, capabilities);
    let output = work.path().join(format!("ping-tools-{version}.scena-app"));
    let packed = scena(work.path(), &["app", "pack", dir.to_str().unwrap(), "-o", output.to_str().unwrap()]);
    assert_eq!(packed.code, 0, "{packed:?}");
    std::fs::read(output).unwrap()
}

async fn publish_app(server: &crate::support::server::Server, tenant_name: &str, token: &str, bytes: Vec<u8>) -> Reply {
    let response = scena::tls::client()
        .post(format!("{}{}/apps", server.base, tenant(tenant_name)))
        .bearer_auth(token)
        .header("Content-Type", "application/gzip")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    Reply { status, body: serde_json::from_str(&response.text().await.unwrap()).unwrap(), retry_after: None }
}

/// A fixture that answers with the `Authorization` header it got.
fn echo_authorization() -> Fixture {
    Fixture::start(|seen| {
        let auth = seen.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("authorization")).map(|(_, v)| v.clone());
        FixtureReply::json(200, &format!("got {}", auth.unwrap_or_default()))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_is_published_installed_with_consent_run_upgraded_and_uninstalled() {
    let server = serve_with("api-apps", &["echo"], &[]);
    for name in ["acme", "blue", "green"] {
        assert_eq!(server.admin("POST", "/api/v1/tenants", Some(json!({"name": name}))).await.status, 201);
    }
    let work = TempDir::new("app-work");
    let fixture = echo_authorization();
    let url = fixture.url("/ping");

    // Published through the CLI, as a publisher would.
    let v1 = pack(&work, "1.0.0", capabilities(&["127.0.0.1"]));
    let file = work.path().join("ping-tools-1.0.0.scena-app");
    let published = scena(
        work.path(),
        &["app", "publish", file.to_str().unwrap(), "--server", &server.base, "--tenant", "acme", "--token", ADMIN],
    );
    assert_eq!(published.code, 0, "{published:?}");
    let published: Value = serde_json::from_str(&published.stdout).unwrap();
    assert_eq!((published["app"].as_str(), published["publisher"].as_str()), (Some("ping-tools"), Some("acme")));
    let again = publish_app(&server, "acme", ADMIN, v1.clone()).await;
    assert_eq!((again.status, again.body["error"]["code"].as_str()), (409, Some("version_exists")), "{}", again.body);

    // Private by default: others see nothing, not even that it exists.
    let page = |t: &str| format!("{}/market/apps/ping-tools", tenant(t));
    assert_eq!(server.admin("GET", &page("blue"), None).await.status, 404);
    let shared = json!({"visibility": "private", "shared_with": ["blue"]});
    let set = server.admin("PUT", &format!("{}/apps/ping-tools/visibility", tenant("acme")), Some(shared)).await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(server.admin("GET", &page("green"), None).await.status, 404, "a private app is invisible to others");
    let found =
        server.admin("GET", &format!("{}/market/apps?q=ENDPOINT&category=monitoring", tenant("blue")), None).await;
    assert_eq!(found.body["apps"][0]["name"], "ping-tools", "{}", found.body);
    let none = server.admin("GET", &format!("{}/market/apps?q=nothing-like-it", tenant("blue")), None).await;
    assert_eq!(none.body["apps"], json!([]));
    let shown = server.admin("GET", &page("blue"), None).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body["readme"].as_str().unwrap().contains("Checks an endpoint"), "{}", shown.body);
    assert_eq!(shown.body["public_key"], published["public_key"], "the listing names the key it is signed with");

    // Consent lists exactly what the app may touch; installing is accepting it.
    let consent = server.admin("GET", &format!("{}/installs/ping-tools/consent", tenant("blue")), None).await;
    assert_eq!(consent.status, 200, "{}", consent.body);
    let asked = json!({"atoms": ["http", "log", "secrets"], "http": ["127.0.0.1"], "secrets": ["API_TOKEN"], "hosts": [], "notify": []});
    assert_eq!(consent.body["capabilities"], asked);
    assert_eq!(consent.body["flows"], json!(["ping-tools/check", "ping-tools/twice"]));
    assert_eq!(consent.body["secrets_to_supply"], json!(["API_TOKEN"]));
    let installs = format!("{}/installs", tenant("blue"));
    let unconsented = server.admin("POST", &installs, Some(json!({"app": "ping-tools"}))).await;
    assert_eq!((unconsented.status, unconsented.body["error"]["code"].as_str()), (409, Some("consent_required")));
    assert_eq!(unconsented.body["error"]["details"]["required"], asked);
    let mut less = asked.clone();
    less["http"] = json!([]);
    let partial = server.admin("POST", &installs, Some(json!({"app": "ping-tools", "accept": less}))).await;
    assert_eq!(partial.status, 409, "consent is to the whole list: {}", partial.body);
    assert_eq!(server.admin("GET", &installs, None).await.body["installs"], json!([]), "nothing installed");
    assert_eq!(server.admin("GET", &format!("{}/flows", tenant("blue")), None).await.body["flows"], json!([]));

    let install = json!({"app": "ping-tools", "accept": asked, "secrets": {"API_TOKEN": "tok-blue"}});
    let installed = server.admin("POST", &installs, Some(install)).await;
    assert_eq!(installed.status, 201, "{}", installed.body);
    assert_eq!(installed.body["secrets_missing"], json!([]));

    // Its flows run, with the app's grants and the secret supplied to it.
    let run = |flow: &str, url: &str| {
        let path = format!("{}/flows/{}/runs?wait_ms=20000", tenant("blue"), flow.replace('/', "%2F"));
        let body = json!({"input": {"url": url}});
        let server = &server;
        async move { server.admin("POST", &path, Some(body)).await }
    };
    let checked = run("ping-tools/check", &url).await;
    assert_eq!(checked.body["status"], "succeeded", "{}", checked.body);
    assert_eq!(
        checked.body["output"]["body"], "got Bearer [secret]",
        "the token reached the host, masked in the run: {}",
        checked.body
    );
    let twice = run("ping-tools/twice", &url).await;
    assert_eq!(twice.body["status"], "succeeded", "a subflow inside the app: {}", twice.body);
    let outside = run("ping-tools/check", &fixture.url("/ping").replace("127.0.0.1", "localhost")).await;
    assert_eq!(outside.body["status"], "failed", "{}", outside.body);
    assert!(outside.body["error"].to_string().contains("localhost"), "names the host not consented: {}", outside.body);

    // The tenant's own plugins gained nothing: the same component uploaded by
    // blue itself, with blue's (empty) grants, is denied.
    assert_eq!(server.upload("blue", guest_bytes("authed-get")).await.status, 201);
    let own = json!({"url": "${inputs.url}", "secret": "API_TOKEN"});
    server.publish("blue", one_step("own-check", "authed-get", own)).await;
    let denied = server.run("blue", "own-check", json!({"url": url})).await;
    assert_eq!(denied["status"], "failed", "{denied}");
    assert!(denied["error"].to_string().contains("not granted"), "{denied}");

    // Installed flows are read-only.
    let edit =
        server.admin("PUT", &format!("{}/flows/ping-tools%2Fcheck/draft", tenant("blue")), Some(json!({}))).await;
    assert_eq!((edit.status, edit.body["error"]["code"].as_str()), (409, Some("installed_flow")), "{}", edit.body);

    // An upgrade asking for more is not applied until consented.
    let v2 = pack(&work, "1.1.0", capabilities(&["127.0.0.1", "localhost"]));
    assert_eq!(publish_app(&server, "acme", ADMIN, v2).await.status, 201);
    let upgrade =
        server.admin("GET", &format!("{}/installs/ping-tools/consent?version=1.1.0", tenant("blue")), None).await;
    assert_eq!(upgrade.body["upgrade"]["from"], "1.0.0", "{}", upgrade.body);
    assert_eq!(upgrade.body["upgrade"]["capabilities"]["added"]["http"], json!(["localhost"]), "{}", upgrade.body);
    assert_eq!(upgrade.body["upgrade"]["needs_consent"], true);
    let silent = server.admin("POST", &installs, Some(json!({"app": "ping-tools", "version": "1.1.0"}))).await;
    assert_eq!(silent.status, 409, "{}", silent.body);
    assert_eq!(silent.body["error"]["details"]["beyond_consented"]["http"], json!(["localhost"]));
    let still = server.admin("GET", &format!("{installs}/ping-tools"), None).await;
    assert_eq!(still.body["version"], "1.0.0", "the old version keeps running");
    let mut wider = asked.clone();
    wider["http"] = json!(["127.0.0.1", "localhost"]);
    let upgraded =
        server.admin("POST", &installs, Some(json!({"app": "ping-tools", "version": "1.1.0", "accept": wider}))).await;
    assert_eq!(
        (upgraded.status, upgraded.body["previous_version"].as_str()),
        (200, Some("1.0.0")),
        "{}",
        upgraded.body
    );
    let now_allowed = run("ping-tools/check", &fixture.url("/ping").replace("127.0.0.1", "localhost")).await;
    assert_eq!(now_allowed.body["status"], "succeeded", "{}", now_allowed.body);

    // Yanked versions are not newly installed; uninstalling keeps the runs.
    let yank = server.admin("POST", &format!("{}/apps/ping-tools/versions/1.1.0/yank", tenant("acme")), None).await;
    assert_eq!(yank.status, 200, "{}", yank.body);
    let removed = server.admin("DELETE", &format!("{installs}/ping-tools"), None).await;
    assert_eq!(removed.body["flows_removed"], json!(["ping-tools/check", "ping-tools/twice"]), "{}", removed.body);
    let flows = server.admin("GET", &format!("{}/flows", tenant("blue")), None).await;
    assert_eq!(flows.body["flows"], json!([{"name": "own-check", "latest_version": 1}]), "{}", flows.body);
    let gone = server
        .admin("POST", &format!("{}/flows/ping-tools%2Fcheck/runs", tenant("blue")), Some(json!({"input": {}})))
        .await;
    assert_eq!(gone.status, 404, "{}", gone.body);
    let history = server.admin("GET", &format!("{}/runs?flow=ping-tools%2Fcheck", tenant("blue")), None).await;
    assert!(history.body["runs"].as_array().unwrap().len() >= 3, "runs keep their history: {}", history.body);
    let yanked =
        server.admin("POST", &installs, Some(json!({"app": "ping-tools", "version": "1.1.0", "accept": wider}))).await;
    assert_eq!((yanked.status, yanked.body["error"]["code"].as_str()), (409, Some("yanked")), "{}", yanked.body);

    // Everything above is in the audit log of the tenant that did it.
    let audit = server.admin("GET", &format!("{}/audit", tenant("blue")), None).await;
    let entries = audit.body["entries"].as_array().unwrap();
    let logged = |resource: &str, status: u16| {
        entries.iter().any(|e| e["action"] == "install_apps" && e["resource"] == resource && e["status"] == status)
    };
    assert!(logged("/api/v1/tenants/blue/installs", 201), "the install: {}", audit.body);
    assert!(logged("/api/v1/tenants/blue/installs", 409), "the refused consent: {}", audit.body);
    assert!(logged("/api/v1/tenants/blue/installs/ping-tools", 200), "the uninstall: {}", audit.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_hiding_and_foreign_packages_are_refused_and_change_nothing() {
    use scena::market::Package;
    let server = serve_with("api-apps-bad", &["echo"], &[]);
    for name in ["acme", "blue"] {
        assert_eq!(server.admin("POST", "/api/v1/tenants", Some(json!({"name": name}))).await.status, 201);
    }
    let work = TempDir::new("app-bad");
    let good = pack(&work, "1.0.0", capabilities(&["127.0.0.1"]));

    let garbage = publish_app(&server, "acme", ADMIN, b"not a package".to_vec()).await;
    assert_eq!(
        (garbage.status, garbage.body["error"]["code"].as_str()),
        (422, Some("invalid_app")),
        "{}",
        garbage.body
    );

    // A manifest that hides the secrets its plugin uses: refused by pack and by the server.
    let hiding_dir = work.path().join("hiding");
    write_app(&hiding_dir, "1.0.0", json!({"atoms": ["http", "log"], "http": ["127.0.0.1"]}));
    let refused = scena(work.path(), &["app", "pack", hiding_dir.to_str().unwrap(), "-o", "/dev/null"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.contains("uses the `secrets` atom"), "{refused:?}");
    let mut hiding = Package::read(&good).unwrap();
    let mut manifest = hiding.manifest.clone();
    manifest.capabilities.atoms.remove("secrets");
    manifest.capabilities.secrets.clear();
    hiding.set_manifest(manifest).unwrap();
    let hidden = publish_app(&server, "acme", ADMIN, hiding.to_bytes().unwrap()).await;
    assert_eq!(hidden.status, 422, "{}", hidden.body);
    assert!(hidden.body["error"]["message"].as_str().unwrap().contains("may not hide a capability"), "{}", hidden.body);

    // A package naming another publisher, or a changed component, is refused.
    let mut foreign = Package::read(&good).unwrap();
    let mut manifest = foreign.manifest.clone();
    manifest.publisher = Some("blue".into());
    foreign.set_manifest(manifest).unwrap();
    assert_eq!(publish_app(&server, "acme", ADMIN, foreign.to_bytes().unwrap()).await.status, 422);
    let mut altered = Package::read(&good).unwrap();
    let wasm = altered.files.keys().find(|p| p.ends_with(".wasm")).unwrap().clone();
    altered.files.get_mut(&wasm).unwrap()[100] ^= 1;
    let changed = publish_app(&server, "acme", ADMIN, altered.to_bytes().unwrap()).await;
    assert_eq!(changed.status, 422, "{}", changed.body);
    assert!(changed.body["error"]["details"].to_string().contains("does not match its sha256"), "{}", changed.body);
    assert_eq!(server.admin("GET", &format!("{}/apps", tenant("acme")), None).await.body["apps"], json!([]));

    // Roles: a developer may not publish apps, a viewer may not install them.
    let developer = server.member("dev", "acme", "developer").await;
    assert_eq!(publish_app(&server, "acme", &developer, good.clone()).await.status, 403);
    let published = publish_app(&server, "acme", ADMIN, good).await;
    assert_eq!(published.status, 201, "{}", published.body);
    let public = json!({"visibility": "public"});
    assert_eq!(
        server.admin("PUT", &format!("{}/apps/ping-tools/visibility", tenant("acme")), Some(public)).await.status,
        200
    );
    let viewer = server.member("vic", "blue", "viewer").await;
    let body = json!({"app": "ping-tools", "accept": capabilities(&["127.0.0.1"])}).to_string();
    let by_viewer = server.call("POST", &format!("{}/installs", tenant("blue")), Some(&viewer), Some(body)).await;
    assert_eq!(by_viewer.status, 403, "{}", by_viewer.body);

    // The signed package as downloaded verifies; one byte changed in a component
    // or in the manifest does not, and `scena app inspect` names what failed.
    let download = scena::tls::client()
        .get(format!("{}{}/market/apps/ping-tools/versions/1.0.0/package", server.base, tenant("blue")))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    let signed = download.bytes().await.unwrap().to_vec();
    let inspect = |bytes: Vec<u8>, name: &str| {
        let path = work.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        scena(work.path(), &["app", "inspect", path.to_str().unwrap()])
    };
    let fine = inspect(signed.clone(), "signed.scena-app");
    assert_eq!(fine.code, 0, "{fine:?}");
    assert_eq!(serde_json::from_str::<Value>(&fine.stdout).unwrap()["signature"]["verifies"], true);
    let mut component = Package::read(&signed).unwrap();
    component.files.get_mut(&wasm).unwrap()[100] ^= 1;
    let bad = inspect(component.to_bytes().unwrap(), "component.scena-app");
    assert_eq!(bad.code, 1, "{bad:?}");
    assert!(bad.stdout.contains("does not match its sha256"), "{bad:?}");
    let mut manifest = Package::read(&signed).unwrap();
    manifest.manifest_bytes.push(b' ');
    let bad = inspect(manifest.to_bytes().unwrap(), "manifest.scena-app");
    assert!(bad.stdout.contains("signature does not verify"), "{bad:?}");

    // A stored package altered on disk is refused at install, naming why.
    let stored = std::fs::read_dir(server.dir.path().join("apps")).unwrap().flatten().next().unwrap().path();
    let mut bytes = std::fs::read(&stored).unwrap();
    let last = bytes.len() - 20;
    bytes[last] ^= 1;
    std::fs::write(&stored, bytes).unwrap();
    let install = json!({"app": "ping-tools", "accept": capabilities(&["127.0.0.1"])});
    let tampered = server.admin("POST", &format!("{}/installs", tenant("blue")), Some(install)).await;
    assert_eq!(
        (tampered.status, tampered.body["error"]["code"].as_str()),
        (422, Some("tampered_package")),
        "{}",
        tampered.body
    );
    assert_eq!(server.admin("GET", &format!("{}/installs", tenant("blue")), None).await.body["installs"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenants_own_flows_and_uploaded_plugins_publish_as_an_app() {
    let server = serve_with("api-apps-flows", &["echo"], &[]);
    for name in ["acme", "blue"] {
        assert_eq!(server.admin("POST", "/api/v1/tenants", Some(json!({"name": name}))).await.status, 201);
    }
    assert_eq!(server.upload("acme", guest_bytes("authed-get")).await.status, 201);
    let input = json!({"url": "${inputs.url}", "secret": "API_TOKEN"});
    assert_eq!(server.publish("acme", one_step("check", "authed-get", input)).await["version"], 1);
    server.publish("acme", one_step("hello", "echo", json!({"hi": true}))).await;
    let from_flows = format!("{}/apps/from-flows", tenant("acme"));
    let request = json!({"name": "team-ping", "version": "0.1.0", "title": "Team ping", "readme": "# Team ping",
                         "flows": ["check", "hello"], "capabilities": {"atoms": ["http", "log"], "http": ["127.0.0.1"]}});
    let hiding = server.admin("POST", &from_flows, Some(request.clone())).await;
    assert_eq!(hiding.status, 422, "{}", hiding.body);
    assert!(hiding.body["error"]["message"].as_str().unwrap().contains("uses the `secrets` atom"), "{}", hiding.body);
    let mut request = request;
    request["capabilities"] = capabilities(&["127.0.0.1"]);
    request["flows"] = json!(["check", "missing"]);
    let missing = server.admin("POST", &from_flows, Some(request.clone())).await;
    assert!(missing.body["error"]["message"].as_str().unwrap().contains("`missing` has no published version"));
    request["flows"] = json!(["check", "hello"]);
    let published = server.admin("POST", &from_flows, Some(request)).await;
    assert_eq!(published.status, 201, "{}", published.body);
    let public = json!({"visibility": "public"});
    assert_eq!(
        server.admin("PUT", &format!("{}/apps/team-ping/visibility", tenant("acme")), Some(public)).await.status,
        200
    );
    let page = server.admin("GET", &format!("{}/market/apps/team-ping", tenant("blue")), None).await;
    assert_eq!(page.body["versions"][0]["plugins"], json!(["authed-get@1.0.0"]), "the upload ships: {}", page.body);
    let install = json!({"app": "team-ping", "accept": capabilities(&["127.0.0.1"]), "secrets": {"API_TOKEN": "t"}});
    let installed = server.admin("POST", &format!("{}/installs", tenant("blue")), Some(install)).await;
    assert_eq!(installed.body["flows"], json!(["team-ping/check", "team-ping/hello"]), "{}", installed.body);
    let listed = server.admin("GET", &format!("{}/market/apps", tenant("blue")), None).await;
    assert_eq!(
        (listed.body["apps"][0]["install_count"].as_i64(), listed.body["apps"][0]["installed_version"].as_str()),
        (Some(1), Some("0.1.0"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_pushed_to_a_registry_is_installed_on_another_server_with_its_publishers_key_pinned() {
    use scena::market::Package;
    let registry = crate::support::registry::Registry::start("oci-install");
    let publisher_server = serve_with("api-apps-oci-a", &["echo"], &[]);
    let installer_server = serve_with("api-apps-oci-b", &["echo"], &["--oci-registry", &registry.address]);
    assert_eq!(publisher_server.admin("POST", "/api/v1/tenants", Some(json!({"name": "acme"}))).await.status, 201);
    assert_eq!(installer_server.admin("POST", "/api/v1/tenants", Some(json!({"name": "blue"}))).await.status, 201);
    let work = TempDir::new("app-oci");
    let published =
        publish_app(&publisher_server, "acme", ADMIN, pack(&work, "1.0.0", capabilities(&["127.0.0.1"]))).await;
    assert_eq!(published.status, 201, "{}", published.body);
    let key = published.body["public_key"].as_str().unwrap().to_string();
    let signed = scena::tls::client()
        .get(format!("{}{}/market/apps/ping-tools/versions/1.0.0/package", publisher_server.base, tenant("acme")))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let push = |bytes: Vec<u8>, tag: &str| {
        let path = work.path().join(format!("{tag}.scena-app"));
        std::fs::write(&path, bytes).unwrap();
        let reference = format!("oci://{}/apps/ping-tools:{tag}", registry.address);
        let pushed = scena(work.path(), &["app", "push", path.to_str().unwrap(), &reference]);
        assert_eq!(pushed.code, 0, "{pushed:?}");
        reference
    };
    let good = push(signed.clone(), "1.0.0");
    let mut altered = Package::read(&signed).unwrap();
    altered.manifest_bytes.insert(1, b' ');
    let bad = push(altered.to_bytes().unwrap(), "altered");

    let installs = format!("{}/installs", tenant("blue"));
    let accept = capabilities(&["127.0.0.1"]);
    let install = |reference: &str, key: Option<&str>| {
        let mut body = json!({"oci": reference, "accept": accept, "secrets": {"API_TOKEN": "tok"}});
        if let Some(key) = key {
            body["publisher_key"] = json!(key);
        }
        body
    };
    let unpinned = installer_server.admin("POST", &installs, Some(install(&good, None))).await;
    assert_eq!(unpinned.status, 422, "{}", unpinned.body);
    assert!(unpinned.body["error"]["message"].as_str().unwrap().contains("pin their public key"), "{}", unpinned.body);
    let mut wrong = key.clone().into_bytes();
    wrong[3] = if wrong[3] == b'A' { b'B' } else { b'A' };
    let wrong = String::from_utf8(wrong).unwrap();
    let mistrusted = installer_server.admin("POST", &installs, Some(install(&good, Some(&wrong)))).await;
    assert_eq!(
        (mistrusted.status, mistrusted.body["error"]["code"].as_str()),
        (422, Some("tampered_package")),
        "{}",
        mistrusted.body
    );
    let tampered = installer_server.admin("POST", &installs, Some(install(&bad, Some(&key)))).await;
    assert_eq!(
        (tampered.status, tampered.body["error"]["code"].as_str()),
        (422, Some("tampered_package")),
        "{}",
        tampered.body
    );
    assert_eq!(installer_server.admin("GET", &installs, None).await.body["installs"], json!([]), "nothing installed");

    let installed = installer_server.admin("POST", &installs, Some(install(&good, Some(&key)))).await;
    assert_eq!(installed.status, 201, "{}", installed.body);
    assert_eq!(
        (installed.body["publisher"].as_str(), installed.body["version"].as_str()),
        (Some("acme"), Some("1.0.0"))
    );
    let page = installer_server.admin("GET", &format!("{}/market/apps/ping-tools", tenant("blue")), None).await;
    assert_eq!(page.body["public_key"], key.as_str(), "the pinned key is the listing's: {}", page.body);
    let fixture = echo_authorization();
    let run_path = format!("{}/flows/ping-tools%2Fcheck/runs?wait_ms=20000", tenant("blue"));
    let ran = installer_server.admin("POST", &run_path, Some(json!({"input": {"url": fixture.url("/x")}}))).await;
    assert_eq!(ran.body["status"], "succeeded", "{}", ran.body);

    // A server whose operator allowed no registry fetches from none.
    assert_eq!(publisher_server.admin("POST", "/api/v1/tenants", Some(json!({"name": "blue"}))).await.status, 201);
    let refused = publisher_server.admin("POST", &installs, Some(install(&good, Some(&key)))).await;
    assert_eq!(
        (refused.status, refused.body["error"]["code"].as_str()),
        (403, Some("not_allowed")),
        "{}",
        refused.body
    );
}
