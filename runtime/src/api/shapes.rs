//! The shapes of each route's requests and answers, for the OpenAPI document:
//! the body it takes, its query parameters, and what it answers when it
//! succeeds — the statuses and the body's JSON Schema. The API tests check
//! every exchange they make against the served document
//! (`tests/it/support/documented.rs`), so a handler and its description cannot
//! drift apart unnoticed.

use serde_json::{Map, Value, json};

use crate::market;

/// A route's successful answers: its statuses, and what their body is.
pub struct Success {
    pub statuses: &'static [u16],
    pub body: Body,
}

pub enum Body {
    /// JSON with this schema.
    Json(Value),
    /// Not JSON: this media type.
    Other(&'static str),
    None,
}

fn answers(statuses: &'static [u16], body: Value) -> Option<Success> {
    Some(Success { statuses, body: Body::Json(body) })
}

fn ok(body: Value) -> Option<Success> {
    answers(&[200], body)
}

fn created(body: Value) -> Option<Success> {
    answers(&[201], body)
}

fn no_content() -> Option<Success> {
    Some(Success { statuses: &[204], body: Body::None })
}

/// The successful answers of `method path` (a route template), if described here.
pub fn success(method: &str, path: &str) -> Option<Success> {
    let tail = within_tenant(path);
    match (method, tail) {
        ("GET", "/api/v1/users") => {
            ok(object(&[("users", array(object(&[("username", string()), ("created_at", string())])))]))
        }
        ("POST", "/api/v1/users") => created(object(&[("username", string())])),
        ("PUT", "/api/v1/users/{user}/password") => {
            ok(object(&[("username", string()), ("login_tokens_revoked", boolean())]))
        }
        ("GET", "/api/v1/tenants") => {
            ok(object(&[("tenants", array(object(&[("name", string()), ("role", string())])))]))
        }
        ("POST", "/api/v1/tenants") => created(object(&[("name", string())])),
        ("GET", "/api/v1/audit" | "/audit") => ok(object(&[("entries", array(named("AuditEntry")))])),
        ("GET", "/members") => ok(object(&[(
            "members",
            array(object(&[("username", string()), ("role", string()), ("flows", or_null(array(string())))])),
        )])),
        ("PUT", "/members/{user}") => ok(object(&[
            ("tenant", string()),
            ("user", string()),
            ("role", string()),
            ("flows", or_null(array(string()))),
        ])),
        ("GET", "/invitations") => ok(object(&[("invitations", array(named("Invitation")))])),
        ("POST", "/invitations") => created(object(&[
            ("id", string()),
            ("code", string()),
            ("tenant", string()),
            ("role", string()),
            ("flows", or_null(array(string()))),
            ("expires_at", string()),
            ("accept", string()),
        ])),
        ("GET", "/tokens") => ok(object(&[("tokens", array(named("Token")))])),
        ("POST", "/tokens") => created(object(&[("token", string()), ("info", named("Token"))])),
        ("GET" | "PUT", "/grants") => ok(named("Grants")),
        ("GET", "/secrets") => ok(object(&[(
            "secrets",
            array(object(&[("name", string()), ("updated_at", string()), ("updated_by", string())])),
        )])),
        ("PUT", "/secrets/{secret}") => no_content(),
        ("GET", "/plugins") => ok(object(&[("plugins", array(named("Plugin")))])),
        // 200 for bytes uploaded before.
        ("POST", "/plugins") => answers(&[200, 201], named("Plugin")),
        ("GET", "/plugins/{plugin}") => ok(object(&[("name", string()), ("versions", array(named("Plugin")))])),
        ("GET", "/plugins/{plugin}/{version}") => ok(named("PluginVersion")),
        ("POST", "/plugins/{plugin}/{version}/yank" | "/plugins/{plugin}/{version}/unyank") => ok(object(&[
            ("name", string()),
            ("version", string()),
            ("yanked", boolean()),
            ("yanked_at", or_null(string())),
        ])),
        ("GET", "/publisher") => {
            ok(object(&[("publisher", string()), ("public_key", or_null(string())), ("algorithm", string())]))
        }
        ("GET", "/apps") => ok(object(&[("apps", array(derived::<market::CatalogEntry>()))])),
        ("POST", "/apps" | "/apps/from-flows") => created(derived::<market::Published>()),
        ("PUT", "/apps/{app}/visibility") => {
            ok(object(&[("app", string()), ("visibility", string()), ("shared_with", array(string()))]))
        }
        ("POST", "/apps/{app}/versions/{version}/{action}") => {
            ok(object(&[("app", string()), ("version", string()), ("yanked", boolean())]))
        }
        ("GET", "/market/apps") => ok(object(&[("apps", array(derived::<market::CatalogEntry>()))])),
        ("GET", "/market/apps/{app}") => ok(derived::<market::AppPage>()),
        ("GET", "/market/apps/{app}/versions/{version}/package") => {
            Some(Success { statuses: &[200], body: Body::Other("application/gzip") })
        }
        ("GET", "/installs") => ok(object(&[("installs", array(derived::<market::Installed>()))])),
        // 200 for an upgrade.
        ("POST", "/installs") => answers(&[200, 201], derived::<market::Installed>()),
        ("GET", "/installs/{app}") => ok(derived::<market::Installed>()),
        ("DELETE", "/installs/{app}") => {
            ok(object(&[("app", string()), ("uninstalled", boolean()), ("flows_removed", array(string()))]))
        }
        ("GET", "/installs/{app}/consent") => ok(derived::<market::Consent>()),
        ("PUT", "/installs/{app}/secrets/{secret}") => {
            ok(object(&[("app", string()), ("secret", string()), ("set", boolean())]))
        }
        ("GET", "/flows") => {
            ok(object(&[("flows", array(object(&[("name", string()), ("latest_version", or_null(integer()))])))]))
        }
        ("GET", "/flows/{name}") => {
            let draft = object(&[
                ("flow", named("Flow")),
                ("updated_at", string()),
                (
                    "revision",
                    described(integer(), "send it back as `If-Match: \"REVISION\"` to save only over this draft"),
                ),
                ("problems", array(named("Problem"))),
            ]);
            ok(object(&[("name", string()), ("draft", or_null(draft)), ("versions", array(named("FlowVersion")))]))
        }
        ("PUT", "/flows/{name}/draft") => ok(object(&[
            ("name", string()),
            ("saved", boolean()),
            ("revision", integer()),
            ("problems", array(named("Problem"))),
        ])),
        ("GET", "/flows/{name}/versions") => ok(object(&[("versions", array(named("FlowVersion")))])),
        // 200 when the draft is the latest version already.
        ("POST", "/flows/{name}/versions") => answers(
            &[200, 201],
            object(&[
                ("version", integer()),
                ("content_hash", string()),
                ("published_at", string()),
                ("created", boolean()),
            ]),
        ),
        ("GET", "/flows/{name}/versions/{version}") => {
            ok(json!({"allOf": [named("FlowVersion"), object(&[("flow", named("Flow"))])]}))
        }
        ("GET", "/flows/{name}/diff") => {
            ok(object(&[("from", integer()), ("to", integer()), ("diff", named("FlowDiff"))]))
        }
        // 200 once the run has ended or waits for people within `wait_ms`, 202 while it goes on.
        ("POST", "/flows/{name}/runs") => answers(&[200, 202], json!({"anyOf": [named("Run"), named("RunOutcome")]})),
        ("POST", "/light-apps/{name}/runs") => answers(&[200, 202], named("Run")),
        ("PUT", "/flows/{name}/light-app") => ok(object(&[
            ("flow", string()),
            ("title", string()),
            ("description", string()),
            ("enabled_at", string()),
            ("enabled_by", string()),
        ])),
        ("DELETE", "/flows/{name}/light-app") => ok(object(&[("flow", string()), ("enabled", boolean())])),
        ("GET", "/light-apps") => ok(object(&[(
            "light_apps",
            array(object(&[("flow", string()), ("title", string()), ("description", string())])),
        )])),
        ("GET", "/light-apps/{name}") => ok(object(&[
            ("flow", string()),
            ("title", string()),
            ("description", string()),
            ("inputs", described(json!({}), "the JSON Schema of the form")),
            ("version", integer()),
        ])),
        ("GET", "/light-apps/{name}/runs") => ok(object(&[("runs", array(named("RunSummary")))])),
        ("GET", "/light-apps/{name}/runs/{id}") => ok(named("Run")),
        ("PUT", "/flows/{name}/webhook") => ok(object(&[("flow", string()), ("id", string()), ("path", string())])),
        ("GET", "/flows/{name}/schedules") => ok(object(&[("schedules", array(named("Schedule")))])),
        ("POST", "/flows/{name}/schedules") => created(named("Schedule")),
        ("POST", "/agents/enrolments") => created(object(&[
            ("id", string()),
            ("token", described(string(), "shown once")),
            ("expires_at", or_null(string())),
        ])),
        ("GET", "/agents/enrolments") => ok(object(&[(
            "enrolments",
            array(object(&[
                ("id", string()),
                ("labels", described(string(), "the labels, as JSON text")),
                ("created_at", string()),
                ("created_by", string()),
                ("expires_at", or_null(string())),
                ("revoked_at", or_null(string())),
            ])),
        )])),
        ("GET", "/agents") => ok(object(&[(
            "agents",
            array(object(&[
                ("id", string()),
                ("enrolled_at", string()),
                ("revoked_at", or_null(string())),
                ("connected", boolean()),
            ])),
        )])),
        ("POST", "/api/v1/agents/enrol") => ok(object(&[
            ("tenant", string()),
            ("agent", string()),
            ("credential", described(string(), "the agent keeps it; shown once")),
        ])),
        ("GET", "/api/v1/agents/connect") => Some(Success { statuses: &[101], body: Body::None }),
        ("GET", "/channels") => ok(object(&[(
            "channels",
            array(object(&[
                ("name", string()),
                ("kind", json!({"enum": ["webhook", "email"]})),
                ("format", or_null(json!({"enum": ["json", "slack", "feishu", "wecom", "dingtalk"]}))),
                ("target", described(string(), "the webhook's host, or the SMTP server as host:port")),
                ("from", or_null(string())),
                ("updated_at", string()),
                ("updated_by", string()),
            ])),
        )])),
        ("PUT", "/channels/{channel}") => no_content(),
        ("GET", "/hosts") => ok(object(&[("hosts", array(named("Host"))), ("next", or_null(string()))])),
        ("POST", "/hosts/import") => {
            ok(object(&[("created", integer()), ("updated", integer()), ("removed", integer())]))
        }
        ("GET", "/hosts/export") => ok(array(named("Host"))),
        ("GET", "/hosts/{id}") => ok(named("Host")),
        ("PUT", "/hosts/{id}") => answers(&[200, 201], named("Host")),
        ("GET", "/schedules/preview") => {
            ok(object(&[("cron", string()), ("timezone", string()), ("next", array(string()))]))
        }
        ("GET", "/runs") => ok(object(&[("runs", array(named("RunSummary"))), ("next", or_null(string()))])),
        ("GET", "/runs/{id}") | ("POST", "/runs/{id}/{action}" | "/runs/{id}/nodes/{node}/{action}") => {
            ok(named("Run"))
        }
        ("GET", "/runs/{id}/events") => Some(Success { statuses: &[200], body: Body::Other("text/event-stream") }),
        ("GET", "/runs/{id}/logs") => ok(object(&[("entries", array(named("StepLog"))), ("next", or_null(integer()))])),
        ("DELETE", _) => no_content(),
        ("GET", "/healthz") => ok(object(&[("status", string())])),
        // 503 too: a node that is not ready answers the same shape.
        ("GET", "/readyz") => answers(
            &[200, 503],
            object(&[
                ("status", string()),
                ("checks", object(&[("database", string()), ("lease_heartbeat", string())])),
            ]),
        ),
        ("POST", "/api/v1/auth/login") => ok(object(&[("token", string())])),
        ("GET" | "POST", "/api/v1/auth/session") => ok(named("Session")),
        ("POST", "/api/v1/invitations/{code}/accept") => created(object(&[
            ("token", string()),
            ("username", string()),
            ("tenant", string()),
            ("role", string()),
            ("new_user", boolean()),
        ])),
        ("POST", "/hooks/{id}") => answers(&[202], object(&[("run", string()), ("flow", string())])),
        ("GET", "/metrics") => Some(Success { statuses: &[200], body: Body::Other("application/openmetrics-text") }),
        // The document itself: OpenAPI 3.1 describes its own shape.
        ("GET", "/api/v1/openapi.json") => ok(json!({"type": "object", "required": ["openapi", "paths"]})),
        _ => None,
    }
}

/// The JSON body `method path` takes, if any (the flow draft and plugin
/// uploads are described where the document is built).
pub fn request_body(method: &str, path: &str) -> Option<Value> {
    let tail = within_tenant(path);
    let credentials = || strict(&[("username", string()), ("password", string())], &[]);
    let expiry = [
        ("expires_at", described(string(), "an RFC 3339 instant")),
        ("expires_in", described(string(), "a duration from now: `30d`, `12h`")),
    ];
    match (method, tail) {
        (
            "POST",
            "/api/v1/users" | "/api/v1/auth/login" | "/api/v1/auth/session" | "/api/v1/invitations/{code}/accept",
        ) => Some(credentials()),
        ("PUT", "/api/v1/users/{user}/password") => Some(strict(
            &[("password", string())],
            &[("current_password", described(string(), "required when users change their own"))],
        )),
        ("POST", "/api/v1/tenants") => Some(strict(&[("name", string())], &[])),
        ("PUT", "/members/{user}") => Some(strict(
            &[("role", string())],
            &[("flows", described(array(string()), "limit the member to running these flows"))],
        )),
        ("POST", "/invitations") => {
            Some(strict(&[("role", string())], &[&[("flows", array(string()))][..], &expiry].concat()))
        }
        ("POST", "/tokens") => Some(strict(&[("name", string()), ("role", string())], &expiry)),
        ("PUT", "/grants") => Some(json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "http": described(array(string()), "hosts plugins may reach: `api.example.com`, `*.example.com`, `*`"),
                "secrets": described(json!({"type": "object", "additionalProperties": array(string())}), "plugin name (or `*`) → the secrets it may read"),
                "notify": described(json!({"type": "object", "additionalProperties": array(string())}), "plugin name (or `*`) → the notification channels it may send to"),
                "hosts": described(
                    json!({"anyOf": [{"type": "object", "additionalProperties": array(string())}, array(string())]}),
                    "plugin name (or `*`) → label selectors of the hosts it may see and touch (`zone=eu-1,role=game`, `id=h-1`); a plain list grants every plugin",
                ),
            },
        })),
        ("PUT", "/secrets/{secret}") => Some(strict(&[("value", string())], &[])),
        ("POST", "/agents/enrolments") => Some(strict(
            &[],
            &[
                ("labels", json!({"type": "object", "additionalProperties": string()})),
                ("expires_in", described(string(), "a duration from now: `30d`, `12h`")),
            ],
        )),
        ("POST", "/api/v1/agents/enrol") => Some(strict(
            &[("token", string()), ("id", string()), ("hostname", string()), ("ip", string())],
            &[("labels", json!({"type": "object", "additionalProperties": string()}))],
        )),
        ("PUT", "/channels/{channel}") => Some(json!({"oneOf": [
            strict(
                &[("kind", json!({"const": "webhook"})), ("url", string())],
                &[("format", json!({"enum": ["json", "slack", "feishu", "wecom", "dingtalk"], "default": "json"}))],
            ),
            strict(
                &[("kind", json!({"const": "email"})), ("host", string()), ("from", string())],
                &[
                    ("port", integer()),
                    ("security", json!({"enum": ["tls", "starttls", "none"], "default": "tls"})),
                    ("username", string()),
                    ("password", string()),
                ],
            ),
        ]})),
        ("PUT", "/hosts/{id}") => Some(strict(
            &[("hostname", string()), ("ip", described(string(), "IPv4 or IPv6"))],
            &[("labels", json!({"type": "object", "additionalProperties": string()}))],
        )),
        ("POST", "/hosts/import") => Some(described(
            array(strict(
                &[("id", string()), ("hostname", string()), ("ip", string())],
                &[("labels", json!({"type": "object", "additionalProperties": string()}))],
            )),
            "JSON as here, or `text/csv` with the columns `id`, `hostname`, `ip` and one per label",
        )),
        ("POST", "/flows/{name}/runs") => Some(strict(
            &[],
            &[("input", json!({})), ("version", described(integer(), "a published version; the latest if absent"))],
        )),
        ("POST", "/light-apps/{name}/runs") => {
            Some(strict(&[], &[("input", described(json!({}), "the form's values"))]))
        }
        ("PUT", "/flows/{name}/light-app") => Some(strict(
            &[],
            &[("title", described(string(), "the page's title (default: the flow's)")), ("description", string())],
        )),
        ("POST", "/flows/{name}/schedules") => Some(strict(
            &[("cron", described(string(), "5 fields (minute hour day month weekday), or 6 with seconds first"))],
            &[("timezone", described(string(), "an IANA zone; UTC if absent")), ("input", json!({}))],
        )),
        ("POST", "/runs/{id}/{action}" | "/runs/{id}/nodes/{node}/{action}") => Some(strict(
            &[],
            &[
                ("reason", string()),
                ("comment", string()),
                ("input", described(json!({}), "retry: the input to use instead of the mapping")),
                ("output", described(json!({}), "skip: the output to give the node")),
            ],
        )),
        ("POST", "/hooks/{id}") => Some(described(json!({}), "the run's input")),
        ("POST", "/installs") => Some(derived::<market::InstallRequest>()),
        ("POST", "/apps/from-flows") => Some(derived::<market::FromFlows>()),
        ("PUT", "/apps/{app}/visibility") => Some(strict(
            &[("visibility", json!({"enum": ["public", "private"]}))],
            &[("shared_with", described(array(string()), "tenants that see a private app"))],
        )),
        ("PUT", "/installs/{app}/secrets/{secret}") => Some(strict(&[("value", string())], &[])),
        _ => None,
    }
}

/// The query parameters of `method path`: name, schema, what it means.
pub fn query_parameters(method: &str, path: &str) -> Vec<(&'static str, Value, &'static str)> {
    let tail = within_tenant(path);
    let limit = |most: u32, default: u32| json!({"type": "integer", "minimum": 1, "maximum": most, "default": default});
    let wait_ms = ("wait_ms", integer(), "wait up to this long (at most 60 s) for the run to end or wait for people");
    match (method, tail) {
        ("GET", "/api/v1/audit" | "/audit") => vec![
            ("before", integer(), "only entries with ids below this: the `id` of the last entry of the previous page"),
            ("limit", limit(1000, 100), "at most this many entries"),
        ],
        ("GET", "/flows/{name}/diff") => {
            vec![("from", integer(), "a version"), ("to", integer(), "a later (or any) version")]
        }
        ("POST", "/flows/{name}/runs") => vec![
            wait_ms,
            (
                "view",
                json!({"enum": ["full", "summary"], "default": "full"}),
                "`summary`: answer only the run's id, status, output and error (a `RunOutcome`), not every node",
            ),
        ],
        ("POST", "/light-apps/{name}/runs") => vec![wait_ms],
        ("GET", "/hosts") => vec![
            (
                "selector",
                string(),
                "labels the hosts have: `zone=eu-1,role=game`, `role!=db`, `canary`, `!canary`, `id=h-1`",
            ),
            ("after", string(), "the `next` of the previous page"),
            ("limit", limit(1000, 100), "at most this many hosts"),
        ],
        ("POST", "/hosts/import") => {
            vec![("replace", boolean(), "remove the hosts the file does not list (default: keep them)")]
        }
        ("GET", "/market/apps") => vec![
            ("q", string(), "text in the name, title or description (any case)"),
            ("category", string(), "only apps in this category"),
        ],
        ("GET", "/installs/{app}/consent") => vec![("version", string(), "a version (default: the newest not yanked)")],
        ("GET", "/hosts/export") => vec![("format", json!({"enum": ["json", "csv"]}), "json (default) or csv")],
        ("GET", "/schedules/preview") => vec![
            ("cron", string(), "5 fields (minute hour day month weekday), or 6 with seconds first"),
            ("timezone", string(), "an IANA zone; UTC if absent"),
            ("count", limit(50, 5), "how many ticks"),
        ],
        ("GET", "/runs") => vec![
            ("flow", string(), "only runs of this flow"),
            ("status", json!({"enum": crate::store::RUN_STATUSES}), "only runs with this status"),
            ("since", string(), "only runs created at or after this RFC 3339 instant"),
            ("before", string(), "only runs created before this RFC 3339 instant"),
            ("cursor", string(), "the `next` of the previous page"),
            ("limit", limit(500, 50), "at most this many runs"),
        ],
        ("GET", "/runs/{id}/logs") => vec![
            ("node", string(), "only this node's calls (with a foreach's or batch's items)"),
            ("after", integer(), "the `next` of the previous page"),
            ("limit", limit(200, 50), "at most this many calls"),
        ],
        _ => Vec::new(),
    }
}

/// The request headers `method path` reads, with what they mean.
pub fn header_parameters(method: &str, path: &str) -> Vec<(&'static str, &'static str)> {
    match (method, within_tenant(path)) {
        ("PUT", "/flows/{name}/draft") => vec![
            ("If-Match", "save only if the draft is still at this revision (its ETag, e.g. `\"3\"`); 412 otherwise"),
            ("If-None-Match", "`*`: save only if the flow has no draft yet; 412 otherwise"),
        ],
        _ => Vec::new(),
    }
}

/// The shapes more than one route answers with, for `components.schemas`.
pub fn shapes() -> Map<String, Value> {
    let run_status = json!({"enum": ["running", "waiting", "paused", "succeeded", "failed", "cancelled"]});
    let node = object(&[
        ("kind", string()),
        (
            "status",
            json!({"enum": ["idle", "running", "waiting", "awaiting_decision", "succeeded", "failed", "skipped"]}),
        ),
        ("attempts", integer()),
        ("started_at", or_null(string())),
        ("ended_at", or_null(string())),
        ("duration_ms", or_null(integer())),
        ("output", json!({})),
        ("error", or_null(json!({"type": "object"}))),
    ]);
    let plugin = [
        ("name", string()),
        ("version", string()),
        ("title", string()),
        ("description", string()),
        ("category", string()),
        ("capabilities", array(string())),
        ("sha256", string()),
        ("size_bytes", integer()),
        ("standard", boolean()),
        ("yanked", boolean()),
        ("uploaded_at", or_null(string())),
        ("uploaded_by", or_null(string())),
    ];
    let plugin_version: Vec<(&str, Value)> = plugin
        .iter()
        .cloned()
        .chain([("input_schema", json!({})), ("output_schema", json!({})), ("imports", array(string()))])
        .collect();
    let field_change = object(&[("field", string()), ("before", json!({})), ("after", json!({}))]);
    let edge =
        object(&[("from", string()), ("to", string()), ("kind", json!({"enum": ["normal", "error", "rollback"]}))]);
    let standing = object(&[
        ("name", string()),
        ("role", string()),
        ("flows", or_null(array(string()))),
        ("may", described(array(json!({"enum": crate::authz::ACTIONS})), "what the policies allow this role here")),
    ]);
    let shapes = [
        (
            "Host",
            object(&[
                ("id", string()),
                ("hostname", string()),
                ("ip", string()),
                ("labels", json!({"type": "object", "additionalProperties": string()})),
                ("agent", described(or_null(string()), "the agent serving it, once one enrolled")),
                ("last_seen", or_null(string())),
            ]),
        ),
        (
            "Session",
            object(&[
                ("username", string()),
                ("platform_admin", boolean()),
                ("csrf", described(or_null(string()), "send it as `X-Scena-Csrf` on every write made with the cookie")),
                ("expires_at", or_null(string())),
                ("tenants", array(standing)),
            ]),
        ),
        (
            "Run",
            object(&[
                ("id", string()),
                ("tenant", string()),
                ("flow", string()),
                ("version", or_null(integer())),
                ("status", run_status.clone()),
                ("input", json!({})),
                ("output", json!({})),
                ("error", or_null(string())),
                ("started_at", string()),
                ("nodes", json!({"type": "object", "additionalProperties": named("Node")})),
            ]),
        ),
        ("Node", node),
        (
            "RunOutcome",
            strict(
                &[
                    ("id", string()),
                    ("status", run_status.clone()),
                    ("output", json!({})),
                    ("error", or_null(string())),
                ],
                &[],
            ),
        ),
        (
            "RunSummary",
            object(&[
                ("id", string()),
                ("tenant", string()),
                ("flow", string()),
                ("version", or_null(integer())),
                ("status", run_status),
                ("output", json!({})),
                ("error", or_null(string())),
                ("created_at", string()),
                ("updated_at", string()),
            ]),
        ),
        ("Plugin", object(&plugin)),
        ("PluginVersion", object(&plugin_version)),
        ("FlowVersion", object(&[("version", integer()), ("content_hash", string()), ("published_at", string())])),
        // `node` is left out for a problem of the whole flow.
        (
            "Problem",
            json!({"type": "object", "required": ["message"], "properties": {"node": string(), "message": string()}}),
        ),
        (
            "FlowDiff",
            object(&[
                ("flow", array(field_change.clone())),
                ("nodes_added", array(string())),
                ("nodes_removed", array(string())),
                ("nodes_changed", array(object(&[("id", string()), ("fields", array(field_change))]))),
                ("edges_added", array(edge.clone())),
                ("edges_removed", array(edge)),
            ]),
        ),
        (
            "Schedule",
            object(&[
                ("id", string()),
                ("tenant", string()),
                ("flow", string()),
                ("cron", string()),
                ("timezone", string()),
                ("input", json!({})),
                ("next_at", string()),
                ("last_run", or_null(string())),
                ("created_at", string()),
                ("created_by", string()),
            ]),
        ),
        (
            "Token",
            object(&[
                ("id", string()),
                ("name", string()),
                ("role", string()),
                ("created_by", string()),
                ("created_at", string()),
                ("expires_at", or_null(string())),
                ("revoked_at", or_null(string())),
            ]),
        ),
        (
            "Invitation",
            object(&[
                ("id", string()),
                ("role", string()),
                ("created_by", string()),
                ("created_at", string()),
                ("expires_at", string()),
                ("accepted_by", or_null(string())),
                ("accepted_at", or_null(string())),
                ("revoked_at", or_null(string())),
            ]),
        ),
        (
            "AuditEntry",
            object(&[
                ("id", integer()),
                ("at", string()),
                ("who", string()),
                ("tenant", or_null(string())),
                ("action", string()),
                ("resource", string()),
                ("status", integer()),
            ]),
        ),
        (
            "StepLog",
            object(&[
                ("cursor", integer()),
                ("node", string()),
                ("attempt", integer()),
                ("logs", array(object(&[("level", string()), ("source", string()), ("message", string())]))),
                ("atom_calls", array(object(&[("atom", string()), ("request", string()), ("outcome", string())]))),
            ]),
        ),
        (
            "Grants",
            object(&[
                ("http", array(string())),
                ("secrets", json!({"type": "object", "additionalProperties": array(string())})),
                ("hosts", json!({"type": "object", "additionalProperties": array(string())})),
                ("notify", json!({"type": "object", "additionalProperties": array(string())})),
            ]),
        ),
    ];
    shapes.into_iter().map(|(name, schema)| (name.to_string(), schema)).collect()
}

/// A tenant's route without its `/api/v1/tenants/{tenant}` prefix; any other path as it is.
fn within_tenant(path: &str) -> &str {
    path.strip_prefix("/api/v1/tenants/{tenant}").unwrap_or(path)
}

/// The schema of a type that describes itself, nested schemas written in place.
fn derived<T: schemars::JsonSchema>() -> Value {
    let generator =
        schemars::generate::SchemaSettings::draft2020_12().with(|s| s.inline_subschemas = true).into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Some(map) = schema.as_object_mut() {
        map.remove("$schema");
        map.remove("title");
    }
    schema
}

/// An object with these properties, all of them always there.
fn object(properties: &[(&str, Value)]) -> Value {
    let required: Vec<&str> = properties.iter().map(|(name, _)| *name).collect();
    let properties: Map<String, Value> =
        properties.iter().map(|(name, schema)| (name.to_string(), schema.clone())).collect();
    json!({"type": "object", "required": required, "properties": properties})
}

/// An object with exactly these properties: `required` ones and `optional` ones.
fn strict(required: &[(&str, Value)], optional: &[(&str, Value)]) -> Value {
    let mut schema = object(required);
    let properties = schema["properties"].as_object_mut().expect("object() makes them");
    properties.extend(optional.iter().map(|(name, value)| (name.to_string(), value.clone())));
    schema["additionalProperties"] = json!(false);
    schema
}

fn described(mut schema: Value, description: &str) -> Value {
    schema["description"] = json!(description);
    schema
}

fn named(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

fn or_null(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "null"}]})
}

fn string() -> Value {
    json!({"type": "string"})
}

fn integer() -> Value {
    json!({"type": "integer"})
}

fn boolean() -> Value {
    json!({"type": "boolean"})
}
