//! A flow compiled for running: graph indices, parsed plugin references,
//! compiled expressions. Built once per flow version.

use std::collections::HashMap;

use serde_json::Value;

use crate::catalog::PluginRef;
use crate::expr::{Expression, Template};
use crate::flow::{
    validate, Backoff, Between, Body, CountOrPercent, EdgeKind, Flow, Graph, NodeKind, OnError, OnTimeout, Problem, Retry,
};
use crate::sandbox::schema::Schema;

pub enum NodePlan {
    Start,
    End { output: Option<Template> },
    Step { plugin: PluginRef, input: Template, retry: Retry, timeout_ms: Option<u64>, on_error: OnError },
    Parallel,
    Join,
    Switch { cases: Vec<(Expression, usize)>, default: Option<usize> },
    Wait { duration: WaitFor },
    Approval { assignees: Vec<String>, message: Option<String>, timeout_ms: Option<u64>, approve_on_timeout: bool },
    Foreach { items: Expression, concurrency: u32, fail_fast: bool, body: BodyPlan },
    Batch {
        items: Expression,
        /// Cumulative sizes: item `k` belongs to the first batch whose size exceeds `k`.
        batches: Vec<CountOrPercent>,
        concurrency: u32,
        between: Between,
        max_failures: CountOrPercent,
        has_rollback: bool,
        body: BodyPlan,
    },
}

impl NodePlan {
    /// The body and concurrency of a node that runs items (foreach, batch).
    pub fn iteration(&self) -> Option<(&BodyPlan, u32)> {
        match self {
            NodePlan::Foreach { body, concurrency, .. } | NodePlan::Batch { body, concurrency, .. } => Some((body, *concurrency)),
            _ => None,
        }
    }
}

/// What a foreach runs per item.
pub struct BodyPlan {
    pub plugin: PluginRef,
    pub input: Template,
    pub retry: Retry,
    pub timeout_ms: Option<u64>,
}

pub enum WaitFor {
    Millis(u64),
    Expression(Expression),
    /// An RFC 3339 instant, as a template (a literal, or `${…}` giving one).
    Until(Template),
}

pub struct Plan {
    pub flow: Flow,
    index: HashMap<String, usize>,
    pub nodes: Vec<NodePlan>,
    pub successors: Vec<Vec<(usize, EdgeKind)>>,
    pub predecessors: Vec<Vec<usize>>,
    pub start: usize,
    pub inputs: Schema,
}

/// Node kinds the engine does not run yet; validation accepts them so flows
/// can be written and stored, but a run refuses to start.
const NOT_YET_RUNNABLE: [&str; 1] = ["subflow"];

impl Plan {
    pub fn new(flow: Flow) -> Result<Plan, Vec<Problem>> {
        let mut problems = validate(&flow, None);
        for node in &flow.nodes {
            if NOT_YET_RUNNABLE.contains(&node.kind.name()) {
                problems.push(Problem::node(&node.id, format!("`{}` nodes cannot run in this version of the engine yet", node.kind.name())));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let inputs = Schema::compile(&flow.inputs.to_string(), "inputs").map_err(|e| vec![Problem::flow(e)])?;
        let (graph, _) = Graph::build(&flow);
        let n = graph.len();
        let successors: Vec<_> = (0..n).map(|i| graph.successors(i).to_vec()).collect();
        let predecessors: Vec<_> = (0..n).map(|i| graph.predecessors(i).to_vec()).collect();
        let start = (0..n).find(|&i| matches!(graph.kind(i), NodeKind::Start)).expect("validated: one start");
        let nodes = (0..n).map(|i| compile_node(&graph, i)).collect::<Result<Vec<_>, _>>()?;
        drop(graph);
        let index = flow.nodes.iter().enumerate().map(|(i, n)| (n.id.clone(), i)).collect();
        Ok(Plan { flow, index, nodes, successors, predecessors, start, inputs })
    }

    pub fn id(&self, i: usize) -> &str {
        &self.flow.nodes[i].id
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// A node, or one item of a foreach written `node[index]`.
    pub fn locate(&self, name: &str) -> Option<(usize, Option<usize>)> {
        if let Some(i) = self.index_of(name) {
            return Some((i, None));
        }
        let (id, rest) = name.split_once('[')?;
        let item = rest.strip_suffix(']')?.parse().ok()?;
        let i = self.index_of(id)?;
        self.nodes[i].iteration().map(|_| (i, Some(item)))
    }

    /// The plugin a call of `name` goes to, and its deadline.
    pub fn call_target(&self, name: &str) -> Option<(&PluginRef, Option<u64>)> {
        match (&self.nodes[self.locate(name)?.0], self.locate(name)?.1) {
            (NodePlan::Step { plugin, timeout_ms, .. }, None) => Some((plugin, *timeout_ms)),
            (plan, Some(_)) => plan.iteration().map(|(body, _)| (&body.plugin, body.timeout_ms)),
            _ => None,
        }
    }
}

fn compile_body(
    id: &str,
    body: &Body,
    template: impl Fn(&Value) -> Result<Template, Vec<Problem>>,
) -> Result<BodyPlan, Vec<Problem>> {
    let plugin = body
        .plugin
        .as_deref()
        .ok_or_else(|| vec![Problem::node(id, "a body that runs a subflow cannot run in this version of the engine yet")])?;
    Ok(BodyPlan {
        plugin: plugin.parse().map_err(|e: String| vec![Problem::node(id, e)])?,
        input: template(&body.input)?,
        retry: body.retry.clone().unwrap_or_else(single_attempt),
        timeout_ms: body.timeout_ms,
    })
}

fn single_attempt() -> Retry {
    Retry { max_attempts: 1, backoff: Backoff::Fixed, initial_ms: 0, max_ms: None, jitter: false }
}

fn compile_node(graph: &Graph<'_>, i: usize) -> Result<NodePlan, Vec<Problem>> {
    let id = graph.id(i);
    let template = |value: &Value| {
        Template::compile(value).map_err(|errors| errors.into_iter().map(|e| Problem::node(id, e.error.to_string())).collect::<Vec<_>>())
    };
    let expression = |source: &str| Expression::parse(source).map_err(|e| vec![Problem::node(id, e.to_string())]);
    Ok(match graph.kind(i) {
        NodeKind::Start => NodePlan::Start,
        NodeKind::End { output } => NodePlan::End { output: output.as_ref().map(template).transpose()? },
        NodeKind::Step(step) => NodePlan::Step {
            plugin: step.plugin.parse().map_err(|e: String| vec![Problem::node(id, e)])?,
            input: template(&step.input)?,
            retry: step.retry.clone().unwrap_or_else(single_attempt),
            timeout_ms: step.timeout_ms,
            on_error: step.on_error,
        },
        NodeKind::Parallel => NodePlan::Parallel,
        NodeKind::Join => NodePlan::Join,
        NodeKind::Switch { cases, default } => NodePlan::Switch {
            cases: cases
                .iter()
                .map(|c| Ok((expression(&c.when)?, graph.index_of(&c.to).expect("validated target"))))
                .collect::<Result<_, Vec<Problem>>>()?,
            default: default.as_ref().map(|d| graph.index_of(d).expect("validated target")),
        },
        NodeKind::Wait { duration_ms: Some(Value::Number(n)), .. } => NodePlan::Wait { duration: WaitFor::Millis(n.as_u64().unwrap_or(0)) },
        NodeKind::Wait { duration_ms: Some(Value::String(e)), .. } => NodePlan::Wait { duration: WaitFor::Expression(expression(e)?) },
        NodeKind::Wait { until: Some(until), .. } => NodePlan::Wait { duration: WaitFor::Until(template(&Value::String(until.clone()))?) },
        NodeKind::Approval { assignees, message, timeout_ms, on_timeout } => NodePlan::Approval {
            assignees: assignees.clone(),
            message: message.clone(),
            timeout_ms: *timeout_ms,
            approve_on_timeout: *on_timeout == OnTimeout::Approve,
        },
        NodeKind::Foreach { items, concurrency, fail_fast, body } => NodePlan::Foreach {
            items: expression(items)?,
            concurrency: (*concurrency).max(1),
            fail_fast: *fail_fast,
            body: compile_body(id, body, template)?,
        },
        NodeKind::Batch { items, batches, concurrency, between, max_failures, body } => NodePlan::Batch {
            items: expression(items)?,
            batches: batches.clone(),
            concurrency: (*concurrency).max(1),
            between: between.clone(),
            max_failures: max_failures.clone().unwrap_or(CountOrPercent::Count(0)),
            has_rollback: graph.successors(i).iter().any(|(_, kind)| *kind == EdgeKind::Rollback),
            body: compile_body(id, body, template)?,
        },
        other => return Err(vec![Problem::node(id, format!("`{}` nodes cannot run in this version of the engine yet", other.name()))]),
    })
}
