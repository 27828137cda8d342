//! The server's table of connected agents: a message for an agent goes to
//! its connection's queue, and the connection's task writes it to the
//! socket. An agent connecting again replaces its older connection; a
//! revoked agent's connection is dropped at once.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::mpsc;

use super::live::LiveOutput;
use super::protocol::ToAgent;

type Key = (String, String);

struct Connection {
    sender: mpsc::UnboundedSender<ToAgent>,
    generation: u64,
    /// The hash of the credential it was opened with.
    credential: String,
}

#[derive(Default)]
pub struct AgentHub {
    connections: Mutex<HashMap<Key, Connection>>,
    next: Mutex<u64>,
    /// What the scripts sent through this hub print while they run.
    pub live: LiveOutput,
}

impl AgentHub {
    /// Register a connection of agent `agent` of `tenant`, opened with the
    /// credential whose hash is `credential`: its queue, and the generation
    /// to unregister it with.
    pub fn connect(&self, tenant: &str, agent: &str, credential: &str) -> (mpsc::UnboundedReceiver<ToAgent>, u64) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let generation = {
            let mut next = self.next.lock().expect("hub lock");
            *next += 1;
            *next
        };
        let key = (tenant.to_string(), agent.to_string());
        let connection = Connection { sender, generation, credential: credential.to_string() };
        self.connections.lock().expect("hub lock").insert(key, connection);
        (receiver, generation)
    }

    /// Forget a connection that ended, unless a newer one replaced it.
    pub fn disconnected(&self, tenant: &str, agent: &str, generation: u64) {
        let mut connections = self.connections.lock().expect("hub lock");
        let key = (tenant.to_string(), agent.to_string());
        if connections.get(&key).is_some_and(|c| c.generation == generation) {
            connections.remove(&key);
        }
    }

    /// Drop the agent's connection now (it was revoked): its socket closes.
    pub fn cut(&self, tenant: &str, agent: &str) {
        self.connections.lock().expect("hub lock").remove(&(tenant.to_string(), agent.to_string()));
    }

    /// Drop the agent's connection if it was opened with the credential whose
    /// hash is `credential` (one opened since with another stays).
    pub fn cut_if_opened_with(&self, tenant: &str, agent: &str, credential: &str) {
        let mut connections = self.connections.lock().expect("hub lock");
        let key = (tenant.to_string(), agent.to_string());
        if connections.get(&key).is_some_and(|c| c.credential == credential) {
            connections.remove(&key);
        }
    }

    /// Every connection: (tenant, agent, generation, the hash of its credential).
    pub fn connections_with_generation(&self) -> Vec<(String, String, u64, String)> {
        let connections = self.connections.lock().expect("hub lock");
        let each = connections.iter();
        each.map(|((tenant, agent), c)| (tenant.clone(), agent.clone(), c.generation, c.credential.clone())).collect()
    }

    /// Send to a connected agent; `false` if it is not connected.
    pub fn send(&self, tenant: &str, agent: &str, message: ToAgent) -> bool {
        let connections = self.connections.lock().expect("hub lock");
        connections
            .get(&(tenant.to_string(), agent.to_string()))
            .is_some_and(|connection| connection.sender.send(message).is_ok())
    }

    pub fn is_connected(&self, tenant: &str, agent: &str) -> bool {
        self.connections.lock().expect("hub lock").contains_key(&(tenant.to_string(), agent.to_string()))
    }
}
