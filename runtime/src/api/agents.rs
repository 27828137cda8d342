//! Agents through the API: enrolment tokens (made by those who manage hosts,
//! shown once), the agents of a tenant (revoking one cuts its connection at
//! once), enrolling (`POST /api/v1/agents/enrol`, with a token: the host
//! appears in the inventory, served by the agent) and the agents' one
//! outbound connection (`GET /api/v1/agents/connect`, a WebSocket
//! authenticated by the agent's credential).

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Shared;
use super::auth::Access;
use super::described::{Created, JsonBody, NoContent};
use super::error::ApiError;
use crate::agents::Whereabouts;
use crate::agents::protocol::{Ended, FromAgent, ToAgent};
use crate::inventory::Host;
use crate::store::{AgentInfo, EnrolmentInfo};

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnrolment {
    /// Labels every host enrolled with this token gets (its own `--labels` win).
    #[serde(default)]
    labels: BTreeMap<String, String>,
    expires_in: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct EnrolmentMade {
    id: String,
    /// Shown this once.
    token: String,
    expires_at: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct EnrolmentList {
    enrolments: Vec<EnrolmentInfo>,
}

#[derive(Serialize, JsonSchema)]
pub struct AgentListed {
    #[serde(flatten)]
    agent: AgentInfo,
    /// Whether it is connected now (to this server, or to any node of its cluster).
    connected: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct AgentList {
    agents: Vec<AgentListed>,
}

#[derive(Serialize, JsonSchema)]
pub struct Enrolled {
    tenant: String,
    agent: String,
    /// The agent keeps it; shown once.
    credential: String,
}

/// `POST …/agents/enrolments` → 201 `{id, token}`: the token is shown once.
pub async fn create_enrolment(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    JsonBody(NewEnrolment { labels, expires_in }): JsonBody<NewEnrolment>,
) -> Result<Created<EnrolmentMade>, ApiError> {
    let probe = Host {
        id: "x".into(),
        hostname: "x".into(),
        ip: "10.0.0.1".into(),
        labels: labels.clone(),
        agent: None,
        last_seen: None,
    };
    let problems = probe.problems();
    if !problems.is_empty() {
        return Err(ApiError::invalid("invalid_labels", problems.join("; ")));
    }
    let expires_at = match expires_in {
        None => None,
        Some(text) => {
            let span = super::tokens::expires_in_span(&text)?;
            if span > Duration::from_secs(365 * 24 * 3600) || span < Duration::from_secs(1) {
                return Err(ApiError::invalid("invalid_expiry", "an enrolment token lasts from a second to 365 days"));
            }
            Some(crate::store::stored_time(std::time::SystemTime::now() + span))
        }
    };
    let (id, token) =
        app.db.agents().create_enrolment(&access.tenant, &labels, &access.subject, expires_at.as_deref()).await?;
    Ok(Created(EnrolmentMade { id, token, expires_at }))
}

pub async fn enrolments(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
) -> Result<Json<EnrolmentList>, ApiError> {
    Ok(Json(EnrolmentList { enrolments: app.db.agents().enrolments(&access.tenant).await? }))
}

pub async fn revoke_enrolment(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    if app.db.agents().revoke_enrolment(&access.tenant, &id).await? {
        Ok(NoContent)
    } else {
        Err(ApiError::not_found(format!("open enrolment token `{id}`")))
    }
}

/// `GET …/agents`: the tenant's agents, and whether each is connected now.
pub async fn list(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
) -> Result<Json<AgentList>, ApiError> {
    let agents = app.db.agents().agents(&access.tenant).await?;
    let names: Vec<&str> = agents.iter().map(|agent| agent.id.as_str()).collect();
    let whereabouts = app.agents.whereabouts_of(&access.tenant, &names).await?;
    let agents = agents
        .into_iter()
        .map(|agent| {
            let connected = whereabouts.get(&agent.id).is_some_and(|w| *w != Whereabouts::Nowhere);
            AgentListed { agent, connected }
        })
        .collect();
    Ok(Json(AgentList { agents }))
}

/// `DELETE …/agents/{agent}`: its credential stops working and its connection is cut.
pub async fn revoke(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, agent)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    if !app.db.agents().revoke_agent(&access.tenant, &agent).await? {
        return Err(ApiError::not_found(format!("agent `{agent}`")));
    }
    app.agents.cut(&access.tenant, &agent).await;
    Ok(NoContent)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Enrolment {
    token: String,
    /// The agent's id, also the id of the host it serves in the inventory.
    id: String,
    hostname: String,
    ip: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

/// `POST /api/v1/agents/enrol` (no bearer token: the enrolment token is the
/// credential) → `{tenant, agent, credential}`.
pub async fn enrol(
    State(app): State<Shared>,
    JsonBody(Enrolment { token, id, hostname, ip, labels }): JsonBody<Enrolment>,
) -> Result<Json<Enrolled>, ApiError> {
    let (tenant, mut all_labels) = app
        .db
        .agents()
        .enrolment_of(&token)
        .await?
        .ok_or_else(|| ApiError::unauthorized("unknown, expired or revoked enrolment token"))?;
    all_labels.extend(labels);
    let host = Host { id: id.clone(), hostname, ip, labels: all_labels, agent: None, last_seen: None };
    let problems = host.problems();
    if !problems.is_empty() {
        return Err(ApiError::invalid("invalid_host", problems.join("; ")).with_details(json!({"problems": problems})));
    }
    app.db.hosts().put(&tenant, &host).await?;
    app.db.hosts().set_agent(&tenant, &id, &id).await?;
    let credential = app.db.agents().enrol(&tenant, &id).await?;
    // A re-enrolled agent's old connection holds the old credential: cut it
    // here now (and, on other nodes, at their next check of credentials:
    // until then no task is routed to it, its link's credential being the old one).
    app.agents.cut_here(&tenant, &id);
    Ok(Json(Enrolled { tenant, agent: id, credential }))
}

/// The agent a request comes from, by `Authorization: Bearer CREDENTIAL`:
/// (tenant, agent, credential).
async fn calling_agent(app: &Shared, headers: &HeaderMap) -> Result<(String, String, String), ApiError> {
    let credential = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| ApiError::unauthorized("an agent calls with `Authorization: Bearer CREDENTIAL`"))?;
    let (tenant, agent) = app
        .db
        .agents()
        .agent_of(credential)
        .await?
        .ok_or_else(|| ApiError::unauthorized("unknown or revoked agent credential"))?;
    Ok((tenant, agent, credential.to_string()))
}

/// `GET /api/v1/agents/connect` with `Authorization: Bearer CREDENTIAL`: the agent's WebSocket.
pub async fn connect(
    State(app): State<Shared>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let (tenant, agent, credential) = calling_agent(&app, &headers).await?;
    let upgrade = upgrade.map_err(|e| ApiError::bad_request(format!("this route speaks WebSocket only: {e}")))?;
    Ok(upgrade.on_upgrade(move |socket| connected(app, tenant, agent, credential, socket)).into_response())
}

/// `GET /api/v1/agents/jobs/{job}/file`: the content a `push-file` job sent
/// the calling agent to place — only while its host's part of that job has
/// not ended, and only to the agent serving that host.
pub async fn job_file(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(job): Path<String>,
) -> Result<Response, ApiError> {
    let (tenant, agent, _) = calling_agent(&app, &headers).await?;
    // An agent serves the host whose id is its own.
    let serves = app.db.hosts().get(&tenant, &agent).await?.is_some_and(|h| h.agent.as_deref() == Some(agent.as_str()));
    let placing = if serves { app.db.agents().placing(&tenant, &job, &agent).await? } else { None };
    let (sha256, name) =
        placing.ok_or_else(|| ApiError::not_found(format!("a file to place for agent `{agent}` in job `{job}`")))?;
    let path = app.files.content_path(&sha256).await?;
    super::files::streamed(&path, &name).await
}

/// How often the server pings an idle agent.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// How long a connecting agent has to say what it holds.
const HELLO_WITHIN: Duration = Duration::from_secs(10);

/// What an agent's first message turned out to be.
enum Hello {
    /// The jobs it lost are failed; what it holds, settled.
    Settled(crate::store::Settled),
    /// Another message (or none in time), to handle as usual.
    Other(Option<String>),
    /// The connection closed.
    Gone,
}

/// Read the agent's first message: `holding` settles which jobs sent before
/// this connection it lost — before it can be sent anything new, so no job
/// of this connection can be taken for lost.
async fn hello(app: &Shared, tenant: &str, agent: &str, socket: &mut WebSocket) -> Hello {
    let text = match tokio::time::timeout(HELLO_WITHIN, socket.recv()).await {
        Ok(Some(Ok(Message::Text(text)))) => text.to_string(),
        Ok(Some(Ok(_))) => return Hello::Other(None),
        Ok(_) => return Hello::Gone,
        Err(_) => {
            tracing::warn!(target: "scena::agents", "agent `{agent}` of `{tenant}` said nothing within {HELLO_WITHIN:?} of connecting");
            return Hello::Other(None);
        }
    };
    let Ok(FromAgent::Holding { jobs }) = serde_json::from_str(&text) else { return Hello::Other(Some(text)) };
    match app.db.agents().settle_held(tenant, agent, &jobs).await {
        Ok(settled) => {
            if settled.failed > 0 {
                let failed = settled.failed;
                tracing::warn!(target: "scena::agents", "agent `{agent}` of `{tenant}` came back without {failed} job(s) sent to it: they failed");
            }
            Hello::Settled(settled)
        }
        Err(e) => {
            tracing::error!("cannot settle what agent `{agent}` of `{tenant}` holds: {e:#}");
            Hello::Settled(crate::store::Settled::default())
        }
    }
}

async fn connected(app: Shared, tenant: String, agent: String, credential: String, mut socket: WebSocket) {
    let (first, held) = match hello(&app, &tenant, &agent, &mut socket).await {
        Hello::Gone => return,
        Hello::Settled(held) => (None, held),
        Hello::Other(text) => (text, crate::store::Settled::default()),
    };
    let (mut outgoing, generation) = match app.agents.connect(&tenant, &agent, &credential).await {
        Ok(connected) => connected,
        Err(error) => {
            // The agent connects again after its back-off.
            tracing::error!(target: "scena::agents", "cannot record where agent `{agent}` of `{tenant}` is connected: {error:#}");
            return;
        }
    };
    // A revocation made while this connection said hello cut it before it
    // was recorded: look again now that it is.
    if !matches!(app.db.agents().agent_of(&credential).await, Ok(Some(_))) {
        app.agents.disconnected(&tenant, &agent, generation).await;
        return;
    }
    let _ = app.db.hosts().set_agent(&tenant, &agent, &agent).await;
    app.agents.adopt(&tenant, &agent, &held.running);
    for job in held.ended {
        let Ok(cancel) = serde_json::to_string(&ToAgent::Cancel { job }) else { continue };
        if socket.send(Message::Text(cancel.into())).await.is_err() {
            app.agents.disconnected(&tenant, &agent, generation).await;
            return;
        }
    }
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    let mut open = match first {
        Some(text) => on_message(&app, &tenant, &agent, &text, &mut socket).await,
        None => true,
    };
    while open {
        tokio::select! {
            message = outgoing.recv() => {
                // `None`: the hub dropped this connection (revoked, or replaced).
                let Some(message) = message else { break };
                let Ok(text) = serde_json::to_string(&message) else { continue };
                open = socket.send(Message::Text(text.into())).await.is_ok();
            }
            incoming = socket.recv() => {
                let Some(Ok(frame)) = incoming else { break };
                if let Message::Text(text) = frame {
                    open = on_message(&app, &tenant, &agent, &text, &mut socket).await;
                }
            }
            _ = heartbeat.tick() => {
                open = socket.send(Message::Ping(Vec::new().into())).await.is_ok();
            }
        }
    }
    app.agents.disconnected(&tenant, &agent, generation).await;
    // An agent that does not come back within the grace period — to this
    // node or any other — is lost: the hosts it was running scripts on fail,
    // so no step waits on them forever.
    tokio::spawn(async move {
        tokio::time::sleep(app.agent_lost_after).await;
        // Unknown (the cluster's records unreadable) is not lost: its hosts fail
        // by the job's deadline if it really is.
        if app.agents.connected_anywhere(&tenant, &agent).await == Some(false)
            && let Ok(failed) = app.db.agents().fail_hosts_of_lost_agent(&tenant, &agent).await
            && failed > 0
        {
            tracing::warn!(target: "scena::agents", "agent `{agent}` of `{tenant}` is lost: {failed} host(s) of running jobs failed");
        }
    });
}

/// Handle one message of a connected agent; `false` once the connection is gone.
async fn on_message(app: &Shared, tenant: &str, agent: &str, text: &str, socket: &mut WebSocket) -> bool {
    match serde_json::from_str(text) {
        Ok(FromAgent::Output { job, host, text, total }) => {
            app.agents.live().append(tenant, agent, &job, &host, &text, total);
        }
        Ok(FromAgent::Done { job, host, ended, exit_code, output_tail, reason }) => {
            // A job another node started: what the script printed reaches that
            // node before its outcome does, so its step logs every line.
            if let Err(error) = app.agents.relay_output(Some((tenant, &job, &host))).await {
                tracing::warn!(target: "scena::agents", "relaying the last output of job `{job}` on `{host}` failed: {error:#}");
            }
            if record(app, tenant, agent, &job, &host, ended, exit_code, &output_tail, reason).await {
                app.agents.live().ended(tenant, agent, &job, &host);
                let Ok(ack) = serde_json::to_string(&ToAgent::Ack { job, host }) else { return true };
                return socket.send(Message::Text(ack.into())).await.is_ok();
            }
        }
        Ok(FromAgent::Holding { .. }) | Err(_) => {}
    }
    true
}

/// Store an outcome an agent reported, if the host is one this agent serves;
/// `true` once it is stored (or was already), so the agent may forget it.
#[allow(clippy::too_many_arguments)]
async fn record(
    app: &Shared,
    tenant: &str,
    agent: &str,
    job: &str,
    host: &str,
    ended: Ended,
    exit_code: Option<i32>,
    output_tail: &str,
    reason: Option<String>,
) -> bool {
    let serves = matches!(app.db.hosts().get(tenant, host).await, Ok(Some(h)) if h.agent.as_deref() == Some(agent));
    if !serves {
        tracing::warn!(target: "scena::agents", "agent `{agent}` of `{tenant}` reported for host `{host}`, which it does not serve");
        return true;
    }
    let state = match ended {
        Ended::Succeeded => "succeeded",
        Ended::Failed => "failed",
        Ended::Cancelled => "cancelled",
    };
    let tail = match reason {
        Some(reason) if output_tail.is_empty() => reason,
        Some(reason) => format!("{output_tail}\n[{reason}]"),
        None => output_tail.to_string(),
    };
    app.db.agents().set_job_host(tenant, job, host, state, exit_code, &tail).await.is_ok()
}
