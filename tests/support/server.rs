//! A real `scena serve` process for the API tests, and a client for it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use super::{plugin_dir, TempDir};

pub const ADMIN: &str = "test-admin-token";

pub struct Server {
    pub child: Child,
    pub base: String,
    pub dir: TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `scena serve` on a free port and wait until it listens.
pub fn serve(label: &str) -> Server {
    serve_with(label, &["echo", "kv"], &[])
}

pub fn serve_with(label: &str, plugin_names: &[&str], extra: &[&str]) -> Server {
    let dir = TempDir::new(label);
    let plugins = plugin_dir(&dir, plugin_names);
    let mut child = Command::new(env!("CARGO_BIN_EXE_scena"))
        .args(["serve", "--listen", "127.0.0.1:0", "--plugins", &plugins])
        .args(extra)
        .env("SCENA_DATA_DIR", dir.path())
        .env("SCENA_ADMIN_TOKEN", ADMIN)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut base = None;
    let mut seen = Vec::new();
    for line in stderr.lines() {
        let line = line.unwrap();
        if let Some(address) = line.split("listening on ").nth(1) {
            base = Some(address.split_whitespace().next().unwrap().to_string());
            break;
        }
        seen.push(line);
    }
    let base = base.unwrap_or_else(|| panic!("the server did not start: {seen:?}"));
    Server { child, base, dir }
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    fn empty(status: u16) -> Reply {
        Reply { status, body: Value::Null }
    }
}

impl Server {
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<String>) -> Reply {
        let client = reqwest::Client::new();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request.header("Content-Type", "application/json").body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        if text.is_empty() && status == 204 {
            return Reply::empty(status);
        }
        let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        Reply { status, body }
    }

    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.call(method, path, Some(ADMIN), body.map(|b| b.to_string())).await
    }
}

/// A concrete path for a route of the table.
pub fn concrete(path: &str, tenant: &str) -> String {
    path.replace("{tenant}", tenant).replace("{name}", "f").replace("{version}", "1").replace("{id}", "r").replace("{node}", "n")
        .replace("{action}", "cancel").replace("{user}", "nobody").replace("{plugin}", "p").replace("{secret}", "S")
}

impl Server {
    /// Create a user, make them a member of `tenant` with `role`, and log in.
    pub async fn member(&self, username: &str, tenant: &str, role: &str) -> String {
        let created = self.admin("POST", "/api/v1/users", Some(json!({"username": username, "password": "correct horse"}))).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let member = self.admin("PUT", &format!("/api/v1/tenants/{tenant}/members/{username}"), Some(json!({"role": role}))).await;
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
        let client = reqwest::Client::new();
        let response = client
            .post(format!("{}/api/v1/tenants/{tenant}/plugins", self.base))
            .header("Authorization", format!("Bearer {ADMIN}"))
            .header("Content-Type", "application/wasm")
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        Reply { status, body: serde_json::from_str(&response.text().await.unwrap()).unwrap() }
    }

    pub async fn login(&self, username: &str, password: &str) -> Option<String> {
        let reply = self.call("POST", "/api/v1/auth/login", None, Some(json!({"username": username, "password": password}).to_string())).await;
        (reply.status == 200).then(|| reply.body["token"].as_str().unwrap().to_string())
    }
}

