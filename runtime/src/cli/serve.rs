//! `scena serve`: the HTTP API over embedded SQLite (or PostgreSQL with
//! `--db`), with the standard plugins the binary carries (and any in
//! `--plugins DIR`) and the sample flows in tenant `default`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use super::data_lock;
use super::{CliError, DataDirArg};
use crate::agents::AgentPost;
use crate::api::{AppState, LoginThrottle, ThrottleSettings, router};
use crate::atoms::job::JobServices;
use crate::catalog::{Catalog, PluginDir, validate_flow};
use crate::embedded::{SAMPLE_FLOWS, STANDARD_PLUGINS};
use crate::flow::load_flow;
use crate::sandbox::{Limits, Sandbox, SandboxConfig};
use crate::scheduler::{Scheduler, SilentProgress};
use crate::store::{Backend, Db, IdentityStore, SealingKey, new_token};
use crate::triggers::run_clock;

/// The tenant every server has.
const DEFAULT_TENANT: &str = "default";

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// More plugin components (.wasm) beside the standard ones the binary carries,
    /// visible to every tenant; repeatable.
    #[arg(long = "plugins", value_name = "DIR")]
    plugin_dirs: Vec<PathBuf>,
    /// Publish the flows (.json) in DIR into tenant `default` at start [default: the
    /// sample flows the binary carries, each only if tenant `default` has no flow of its name].
    #[arg(long, value_name = "DIR", conflicts_with = "no_samples")]
    samples: Option<PathBuf>,
    /// Publish no sample flow.
    #[arg(long)]
    no_samples: bool,
    /// The database: `postgres://USER[:PASSWORD]@HOST[:PORT]/NAME` for PostgreSQL, or
    /// `sqlite://PATH`; by default SQLite in the data dir. The data dir keeps the sealing
    /// key, uploaded plugins and compiled code whichever database is used.
    #[arg(long, value_name = "URL", env = "SCENA_DB", hide_env_values = true)]
    db: Option<String>,
    /// On PostgreSQL: how many connections write run logs, `kv` state and audit
    /// rows (each on a thread of its own; a run's log always goes through the same one).
    #[arg(long, value_name = "N", env = "SCENA_DB_WRITERS", default_value_t = crate::store::DEFAULT_POSTGRES_LANES as u16,
          value_parser = clap::value_parser!(u16).range(1..=crate::store::MAX_LANES as i64))]
    db_writers: u16,
    /// Require this bearer token on `/metrics` (otherwise it is open: keep the address private).
    #[arg(long, value_name = "TOKEN", env = "SCENA_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// Failed logins an account may have before each further attempt must wait.
    #[arg(long, value_name = "N", env = "SCENA_LOGIN_MAX_FAILURES", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    login_max_failures: u32,
    /// Failed logins one client address may have (over all accounts) before it must wait.
    #[arg(long, value_name = "N", env = "SCENA_LOGIN_MAX_ADDRESS_FAILURES", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    login_max_address_failures: u32,
    /// The first wait after too many failed logins (doubling with each further one, up to 15 minutes), e.g. `1s`, `500ms`.
    #[arg(long, value_name = "DURATION", env = "SCENA_LOGIN_BACKOFF", default_value = "1s", value_parser = humantime::parse_duration)]
    login_backoff: std::time::Duration,
    /// How long an agent whose connection dropped has to come back before the
    /// scripts it was running count as failed (`60s`, `5m`).
    #[arg(long, value_name = "DURATION", env = "SCENA_AGENT_LOST_AFTER", default_value = "60s", value_parser = humantime::parse_duration)]
    agent_lost_after: std::time::Duration,
    /// The most a tenant's files (what `push-file` places) may take
    /// together, in MiB; an upload past it is refused (413).
    #[arg(long, value_name = "MIB", env = "SCENA_TENANT_FILES_QUOTA_MIB", default_value_t = crate::api::DEFAULT_FILES_QUOTA_MIB)]
    tenant_files_quota_mib: u64,
    /// Serve the studio from this folder (a `vite build` output) instead of the one
    /// built into the binary: for working on the studio without rebuilding scena.
    #[arg(long, value_name = "DIR", env = "SCENA_STUDIO_DIR")]
    studio_dir: Option<PathBuf>,
    /// An OCI registry (`HOST[:PORT]`) tenants may install apps from; repeat for more.
    /// None by default: the server fetches from no registry.
    #[arg(long = "oci-registry", value_name = "HOST[:PORT]")]
    oci_registries: Vec<String>,
    /// This node's name in a cluster (servers on one PostgreSQL database)
    /// [default: the host name]; its leases carry it with a suffix per process.
    #[arg(long, value_name = "ID", env = "SCENA_NODE_ID")]
    pub(crate) node_id: Option<String>,
    /// Send traces to this OpenTelemetry collector (OTLP over HTTP, e.g.
    /// `http://collector:4318`): a trace per run, whose id is the run's, across
    /// every node that drives it. Off by default.
    #[arg(long, value_name = "URL", env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub(crate) otlp_endpoint: Option<String>,
    /// In a cluster: how long a node's lease on a run lasts without a heartbeat; when
    /// a node dies, another continues its runs this long after its last heartbeat.
    #[arg(long, value_name = "DURATION", env = "SCENA_LEASE_TTL", default_value = "5s", value_parser = humantime::parse_duration)]
    lease_ttl: std::time::Duration,
    /// On SIGTERM or Ctrl-C: how long runs may take to finish the calls they
    /// have in flight (and record what those reported) before the process
    /// ends anyway; a call cut off runs again as its next attempt.
    #[arg(long, value_name = "DURATION", env = "SCENA_STOP_TIMEOUT", default_value = "25s", value_parser = humantime::parse_duration)]
    stop_timeout: std::time::Duration,
    #[command(flatten)]
    data_dir: DataDirArg,
}

pub async fn run(args: ServeArgs) -> Result<(), CliError> {
    let data_dir = args.data_dir.resolve();
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| CliError::other(format!("cannot create {}: {e}", data_dir.display())))?;
    keep_private(&data_dir)?;
    // One server per data dir (and so per SQLite database, which lives in
    // it); on PostgreSQL any number, each the node of a cluster.
    let _data_dir_claim = data_lock::claim_for_server(&data_dir)?;
    let db = match &args.db {
        Some(url) => Db::connect_with_writers(url, usize::from(args.db_writers)).await?,
        None => Db::open(&data_dir.join("scena.db")).await?,
    };
    let node = match db.backend() {
        Backend::Postgres => Some(join_cluster(&db, args.node_id.as_deref(), args.lease_ttl).await?),
        Backend::Sqlite => None,
    };
    let identity = db.identity();
    identity.ensure_tenant(DEFAULT_TENANT).await?;
    match std::env::var("SCENA_ADMIN_TOKEN").ok().filter(|t| !t.trim().is_empty()) {
        Some(token) => {
            identity.set_admin_token(token.trim()).await?;
            eprintln!("scena serve: admin token from SCENA_ADMIN_TOKEN");
        }
        None if !identity.has_admin().await? => {
            let token = new_token();
            identity.set_admin_token(&token).await?;
            eprintln!("scena serve: admin token (shown once): {token}");
        }
        None => eprintln!("scena serve: admin token set earlier (set SCENA_ADMIN_TOKEN to replace it)"),
    }

    let first_user = ensure_first_user(&identity).await?;
    let agents = Arc::new(match &node {
        Some(node) => AgentPost::in_cluster(db.agent_links(node), db.agents()),
        None => AgentPost::alone(),
    });

    // Secrets are sealed with a key kept beside the database, not in it.
    let key = Arc::new(SealingKey::load_or_create(&data_dir)?);
    db.check_sealing_key(&key).await?;
    let config = SandboxConfig {
        cache_dir: Some(args.data_dir.compiled_cache()),
        kv: Some(db.kv()),
        hosts: Some(db.hosts()),
        jobs: Some(JobServices {
            agents: agents.clone(),
            store: db.agents(),
            files: db.files(data_dir.join("files"))?,
        }),
        ..Default::default()
    };
    let sandbox = Arc::new(Sandbox::new(config)?);
    let standard = standard_plugins(&sandbox, &args.plugin_dirs).await?;
    let (mut app, problems) = AppState::build(db.clone(), sandbox, standard, &data_dir, key, Limits::default()).await?;
    let unshared = Arc::get_mut(&mut app).expect("the app state is not shared before it is served");
    unshared.studio_dir = args.studio_dir.clone();
    unshared.oci_registries = args.oci_registries.clone();
    unshared.agents = agents;
    unshared.agent_lost_after = args.agent_lost_after;
    unshared.files_quota_bytes = args.tenant_files_quota_mib.saturating_mul(1 << 20);
    unshared.metrics_token = args.metrics_token.filter(|t| !t.trim().is_empty()).map(|t| t.trim().to_string());
    unshared.login_throttle = LoginThrottle::new(ThrottleSettings {
        account_failures: args.login_max_failures,
        address_failures: args.login_max_address_failures,
        backoff: args.login_backoff,
        ..ThrottleSettings::default()
    });
    for problem in problems {
        eprintln!("warning: uploaded {problem}");
    }
    let catalog = app.registry.view(DEFAULT_TENANT);
    match (&args.samples, args.no_samples) {
        (Some(dir), _) => publish_samples(&db, &catalog, read_samples(dir)?, true).await?,
        (None, false) => {
            let embedded = SAMPLE_FLOWS.iter().map(|(name, text)| (name.to_string(), text.to_string())).collect();
            publish_samples(&db, &catalog, embedded, false).await?
        }
        (None, true) => {}
    }
    resume_unfinished(&app.scheduler).await?;
    app.scheduler.start_cluster_duties(true);
    app.agents.start_relaying();
    tokio::spawn(collect_files(app.files.clone()));
    if let (Some(_), Some(url)) = (&node, &args.db) {
        tokio::spawn(follow_other_nodes(app.clone(), url.clone()));
    }
    tokio::spawn(run_clock(app.scheduler.clone(), db.triggers(), db.audit()));

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| CliError::other(format!("cannot listen on {}: {e}", args.listen)))?;
    let address = listener.local_addr().map_err(|e| CliError::other(e.to_string()))?;
    let database = match db.backend() {
        Backend::Postgres => "PostgreSQL",
        Backend::Sqlite => "SQLite",
    };
    if let Some(node) = &node {
        eprintln!("scena serve: node `{node}` of a cluster on this database (leases last {:?})", args.lease_ttl);
    }
    // Listened for before the server says it listens: a signal sent the
    // moment it does must stop it gracefully, not kill it.
    let signals = StopSignals::listen()?;
    eprintln!("scena serve: listening on http://{address} (data in {}, database: {database})", data_dir.display());
    if args.studio_dir.is_some() || crate::api::studio_embedded() {
        eprintln!("scena serve: studio at http://{address}/");
    } else {
        eprintln!("scena serve: this binary carries no studio (build it with `cargo xtask start`)");
    }
    match first_user {
        FirstUser::Made { password } => eprintln!(
            "scena serve: log in as `{FIRST_USER}` (owner of tenant `{DEFAULT_TENANT}`) with password {password} (shown once; change it in the studio or with PUT /api/v1/users/{FIRST_USER}/password)"
        ),
        FirstUser::FromEnvironment => {
            eprintln!("scena serve: log in as `{FIRST_USER}` with the password in SCENA_ADMIN_PASSWORD")
        }
        FirstUser::Exists => {}
    }
    // The client's address, for throttling failed logins per address.
    let scheduler = app.scheduler.clone();
    let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
    let stopper = scheduler.clone();
    let stopping = async move {
        signals.first().await;
        stopper.stop_driving();
    };
    // Requests still open at the deadline (a slow client, say) are not waited for.
    let deadline = async {
        let since = scheduler.until_stopping().await;
        tokio::time::sleep_until((since + args.stop_timeout).into()).await;
    };
    let (served, answered) = tokio::select! {
        served = axum::serve(listener, service).with_graceful_shutdown(stopping) => (served, true),
        () = deadline => (Ok(()), false),
    };
    let since = scheduler.until_stopping().await;
    match scheduler.drained(since + args.stop_timeout).await {
        0 => tracing::info!(target: "scena::serve", "stopping: every call in flight finished and was recorded"),
        left => {
            tracing::warn!(target: "scena::serve", left, "stopping: runs still had calls in flight after --stop-timeout ({:?}); those calls run again as their next attempt", args.stop_timeout)
        }
    }
    // Another node continues this one's runs at once, not after the leases expire.
    scheduler.leave_cluster().await;
    match &served {
        Ok(()) if answered => {
            tracing::info!(target: "scena::serve", "stopped: requests in flight were answered; unfinished runs go on at the next start, or on another node")
        }
        Ok(()) => {
            tracing::warn!(target: "scena::serve", "stopped: requests still open after --stop-timeout ({:?}) were left unanswered; unfinished runs go on at the next start, or on another node", args.stop_timeout)
        }
        Err(e) => tracing::error!(target: "scena::serve", "stopped: {e}"),
    }
    served.map_err(|e| CliError::other(format!("the server stopped: {e}")))
}

/// Ctrl-C, or SIGTERM (what a service manager sends). A second one ends
/// the process at once, cutting what was still finishing.
#[cfg(unix)]
struct StopSignals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl StopSignals {
    /// From now on, these signals stop the server instead of killing it.
    fn listen() -> Result<StopSignals, CliError> {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind: SignalKind, name: &str| {
            signal(kind).map_err(|e| CliError::other(format!("cannot listen for {name}: {e}")))
        };
        Ok(StopSignals {
            interrupt: listen(SignalKind::interrupt(), "SIGINT")?,
            terminate: listen(SignalKind::terminate(), "SIGTERM")?,
        })
    }

    async fn first(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => tracing::info!(target: "scena::serve", "interrupted: stopping"),
            _ = self.terminate.recv() => tracing::info!(target: "scena::serve", "terminated: stopping"),
        }
        // The same streams go on listening: a second signal is not missed.
        tokio::spawn(async move {
            let code = tokio::select! {
                _ = self.interrupt.recv() => 130,
                _ = self.terminate.recv() => 143,
            };
            tracing::warn!(target: "scena::serve", "asked again: stopping now; calls still in flight run again as their next attempt");
            std::process::exit(code);
        });
    }
}

#[cfg(not(unix))]
struct StopSignals;

#[cfg(not(unix))]
impl StopSignals {
    fn listen() -> Result<StopSignals, CliError> {
        Ok(StopSignals)
    }

    async fn first(self) {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!(target: "scena::serve", "interrupted: stopping");
        tokio::spawn(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::warn!(target: "scena::serve", "asked again: stopping now; calls still in flight run again as their next attempt");
            std::process::exit(130);
        });
    }
}

/// The data directory holds token hashes, sealed secrets and their key:
/// nobody but the server's user may list or read it.
fn keep_private(data_dir: &Path) -> Result<(), CliError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| CliError::other(format!("cannot make {} private: {e}", data_dir.display())))?;
    }
    Ok(())
}

/// The standard plugins the binary carries, and those in `dirs`.
async fn standard_plugins(sandbox: &Sandbox, dirs: &[PathBuf]) -> Result<PluginDir, CliError> {
    if STANDARD_PLUGINS.is_empty() && dirs.is_empty() {
        return Err(CliError::other(
            "this scena binary was built without the standard plugins: build it with `cargo xtask start` \
             (or run `cargo xtask guests` before `cargo build`), or pass --plugins DIR",
        ));
    }
    let mut catalog = PluginDir::default();
    let mut skipped = catalog.add_components(sandbox, STANDARD_PLUGINS).await;
    skipped.extend(catalog.add_dirs(sandbox, dirs).await?);
    for reason in skipped {
        eprintln!("warning: skipped {reason}");
    }
    Ok(catalog)
}

/// The flow files (.json) in `dir`, by name.
fn read_samples(dir: &Path) -> Result<Vec<(String, String)>, CliError> {
    let entries = std::fs::read_dir(dir).map_err(|e| CliError::other(format!("cannot read {}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| CliError::other(format!("cannot read {}: {e}", path.display())))?;
            Ok((path.display().to_string(), text))
        })
        .collect()
}

/// Save each sample flow as a draft of `default` and publish it if it is
/// valid. Unless `replace`, a flow the tenant has already (in any form) is
/// left as it is: a restart must not overwrite what someone edited.
async fn publish_samples(
    db: &Db,
    catalog: &dyn Catalog,
    samples: Vec<(String, String)>,
    replace: bool,
) -> Result<(), CliError> {
    let flows = db.flows();
    for (name, text) in samples {
        let flow = load_flow(&text).map_err(|problems| {
            CliError::other(format!(
                "sample {name} is not a valid flow: {}",
                problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ")
            ))
        })?;
        if !replace && flows.draft(DEFAULT_TENANT, &flow.name).await?.is_some() {
            continue;
        }
        flows.save_draft(DEFAULT_TENANT, &flow).await?;
        let problems = validate_flow(&flow, Some(catalog));
        if problems.is_empty() {
            let (version, _) = flows.publish(DEFAULT_TENANT, &flow.name).await?;
            eprintln!("scena serve: sample flow `{}` is version {}", flow.name, version.version);
        } else {
            eprintln!("warning: sample flow `{}` kept as a draft: {}", flow.name, problems.len());
        }
    }
    Ok(())
}

/// How often a server collects the file content no file names and no
/// running job places any more (content a job held on to when its file was
/// replaced, this node's copies of what another node collected).
const FILES_COLLECTED_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

async fn collect_files(files: crate::store::FileStore) {
    loop {
        files.collect_quietly().await;
        tokio::time::sleep(FILES_COLLECTED_EVERY).await;
    }
}

/// Runs interrupted by a stop or a crash go on, each on a task of its own;
/// in a cluster, those no live node holds (the others' expired leases are
/// claimed as they expire).
async fn resume_unfinished(scheduler: &Arc<Scheduler>) -> Result<(), CliError> {
    let ids = match scheduler.runs.leases() {
        Some(leases) => leases.unheld_unfinished().await?,
        None => scheduler.runs.unfinished().await?,
    };
    for id in ids {
        let scheduler = scheduler.clone();
        tokio::spawn(async move {
            if let Err(error) = scheduler.take_up(&id, &mut SilentProgress).await.map(|_| ()) {
                tracing::warn!(run = %id, "resuming failed: {error:#}");
            }
        });
    }
    Ok(())
}

/// In a cluster: forget what other nodes changed as they announce it, and
/// take in the plugins uploaded and the apps installed, upgraded or
/// uninstalled through them (also every few seconds, in case an
/// announcement was missed).
async fn follow_other_nodes(app: crate::api::Shared, url: String) {
    let (heard, mut refresh) = tokio::sync::mpsc::unbounded_channel::<()>();
    let cache_holder = app.clone();
    tokio::spawn(crate::store::follow_changes(url, move |table| {
        cache_holder.db.forget_cached(table);
        if matches!(table, "tenant_grants" | "secrets" | "channels" | "app_secrets" | "app_installs" | "*") {
            cache_holder.grants.forget_all();
        }
        if matches!(table, "plugins" | "app_installs" | "*") {
            let _ = heard.send(());
        }
        if matches!(table, "agent_relays" | "*") {
            cache_holder.agents.wake();
        }
    }));
    loop {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), refresh.recv()).await;
        let refreshed = async {
            let mut problems = app.registry.refresh().await?;
            problems.extend(app.market.refresh_installs().await?);
            anyhow::Ok(problems)
        };
        match refreshed.await {
            Ok(problems) => problems.iter().for_each(|problem| tracing::warn!("uploaded {problem}")),
            Err(error) => tracing::warn!("reading other nodes' uploads and installs failed: {error:#}"),
        }
    }
}

/// Make this server a node of the cluster on its PostgreSQL database.
/// This node's name: `--node-id`, else the host's name.
pub(crate) fn node_name(node_id: Option<&str>) -> String {
    match node_id.map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => id.to_string(),
        None => {
            let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
            let host = host.trim();
            (if host.is_empty() { "node" } else { host }).to_string()
        }
    }
}

async fn join_cluster(db: &Db, node_id: Option<&str>, ttl: std::time::Duration) -> Result<String, CliError> {
    let node = node_name(node_id);
    let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
    if ttl_ms < 300 {
        return Err(CliError::other("--lease-ttl must be at least 300ms: heartbeats come three times a lease"));
    }
    // Leases are held by this process, not the name: a node restarted under
    // the same name must not renew (by heartbeat) the leases of runs its
    // previous process was driving — they expire and are claimed.
    let holder = format!("{node}#{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
    db.join_cluster(&holder, ttl_ms).await?;
    Ok(holder)
}

/// The user made on a fresh database, so the studio has someone to log in as.
const FIRST_USER: &str = "admin";

enum FirstUser {
    Made { password: String },
    FromEnvironment,
    Exists,
}

/// A database with no user gets `admin`, owner of the default tenant, with the
/// password in `SCENA_ADMIN_PASSWORD` or a random one printed once.
async fn ensure_first_user(identity: &IdentityStore) -> Result<FirstUser, CliError> {
    if !identity.users().await?.is_empty() {
        return Ok(FirstUser::Exists);
    }
    let (password, first) = match std::env::var("SCENA_ADMIN_PASSWORD").ok().filter(|p| p.chars().count() >= 8) {
        Some(password) => (password, FirstUser::FromEnvironment),
        None => {
            let password = new_token()["scena_".len()..][..20].to_string();
            (password.clone(), FirstUser::Made { password })
        }
    };
    if identity.create_user(FIRST_USER, &password).await? {
        identity.set_member(DEFAULT_TENANT, FIRST_USER, "owner", None).await?;
        Ok(first)
    } else {
        Ok(FirstUser::Exists)
    }
}
