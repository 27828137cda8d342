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
/// Bytes of a string one scan may go through per visit it is counted as
/// (a visit takes about as long as scanning a few hundred bytes).
const SCANNED_PER_VISIT: u64 = 64;
/// Where a schema without an `$id` lives for resolving its references
/// (the base jsonschema gives such a schema).
const BASE: &str = "json-schema:///";

/// One subschema: what visiting it costs, and where the check goes from it.
#[derive(Default, Debug)]
struct Node {
    /// One, plus a share of the values an `enum` or `const` compares against.
    weight: u64,
    /// Keywords whose work grows with a string's length (`pattern`'s DFA
    /// scan, `format`, lengths, comparisons): each costs a visit per
    /// [`SCANNED_PER_VISIT`] bytes of the string.
    scans: u64,
    /// `format: regex`: the string is compiled as a pattern, at a visit per byte.
    compiles: bool,
    /// `uniqueItems`: a visit per [`SCANNED_PER_VISIT`] bytes of the array as JSON.
    unique_items: bool,
    /// `unevaluatedProperties` or `unevaluatedItems`: to know what its
    /// in-place subschemas evaluated, jsonschema goes through them again.
    evaluates_twice: bool,
    /// What one byte of a property name costs to match against this node's
    /// `patternProperties` the slow way (their weights, summed; twice over
    /// when `additionalProperties` or `unevaluatedProperties` match them again).
    name_pattern_weight: u64,
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

/// What checking one value takes at most.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// (subschema, part of the value) visits.
    pub visits: u64,
    /// Property names' bytes × the weights of the patterns they meet.
    pub name_matching: u64,
}

/// A schema's subschemas as a graph (see the module's documentation).
#[derive(Debug)]
pub struct SchemaCost {
    nodes: Vec<Node>,
    /// Per node, what it and everything it applies in place add up to.
    closures: Vec<Closure>,
}

/// A node's in-place closure, counted with multiplicity (saturating).
#[derive(Debug, Default, Clone, Copy)]
struct Closure {
    weight: u64,
    scans: u64,
    compiles: u64,
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
        let mut reader = Reader { nodes: Vec::new(), seen: HashMap::new(), dynamic_anchors: dynamic_anchors(schema) };
        reader.node(schema, &resolver, draft)?;
        let mut cost = SchemaCost { nodes: reader.nodes, closures: Vec::new() };
        let order = cost.in_place_order()?;
        cost.closures = vec![Closure::default(); cost.nodes.len()];
        // Children come first in the order: a node's closure is its own plus theirs.
        for &index in &order {
            let node = &cost.nodes[index];
            let mut closure = Closure { weight: node.weight, scans: node.scans, compiles: u64::from(node.compiles) };
            for &child in &node.in_place {
                let below = cost.closures[child];
                closure.weight = closure.weight.saturating_add(below.weight);
                closure.scans = closure.scans.saturating_add(below.scans);
                closure.compiles = closure.compiles.saturating_add(below.compiles);
            }
            cost.closures[index] = closure;
        }
        Ok(cost)
    }

    /// Whether checking `value` makes at most `most` visits (`Err` with how
    /// many it would pass, counting no further); and its property names'
    /// matching against `patternProperties`, which jsonschema does itself
    /// (bytes × pattern weight, at every visit of such a node).
    pub fn within(&self, value: &Value, most: u64) -> Result<Work, u64> {
        let mut work = Work::default();
        let mut sizes: HashMap<*const Value, u64> = HashMap::new();
        let mut pending = vec![(0usize, value)];
        while let Some((index, part)) = pending.pop() {
            let node = &self.nodes[index];
            if !matches!(part, Value::Object(_) | Value::Array(_)) {
                // Nothing below a scalar: its cost is the closure's, computed once.
                work.visits = work.visits.saturating_add(self.scalar_cost(index, part));
                if work.visits > most {
                    return Err(work.visits);
                }
                continue;
            }
            work.visits = work.visits.saturating_add(node.weight);
            if node.unique_items && part.is_array() {
                // Items are hashed and compared whole: the array's size, measured once.
                let size = *sizes.entry(std::ptr::from_ref(part)).or_insert_with(|| json_size(part));
                work.visits = work.visits.saturating_add(size / SCANNED_PER_VISIT);
            }
            if work.visits > most {
                return Err(work.visits);
            }
            let passes = if node.evaluates_twice { 2 } else { 1 };
            for _ in 0..passes {
                pending.extend(node.in_place.iter().map(|&next| (next, part)));
            }
            if let (Value::Object(map), weight @ 1..) = (part, node.name_pattern_weight) {
                let bytes = map.keys().fold(0u64, |sum, name| sum.saturating_add(name.len() as u64));
                work.name_matching = work.name_matching.saturating_add(bytes.saturating_mul(weight));
            }
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
                    // A name is a string: what its schemas cost on it.
                    let as_text = Value::String(String::new());
                    for name in map.keys() {
                        for &schema in &node.names {
                            let cost = self.scalar_cost_of_length(schema, &as_text, name.len());
                            work.visits = work.visits.saturating_add(cost);
                        }
                        if work.visits > most {
                            return Err(work.visits);
                        }
                    }
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
        Ok(work)
    }

    /// What checking a scalar `part` against node `index` costs: every
    /// subschema applied in place below it, and their scans of a string.
    fn scalar_cost(&self, index: usize, part: &Value) -> u64 {
        let length = match part {
            Value::String(text) => text.len(),
            _ => 0,
        };
        self.scalar_cost_of_length(index, part, length)
    }

    fn scalar_cost_of_length(&self, index: usize, part: &Value, length: usize) -> u64 {
        let closure = &self.closures[index];
        let is_text = matches!(part, Value::String(_));
        let scanned = if is_text { closure.scans.saturating_mul(length as u64 / SCANNED_PER_VISIT) } else { 0 };
        let compiled = if is_text { closure.compiles.saturating_mul(length as u64) } else { 0 };
        closure.weight.saturating_add(scanned).saturating_add(compiled)
    }

    /// The nodes ordered so that each comes before those it applies in place;
    /// an error if a subschema is reached again from itself through in-place
    /// keywords only (it would be applied to the same part of the value forever).
    fn in_place_order(&self) -> Result<Vec<usize>, String> {
        let mut order = Vec::with_capacity(self.nodes.len());
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
                    order.push(*index);
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
        Ok(order)
    }
}

struct Reader {
    nodes: Vec<Node>,
    /// Subschemas already read, by address: a `$ref` to one links to it.
    seen: HashMap<*const Value, usize>,
    /// How many `$dynamicAnchor`s of each name the schema holds.
    dynamic_anchors: HashMap<String, usize>,
}

/// Keywords whose work grows with the length of the string they check.
const SCANNING: [&str; 7] = ["pattern", "format", "minLength", "maxLength", "const", "enum", "contentEncoding"];

impl Reader {
    fn node(&mut self, schema: &Value, resolver: &Resolver<'_>, draft: Draft) -> Result<usize, String> {
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
        let previous = draft;
        let draft = draft.detect(schema);
        let resolver = resolver
            .in_subresource(draft.create_resource_ref(schema))
            .map_err(|e| format!("its `$id` cannot be followed: {e}"))?;
        if draft != previous {
            return Err(format!(
                "a subschema names draft {draft:?}, inside a schema of draft {previous:?}: one draft per schema \
                 (where its references lead would depend on which one reads it)"
            ));
        }
        let mut node = Node { weight: 1, ..Node::default() };
        for compared in ["enum", "const"].iter().filter_map(|k| map.get(*k)) {
            node.weight = node.weight.saturating_add(json_size(compared) / SCANNED_PER_VISIT);
        }
        node.scans = SCANNING.iter().filter(|k| map.contains_key(**k)).count() as u64;
        node.compiles = map.get("format").and_then(Value::as_str) == Some("regex");
        node.unique_items = map.get("uniqueItems") == Some(&Value::Bool(true));
        node.evaluates_twice = map.contains_key("unevaluatedProperties") || map.contains_key("unevaluatedItems");
        for (keyword, value) in map {
            match (keyword.as_str(), value) {
                ("allOf" | "anyOf" | "oneOf", Value::Array(schemas)) => {
                    for schema in schemas {
                        node.in_place.push(self.node(schema, &resolver, draft)?);
                    }
                }
                ("not" | "if" | "then" | "else", schema) => node.in_place.push(self.node(schema, &resolver, draft)?),
                ("dependentSchemas" | "dependencies", Value::Object(schemas)) => {
                    for schema in schemas.values().filter(|s| !s.is_array()) {
                        node.in_place.push(self.node(schema, &resolver, draft)?);
                    }
                }
                ("$ref" | "$dynamicRef", Value::String(reference)) => {
                    if keyword == "$dynamicRef" {
                        self.refuse_ambiguous_dynamic_ref(reference)?;
                    }
                    let (contents, resolver, draft) = resolver
                        .lookup(reference)
                        .map_err(|e| format!("`{keyword}` {reference:?} cannot be followed: {e}"))?
                        .into_inner();
                    node.in_place.push(self.node(contents, &resolver, draft)?);
                }
                ("$recursiveRef", Value::String(_)) => {
                    if self.dynamic_anchors.get(RECURSIVE_ANCHOR).copied().unwrap_or(0) > 1 {
                        return Err("`$recursiveRef` may land on any of several `$recursiveAnchor`s, depending on \
                                    how it is reached: not supported"
                            .into());
                    }
                    let (contents, resolver, draft) = resolver
                        .lookup_recursive_ref()
                        .map_err(|e| format!("`$recursiveRef` cannot be followed: {e}"))?
                        .into_inner();
                    node.in_place.push(self.node(contents, &resolver, draft)?);
                }
                ("properties", Value::Object(schemas)) => {
                    for (name, schema) in schemas {
                        node.named.push((name.clone(), self.node(schema, &resolver, draft)?));
                    }
                }
                ("patternProperties", Value::Object(schemas)) => {
                    for (pattern, schema) in schemas {
                        node.name_pattern_weight =
                            node.name_pattern_weight.saturating_add(super::ecma_pattern_weight(pattern));
                        node.every_property.push(self.node(schema, &resolver, draft)?);
                    }
                }
                ("additionalProperties" | "unevaluatedProperties", schema) => {
                    node.every_property.push(self.node(schema, &resolver, draft)?);
                }
                ("propertyNames", schema) => node.names.push(self.node(schema, &resolver, draft)?),
                ("prefixItems" | "items", Value::Array(schemas)) => {
                    for schema in schemas {
                        node.at_index.push(self.node(schema, &resolver, draft)?);
                    }
                }
                ("items" | "additionalItems" | "contains" | "unevaluatedItems", schema) => {
                    node.every_item.push(self.node(schema, &resolver, draft)?);
                }
                _ => {}
            }
        }
        if map.contains_key("additionalProperties") || map.contains_key("unevaluatedProperties") {
            node.name_pattern_weight = node.name_pattern_weight.saturating_mul(2);
        }
        self.nodes[index] = node;
        Ok(index)
    }

    /// Where a `$dynamicRef` lands depends on the path the check took to it;
    /// this reader follows one. So it is followed only where one
    /// `$dynamicAnchor` of its name exists in the schema.
    fn refuse_ambiguous_dynamic_ref(&self, reference: &str) -> Result<(), String> {
        let name = reference.rsplit_once('#').map_or("", |(_, name)| name);
        match self.dynamic_anchors.get(name) {
            Some(&count) if count > 1 => Err(format!(
                "`$dynamicRef` {reference:?} may land on any of {count} `$dynamicAnchor`s named `{name}`, \
                 depending on how it is reached: not supported"
            )),
            _ => Ok(()),
        }
    }
}

/// The key under which [`dynamic_anchors`] counts `"$recursiveAnchor": true`.
const RECURSIVE_ANCHOR: &str = "$recursiveAnchor";

/// The names of the `$dynamicAnchor`s in `schema` (and its
/// `$recursiveAnchor`s, under [`RECURSIVE_ANCHOR`]), each with how often it appears.
fn dynamic_anchors(schema: &Value) -> HashMap<String, usize> {
    let mut found = HashMap::new();
    let mut pending = vec![schema];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(name)) = map.get("$dynamicAnchor") {
                    *found.entry(name.clone()).or_default() += 1;
                }
                if map.get("$recursiveAnchor") == Some(&Value::Bool(true)) {
                    *found.entry(RECURSIVE_ANCHOR.to_string()).or_default() += 1;
                }
                pending.extend(map.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    found
}

/// Roughly how many bytes `value` takes as JSON (what comparing with it scans).
fn json_size(value: &Value) -> u64 {
    let mut size = 0u64;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        size = size.saturating_add(match value {
            Value::String(text) => text.len() as u64 + 2,
            Value::Object(map) => {
                pending.extend(map.values());
                map.keys().fold(2u64, |sum, key| sum.saturating_add(key.len() as u64 + 4))
            }
            Value::Array(items) => {
                pending.extend(items);
                2 + items.len() as u64
            }
            _ => 8,
        });
    }
    size
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
            assert_eq!(cost.within(&json!("x"), MAX_VISITS).map(|w| w.visits), Ok(1 + (1u64 << 12) - 3));
            let deep = SchemaCost::new(&doubling(40, via_anchors)).unwrap();
            assert!(matches!(deep.within(&json!("x"), MAX_VISITS), Err(visits) if visits > 1 << 40));
            let below = json!({"$defs": doubling_to(json!({"type": "integer"}), 40),
                               "type": "object", "properties": {"p": {"items": {"$ref": "#/$defs/a40"}}}});
            let nested = SchemaCost::new(&below).unwrap();
            let refused = nested.within(&json!({"p": [1, 2]}), 1_000);
            assert!(matches!(refused, Err(visits) if visits > 1_000), "{refused:?}");
        }
    }

    #[test]
    fn branches_are_counted_for_every_item_they_apply_to() {
        let branches: Vec<Value> = (0..1_000).map(|i| json!({"const": i})).collect();
        let cost = SchemaCost::new(&json!({"type": "array", "items": {"anyOf": branches}})).unwrap();
        assert_eq!(cost.within(&json!(vec![0; 10]), MAX_VISITS).map(|w| w.visits), Ok(1 + 10 * 1_001));
        assert!(cost.within(&json!(vec![0; 10_000]), MAX_VISITS).is_err());
        let listed = SchemaCost::new(&json!({"enum": (0..500).collect::<Vec<_>>()})).unwrap();
        let size = 2 + 500 + 500 * 8;
        assert_eq!(
            listed.within(&json!(3), MAX_VISITS).map(|w| w.visits),
            Ok(1 + size / 64),
            "an enum weighs its values"
        );
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
        assert_eq!(
            cost.within(&json!({"a": 1, "b": ["x", "y"], "c": true}), MAX_VISITS).map(|w| w.visits),
            Ok(1 + 1 + 3 + 3 + 3)
        );
    }

    #[test]
    fn recursion_through_the_value_is_counted_as_deep_as_the_value_goes() {
        let tree = json!({"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}});
        let cost = SchemaCost::new(&tree).unwrap();
        let leaf = json!({"children": []});
        let two_levels = json!({"children": [{"children": [leaf.clone(), leaf.clone()]}]});
        // Each object: itself and its `children`; each item: its `$ref`.
        assert_eq!(cost.within(&two_levels, MAX_VISITS).map(|w| w.visits), Ok(4 * 2 + 3));
    }

    #[test]
    fn property_names_are_weighed_at_every_visit_of_their_patterns() {
        let once = json!({"patternProperties": {"[ab]*a[ab]{1000}[^ab]": {}}});
        let cost = SchemaCost::new(&once).unwrap();
        assert_eq!(cost.within(&json!({"abc": 1, "de": 2}), MAX_VISITS).unwrap().name_matching, 5 * 1003);
        let again = json!({"patternProperties": {"^x-": {}, "y$": {}}, "additionalProperties": false});
        let cost = SchemaCost::new(&again).unwrap();
        assert_eq!(cost.within(&json!({"abc": 1}), MAX_VISITS).unwrap().name_matching, 3 * (3 + 2) * 2);
        // Behind doubling `$ref`s, the same `patternProperties` is visited 2^k times.
        let mut defs = serde_json::Map::new();
        defs.insert("a0".into(), once);
        for i in 1..=10 {
            let below = json!({"$ref": format!("#/$defs/a{}", i - 1)});
            defs.insert(format!("a{i}"), json!({"allOf": [below.clone(), below]}));
        }
        let doubled = SchemaCost::new(&json!({"$defs": defs, "$ref": "#/$defs/a10"})).unwrap();
        assert_eq!(doubled.within(&json!({"abc": 1}), MAX_VISITS).unwrap().name_matching, 1024 * 3 * 1003);
    }

    /// A chain of `$ref`s doubling at each level, whose leaf is `leaf`.
    fn doubling_to(leaf: Value, depth: usize) -> serde_json::Map<String, Value> {
        let mut defs = serde_json::Map::new();
        defs.insert("a0".into(), leaf);
        for i in 1..=depth {
            let below = json!({"$ref": format!("#/$defs/a{}", i - 1)});
            defs.insert(format!("a{i}"), json!({"allOf": [below.clone(), below]}));
        }
        defs
    }

    #[test]
    fn work_below_names_and_within_a_visit_is_counted() {
        let refused =
            |schema: Value, value: Value| SchemaCost::new(&schema).unwrap().within(&value, MAX_VISITS).is_err();
        // The subschemas of `propertyNames`, for each name.
        let names =
            json!({"$defs": doubling_to(json!({"minLength": 1}), 29), "propertyNames": {"$ref": "#/$defs/a29"}});
        assert!(refused(names, json!({"a": 1})));
        // What grows with the value inside one visit.
        let unique = json!({"$defs": doubling_to(json!({"uniqueItems": true}), 11), "$ref": "#/$defs/a11"});
        assert!(refused(unique.clone(), json!(vec![1; 120_000])));
        assert!(!refused(unique, json!(vec![1; 100])));
        let scanned = json!({"$defs": doubling_to(json!({"not": {"pattern": "z"}}), 12), "$ref": "#/$defs/a12"});
        assert!(refused(scanned.clone(), json!("x".repeat(900_000))));
        assert!(!refused(scanned, json!("x".repeat(100))));
        assert!(refused(json!({"format": "regex"}), json!("(".repeat(3_000_000))));
        // jsonschema goes through the in-place subschemas again to find what they evaluated.
        let mut nested = json!({"properties": {"a": true}});
        for _ in 0..25 {
            nested = json!({"anyOf": [nested], "unevaluatedProperties": false});
        }
        assert!(refused(nested, json!({"a": 1})));
    }

    #[test]
    fn a_chain_behind_a_subschema_of_another_draft_is_not_followed_unseen() {
        // The chain, written as draft 4 writes it.
        let mut chain: serde_json::Map<String, Value> = doubling_to(json!({"minLength": 1}), 30)
            .into_iter()
            .map(|(k, v)| (k, serde_json::from_str(&v.to_string().replace("#/$defs/", "#/definitions/")).unwrap()))
            .collect();
        chain.insert("t".into(), json!({"$ref": "#/definitions/a30"}));
        let schema = json!({"definitions": {"t": {}}, "allOf": [{
            "$schema": "http://json-schema.org/draft-04/schema#", "id": "http://x.test/s",
            "definitions": chain, "allOf": [{"$ref": "#/definitions/t"}]}]});
        assert!(SchemaCost::new(&schema).unwrap_err().contains("one draft per schema"));
    }

    #[test]
    fn unique_items_weigh_the_array_whole() {
        let unique = json!({"$defs": doubling_to(json!({"uniqueItems": true}), 11), "$ref": "#/$defs/a11"});
        let cost = SchemaCost::new(&unique).unwrap();
        let nested: Vec<Value> = (0..60_000).map(|i| json!([[[[[i]]]]])).collect();
        assert!(cost.within(&json!(nested), MAX_VISITS).is_err());
        let flat: Vec<Value> = (0..1_000).map(|i| json!(i)).collect();
        assert!(cost.within(&json!(flat), MAX_VISITS).is_ok());
    }

    #[test]
    fn a_subschema_naming_another_draft_is_refused_however_it_is_reached() {
        let sub = json!({"$schema": "http://json-schema.org/draft-04/schema#", "id": "http://x.test/sub",
                         "definitions": {"t": {}}, "allOf": [{"$ref": "#/definitions/t"}]});
        for schema in [json!({"$defs": {"sub": sub.clone()}, "$ref": "#/$defs/sub"}), json!({"allOf": [sub]})] {
            assert!(SchemaCost::new(&schema).unwrap_err().contains("one draft per schema"), "{schema}");
        }
        let same = json!({"$schema": "https://json-schema.org/draft/2020-12/schema",
                          "$defs": {"s": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "string"}},
                          "$ref": "#/$defs/s"});
        assert!(SchemaCost::new(&same).is_ok(), "naming the same draft again is fine");
        let meta = json!({"$ref": "http://json-schema.org/draft-07/schema#",
                          "$schema": "http://json-schema.org/draft-07/schema#"});
        assert!(SchemaCost::new(&meta).is_ok(), "the specification's schemas keep their own draft");
    }

    #[test]
    fn a_dynamic_reference_with_several_possible_targets_is_refused() {
        let schema = json!({"$defs": {
            "list": {"$id": "list", "items": {"$dynamicRef": "#T"}, "$defs": {"T": {"$dynamicAnchor": "T"}}},
            "light": {"$id": "light", "$ref": "list", "$defs": {"T": {"$dynamicAnchor": "T", "type": "string"}}}},
            "$ref": "light"});
        assert!(SchemaCost::new(&schema).unwrap_err().contains("may land on any of 2 `$dynamicAnchor`s"));
    }

    #[test]
    fn schemas_whose_references_cannot_end_or_be_followed_are_refused() {
        let in_place = json!({"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"not": {"$ref": "#/$defs/a"}}}, "$ref": "#/$defs/a"});
        assert!(SchemaCost::new(&in_place).unwrap_err().contains("leads back to where it started"));
        let missing = json!({"$ref": "#/$defs/nowhere"});
        assert!(SchemaCost::new(&missing).unwrap_err().contains("cannot be followed"));
        let with_id = json!({"$id": "https://example.com/hosts.json", "$defs": {"h": {"type": "string"}},
                             "items": {"$ref": "https://example.com/hosts.json#/$defs/h"}});
        assert_eq!(SchemaCost::new(&with_id).unwrap().within(&json!(["a", "b"]), MAX_VISITS).map(|w| w.visits), Ok(5));
        let a_schema = json!({"$ref": "https://json-schema.org/draft/2020-12/schema"});
        let visits = SchemaCost::new(&a_schema).unwrap().within(&json!({"type": "object"}), MAX_VISITS).unwrap().visits;
        assert!(visits > 10, "the specification's schema is followed: {visits}");
    }
}
