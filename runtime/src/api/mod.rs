//! The HTTP API of `scena serve`: a thin layer that authenticates, checks the
//! tenant, parses, and calls the store and the scheduler. Each route is
//! declared once (`routes!`); the router, the authorization table, the
//! OpenAPI document and the isolation tests are made from that.

mod agents;
mod apps;
mod audit;
mod auth;
mod body;
mod channels;
mod described;
mod error;
mod events;
mod files;
mod flow_limit;
mod flows;
mod grants;
mod health;
mod hosts;
mod invitations;
mod light_apps;
mod logs;
mod members;
mod metrics;
mod openapi;
mod platform;
mod plugins;
mod run_view;
mod runs;
mod schedules;
mod secrets;
mod session;
mod shapes;
mod studio;
mod throttle;
mod tokens;
mod users;
mod webhooks;

use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use axum::{Json, Router};
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use openapi::openapi as openapi_document;
pub use throttle::{LoginThrottle, ThrottleSettings};

use crate::agents::AgentPost;
use crate::atoms::TenantGrants;
use crate::authz::Authz;
use crate::catalog::{PluginDir, Registry};
use crate::market::Market;
use crate::sandbox::{Limits, Sandbox};
use crate::scheduler::Scheduler;
use crate::store::{ChannelStore, Db, FileStore, SealingKey, SecretStore};

/// Request bodies are refused (413) beyond this size…
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// …except plugin components, up to this.
pub const MAX_PLUGIN_BYTES: usize = 32 << 20;
/// …and the tenants' files, up to this…
pub const MAX_FILE_BYTES: usize = 64 << 20;
/// …and app packages, up to this.
pub const MAX_APP_BYTES: usize = crate::market::package::MAX_UNPACKED_BYTES as usize;
/// A request that takes longer is answered 408 (SSE streams send their headers at once, so they are not cut).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

pub struct AppState {
    pub db: Db,
    pub authz: Authz,
    pub scheduler: Arc<Scheduler>,
    /// The standard plugins and each tenant's uploads.
    pub registry: Arc<Registry>,
    /// Each tenant's grants, as its plugin calls get them.
    pub grants: Arc<TenantGrants>,
    pub secrets: SecretStore,
    /// Each tenant's notification channels, sealed.
    pub channels: ChannelStore,
    /// Each tenant's files, which `push-file` places on hosts.
    pub files: FileStore,
    /// If set, `/metrics` answers only `Authorization: Bearer` with it.
    pub metrics_token: Option<String>,
    /// Failed logins and invitation acceptances, per account and address.
    pub login_throttle: LoginThrottle,
    /// The marketplace: publishing, the catalog, installs.
    pub market: Arc<Market>,
    /// The OCI registries (`HOST[:PORT]`) apps may be installed from (`--oci-registry`).
    pub oci_registries: Vec<String>,
    /// The way to the agents connected now, here or (in a cluster) to other nodes.
    pub agents: Arc<AgentPost>,
    /// How long an agent whose connection dropped has to come back before the
    /// scripts it was running count as failed.
    pub agent_lost_after: Duration,
    /// The most a tenant's files (`push-file`'s) may take together, in bytes.
    pub files_quota_bytes: u64,
    /// Serve the studio from this folder instead of the files built in (`--studio-dir`).
    pub studio_dir: Option<PathBuf>,
}

pub type Shared = Arc<AppState>;

/// A tenant's files may take 10 GiB together unless the server says otherwise.
pub const DEFAULT_FILES_QUOTA_MIB: u64 = 10 << 10;

impl AppState {
    /// Everything the API serves from: the registry over `standard` and the
    /// uploads in `data_dir`, per-tenant grants and sealed secrets, and the
    /// scheduler that runs with them. Also returns uploads that no longer load.
    pub async fn build(
        db: Db,
        sandbox: Arc<Sandbox>,
        standard: PluginDir,
        data_dir: &Path,
        key: Arc<SealingKey>,
        limits: Limits,
    ) -> anyhow::Result<(Shared, Vec<String>)> {
        let blobs = db.blobs(data_dir.join("plugins"), "wasm")?;
        let (registry, problems) = Registry::open(Arc::new(standard), db.plugins(), blobs, sandbox.clone()).await?;
        let registry = Arc::new(registry);
        let secrets = db.secrets(key.clone());
        let channels = db.channels(key.clone());
        let apps = db.apps(key);
        let grants = Arc::new(TenantGrants::new(db.grants(), secrets.clone(), channels.clone(), apps.clone()));
        let market =
            Arc::new(Market::new(db.clone(), apps, registry.clone(), sandbox.clone(), grants.clone(), data_dir)?);
        let mut problems = problems;
        problems.extend(market.restore().await?);
        let scheduler = Scheduler::new(sandbox, registry.clone(), &db, grants.clone(), limits);
        let files = db.files(data_dir.join("files"))?;
        let app = AppState {
            db,
            authz: Authz::new()?,
            scheduler,
            registry,
            grants,
            secrets,
            channels,
            files,
            market,
            oci_registries: Vec::new(),
            metrics_token: None,
            studio_dir: None,
            agents: Arc::new(AgentPost::alone()),
            agent_lost_after: Duration::from_secs(60),
            files_quota_bytes: DEFAULT_FILES_QUOTA_MIB << 20,
            login_throttle: LoginThrottle::new(ThrottleSettings::default()),
        };
        Ok((Arc::new(app), problems))
    }
}

/// What a route asks to do, for the policies (`crate::authz`).
#[derive(Debug, Clone, Copy)]
pub enum RouteAction {
    /// One action.
    Is(&'static str),
    /// `…/runs/{id}/{action}`: cancel, pause, unpause.
    RunControl,
    /// `…/nodes/{node}/{action}`: approve and reject are `approve`, the rest `operate`.
    NodeControl,
    /// Not about a tenant: the platform admin only.
    Platform,
    /// Not about a tenant: anyone with a valid token.
    SignedIn,
    /// `…/users/{user}/…`: that user's own login token, or the platform admin.
    Own,
}

impl RouteAction {
    pub fn resolve(self, action_param: Option<&str>) -> &'static str {
        match (self, action_param) {
            (RouteAction::Is(action), _) => action,
            (RouteAction::NodeControl, Some("approve" | "reject")) => "approve",
            (RouteAction::RunControl | RouteAction::NodeControl, _) => "operate",
            (RouteAction::Platform, _) => "platform",
            (RouteAction::SignedIn, _) => "read",
            (RouteAction::Own, _) => "account",
        }
    }
}

pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub action: RouteAction,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
    /// What the handler's types say: its body, query and answers.
    pub describe: fn(&mut Generators) -> Described,
}

use described::{Described, Generators};

use RouteAction::{Is, NodeControl, Own, Platform, RunControl, SignedIn};

/// Routes declared once each: method, path, the policy action it is checked
/// for, a one-line summary, and its handler. A list of them becomes a table
/// (`ROUTES`, `PUBLIC_ROUTES`: authorization, the OpenAPI document, the
/// isolation tests) and a router, so a route cannot be served without being
/// in the table, nor listed without being served; the document describes each
/// route from its handler's types (`described.rs`).
macro_rules! routes {
    ($table:ident, $router:ident; $( $method:ident $path:literal, $action:expr, $summary:literal => $handler:expr $(, layer $layer:expr)?; )*) => {
        pub const $table: &[Route] = &[$( Route {
            method: stringify!($method),
            path: $path,
            action: $action,
            summary: $summary,
            describe: |generators| described::describe(&$handler, generators),
        }, )*];

        fn $router() -> Router<Shared> {
            Router::new()$(
                .route($path, { let method = on(MethodFilter::$method, $handler); $( let method = method.layer($layer); )? method })
            )*
        }
    };
}

routes! {
    ROUTES, tenant_router;
    GET "/api/v1/users", Platform, "Every user" => users::list;
    POST "/api/v1/users", Platform, "Create a user" => platform::create_user;
    DELETE "/api/v1/users/{user}", Platform, "Delete a user: memberships go, their tokens are revoked" => users::delete;
    PUT "/api/v1/users/{user}/password", Own, "Change a password (one's own, giving the current one; anyone's, as platform admin)" => users::set_password;
    GET "/api/v1/auth/session", SignedIn, "The caller: their tenants and what their role there may do (the studio's session, or any token)" => session::show;
    DELETE "/api/v1/auth/session", SignedIn, "Log out: revoke the caller's token and clear the session cookie" => session::end;
    GET "/api/v1/tenants", SignedIn, "The tenants the caller belongs to (all, for the platform admin)" => platform::list_tenants;
    POST "/api/v1/tenants", Platform, "Create a tenant" => platform::create_tenant;
    GET "/api/v1/audit", Platform, "The platform-wide audit log" => audit::platform_log;
    GET "/api/v1/tenants/{tenant}/audit", Is("audit"), "The tenant's audit log, newest first" => audit::tenant_log;
    GET "/api/v1/tenants/{tenant}/members", Is("manage_members"), "The tenant's members with their roles" => members::list;
    PUT "/api/v1/tenants/{tenant}/members/{user}", Is("manage_members"), "Add a member or change their role" => members::put;
    DELETE "/api/v1/tenants/{tenant}/members/{user}", Is("manage_members"), "Remove a member" => members::delete;
    GET "/api/v1/tenants/{tenant}/invitations", Is("manage_members"), "Invitations (never their codes)" => invitations::list;
    POST "/api/v1/tenants/{tenant}/invitations", Is("manage_members"), "Invite someone with a role at most one's own" => invitations::create;
    DELETE "/api/v1/tenants/{tenant}/invitations/{id}", Is("manage_members"), "Revoke an open invitation" => invitations::revoke;
    GET "/api/v1/tenants/{tenant}/tokens", Is("read"), "API tokens (one's own; all for member managers)" => tokens::list;
    POST "/api/v1/tenants/{tenant}/tokens", Is("read"), "Make an API token with at most one's own role" => tokens::create;
    DELETE "/api/v1/tenants/{tenant}/tokens/{id}", Is("read"), "Revoke an API token" => tokens::revoke;
    GET "/api/v1/tenants/{tenant}/grants", Is("read"), "The tenant's capability grants" => grants::show;
    PUT "/api/v1/tenants/{tenant}/grants", Is("manage_grants"), "Replace the tenant's capability grants" => grants::replace;
    GET "/api/v1/tenants/{tenant}/secrets", Is("read"), "Secret names (never values)" => secrets::list;
    PUT "/api/v1/tenants/{tenant}/secrets/{secret}", Is("manage_grants"), "Set a secret" => secrets::put;
    DELETE "/api/v1/tenants/{tenant}/secrets/{secret}", Is("manage_grants"), "Delete a secret" => secrets::delete;
    POST "/api/v1/tenants/{tenant}/agents/enrolments", Is("manage_hosts"), "Make an enrolment token for agents (shown once)" => agents::create_enrolment;
    GET "/api/v1/tenants/{tenant}/agents/enrolments", Is("manage_hosts"), "Enrolment tokens (never the tokens)" => agents::enrolments;
    DELETE "/api/v1/tenants/{tenant}/agents/enrolments/{id}", Is("manage_hosts"), "Revoke an enrolment token" => agents::revoke_enrolment;
    GET "/api/v1/tenants/{tenant}/agents", Is("read"), "The tenant's agents and whether each is connected" => agents::list;
    DELETE "/api/v1/tenants/{tenant}/agents/{agent}", Is("manage_hosts"), "Revoke an agent: its credential stops working and its connection is cut" => agents::revoke;
    GET "/api/v1/tenants/{tenant}/hosts", Is("read"), "The host inventory, by label selector, paged" => hosts::list;
    POST "/api/v1/tenants/{tenant}/hosts/import", Is("manage_hosts"), "Import hosts from CSV or JSON: all or nothing, every bad row reported with its line" => hosts::import;
    GET "/api/v1/tenants/{tenant}/hosts/export", Is("read"), "Every host, as CSV or JSON" => hosts::export;
    GET "/api/v1/tenants/{tenant}/hosts/{id}", Is("read"), "One host" => hosts::show;
    PUT "/api/v1/tenants/{tenant}/hosts/{id}", Is("manage_hosts"), "Add or change a host" => hosts::put;
    DELETE "/api/v1/tenants/{tenant}/hosts/{id}", Is("manage_hosts"), "Remove a host" => hosts::delete;
    GET "/api/v1/tenants/{tenant}/files", Is("read"), "The tenant's files, which `push-file` places on hosts (name, size, sha256)" => files::list;
    PUT "/api/v1/tenants/{tenant}/files/{file}", Is("publish"), "Upload a file (the body is its content, up to 64 MiB): a new name is created, an existing one replaced" => files::put, layer DefaultBodyLimit::max(MAX_FILE_BYTES);
    GET "/api/v1/tenants/{tenant}/files/{file}", Is("read"), "One file: size, sha256, who uploaded it when" => files::show;
    GET "/api/v1/tenants/{tenant}/files/{file}/content", Is("read"), "A file's content" => files::content;
    DELETE "/api/v1/tenants/{tenant}/files/{file}", Is("publish"), "Delete a file (jobs that placed it keep their record)" => files::delete;
    GET "/api/v1/tenants/{tenant}/channels", Is("read"), "Notification channels (kind, format and target; never a URL's key or a password)" => channels::list;
    PUT "/api/v1/tenants/{tenant}/channels/{channel}", Is("manage_grants"), "Set a notification channel: a webhook (json, slack, feishu, wecom, dingtalk) or SMTP mail" => channels::put;
    DELETE "/api/v1/tenants/{tenant}/channels/{channel}", Is("manage_grants"), "Delete a notification channel" => channels::delete;
    GET "/api/v1/tenants/{tenant}/plugins", Is("read"), "The plugins the tenant sees" => plugins::list;
    POST "/api/v1/tenants/{tenant}/plugins", Is("publish"), "Upload a plugin component (the body is the .wasm)" => plugins::upload, layer DefaultBodyLimit::max(MAX_PLUGIN_BYTES);
    GET "/api/v1/tenants/{tenant}/plugins/{plugin}", Is("read"), "A plugin's versions" => plugins::versions;
    GET "/api/v1/tenants/{tenant}/plugins/{plugin}/{version}", Is("read"), "One version with its schemas" => plugins::version;
    POST "/api/v1/tenants/{tenant}/plugins/{plugin}/{version}/yank", Is("publish"), "Yank an uploaded version" => plugins::yank;
    POST "/api/v1/tenants/{tenant}/plugins/{plugin}/{version}/unyank", Is("publish"), "Restore a yanked version" => plugins::unyank;
    GET "/api/v1/tenants/{tenant}/flows", Is("read"), "Flows with their latest version" => flows::list;
    GET "/api/v1/tenants/{tenant}/flows/{name}", Is("read"), "A flow's draft, its problems and its versions" => flows::show;
    PUT "/api/v1/tenants/{tenant}/flows/{name}/draft", Is("edit"), "Save the draft" => flows::save_draft;
    GET "/api/v1/tenants/{tenant}/flows/{name}/versions", Is("read"), "Published versions" => flows::versions;
    POST "/api/v1/tenants/{tenant}/flows/{name}/versions", Is("publish"), "Publish the draft" => flows::publish;
    GET "/api/v1/tenants/{tenant}/flows/{name}/versions/{version}", Is("read"), "One version with its flow" => flows::version;
    GET "/api/v1/tenants/{tenant}/flows/{name}/diff", Is("read"), "Structured diff of two versions" => flows::diff;
    POST "/api/v1/tenants/{tenant}/flows/{name}/runs", Is("run"), "Start a run (optionally waiting for its end)" => runs::start;
    PUT "/api/v1/tenants/{tenant}/flows/{name}/webhook", Is("publish"), "Make or rotate the flow's webhook" => webhooks::rotate;
    DELETE "/api/v1/tenants/{tenant}/flows/{name}/webhook", Is("publish"), "Revoke the flow's webhook" => webhooks::remove;
    PUT "/api/v1/tenants/{tenant}/flows/{name}/light-app", Is("publish"), "Offer the flow (its latest version) as a light app: a form, a run button, the result and one's own runs" => light_apps::enable;
    DELETE "/api/v1/tenants/{tenant}/flows/{name}/light-app", Is("publish"), "Stop offering the flow as a light app" => light_apps::disable;
    GET "/api/v1/tenants/{tenant}/light-apps", Is("use_light_apps"), "The light apps the caller may use" => light_apps::list;
    GET "/api/v1/tenants/{tenant}/light-apps/{name}", Is("use_light_apps"), "A light app: title, description and the JSON Schema of its form" => light_apps::show;
    POST "/api/v1/tenants/{tenant}/light-apps/{name}/runs", Is("use_light_apps"), "Run a light app (optionally waiting for its end)" => light_apps::start;
    GET "/api/v1/tenants/{tenant}/light-apps/{name}/runs", Is("use_light_apps"), "The caller's own runs of a light app, newest first" => light_apps::runs;
    GET "/api/v1/tenants/{tenant}/light-apps/{name}/runs/{id}", Is("use_light_apps"), "One of the caller's runs of a light app" => light_apps::run;
    GET "/api/v1/tenants/{tenant}/flows/{name}/schedules", Is("read"), "The flow's cron schedules" => schedules::list;
    POST "/api/v1/tenants/{tenant}/flows/{name}/schedules", Is("publish"), "Add a cron schedule" => schedules::create;
    DELETE "/api/v1/tenants/{tenant}/flows/{name}/schedules/{id}", Is("publish"), "Remove a cron schedule" => schedules::delete;
    GET "/api/v1/tenants/{tenant}/schedules/preview", Is("read"), "When a cron schedule would fire next, in its zone" => schedules::preview;
    GET "/api/v1/tenants/{tenant}/runs", Is("read"), "Runs, newest first" => runs::list;
    GET "/api/v1/tenants/{tenant}/runs/{id}", Is("read"), "A run with every node" => runs::show;
    GET "/api/v1/tenants/{tenant}/runs/{id}/events", Is("read"), "The run's events (and its step calls' logs) as Server-Sent Events" => events::stream_events;
    GET "/api/v1/tenants/{tenant}/runs/{id}/logs", Is("read"), "What the run's step calls logged (lines and atom calls), paged" => logs::page;
    POST "/api/v1/tenants/{tenant}/runs/{id}/{action}", RunControl, "cancel, pause or unpause a run (`resume` is the old name of `unpause`)" => runs::run_control;
    GET "/api/v1/tenants/{tenant}/publisher", Is("read"), "The tenant's public signing key for the apps it publishes (ed25519, base64; null until it first publishes)" => apps::publisher;
    GET "/api/v1/tenants/{tenant}/apps", Is("read"), "The apps this tenant publishes" => apps::own;
    POST "/api/v1/tenants/{tenant}/apps", Is("publish_apps"), "Publish an app version (the body is a .scena-app package): checked, signed with the tenant's key, immutable" => apps::publish, layer DefaultBodyLimit::max(MAX_APP_BYTES);
    POST "/api/v1/tenants/{tenant}/apps/from-flows", Is("publish_apps"), "Publish the tenant's flows (their latest versions) and the uploaded plugins they call as an app version" => apps::publish_flows, layer DefaultBodyLimit::max(MAX_APP_BYTES);
    PUT "/api/v1/tenants/{tenant}/apps/{app}/visibility", Is("publish_apps"), "Who sees the app: `public`, or `private` to the publisher and `shared_with`" => apps::set_visibility;
    POST "/api/v1/tenants/{tenant}/apps/{app}/versions/{version}/{action}", Is("publish_apps"), "yank or unyank a version (a yanked version is not newly installed)" => apps::yank;
    GET "/api/v1/tenants/{tenant}/market/apps", Is("read"), "The marketplace: apps this tenant may see, by text (`q`) and `category`" => apps::catalog;
    GET "/api/v1/tenants/{tenant}/market/apps/{app}", Is("read"), "An app's page: README, capabilities, versions with changelogs, installs, the publisher's key" => apps::page;
    GET "/api/v1/tenants/{tenant}/market/apps/{app}/versions/{version}/package", Is("read"), "A version's signed package (.scena-app), to inspect or keep" => apps::package;
    GET "/api/v1/tenants/{tenant}/installs", Is("read"), "The apps installed in this tenant" => apps::installs;
    POST "/api/v1/tenants/{tenant}/installs", Is("install_apps"), "Install or upgrade an app, accepting exactly the capabilities it asks (`accept`)" => apps::install;
    GET "/api/v1/tenants/{tenant}/installs/{app}", Is("read"), "One installed app" => apps::installed;
    DELETE "/api/v1/tenants/{tenant}/installs/{app}", Is("install_apps"), "Uninstall an app: its flows, grants, secrets and plugins go; runs keep their history" => apps::uninstall;
    GET "/api/v1/tenants/{tenant}/installs/{app}/consent", Is("read"), "What installing a version (`version`, default the newest) grants, and for an upgrade what it adds and how flows change" => apps::consent;
    PUT "/api/v1/tenants/{tenant}/installs/{app}/secrets/{secret}", Is("install_apps"), "Supply a secret an installed app asks for" => apps::put_secret;
    POST "/api/v1/tenants/{tenant}/runs/{id}/nodes/{node}/{action}", NodeControl, "retry, skip, approve, reject or force-fail a node" => runs::node_control;
}

routes! {
    PUBLIC_ROUTES, public_router;
    GET "/healthz", SignedIn, "Liveness" => health::alive;
    GET "/readyz", SignedIn, "Readiness for a load balancer: the database answers, its migrations are this binary's, and (in a cluster) the node's lease heartbeat is fresh; 503 otherwise" => health::ready;
    GET "/metrics", SignedIn, "Prometheus metrics (text format); with a metrics token set, `Authorization: Bearer` with it" => metrics::scrape;
    GET "/api/v1/openapi.json", SignedIn, "This document" => openapi::document;
    POST "/api/v1/auth/login", SignedIn, "Log in: a token for a username and password" => platform::login;
    POST "/api/v1/auth/session", SignedIn, "Log in for the studio: sets an HttpOnly session cookie and answers the session with its CSRF token" => session::begin;
    POST "/api/v1/invitations/{code}/accept", SignedIn, "Join a tenant with an invitation code (as a new user, or an existing one with their password)" => invitations::accept;
    POST "/api/v1/agents/enrol", SignedIn, "Enrol an agent with an enrolment token: its host joins the inventory; answers the agent's credential" => agents::enrol;
    GET "/api/v1/agents/connect", SignedIn, "An agent's connection (WebSocket; `Authorization: Bearer` with its credential)" => agents::connect;
    GET "/api/v1/agents/jobs/{job}/file", SignedIn, "The file a `push-file` job sent the calling agent to place (`Authorization: Bearer` with its credential)" => agents::job_file;
    POST "/hooks/{id}", SignedIn, "Fire a webhook: start a run with the body as input" => webhooks::fire;
}

/// Whether this binary serves the studio at `/`.
pub fn studio_embedded() -> bool {
    studio::embedded()
}

pub fn router(app: Shared) -> Router {
    let api = tenant_router().route_layer(from_fn_with_state(app.clone(), auth::authorize));
    public_router()
        .merge(api)
        .fallback(studio::fallback)
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed here")
        })
        .layer(from_fn_with_state(app.clone(), audit::record))
        .layer(axum::middleware::from_fn(metrics::observe_request))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(CompressionLayer::new())
        // The request's span names the path without credentials (and leaves the query out).
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<axum::body::Body>| {
            tracing::debug_span!("request", method = %request.method(), path = %audit::loggable_path(request.uri().path()))
        }))
        .with_state(app)
}

/// A handler that panicked: a bug, reported as one; the server goes on.
fn panicked(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let body = json!({"error": {"code": "internal", "message": "internal error; see the server log", "details": null}});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}
