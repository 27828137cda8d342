//! The tenant's files and `push-file`: files uploaded, replaced, listed and
//! deleted through the API; placed on hosts by real `scena agent` processes,
//! checked by sha256 and renamed into place — only on granted hosts, only
//! the content the job pinned, fetched only by the agent the job was sent to.

use std::os::unix::fs::PermissionsExt;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::jobs::{enrolment_token, start_agent, until_connected};
use crate::support::TempDir;
use crate::support::server::{ADMIN, Server, serve, serve_with};

const FILES: &str = "/api/v1/tenants/default/files";

async fn put_file(server: &Server, name: &str, bytes: &[u8]) -> (u16, Value) {
    let response = scena::tls::client()
        .put(format!("{}{FILES}/{name}", server.base))
        .header("Authorization", format!("Bearer {ADMIN}"))
        .header("Content-Type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_str(&response.text().await.unwrap()).unwrap())
}

/// `GET url` with `Authorization: Bearer token`, if given: the status and the bytes.
async fn fetch(url: &str, token: Option<&str>) -> (u16, Vec<u8>) {
    let mut request = scena::tls::client().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.bytes().await.unwrap().to_vec())
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_uploaded_replaced_listed_read_and_deleted() {
    let server = serve_with("files-api", &["echo", "kv"], &["--tenant-files-quota-mib", "1"]);
    let (status, first) = put_file(&server, "app-1.0.tgz", b"version one").await;
    assert_eq!(status, 201, "{first}");
    assert_eq!((&first["sha256"], &first["size_bytes"]), (&json!(sha256(b"version one")), &json!(11)));
    let (status, replaced) = put_file(&server, "app-1.0.tgz", b"version two!").await;
    assert_eq!(status, 200, "the same name again replaces it: {replaced}");
    assert_eq!(replaced["sha256"], sha256(b"version two!"));
    let (status, empty) = put_file(&server, "marker", b"").await;
    assert_eq!((status, &empty["size_bytes"]), (201, &json!(0)), "an empty file is a file");
    assert_eq!(put_file(&server, "notes.txt", &b"compressible ".repeat(1000)).await.0, 201);

    let listed = server.admin("GET", FILES, None).await.body;
    let names: Vec<&str> = listed["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["app-1.0.tgz", "marker", "notes.txt"]);
    assert_eq!((&listed["used_bytes"], &listed["quota_bytes"]), (&json!(12 + 13_000), &json!(1 << 20)));
    // The replaced content, which no job places, is gone from the server's disk.
    let kept = |content: &[u8]| server.dir.path().join("files").join(format!("{}.file", sha256(content))).exists();
    for _ in 0..200 {
        if !kept(b"version one") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(!kept(b"version one") && kept(b"version two!"));
    // Past the tenant's quota an upload is refused, saying so, and stores nothing.
    let (status, refused) = put_file(&server, "big.bin", &vec![7u8; 1 << 20]).await;
    assert_eq!((status, &refused["error"]["code"]), (413, &json!("files_quota_exceeded")), "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains(&format!("would take {} bytes", 12 + 13_000 + (1 << 20))), "{message}");
    assert_eq!(server.admin("GET", &format!("{FILES}/big.bin"), None).await.status, 404);
    let one = server.admin("GET", &format!("{FILES}/app-1.0.tgz"), None).await;
    assert_eq!((one.status, &one.body["uploaded_by"]), (200, &json!("admin")), "{}", one.body);
    let (status, bytes) = fetch(&format!("{}{FILES}/app-1.0.tgz/content", server.base), Some(ADMIN)).await;
    assert_eq!((status, bytes.as_slice()), (200, b"version two!".as_slice()));
    // Compressed on the way, as a browser asks: the stream ends once, cleanly.
    let compressed = scena::tls::client()
        .get(format!("{}{FILES}/notes.txt/content", server.base))
        .bearer_auth(ADMIN)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status(), 200);
    assert!(!compressed.bytes().await.unwrap().is_empty());

    for bad in [".hidden", "a%20b", "%C3%A9t%C3%A9"] {
        let (status, refused) = put_file(&server, bad, b"x").await;
        assert_eq!((status, &refused["error"]["code"]), (422, &json!("invalid_file_name")), "{bad}: {refused}");
    }
    assert_eq!(server.admin("GET", FILES, None).await.body["files"].as_array().unwrap().len(), 3, "nothing was added");

    assert_eq!(server.admin("DELETE", &format!("{FILES}/marker"), None).await.status, 204);
    assert_eq!(server.admin("DELETE", &format!("{FILES}/marker"), None).await.status, 404);
    assert_eq!(server.admin("GET", &format!("{FILES}/marker"), None).await.status, 404);
    // Files are the tenant's own.
    assert_eq!(server.admin("POST", "/api/v1/tenants", Some(json!({"name": "blue"}))).await.status, 201);
    assert_eq!(server.admin("GET", "/api/v1/tenants/blue/files/app-1.0.tgz", None).await.status, 404);
    assert!(!server.log().contains("panicked"), "{}", server.log());
}

fn pushing(name: &str) -> Value {
    pushing_within(name, 20_000)
}

fn pushing_within(name: &str, timeout_ms: u32) -> Value {
    json!({"name": name,
      "inputs": {"type": "object", "properties": {
          "hosts": {"type": "array"}, "path": {"type": "string"}, "sha256": {"type": "string"}, "mode": {"type": "string"}}},
      "nodes": [{"id": "start", "kind": "start"},
                {"id": "push", "kind": "step", "plugin": "push-file",
                 "input": {"hosts": "${inputs.hosts}", "file": "app.bin", "path": "${inputs.path}",
                           "sha256": "${inputs.sha256}", "mode": "${inputs.mode}", "timeout_ms": timeout_ms, "poll_ms": 100}},
                {"id": "end", "kind": "end", "output": {"result": "${steps.push.output}"}}],
      "edges": [{"from": "start", "to": "push"}, {"from": "push", "to": "end"}]})
}

async fn push(server: &Server, input: Value) -> Value {
    push_with(server, "push", input).await
}

async fn push_with(server: &Server, flow: &str, input: Value) -> Value {
    let flows = "/api/v1/tenants/default/flows";
    let started = server.admin("POST", &format!("{flows}/{flow}/runs?wait_ms=0"), Some(json!({"input": input}))).await;
    // 200 if the run ended before the answer (a step refusing its input at once), else 202.
    assert!(matches!(started.status, 200 | 202), "{}", started.body);
    let run_path = format!("/api/v1/tenants/default/runs/{}", started.body["id"].as_str().unwrap());
    // Up to two minutes: a silent agent's host fails 30 s after the job's timeout.
    super::wait_until_over_within(server, &run_path, 2_400).await
}

fn credential(dir: &TempDir, agent: &str) -> String {
    let state = std::fs::read_to_string(dir.path().join(agent).join("state/agent.json")).unwrap();
    serde_json::from_str::<Value>(&state).unwrap()["credential"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_is_placed_whole_on_granted_hosts_checked_by_its_sha256() {
    let server = serve("files-push");
    let dir = TempDir::new("files-push");
    let token = enrolment_token(&server, "default").await;
    let _game = start_agent(&server, &dir, &token, "game-1", "zone=eu-1");
    let _db = start_agent(&server, &dir, &token, "db-1", "zone=eu-2");
    until_connected(&server, "default", &[("game-1", true), ("db-1", true)]).await;
    let grants = json!({"hosts": {"*": ["zone=eu-1"]}});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    let content: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    assert_eq!(put_file(&server, "app.bin", &content).await.0, 201);
    let flows = "/api/v1/tenants/default/flows";
    assert_eq!(server.admin("PUT", &format!("{flows}/push/draft"), Some(pushing("push"))).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{flows}/push/versions"), None).await.status, 201);

    // Placed where it was asked, parent directories made, with its mode; nothing left beside it.
    let target = dir.path().join("game-1/releases/1.0/app.bin");
    let path = target.display().to_string();
    let placed = push(&server, json!({"hosts": ["game-1"], "path": path, "sha256": "", "mode": "640"})).await;
    assert_eq!(placed["status"], "succeeded", "{placed}");
    assert_eq!(std::fs::read(&target).unwrap(), content);
    assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o7777, 0o640);
    let host = &placed["output"]["result"]["hosts"][0];
    assert_eq!((&host["host"], &host["state"]), (&json!("game-1"), &json!("succeeded")), "{host}");
    assert!(host["output"].as_str().unwrap().contains(&format!("placed {path} (300000 bytes")), "{host}");
    let beside: Vec<_> = std::fs::read_dir(target.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(beside, ["app.bin"], "no partial file is left");

    // Again: the file there has that sha256 already, so it is left as it is.
    let again =
        push(&server, json!({"hosts": ["game-1"], "path": path, "sha256": sha256(&content), "mode": "640"})).await;
    assert_eq!(again["status"], "succeeded", "{again}");
    assert!(again["output"]["result"]["hosts"][0]["output"].as_str().unwrap().contains("already in place"), "{again}");

    // A symbolic link at the destination is replaced by the file, never followed.
    let elsewhere = dir.path().join("game-1/elsewhere.txt");
    std::fs::write(&elsewhere, b"not to be touched").unwrap();
    let link = dir.path().join("game-1/releases/link.bin");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let linked =
        push(&server, json!({"hosts": ["game-1"], "path": link.display().to_string(), "sha256": "", "mode": "644"}))
            .await;
    assert_eq!(linked["status"], "succeeded", "{linked}");
    assert!(std::fs::symlink_metadata(&link).unwrap().is_file(), "the link itself was replaced");
    assert_eq!(std::fs::read(&link).unwrap(), content);
    assert_eq!(std::fs::read(&elsewhere).unwrap(), b"not to be touched");
    // What is not a regular file is not replaced: a device, a directory.
    for (path, what) in
        [("/dev/null", "a device"), (dir.path().join("game-1/releases").display().to_string().as_str(), "a directory")]
    {
        let refused = push(&server, json!({"hosts": ["game-1"], "path": path, "sha256": "", "mode": "644"})).await;
        assert_eq!(refused["status"], "failed", "{what}: {refused}");
        assert!(refused["nodes"]["push"]["error"].to_string().contains("is not a regular file"), "{what}: {refused}");
    }

    // A host outside the grant is refused by name; nothing is placed there.
    let outside = dir.path().join("db-1/app.bin");
    let denied = push(
        &server,
        json!({"hosts": ["game-1", "db-1"], "path": outside.display().to_string(), "sha256": "", "mode": "644"}),
    )
    .await;
    assert_eq!(denied["status"], "failed");
    assert!(denied["nodes"]["push"]["error"].to_string().contains("host `db-1` is not granted"), "{denied}");
    assert!(!outside.exists());

    // A flow pinned to other content is refused: the file was replaced since it was tested.
    let pinned =
        push(&server, json!({"hosts": ["game-1"], "path": path, "sha256": sha256(b"old"), "mode": "644"})).await;
    assert_eq!(pinned["status"], "failed");
    assert!(pinned["nodes"]["push"]["error"].to_string().contains("not the"), "{pinned}");
    // Paths that are not absolute, or step up, and modes that are not permission bits are refused before anything starts.
    for (path, mode) in [("relative/app.bin", "644"), ("/tmp/../etc/app.bin", "644"), (path.as_str(), "999")] {
        let refused = push(&server, json!({"hosts": ["game-1"], "path": path, "sha256": "", "mode": mode})).await;
        assert_eq!(refused["status"], "failed", "{path} {mode}: {refused}");
    }
    assert_eq!(std::fs::read(&target).unwrap(), content, "the placed file was not touched");

    // The content goes only to the agent a running job sent it to.
    let jobs_file = |job: &str| format!("{}/api/v1/agents/jobs/{job}/file", server.base);
    let job = placed["output"]["result"]["job"].as_str().unwrap().to_string();
    assert_eq!(fetch(&jobs_file(&job), None).await.0, 401);
    assert_eq!(fetch(&jobs_file(&job), Some("not-a-credential")).await.0, 401);
    assert_eq!(fetch(&jobs_file(&job), Some(&credential(&dir, "db-1"))).await.0, 404, "another host's agent");
    assert_eq!(fetch(&jobs_file(&job), Some(&credential(&dir, "game-1"))).await.0, 404, "the job has ended");
    assert_eq!(fetch(&jobs_file(&job), Some(ADMIN)).await.0, 401, "a user's token is not an agent's");
}

/// An agent too old to know `place` tasks (here, a connection that says
/// hello and then ignores what it is sent) does not hold the step forever:
/// once the job's timeout and the grace after it have passed, its host
/// fails, saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_whose_agent_never_reports_fails_once_the_jobs_timeout_and_a_grace_have_passed() {
    let server = serve("files-silent");
    let token = enrolment_token(&server, "default").await;
    let _old = super::jobs::silent_agent(&server, &token, "old-1").await;
    until_connected(&server, "default", &[("old-1", true)]).await;
    let grants = json!({"hosts": {"*": ["pool=test"]}});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    assert_eq!(put_file(&server, "app.bin", b"never placed").await.0, 201);
    let flows = "/api/v1/tenants/default/flows";
    let flow = pushing_within("push-quick", 1_000);
    assert_eq!(server.admin("PUT", &format!("{flows}/push-quick/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{flows}/push-quick/versions"), None).await.status, 201);

    let input = json!({"hosts": ["old-1"], "path": "/tmp/scena-never-placed", "sha256": "", "mode": "644"});
    let ended = push_with(&server, "push-quick", input).await;
    assert_eq!(ended["status"], "failed", "{ended}");
    let error = ended["nodes"]["push"]["error"].to_string();
    assert!(error.contains("old-1 (failed"), "{error}");
    assert!(error.contains("no outcome came from the host's agent within the job's timeout (1000 ms)"), "{error}");
    assert!(!server.log().contains("panicked"), "{}", server.log());
}
