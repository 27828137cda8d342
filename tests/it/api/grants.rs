//! Capability grants and sealed secrets reach only the plugin they are
//! granted to; HTTP reaches only the tenant's allow-list.

use serde_json::json;

use super::*;
use crate::support::guest_bytes;
use crate::support::http_fixture::{Fixture, Reply as FixtureReply};
use crate::support::server::serve_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_sealed_and_reach_only_the_plugin_they_are_granted_to() {
    let server = serve_with("api-secrets", &["echo"], &[]);
    assert_eq!(server.admin("POST", "/api/v1/tenants", Some(json!({"name": "blue"}))).await.status, 201);
    for t in ["default", "blue"] {
        assert_eq!(server.upload(t, guest_bytes("secret-ungranted")).await.status, 201);
        server.publish(t, one_step("peek", "secret-ungranted", json!({"name": "${inputs.name}"}))).await;
    }
    let secret = |t: &str, name: &str| format!("{}/secrets/{name}", tenant(t));
    let put = server.admin("PUT", &secret("default", "DB_PASSWORD"), Some(json!({"value": "hunter2-sealed"}))).await;
    assert_eq!(put.status, 204, "{}", put.body);
    assert_eq!(server.admin("PUT", &secret("blue", "DB_PASSWORD"), Some(json!({"value": "x"}))).await.status, 204);

    // Set but not granted: the plugin is denied.
    let denied = server.run("default", "peek", json!({"name": "DB_PASSWORD"})).await;
    assert_eq!(denied["status"], "failed", "{denied}");
    assert!(denied["error"].to_string().contains("not granted"), "{denied}");

    let grants = json!({"secrets": {"secret-ungranted": ["DB_PASSWORD"]}});
    let granted = server.admin("PUT", &format!("{}/grants", tenant("default")), Some(grants.clone())).await;
    assert_eq!(granted.status, 200, "{}", granted.body);
    let read = server.run("default", "peek", json!({"name": "DB_PASSWORD"})).await;
    assert_eq!(read["output"]["result"], json!({"length": "hunter2-sealed".len()}), "{read}");

    // A plugin granted the secret can use it but not publish it: its output,
    // pending state, error, log lines and stderr reach the run masked.
    assert_eq!(server.upload("default", guest_bytes("secret-leak")).await.status, 201);
    let both = json!({"secrets": {"secret-ungranted": ["DB_PASSWORD"], "secret-leak": ["DB_PASSWORD"]}});
    assert_eq!(server.admin("PUT", &format!("{}/grants", tenant("default")), Some(both.clone())).await.status, 200);
    let mut leaks = Vec::new();
    for via in ["done", "pending", "fail"] {
        let name = format!("leak-{via}");
        server.publish("default", one_step(&name, "secret-leak", json!({"name": "DB_PASSWORD", "via": via}))).await;
        let leaked = server.run("default", &name, json!({})).await;
        let expected = if via == "fail" { "failed" } else { "succeeded" };
        assert_eq!(leaked["status"], expected, "{leaked}");
        leaks.push(leaked.to_string());
        leaks.push(server.events("default", leaked["id"].as_str().unwrap()).await);
    }
    assert!(leaks[0].contains(r#""plain":"[secret]""#) && leaks[0].contains("prefix-[secret]-suffix"), "{}", leaks[0]);
    assert!(leaks[3].contains(r#""kept":"[secret]""#), "the pending state is masked in the log: {}", leaks[3]);
    assert!(leaks[4].contains("failed holding [secret]"), "{}", leaks[4]);
    // Another tenant's grants are its own: `blue` granted nothing.
    let other = server.run("blue", "peek", json!({"name": "DB_PASSWORD"})).await;
    assert_eq!(other["status"], "failed", "{other}");

    // Bad grants are refused whole, listing every problem; nothing changes.
    let bad = json!({"http": ["not a host"], "secrets": {"Bad Name": ["ok"]}});
    let refused = server.admin("PUT", &format!("{}/grants", tenant("default")), Some(bad)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.body["error"]["details"]["problems"].as_array().unwrap().len(), 2, "{}", refused.body);
    let kept = server.admin("GET", &format!("{}/grants", tenant("default")), None).await;
    assert_eq!(kept.body["secrets"], both["secrets"]);
    let unknown = server.admin("PUT", &format!("{}/grants", tenant("default")), Some(json!({"egress": []}))).await;
    assert_eq!(unknown.status, 422, "unknown fields are refused: {}", unknown.body);

    // Names only, everywhere: the list, the run, its events, the audit log, the database file.
    let listed = server.admin("GET", &format!("{}/secrets", tenant("default")), None).await;
    assert_eq!(listed.body["secrets"][0]["name"], "DB_PASSWORD");
    let events = server.events("default", read["id"].as_str().unwrap()).await;
    assert!(events.contains("step_finished"), "{events}");
    let audit = server.admin("GET", &format!("{}/audit", tenant("default")), None).await;
    for shown in [listed.body.to_string(), read.to_string(), events, audit.body.to_string()].into_iter().chain(leaks) {
        assert!(!shown.contains("hunter2-sealed"), "the value leaked: {shown}");
    }
    assert!(!server.database_holds("hunter2-sealed"), "the database holds the value in the clear");
    assert!(server.database_holds("DB_PASSWORD"), "the check reads the database the server wrote");
    assert!(server.dir.path().join("secret.key").is_file(), "the key is kept beside the database, not in it");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(server.dir.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the data directory is private to the server's user");
    }

    assert_eq!(server.admin("DELETE", &secret("default", "DB_PASSWORD"), None).await.status, 204);
    assert_eq!(server.admin("DELETE", &secret("default", "DB_PASSWORD"), None).await.status, 404);
    let gone = server.run("default", "peek", json!({"name": "DB_PASSWORD"})).await;
    assert_eq!(gone["status"], "failed", "a deleted secret is gone for the next call: {gone}");
    let bad_name = server.admin("PUT", &secret("default", "no%20spaces"), Some(json!({"value": "v"}))).await;
    assert_eq!(bad_name.status, 422, "{}", bad_name.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_reach_only_hosts_on_their_tenants_allow_list() {
    let fixture = Fixture::start(|_| FixtureReply::json(200, r#"{"ok": true}"#));
    let server = serve_with("api-egress", &["http-request"], &[]);
    let url = format!("http://127.0.0.1:{}/ping", fixture.port);
    server.publish("default", one_step("ping", "http-request", json!({"url": url}))).await;
    let denied = server.run("default", "ping", json!({})).await;
    assert_eq!(denied["status"], "failed", "{denied}");
    assert!(denied["error"].to_string().contains("127.0.0.1"), "the denial names the host: {denied}");
    assert_eq!(fixture.seen.lock().unwrap().len(), 0, "nothing left the sandbox");

    let grants = json!({"http": ["127.0.0.1"]});
    assert_eq!(server.admin("PUT", &format!("{}/grants", tenant("default")), Some(grants)).await.status, 200);
    let allowed = server.run("default", "ping", json!({})).await;
    assert_eq!(allowed["status"], "succeeded", "{allowed}");
    assert_eq!(allowed["output"]["result"]["json"], json!({"ok": true}));
    assert_eq!(fixture.seen.lock().unwrap().len(), 1);

    // Only owners and admins change grants.
    let developer = server.member("dev", "default", "developer").await;
    let reply = server.call("PUT", &format!("{}/grants", tenant("default")), Some(&developer), Some("{}".into())).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    let reply = server
        .call("PUT", &format!("{}/secrets/X", tenant("default")), Some(&developer), Some(r#"{"value":"v"}"#.into()))
        .await;
    assert_eq!(reply.status, 403, "{}", reply.body);
}

/// A grant of `*` reaches any public host, never the server itself nor
/// another special address, however the address is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wildcard_grant_never_reaches_loopback_or_private_addresses() {
    let fixture = Fixture::start(|_| FixtureReply::json(200, r#"{"ok": true}"#));
    let server = serve_with("api-ssrf", &["http-request"], &[]);
    let own_port = server.base.rsplit(':').next().unwrap().trim_end_matches('/').to_string();
    server.publish("default", one_step("fetch", "http-request", json!({"url": "${inputs.url}"}))).await;
    let grants = |hosts: Value| json!({"http": hosts});
    assert_eq!(
        server.admin("PUT", &format!("{}/grants", tenant("default")), Some(grants(json!(["*"])))).await.status,
        200
    );

    for (url, named) in [
        (format!("http://127.0.0.1:{own_port}/metrics"), "127.0.0.1"),
        (format!("http://2130706433:{own_port}/api/v1/auth/login"), "127.0.0.1"),
        (format!("http://127.1:{own_port}/"), "127.0.0.1"),
        (format!("http://[::1]:{own_port}/"), "::1"),
        (format!("http://[::ffff:127.0.0.1]:{}/", fixture.port), "127.0.0.1"),
        (format!("http://localhost:{}/", fixture.port), "localhost"),
        ("http://169.254.169.254/latest/meta-data/".to_string(), "169.254.169.254"),
        ("http://10.0.0.1/".to_string(), "10.0.0.1"),
    ] {
        let run = server.run("default", "fetch", json!({"url": url})).await;
        assert_eq!(run["status"], "failed", "{url}: {run}");
        let error = run["error"].to_string();
        assert!(error.contains("denied") && error.contains(named), "{url}: the refusal names the address: {error}");
    }
    assert_eq!(fixture.seen.lock().unwrap().len(), 0, "nothing reached the loopback fixture");

    // Naming the address (or a network holding it) lets it through.
    for granted in [json!(["*", "127.0.0.1"]), json!(["127.0.0.0/8"]), json!(["localhost"])] {
        let host = if granted == json!(["localhost"]) { "localhost" } else { "127.0.0.1" };
        assert_eq!(
            server.admin("PUT", &format!("{}/grants", tenant("default")), Some(grants(granted.clone()))).await.status,
            200
        );
        let run = server.run("default", "fetch", json!({"url": format!("http://{host}:{}/ping", fixture.port)})).await;
        assert_eq!(run["status"], "succeeded", "{granted}: {run}");
    }
    assert_eq!(fixture.seen.lock().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_networks_and_ports_in_a_grant_are_refused_with_the_reason() {
    let server = serve_with("api-grant-cidr", &[], &[]);
    for (bad, reason) in [
        ("10.0.0.0/33", "invalid network `10.0.0.0/33`"),
        ("10.0.0.1/8", "did you mean `10.0.0.0/8`"),
        ("fc00::/x", "invalid network"),
        ("127.0.0.1:80", "not a port"),
        ("[::1]:8080", "not a port"),
    ] {
        let reply = server.admin("PUT", &format!("{}/grants", tenant("default")), Some(json!({"http": [bad]}))).await;
        assert_eq!(reply.status, 422, "{bad}: {}", reply.body);
        assert!(reply.body["error"].to_string().contains(reason), "{bad}: {}", reply.body);
    }
    let reply = server.admin("GET", &format!("{}/grants", tenant("default")), None).await;
    assert_eq!(reply.body["http"], json!([]), "a refused document changes nothing: {}", reply.body);
}
