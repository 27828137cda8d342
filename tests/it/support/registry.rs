//! A real OCI registry (Debian's `docker-registry`) on a loopback port, its
//! storage in a scratch directory; stopped when dropped.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::TempDir;

pub struct Registry {
    child: Child,
    pub dir: TempDir,
    /// `127.0.0.1:PORT`
    pub address: String,
}

impl Registry {
    pub fn start(label: &str) -> Registry {
        let dir = TempDir::new(label);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let address = format!("127.0.0.1:{port}");
        let config = dir.path().join("config.yml");
        let storage = dir.path().join("storage");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {address}\n",
                storage.display()
            ),
        )
        .unwrap();
        let child = Command::new("/usr/bin/docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry is installed by `cargo xtask test` (apt-get install docker-registry)");
        let registry = Registry { child, dir, address };
        for _ in 0..200 {
            if std::net::TcpStream::connect(&registry.address).is_ok() {
                return registry;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the registry did not start on {}", registry.address);
    }

    /// The files of the blob with this digest (`sha256:…`) in the registry's storage.
    pub fn blob_file(&self, digest: &str) -> std::path::PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.dir.path().join(format!("storage/docker/registry/v2/blobs/sha256/{}/{hex}/data", &hex[..2]))
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
