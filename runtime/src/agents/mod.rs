//! Agents: `scena agent` processes on hosts that keep one outbound WebSocket
//! to the server and run the scripts of jobs there. `protocol.rs` is what
//! both ends say, `hub.rs` the server's table of connected agents, `runner.rs`
//! how an agent runs one script (its own process group, a deadline, the last
//! 64 KiB of output), `gate.rs` how a script due at an instant is held ready
//! for it, `leftovers.rs` what a killed agent's scripts leave
//! running, stopped when it starts again, `placer.rs` how it places a file (`push-file`: fetched,
//! checked by sha256, renamed into place), `client.rs` the agent's side of the connection,
//! `live.rs` what running scripts print on its way into their steps' logs,
//! `post.rs` the way to an agent wherever in a cluster it is connected.

pub mod client;
pub mod gate;
pub mod hub;
pub mod leftovers;
pub mod live;
pub mod placer;
pub mod post;
pub mod protocol;
pub mod runner;

pub use hub::AgentHub;
pub use post::{AgentPost, Whereabouts};
