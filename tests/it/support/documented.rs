//! The OpenAPI document's promises, checked on every answer the API tests
//! get through [`super::server::Server::call`]: a body answered with a status
//! the document gives for its route must match the schema given for it, and
//! a success the document does not give for the route is a failure. So a
//! handler cannot drift from what clients generated from the document expect.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::OnceCell;

type Validators = HashMap<(String, String, u16), Option<Arc<jsonschema::Validator>>>;

/// One document per test binary: every server of a run is the same build.
static DOCUMENTED: OnceCell<Documented> = OnceCell::const_new();

struct Documented {
    doc: Value,
    /// Compiled schemas by (method, route template, status — 0 for the request); `None`: nothing to check.
    validators: Mutex<Validators>,
}

/// Panics, naming the route and what differs, if `body` (the answer with
/// `status` to `method path`) is not what the server's document promises.
pub async fn check(base: &str, method: &str, path: &str, sent: Option<&str>, status: u16, body: &Value) {
    let documented = DOCUMENTED
        .get_or_init(|| async {
            let text = scena::tls::client()
                .get(format!("{base}/api/v1/openapi.json"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let doc: Value = serde_json::from_str(&text).expect("the OpenAPI document is JSON");
            assert!(doc["openapi"].is_string() && doc["paths"].is_object(), "the server's OpenAPI document: {text}");
            Documented { doc, validators: Mutex::new(HashMap::new()) }
        })
        .await;
    documented.check(method, path, status, body);
    // A request the server took must be one the document describes.
    if let Some(sent) = sent.filter(|_| (200..300).contains(&status)) {
        documented.check_request(method, path, sent);
    }
}

impl Documented {
    fn check(&self, method: &str, path: &str, status: u16, body: &Value) {
        let method = method.to_ascii_lowercase();
        let Some(template) = self.route_of(&method, path) else { return };
        let operation = &self.doc["paths"][template.as_str()][method.as_str()];
        let response = &operation["responses"][status.to_string()];
        if response.is_null() {
            assert!(
                !(200..300).contains(&status),
                "{method} {template} answered {status}, which its OpenAPI document does not list: {body}"
            );
            return;
        }
        let key = (method.clone(), template.clone(), status);
        let validator = self.validator_for(key, response);
        if let Some(validator) = validator {
            let errors: Vec<String> =
                validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
            assert!(
                errors.is_empty(),
                "the {status} answer of {method} {template} does not match its OpenAPI schema: {errors:?}\n{body}"
            );
        }
    }

    fn check_request(&self, method: &str, path: &str, sent: &str) {
        let method = method.to_ascii_lowercase();
        let Some(template) = self.route_of(&method, path) else { return };
        let Ok(sent) = serde_json::from_str::<Value>(sent) else { return };
        let body = &self.doc["paths"][template.as_str()][method.as_str()]["requestBody"];
        assert!(!body.is_null(), "{method} {template} took a body its OpenAPI document does not describe: {sent}");
        let key = (method.clone(), template.clone(), 0);
        let validator = self.validator_for(key, body);
        if let Some(validator) = validator {
            let errors: Vec<String> =
                validator.iter_errors(&sent).map(|e| format!("{} at {}", e, e.instance_path())).collect();
            assert!(
                errors.is_empty(),
                "{method} {template} took a body its OpenAPI schema refuses: {errors:?}\n{sent}"
            );
        }
    }

    /// The route template of the document that `path` is an instance of
    /// (the one with the most literal segments, as the router picks).
    fn route_of(&self, method: &str, path: &str) -> Option<String> {
        let path = path.split('?').next().unwrap_or(path);
        let segments: Vec<&str> = path.split('/').collect();
        let paths = self.doc["paths"].as_object()?;
        paths
            .iter()
            .filter(|(_, item)| item.get(method).is_some())
            .filter_map(|(template, _)| {
                let parts: Vec<&str> = template.split('/').collect();
                let fits = parts.len() == segments.len()
                    && parts.iter().zip(&segments).all(|(part, segment)| part.starts_with('{') || part == segment);
                fits.then(|| (parts.iter().filter(|p| !p.starts_with('{')).count(), template.clone()))
            })
            .max()
            .map(|(_, template)| template)
    }

    /// The compiled schema of `described` (a response or request body), compiled once.
    fn validator_for(&self, key: (String, String, u16), described: &Value) -> Option<Arc<jsonschema::Validator>> {
        if let Some(known) = self.validators.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return known.clone();
        }
        let validator = self.validator(described);
        self.validators.lock().unwrap_or_else(|e| e.into_inner()).insert(key, validator.clone());
        validator
    }

    fn validator(&self, response: &Value) -> Option<Arc<jsonschema::Validator>> {
        let schema = response["content"]["application/json"]["schema"].as_object()?;
        if schema.is_empty() {
            return None;
        }
        // References point into the document's components: carry them along,
        // as `$defs` — a place JSON Schema knows, so the schemas there that
        // have an `$id` of their own (the flow's) resolve their references.
        let mut root = schema.clone();
        root.insert("$defs".into(), self.doc["components"]["schemas"].clone());
        let root: Value =
            serde_json::from_str(&Value::Object(root).to_string().replace("#/components/schemas/", "#/$defs/"))
                .unwrap();
        let validator = jsonschema::validator_for(&root)
            .unwrap_or_else(|e| panic!("a schema of the OpenAPI document does not compile: {e}"));
        Some(Arc::new(validator))
    }
}
