//! Whole-flow validation: every problem at once, each with its node id.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::graph::Graph;
use super::{Body, EdgeKind, Flow, NodeKind, OnError, Problem};
use crate::expr::{Expression, Template};
use crate::{PluginRef, PluginSchemas, ROLE_ASSIGNEE, ROLES};

/// Check `flow`; with `plugins`, also that every plugin exists in a matching
/// version and that literal inputs fit its input schema.
pub fn validate(flow: &Flow, plugins: Option<&dyn PluginSchemas>) -> Vec<Problem> {
    let (graph, mut problems) = Graph::build(flow);
    check_ids(flow, &mut problems);
    check_shape(&graph, &mut problems);
    check_parallels(&graph, &mut problems);
    // Compiled again by the plan: a flow whose inputs schema cannot be used
    // must not publish, only to refuse every start.
    if let Err(e) = crate::schema::Schema::compile(&flow.inputs.to_string(), "inputs") {
        problems.push(Problem::flow(e));
    }
    for (i, node) in flow.nodes.iter().enumerate() {
        check_expressions(&graph, i, &mut problems);
        for (what, plugin, input) in plugin_uses(&node.kind) {
            check_plugin(&node.id, what, plugin, input, plugins, &mut problems);
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

fn check_ids(flow: &Flow, problems: &mut Vec<Problem>) {
    let mut seen = HashSet::new();
    for node in &flow.nodes {
        if !seen.insert(node.id.as_str()) {
            problems.push(Problem::node(&node.id, "duplicate node id"));
        }
    }
}

fn check_shape(graph: &Graph<'_>, problems: &mut Vec<Problem>) {
    let starts: Vec<usize> = (0..graph.len()).filter(|&i| matches!(graph.kind(i), NodeKind::Start)).collect();
    match starts.len() {
        0 => problems.push(Problem::flow("no start node")),
        1 => {}
        _ => {
            for &s in &starts[1..] {
                problems.push(Problem::node(graph.id(s), "a second start node (a flow has exactly one)"));
            }
        }
    }
    if !(0..graph.len()).any(|i| matches!(graph.kind(i), NodeKind::End { .. })) {
        problems.push(Problem::flow("no end node"));
    }
    for i in 0..graph.len() {
        let id = graph.id(i);
        let kind = graph.kind(i);
        let out = graph.successors(i);
        let normal_out = out.iter().filter(|(_, k)| *k == EdgeKind::Normal).count();
        match kind {
            NodeKind::Start if !graph.predecessors(i).is_empty() => {
                problems.push(Problem::node(id, "the start node cannot have incoming edges"))
            }
            NodeKind::End { .. } if !out.is_empty() => {
                problems.push(Problem::node(id, "an end node cannot have outgoing edges"))
            }
            NodeKind::Switch { .. } if graph.flow.edges.iter().any(|e| e.from == id) => {
                problems.push(Problem::node(id, "a switch routes through its cases and default, not through edges"))
            }
            NodeKind::Approval { assignees, .. } => {
                for role in
                    assignees.iter().filter_map(|a| a.strip_prefix(ROLE_ASSIGNEE)).filter(|r| !ROLES.contains(r))
                {
                    problems.push(Problem::node(
                        id,
                        format!("assignee `{ROLE_ASSIGNEE}{role}` names no role (roles: {})", ROLES.join(", ")),
                    ));
                }
            }
            _ => {}
        }
        if !matches!(kind, NodeKind::End { .. }) && normal_out == 0 && !matches!(kind, NodeKind::Switch { .. }) {
            problems.push(Problem::node(id, "has no outgoing edge: every path must reach an end node"));
        }
        let routes_errors = kind.on_error() == Some(OnError::Route);
        for &(_, edge_kind) in out {
            match (edge_kind, kind) {
                (EdgeKind::Error, _) if routes_errors => {}
                (EdgeKind::Error, _) => problems
                    .push(Problem::node(id, "has an `error` edge but is not a step or subflow with `on_error: route`")),
                (EdgeKind::Rollback, NodeKind::Batch { .. }) => {}
                (EdgeKind::Rollback, _) => problems.push(Problem::node(id, "has a `rollback` edge but is not a batch")),
                (EdgeKind::Normal, _) => {}
            }
        }
        if routes_errors && out.iter().filter(|(_, k)| *k == EdgeKind::Error).count() != 1 {
            problems.push(Problem::node(id, "`on_error: route` needs exactly one `error` edge"));
        }
    }
    if !starts.is_empty() {
        let reach: Vec<Vec<bool>> = starts.iter().map(|&s| graph.reachable_from(s)).collect();
        for i in (0..graph.len()).filter(|&i| !reach.iter().any(|r| r[i])) {
            problems.push(Problem::node(graph.id(i), "unreachable from the start node"));
        }
    }
    if let Some(cycle) = graph.find_cycle() {
        let ids: Vec<&str> = cycle.iter().chain(cycle.first()).map(|&i| graph.id(i)).collect();
        problems.push(Problem::node(
            ids[0],
            format!("part of a cycle {} (repeat work with foreach or batch instead)", ids.join(" → ")),
        ));
    }
}

/// Every parallel must have branches that all meet again at one join, and
/// every join must close a parallel.
fn check_parallels(graph: &Graph<'_>, problems: &mut Vec<Problem>) {
    let is_join = |i: usize| matches!(graph.kind(i), NodeKind::Join);
    let mut closed = HashSet::new();
    for p in (0..graph.len()).filter(|&i| matches!(graph.kind(i), NodeKind::Parallel)) {
        let branches: Vec<usize> = graph.successors(p).iter().map(|&(s, _)| s).collect();
        if branches.len() < 2 {
            problems.push(Problem::node(graph.id(p), "a parallel needs at least two branches"));
            continue;
        }
        let reach: Vec<Vec<bool>> = branches.iter().map(|&b| graph.reachable_from(b)).collect();
        let distance = graph.distances_from(p);
        let join = (0..graph.len()).filter(|&j| is_join(j) && reach.iter().all(|r| r[j])).min_by_key(|&j| distance[j]);
        match join {
            Some(j) => {
                closed.insert(j);
            }
            None => problems.push(Problem::node(graph.id(p), "its branches never meet at a join")),
        }
    }
    for j in (0..graph.len()).filter(|&j| is_join(j) && !closed.contains(&j)) {
        problems.push(Problem::node(graph.id(j), "this join does not close any parallel"));
    }
}

/// A node's mappings (JSON with `${…}` inside), by the field that holds them.
type Mappings<'a> = Vec<(&'static str, &'a Value)>;
/// A node's bare expressions, by their JSON pointer in the node.
type BareExpressions<'a> = Vec<(String, &'a str)>;

/// The mappings and bare expressions a node carries, with where they are.
fn expressions_of(kind: &NodeKind) -> (Mappings<'_>, BareExpressions<'_>) {
    let mut mappings = Vec::new();
    let mut bare = Vec::new();
    match kind {
        NodeKind::Step(step) => mappings.push(("input", &step.input)),
        NodeKind::End { output: Some(output) } => mappings.push(("output", output)),
        NodeKind::Subflow { input, .. } => mappings.push(("input", input)),
        NodeKind::Switch { cases, .. } => {
            bare.extend(cases.iter().enumerate().map(|(i, c)| (format!("cases/{i}/when"), c.when.as_str())))
        }
        NodeKind::Wait { duration_ms: Some(Value::String(expr)), .. } => {
            bare.push(("duration_ms".into(), expr.as_str()))
        }
        NodeKind::Foreach { items, body, .. } | NodeKind::Batch { items, body, .. } => {
            bare.push(("items".into(), items.as_str()));
            mappings.push(("body/input", &body.input));
        }
        _ => {}
    }
    (mappings, bare)
}

fn check_expressions(graph: &Graph<'_>, i: usize, problems: &mut Vec<Problem>) {
    let id = graph.id(i);
    let (mappings, bare) = expressions_of(graph.kind(i));
    let mut templates = Vec::new();
    for (field, mapping) in mappings {
        match Template::compile(mapping) {
            Ok(template) => templates.push((field, template)),
            Err(errors) => {
                problems
                    .extend(errors.into_iter().map(|e| Problem::node(id, format!("/{field}{}: {}", e.path, e.error))));
            }
        }
    }
    let mut bare_compiled = Vec::new();
    for (field, source) in bare {
        match Expression::parse(source) {
            Ok(e) => bare_compiled.push((format!("/{field}"), e)),
            Err(e) => problems.push(Problem::node(id, format!("/{field}: {e}"))),
        }
    }
    let compiled: Vec<(String, &Expression)> = templates
        .iter()
        .flat_map(|(field, t)| t.expressions().into_iter().map(move |(path, e)| (format!("/{field}{path}"), e)))
        .chain(bare_compiled.iter().map(|(path, e)| (path.clone(), e)))
        .collect();
    if let NodeKind::Wait { until: Some(until), .. } = graph.kind(i) {
        check_until(id, until, problems);
    }
    if compiled.is_empty() {
        return;
    }
    for (path, expr) in &compiled {
        for step in expr.step_refs().into_iter().flatten() {
            match graph.index_of(step) {
                None => problems
                    .push(Problem::node(id, format!("{path}: refers to steps.{step}, but there is no node `{step}`"))),
                Some(s) if !graph.reaches(s, i) => problems.push(Problem::node(
                    id,
                    format!("{path}: refers to steps.{step}, which does not run before this node"),
                )),
                Some(_) => {}
            }
        }
    }
}

fn check_until(id: &str, until: &str, problems: &mut Vec<Problem>) {
    if until.contains("${") {
        if let Err(errors) = Template::compile(&Value::String(until.to_string())) {
            problems.extend(errors.into_iter().map(|e| Problem::node(id, format!("/until: {}", e.error))));
        }
    } else if humantime::parse_rfc3339_weak(until).is_err() {
        problems.push(Problem::node(id, format!("/until: `{until}` is not an RFC 3339 instant")));
    }
}

fn plugin_uses(kind: &NodeKind) -> Vec<(&'static str, &str, &Value)> {
    match kind {
        NodeKind::Step(step) => vec![("plugin", step.plugin.as_str(), &step.input)],
        NodeKind::Foreach { body, .. } | NodeKind::Batch { body, .. } => body_plugin(body).into_iter().collect(),
        _ => Vec::new(),
    }
}

fn body_plugin(body: &Body) -> Option<(&'static str, &str, &Value)> {
    body.plugin.as_deref().map(|p| ("body/plugin", p, &body.input))
}

fn check_plugin(
    id: &str,
    what: &str,
    reference: &str,
    input: &Value,
    plugins: Option<&dyn PluginSchemas>,
    problems: &mut Vec<Problem>,
) {
    let reference: PluginRef = match reference.parse() {
        Ok(r) => r,
        Err(e) => return problems.push(Problem::node(id, format!("/{what}: {e}"))),
    };
    let Some(plugins) = plugins else { return };
    let plugin = match plugins.resolve_input(&reference) {
        Ok(plugin) => plugin,
        Err(e) => return problems.push(Problem::node(id, format!("/{what}: {e}"))),
    };
    let Ok(template) = Template::compile(input) else { return };
    let expression_paths: Vec<String> = template.expressions().into_iter().map(|(p, _)| p).collect();
    let input_field = what.replace("plugin", "input");
    let mut seen = BTreeMap::new();
    for (path, message) in plugin.schema.located_violations(&template.literal_skeleton()) {
        let covered = expression_paths.iter().any(|e| path == *e || path.starts_with(&format!("{e}/")));
        if !covered && seen.insert(path.clone(), ()).is_none() {
            let at = if path == "/" { String::new() } else { path };
            problems.push(Problem::node(id, format!("/{input_field}{at}: {message} (input schema of {})", plugin.id)));
        }
    }
}
