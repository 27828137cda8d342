//! A real Prometheus (Debian's `prometheus`) on a loopback port, scraping one
//! target four times a second, its storage in a scratch directory; stopped
//! when dropped.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::TempDir;

pub struct Prometheus {
    child: Child,
    _dir: TempDir,
    /// `http://127.0.0.1:PORT`
    pub url: String,
}

impl Prometheus {
    /// Scrape `target` (`127.0.0.1:PORT`, path `/metrics`).
    pub fn start(label: &str, target: &str) -> Prometheus {
        let dir = TempDir::new(label);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 250ms\n  scrape_timeout: 200ms\nscrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .unwrap();
        let child = Command::new("/usr/bin/prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus is installed by `cargo xtask test` (apt-get install prometheus)");
        let prometheus = Prometheus { child, _dir: dir, url: format!("http://127.0.0.1:{port}") };
        for _ in 0..400 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return prometheus;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("prometheus did not listen at {}", prometheus.url);
    }

    /// The value of an instant query with one series, if it has one.
    pub async fn value(&self, query: &str) -> Option<f64> {
        let encoded: String = query.bytes().map(|b| format!("%{b:02X}")).collect();
        let form = format!("query={encoded}");
        let answer = scena::tls::client()
            .post(format!("{}/api/v1/query", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        let answer: Value = serde_json::from_str(&answer).ok()?;
        answer["data"]["result"][0]["value"][1].as_str()?.parse().ok()
    }

    /// Wait (bounded) until `query` answers `wanted`: the scrapes caught up.
    pub async fn until(&self, query: &str, wanted: f64) {
        for _ in 0..400 {
            if self.value(query).await == Some(wanted) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("`{query}` never answered {wanted}; it answers {:?}", self.value(query).await);
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
