//! A loopback TCP forwarder standing in for a load balancer in front of a
//! cluster: each connection goes to the node it points at now; pointing it
//! at another node drops the connections open through it, as a balancer
//! does when a node leaves it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Forwarder {
    /// `http://127.0.0.1:PORT`, to give clients instead of a node's address.
    pub base: String,
    target: Arc<Mutex<SocketAddr>>,
    moved: watch::Sender<u64>,
    accepting: tokio::task::JoinHandle<()>,
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

/// The socket address of a server's `http://HOST:PORT` base.
fn address(base: &str) -> SocketAddr {
    base.trim_start_matches("http://").parse().expect("a server's base is http://IP:PORT")
}

impl Forwarder {
    /// Forward to the server at `base` (`http://127.0.0.1:PORT`).
    pub async fn to(base: &str) -> Forwarder {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let target = Arc::new(Mutex::new(address(base)));
        let (moved, _) = watch::channel(0u64);
        let accepting = {
            let (target, moved) = (target.clone(), moved.clone());
            tokio::spawn(async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    let to = *target.lock().unwrap();
                    let mut gone = moved.subscribe();
                    tokio::spawn(async move {
                        let Ok(mut server) = TcpStream::connect(to).await else { return };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                            _ = gone.changed() => {}
                        }
                    });
                }
            })
        };
        Forwarder { base: format!("http://127.0.0.1:{port}"), target, moved, accepting }
    }

    /// Send new connections to the server at `base`, dropping those open now.
    pub fn point_at(&self, base: &str) {
        *self.target.lock().unwrap() = address(base);
        self.moved.send_modify(|n| *n += 1);
    }
}
