//! What an expression can see: `inputs`, `steps.<id>` (output, error, status,
//! attempts), and locals such as `item`, `index`, `run`.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

pub struct Scope<'a> {
    inputs: &'a Value,
    steps: &'a BTreeMap<String, Value>,
    locals: Vec<(&'static str, Cow<'a, Value>)>,
}

impl<'a> Scope<'a> {
    pub fn new(inputs: &'a Value, steps: &'a BTreeMap<String, Value>) -> Scope<'a> {
        Scope { inputs, steps, locals: Vec::new() }
    }

    /// Add `item`, `index`, `run`, `error` … for one evaluation.
    pub fn with(mut self, name: &'static str, value: Value) -> Scope<'a> {
        self.locals.push((name, Cow::Owned(value)));
        self
    }

    /// As [`Scope::with`], for a value the caller keeps (not copied).
    pub fn with_borrowed(mut self, name: &'static str, value: &'a Value) -> Scope<'a> {
        self.locals.push((name, Cow::Borrowed(value)));
        self
    }

    pub(super) fn get(&self, name: &str) -> Option<&Value> {
        if name == "inputs" {
            return Some(self.inputs);
        }
        self.locals.iter().rev().find(|(n, _)| *n == name).map(|(_, v)| v.as_ref())
    }

    /// The value at `root.fields[0].fields[1]…`, if every step of the way is
    /// an object holding that field.
    pub(super) fn lookup(&self, root: &str, fields: &[String]) -> Option<&Value> {
        let (start, rest) = match root {
            "steps" => {
                let (id, rest) = fields.split_first()?;
                (self.steps.get(id)?, rest)
            }
            name => (self.get(name)?, fields),
        };
        rest.iter().try_fold(start, |value, field| value.as_object()?.get(field))
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
