//! `deploy/`: the container image and the compose file, checked against the
//! binary. The image runs `scena` with its default command; the compose
//! file, rendered as `docker compose config` renders it, starts each node's
//! command line and environment as written — two nodes of one cluster on
//! PostgreSQL (here a scratch schema of the local one, listening on loopback)
//! that serve one cluster.

use serde_json::{Value, json};
use std::collections::BTreeMap;

use crate::support::TempDir;
use crate::support::cluster::{CLUSTER_KEY, Cluster};
use crate::support::repo_root;
use crate::support::server::{ADMIN, serve_node};

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `${NAME}`, `${NAME:-default}` and `${NAME:?message}` in `text` replaced
/// as compose replaces them; an unset `:?` variable is compose's error.
fn render(text: &str, vars: &BTreeMap<&str, &str>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').ok_or_else(|| format!("unclosed `${{` in {text}"))? + start;
        let inner = &rest[start + 2..end];
        let (name, rule) = match inner.find(':') {
            Some(colon) => (&inner[..colon], &inner[colon..]),
            None => (inner, ""),
        };
        let value = vars.get(name).copied().filter(|v| !v.is_empty());
        match (value, rule.get(..2)) {
            (Some(value), _) => out.push_str(value),
            (None, Some(":-")) => out.push_str(&rule[2..]),
            (None, Some(":?")) => return Err(format!("required variable {name} is missing a value: {}", &rule[2..])),
            (None, _) => {}
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The exec-form (JSON array) arguments of a Dockerfile's `instruction`.
fn exec_form(dockerfile: &str, instruction: &str) -> Vec<String> {
    let line = dockerfile
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{instruction} ")))
        .unwrap_or_else(|| panic!("the Dockerfile has no {instruction}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{instruction} is not in exec form: {e}"))
}

#[test]
fn the_image_runs_the_binary_serving_on_every_address_with_its_data_in_a_volume() {
    let dockerfile = read("deploy/container/Dockerfile");
    assert_eq!(exec_form(&dockerfile, "ENTRYPOINT"), ["scena"]);
    assert_eq!(exec_form(&dockerfile, "CMD"), ["serve", "--listen", "0.0.0.0:8080"]);
    for line in ["EXPOSE 8080", "ENV SCENA_DATA_DIR=/var/lib/scena", "VOLUME /var/lib/scena", "USER scena"] {
        assert!(dockerfile.lines().any(|l| l == line), "the Dockerfile lacks `{line}`");
    }
    // What the build runs is what the repository builds with.
    assert!(dockerfile.contains("cargo xtask guests && cargo xtask studio && cargo build --release --locked -p scena"));
    let ignored = read(".dockerignore");
    assert!(ignored.lines().any(|l| l == "target"), "the build context leaves out target/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compose_files_nodes_start_as_written_and_serve_one_cluster() {
    let compose: Value = serde_norway::from_str(&read("deploy/compose.yaml")).unwrap();
    let services = compose["services"].as_object().unwrap();
    let database = &services["postgres"]["environment"];
    let nodes: Vec<(&String, &Value)> = services.iter().filter(|(_, s)| s.get("build").is_some()).collect();
    assert_eq!(nodes.len(), 2, "two scena nodes");

    let unset = BTreeMap::new();
    let vars =
        BTreeMap::from([("POSTGRES_PASSWORD", "pw1"), ("SCENA_SECRET_KEY", CLUSTER_KEY), ("SCENA_ADMIN_TOKEN", ADMIN)]);
    // A scratch schema and no nodes yet: they are the compose file's.
    let mut cluster = Cluster::start_with("deploy", 0, "5s", &[], &[]);
    for (name, service) in &nodes {
        let build = &service["build"];
        assert_eq!(build["context"], "..", "{name} builds from the repository's root");
        let dockerfile = build["dockerfile"].as_str().unwrap();
        assert!(repo_root().join(dockerfile).is_file(), "{name}: {dockerfile} is there");

        let environment = service["environment"].as_object().unwrap();
        // Compose stops on a secret left unset, saying which.
        for secret in ["SCENA_SECRET_KEY", "SCENA_ADMIN_TOKEN"] {
            let refused = render(environment[secret].as_str().unwrap(), &unset).unwrap_err();
            assert!(refused.contains(secret), "{refused}");
        }
        let env: Vec<(String, String)> =
            environment.iter().map(|(k, v)| (k.clone(), render(v.as_str().unwrap(), &vars).unwrap())).collect();
        let database_url = &env.iter().find(|(k, _)| k == "SCENA_DB").unwrap().1;
        let (user, db) = (database["POSTGRES_USER"].as_str().unwrap(), database["POSTGRES_DB"].as_str().unwrap());
        assert_eq!(
            database_url,
            &format!("postgres://{user}:pw1@postgres:5432/{db}"),
            "{name} uses the postgres service"
        );

        // Its command as written, listening on loopback here, on the test's database.
        let mut args: Vec<String> =
            service["command"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
        let listen = args.iter().position(|a| a == "0.0.0.0:8080").expect("the node listens on every address");
        args[listen] = "127.0.0.1:0".into();
        let dir = TempDir::new(&format!("deploy-{name}"));
        cluster.nodes.push(serve_node(dir, args, &cluster.database_url(), env));
    }

    for node in &cluster.nodes {
        let ready = node.admin("GET", "/readyz", None).await;
        assert_eq!(ready.status, 200, "{}", ready.body);
    }
    // One cluster: a flow published through the first node runs through the second.
    let flow = json!({"name": "hello", "nodes": [{"id": "start", "kind": "start"},
        {"id": "say", "kind": "step", "plugin": "echo", "input": {"text": "hi"}},
        {"id": "end", "kind": "end", "output": "${steps.say.output}"}],
        "edges": [{"from": "start", "to": "say"}, {"from": "say", "to": "end"}]});
    let (first, second) = (&cluster.nodes[0], &cluster.nodes[1]);
    assert_eq!(first.admin("PUT", "/api/v1/tenants/default/flows/hello/draft", Some(flow)).await.status, 200);
    assert_eq!(first.admin("POST", "/api/v1/tenants/default/flows/hello/versions", None).await.status, 201);
    let run = second
        .admin("POST", "/api/v1/tenants/default/flows/hello/runs?wait_ms=30000", Some(json!({"input": {}})))
        .await;
    assert_eq!(run.body["status"], "succeeded", "{}", run.body);
    assert_eq!(run.body["output"], json!({"text": "hi"}), "{}", run.body);
    // Each node published the samples it carries, once between them.
    let listed = second.admin("GET", "/api/v1/tenants/default/flows", None).await.body;
    let names: Vec<&str> = listed["flows"].as_array().unwrap().iter().filter_map(|f| f["name"].as_str()).collect();
    assert!(names.contains(&"mass-stop") && names.contains(&"hello"), "{names:?}");
}
