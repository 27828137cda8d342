//! The audit log: every mutation with who, what and how it ended.

use super::*;
use crate::support::server::serve;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutations_are_audited_with_who_what_and_how_they_ended() {
    let server = serve("api-audit");
    let ana = server.member("ana", "default", "viewer").await;
    assert_eq!(server.login("ana", "not her password").await, None);
    let refused =
        server.call("PUT", &format!("{FLOWS}/zones/draft"), Some(&ana), Some(counting_flow("zones").to_string())).await;
    assert_eq!(refused.status, 403);
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await.status, 200);
    assert_eq!(server.admin("GET", FLOWS, None).await.status, 200, "reads are not audited");

    assert_eq!(
        server.call("GET", "/api/v1/tenants/default/audit", Some(&ana), None).await.status,
        403,
        "viewers do not read the audit log"
    );
    let log = server.admin("GET", "/api/v1/tenants/default/audit", None).await.body["entries"].clone();
    let rows: Vec<(String, String, String, i64)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["who"].as_str().unwrap().into(),
                e["action"].as_str().unwrap().into(),
                e["resource"].as_str().unwrap().into(),
                e["status"].as_i64().unwrap(),
            )
        })
        .collect();
    let draft = format!("{FLOWS}/zones/draft");
    assert_eq!(
        rows,
        vec![
            ("admin".into(), "edit".into(), draft.clone(), 200),
            ("ana".into(), "edit".into(), draft, 403),
            ("admin".into(), "manage_members".into(), "/api/v1/tenants/default/members/ana".into(), 200),
        ]
    );
    let newest = log[0]["id"].as_i64().unwrap();
    let older = server.admin("GET", &format!("/api/v1/tenants/default/audit?before={newest}&limit=1"), None).await.body;
    assert_eq!(older["entries"][0]["who"], "ana", "paged by id");

    let platform = server.admin("GET", "/api/v1/audit", None).await.body["entries"].clone();
    let logins: Vec<(&str, i64)> = platform
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"] == "/api/v1/auth/login")
        .map(|e| (e["who"].as_str().unwrap(), e["status"].as_i64().unwrap()))
        .collect();
    assert_eq!(logins, vec![("ana", 401), ("ana", 200)], "failed logins are kept, under the name tried");
    assert!(
        platform
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["resource"] == "/api/v1/users" && e["who"] == "admin" && e["status"] == 201)
    );
}
