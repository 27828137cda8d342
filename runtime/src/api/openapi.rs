//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, generated from the
//! route tables the router and the authorization are built from — so every
//! route served is described, with its path parameters, whether it needs a
//! token and which policy action it is checked for. The flow document's
//! schema is the published `flow.schema.json`.

use axum::Json;
use serde_json::{Map, Value, json};

use super::shapes::{self, Body};
use super::{PUBLIC_ROUTES, ROUTES, Route, RouteAction};

const FLOW_SCHEMA: &str = include_str!("../../../host-api/schema/flow.schema.json");

pub async fn document() -> Json<Value> {
    Json(openapi())
}

pub fn openapi() -> Value {
    let mut paths = Map::new();
    for (route, public) in ROUTES.iter().map(|r| (r, false)).chain(PUBLIC_ROUTES.iter().map(|r| (r, true))) {
        let item = paths.entry(route.path.to_string()).or_insert_with(|| json!({}));
        item[route.method.to_ascii_lowercase()] = operation(route, public);
    }
    let flow_schema: Value = serde_json::from_str(FLOW_SCHEMA).unwrap_or_else(|_| json!({"type": "object"}));
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
    doc["components"]["schemas"].as_object_mut().expect("built above").extend(shapes::shapes());
    doc
}

fn operation(route: &Route, public: bool) -> Value {
    let in_path = route
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
    let in_query = shapes::query_parameters(route.method, route.path)
        .into_iter()
        .map(|(name, schema, description)| json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description}));
    let parameters: Vec<Value> = in_path.chain(in_query).collect();
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
    if matches!(route.path, "/api/v1/auth/login" | "/api/v1/invitations/{code}/accept") {
        responses["401"] = error("wrong username or password — the same answer whether or not the user exists");
        let mut throttled =
            error("too many failed attempts for this account or from this address; wait as `Retry-After` says");
        throttled["headers"] =
            json!({"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer", "minimum": 1}}});
        responses["429"] = throttled;
    }
    let success = shapes::success(route.method, route.path).expect("every route's answers are described in shapes.rs");
    for status in success.statuses {
        let description = match status {
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
    if let Some(body) = request_body(route) {
        operation["requestBody"] = body;
    }
    operation
}

fn request_body(route: &Route) -> Option<Value> {
    let (content, required) = match (route.method, route.path) {
        ("POST", "/api/v1/tenants/{tenant}/plugins") => {
            (json!({"application/wasm": {"schema": {"type": "string", "contentMediaType": "application/wasm"}}}), true)
        }
        ("PUT", "/api/v1/tenants/{tenant}/flows/{name}/draft") => {
            (json!({"application/json": {"schema": {"$ref": "#/components/schemas/Flow"}}}), true)
        }
        (method, path) => {
            let schema = shapes::request_body(method, path)?;
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
}
