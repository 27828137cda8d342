//! What a flow editor asks of the core, in the shapes it exchanges as JSON:
//! the studio calls these through the WebAssembly build (`runtime/core-wasm`),
//! and the server's tests call them natively on the same corpus, so both
//! answer alike by construction.

use std::collections::BTreeSet;
use std::sync::Arc;

use semver::Version;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::expr::{Expression, Position};
use crate::flow::{Problem, load_flow, validate};
use crate::schema::Schema;
use crate::{PluginInput, PluginRef, PluginSchemas};

/// One plugin as the editor knows it from the API's plugin list.
#[derive(Debug, Clone, Deserialize)]
pub struct KnownPlugin {
    pub name: String,
    pub version: String,
    pub input_schema: Value,
}

/// The plugins a tenant can use, compiled for validation.
pub struct KnownPlugins {
    plugins: Vec<(String, Version, Arc<Schema>)>,
}

impl KnownPlugins {
    /// Compile the list; a plugin whose version or schema is unreadable is
    /// left out (the server would not have loaded it either).
    pub fn new(list: &[KnownPlugin]) -> KnownPlugins {
        let plugins = list
            .iter()
            .filter_map(|p| {
                let version = Version::parse(&p.version).ok()?;
                let schema = Schema::compile(&p.input_schema.to_string(), "input").ok()?;
                Some((p.name.clone(), version, Arc::new(schema)))
            })
            .collect();
        KnownPlugins { plugins }
    }
}

impl PluginSchemas for KnownPlugins {
    fn resolve_input(&self, reference: &PluginRef) -> Result<PluginInput, String> {
        let same_name = || self.plugins.iter().filter(|(name, _, _)| *name == reference.name);
        let Some((name, version, schema)) =
            same_name().filter(|(_, version, _)| reference.requirement.matches(version)).max_by(|a, b| a.1.cmp(&b.1))
        else {
            let known: Vec<String> = same_name().map(|(_, v, _)| v.to_string()).collect();
            return Err(if known.is_empty() {
                format!("no plugin named `{}`", reference.name)
            } else {
                format!(
                    "no version of `{}` matches `{}` (known: {})",
                    reference.name,
                    reference.requirement,
                    known.join(", ")
                )
            });
        };
        Ok(PluginInput { id: format!("{name}@{version}"), schema: schema.clone() })
    }
}

/// Every problem of a flow document (JSON or YAML text): a document that
/// does not load gets the loader's problems, one that loads the validator's.
/// With `plugins`, plugin references and literal inputs are checked too.
pub fn check_flow(text: &str, plugins: Option<&KnownPlugins>) -> Vec<Problem> {
    match load_flow(text) {
        Ok(flow) => validate(&flow, plugins.map(|p| p as &dyn PluginSchemas)),
        Err(problems) => problems,
    }
}

/// What the editor learns about one expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum ExpressionCheck {
    /// It compiles; these are the paths it reads, and the step ids it names
    /// (`null` when it indexes `steps` with a computed key).
    Ok {
        paths: BTreeSet<String>,
        steps: Option<BTreeSet<String>>,
    },
    Error {
        message: String,
        at: Option<Position>,
    },
}

/// Compile one expression (bare, or wrapped in `${…}`) as the server would.
pub fn check_expression(source: &str) -> ExpressionCheck {
    match Expression::parse(source) {
        Ok(expression) => ExpressionCheck::Ok { paths: expression.paths(), steps: expression.step_refs().cloned() },
        Err(error) => ExpressionCheck::Error { message: error.reason, at: error.at },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn expressions_report_their_paths_and_where_they_break() {
        let ok = check_expression("${steps.fetch.output.hosts.map(h, h.ip) + [inputs.zone]}");
        let ExpressionCheck::Ok { paths, steps } = ok else { panic!("{ok:?}") };
        assert_eq!(paths.into_iter().collect::<Vec<_>>(), ["inputs.zone", "steps.fetch.output.hosts"]);
        assert_eq!(steps.unwrap().into_iter().collect::<Vec<_>>(), ["fetch"]);
        let ExpressionCheck::Error { at, .. } = check_expression("inputs.n +\n  * 2") else { panic!() };
        assert_eq!(at, Some(Position { line: 2, column: 3 }), "the `*`");
    }

    #[test]
    fn known_plugins_resolve_the_newest_matching_version() {
        let schema = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
        let list: Vec<KnownPlugin> = serde_json::from_value(json!([
            {"name": "add", "version": "0.1.0", "input_schema": schema},
            {"name": "add", "version": "0.2.0", "input_schema": schema},
        ]))
        .unwrap();
        let known = KnownPlugins::new(&list);
        assert_eq!(known.resolve_input(&"add@^0.1".parse().unwrap()).unwrap().id, "add@0.1.0");
        assert_eq!(known.resolve_input(&"add".parse().unwrap()).unwrap().id, "add@0.2.0");
        assert!(known.resolve_input(&"add@^1".parse().unwrap()).err().unwrap().contains("known: 0.1.0, 0.2.0"));
        assert!(known.resolve_input(&"echo".parse().unwrap()).err().unwrap().contains("no plugin named"));
    }
}
