//! JSON Schemas of plugin input and output: compiled once at load, then used
//! at every call. Errors name the JSON path of each problem.

use serde_json::Value;

/// A compiled JSON Schema.
pub struct Schema {
    validator: jsonschema::Validator,
}

impl Schema {
    pub fn compile(text: &str, what: &str) -> Result<Schema, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("{what} schema is not JSON: {e}"))?;
        let validator = jsonschema::validator_for(&value).map_err(|e| format!("{what} schema is not a valid JSON Schema: {e}"))?;
        Ok(Schema { validator })
    }

    /// Every violation as `path: message`, the path as a JSON pointer (`/` for the root).
    pub fn violations(&self, instance: &Value) -> Vec<String> {
        self.located_violations(instance).into_iter().map(|(path, message)| format!("{path}: {message}")).collect()
    }

    /// Every violation as (JSON pointer, message).
    pub fn located_violations(&self, instance: &Value) -> Vec<(String, String)> {
        self.validator
            .iter_errors(instance)
            .map(|error| {
                let path = error.instance_path().to_string();
                let path = if path.is_empty() { "/".to_string() } else { path };
                (path, error.to_string())
            })
            .collect()
    }
}
