//! The studio's session: a cookie page scripts cannot read, writes made with
//! it need the session's CSRF token, logging out revokes it; and the first
//! user a fresh server makes so someone can log in at all.

use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};

use crate::support::server::{Server, serve, serve_bare};

const SESSION: &str = "/api/v1/auth/session";

struct Session {
    cookie: String,
    csrf: String,
    body: Value,
    set_cookie: String,
}

async fn log_in(server: &Server, username: &str, password: &str) -> Result<Session, (u16, Value)> {
    let response = scena::tls::client()
        .post(format!("{}{SESSION}", server.base))
        .header("Content-Type", "application/json")
        .body(json!({"username": username, "password": password}).to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let set_cookie = response.headers().get(SET_COOKIE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    if status != 200 {
        return Err((status, body));
    }
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let csrf = body["csrf"].as_str().unwrap().to_string();
    Ok(Session { cookie, csrf, body, set_cookie })
}

/// A request with the session cookie (and the CSRF header if given).
async fn with_cookie(
    server: &Server,
    method: &str,
    path: &str,
    cookie: &str,
    csrf: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = scena::tls::client()
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), format!("{}{path}", server.base))
        .header(COOKIE, cookie);
    if let Some(csrf) = csrf {
        request = request.header("X-Scena-Csrf", csrf);
    }
    if let Some(body) = body {
        request = request.header("Content-Type", "application/json").body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn secret_body() -> Option<Value> {
    Some(json!({"value": "s3cret-value"}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_cookie_is_http_only_and_its_writes_need_the_csrf_token() {
    let server = serve("session-cookie");
    server.member("dora", "default", "developer").await;
    let session = log_in(&server, "dora", "correct horse").await.unwrap();
    let attributes = session.set_cookie.to_ascii_lowercase();
    assert!(
        attributes.contains("httponly") && attributes.contains("samesite=strict") && attributes.contains("path=/"),
        "{}",
        session.set_cookie
    );
    assert!(session.cookie.starts_with("scena_session=scena_"), "{}", session.cookie);
    // What the role may do comes from the policies: a developer edits but does not manage grants.
    let default = &session.body["tenants"][0];
    assert_eq!((&default["name"], &default["role"]), (&json!("default"), &json!("developer")), "{}", session.body);
    let may: Vec<&str> = default["may"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert!(may.contains(&"edit") && may.contains(&"run") && !may.contains(&"manage_grants"), "{may:?}");

    // Reads need only the cookie; the session answer then carries the same CSRF token.
    let (status, shown) = with_cookie(&server, "GET", SESSION, &session.cookie, None, None).await;
    assert_eq!((status, &shown["csrf"]), (200, &json!(session.csrf)), "{shown}");
    let (status, _) = with_cookie(&server, "GET", "/api/v1/tenants/default/flows", &session.cookie, None, None).await;
    assert_eq!(status, 200);

    // A write with the cookie alone, or a wrong token, is refused and changes nothing.
    let flow = json!({"name": "f", "nodes": [{"id": "start", "kind": "start"}, {"id": "end", "kind": "end"}],
                      "edges": [{"from": "start", "to": "end"}]});
    let path = "/api/v1/tenants/default/flows/f/draft";
    for csrf in [None, Some("0".repeat(64).as_str()), Some("")] {
        let (status, body) = with_cookie(&server, "PUT", path, &session.cookie, csrf, Some(flow.clone())).await;
        assert_eq!(status, 403, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("CSRF"), "{body}");
    }
    assert_eq!(server.admin("GET", "/api/v1/tenants/default/flows/f", None).await.status, 404, "nothing was saved");
    // Another session's token does not fit this one.
    let other = log_in(&server, "dora", "correct horse").await.unwrap();
    assert_ne!(other.csrf, session.csrf);
    let (status, _) = with_cookie(&server, "PUT", path, &session.cookie, Some(&other.csrf), Some(flow.clone())).await;
    assert_eq!(status, 403);
    let (status, body) =
        with_cookie(&server, "PUT", path, &session.cookie, Some(&session.csrf), Some(flow.clone())).await;
    assert_eq!(status, 200, "{body}");
    // The policies still decide: a developer may not set secrets, cookie or not.
    let secret = "/api/v1/tenants/default/secrets/S";
    let (status, _) = with_cookie(&server, "PUT", secret, &session.cookie, Some(&session.csrf), secret_body()).await;
    assert_eq!(status, 403);

    // Logging out revokes the session and clears the cookie; the other session stays.
    let (status, _) = with_cookie(&server, "DELETE", SESSION, &session.cookie, Some(&session.csrf), None).await;
    assert_eq!(status, 204);
    let (status, _) = with_cookie(&server, "GET", SESSION, &session.cookie, None, None).await;
    assert_eq!(status, 401, "a revoked session is gone");
    let (status, _) = with_cookie(&server, "GET", SESSION, &other.cookie, None, None).await;
    assert_eq!(status, 200);
    // Behind a proxy that terminated TLS, the cookie never travels in clear.
    let proxied = scena::tls::client()
        .post(format!("{}{SESSION}", server.base))
        .header("Content-Type", "application/json")
        .header("X-Forwarded-Proto", "https")
        .body(json!({"username": "dora", "password": "correct horse"}).to_string())
        .send()
        .await
        .unwrap();
    let set_cookie = proxied.headers().get(SET_COOKIE).unwrap().to_str().unwrap().to_ascii_lowercase();
    assert!(set_cookie.contains("; secure"), "{set_cookie}");
    assert!(!attributes.contains("; secure"), "plain HTTP on loopback: not Secure, or the browser would drop it");
    // A logout with the cookie alone is a write like any other.
    let (status, _) = with_cookie(&server, "DELETE", SESSION, &other.cookie, None, None).await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_makes_no_session_and_bearer_callers_need_no_csrf() {
    let server = serve("session-refused");
    let token = server.member("olga", "default", "operator").await;
    let refused = log_in(&server, "olga", "wrong password").await.err().unwrap();
    assert_eq!(refused.0, 401, "{}", refused.1);
    let refused = log_in(&server, "nobody", "correct horse").await.err().unwrap();
    assert_eq!(refused.0, 401, "the same answer whether or not the user exists");
    // The session route answers bearer callers too, with no CSRF token to send.
    let shown = server.call("GET", SESSION, Some(&token), None).await;
    assert_eq!((shown.status, &shown.body["csrf"], &shown.body["username"]), (200, &json!(null), &json!("olga")));
    let may = shown.body["tenants"][0]["may"].as_array().unwrap();
    assert!(may.contains(&json!("approve")) && !may.contains(&json!("edit")), "{may:?}");
    // Without any credential: 401.
    assert_eq!(server.call("GET", SESSION, None, None).await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_server_makes_a_first_user_who_can_log_in_to_the_studio() {
    let server = serve_bare("first-user");
    let mut log = server.log();
    for _ in 0..200 {
        if log.contains("with password ") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        log = server.log();
    }
    let password = log
        .split("with password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no first password in: {log}"))
        .to_string();
    assert!(log.contains("studio at http://") || log.contains("carries no studio"), "{log}");
    let session = log_in(&server, "admin", &password).await.unwrap();
    let default = &session.body["tenants"][0];
    assert_eq!((&default["name"], &default["role"]), (&json!("default"), &json!("owner")), "{}", session.body);
    assert_eq!(default["may"], json!(scena::authz::ACTIONS), "an owner may do everything");
}
