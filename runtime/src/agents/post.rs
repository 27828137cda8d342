//! Tasks to agents wherever they are connected. A lone server has every
//! agent connected to it or to none. In a cluster an agent's one connection
//! reaches one node (`store::AgentLinks` says which), while a job may start
//! on any: a task for an agent connected elsewhere is relayed through the
//! database to its node, woken by PostgreSQL's announcement, which sends it
//! on — or, if the agent left meanwhile, fails the host saying so. What its
//! scripts print comes back the same way, before their outcome is stored, so
//! the step whose node started the job logs every line.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, mpsc};

use super::hub::AgentHub;
use super::live::LiveOutput;
use super::protocol::{ScriptTask, ToAgent};
use crate::store::{AgentLinks, AgentStore, credential_hash};

/// How often a node relays what the scripts of agents connected to it print
/// for jobs other nodes started.
const OUTPUT_RELAY_EVERY: Duration = Duration::from_millis(250);

/// How often a node looks for relayed tasks when no announcement woke it,
/// for relays orphaned by a node that died, and at its connections'
/// credentials (a revocation whose cut did not reach it).
const RELAYS_LOOKED_FOR_EVERY: Duration = Duration::from_secs(1);
const CREDENTIALS_CHECKED_EVERY: Duration = Duration::from_secs(5);

/// Where an agent is connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whereabouts {
    Here,
    /// To another node of the cluster.
    At(String),
    Nowhere,
}

/// What one node sends another for the agents connected there.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Relayed {
    /// Send `message` to `agent`, about its `host`.
    Send { tenant: String, agent: String, host: String, message: ToAgent },
    /// Drop the agent's connection (it was revoked or enrolled again).
    Cut { tenant: String, agent: String },
}

struct Cluster {
    links: AgentLinks,
    jobs: AgentStore,
}

/// The way to the agents: this node's own connections and, in a cluster, the others'.
pub struct AgentPost {
    hub: AgentHub,
    cluster: Option<Cluster>,
    relayed: Notify,
    /// Held while output is taken and relayed, so an outcome's relay waits
    /// for a periodic one in flight (its output would land after the outcome).
    relaying_output: tokio::sync::Mutex<()>,
}

impl AgentPost {
    /// A server on its own: an agent is connected here or nowhere.
    pub fn alone() -> AgentPost {
        AgentPost::with(None)
    }

    fn with(cluster: Option<Cluster>) -> AgentPost {
        AgentPost { hub: AgentHub::default(), cluster, relayed: Notify::new(), relaying_output: Default::default() }
    }

    /// A node of a cluster, `links` naming it.
    pub fn in_cluster(links: AgentLinks, jobs: AgentStore) -> AgentPost {
        AgentPost::with(Some(Cluster { links, jobs }))
    }

    /// What the scripts sent to agents connected here print while they run.
    pub fn live(&self) -> &LiveOutput {
        &self.hub.live
    }

    /// Agent `agent` of `tenant` connected here with `credential`: its
    /// queue, and the generation to end the connection with. In a cluster
    /// the connection counts only once the others can know it is here, so an
    /// error refuses it.
    pub async fn connect(
        &self,
        tenant: &str,
        agent: &str,
        credential: &str,
    ) -> anyhow::Result<(mpsc::UnboundedReceiver<ToAgent>, u64)> {
        let credential = credential_hash(credential);
        let (queue, generation) = self.hub.connect(tenant, agent, &credential);
        if let Some(cluster) = &self.cluster
            && let Err(error) = cluster.links.link(tenant, agent, generation, &credential).await
        {
            self.hub.disconnected(tenant, agent, generation);
            return Err(error);
        }
        Ok((queue, generation))
    }

    /// The connection `generation` ended (unless a newer one replaced it).
    pub async fn disconnected(&self, tenant: &str, agent: &str, generation: u64) {
        self.hub.disconnected(tenant, agent, generation);
        if let Some(cluster) = &self.cluster
            && let Err(error) = cluster.links.unlink(tenant, agent, generation).await
        {
            // The link stays until the agent connects again or this node stops beating.
            tracing::warn!(target: "scena::agents", "forgetting where agent `{agent}` of `{tenant}` was connected failed: {error:#}");
        }
    }

    /// Where agent `agent` of `tenant` is connected. If the cluster's
    /// records cannot be read, only this node's connections count.
    pub async fn whereabouts(&self, tenant: &str, agent: &str) -> Whereabouts {
        match self.locate(tenant, agent).await {
            Ok(at) => at,
            Err(error) => {
                tracing::warn!(target: "scena::agents", "cannot read where agent `{agent}` of `{tenant}` is connected: {error:#}");
                alone(self.hub.is_connected(tenant, agent))
            }
        }
    }

    async fn locate(&self, tenant: &str, agent: &str) -> anyhow::Result<Whereabouts> {
        let here = self.hub.is_connected(tenant, agent);
        Ok(match &self.cluster {
            Some(cluster) => located(cluster, cluster.links.node_of(tenant, agent).await?.as_deref(), here),
            None => alone(here),
        })
    }

    /// Whether agent `agent` of `tenant` is connected to any node; `None` if
    /// the cluster's records cannot be read.
    pub async fn connected_anywhere(&self, tenant: &str, agent: &str) -> Option<bool> {
        self.locate(tenant, agent).await.ok().map(|at| at != Whereabouts::Nowhere)
    }

    /// Where each of `agents` of `tenant` is connected, read at once.
    pub async fn whereabouts_of(&self, tenant: &str, agents: &[&str]) -> anyhow::Result<HashMap<String, Whereabouts>> {
        let nodes = match &self.cluster {
            Some(cluster) => Some(cluster.links.nodes_of_tenant(tenant).await?),
            None => None,
        };
        let each = agents.iter().map(|agent| {
            let here = self.hub.is_connected(tenant, agent);
            let at = match (&self.cluster, &nodes) {
                (Some(cluster), Some(nodes)) => located(cluster, nodes.get(*agent).map(String::as_str), here),
                _ => alone(here),
            };
            (agent.to_string(), at)
        });
        Ok(each.collect())
    }

    /// Send `message` about `host` to agent `agent` wherever it is
    /// connected; `false` if it is connected nowhere (or the relay failed).
    pub async fn send(&self, tenant: &str, agent: &str, host: &str, message: ToAgent) -> bool {
        match self.whereabouts(tenant, agent).await {
            Whereabouts::Here => self.hub.send(tenant, agent, message),
            Whereabouts::At(node) => {
                let task = Relayed::Send { tenant: tenant.into(), agent: agent.into(), host: host.into(), message };
                self.relay(&node, &[task]).await.is_ok()
            }
            Whereabouts::Nowhere => false,
        }
    }

    /// Send each task (agent, host, message) to agents of `tenant` located
    /// with [`Self::whereabouts_of`], those elsewhere in one relay per node;
    /// the hosts each task could not be sent for, and why.
    pub async fn send_all(
        &self,
        tenant: &str,
        tasks: Vec<(String, String, ToAgent)>,
        whereabouts: &HashMap<String, Whereabouts>,
    ) -> Vec<(String, String)> {
        let mut failed = Vec::new();
        let mut relays: HashMap<String, Vec<Relayed>> = HashMap::new();
        for (agent, host, message) in tasks {
            match whereabouts.get(&agent) {
                Some(Whereabouts::Here) => {
                    if let Some(job) = sent_job(&message) {
                        self.hub.live.expect(tenant, &job, &host, &agent);
                    }
                    if !self.hub.send(tenant, &agent, message.clone()) {
                        if let Some(job) = sent_job(&message) {
                            self.hub.live.forget(tenant, &job, &host);
                        }
                        failed.push((host.clone(), format!("no agent is connected for host `{host}`")));
                    }
                }
                Some(Whereabouts::At(node)) => relays.entry(node.clone()).or_default().push(Relayed::Send {
                    tenant: tenant.into(),
                    agent,
                    host,
                    message,
                }),
                _ => failed.push((host.clone(), format!("no agent is connected for host `{host}`"))),
            }
        }
        for (node, tasks) in relays {
            if let Err(error) = self.relay(&node, &tasks).await {
                for task in tasks {
                    if let Relayed::Send { host, .. } = task {
                        failed.push((host.clone(), format!("the task for host `{host}` could not reach node `{node}`, where its agent is connected: {error:#}")));
                    }
                }
            }
        }
        failed
    }

    /// Drop the agent's connection to this node.
    pub fn cut_here(&self, tenant: &str, agent: &str) {
        self.hub.cut(tenant, agent);
    }

    /// Drop the agent's connection now, wherever it is (it was revoked).
    pub async fn cut(&self, tenant: &str, agent: &str) {
        self.hub.cut(tenant, agent);
        let Some(cluster) = &self.cluster else { return };
        // Every node, not only the one the records name: a connection that
        // node has not seen drop yet would otherwise stay open. A node this
        // misses finds the credential revoked at its next check.
        let nodes = match cluster.links.other_nodes().await {
            Ok(nodes) => nodes,
            Err(error) => {
                tracing::error!(target: "scena::agents", "cannot list the nodes to cut agent `{agent}` of `{tenant}` off on (each finds it revoked within {CREDENTIALS_CHECKED_EVERY:?}): {error:#}");
                return;
            }
        };
        for node in nodes {
            let cut = Relayed::Cut { tenant: tenant.into(), agent: agent.into() };
            if let Err(error) = self.relay(&node, &[cut]).await {
                tracing::error!(target: "scena::agents", "cutting agent `{agent}` of `{tenant}` off on node `{node}` failed (it finds it revoked within {CREDENTIALS_CHECKED_EVERY:?}): {error:#}");
            }
        }
    }

    async fn relay(&self, node: &str, tasks: &[Relayed]) -> anyhow::Result<()> {
        let cluster = self.cluster.as_ref().expect("only a node of a cluster relays");
        cluster.links.relay(node, &serde_json::to_string(tasks)?).await
    }

    /// Agent `agent` came back holding `held` (job, host): in a cluster it
    /// may have been sent them through another node, which takes their
    /// output, so what they print from now on is relayed — to that node, or
    /// to this one's next look.
    pub fn adopt(&self, tenant: &str, agent: &str, held: &[(String, String)]) {
        if self.cluster.is_some() {
            for (job, host) in held {
                self.hub.live.adopt_relayed(tenant, job, host, agent);
            }
        }
    }

    /// Other nodes may have relayed tasks to this one: look now.
    pub fn wake(&self) {
        self.relayed.notify_one();
    }

    /// In a cluster: send on what other nodes relay for agents connected
    /// here, and relay back what their scripts print; until the process ends.
    pub fn start_relaying(self: &Arc<Self>) {
        if self.cluster.is_none() {
            return;
        }
        let post = self.clone();
        tokio::spawn(async move {
            loop {
                let _ = tokio::time::timeout(RELAYS_LOOKED_FOR_EVERY, post.relayed.notified()).await;
                if let Err(error) = post.deliver_relayed().await {
                    tracing::warn!(target: "scena::agents", "sending on tasks other nodes relayed failed: {error:#}");
                }
                if let Err(error) = post.fail_orphaned().await {
                    tracing::warn!(target: "scena::agents", "failing the tasks relayed to nodes that died failed: {error:#}");
                }
            }
        });
        let post = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(CREDENTIALS_CHECKED_EVERY).await;
                if let Err(error) = post.cut_revoked().await {
                    tracing::warn!(target: "scena::agents", "checking the connected agents' credentials failed: {error:#}");
                }
            }
        });
        let post = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(OUTPUT_RELAY_EVERY).await;
                if let Err(error) = post.relay_output(None).await {
                    tracing::warn!(target: "scena::agents", "relaying scripts' output to other nodes failed: {error:#}");
                }
            }
        });
    }

    async fn deliver_relayed(&self) -> anyhow::Result<()> {
        let Some(cluster) = &self.cluster else { return Ok(()) };
        let mut tasks: Vec<Relayed> = cluster.links.take_relayed().await?.iter().flat_map(|t| readable(t)).collect();
        // Cuts first: no task reaches an agent whose revocation came with it.
        tasks.sort_by_key(|task| !matches!(task, Relayed::Cut { .. }));
        for task in tasks {
            let (tenant, agent, host, message) = match task {
                Relayed::Cut { tenant, agent } => {
                    self.hub.cut(&tenant, &agent);
                    continue;
                }
                Relayed::Send { tenant, agent, host, message } => (tenant, agent, host, message),
            };
            let job = sent_job(&message);
            if let Some(job) = &job {
                self.hub.live.expect_relayed(&tenant, job, &host, &agent);
            }
            if self.hub.send(&tenant, &agent, message.clone()) {
                continue;
            }
            if let Some(job) = &job {
                self.hub.live.forget(&tenant, job, &host);
            }
            let why = format!(
                "no agent is connected for host `{host}`: it left node `{}` before its task got there",
                cluster.links.node()
            );
            self.undelivered(cluster, &tenant, &host, &message, &why).await;
        }
        Ok(())
    }

    /// Tasks relayed to nodes that died before taking them: their hosts end
    /// now instead of at their job's deadline.
    async fn fail_orphaned(&self) -> anyhow::Result<()> {
        let Some(cluster) = &self.cluster else { return Ok(()) };
        for (node, tasks) in cluster.links.take_orphaned().await? {
            for task in readable(&tasks) {
                let Relayed::Send { tenant, agent, host, message } = task else { continue };
                // A cancel follows its agent wherever it connected since.
                if matches!(message, ToAgent::Cancel { .. }) && self.send(&tenant, &agent, &host, message.clone()).await
                {
                    continue;
                }
                let why = format!(
                    "no agent is connected for host `{host}`: its node `{node}` stopped before its task got there"
                );
                self.undelivered(cluster, &tenant, &host, &message, &why).await;
            }
        }
        Ok(())
    }

    /// A task that reached no agent: a script or a file fails its host,
    /// saying `why`; a cancel cancels it (nothing runs there any more).
    async fn undelivered(&self, cluster: &Cluster, tenant: &str, host: &str, message: &ToAgent, why: &str) {
        let (job, state, why) = match (sent_job(message), message) {
            (Some(job), _) => (job, "failed", why),
            (None, ToAgent::Cancel { job }) => (job.clone(), "cancelled", ""),
            (None, _) => return,
        };
        if let Err(error) = cluster.jobs.set_job_host(tenant, &job, host, state, None, why).await {
            tracing::error!(target: "scena::agents", "recording that the task of job `{job}` reached no agent on `{host}` failed (its host fails at the job's deadline): {error:#}");
        }
    }

    /// Cut the connections whose credential was revoked or replaced since
    /// they opened — what a cut relayed from another node does, for one that
    /// did not arrive —, and record again the links of the others that a race
    /// between two nodes' writes lost.
    async fn cut_revoked(&self) -> anyhow::Result<()> {
        let Some(cluster) = &self.cluster else { return Ok(()) };
        let mut by_tenant: HashMap<String, Vec<(String, u64, String)>> = HashMap::new();
        for (tenant, agent, generation, credential) in self.hub.connections_with_generation() {
            by_tenant.entry(tenant).or_default().push((agent, generation, credential));
        }
        for (tenant, connections) in by_tenant {
            let live = cluster.jobs.live_credentials(&tenant).await?;
            for (agent, generation, credential) in connections {
                if live.iter().any(|(id, hash)| *id == agent && *hash == credential) {
                    cluster.links.relink_missing(&tenant, &agent, generation, &credential).await?;
                } else {
                    tracing::warn!(target: "scena::agents", "agent `{agent}` of `{tenant}` was revoked or enrolled again: its connection here is cut");
                    self.hub.cut_if_opened_with(&tenant, &agent, &credential);
                }
            }
        }
        Ok(())
    }

    /// Relay what the scripts of agents connected here printed for jobs
    /// started elsewhere: every such host's new output, or only
    /// (`tenant`, `job`, `host`)'s — what its outcome waits for.
    pub async fn relay_output(&self, only: Option<(&str, &str, &str)>) -> anyhow::Result<()> {
        let Some(cluster) = &self.cluster else { return Ok(()) };
        let _relaying = self.relaying_output.lock().await;
        let output = self.hub.live.take_relayed(only, |tenant, agent| self.hub.is_connected(tenant, agent));
        cluster.links.put_output(&output).await
    }

    /// What other nodes relayed of `job`'s output since the last look: (host, text, bytes not kept).
    pub async fn take_relayed_output(&self, tenant: &str, job: &str) -> anyhow::Result<Vec<(String, String, u64)>> {
        match &self.cluster {
            Some(cluster) => cluster.links.take_output(tenant, job).await,
            None => Ok(Vec::new()),
        }
    }
}

/// Where an agent is that the cluster's records put on `node` (none: no
/// live link — not connected, revoked, or its credential replaced) and this
/// node's own table has (`here`) or not: the records win, so a connection
/// of this node that has not seen its agent leave, or been cut yet, gets
/// nothing.
fn located(cluster: &Cluster, node: Option<&str>, here: bool) -> Whereabouts {
    match node {
        Some(node) if node != cluster.links.node() => Whereabouts::At(node.to_string()),
        Some(_) if here => Whereabouts::Here,
        _ => Whereabouts::Nowhere,
    }
}

/// Where an agent is for a server on its own (or one that cannot read the records).
fn alone(here: bool) -> Whereabouts {
    if here { Whereabouts::Here } else { Whereabouts::Nowhere }
}

/// The tasks of one relay; none if it is unreadable (a node of another version?).
fn readable(tasks: &str) -> Vec<Relayed> {
    serde_json::from_str(tasks).unwrap_or_else(|error| {
        tracing::error!(target: "scena::agents", "a relayed task is unreadable (sent by a node of another version?): {error}");
        Vec::new()
    })
}

/// The job a task starts, if it starts one.
fn sent_job(message: &ToAgent) -> Option<String> {
    match message {
        ToAgent::Run(ScriptTask { job, .. })
        | ToAgent::RunAt { task: ScriptTask { job, .. }, .. }
        | ToAgent::Place { job, .. } => Some(job.clone()),
        ToAgent::Cancel { .. } | ToAgent::Ack { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Db, drop_scratch_schema, scratch_schema, test_postgres_url};

    fn run(job: &str, host: &str) -> ToAgent {
        ToAgent::Run(ScriptTask {
            job: job.into(),
            host: host.into(),
            script: "true".into(),
            interpreter: "sh".into(),
            account: String::new(),
            timeout_ms: 1000,
        })
    }

    async fn node(url: &str, id: &str) -> (Db, AgentPost) {
        let db = Db::connect(url).await.unwrap();
        db.join_cluster(id, 60_000).await.unwrap();
        let post = AgentPost::in_cluster(db.agent_links(id), db.agents());
        (db, post)
    }

    #[tokio::test]
    async fn a_task_reaches_an_agent_connected_to_another_node_and_what_it_prints_comes_back() {
        let Some(url) = test_postgres_url() else { return };
        let (scoped, schema) = scratch_schema(&url).await.unwrap();
        let (db, one) = node(&scoped, "n1").await;
        let (_, two) = node(&scoped, "n2").await;
        let credential = db.agents().enrol("acme", "a1").await.unwrap();
        let (mut queue, _) = two.connect("acme", "a1", &credential).await.unwrap();
        assert_eq!(one.whereabouts("acme", "a1").await, Whereabouts::At("n2".into()));
        assert_eq!(two.whereabouts("acme", "a1").await, Whereabouts::Here);
        assert_eq!(one.whereabouts("other-tenant", "a1").await, Whereabouts::Nowhere, "tenants apart");

        let (job, _) = db.agents().create_job("acme", "k1", "{}", &["h1".into(), "h2".into()], &[]).await.unwrap();
        let whereabouts = one.whereabouts_of("acme", &["a1", "a2"]).await.unwrap();
        let tasks = vec![("a1".into(), "h1".into(), run(&job, "h1")), ("a2".into(), "h2".into(), run(&job, "h2"))];
        let failed = one.send_all("acme", tasks, &whereabouts).await;
        assert_eq!(failed, [("h2".to_string(), "no agent is connected for host `h2`".to_string())]);
        assert!(queue.try_recv().is_err(), "nothing before the second node sends it on");
        two.deliver_relayed().await.unwrap();
        assert_eq!(queue.try_recv().unwrap(), run(&job, "h1"));

        // What the script prints there is taken here, once, the last 16 Ki characters of it between looks.
        two.live().append("acme", "a1", &job, "h1", "hello\n", 6);
        two.live().append("acme", "intruder", &job, "h1", "forged\n", 13);
        two.relay_output(None).await.unwrap();
        let taken = one.take_relayed_output("acme", &job).await.unwrap();
        assert_eq!(taken, [("h1".to_string(), "hello\n".to_string(), 0)]);
        assert!(one.take_relayed_output("acme", &job).await.unwrap().is_empty());
        let line = "x".repeat(10_000);
        for total in [10_006, 20_006] {
            two.live().append("acme", "a1", &job, "h1", &line, total);
            two.relay_output(None).await.unwrap();
        }
        let taken = one.take_relayed_output("acme", &job).await.unwrap();
        assert_eq!((taken[0].1.len(), taken[0].2), (16 << 10, 20_000 - (16 << 10)));

        // A cancel goes the same way; revoking the agent anywhere cuts it off there.
        assert!(one.send("acme", "a1", "h1", ToAgent::Cancel { job: job.clone() }).await);
        two.deliver_relayed().await.unwrap();
        assert_eq!(queue.try_recv().unwrap(), ToAgent::Cancel { job: job.clone() });
        one.cut("acme", "a1").await;
        two.deliver_relayed().await.unwrap();
        assert!(queue.recv().await.is_none(), "the connection's queue is closed");

        // A task that reaches the node after its agent left fails the host, saying so.
        let (_, generation) = two.connect("acme", "a1", &credential).await.unwrap();
        let whereabouts = one.whereabouts_of("acme", &["a1"]).await.unwrap();
        let (late, _) = db.agents().create_job("acme", "k2", "{}", &["h1".into()], &[]).await.unwrap();
        assert!(
            one.send_all("acme", vec![("a1".into(), "h1".into(), run(&late, "h1"))], &whereabouts).await.is_empty()
        );
        two.disconnected("acme", "a1", generation).await;
        assert_eq!(one.whereabouts("acme", "a1").await, Whereabouts::Nowhere);
        two.deliver_relayed().await.unwrap();
        let hosts = db.agents().job_hosts("acme", &late).await.unwrap().unwrap();
        assert_eq!(hosts[0].state, "failed");
        assert!(
            hosts[0].output_tail.contains("it left node `n2` before its task got there"),
            "{}",
            hosts[0].output_tail
        );

        // Revoked while a cut could not reach its node: cut at that node's next
        // check, and no node sends it anything meanwhile.
        let (mut queue, _) = two.connect("acme", "a1", &credential).await.unwrap();
        assert!(db.agents().revoke_agent("acme", "a1").await.unwrap());
        assert_eq!(one.whereabouts("acme", "a1").await, Whereabouts::Nowhere, "a revoked agent is nowhere");
        two.cut_revoked().await.unwrap();
        assert!(queue.recv().await.is_none(), "cut at the check");
        drop_scratch_schema(&url, &schema).await.unwrap();
    }

    #[tokio::test]
    async fn tasks_relayed_to_a_node_that_died_fail_their_hosts() {
        let Some(url) = test_postgres_url() else { return };
        let (scoped, schema) = scratch_schema(&url).await.unwrap();
        let (db, one) = node(&scoped, "n1").await;
        let dead = db.agent_links("n-dead");
        let (job, _) = db.agents().create_job("acme", "k1", "{}", &["h1".into()], &[]).await.unwrap();
        let task =
            Relayed::Send { tenant: "acme".into(), agent: "a1".into(), host: "h1".into(), message: run(&job, "h1") };
        dead.relay("n-dead", &serde_json::to_string(&[task]).unwrap()).await.unwrap();
        one.fail_orphaned().await.unwrap();
        let hosts = db.agents().job_hosts("acme", &job).await.unwrap().unwrap();
        assert_eq!(hosts[0].state, "failed");
        assert!(hosts[0].output_tail.contains("its node `n-dead` stopped"), "{}", hosts[0].output_tail);
        drop_scratch_schema(&url, &schema).await.unwrap();
    }

    #[tokio::test]
    async fn alone_an_agent_is_here_or_nowhere_and_nothing_is_relayed() {
        let post = AgentPost::alone();
        let (_queue, generation) = post.connect("acme", "a1", "credential").await.unwrap();
        assert_eq!(post.whereabouts("acme", "a1").await, Whereabouts::Here);
        assert!(post.send("acme", "a1", "h1", run("j", "h1")).await);
        post.disconnected("acme", "a1", generation).await;
        assert!(!post.send("acme", "a1", "h1", run("j", "h1")).await);
        assert!(post.take_relayed_output("acme", "j").await.unwrap().is_empty());
    }
}
