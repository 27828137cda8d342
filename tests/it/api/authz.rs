//! Who may do what: every route refuses a missing token, another tenant and a
//! role without the permission; roles, tokens and invitations hand out only
//! rights their maker holds now; nobody touches a member above them; a member
//! limited to some flows acts on runs of those only.

use scena::api::RouteAction;
use serde_json::{Value, json};

use super::*;
use crate::support::server::{ADMIN, concrete, serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_no_token_another_tenant_and_a_role_without_the_permission() {
    let server = serve("api-isolation");
    let health = server.call("GET", "/healthz", None, None).await;
    assert_eq!((health.status, health.body["status"].as_str()), (200, Some("ok")));
    assert_eq!(server.admin("POST", "/api/v1/tenants", Some(json!({"name": "blue"}))).await.status, 201);
    let viewer = server.member("vera", "default", "viewer").await;
    let outsider = server.member("otto", "blue", "owner").await;
    let outsider_token = server.tenant_token(&outsider, "blue", "owner").await;
    for route in scena::api::ROUTES {
        // Logging out revokes the caller's own token, which the next checks use (`sessions.rs` covers it).
        if (route.method, route.path) == ("DELETE", "/api/v1/auth/session") {
            continue;
        }
        let (method, path) = (route.method, concrete(route.path, "default"));
        for token in [None, Some("not-a-token")] {
            let reply = server.call(method, &path, token, None).await;
            assert_eq!(reply.status, 401, "{method} {path} with {token:?}: {}", reply.body);
            assert_eq!(reply.body["error"]["code"], "unauthorized", "{method} {path}");
        }
        let expected = match route.action {
            RouteAction::Platform | RouteAction::Own => 403, // only the platform admin (or the user themselves)
            RouteAction::SignedIn => 200,                    // not about a tenant: everyone sees their own
            _ => 404,                                        // another tenant's owner sees nothing here
        };
        for (who, token) in [("another tenant's owner", &outsider), ("another tenant's API token", &outsider_token)] {
            let reply = server.call(method, &path, Some(token), None).await;
            assert_eq!(reply.status, expected, "{method} {path} by {who}: {}", reply.body);
        }
        let may_read = matches!(route.action, RouteAction::Is("read") | RouteAction::SignedIn);
        let reply = server.call(method, &path, Some(&viewer), None).await;
        if may_read {
            assert_ne!(reply.status, 403, "{method} {path} by a viewer: {}", reply.body);
        } else {
            assert_eq!(reply.status, 403, "{method} {path} by a viewer: {}", reply.body);
            assert_eq!(reply.body["error"]["code"], "forbidden");
        }
        // A tenant that does not exist looks like any unknown resource, even to the admin.
        if route.path.contains("{tenant}") {
            let reply = server.admin(method, &concrete(route.path, "nowhere"), None).await;
            assert_eq!(reply.status, 404, "{method} {path} in a missing tenant: {}", reply.body);
        }
    }
    let tenants = server.call("GET", "/api/v1/tenants", Some(&outsider_token), None).await;
    assert_eq!(
        tenants.body["tenants"],
        json!([{"name": "blue", "role": "owner"}]),
        "a tenant token sees its tenant only"
    );
    assert_eq!(server.admin("GET", "/api/v1/nope", None).await.status, 404);
    assert_eq!(server.login("vera", "wrong password").await, None);
    assert_eq!(server.login("nobody", "correct horse").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_decide_what_members_may_do_and_nobody_grants_above_their_own() {
    let server = serve("api-roles");
    let server = &server;
    server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await;
    server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await;
    let developer = server.member("dana", "default", "developer").await;
    let operator = server.member("omar", "default", "operator").await;
    let admin = server.member("ada", "default", "admin").await;
    let start = |token: String| async move {
        let body = json!({"input": {"zone": "eu-1"}}).to_string();
        server.call("POST", &format!("{FLOWS}/zones/runs?wait_ms=20000"), Some(&token), Some(body)).await
    };
    let run = start(developer.clone()).await;
    assert_eq!(run.body["status"], "waiting", "{}", run.body);
    let gate = format!("/api/v1/tenants/default/runs/{}/nodes/gate/approve", run.body["id"].as_str().unwrap());
    assert_eq!(server.call("POST", &gate, Some(&developer), None).await.status, 403, "developers do not approve");
    assert_eq!(server.call("POST", &gate, Some(&operator), None).await.status, 200, "operators do");
    let draft = server
        .call("PUT", &format!("{FLOWS}/zones/draft"), Some(&operator), Some(counting_flow("zones").to_string()))
        .await;
    assert_eq!(draft.status, 403, "operators do not edit");

    // An admin may not make anyone an owner; the platform admin may.
    let grant = |token: String, role: &'static str| async move {
        let body = json!({"role": role}).to_string();
        server.call("PUT", "/api/v1/tenants/default/members/dana", Some(&token), Some(body)).await.status
    };
    assert_eq!(grant(admin.clone(), "owner").await, 403);
    assert_eq!(grant(admin.clone(), "operator").await, 200);
    assert_eq!(grant(ADMIN.to_string(), "owner").await, 200);
    assert_eq!(grant(ADMIN.to_string(), "emperor").await, 422);

    // An operator limited to named flows runs those only.
    let limited = json!({"role": "operator", "flows": ["hotfix"]}).to_string();
    assert_eq!(
        server.call("PUT", "/api/v1/tenants/default/members/omar", Some(ADMIN), Some(limited)).await.status,
        200
    );
    assert_eq!(start(operator.clone()).await.status, 403);
    let removed = server.call("DELETE", "/api/v1/tenants/default/members/omar", Some(ADMIN), None).await;
    assert_eq!(removed.status, 204);
    assert_eq!(server.call("GET", FLOWS, Some(&operator), None).await.status, 404, "a former member sees nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_invitations_carry_only_rights_their_maker_holds_now() {
    let server = serve("api-rights");
    publish_counting(&server, "zones", json!(["role:operator"])).await;
    let dana = server.member("dana", "default", "developer").await;
    let ada = server.member("ada", "default", "admin").await;
    let tokens = "/api/v1/tenants/default/tokens";
    let make = |token: String, body: Value| {
        let server = &server;
        async move { server.call("POST", tokens, Some(&token), Some(body.to_string())).await }
    };

    // Roles are not a ladder: a developer holds no approve or operate right to hand out.
    let minted = make(dana.clone(), json!({"name": "x", "role": "operator"})).await;
    assert_eq!(minted.status, 403, "{}", minted.body);
    for role in ["developer", "viewer"] {
        assert_eq!(make(dana.clone(), json!({"name": role, "role": role})).await.status, 201, "{role}");
    }

    // A token acts with the rights both it and its maker hold now.
    let operator =
        make(ada.clone(), json!({"name": "ops", "role": "operator"})).await.body["token"].as_str().unwrap().to_string();
    let run = waiting_run(&server, "zones").await;
    assert_eq!(
        server.admin("PUT", "/api/v1/tenants/default/members/ada", Some(json!({"role": "developer"}))).await.status,
        200
    );
    for action in ["nodes/gate/approve", "nodes/gate/skip", "nodes/gate/force-fail", "cancel"] {
        let refused = server.call("POST", &format!("{run}/{action}"), Some(&operator), None).await;
        assert_eq!(refused.status, 403, "{action} with an operator token of a member now developer: {}", refused.body);
    }
    let draft = server
        .call("PUT", &format!("{FLOWS}/zones/draft"), Some(&operator), Some(counting_flow("zones").to_string()))
        .await;
    assert_eq!(draft.status, 403, "nor what only the maker may do: {}", draft.body);
    assert_eq!(
        server.call("GET", &run, Some(&operator), None).await.body["status"],
        "waiting",
        "refusals change nothing"
    );

    // An invitation grants what its maker may grant when it is accepted.
    assert_eq!(
        server.admin("PUT", "/api/v1/tenants/default/members/ada", Some(json!({"role": "admin"}))).await.status,
        200
    );
    let invited = server
        .call("POST", "/api/v1/tenants/default/invitations", Some(&ada), Some(json!({"role": "admin"}).to_string()))
        .await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let accept = format!("/api/v1/invitations/{}/accept", invited.body["code"].as_str().unwrap());
    assert_eq!(
        server.admin("PUT", "/api/v1/tenants/default/members/ada", Some(json!({"role": "viewer"}))).await.status,
        200
    );
    let joining = json!({"username": "ivan", "password": "correct horse"}).to_string();
    let refused = server.call("POST", &accept, None, Some(joining.clone())).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.body["error"]["message"].as_str().unwrap().contains("may no longer grant `admin`"),
        "{}",
        refused.body
    );
    assert!(server.login("ivan", "correct horse").await.is_none(), "a refused acceptance makes nobody");
    // A maker demoted to the invited role itself holds its rights, but may no longer add members.
    let as_developer = server
        .call("POST", "/api/v1/tenants/default/invitations", Some(&ada), Some(json!({"role": "developer"}).to_string()))
        .await;
    assert_eq!(as_developer.status, 403, "a viewer makes no invitation: {}", as_developer.body);
    assert_eq!(
        server.admin("PUT", "/api/v1/tenants/default/members/ada", Some(json!({"role": "admin"}))).await.status,
        200
    );
    let developer_invited = server
        .call("POST", "/api/v1/tenants/default/invitations", Some(&ada), Some(json!({"role": "developer"}).to_string()))
        .await;
    let developer_accept = format!("/api/v1/invitations/{}/accept", developer_invited.body["code"].as_str().unwrap());
    assert_eq!(
        server.admin("PUT", "/api/v1/tenants/default/members/ada", Some(json!({"role": "developer"}))).await.status,
        200
    );
    let joining_dev = json!({"username": "devon", "password": "correct horse"}).to_string();
    let refused = server.call("POST", &developer_accept, None, Some(joining_dev)).await;
    assert_eq!(refused.status, 403, "the maker no longer manages members: {}", refused.body);
    assert!(server.login("devon", "correct horse").await.is_none());
    assert_eq!(
        server.admin("PUT", "/api/v1/tenants/default/members/ada", Some(json!({"role": "admin"}))).await.status,
        200
    );
    let joined = server.call("POST", &accept, None, Some(joining)).await;
    assert_eq!((joined.status, &joined.body["role"]), (201, &json!("admin")), "{}", joined.body);

    // Nor a wider limit to flows than the maker has when it is accepted: made
    // unlimited (or for flows the maker has lost since), refused once the maker is limited.
    let invite = |body: Value| {
        let (server, ada) = (&server, ada.clone());
        async move {
            let made =
                server.call("POST", "/api/v1/tenants/default/invitations", Some(&ada), Some(body.to_string())).await;
            assert_eq!(made.status, 201, "{}", made.body);
            format!("/api/v1/invitations/{}/accept", made.body["code"].as_str().unwrap())
        }
    };
    let unlimited = invite(json!({"role": "operator"})).await;
    let other_flow = invite(json!({"role": "operator", "flows": ["hotfix", "zones"]})).await;
    let within = invite(json!({"role": "operator", "flows": ["hotfix"]})).await;
    let limit = json!({"role": "admin", "flows": ["hotfix"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/ada", Some(limit)).await.status, 200);
    for (accept, username) in [(unlimited, "uma"), (other_flow, "ulf")] {
        let joining = json!({"username": username, "password": "correct horse"}).to_string();
        let refused = server.call("POST", &accept, None, Some(joining)).await;
        assert_eq!(refused.status, 403, "{username}: {}", refused.body);
        assert!(
            refused.body["error"]["message"].as_str().unwrap().contains("limited to flows hotfix"),
            "{}",
            refused.body
        );
        assert!(server.login(username, "correct horse").await.is_none(), "a refused acceptance makes nobody");
    }
    let joining = json!({"username": "wendy", "password": "correct horse"}).to_string();
    let joined = server.call("POST", &within, None, Some(joining)).await;
    assert_eq!(joined.status, 201, "a limit within the maker's still works: {}", joined.body);
    let unlimited = json!({"role": "admin"});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/ada", Some(unlimited)).await.status, 200);

    // A far expiry is a 422, not an overflow; so is an expiry of nothing, and
    // an instant whose offset carries it past year 9999 in UTC.
    for far in ["999999999999d", "400d", "0s", "0d", "1ns", "999ms"] {
        let body = json!({ "expires_in": far }).to_string();
        let enrolment = server.call("POST", "/api/v1/tenants/default/agents/enrolments", Some(&ada), Some(body)).await;
        assert_eq!(
            (enrolment.status, &enrolment.body["error"]["code"]),
            (422, &json!("invalid_expiry")),
            "enrolment {far}: {}",
            enrolment.body
        );
    }
    for (field, far) in [
        ("expires_in", "999999999999d"),
        ("expires_in", "99999999999999999999999d"),
        ("expires_in", "20000y"),
        ("expires_in", "0s"),
        ("expires_at", "9999-12-31T23:59:59-23:59"),
    ] {
        let token = make(dana.clone(), json!({"name": "far", "role": "viewer", field: far})).await;
        assert_eq!(
            (token.status, &token.body["error"]["code"]),
            (422, &json!("invalid_expiry")),
            "{far}: {}",
            token.body
        );
        let body = json!({"role": "viewer", field: far}).to_string();
        let invitation = server.call("POST", "/api/v1/tenants/default/invitations", Some(&ada), Some(body)).await;
        assert_eq!(
            (invitation.status, &invitation.body["error"]["code"]),
            (422, &json!("invalid_expiry")),
            "{far}: {}",
            invitation.body
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_touches_a_member_above_them_and_a_tenant_keeps_an_owner() {
    let server = serve("api-owners");
    let olga = server.member("olga", "default", "owner").await;
    let ada = server.member("ada", "default", "admin").await;
    server.member("dev", "default", "developer").await;
    let member = |name: &str| format!("/api/v1/tenants/default/members/{name}");
    // The first user a fresh server makes is an owner too: olga is to be the only one.
    assert_eq!(server.admin("DELETE", &member("admin"), None).await.status, 204);
    let set = |token: String, name: &'static str, role: &'static str| {
        let server = &server;
        async move {
            server
                .call(
                    "PUT",
                    &format!("/api/v1/tenants/default/members/{name}"),
                    Some(&token),
                    Some(json!({"role": role}).to_string()),
                )
                .await
        }
    };

    let demoted = set(ada.clone(), "olga", "viewer").await;
    assert_eq!(demoted.status, 403, "an admin does not demote an owner: {}", demoted.body);
    assert_eq!(server.call("DELETE", &member("olga"), Some(&ada), None).await.status, 403, "nor removes one");
    assert_eq!(set(ada.clone(), "dev", "operator").await.status, 200, "but changes those below");
    let tenants = server.call("GET", "/api/v1/tenants", Some(&olga), None).await;
    assert_eq!(tenants.body["tenants"], json!([{"name": "default", "role": "owner"}]), "unchanged");

    // The last owner stays, whoever asks.
    let alone = set(olga.clone(), "olga", "admin").await;
    assert_eq!((alone.status, &alone.body["error"]["code"]), (409, &json!("conflict")), "{}", alone.body);
    assert_eq!(server.admin("DELETE", &member("olga"), None).await.status, 409);
    assert_eq!(
        server.admin("DELETE", "/api/v1/users/olga", None).await.status,
        409,
        "deleting the user would remove the owner"
    );

    // The two last owners removed at once: one goes, one stays.
    for round in 0..5 {
        let oscar = format!("oscar{round}");
        let created =
            server.admin("POST", "/api/v1/users", Some(json!({"username": oscar, "password": "correct horse"}))).await;
        assert_eq!(created.status, 201);
        assert_eq!(server.admin("PUT", &member(&oscar), Some(json!({"role": "owner"}))).await.status, 200);
        let (oscar_path, olga_path) = (member(&oscar), member("olga"));
        let (a, b) = tokio::join!(
            server.call("DELETE", &oscar_path, Some(ADMIN), None),
            server.call("DELETE", &olga_path, Some(ADMIN), None)
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [204, 409], "round {round}: {} {}", a.body, b.body);
        if b.status == 204 {
            // Olga went; bring her back as owner for the next round.
            assert_eq!(server.admin("PUT", &member("olga"), Some(json!({"role": "owner"}))).await.status, 200);
            assert_eq!(server.admin("DELETE", &member(&oscar), None).await.status, 204);
        }
        let olga_now = server.call("GET", "/api/v1/tenants", Some(&olga), None).await;
        assert_eq!(olga_now.body["tenants"], json!([{"name": "default", "role": "owner"}]), "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_limited_to_some_flows_decides_and_operates_runs_of_those_only() {
    let server = serve("api-flow-limit");
    publish_counting(&server, "zones", json!(["role:operator"])).await;
    publish_counting(&server, "hotfix", json!(["role:operator"])).await;
    let omar = server.member("omar", "default", "operator").await;
    let limited = json!({"role": "operator", "flows": ["hotfix"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/omar", Some(limited)).await.status, 200);
    let other = waiting_run(&server, "zones").await;
    for action in
        ["nodes/gate/approve", "nodes/gate/reject", "nodes/gate/skip", "nodes/gate/force-fail", "pause", "cancel"]
    {
        let refused = server.call("POST", &format!("{other}/{action}"), Some(&omar), None).await;
        assert_eq!(refused.status, 403, "{action} on a run of another flow: {}", refused.body);
    }
    let token = server.tenant_token(&omar, "default", "operator").await;
    assert_eq!(
        server.call("POST", &format!("{other}/cancel"), Some(&token), None).await.status,
        403,
        "nor with a token"
    );
    let still = server.call("GET", &other, Some(&omar), None).await;
    assert_eq!((still.status, &still.body["status"]), (200, &json!("waiting")), "reading stays open: {}", still.body);
    let own = waiting_run(&server, "hotfix").await;
    assert_eq!(server.call("POST", &format!("{own}/nodes/gate/approve"), Some(&omar), None).await.status, 200);
    assert_eq!(wait_until_over(&server, &own).await["status"], "succeeded");
    // A limited member hands out no wider limit.
    let admin = json!({"role": "admin", "flows": ["hotfix"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/omar", Some(admin)).await.status, 200);
    server.member("dev", "default", "viewer").await;
    let wider = server
        .call("PUT", "/api/v1/tenants/default/members/dev", Some(&omar), Some(json!({"role": "viewer"}).to_string()))
        .await;
    assert_eq!(wider.status, 403, "{}", wider.body);
    let narrow = json!({"role": "viewer", "flows": ["hotfix"]}).to_string();
    assert_eq!(server.call("PUT", "/api/v1/tenants/default/members/dev", Some(&omar), Some(narrow)).await.status, 200);
}

/// A flow that runs `subflow` as a subflow, as a draft body.
fn calling(name: &str, subflow: &str) -> String {
    json!({"name": name,
      "nodes": [{"id": "start", "kind": "start"},
                {"id": "sub", "kind": "subflow", "flow": subflow, "input": {"zone": "z"}},
                {"id": "end", "kind": "end"}],
      "edges": [{"from": "start", "to": "sub"}, {"from": "sub", "to": "end"}]})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_limited_to_some_flows_starts_no_other_through_a_webhook_a_schedule_or_a_subflow() {
    let server = serve("api-flow-limit-reach");
    publish_counting(&server, "zones", json!(["role:operator"])).await;
    publish_counting(&server, "hotfix", json!(["role:operator"])).await;
    let dana = server.member("dana", "default", "developer").await;
    let limited = json!({"role": "developer", "flows": ["hotfix"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/dana", Some(limited)).await.status, 200);
    let runs = || async { server.admin("GET", "/api/v1/tenants/default/runs", None).await.body["runs"].clone() };
    let runs_before = runs().await;

    // Another flow's webhook, schedule, draft and versions are out of reach.
    let schedule = json!({"cron": "0 0 * * * *"}).to_string();
    for (method, path, body) in [
        ("PUT", format!("{FLOWS}/zones/webhook"), None),
        ("POST", format!("{FLOWS}/zones/schedules"), Some(schedule.clone())),
        ("PUT", format!("{FLOWS}/zones/draft"), Some(calling("zones", "hotfix"))),
        ("POST", format!("{FLOWS}/zones/versions"), None),
    ] {
        let refused = server.call(method, &path, Some(&dana), body).await;
        assert_eq!(refused.status, 403, "{method} {path}: {}", refused.body);
    }
    // Nor what every flow may run or place: plugins, the tenant's files.
    let upload = server.call("POST", "/api/v1/tenants/default/plugins", Some(&dana), None).await;
    assert_eq!(upload.status, 403, "{}", upload.body);
    let file = server.call("PUT", "/api/v1/tenants/default/files/app.bin", Some(&dana), None).await;
    assert_eq!(file.status, 403, "{}", file.body);
    // Their own flow, made to run the other as a subflow, is saved but not published by them
    // (a webhook made before would start the new version)…
    let draft =
        server.call("PUT", &format!("{FLOWS}/hotfix/draft"), Some(&dana), Some(calling("hotfix", "zones"))).await;
    assert_eq!(draft.status, 200, "{}", draft.body);
    let published = server.call("POST", &format!("{FLOWS}/hotfix/versions"), Some(&dana), None).await;
    assert_eq!(published.status, 403, "{}", published.body);
    let message = published.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("runs flow `zones` as a subflow"), "{}", published.body);
    // …and, published by someone who may, it neither runs for them nor gets a webhook or schedule from them.
    assert_eq!(server.admin("POST", &format!("{FLOWS}/hotfix/versions"), None).await.status, 201);
    let started =
        server.call("POST", &format!("{FLOWS}/hotfix/runs"), Some(&dana), Some(json!({"input": {}}).to_string())).await;
    assert_eq!(started.status, 403, "{}", started.body);
    assert!(
        started.body["error"]["message"].as_str().unwrap().contains("runs flow `zones` as a subflow"),
        "{}",
        started.body
    );
    assert_eq!(server.call("PUT", &format!("{FLOWS}/hotfix/webhook"), Some(&dana), None).await.status, 403);
    let light =
        server.call("PUT", &format!("{FLOWS}/hotfix/light-app"), Some(&dana), Some(json!({}).to_string())).await;
    assert_eq!(light.status, 403, "nor a light app, through which others would start it: {}", light.body);
    let scheduled = server.call("POST", &format!("{FLOWS}/hotfix/schedules"), Some(&dana), Some(schedule)).await;
    assert_eq!(scheduled.status, 403, "{}", scheduled.body);
    assert_eq!(runs().await, runs_before, "no run started");
    // The same flow started by an unlimited member runs, subflow and all.
    let run = server.admin("POST", &format!("{FLOWS}/hotfix/runs?wait_ms=20000"), Some(json!({"input": {}}))).await;
    assert!(matches!(run.status, 200 | 202), "{}", run.body);
}

/// A retried subflow call starts that flow again, with the input the caller
/// gives: a member limited to the calling flow may not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_limited_to_some_flows_retries_no_subflow_call_of_another() {
    let server = serve("api-flow-limit-retry");
    publish_counting(&server, "zones", json!(["role:operator"])).await;
    // `zones` needs a zone: called without one, the call fails.
    let mut caller: Value = serde_json::from_str(&calling("caller", "zones")).unwrap();
    caller["nodes"][1]["input"] = json!({});
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/caller/draft"), Some(caller)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/caller/versions"), None).await.status, 201);
    let run = server.admin("POST", &format!("{FLOWS}/caller/runs?wait_ms=20000"), Some(json!({"input": {}}))).await;
    let run_path = format!("/api/v1/tenants/default/runs/{}", run.body["id"].as_str().unwrap());
    let ended = wait_until_over(&server, &run_path).await;
    assert_eq!(ended["nodes"]["sub"]["status"], "failed", "{ended}");
    let olaf = server.member("olaf", "default", "operator").await;
    let limited = json!({"role": "operator", "flows": ["caller"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/olaf", Some(limited)).await.status, 200);
    let retry = json!({"input": {"zone": "chosen"}}).to_string();
    let refused = server.call("POST", &format!("{run_path}/nodes/sub/retry"), Some(&olaf), Some(retry.clone())).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("runs flow `zones`"), "{}", refused.body);
    // Someone who may run `zones` retries it.
    let retried =
        server.admin("POST", &format!("{run_path}/nodes/sub/retry"), Some(serde_json::from_str(&retry).unwrap())).await;
    assert_eq!(retried.status, 200, "{}", retried.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_managers_list_the_members_with_their_roles() {
    let server = serve("api-members-list");
    server.member("olga", "default", "operator").await;
    let dev = server.member("dev", "default", "developer").await;
    let limited = json!({"role": "operator", "flows": ["hello"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/olga", Some(limited)).await.status, 200);
    let listed = server.admin("GET", "/api/v1/tenants/default/members", None).await;
    assert_eq!(
        listed.body["members"],
        json!([{"username": "admin", "role": "owner", "flows": null},
               {"username": "dev", "role": "developer", "flows": null},
               {"username": "olga", "role": "operator", "flows": ["hello"]}])
    );
    assert_eq!(server.call("GET", "/api/v1/tenants/default/members", Some(&dev), None).await.status, 403);
}
