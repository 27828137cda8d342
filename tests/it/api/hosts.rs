//! The host inventory (CMDB) through the API, and the `cmdb` atom seeing
//! only the hosts the tenant granted to the calling plugin.

use serde_json::{Value, json};

use crate::support::server::{ADMIN, Server, serve};

const HOSTS: &str = "/api/v1/tenants/default/hosts";

async fn import(server: &Server, tenant: &str, kind: &str, body: &str, replace: bool) -> (u16, Value) {
    let response = scena::tls::client()
        .post(format!("{}/api/v1/tenants/{tenant}/hosts/import?replace={replace}", server.base))
        .header("Authorization", format!("Bearer {ADMIN}"))
        .header("Content-Type", kind)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_str(&response.text().await.unwrap()).unwrap())
}

fn ids(body: &Value) -> Vec<String> {
    body["hosts"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
}

const FLEET: &str = "id,hostname,ip,zone,role\n\
    g1,game-1,10.0.1.1,eu-1,game\n\
    g2,game-2,10.0.1.2,eu-1,game\n\
    g3,game-3,10.0.2.3,eu-2,game\n\
    d1,db-1,10.0.1.9,eu-1,db\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_are_listed_by_selector_and_imported_all_or_nothing() {
    let server = serve("hosts-inventory");
    let (status, body) = import(&server, "default", "text/csv", FLEET, false).await;
    assert_eq!((status, &body), (200, &json!({"created": 4, "updated": 0, "removed": 0})), "{body}");

    let games = server.admin("GET", &format!("{HOSTS}?selector=role%3Dgame,zone%3Deu-1"), None).await;
    assert_eq!(ids(&games.body), ["g1", "g2"]);
    let page = server.admin("GET", &format!("{HOSTS}?limit=3"), None).await;
    assert_eq!((ids(&page.body), &page.body["next"]), (vec!["d1".into(), "g1".into(), "g2".into()], &json!("g2")));
    let rest = server.admin("GET", &format!("{HOSTS}?limit=3&after=g2"), None).await;
    assert_eq!((ids(&rest.body), &rest.body["next"]), (vec!["g3".to_string()], &json!(null)));
    let bad = server.admin("GET", &format!("{HOSTS}?selector=zone%3D%3D"), None).await;
    assert_eq!((bad.status, &bad.body["error"]["code"]), (422, &json!("invalid_selector")), "{}", bad.body);

    // One bad row refuses the whole file, naming every bad line; nothing changes.
    let broken = "id,hostname,ip,zone\nn1,new-1,10.0.3.1,eu-3\nn2,new 2,10.0.3.2,eu-3\nn3,new-3,300.1.1.1,eu-3\n";
    let (status, body) = import(&server, "default", "text/csv", broken, true).await;
    assert_eq!(status, 422, "{body}");
    let lines: Vec<u64> =
        body["error"]["details"]["errors"].as_array().unwrap().iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 4], "{body}");
    assert_eq!(ids(&server.admin("GET", HOSTS, None).await.body).len(), 4, "nothing was imported or removed");

    // JSON, replacing: hosts the file does not list go.
    let json_fleet = json!([{"id": "g1", "hostname": "game-1", "ip": "10.0.1.1", "labels": {"zone": "eu-1", "role": "game", "canary": "yes"}}]);
    let (status, body) = import(&server, "default", "application/json", &json_fleet.to_string(), true).await;
    assert_eq!((status, &body), (200, &json!({"created": 0, "updated": 1, "removed": 3})), "{body}");
    let exported = server.admin("GET", &format!("{HOSTS}/export"), None).await;
    assert_eq!(exported.body[0]["labels"]["canary"], "yes");

    // One host at a time.
    let put = server
        .admin(
            "PUT",
            &format!("{HOSTS}/w9"),
            Some(json!({"hostname": "web-9", "ip": "::1", "labels": {"role": "web"}})),
        )
        .await;
    assert_eq!(put.status, 201, "{}", put.body);
    let changed =
        server.admin("PUT", &format!("{HOSTS}/w9"), Some(json!({"hostname": "web-9", "ip": "10.9.9.9"}))).await;
    assert_eq!((changed.status, &changed.body["labels"]), (200, &json!({})));
    let refused = server.admin("PUT", &format!("{HOSTS}/w9"), Some(json!({"hostname": "web 9", "ip": "nope"}))).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["error"]["details"]["problems"].as_array().unwrap().len(), 2, "{}", refused.body);
    assert_eq!(server.admin("GET", &format!("{HOSTS}/w9"), None).await.body["ip"], "10.9.9.9", "unchanged");
    assert_eq!(server.admin("DELETE", &format!("{HOSTS}/w9"), None).await.status, 204);
    assert_eq!(server.admin("GET", &format!("{HOSTS}/w9"), None).await.status, 404);

    // Roles: viewers read, only those who manage hosts change them.
    let viewer = server.member("vic", "default", "viewer").await;
    assert_eq!(server.call("GET", HOSTS, Some(&viewer), None).await.status, 200);
    let body = json!({"hostname": "x", "ip": "10.0.0.1"}).to_string();
    assert_eq!(server.call("PUT", &format!("{HOSTS}/x"), Some(&viewer), Some(body)).await.status, 403);
}

fn finding(name: &str, selector: &str) -> Value {
    json!({"name": name,
      "nodes": [{"id": "start", "kind": "start"},
                {"id": "find", "kind": "step", "plugin": "find-hosts", "input": {"selector": selector}},
                {"id": "end", "kind": "end", "output": {"ids": "${steps.find.output.ids}"}}],
      "edges": [{"from": "start", "to": "find"}, {"from": "find", "to": "end"}]})
}

async fn run_finding(server: &Server, tenant: &str, selector: &str) -> Value {
    let flows = format!("/api/v1/tenants/{tenant}/flows");
    assert_eq!(server.admin("PUT", &format!("{flows}/find/draft"), Some(finding("find", selector))).await.status, 200);
    let published = server.admin("POST", &format!("{flows}/find/versions"), None).await;
    assert!(matches!(published.status, 200 | 201), "{}", published.body);
    let run = server.admin("POST", &format!("{flows}/find/runs?wait_ms=20000"), Some(json!({"input": {}}))).await;
    assert_eq!(run.status, 200, "{}", run.body);
    run.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cmdb_atom_sees_only_the_hosts_granted_to_the_plugin() {
    let server = serve("hosts-grant");
    assert_eq!(import(&server, "default", "text/csv", FLEET, false).await.0, 200);
    assert_eq!(server.admin("POST", "/api/v1/tenants", Some(json!({"name": "blue"}))).await.status, 201);
    assert_eq!(
        import(&server, "blue", "text/csv", "id,hostname,ip,zone\nb1,blue-1,10.7.0.1,eu-1\n", false).await.0,
        200
    );

    // Nothing granted: the atom refuses, naming the plugin; the step fails.
    let run = run_finding(&server, "default", "").await;
    assert_eq!(run["status"], "failed", "{run}");
    assert!(run["nodes"]["find"]["error"].to_string().contains("no hosts are granted"), "{run}");

    // Granted eu-1 game hosts and db d1 by id: only those are ever seen, whatever the selector asks.
    let grants = json!({"hosts": {"find-hosts": ["zone=eu-1,role=game", "id=d1"]}});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    assert_eq!(run_finding(&server, "default", "").await["output"]["ids"], json!(["d1", "g1", "g2"]));
    assert_eq!(run_finding(&server, "default", "zone=eu-2").await["output"]["ids"], json!([]), "g3 is not granted");
    assert_eq!(run_finding(&server, "default", "role=db").await["output"]["ids"], json!(["d1"]));
    // Another plugin's grant does not carry over, and a grant for `*` does.
    let other = json!({"hosts": {"echo": ["zone=eu-1"]}});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(other)).await.status, 200);
    assert_eq!(run_finding(&server, "default", "").await["status"], "failed");
    let everyone = json!({"hosts": {"*": ["zone=eu-2"]}});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(everyone)).await.status, 200);
    assert_eq!(run_finding(&server, "default", "").await["output"]["ids"], json!(["g3"]));

    // Tenant blue grants everything in eu-1 and still sees only its own host.
    let blue = json!({"hosts": {"find-hosts": ["zone=eu-1"]}});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/blue/grants", Some(blue)).await.status, 200);
    assert_eq!(run_finding(&server, "blue", "").await["output"]["ids"], json!(["b1"]));

    // A grant with a malformed or empty selector is refused whole.
    for bad in [
        json!({"hosts": {"find-hosts": ["zone=="]}}),
        json!({"hosts": {"find-hosts": [""]}}),
        json!({"hosts": {"Bad Name": ["a=b"]}}),
    ] {
        let refused = server.admin("PUT", "/api/v1/tenants/default/grants", Some(bad.clone())).await;
        assert_eq!(refused.status, 422, "{bad}: {}", refused.body);
    }
}
