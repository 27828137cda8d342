//! What an expression can see: `inputs`, `steps.<id>` (output, error, status,
//! attempts), and locals such as `item`, `index`, `run`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

pub struct Scope<'a> {
    inputs: &'a Value,
    steps: &'a BTreeMap<String, Value>,
    locals: Vec<(&'static str, Value)>,
}

impl<'a> Scope<'a> {
    pub fn new(inputs: &'a Value, steps: &'a BTreeMap<String, Value>) -> Scope<'a> {
        Scope { inputs, steps, locals: Vec::new() }
    }

    /// Add `item`, `index`, `run`, `error` … for one evaluation.
    pub fn with(mut self, name: &'static str, value: Value) -> Scope<'a> {
        self.locals.push((name, value));
        self
    }

    pub(super) fn get(&self, name: &str) -> Option<&Value> {
        if name == "inputs" {
            return Some(self.inputs);
        }
        self.locals.iter().rev().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// `steps` as a JSON object, with only `wanted` ids when they are known.
    pub(super) fn steps_value(&self, wanted: Option<&BTreeSet<String>>) -> Value {
        let pick = |(id, v): (&String, &Value)| (id.clone(), v.clone());
        let map: Map<String, Value> = match wanted {
            Some(ids) => ids.iter().filter_map(|id| self.steps.get_key_value(id)).map(pick).collect(),
            None => self.steps.iter().map(pick).collect(),
        };
        Value::Object(map)
    }
}
