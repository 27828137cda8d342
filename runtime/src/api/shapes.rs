//! What no handler's type says, written by hand for the OpenAPI document:
//! answers that are not one JSON type (the metrics text, a package's bytes,
//! the agents' WebSocket, the inventory's export as JSON or CSV), and bodies
//! read as raw bytes (the grants, whose `hosts` also takes an older form; a
//! webhook's input; the inventory's import as JSON or CSV). Every other
//! route is described by its handler's types (`described.rs`); a unit test
//! refuses a route described both ways. The API tests check every
//! exchange they make against the served document
//! (`tests/it/support/documented.rs`), so neither can drift unnoticed.

use serde_json::{Map, Value, json};

use super::described::{Body, Success};

fn ok(body: Value) -> Option<Success> {
    Some(Success { statuses: &[200], body: Body::Json(body) })
}

/// The successful answers of `method path` (a route template), for the
/// routes whose handler answers a raw response its type cannot describe.
pub fn success(method: &str, path: &str) -> Option<Success> {
    match (method, within_tenant(path)) {
        // JSON, or CSV with `format=csv`.
        ("GET", "/hosts/export") => Some(Success {
            statuses: &[200],
            body: Body::Forms(vec![
                ("application/json", array(named("Host"))),
                ("text/csv", described(string(), "a header row `id,hostname,ip,LABEL…`, then a host per row")),
            ]),
        }),
        ("GET", "/market/apps/{app}/versions/{version}/package") => {
            Some(Success { statuses: &[200], body: Body::Other("application/gzip") })
        }
        ("GET", "/api/v1/agents/connect") => Some(Success { statuses: &[101], body: Body::None }),
        ("GET", "/files/{file}/content" | "/api/v1/agents/jobs/{job}/file") => {
            Some(Success { statuses: &[200], body: Body::Other("application/octet-stream") })
        }
        ("GET", "/metrics") => Some(Success { statuses: &[200], body: Body::Other("application/openmetrics-text") }),
        // The document itself: OpenAPI 3.1 describes its own shape.
        ("GET", "/api/v1/openapi.json") => ok(json!({"type": "object", "required": ["openapi", "paths"]})),
        _ => None,
    }
}

/// The JSON body `method path` takes, for the routes that read theirs as raw
/// bytes (the flow draft and uploads are described where the document is built).
pub fn request_body(method: &str, path: &str) -> Option<Value> {
    match (method, within_tenant(path)) {
        // Read by hand: `hosts` also takes the older form, a plain list.
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
        ("POST", "/hooks/{id}") => Some(described(json!({}), "the run's input")),
        _ => None,
    }
}

/// The inventory's import body: JSON, or CSV with a column per label.
pub fn host_import_forms() -> Value {
    let labels = json!({"type": "object", "additionalProperties": string()});
    let host = strict(&[("id", string()), ("hostname", string()), ("ip", string())], &[("labels", labels)]);
    json!({
        "application/json": {"schema": array(host)},
        "text/csv": {"schema": described(string(), "a header row `id,hostname,ip` and a column per label, then a host per row")},
    })
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

/// A tenant's route without its `/api/v1/tenants/{tenant}` prefix; any other path as it is.
fn within_tenant(path: &str) -> &str {
    path.strip_prefix("/api/v1/tenants/{tenant}").unwrap_or(path)
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

fn string() -> Value {
    json!({"type": "string"})
}
