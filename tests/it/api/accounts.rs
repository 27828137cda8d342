//! Accounts: API tokens (role, expiry, revocation), invitations, passwords,
//! deleting users.

use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::support::server::serve_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_carry_at_most_their_makers_role_and_stop_when_revoked_or_expired() {
    let server = serve_with("api-tokens", &["echo"], &[]);
    server.publish("default", one_step("hello", "echo", json!({"hi": "there"}))).await;
    // An admin, so that an operator token is within the maker's rights.
    let developer = server.member("dev", "default", "admin").await;
    let tokens = format!("{}/tokens", tenant("default"));
    let make = |role: &str, extra: Value| {
        let mut body = json!({"name": "ci", "role": role});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body.to_string()
    };

    let too_high = server.call("POST", &tokens, Some(&developer), Some(make("owner", json!({})))).await;
    assert_eq!(too_high.status, 403, "{}", too_high.body);
    let past = server
        .call("POST", &tokens, Some(&developer), Some(make("operator", json!({"expires_at": "2020-01-01T00:00:00Z"}))))
        .await;
    assert_eq!(past.status, 422, "{}", past.body);

    let made =
        server.call("POST", &tokens, Some(&developer), Some(make("operator", json!({"expires_in": "1h"})))).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let token = made.body["token"].as_str().unwrap().to_string();
    let id = made.body["info"]["id"].as_str().unwrap().to_string();
    assert!(made.body["info"]["expires_at"].is_string());

    let runs = format!("{}/flows/hello/runs?wait_ms=20000", tenant("default"));
    assert_eq!(server.call("POST", &runs, Some(&token), None).await.status, 200, "an operator token runs flows");
    let draft = server
        .call(
            "PUT",
            &format!("{}/flows/hello/draft", tenant("default")),
            Some(&token),
            Some(one_step("hello", "echo", json!({})).to_string()),
        )
        .await;
    assert_eq!(draft.status, 403, "but does not edit them: {}", draft.body);
    let minted = server.call("POST", &tokens, Some(&token), Some(make("viewer", json!({})))).await;
    assert_eq!(minted.status, 403, "a token cannot mint tokens that would outlive it: {}", minted.body);

    // Listed without the token itself; the audit log names the token.
    let listed = server.call("GET", &tokens, Some(&developer), None).await;
    assert_eq!(listed.body["tokens"][0]["id"], id.as_str());
    assert!(!listed.body.to_string().contains(&token));
    let audit = server.admin("GET", &format!("{}/audit", tenant("default")), None).await;
    assert!(audit.body.to_string().contains("dev (token ci)"), "{}", audit.body);
    // An instant with an offset is kept as the store writes instants: UTC, milliseconds.
    let offset = server
        .call(
            "POST",
            &tokens,
            Some(&developer),
            Some(make("viewer", json!({"expires_at": "2999-01-01T08:00:00+08:00"}))),
        )
        .await;
    assert_eq!(
        (offset.status, &offset.body["info"]["expires_at"]),
        (201, &json!("2999-01-01T00:00:00.000Z")),
        "{}",
        offset.body
    );

    // The maker demoted to viewer: the token can no longer run.
    server.admin("PUT", &format!("{}/members/dev", tenant("default")), Some(json!({"role": "viewer"}))).await;
    assert_eq!(server.call("POST", &runs, Some(&token), None).await.status, 403);
    server.admin("PUT", &format!("{}/members/dev", tenant("default")), Some(json!({"role": "admin"}))).await;
    assert_eq!(server.call("POST", &runs, Some(&token), None).await.status, 200);

    // Someone else cannot revoke it; its maker can; then it is dead.
    let other = server.member("olga", "default", "developer").await;
    assert_eq!(server.call("DELETE", &format!("{tokens}/{id}"), Some(&other), None).await.status, 404);
    assert_eq!(server.call("DELETE", &format!("{tokens}/{id}"), Some(&developer), None).await.status, 204);
    assert_eq!(server.call("POST", &runs, Some(&token), None).await.status, 401);
    assert_eq!(server.call("DELETE", &format!("{tokens}/{id}"), Some(&developer), None).await.status, 404);

    let short = server.call("POST", &tokens, Some(&developer), Some(make("viewer", json!({"expires_in": "1s"})))).await;
    let short = short.body["token"].as_str().unwrap().to_string();
    assert_eq!(server.call("GET", &format!("{}/flows", tenant("default")), Some(&short), None).await.status, 200);
    let mut status = 200;
    for _ in 0..200 {
        status = server.call("GET", &format!("{}/flows", tenant("default")), Some(&short), None).await.status;
        if status != 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 401, "expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_let_one_person_join_with_at_most_the_inviters_role() {
    let server = serve_with("api-invitations", &["echo"], &[]);
    let ada = server.member("ada", "default", "admin").await;
    let invitations = format!("{}/invitations", tenant("default"));
    let invite = |token: String, body: Value| {
        let invitations = invitations.clone();
        let server = &server;
        async move { server.call("POST", &invitations, Some(&token), Some(body.to_string())).await }
    };
    let refused = invite(ada.clone(), json!({"role": "owner"})).await;
    assert_eq!(refused.status, 403, "an admin does not invite owners: {}", refused.body);
    assert_eq!(invite(ada.clone(), json!({"role": "root"})).await.status, 422);
    assert_eq!(invite(ada.clone(), json!({"role": "viewer", "expires_in": "soon"})).await.status, 422);

    let made = invite(ada.clone(), json!({"role": "operator", "flows": ["deploy"]})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let code = made.body["code"].as_str().unwrap().to_string();
    let accept = |code: String, username: &'static str, password: &'static str| {
        let server = &server;
        async move {
            let body = json!({"username": username, "password": password}).to_string();
            server.call("POST", &format!("/api/v1/invitations/{code}/accept"), None, Some(body)).await
        }
    };
    let joined = accept(code.clone(), "nina", "correct horse").await;
    assert_eq!(joined.status, 201, "{}", joined.body);
    assert_eq!(
        (joined.body["tenant"].as_str(), joined.body["role"].as_str(), &joined.body["new_user"]),
        (Some("default"), Some("operator"), &json!(true))
    );
    let nina = joined.body["token"].as_str().unwrap().to_string();
    let tenants = server.call("GET", "/api/v1/tenants", Some(&nina), None).await;
    assert_eq!(tenants.body["tenants"], json!([{"name": "default", "role": "operator"}]));
    assert!(server.login("nina", "correct horse").await.is_some());

    let again = accept(code.clone(), "mallory", "correct horse").await;
    assert_eq!(again.status, 404, "a code admits one person: {}", again.body);
    assert!(server.login("mallory", "correct horse").await.is_none(), "a refused code makes no user");
    assert_eq!(accept("invite_guess".into(), "mallory", "correct horse").await.status, 404);

    // An existing user joins with their own password; a revoked code admits nobody.
    let second = invite(ada.clone(), json!({"role": "viewer"})).await.body;
    assert_eq!(accept(second["code"].as_str().unwrap().into(), "ada", "not her password").await.status, 401);
    let id = second["id"].as_str().unwrap();
    assert_eq!(server.call("DELETE", &format!("{invitations}/{id}"), Some(&ada), None).await.status, 204);
    assert_eq!(accept(second["code"].as_str().unwrap().into(), "ada", "correct horse").await.status, 404);

    let listed = server.call("GET", &invitations, Some(&ada), None).await;
    assert_eq!(listed.body["invitations"].as_array().unwrap().len(), 2, "{}", listed.body);
    assert!(!listed.body.to_string().contains(&code), "codes are never listed");
    let audit = server.admin("GET", &format!("{}/audit", tenant("default")), None).await;
    assert!(
        audit.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["who"] == "nina" && e["action"] == "join" && e["status"] == 201),
        "{}",
        audit.body
    );
    let platform_audit = server.admin("GET", "/api/v1/audit", None).await.body.to_string();
    assert!(
        !platform_audit.contains(&code) && !audit.body.to_string().contains(&code),
        "the code stays out of the audit log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_change_their_own_password_and_the_admin_deletes_users() {
    let server = serve_with("api-users", &["echo"], &[]);
    let ben = server.member("ben", "default", "developer").await;
    server.member("cleo", "default", "developer").await;
    let ben_api = server.tenant_token(&ben, "default", "developer").await;
    let password = |user: &str, token: &str, body: Value| {
        let path = format!("/api/v1/users/{user}/password");
        let (server, token) = (&server, token.to_string());
        async move { server.call("PUT", &path, Some(&token), Some(body.to_string())).await }
    };
    assert_eq!(
        password("cleo", &ben, json!({"password": "new horse battery"})).await.status,
        403,
        "not someone else's"
    );
    assert_eq!(
        password("ben", &ben_api, json!({"password": "new horse battery", "current_password": "correct horse"}))
            .await
            .status,
        403,
        "not with an API token"
    );
    assert_eq!(
        password("ben", &ben, json!({"password": "new horse battery"})).await.status,
        422,
        "the current password is needed"
    );
    assert_eq!(
        password("ben", &ben, json!({"password": "new horse battery", "current_password": "wrong"})).await.status,
        403
    );
    assert_eq!(
        password("ben", &ben, json!({"password": "short", "current_password": "correct horse"})).await.status,
        422
    );
    let changed =
        password("ben", &ben, json!({"password": "new horse battery", "current_password": "correct horse"})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(
        server.call("GET", "/api/v1/tenants", Some(&ben), None).await.status,
        401,
        "login tokens are revoked with the old password"
    );
    assert_eq!(
        server.call("GET", "/api/v1/tenants/default/flows", Some(&ben_api), None).await.status,
        200,
        "API tokens stay"
    );
    assert!(server.login("ben", "correct horse").await.is_none());
    assert!(server.login("ben", "new horse battery").await.is_some());
    assert_eq!(
        server.admin("PUT", "/api/v1/users/cleo/password", Some(json!({"password": "reset by admin"}))).await.status,
        200
    );
    let cleo = server.login("cleo", "reset by admin").await.expect("the platform admin resets without the current one");

    let users = server.admin("GET", "/api/v1/users", None).await;
    let names: Vec<&str> =
        users.body["users"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["admin", "ben", "cleo"], "`admin` is the first user a fresh server makes");
    assert_eq!(
        server.call("DELETE", "/api/v1/users/ben", Some(&cleo), None).await.status,
        403,
        "only the platform admin deletes users"
    );
    assert_eq!(server.admin("DELETE", "/api/v1/users/ben", None).await.status, 204);
    assert_eq!(server.admin("DELETE", "/api/v1/users/ben", None).await.status, 404);
    assert_eq!(
        server.call("GET", "/api/v1/tenants/default/flows", Some(&ben_api), None).await.status,
        401,
        "their API tokens are revoked"
    );
    assert!(server.login("ben", "new horse battery").await.is_none());
    let members = server.admin("PUT", "/api/v1/tenants/default/members/ben", Some(json!({"role": "viewer"}))).await;
    assert_eq!(members.status, 404, "the user is gone: {}", members.body);
}

fn credentials(username: &str, password: &str) -> Option<String> {
    Some(json!({"username": username, "password": password}).to_string())
}

/// Guessing passwords is throttled per account with a growing wait (429 with
/// `Retry-After`), even for the right password, until the wait passes; an
/// unknown user and a wrong password get the same answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_throttled_and_answered_alike_for_unknown_users() {
    let throttle = ["--login-max-failures", "3", "--login-max-address-failures", "1000", "--login-backoff", "300ms"];
    let server = serve_with("api-login-throttle", &[], &throttle);
    server.member("ann", "default", "viewer").await;
    let login = |username: &'static str, password: &'static str| {
        let server = &server;
        async move { server.call("POST", "/api/v1/auth/login", None, credentials(username, password)).await }
    };

    let unknown = login("nobody", "whatever1").await;
    let wrong = login("ann", "whatever1").await;
    assert_eq!(unknown.status, 401, "{}", unknown.body);
    assert_eq!(
        (unknown.status, &unknown.body),
        (wrong.status, &wrong.body),
        "an unknown user is answered as a wrong password"
    );

    for _ in 0..2 {
        assert_eq!(login("ann", "whatever1").await.status, 401);
    }
    let throttled = login("ann", "correct horse").await;
    assert_eq!(throttled.status, 429, "the right password waits too: {}", throttled.body);
    assert_eq!(throttled.body["error"]["code"], "too_many_attempts", "{}", throttled.body);
    let wait: u64 = throttled.retry_after.as_deref().expect("Retry-After").parse().unwrap();
    assert!((1..=1).contains(&wait), "a 300 ms wait is announced as 1 s: {wait}");
    assert_eq!(server.login("bob", "correct horse").await, None, "another account is not held back, just unknown");

    // Unknown names are throttled the same way: a 429 does not tell either.
    for _ in 0..2 {
        login("nobody", "whatever1").await;
    }
    let unknown = login("nobody", "whatever1").await;
    assert_eq!(unknown.status, 429, "{}", unknown.body);

    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let reply = login("ann", "correct horse").await;
        if reply.status == 200 {
            break;
        }
        assert_eq!(reply.status, 429, "{}", reply.body);
        assert!(std::time::Instant::now() < deadline, "the wait never passed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Success clears the account's count: one wrong password is a plain 401 again.
    assert_eq!(login("ann", "whatever1").await.status, 401);
}

/// Attempts made at once count before any is answered, and changing one's
/// password counts as logging in does: a stolen login token is no way to
/// guess the password behind it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_logins_and_password_changes_are_throttled_as_logins_are() {
    let throttle = ["--login-max-failures", "3", "--login-max-address-failures", "1000", "--login-backoff", "60s"];
    let server = serve_with("api-login-burst", &[], &throttle);
    server.member("ann", "default", "viewer").await;
    let bo = server.member("bo", "default", "viewer").await;
    let burst = futures_util::future::join_all(
        (0..10).map(|_| server.call("POST", "/api/v1/auth/login", None, credentials("ann", "whatever1"))),
    )
    .await;
    let statuses: Vec<u16> = burst.iter().map(|reply| reply.status).collect();
    let refused = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!((refused, statuses.len() - refused), (3, 7), "three guesses, then waits: {statuses:?}");
    assert!(statuses.iter().all(|s| [401, 429].contains(s)), "{statuses:?}");

    let change = |current: &'static str| {
        let (server, bo) = (&server, bo.clone());
        let body = json!({"password": "new horse battery", "current_password": current}).to_string();
        async move { server.call("PUT", "/api/v1/users/bo/password", Some(&bo), Some(body)).await }
    };
    for _ in 0..3 {
        assert_eq!(change("whatever1").await.status, 403);
    }
    let throttled = change("correct horse").await;
    assert_eq!(throttled.status, 429, "the right password waits too: {}", throttled.body);
    assert!(throttled.retry_after.is_some(), "{}", throttled.body);
    let unchanged = server.call("GET", "/api/v1/tenants", Some(&bo), None).await;
    assert_eq!(unchanged.status, 200, "nothing changed: the login token still works");
}

/// Accepting an invitation does not tell whether a username exists: an
/// unusable code is a 404 whoever is named, and a taken name with a wrong
/// password is refused without saying it is taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_an_invitation_does_not_reveal_usernames() {
    let server = serve_with("api-invite-enum", &[], &[]);
    server.member("ann", "default", "viewer").await;
    let accept = |code: String, username: &'static str| {
        let server = &server;
        async move {
            server
                .call(
                    "POST",
                    &format!("/api/v1/invitations/{code}/accept"),
                    None,
                    credentials(username, "not her password"),
                )
                .await
        }
    };
    let (known, unknown) = (accept("invite_guess".into(), "ann").await, accept("invite_guess".into(), "nobody").await);
    assert_eq!(known.status, 404, "{}", known.body);
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));

    let made =
        server.admin("POST", &format!("{}/invitations", tenant("default")), Some(json!({"role": "viewer"}))).await;
    let code = made.body["code"].as_str().unwrap().to_string();
    let refused = accept(code.clone(), "ann").await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("cannot accept this invitation with these credentials")
            && !message.contains("`ann`")
            && !message.contains("exists"),
        "{message}"
    );
}
