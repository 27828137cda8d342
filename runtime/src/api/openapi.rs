//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, generated from the
//! route tables the router and the authorization are built from — so every
//! route served is described, with its path parameters, whether it needs a
//! token and which policy action it is checked for. The flow document's
//! schema is the published `flow.schema.json`.

use axum::Json;
use serde_json::{Map, Value, json};

use super::described::{Body, Described, Generators};
use super::shapes;
use super::{PUBLIC_ROUTES, ROUTES, Route, RouteAction};

const FLOW_SCHEMA: &str = include_str!("../../../host-api/schema/flow.schema.json");

pub async fn document() -> Json<Value> {
    Json(openapi())
}

pub fn openapi() -> Value {
    let mut paths = Map::new();
    let mut generators = Generators::new();
    for (route, public) in ROUTES.iter().map(|r| (r, false)).chain(PUBLIC_ROUTES.iter().map(|r| (r, true))) {
        let described = (route.describe)(&mut generators);
        let item = paths.entry(route.path.to_string()).or_insert_with(|| json!({}));
        item[route.method.to_ascii_lowercase()] = operation(route, public, described);
    }
    let (flow_schema, flow_parts) = flow_components();
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "scena", "version": env!("CARGO_PKG_VERSION"), "description": "The scena server's HTTP API."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"}, "details": {}
                    }}}
                },
                "Flow": flow_schema,
            },
        },
    });
    let schemas = doc["components"]["schemas"].as_object_mut().expect("built above");
    schemas.extend(flow_parts);
    // Derived from the handlers' types; no name is both (a test sees to it).
    schemas.extend(generators.components());
    doc
}

/// The flow schema as components: its `$defs` become schemas of their own
/// (`node` → `FlowNode`) and its references point at them, since generators
/// of clients resolve `#/…` from the document's root, not from the `$id` of
/// the schema a reference sits in.
fn flow_components() -> (Value, Map<String, Value>) {
    let mut flow: Value = serde_json::from_str(FLOW_SCHEMA).expect("flow.schema.json is JSON");
    let defs = flow.as_object_mut().and_then(|o| o.remove("$defs")).unwrap_or_default();
    if let Some(root) = flow.as_object_mut() {
        root.remove("$id");
        root.remove("$schema");
    }
    rewrite_refs(&mut flow);
    let parts = defs
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| {
            let mut schema = schema.clone();
            rewrite_refs(&mut schema);
            (flow_part(name), schema)
        })
        .collect();
    (flow, parts)
}

fn flow_part(def: &str) -> String {
    let mut name = String::from("Flow");
    for word in def.split(['_', '-']) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    name
}

fn rewrite_refs(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            for (key, value) in object.iter_mut() {
                match (key.as_str(), value.as_str().and_then(|r| r.strip_prefix("#/$defs/"))) {
                    ("$ref", Some(def)) => *value = json!(format!("#/components/schemas/{}", flow_part(def))),
                    _ => rewrite_refs(value),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

fn operation(route: &Route, public: bool, described: Described) -> Value {
    let in_path = route
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
    let in_query = query_parameters(described.query);
    let in_header = shapes::header_parameters(route.method, route.path)
        .into_iter()
        .map(|(name, description)| json!({"name": name, "in": "header", "required": false, "schema": {"type": "string"}, "description": description}));
    let parameters: Vec<Value> = in_path.chain(in_query).chain(in_header).collect();
    let error = |what: &str| json!({"description": what, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let mut responses = json!({
        "400": error("malformed request"),
        "404": error("unknown, or in a tenant the caller cannot see"),
        "413": error("body too large"),
        "422": error("invalid body or input"),
    });
    if matches!(route.method, "POST" | "PUT") {
        responses["409"] = error("conflict");
    }
    if shapes::header_parameters(route.method, route.path).iter().any(|(name, _)| name.starts_with("If-")) {
        responses["412"] = error("the resource changed since it was read (the answer says its revision now)");
    }
    if matches!(route.path, "/api/v1/auth/login" | "/api/v1/auth/session" | "/api/v1/invitations/{code}/accept")
        && route.method == "POST"
    {
        responses["401"] = error("wrong username or password — the same answer whether or not the user exists");
        let mut throttled =
            error("too many failed attempts for this account or from this address; wait as `Retry-After` says");
        throttled["headers"] =
            json!({"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer", "minimum": 1}}});
        responses["429"] = throttled;
    }
    let success = described
        .answers
        .or_else(|| shapes::success(route.method, route.path))
        .expect("every route's answers are typed or described in shapes.rs");
    for status in success.statuses {
        let description = match status {
            101 => "switching to WebSocket",
            201 => "created",
            202 => "accepted; still going",
            204 => "done",
            _ => "OK",
        };
        responses[status.to_string()] = match &success.body {
            Body::Json(schema) => {
                json!({"description": description, "content": {"application/json": {"schema": schema}}})
            }
            Body::Other(media) => json!({"description": description, "content": {*media: {}}}),
            Body::Forms(forms) => {
                let content: Map<String, Value> =
                    forms.iter().map(|(media, schema)| (media.to_string(), json!({"schema": schema}))).collect();
                json!({"description": description, "content": content})
            }
            Body::None => json!({"description": description}),
        };
    }
    let mut operation = json!({
        "operationId": format!("{} {}", route.method, route.path),
        "summary": route.summary,
        "parameters": parameters,
        "responses": responses,
    });
    if !public {
        operation["security"] = json!([{"bearer": []}]);
        operation["responses"]["401"] = error("no, unknown, expired or revoked token");
        operation["responses"]["403"] = error("the caller's role does not allow this");
        operation["x-scena-action"] = json!(match route.action {
            RouteAction::Is(action) => action,
            RouteAction::RunControl => "operate",
            RouteAction::NodeControl => "approve (approve, reject) or operate",
            RouteAction::Platform => "platform admin",
            RouteAction::SignedIn => "any signed-in caller",
            RouteAction::Own => "the user themselves (login token) or the platform admin",
        });
    }
    if let Some(body) = request_body(route, described.request_body) {
        operation["requestBody"] = body;
    }
    operation
}

/// The fields of the handler's query type.
fn query_parameters(typed: Vec<(String, Value, bool)>) -> Vec<Value> {
    let parameter = |name: &str, mut schema: Value, required: bool| {
        let description = schema.as_object_mut().and_then(|s| s.remove("description")).unwrap_or(Value::Null);
        let mut parameter = json!({"name": name, "in": "query", "required": required, "schema": schema});
        if !description.is_null() {
            parameter["description"] = description;
        }
        parameter
    };
    typed.into_iter().map(|(name, schema, required)| parameter(&name, schema, required)).collect()
}

fn request_body(route: &Route, typed: Option<Value>) -> Option<Value> {
    let (content, required) = match (route.method, route.path) {
        ("POST", "/api/v1/tenants/{tenant}/plugins") => {
            (json!({"application/wasm": {"schema": {"type": "string", "contentMediaType": "application/wasm"}}}), true)
        }
        ("POST", "/api/v1/tenants/{tenant}/apps") => (
            json!({
                "application/gzip": {"schema": {"type": "string", "contentMediaType": "application/gzip", "description": "a .scena-app package (`scena app pack`)"}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary", "description": "the same bytes under a generic type"}}
            }),
            true,
        ),
        ("PUT", "/api/v1/tenants/{tenant}/files/{file}") => (
            json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary", "description": "the file's content"}}}),
            false,
        ),
        ("POST", "/api/v1/tenants/{tenant}/hosts/import") => (shapes::host_import_forms(), true),
        ("PUT", "/api/v1/tenants/{tenant}/flows/{name}/draft") => {
            (json!({"application/json": {"schema": {"$ref": "#/components/schemas/Flow"}}}), true)
        }
        (method, path) => {
            let schema = typed.or_else(|| shapes::request_body(method, path))?;
            let required = schema["required"].as_array().is_some_and(|fields| !fields.is_empty());
            (json!({"application/json": {"schema": schema}}), required)
        }
    };
    Some(json!({"required": required, "content": content}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_in_the_document_with_its_parameters() {
        let doc = openapi();
        for route in ROUTES.iter().chain(PUBLIC_ROUTES) {
            let op = &doc["paths"][route.path][route.method.to_ascii_lowercase()];
            assert!(op.is_object(), "{} {} missing", route.method, route.path);
            let in_path = op["parameters"].as_array().unwrap().iter().filter(|p| p["in"] == "path").count();
            assert_eq!(in_path, route.path.matches('{').count(), "{}", route.path);
        }
        assert_eq!(doc["openapi"], "3.1.0");
        // Every reference names a schema the document holds.
        let text = doc.to_string();
        for reference in text.split("\"#/components/schemas/").skip(1) {
            let name = &reference[..reference.find('"').unwrap()];
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "#/components/schemas/{name} is referenced but missing"
            );
        }
        let runs = &doc["paths"]["/api/v1/tenants/{tenant}/flows/{name}/runs"]["post"]["responses"];
        assert!(runs["200"].is_object() && runs["202"].is_object() && runs["201"].is_null(), "{runs}");
        assert!(doc["components"]["schemas"]["Flow"]["properties"].is_object(), "the flow schema is embedded");
    }

    /// A route is described once: by its handler's types, or — only where
    /// the handler's answer or body is not typed — by hand in `shapes.rs`.
    #[test]
    fn no_route_is_described_both_by_its_types_and_by_hand() {
        let mut generators = Generators::new();
        let mut twice = Vec::new();
        for route in ROUTES.iter().chain(PUBLIC_ROUTES) {
            let described = (route.describe)(&mut generators);
            let (method, path) = (route.method, route.path);
            if described.answers.is_some() && shapes::success(method, path).is_some() {
                twice.push(format!("{method} {path}: answers"));
            }
            if described.request_body.is_some() && shapes::request_body(method, path).is_some() {
                twice.push(format!("{method} {path}: body"));
            }
        }
        assert!(twice.is_empty(), "described by type and by hand in shapes.rs:\n{}", twice.join("\n"));
        assert!(
            generators.requests.definitions().is_empty(),
            "request types are written in place; a recursive one left references behind"
        );
        let (_, flow_parts) = flow_components();
        let by_hand: Vec<String> = flow_parts.keys().cloned().chain(["Error".into(), "Flow".into()]).collect();
        let derived = generators.components();
        let clashing: Vec<&String> = derived.keys().filter(|name| by_hand.contains(name)).collect();
        assert!(clashing.is_empty(), "types named like a hand-written or flow schema: {clashing:?}");
    }

    #[test]
    fn typed_answers_name_their_types_in_the_components() {
        let doc = openapi();
        let tokens = &doc["paths"]["/api/v1/tenants/{tenant}/tokens"]["get"]["responses"]["200"];
        let schema = &tokens["content"]["application/json"]["schema"];
        assert_eq!(schema["$ref"], "#/components/schemas/TokenList", "{tokens}");
        let list = &doc["components"]["schemas"]["TokenList"];
        assert_eq!(list["properties"]["tokens"]["items"]["$ref"], "#/components/schemas/Token", "{list}");
        let token = &doc["components"]["schemas"]["Token"];
        let required: Vec<&str> = token["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert!(required.contains(&"expires_at"), "a field always sent is required, null or not: {token}");
        let made = &doc["paths"]["/api/v1/tenants/{tenant}/tokens"]["post"];
        assert!(made["responses"]["201"].is_object() && made["responses"]["200"].is_null(), "{made}");
        let body = &made["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["additionalProperties"], false, "{body}");
        assert_eq!(body["required"], json!(["name", "role"]), "{body}");
        let runs = &doc["paths"]["/api/v1/tenants/{tenant}/runs"]["get"]["parameters"];
        let limit = runs.as_array().unwrap().iter().find(|p| p["name"] == "limit").expect("limit is a parameter");
        assert_eq!(limit["schema"]["maximum"], 500, "{limit}");
        assert!(limit["description"].as_str().is_some_and(|d| d.contains("runs")), "{limit}");
    }
}
