//! A real `scena serve` process for the API tests, and a client for it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::{TempDir, plugin_dir};

pub const ADMIN: &str = "test-admin-token";

pub struct Server {
    pub child: Child,
    pub base: String,
    pub dir: TempDir,
    /// The PostgreSQL schema the server keeps its data in, if it uses PostgreSQL.
    postgres: Option<(String, String)>,
    /// How it was started, for [`Server::restart`].
    args: Vec<String>,
    database_url: Option<String>,
    /// `SCENA_LOG` for the process, if not the default.
    log_filter: Option<String>,
    /// More environment for the process (a cluster's shared sealing key).
    env: Vec<(String, String)>,
    /// What the process wrote to stderr after it started listening.
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some((url, schema)) = self.postgres.take() {
            on_own_runtime(async move { scena::store::drop_scratch_schema(&url, &schema).await }).unwrap();
        }
    }
}

/// With `SCENA_TEST_SERVER_DB=postgres` the servers of the API tests keep
/// their data in a scratch schema of the PostgreSQL database the store's
/// tests use, instead of SQLite in their data dir (`cargo xtask test` runs
/// the API tests both ways).
fn server_database() -> Option<(String, String, String)> {
    if std::env::var("SCENA_TEST_SERVER_DB").ok()? != "postgres" {
        return None;
    }
    let url = scena::store::test_postgres_url().expect("SCENA_TEST_SERVER_DB=postgres needs SCENA_TEST_POSTGRES");
    let (scoped, schema) = on_own_runtime({
        let url = url.clone();
        async move { scena::store::scratch_schema(&url).await }
    })
    .unwrap_or_else(|e| panic!("cannot make a PostgreSQL schema for the server: {e:#}"));
    Some((url, scoped, schema))
}

impl Server {
    /// Whether `needle` appears anywhere in what the server stored in its
    /// database: the SQLite files, or every row of its PostgreSQL schema.
    pub fn database_holds(&self, needle: &str) -> bool {
        let Some((url, schema)) = self.postgres.clone() else {
            return ["scena.db", "scena.db-wal"].iter().any(|file| {
                let bytes = std::fs::read(self.dir.path().join(file)).unwrap_or_default();
                bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            });
        };
        let needle = needle.to_string();
        on_own_runtime(async move {
            use sqlx::Connection as _;
            let mut conn = sqlx::PgConnection::connect(&url).await?;
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1")
                    .bind(&schema)
                    .fetch_all(&mut conn)
                    .await?;
            for table in tables {
                let sql = format!("SELECT COUNT(*) FROM {schema}.{table} t WHERE strpos(t::text, $1) > 0");
                let hits: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(&needle).fetch_one(&mut conn).await?;
                if hits > 0 {
                    return Ok(true);
                }
            }
            Ok(false)
        })
        .unwrap()
    }
}

/// Run `work` to completion on a runtime of its own, from sync code that may
/// itself be called inside a test's runtime.
pub fn on_own_runtime<T: Send + 'static>(
    work: impl std::future::Future<Output = anyhow::Result<T>> + Send + 'static,
) -> anyhow::Result<T> {
    std::thread::spawn(move || tokio::runtime::Runtime::new()?.block_on(work))
        .join()
        .expect("the database helper panicked")
}

/// Start `scena serve` on a free port and wait until it listens.
pub fn serve(label: &str) -> Server {
    serve_with(label, &["echo", "kv"], &[])
}

pub fn serve_with(label: &str, plugin_names: &[&str], extra: &[&str]) -> Server {
    serve_logging(label, plugin_names, extra, None)
}

/// As [`serve_with`], logging with the `SCENA_LOG` filter `log_filter`; read it with [`Server::log`].
pub fn serve_logging(label: &str, plugin_names: &[&str], extra: &[&str], log_filter: Option<&str>) -> Server {
    let dir = TempDir::new(label);
    let mut args: Vec<String> = ["serve", "--listen", "127.0.0.1:0", "--plugins"].map(String::from).into();
    args.push(plugin_dir(&dir, plugin_names));
    args.extend(extra.iter().map(|a| a.to_string()));
    // A test's tenant starts empty unless the test asks for the samples.
    if !extra.contains(&"--samples") {
        args.push("--no-samples".into());
    }
    serve_args(dir, args, log_filter)
}

/// `scena serve` as a person starts it: nothing but the address to listen on.
pub fn serve_bare(label: &str) -> Server {
    serve_args(TempDir::new(label), ["serve", "--listen", "127.0.0.1:0"].map(String::from).into(), None)
}

fn serve_args(dir: TempDir, args: Vec<String>, log_filter: Option<&str>) -> Server {
    let (postgres, database_url) = match server_database() {
        Some((url, scoped, schema)) => (Some((url, schema)), Some(scoped)),
        None => (None, None),
    };
    let log = Arc::new(Mutex::new(String::new()));
    let log_filter = log_filter.map(str::to_string);
    let (child, base) = start(&dir, &args, database_url.as_deref(), log_filter.as_deref(), &[], &log);
    Server { child, base, dir, postgres, args, database_url, log_filter, env: Vec::new(), log }
}

/// A node of a cluster: `scena serve` with `args` on the PostgreSQL database
/// at `database_url` (whose schema the cluster drops), with `env`.
pub fn serve_node(dir: TempDir, args: Vec<String>, database_url: &str, env: Vec<(String, String)>) -> Server {
    let log = Arc::new(Mutex::new(String::new()));
    let (child, base) = start(&dir, &args, Some(database_url), None, &env, &log);
    let database_url = Some(database_url.to_string());
    Server { child, base, dir, postgres: None, args, database_url, log_filter: None, env, log }
}

/// Start the server process and wait until it listens.
fn start(
    dir: &TempDir,
    args: &[String],
    database_url: Option<&str>,
    log_filter: Option<&str>,
    env: &[(String, String)],
    log: &Arc<Mutex<String>>,
) -> (Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scena"));
    command.args(args).env("SCENA_DATA_DIR", dir.path()).env("SCENA_ADMIN_TOKEN", ADMIN);
    command.env("SCENA_CACHE_DIR", super::compiled_cache());
    command.envs(env.iter().map(|(k, v)| (k, v)));
    if let Some(url) = database_url {
        command.env("SCENA_DB", url);
    }
    if let Some(filter) = log_filter {
        command.env("SCENA_LOG", filter);
    }
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    while let Some(line) = stderr.next() {
        let line = line.unwrap();
        if let Some(address) = line.split("listening on ").nth(1) {
            let expected = if database_url.is_some() { "database: PostgreSQL" } else { "database: SQLite" };
            assert!(line.contains(expected), "the server uses another database than the test meant: {line}");
            let log = log.clone();
            std::thread::spawn(move || {
                for line in stderr.map_while(Result::ok) {
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            });
            return (child, address.split_whitespace().next().unwrap().to_string());
        }
        seen.push(line);
    }
    // Its stderr closed: the process is ending; reap it before failing the test.
    let _ = child.wait();
    panic!("the server did not start: {seen:?}")
}

impl Server {
    /// Start a second server with this one's arguments and database, in
    /// `dir` (this one's data dir if `None`), expecting it to refuse to
    /// start: its exit status and stderr.
    pub fn second_server(&self, dir: Option<&TempDir>) -> (std::process::ExitStatus, String) {
        let dir = dir.unwrap_or(&self.dir);
        let mut command = Command::new(env!("CARGO_BIN_EXE_scena"));
        command.args(&self.args).env("SCENA_DATA_DIR", dir.path()).env("SCENA_ADMIN_TOKEN", ADMIN);
        command.env("SCENA_CACHE_DIR", super::compiled_cache());
        if let Some(url) = &self.database_url {
            command.env("SCENA_DB", url);
        }
        let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        for _ in 0..600 {
            if let Some(status) = child.try_wait().unwrap() {
                let mut stderr = String::new();
                std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
                return (status, stderr);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        panic!("the second server did not stop by itself");
    }

    /// Stop the server (as a crash would: SIGKILL) and start it again on the
    /// same data dir and database.
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, base) = start(
            &self.dir,
            &self.args,
            self.database_url.as_deref(),
            self.log_filter.as_deref(),
            &self.env,
            &self.log,
        );
        (self.child, self.base) = (child, base);
    }

    /// Kill the server, as a crash would, and start it again on the same data
    /// and the same address, so that agents reconnecting find it.
    pub fn restart_in_place(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let address = self.base.trim_start_matches("http://").to_string();
        let args: Vec<String> =
            self.args.iter().map(|a| if a == "127.0.0.1:0" { address.clone() } else { a.clone() }).collect();
        let (child, base) =
            start(&self.dir, &args, self.database_url.as_deref(), self.log_filter.as_deref(), &self.env, &self.log);
        assert_eq!(base, self.base, "the server came back on its address");
        self.child = child;
    }

    /// What the server has written to stderr since it started listening.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
}

impl Reply {
    fn empty(status: u16) -> Reply {
        Reply { status, body: Value::Null, retry_after: None }
    }
}

impl Server {
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<String>) -> Reply {
        let client = scena::tls::client();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = client.request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body.clone() {
            request = request.header("Content-Type", "application/json").body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
        let text = response.text().await.unwrap();
        let reply = if text.is_empty() && status == 204 {
            Reply::empty(status)
        } else {
            let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
            Reply { status, body, retry_after }
        };
        super::documented::check(&self.base, method.as_str(), path, body.as_deref(), status, &reply.body).await;
        reply
    }

    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.call(method, path, Some(ADMIN), body.map(|b| b.to_string())).await
    }
}

/// A concrete path for a route of the table.
pub fn concrete(path: &str, tenant: &str) -> String {
    path.replace("{tenant}", tenant)
        .replace("{name}", "f")
        .replace("{version}", "1")
        .replace("{id}", "r")
        .replace("{node}", "n")
        .replace("{action}", "cancel")
        .replace("{user}", "nobody")
        .replace("{plugin}", "p")
        .replace("{secret}", "S")
        .replace("{channel}", "c")
        .replace("{app}", "a")
        .replace("{file}", "f.txt")
}

impl Server {
    /// Create a user, make them a member of `tenant` with `role`, and log in.
    pub async fn member(&self, username: &str, tenant: &str, role: &str) -> String {
        let created =
            self.admin("POST", "/api/v1/users", Some(json!({"username": username, "password": "correct horse"}))).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let member = self
            .admin("PUT", &format!("/api/v1/tenants/{tenant}/members/{username}"), Some(json!({"role": role})))
            .await;
        assert_eq!(member.status, 200, "{}", member.body);
        self.login(username, "correct horse").await.unwrap()
    }

    /// An API token of `tenant` made by the holder of `maker`.
    pub async fn tenant_token(&self, maker: &str, tenant: &str, role: &str) -> String {
        let body = json!({"name": format!("{role} token"), "role": role}).to_string();
        let made = self.call("POST", &format!("/api/v1/tenants/{tenant}/tokens"), Some(maker), Some(body)).await;
        assert_eq!(made.status, 201, "{}", made.body);
        made.body["token"].as_str().unwrap().to_string()
    }

    /// Upload a component to `tenant` as the platform admin.
    pub async fn upload(&self, tenant: &str, bytes: Vec<u8>) -> Reply {
        let client = scena::tls::client();
        let response = client
            .post(format!("{}/api/v1/tenants/{tenant}/plugins", self.base))
            .header("Authorization", format!("Bearer {ADMIN}"))
            .header("Content-Type", "application/wasm")
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        Reply { status, body: serde_json::from_str(&response.text().await.unwrap()).unwrap(), retry_after: None }
    }

    pub async fn login(&self, username: &str, password: &str) -> Option<String> {
        let reply = self
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": password}).to_string()),
            )
            .await;
        (reply.status == 200).then(|| reply.body["token"].as_str().unwrap().to_string())
    }
}
