//! How much work checking a value against a schema can take, counted before
//! the check runs.
//!
//! jsonschema's work is the number of (subschema, part of the value) pairs
//! it visits, and a schema can make that number anything: `$ref`s that each
//! refer twice to the next (`a1: {allOf: [{$ref: a0}, {$ref: a0}]}`…) double
//! it at every level — 22 levels took 4 s on one integer, 40 would take days
//! — and an `anyOf` of 1,000 branches over 10,000 items took 6 s. So the
//! schema is read once into a graph of its subschemas, `$ref`s resolved as
//! jsonschema resolves them, and each value is first walked through that
//! graph as the check would walk it, counting visits — taking every branch
//! the check might take, so it counts at least as many — up to
//! [`MAX_VISITS`]: a value that would take more is refused before checking.

use std::collections::HashMap;

use referencing::{Draft, Resolver, SPECIFICATIONS};
use serde_json::Value;

/// The most (subschema, part of the value) visits one check may make:
/// about a second at jsonschema's slowest visit (a failing `anyOf` branch,
/// which builds its error), and far above what a schema of a few hundred
/// subschemas needs for a value of a megabyte.
pub const MAX_VISITS: u64 = 2_000_000;
/// The most subschemas one schema may hold, counting each once.
const MAX_SUBSCHEMAS: usize = 100_000;
/// Where a schema without an `$id` lives for resolving its references
/// (the base jsonschema gives such a schema).
const BASE: &str = "json-schema:///";

/// One subschema: what visiting it costs, and where the check goes from it.
#[derive(Default, Debug)]
struct Node {
    /// One, plus the values an `enum` compares against.
    weight: u64,
    /// Applied to the same part of the value: `allOf`, `anyOf`, `oneOf`,
    /// `not`, `if`/`then`/`else`, `dependentSchemas`, `$ref` …
    in_place: Vec<usize>,
    /// `properties`: applied to the property of that name.
    named: Vec<(String, usize)>,
    /// Applied to every property: `patternProperties` (each might match),
    /// `additionalProperties`, `unevaluatedProperties`.
    every_property: Vec<usize>,
    /// `propertyNames`: applied to every name.
    names: Vec<usize>,
    /// `prefixItems` (or `items` as an array): applied to the item at its index.
    at_index: Vec<usize>,
    /// Applied to every item: `items`, `additionalItems`, `contains`, `unevaluatedItems`.
    every_item: Vec<usize>,
}

/// A schema's subschemas as a graph (see the module's documentation).
#[derive(Debug)]
pub struct SchemaCost {
    nodes: Vec<Node>,
}

impl SchemaCost {
    /// Read `schema`; an error if it holds too many subschemas, a reference
    /// that cannot be followed, or a reference that comes back to where it
    /// started without reaching into the value (which no value can end).
    pub fn new(schema: &Value) -> Result<SchemaCost, String> {
        let draft = Draft::default().detect(schema);
        let resource = draft.create_resource_ref(schema);
        let base = match resource.id() {
            Some(id) => id.trim_end_matches('#').to_string(),
            None => BASE.to_string(),
        };
        // Over the specifications' own schemas, which a `$ref` may name.
        let registry = SPECIFICATIONS
            .add(base.as_str(), resource)
            .and_then(|builder| builder.draft(draft).prepare())
            .map_err(|e| format!("its references cannot be followed: {e}"))?;
        let base_uri = referencing::uri::from_str(&base).map_err(|e| format!("its `$id` is not a URI: {e}"))?;
        let resolver = registry.resolver(base_uri);
        let mut reader = Reader { nodes: Vec::new(), seen: HashMap::new(), draft };
        reader.node(schema, &resolver)?;
        let cost = SchemaCost { nodes: reader.nodes };
        cost.refuse_loops_in_place()?;
        Ok(cost)
    }

    /// Whether checking `value` makes at most `most` visits (`Err` with how
    /// many it would pass, counting no further).
    pub fn within(&self, value: &Value, most: u64) -> Result<u64, u64> {
        let mut visits = 0u64;
        let mut pending = vec![(0usize, value)];
        while let Some((index, part)) = pending.pop() {
            let node = &self.nodes[index];
            visits = visits.saturating_add(node.weight);
            if visits > most {
                return Err(visits);
            }
            pending.extend(node.in_place.iter().map(|&next| (next, part)));
            match part {
                Value::Object(map)
                    if !(node.named.is_empty() && node.every_property.is_empty() && node.names.is_empty()) =>
                {
                    for (name, schema) in &node.named {
                        if let Some(property) = map.get(name) {
                            pending.push((*schema, property));
                        }
                    }
                    for property in map.values() {
                        pending.extend(node.every_property.iter().map(|&next| (next, property)));
                    }
                    // A name is a string: its visit is all it costs.
                    let names = (map.len() as u64).saturating_mul(node.names.len() as u64);
                    visits = visits.saturating_add(names);
                }
                Value::Array(items) if !(node.at_index.is_empty() && node.every_item.is_empty()) => {
                    for (schema, item) in node.at_index.iter().zip(items) {
                        pending.push((*schema, item));
                    }
                    for item in items {
                        pending.extend(node.every_item.iter().map(|&next| (next, item)));
                    }
                }
                _ => {}
            }
        }
        Ok(visits)
    }

    /// A subschema reached again from itself through in-place keywords only
    /// would be applied to the same part of the value forever.
    fn refuse_loops_in_place(&self) -> Result<(), String> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Unseen,
            Open,
            Done,
        }
        let mut marks = vec![Mark::Unseen; self.nodes.len()];
        for start in 0..self.nodes.len() {
            if marks[start] != Mark::Unseen {
                continue;
            }
            let mut path = vec![(start, 0usize)];
            marks[start] = Mark::Open;
            while let Some((index, next)) = path.last_mut() {
                let Some(&child) = self.nodes[*index].in_place.get(*next) else {
                    marks[*index] = Mark::Done;
                    path.pop();
                    continue;
                };
                *next += 1;
                match marks[child] {
                    Mark::Open => {
                        return Err("a `$ref` leads back to where it started without reaching into the value".into());
                    }
                    Mark::Unseen => {
                        marks[child] = Mark::Open;
                        path.push((child, 0));
                    }
                    Mark::Done => {}
                }
            }
        }
        Ok(())
    }
}

struct Reader {
    nodes: Vec<Node>,
    /// Subschemas already read, by address: a `$ref` to one links to it.
    seen: HashMap<*const Value, usize>,
    draft: Draft,
}

impl Reader {
    fn node(&mut self, schema: &Value, resolver: &Resolver<'_>) -> Result<usize, String> {
        if let Some(&index) = self.seen.get(&std::ptr::from_ref(schema)) {
            return Ok(index);
        }
        if self.nodes.len() >= MAX_SUBSCHEMAS {
            return Err(format!("it holds more than {MAX_SUBSCHEMAS} subschemas"));
        }
        let index = self.nodes.len();
        self.nodes.push(Node { weight: 1, ..Node::default() });
        self.seen.insert(std::ptr::from_ref(schema), index);
        let Value::Object(map) = schema else { return Ok(index) };
        let resolver = resolver
            .in_subresource(self.draft.create_resource_ref(schema))
            .map_err(|e| format!("its `$id` cannot be followed: {e}"))?;
        let mut node = Node { weight: 1, ..Node::default() };
        if let Some(Value::Array(values)) = map.get("enum") {
            node.weight = node.weight.saturating_add(values.len() as u64);
        }
        for (keyword, value) in map {
            match (keyword.as_str(), value) {
                ("allOf" | "anyOf" | "oneOf", Value::Array(schemas)) => {
                    for schema in schemas {
                        node.in_place.push(self.node(schema, &resolver)?);
                    }
                }
                ("not" | "if" | "then" | "else", schema) => node.in_place.push(self.node(schema, &resolver)?),
                ("dependentSchemas" | "dependencies", Value::Object(schemas)) => {
                    for schema in schemas.values().filter(|s| !s.is_array()) {
                        node.in_place.push(self.node(schema, &resolver)?);
                    }
                }
                ("$ref" | "$dynamicRef", Value::String(reference)) => {
                    let resolved = resolver
                        .lookup(reference)
                        .map_err(|e| format!("`{keyword}` {reference:?} cannot be followed: {e}"))?;
                    node.in_place.push(self.node(resolved.contents(), resolved.resolver())?);
                }
                ("$recursiveRef", Value::String(_)) => {
                    let resolved = resolver
                        .lookup_recursive_ref()
                        .map_err(|e| format!("`$recursiveRef` cannot be followed: {e}"))?;
                    node.in_place.push(self.node(resolved.contents(), resolved.resolver())?);
                }
                ("properties", Value::Object(schemas)) => {
                    for (name, schema) in schemas {
                        node.named.push((name.clone(), self.node(schema, &resolver)?));
                    }
                }
                ("patternProperties", Value::Object(schemas)) => {
                    for schema in schemas.values() {
                        node.every_property.push(self.node(schema, &resolver)?);
                    }
                }
                ("additionalProperties" | "unevaluatedProperties", schema) => {
                    node.every_property.push(self.node(schema, &resolver)?);
                }
                ("propertyNames", schema) => node.names.push(self.node(schema, &resolver)?),
                ("prefixItems" | "items", Value::Array(schemas)) => {
                    for schema in schemas {
                        node.at_index.push(self.node(schema, &resolver)?);
                    }
                }
                ("items" | "additionalItems" | "contains" | "unevaluatedItems", schema) => {
                    node.every_item.push(self.node(schema, &resolver)?);
                }
                _ => {}
            }
        }
        self.nodes[index] = node;
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `a0` a string, each `aN` referring twice to `aN-1`: 2^depth visits.
    fn doubling(depth: usize, via_anchors: bool) -> Value {
        let mut defs = serde_json::Map::new();
        defs.insert("a0".into(), json!({"type": "string", "$anchor": "a0"}));
        for i in 1..=depth {
            let to = if via_anchors { format!("#a{}", i - 1) } else { format!("#/$defs/a{}", i - 1) };
            defs.insert(format!("a{i}"), json!({"$anchor": format!("a{i}"), "allOf": [{"$ref": to}, {"$ref": to}]}));
        }
        json!({"$defs": defs, "$ref": format!("#/$defs/a{depth}")})
    }

    #[test]
    fn references_are_counted_as_often_as_the_check_follows_them() {
        for via_anchors in [false, true] {
            let cost = SchemaCost::new(&doubling(10, via_anchors)).unwrap();
            // Level n visits itself, its two `{"$ref"}` branches and twice level n - 1:
            // 2^(n+2) - 3 visits; and the root.
            assert_eq!(cost.within(&json!("x"), MAX_VISITS), Ok(1 + (1u64 << 12) - 3));
            let deep = SchemaCost::new(&doubling(40, via_anchors)).unwrap();
            assert_eq!(deep.within(&json!("x"), 1_000), Err(1_001), "counted no further than asked");
        }
    }

    #[test]
    fn branches_are_counted_for_every_item_they_apply_to() {
        let branches: Vec<Value> = (0..1_000).map(|i| json!({"const": i})).collect();
        let cost = SchemaCost::new(&json!({"type": "array", "items": {"anyOf": branches}})).unwrap();
        assert_eq!(cost.within(&json!(vec![0; 10]), MAX_VISITS), Ok(1 + 10 * 1_001));
        assert!(cost.within(&json!(vec![0; 10_000]), MAX_VISITS).is_err());
        let listed = SchemaCost::new(&json!({"enum": (0..500).collect::<Vec<_>>()})).unwrap();
        assert_eq!(listed.within(&json!(3), MAX_VISITS), Ok(501), "an enum weighs its values");
    }

    #[test]
    fn properties_are_counted_where_they_apply() {
        let schema = json!({
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"items": {"type": "string"}}},
            "additionalProperties": {"type": "boolean"},
            "propertyNames": {"maxLength": 3}
        });
        let cost = SchemaCost::new(&schema).unwrap();
        // root 1; `a` 1; `b` 1 + 2 items; additionalProperties once per property (3); 3 names.
        assert_eq!(cost.within(&json!({"a": 1, "b": ["x", "y"], "c": true}), MAX_VISITS), Ok(1 + 1 + 3 + 3 + 3));
    }

    #[test]
    fn recursion_through_the_value_is_counted_as_deep_as_the_value_goes() {
        let tree = json!({"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}});
        let cost = SchemaCost::new(&tree).unwrap();
        let leaf = json!({"children": []});
        let two_levels = json!({"children": [{"children": [leaf.clone(), leaf.clone()]}]});
        // Each object: itself and its `children`; each item: its `$ref`.
        assert_eq!(cost.within(&two_levels, MAX_VISITS), Ok(4 * 2 + 3));
    }

    #[test]
    fn schemas_whose_references_cannot_end_or_be_followed_are_refused() {
        let in_place = json!({"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"not": {"$ref": "#/$defs/a"}}}, "$ref": "#/$defs/a"});
        assert!(SchemaCost::new(&in_place).unwrap_err().contains("leads back to where it started"));
        let missing = json!({"$ref": "#/$defs/nowhere"});
        assert!(SchemaCost::new(&missing).unwrap_err().contains("cannot be followed"));
        let with_id = json!({"$id": "https://example.com/hosts.json", "$defs": {"h": {"type": "string"}},
                             "items": {"$ref": "https://example.com/hosts.json#/$defs/h"}});
        assert_eq!(SchemaCost::new(&with_id).unwrap().within(&json!(["a", "b"]), MAX_VISITS), Ok(5));
        let a_schema = json!({"$ref": "https://json-schema.org/draft/2020-12/schema"});
        let visits = SchemaCost::new(&a_schema).unwrap().within(&json!({"type": "object"}), MAX_VISITS).unwrap();
        assert!(visits > 10, "the specification's schema is followed: {visits}");
    }
}
