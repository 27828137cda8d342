//! `scena agent`: run on a host, enrol once with a tenant's enrolment token,
//! then keep one outbound connection to the server and run the scripts of
//! jobs sent to this host (`crate::agents`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;

use super::CliError;
use crate::agents::client::{self, HostFacts};

#[derive(Args)]
pub struct AgentArgs {
    /// The server, e.g. `https://scena.example.com`.
    #[arg(long)]
    server: String,
    /// A tenant's enrolment token (needed the first time only; the credential it
    /// earns is kept in the state dir).
    #[arg(long, env = "SCENA_ENROLMENT_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// This agent's id, also its host's id in the inventory [default: the host name].
    #[arg(long)]
    id: Option<String>,
    /// Labels of this host: `zone=eu-1,role=game`.
    #[arg(long, value_delimiter = ',')]
    labels: Vec<String>,
    /// The address the inventory records for this host [default: 127.0.0.1].
    #[arg(long, default_value = "127.0.0.1")]
    ip: String,
    /// Where the agent keeps its credential [default: ~/.local/share/scena-agent].
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
}

fn same_server(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

pub async fn run(args: AgentArgs) -> Result<(), CliError> {
    let state_dir = args.state_dir.clone().unwrap_or_else(|| {
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
        home.join(".local/share/scena-agent")
    });
    let mut labels = BTreeMap::new();
    // An empty entry (`--labels ""`, a unit whose labels setting is empty) is no label.
    for label in args.labels.iter().filter(|label| !label.trim().is_empty()) {
        let (key, value) =
            label.split_once('=').ok_or_else(|| CliError::other(format!("a label is key=value, not `{label}`")))?;
        labels.insert(key.trim().to_string(), value.trim().to_string());
    }
    let _one_agent_per_state_dir = claim(&state_dir)?;
    // Restarts use the credential: a service keeps its token in its settings, and
    // enrolling again on every start would make a new credential each time.
    let saved = client::load(&state_dir).filter(|e| args.token.is_none() || same_server(&e.server, &args.server));
    let enrolled = match (saved, &args.token) {
        (Some(enrolled), token) => {
            if !same_server(&enrolled.server, &args.server) {
                eprintln!(
                    "scena agent: enrolled with {} (credential in {}), not {}: connecting to {0}; give --token to enrol with {2}",
                    enrolled.server,
                    state_dir.display(),
                    args.server
                );
            }
            if token.is_some() {
                eprintln!(
                    "scena agent: already enrolled as `{}` (credential in {}); --token is not needed again",
                    enrolled.agent,
                    state_dir.display()
                );
            }
            enrolled
        }
        (None, Some(token)) => {
            let name = hostname();
            let facts = HostFacts {
                id: args.id.clone().unwrap_or_else(|| name.clone()),
                hostname: name,
                ip: args.ip.clone(),
                labels,
            };
            let enrolled = client::enrol(&args.server, token, &facts, &state_dir).await.map_err(failed)?;
            eprintln!(
                "scena agent: enrolled as `{}` of tenant `{}` (credential kept in {})",
                enrolled.agent,
                enrolled.tenant,
                state_dir.display()
            );
            enrolled
        }
        (None, None) => {
            return Err(CliError::other(format!(
                "this agent is not enrolled yet (nothing in {}): give --token with a tenant's enrolment token",
                state_dir.display()
            )));
        }
    };
    client::serve(&enrolled, &state_dir).await.map_err(failed)
}

/// Hold `state_dir` for this agent alone while it runs: a second agent on
/// it would share its credential and take its scripts for a dead one's.
fn claim(state_dir: &std::path::Path) -> Result<std::fs::File, CliError> {
    let cannot = |e: std::io::Error| CliError::other(format!("cannot use the state dir {}: {e}", state_dir.display()));
    std::fs::create_dir_all(state_dir).map_err(cannot)?;
    let lock = std::fs::File::options()
        .create(true)
        .write(true)
        .truncate(false)
        .open(state_dir.join("agent.lock"))
        .map_err(cannot)?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(CliError::other(format!(
            "another scena agent is running with the state dir {}: one agent per state dir",
            state_dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(cannot(e)),
    }
}

/// Exit 3 when the server will not have this agent (a service manager should
/// not start it again as it is), 1 for anything else.
fn failed(error: anyhow::Error) -> CliError {
    let code = if error.downcast_ref::<client::NotAdmitted>().is_some() { 3 } else { 1 };
    CliError { code, message: format!("{error:#}") }
}
