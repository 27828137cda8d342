//! Jobs on hosts through real `scena agent` processes: enrolment, one
//! outbound connection each, scripts run by the agents serving the hosts,
//! only on hosts granted to the plugin; a revoked agent is cut off at once;
//! another tenant's hosts are out of reach.

use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::support::TempDir;
use crate::support::server::{Server, serve, serve_with};

/// A `scena agent` process, stopped when dropped.
pub(crate) struct Agent(pub(crate) Child);

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) async fn enrolment_token(server: &Server, tenant: &str) -> String {
    let made = server
        .admin(
            "POST",
            &format!("/api/v1/tenants/{tenant}/agents/enrolments"),
            Some(json!({"labels": {"pool": "test"}})),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    made.body["token"].as_str().unwrap().to_string()
}

/// Agent `id`, working in `dir/id` (where its scripts run) and keeping its state below it.
pub(super) fn start_agent(server: &Server, dir: &TempDir, token: &str, id: &str, labels: &str) -> Agent {
    start_agent_at(&server.base, dir, token, id, labels)
}

/// As [`start_agent`], connecting to the server at `base`.
pub(crate) fn start_agent_at(base: &str, dir: &TempDir, token: &str, id: &str, labels: &str) -> Agent {
    let home = dir.path().join(id);
    std::fs::create_dir_all(&home).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_scena"))
        .args(["agent", "--server", base, "--token", token, "--id", id, "--labels", labels])
        .arg("--state-dir")
        .arg(home.join("state"))
        .current_dir(&home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Agent(child)
}

/// Agent `game-1` (zone `eu-1`) connected to `server` and its zone granted
/// to every plugin: the enrolment token (to start it again) and the agent.
async fn one_agent(server: &Server, dir: &TempDir) -> (String, Agent) {
    let token = enrolment_token(server, "default").await;
    let agent = start_agent(server, dir, &token, "game-1", "zone=eu-1");
    until_connected(server, "default", &[("game-1", true)]).await;
    let grants = json!({"hosts": {"*": ["zone=eu-1"]}});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    (token, agent)
}

/// Wait (bounded) until the tenant's agents' connected flags are as wanted.
pub(crate) async fn until_connected(server: &Server, tenant: &str, wanted: &[(&str, bool)]) {
    for _ in 0..400 {
        let listed = server.admin("GET", &format!("/api/v1/tenants/{tenant}/agents"), None).await.body;
        let ok = wanted.iter().all(|(id, connected)| {
            listed["agents"].as_array().unwrap().iter().any(|a| a["id"] == *id && a["connected"] == *connected)
        });
        if ok {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("agents of {tenant} never reached {wanted:?}");
}

pub(super) fn scripted(name: &str, hosts: Value, script: &str) -> Value {
    json!({"name": name,
      "nodes": [{"id": "start", "kind": "start"},
                {"id": "find", "kind": "step", "plugin": "find-hosts", "input": {"selector": "zone=eu-1"}},
                {"id": "script", "kind": "step", "plugin": "run-script",
                 "input": {"hosts": hosts, "script": script, "timeout_ms": 20000, "poll_ms": 100}},
                {"id": "end", "kind": "end", "output": {"result": "${steps.script.output}"}}],
      "edges": [{"from": "start", "to": "find"}, {"from": "find", "to": "script"}, {"from": "script", "to": "end"}]})
}

async fn run(server: &Server, tenant: &str, flow: Value) -> Value {
    let name = flow["name"].as_str().unwrap().to_string();
    let flows = format!("/api/v1/tenants/{tenant}/flows");
    assert_eq!(server.admin("PUT", &format!("{flows}/{name}/draft"), Some(flow)).await.status, 200);
    let published = server.admin("POST", &format!("{flows}/{name}/versions"), None).await;
    assert!(matches!(published.status, 200 | 201), "{}", published.body);
    let started = server.admin("POST", &format!("{flows}/{name}/runs?wait_ms=0"), Some(json!({"input": {}}))).await;
    let run_path = format!("/api/v1/tenants/{tenant}/runs/{}", started.body["id"].as_str().unwrap());
    for _ in 0..600 {
        let run = server.admin("GET", &run_path, None).await.body;
        if ["succeeded", "failed", "cancelled"].contains(&run["status"].as_str().unwrap_or("")) {
            return run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the run did not end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripts_run_on_granted_hosts_through_their_agents() {
    let server = serve("jobs-agents");
    let dir = TempDir::new("jobs-agents");
    let token = enrolment_token(&server, "default").await;
    let _a1 = start_agent(&server, &dir, &token, "game-1", "zone=eu-1,role=game");
    let _a2 = start_agent(&server, &dir, &token, "game-2", "zone=eu-1,role=game");
    let _a3 = start_agent(&server, &dir, &token, "db-1", "zone=eu-2,role=db");
    until_connected(&server, "default", &[("game-1", true), ("game-2", true), ("db-1", true)]).await;
    // Enrolment put the hosts in the inventory, served by their agents, with the token's labels too.
    let host = server.admin("GET", "/api/v1/tenants/default/hosts/game-1", None).await.body;
    assert_eq!(
        (&host["agent"], &host["labels"]["pool"], &host["labels"]["zone"]),
        (&json!("game-1"), &json!("test"), &json!("eu-1"))
    );

    let grants = json!({"hosts": {"*": ["zone=eu-1"]}});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    let done = run(
        &server,
        "default",
        scripted("hello", json!("${steps.find.output.ids}"), "echo hello from $0; echo to-stderr >&2"),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let result = &done["output"]["result"];
    assert_eq!((&result["succeeded"], &result["failed"]), (&json!(2), &json!(0)), "{result}");
    for host in result["hosts"].as_array().unwrap() {
        assert!(host["output"].as_str().unwrap().contains("hello from sh"), "{host}");
        assert!(host["output"].as_str().unwrap().contains("to-stderr"), "{host}");
    }

    // A failing script fails the step, naming the hosts and exit codes.
    let failed = run(&server, "default", scripted("exit3", json!("${steps.find.output.ids}"), "exit 3")).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    let error = failed["nodes"]["script"]["error"].to_string();
    assert!(error.contains("game-1 (failed, exit 3)") && error.contains("game-2"), "{error}");

    // A host outside the grant is refused by name, and nothing runs on it.
    let marker = dir.path().join("db-touched");
    let script = format!("touch {}", marker.display());
    let denied = run(&server, "default", scripted("outside", json!(["game-1", "db-1"]), &script)).await;
    assert_eq!(denied["status"], "failed");
    assert!(denied["nodes"]["script"]["error"].to_string().contains("host `db-1` is not granted"), "{denied}");
    assert!(!marker.exists(), "the job never started");

    // An instant to start at that is not one is refused before anything is sent.
    let mut at_noon = scripted("at-noon", json!("${steps.find.output.ids}"), &script);
    at_noon["nodes"][2]["input"]["at"] = json!("noon");
    let refused = run(&server, "default", at_noon).await;
    assert_eq!(refused["status"], "failed");
    assert!(refused["nodes"]["script"]["error"].to_string().contains("`noon` is not an RFC 3339 instant"), "{refused}");
    assert!(!marker.exists(), "nothing ran");

    // Revoking an agent cuts it off at once: a job for its host fails, saying why.
    assert_eq!(server.admin("DELETE", "/api/v1/tenants/default/agents/game-2", None).await.status, 204);
    until_connected(&server, "default", &[("game-2", false), ("game-1", true)]).await;
    let cut = run(&server, "default", scripted("after-revoke", json!(["game-2"]), "true")).await;
    assert_eq!(cut["status"], "failed");
    assert!(cut["nodes"]["script"]["error"].to_string().contains("game-2"), "{cut}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenants_agent_and_hosts_are_out_of_reach() {
    let server = serve("jobs-tenants");
    let dir = TempDir::new("jobs-tenants");
    assert_eq!(server.admin("POST", "/api/v1/tenants", Some(json!({"name": "blue"}))).await.status, 201);
    let blue_token = enrolment_token(&server, "blue").await;
    let _blue = start_agent(&server, &dir, &blue_token, "blue-1", "zone=eu-1");
    until_connected(&server, "blue", &[("blue-1", true)]).await;
    // Tenant default grants everything in eu-1, yet blue's host is not in its inventory.
    let grants = json!({"hosts": {"*": ["zone=eu-1"]}});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    assert_eq!(server.admin("GET", "/api/v1/tenants/default/hosts/blue-1", None).await.status, 404);
    let marker = dir.path().join("blue-touched");
    let refused =
        run(&server, "default", scripted("cross", json!(["blue-1"]), &format!("touch {}", marker.display()))).await;
    assert_eq!(refused["status"], "failed");
    assert!(refused["nodes"]["script"]["error"].to_string().contains("host `blue-1` is not granted"), "{refused}");
    assert!(!marker.exists());
    // A bad or revoked enrolment token enrols nothing.
    let enrol = |token: &str| json!({"token": token, "id": "x1", "hostname": "x1", "ip": "10.0.0.9"}).to_string();
    assert_eq!(server.call("POST", "/api/v1/agents/enrol", None, Some(enrol("scena_nope"))).await.status, 401);
    let listed = server.admin("GET", "/api/v1/tenants/blue/agents/enrolments", None).await.body;
    let id = listed["enrolments"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(server.admin("DELETE", &format!("/api/v1/tenants/blue/agents/enrolments/{id}"), None).await.status, 204);
    assert_eq!(server.call("POST", "/api/v1/agents/enrol", None, Some(enrol(&blue_token))).await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_killed_mid_job_fails_its_hosts_and_nothing_waits_forever() {
    let server = serve_with("jobs-lost", &["echo"], &["--agent-lost-after", "1s"]);
    let dir = TempDir::new("jobs-lost");
    let (_, mut agent) = one_agent(&server, &dir).await;

    let flows = "/api/v1/tenants/default/flows";
    let flow = scripted("long", json!("${steps.find.output.ids}"), "echo started; sleep 30");
    assert_eq!(server.admin("PUT", &format!("{flows}/long/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{flows}/long/versions"), None).await.status, 201);
    let started = server.admin("POST", &format!("{flows}/long/runs?wait_ms=0"), Some(json!({"input": {}}))).await;
    let run_path = format!("/api/v1/tenants/default/runs/{}", started.body["id"].as_str().unwrap());
    // Once the script runs, the agent dies.
    for _ in 0..400 {
        let run = server.admin("GET", &run_path, None).await.body;
        if run["nodes"]["script"]["status"] == "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = agent.0.kill();
    let _ = agent.0.wait();
    let ended = super::wait_until_over(&server, &run_path).await;
    assert_eq!(ended["status"], "failed", "{ended}");
    let error = ended["nodes"]["script"]["error"].to_string();
    assert!(error.contains("game-1 (failed"), "{error}");
}

/// Whether process `pid` runs (a zombie no one reaped yet does not).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit(')').next().and_then(|rest| rest.split_whitespace().next()) != Some("Z"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_started_again_stops_what_its_scripts_left_running_when_it_was_killed() {
    let server = serve_with("jobs-leftovers", &["echo"], &["--agent-lost-after", "1s"]);
    let dir = TempDir::new("jobs-leftovers");
    let (token, mut agent) = one_agent(&server, &dir).await;
    let pid_file = dir.path().join("game-1/leftover.pid");
    let flow = scripted("leftover", json!("${steps.find.output.ids}"), "sleep 120 & echo $! > leftover.pid; wait");
    let flows = "/api/v1/tenants/default/flows";
    assert_eq!(server.admin("PUT", &format!("{flows}/leftover/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{flows}/leftover/versions"), None).await.status, 201);
    let started = server.admin("POST", &format!("{flows}/leftover/runs?wait_ms=0"), Some(json!({"input": {}}))).await;
    let run_path = format!("/api/v1/tenants/default/runs/{}", started.body["id"].as_str().unwrap());
    let mut pid = None;
    for _ in 0..400 {
        pid = std::fs::read_to_string(&pid_file).ok().and_then(|text| text.trim().parse::<u32>().ok());
        if pid.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let pid = pid.expect("the script started its child");
    // Killed outright: nothing of the agent is left to stop its script.
    let _ = agent.0.kill();
    let _ = agent.0.wait();
    let ended = super::wait_until_over(&server, &run_path).await;
    assert_eq!(ended["status"], "failed", "{ended}");
    assert!(alive(pid), "the script's child outlived its agent");

    let _again = start_agent(&server, &dir, &token, "game-1", "zone=eu-1");
    until_connected(&server, "default", &[("game-1", true)]).await;
    // One agent per state dir: a second one would take the first one's scripts for a dead agent's.
    let second = Command::new(env!("CARGO_BIN_EXE_scena"))
        .args(["agent", "--server", &server.base, "--state-dir"])
        .arg(dir.path().join("game-1/state"))
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(1), "{second:?}");
    assert!(String::from_utf8_lossy(&second.stderr).contains("another scena agent is running"), "{second:?}");
    for _ in 0..200 {
        if !alive(pid) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("process {pid}, left running by the killed agent's script, survived its restart");
}

/// `deploy/systemd/scena-agent.service`'s command line, with the paths of
/// this test: the built binary, `state` for the state dir, and the settings
/// it reads from its environment file.
fn unit_command(server: &Server, state: &std::path::Path, token: &str) -> Command {
    let unit = std::fs::read_to_string(crate::support::repo_root().join("deploy/systemd/scena-agent.service")).unwrap();
    let exec = unit.lines().find_map(|line| line.strip_prefix("ExecStart=")).expect("the unit has an ExecStart");
    let words: Vec<String> = exec
        .split_whitespace()
        .map(|word| match word {
            "/usr/local/bin/scena" => env!("CARGO_BIN_EXE_scena").to_string(),
            "/var/lib/scena-agent" => state.display().to_string(),
            "${SCENA_SERVER}" => server.base.clone(),
            "${SCENA_AGENT_LABELS}" => "zone=eu-1,role=svc".to_string(),
            other => other.to_string(),
        })
        .collect();
    let mut command = Command::new(&words[0]);
    command.args(&words[1..]).env("SCENA_ENROLMENT_TOKEN", token).stdout(Stdio::null()).stderr(Stdio::piped());
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_as_its_systemd_unit_runs_it_keeps_its_credential_and_exits_3_once_revoked() {
    let server = serve("jobs-unit");
    let dir = TempDir::new("jobs-unit");
    let state = dir.path().join("state");
    let token = enrolment_token(&server, "default").await;

    // A bad token: the agent is not admitted, and says so with exit code 3 (no restart loop).
    let refused = unit_command(&server, &dir.path().join("other"), "scena_not_a_token").output().unwrap();
    assert_eq!(refused.status.code(), Some(3), "{}", String::from_utf8_lossy(&refused.stderr));

    let first = Agent(unit_command(&server, &state, &token).spawn().unwrap());
    let host = hostname();
    until_connected(&server, "default", &[(host.as_str(), true)]).await;
    let enrolled = server.admin("GET", "/api/v1/tenants/default/agents", None).await.body;
    let credential = std::fs::read_to_string(state.join("agent.json")).unwrap();
    drop(first);
    until_connected(&server, "default", &[(host.as_str(), false)]).await;

    // A restart with the token still in its settings uses the credential: no second enrolment.
    let mut second = unit_command(&server, &state, &token).spawn().unwrap();
    until_connected(&server, "default", &[(host.as_str(), true)]).await;
    assert_eq!(std::fs::read_to_string(state.join("agent.json")).unwrap(), credential);
    let listed = server.admin("GET", "/api/v1/tenants/default/agents", None).await.body;
    assert_eq!(listed["agents"][0]["enrolled_at"], enrolled["agents"][0]["enrolled_at"], "{listed}");

    // Revoked: cut off, refused on reconnecting, and the process ends with 3.
    assert_eq!(server.admin("DELETE", &format!("/api/v1/tenants/default/agents/{host}"), None).await.status, 204);
    for _ in 0..400 {
        if let Some(status) = second.try_wait().unwrap() {
            assert_eq!(status.code(), Some(3));
            let mut said = String::new();
            std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut said).unwrap();
            assert!(said.contains("refused this agent's credential"), "{said}");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = second.kill();
    panic!("the revoked agent did not exit");
}

/// The host name the agent takes for its id when none is given.
fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_script_prints_reaches_its_steps_log_and_events_while_it_runs() {
    let server = serve("jobs-live");
    let dir = TempDir::new("jobs-live");
    let (_, _agent) = one_agent(&server, &dir).await;

    // The script prints two lines, then waits for the test to let it finish.
    let go = dir.path().join("go");
    let script =
        format!("echo first line; echo 第二行; while [ ! -f {} ]; do sleep 0.1; done; echo last line", go.display());
    let flows = "/api/v1/tenants/default/flows";
    let flow = scripted("live", json!(["game-1"]), &script);
    assert_eq!(server.admin("PUT", &format!("{flows}/live/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{flows}/live/versions"), None).await.status, 201);
    let started = server.admin("POST", &format!("{flows}/live/runs?wait_ms=0"), Some(json!({"input": {}}))).await;
    let run_id = started.body["id"].as_str().unwrap().to_string();
    let run_path = format!("/api/v1/tenants/default/runs/{run_id}");
    let mut seen = Vec::new();
    for _ in 0..400 {
        seen = job_lines(&server.admin("GET", &format!("{run_path}/logs?node=script"), None).await.body);
        if seen.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(seen, ["game-1: first line", "game-1: 第二行"], "printed lines, before the script ends");
    let running = server.admin("GET", &run_path, None).await.body;
    assert!(running["nodes"]["script"]["ended_at"].is_null(), "the step has not ended: {running}");

    std::fs::write(&go, "").unwrap();
    let ended = super::wait_until_over(&server, &run_path).await;
    assert_eq!(ended["status"], "succeeded", "{ended}");
    let all = job_lines(&server.admin("GET", &format!("{run_path}/logs?node=script&limit=200"), None).await.body);
    assert_eq!(all, ["game-1: first line", "game-1: 第二行", "game-1: last line"], "each line once");
    let events = server.events("default", &run_id).await;
    assert!(events.contains("game-1: first line") && events.contains("game-1: last line"), "{events}");
}

/// The lines a step logged from its hosts' scripts (source `job`), in the
/// order of a `…/logs` answer.
pub(crate) fn job_lines(logs: &Value) -> Vec<String> {
    logs["entries"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|entry| entry["logs"].as_array().unwrap().clone())
        .filter(|line| line["source"] == "job")
        .map(|line| line["message"].as_str().unwrap().to_string())
        .collect()
}

/// Publish `flow` in tenant `default` and start a run of it: the run's path.
pub(super) async fn start_run(server: &Server, flow: Value) -> String {
    let name = flow["name"].as_str().unwrap().to_string();
    let flows = "/api/v1/tenants/default/flows";
    assert_eq!(server.admin("PUT", &format!("{flows}/{name}/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{flows}/{name}/versions"), None).await.status, 201);
    let started = server.admin("POST", &format!("{flows}/{name}/runs?wait_ms=0"), Some(json!({"input": {}}))).await;
    assert_eq!(started.status, 202, "{}", started.body);
    format!("/api/v1/tenants/default/runs/{}", started.body["id"].as_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_job_comes_back_and_its_run_ends_on_the_scripts_one_outcome() {
    let mut server = serve("jobs-restart");
    let dir = TempDir::new("jobs-restart");
    let (_, _agent) = one_agent(&server, &dir).await;
    let script = "echo started >> ran.log; sleep 3; echo ended >> ran.log";
    let run_path = start_run(&server, scripted("restarted", json!("${steps.find.output.ids}"), script)).await;
    let ran = dir.path().join("game-1").join("ran.log");
    for _ in 0..400 {
        if std::fs::read_to_string(&ran).is_ok_and(|text| text.contains("started")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // The script runs on while the server is down; its outcome waits in the agent.
    server.restart_in_place();
    let ended = super::wait_until_over(&server, &run_path).await;
    assert_eq!(ended["status"], "succeeded", "{ended}");
    let result = &ended["output"]["result"];
    assert_eq!((&result["succeeded"], &result["failed"]), (&json!(1), &json!(0)), "{result}");
    assert_eq!(std::fs::read_to_string(&ran).unwrap(), "started\nended\n", "the script ran once");
}

/// The most memory the process `pid` has held, in KiB (`VmHWM`).
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_printing_100_mib_keeps_its_last_64_kib_and_the_agent_stays_small() {
    let server = serve("jobs-flood");
    let dir = TempDir::new("jobs-flood");
    let (_, agent) = one_agent(&server, &dir).await;
    // 50 MiB in lines, then 50 MiB in one line with no end, then a last line.
    let script =
        "yes 0123456789abcdef | head -c 52428800; head -c 52428800 /dev/zero | tr '\\0' x; echo; echo last-line";
    // On a loaded two-core machine the flood can take tens of seconds: a long
    // deadline, and looks few enough that one page of logs holds them all.
    let mut flow = scripted("flood", json!("${steps.find.output.ids}"), script);
    flow["nodes"][2]["input"]["timeout_ms"] = json!(90_000);
    flow["nodes"][2]["input"]["poll_ms"] = json!(500);
    let run_path = start_run(&server, flow).await;
    let ended = super::wait_until_over_within(&server, &run_path, 2400).await;
    assert_eq!(ended["status"], "succeeded", "{ended}");
    let output = ended["output"]["result"]["hosts"][0]["output"].as_str().unwrap().to_string();
    assert!(output.len() <= 64 << 10, "the tail is at most 64 KiB: {} bytes", output.len());
    assert!(output.ends_with("last-line\n"), "the tail is the end: {:?}", &output[output.len().saturating_sub(40)..]);
    // Each look of the step took at most the 16 KiB the server keeps per host; the rest is counted, not shown.
    let logs = server.admin("GET", &format!("{run_path}/logs?node=script&limit=200"), None).await.body;
    let entries = logs["entries"].as_array().unwrap();
    assert!(logs["next"].is_null() && !entries.is_empty(), "{logs}");
    let mut noted = false;
    for entry in entries {
        let lines = entry["logs"].as_array().unwrap();
        let shown: usize = lines.iter().map(|l| l["message"].as_str().unwrap().len()).sum();
        assert!(shown <= (16 << 10) + 4096, "one look's log is bounded: {shown} bytes");
        noted |= lines.iter().any(|l| l["message"].as_str().unwrap().contains("bytes of output not shown"));
    }
    assert!(noted, "what did not fit is counted in a line of its own");
    let peak = peak_kib(agent.0.id());
    assert!(peak < 96 << 10, "the agent never held the flood: its peak was {peak} KiB");
    assert_eq!(server.admin("GET", "/healthz", None).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_restarted_mid_job_fails_the_job_it_lost_at_once() {
    // The grace period for agents that stay away is long: the restarted one comes back well within it.
    let server = serve_with("jobs-agent-restart", &["echo"], &["--agent-lost-after", "1h"]);
    let dir = TempDir::new("jobs-agent-restart");
    let (token, mut agent) = one_agent(&server, &dir).await;
    let script = "echo started >> ran.log; sleep 15";
    let run_path = start_run(&server, scripted("lost", json!("${steps.find.output.ids}"), script)).await;
    let ran = dir.path().join("game-1").join("ran.log");
    for _ in 0..400 {
        if ran.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(ran.exists(), "the script started before its agent was killed");
    let _ = agent.0.kill();
    let _ = agent.0.wait();
    let _again = start_agent(&server, &dir, &token, "game-1", "zone=eu-1");
    let ended = super::wait_until_over(&server, &run_path).await;
    assert_eq!(ended["status"], "failed", "{ended}");
    let error = ended["nodes"]["script"]["error"].to_string();
    assert!(error.contains("game-1 (failed") && error.contains("restarted"), "{error}");
}

type AgentSocket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Agent `id` enrolled with `token` and connected by hand, not yet having said what it holds.
async fn connect_by_hand(server: &Server, token: &str, id: &str) -> AgentSocket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let enrol = json!({"token": token, "id": id, "hostname": id, "ip": "127.0.0.1"});
    let enrolled = scena::tls::client().post(format!("{}/api/v1/agents/enrol", server.base)).json(&enrol).send().await;
    let enrolled: Value = enrolled.unwrap().json().await.unwrap();
    let credential = enrolled["credential"].as_str().unwrap();
    let mut request =
        format!("{}/api/v1/agents/connect", server.base.replacen("http", "ws", 1)).into_client_request().unwrap();
    request.headers_mut().insert("authorization", format!("Bearer {credential}").parse().unwrap());
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

/// Agent `id` as one too old for the tasks it is sent would be: it says
/// hello, then reads and ignores everything, and never reports.
pub(super) async fn silent_agent(server: &Server, token: &str, id: &str) -> tokio::task::JoinHandle<()> {
    use futures_util::{SinkExt, StreamExt};
    let mut socket = connect_by_hand(server, token, id).await;
    let hello = json!({"type": "holding", "jobs": []}).to_string();
    socket.send(tokio_tungstenite::tungstenite::Message::text(hello)).await.unwrap();
    tokio::spawn(async move { while let Some(Ok(_)) = socket.next().await {} })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_revoked_while_it_says_hello_is_cut_off_once_it_does() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let server = serve("jobs-hello");
    let token = enrolment_token(&server, "default").await;
    let mut socket = connect_by_hand(&server, &token, "hello-1").await;

    // Revoked while the connection has not said what it holds yet…
    assert_eq!(server.admin("DELETE", "/api/v1/tenants/default/agents/hello-1", None).await.status, 204);
    socket.send(Message::text(json!({"type": "holding", "jobs": []}).to_string())).await.unwrap();
    // …it is closed once it has, never taken into the hub.
    let closed = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the revoked agent's connection stayed open");
    until_connected(&server, "default", &[("hello-1", false)]).await;
}
