//! JSON Schemas — of plugin input and output, of flow inputs, of the flow
//! format itself: compiled once, then used at every check. Errors name the
//! JSON path of each problem.

use serde_json::Value;

/// A compiled JSON Schema.
pub struct Schema {
    validator: jsonschema::Validator,
}

impl Schema {
    pub fn compile(text: &str, what: &str) -> Result<Schema, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("{what} schema is not JSON: {e}"))?;
        let validator = jsonschema::options()
            .with_pattern_options(linear_time_patterns())
            .build(&value)
            .map_err(|e| format!("{what} schema is not a valid JSON Schema: {e}"))?;
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

/// Schemas come from users (flow inputs) and plugins, so their `pattern`s run
/// on the `regex` engine, which matches in time linear in the input and has
/// no backtracking to blow up; patterns it cannot express (look-around,
/// back-references) make the schema invalid, with the reason. Compiled
/// patterns are bounded in size too.
fn linear_time_patterns() -> jsonschema::PatternOptions<jsonschema::Regex> {
    jsonschema::PatternOptions::regex().size_limit(1 << 20).dfa_size_limit(2 << 20)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn patterns_that_could_backtrack_are_refused_and_the_rest_match_in_linear_time() {
        let refused = Schema::compile(r#"{"type": "string", "pattern": "(?<=(a+)+)b"}"#, "inputs").err().unwrap();
        assert!(refused.contains("inputs schema is not a valid JSON Schema"), "{refused}");
        let nested = Schema::compile(r#"{"type": "string", "pattern": "^(a+)+$"}"#, "inputs").unwrap();
        let attack = format!("{}!", "a".repeat(40_000));
        assert_eq!(nested.violations(&json!(attack)).len(), 1);
        assert!(nested.violations(&json!("aaaa")).is_empty());
    }
}
