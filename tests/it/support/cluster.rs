//! Several `scena serve` nodes on one scratch PostgreSQL schema: a cluster.

use super::TempDir;
use super::plugin_dir;
use super::server::{Server, on_own_runtime, serve_node};

/// The sealing key every node of a test cluster shares (64 hex digits).
pub const CLUSTER_KEY: &str = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e";

pub struct Cluster {
    pub nodes: Vec<Server>,
    /// The database's URL and the scratch schema, dropped last.
    url: String,
    schema: String,
    scoped: String,
    label: String,
    /// The plugins every node serves, and the flags each is started with.
    plugins: Vec<String>,
    flags: Vec<String>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            let _ = node.child.kill();
            let _ = node.child.wait();
        }
        let (url, schema) = (self.url.clone(), self.schema.clone());
        let _ = on_own_runtime(async move { scena::store::drop_scratch_schema(&url, &schema).await });
    }
}

impl Cluster {
    /// `count` nodes named `n1`, `n2`, … with leases of `lease_ttl` (e.g. `1s`).
    pub fn start(label: &str, count: usize, lease_ttl: &str) -> Cluster {
        Cluster::start_with(label, count, lease_ttl, &["echo", "kv"], &[])
    }

    /// As [`Cluster::start`], each node serving `plugins` and started with `flags` too.
    pub fn start_with(label: &str, count: usize, lease_ttl: &str, plugins: &[&str], flags: &[&str]) -> Cluster {
        let url = scena::store::test_postgres_url().expect("a cluster needs PostgreSQL (SCENA_TEST_POSTGRES)");
        let (scoped, schema) = on_own_runtime({
            let url = url.clone();
            async move { scena::store::scratch_schema(&url).await }
        })
        .unwrap_or_else(|e| panic!("cannot make a PostgreSQL schema for the cluster: {e:#}"));
        let mut cluster = Cluster {
            nodes: Vec::new(),
            url,
            schema,
            scoped,
            label: label.to_string(),
            plugins: plugins.iter().map(|p| p.to_string()).collect(),
            flags: flags.iter().map(|f| f.to_string()).collect(),
        };
        for n in 1..=count {
            let node = cluster.node(&format!("n{n}"), lease_ttl, CLUSTER_KEY);
            cluster.nodes.push(node);
        }
        cluster
    }

    /// The URL the nodes use (its connections work in the cluster's schema).
    pub fn database_url(&self) -> String {
        self.scoped.clone()
    }

    /// Start one more node process (not added to `nodes`) with its own data dir.
    pub fn node(&self, id: &str, lease_ttl: &str, key: &str) -> Server {
        let dir = TempDir::new(&format!("{}-{id}", self.label));
        let mut args: Vec<String> =
            ["serve", "--listen", "127.0.0.1:0", "--no-samples", "--plugins"].map(String::from).into();
        let plugins: Vec<&str> = self.plugins.iter().map(String::as_str).collect();
        args.push(plugin_dir(&dir, &plugins));
        args.extend(["--node-id", id, "--lease-ttl", lease_ttl].map(String::from));
        args.extend(self.flags.iter().cloned());
        serve_node(dir, args, &self.scoped, vec![("SCENA_SECRET_KEY".into(), key.into())])
    }

    /// Make the database refuse (`true`) or accept again (`false`) every
    /// write to the runs' logs and leases — what a failing disk or a
    /// database at its limits does — while the nodes' heartbeats go on.
    pub fn refuse_run_writes(&self, refuse: bool) {
        let url = self.scoped.clone();
        on_own_runtime(async move {
            use sqlx::{Connection as _, Executor as _};
            let mut conn = sqlx::PgConnection::connect(&url).await?;
            conn.execute(
                "CREATE TABLE IF NOT EXISTS injected_fault (on_purpose BOOLEAN);
                 CREATE OR REPLACE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                   IF EXISTS (SELECT 1 FROM injected_fault) THEN RAISE EXCEPTION 'injected fault: writes refused'; END IF;
                   RETURN COALESCE(NEW, OLD);
                 END $$;
                 DROP TRIGGER IF EXISTS refused_events ON run_events;
                 CREATE TRIGGER refused_events BEFORE INSERT ON run_events FOR EACH ROW EXECUTE FUNCTION injected_fault();
                 DROP TRIGGER IF EXISTS refused_leases ON run_leases;
                 CREATE TRIGGER refused_leases BEFORE UPDATE OR DELETE ON run_leases FOR EACH ROW EXECUTE FUNCTION injected_fault();",
            )
            .await?;
            let switch = if refuse { "INSERT INTO injected_fault VALUES (true)" } else { "DELETE FROM injected_fault" };
            conn.execute(switch).await?;
            Ok(conn.close().await?)
        })
        .unwrap_or_else(|e| panic!("cannot switch the injected fault: {e:#}"));
    }

    /// What a node started with `key` prints when it refuses to start.
    pub fn refused_node(&self, key: &str) -> String {
        let dir = TempDir::new(&format!("{}-refused", self.label));
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_scena"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--no-samples", "--node-id", "refused"])
            .env("SCENA_DATA_DIR", dir.path())
            .env("SCENA_DB", &self.scoped)
            .env("SCENA_SECRET_KEY", key);
        let out = command.output().unwrap();
        assert!(!out.status.success(), "the node started");
        String::from_utf8_lossy(&out.stderr).to_string()
    }
}

/// Stop (`STOP`) or continue (`CONT`) a node's process, as a frozen VM would.
pub fn signal(node: &Server, signal: &str) {
    let status = std::process::Command::new("kill").args([format!("-{signal}"), node.child.id().to_string()]).status();
    assert!(status.unwrap().success(), "kill -{signal} failed");
}
