//! The atoms as a plugin developer meets them through `scena plugin run`:
//! durable kv, granted secrets, HTTP to allow-listed hosts — and refusals.

use crate::support::http_fixture::{Fixture, Reply};
use crate::support::{TempDir, guest, scena};
use serde_json::json;

fn kv(data: &TempDir, tenant: &str, input: serde_json::Value) -> serde_json::Value {
    let ran = scena(
        data.path(),
        &["plugin", "run", &guest("kv").display().to_string(), "--tenant", tenant, "--input", &input.to_string()],
    );
    assert_eq!(ran.code, 0, "{input}: {ran:?}");
    ran.json()
}

#[test]
fn kv_state_is_durable_across_processes_and_private_to_each_tenant() {
    let data = TempDir::new("kv");
    let increment = json!({"op": "increment", "key": "deploys"});
    assert_eq!(kv(&data, "team-a", increment.clone()), json!({"value": 1}));
    assert_eq!(kv(&data, "team-a", json!({"op": "increment", "key": "deploys", "by": 5})), json!({"value": 6}));
    assert_eq!(kv(&data, "team-b", increment), json!({"value": 1}));
    assert_eq!(kv(&data, "team-a", json!({"op": "get", "key": "deploys"})), json!({"value": 6}));
    assert_eq!(kv(&data, "team-a", json!({"op": "get", "key": "never-set"})), json!({"value": null}));
    let doc = json!({"zones": ["eu-1", "eu-2"], "paused": false});
    assert_eq!(kv(&data, "team-a", json!({"op": "set", "key": "plan", "value": doc})), json!({"value": doc}));
    assert_eq!(kv(&data, "team-a", json!({"op": "get", "key": "plan"})), json!({"value": doc}));
}

#[test]
fn kv_cas_works_as_a_lock() {
    let data = TempDir::new("kv-lock");
    let take = |owner: &str| json!({"op": "cas", "key": "release-lock", "expected": null, "value": owner});
    assert_eq!(kv(&data, "t", take("run-1")), json!({"value": "run-1", "swapped": true}));
    assert_eq!(kv(&data, "t", take("run-2")), json!({"value": "run-1", "swapped": false}));
    let release = json!({"op": "cas", "key": "release-lock", "expected": "run-1", "value": "free"});
    assert_eq!(kv(&data, "t", release), json!({"value": "free", "swapped": true}));
}

#[test]
fn kv_refuses_to_increment_a_non_integer() {
    let data = TempDir::new("kv-nonint");
    kv(&data, "t", json!({"op": "set", "key": "name", "value": "zone-7"}));
    let ran = scena(
        data.path(),
        &[
            "plugin",
            "run",
            &guest("kv").display().to_string(),
            "--tenant",
            "t",
            "--input",
            r#"{"op":"increment","key":"name"}"#,
        ],
    );
    assert_eq!(ran.code, 5, "{ran:?}");
    assert!(ran.reason().contains("is not an integer"), "{ran:?}");
    // The failed call changed nothing.
    assert_eq!(kv(&data, "t", json!({"op": "get", "key": "name"})), json!({"value": "zone-7"}));
}

#[test]
fn granted_secrets_are_readable_and_never_printed() {
    let data = TempDir::new("secret");
    let ran = scena(
        data.path(),
        &[
            "plugin",
            "run",
            &guest("secret-ungranted").display().to_string(),
            "--secret",
            "DB_PASSWORD=hunter2",
            "--input",
            r#"{"name": "DB_PASSWORD"}"#,
        ],
    );
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json(), json!({"length": 7}));
    assert!(!ran.stderr.contains("hunter2") && !ran.stdout.contains("hunter2"), "{ran:?}");
}

fn http_request(data: &TempDir, allow: &str, input: serde_json::Value) -> crate::support::Ran {
    scena(
        data.path(),
        &[
            "plugin",
            "run",
            &guest("http-request").display().to_string(),
            "--allow-http",
            allow,
            "--input",
            &input.to_string(),
        ],
    )
}

#[test]
fn http_reaches_an_allowed_host_and_parses_json() {
    let server = Fixture::start(|seen| {
        let body = format!(r#"{{"you_sent": {}, "path": "{}"}}"#, String::from_utf8_lossy(&seen.body), seen.path);
        Reply::json(201, &body)
    });
    let data = TempDir::new("http-ok");
    let input = json!({
        "method": "POST",
        "url": server.url("/v1/alerts/shield?zone=eu-1"),
        "headers": {"x-change-ticket": "CHG-42"},
        "body": {"minutes": 30},
        "expected_status": [201],
    });
    let ran = http_request(&data, "127.0.0.1", input);
    assert_eq!(ran.code, 0, "{ran:?}");
    let out = ran.json();
    assert_eq!(out["status"], 201);
    assert_eq!(out["json"], json!({"you_sent": {"minutes": 30}, "path": "/v1/alerts/shield?zone=eu-1"}));
    assert_eq!(out["headers"]["content-type"], "application/json");
    let seen = server.seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert!(seen[0].headers.contains(&("x-change-ticket".into(), "CHG-42".into())), "{:?}", seen[0]);
    assert!(seen[0].headers.contains(&("content-type".into(), "application/json".into())), "{:?}", seen[0]);
}

#[test]
fn http_status_outside_the_expected_set_is_retryable_for_5xx_and_fatal_otherwise() {
    let server = Fixture::start(|seen| match seen.path.as_str() {
        "/busy" => Reply::json(503, r#"{"error": "try later"}"#),
        _ => Reply::json(404, r#"{"error": "no such zone"}"#),
    });
    let data = TempDir::new("http-status");
    let ran = http_request(&data, "127.0.0.1", json!({"url": server.url("/busy")}));
    assert_eq!(ran.code, 4, "{ran:?}");
    assert!(ran.reason().contains("answered 503"), "{ran:?}");
    let ran = http_request(&data, "127.0.0.1", json!({"url": server.url("/zones/9")}));
    assert_eq!(ran.code, 5, "{ran:?}");
    assert!(ran.reason().contains("answered 404") && ran.reason().contains("no such zone"), "{ran:?}");
}

#[test]
fn http_to_a_host_not_granted_is_denied_and_never_sent() {
    let server = Fixture::start(|_| Reply::json(200, "{}"));
    let data = TempDir::new("http-deny");
    // Same server, reached by a name that is not on the list.
    let url = format!("http://localhost:{}/secrets", server.port);
    let ran = http_request(&data, "127.0.0.1", json!({"url": url}));
    assert_eq!(ran.code, 3, "{ran:?}");
    assert!(ran.reason().contains("host `localhost` is not on the HTTP allow-list"), "{ran:?}");
    // A wildcard grant does not cover a look-alike or the apex.
    let ran = http_request(&data, "*.127.0.0.1.example", json!({"url": server.url("/")}));
    assert_eq!(ran.code, 3, "{ran:?}");
    assert!(server.seen.lock().unwrap().is_empty(), "a denied request reached the server");
}

#[test]
fn http_with_a_wildcard_grant_never_reaches_loopback() {
    let server = Fixture::start(|_| Reply::json(200, "{}"));
    let data = TempDir::new("http-ssrf");
    for url in [
        format!("http://localhost:{}/", server.port),
        format!("http://2130706433:{}/", server.port),
        format!("http://[::1]:{}/", server.port),
    ] {
        let ran = http_request(&data, "*", json!({"url": url}));
        assert_eq!(ran.code, 3, "{url}: {ran:?}");
        assert!(ran.reason().contains("loopback address"), "{url}: {ran:?}");
    }
    assert!(server.seen.lock().unwrap().is_empty(), "a denied request reached the server");
    let ran = http_request(&data, "localhost", json!({"url": format!("http://localhost:{}/", server.port)}));
    assert_eq!(ran.code, 0, "an exact name grants what it resolves to: {ran:?}");
}

#[test]
fn http_redirects_are_not_followed_off_the_allow_list() {
    let server =
        Fixture::start(|_| Reply { status: 302, content_type: "text/plain", body: b"moved".to_vec(), hang: false });
    let data = TempDir::new("http-redirect");
    let ran = http_request(&data, "127.0.0.1", json!({"url": server.url("/"), "expected_status": [302]}));
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json()["status"], 302);
}

#[test]
fn http_responses_over_the_size_cap_fail() {
    let server = Fixture::start(|_| Reply {
        status: 200,
        content_type: "application/octet-stream",
        body: vec![b'z'; 9 << 20],
        hang: false,
    });
    let data = TempDir::new("http-cap");
    let ran = http_request(&data, "127.0.0.1", json!({"url": server.url("/huge")}));
    assert_eq!(ran.code, 4, "{ran:?}");
    assert!(ran.reason().contains("exceeds the 8388608 byte limit"), "{ran:?}");
}

#[test]
fn http_requests_time_out() {
    let server = Fixture::start(|_| Reply { status: 200, content_type: "text/plain", body: Vec::new(), hang: true });
    let data = TempDir::new("http-timeout");
    let ran = http_request(&data, "127.0.0.1", json!({"url": server.url("/slow"), "timeout_ms": 300}));
    assert_eq!(ran.code, 4, "{ran:?}");
    assert!(ran.reason().contains("timed out"), "{ran:?}");
}
