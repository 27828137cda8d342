//! A flow compiled for running: graph indices, parsed plugin references,
//! compiled expressions. Built once per flow version.

use std::collections::HashMap;

use serde_json::Value;

use crate::PluginRef;
use crate::expr::{Expression, Template};
use crate::flow::{
    Backoff, Between, Body, CountOrPercent, EdgeKind, Flow, FlowVersionRef, Graph, NodeKind, OnError, OnTimeout,
    Problem, Retry, validate,
};
use crate::schema::Schema;

pub enum NodePlan {
    Start,
    End {
        output: Option<Template>,
    },
    Step {
        plugin: PluginRef,
        input: Template,
        retry: Retry,
        timeout_ms: Option<u64>,
        on_error: OnError,
    },
    /// A child run of a published flow of the run's tenant.
    Subflow {
        flow: String,
        version: FlowVersionRef,
        input: Template,
        on_error: OnError,
    },
    Parallel,
    Join,
    Switch {
        cases: Vec<(Expression, usize)>,
        default: Option<usize>,
    },
    Wait {
        duration: WaitFor,
    },
    Approval {
        assignees: Vec<String>,
        message: Option<String>,
        timeout_ms: Option<u64>,
        approve_on_timeout: bool,
    },
    Foreach {
        items: Expression,
        concurrency: u32,
        fail_fast: bool,
        body: BodyPlan,
    },
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
    /// Every expression the node evaluates.
    pub fn expressions(&self) -> Vec<&Expression> {
        fn of(template: &Template) -> Vec<&Expression> {
            template.expressions().into_iter().map(|(_, e)| e).collect()
        }
        match self {
            NodePlan::End { output: Some(output) } => of(output),
            NodePlan::Step { input, .. } | NodePlan::Subflow { input, .. } => of(input),
            NodePlan::Switch { cases, .. } => cases.iter().map(|(condition, _)| condition).collect(),
            NodePlan::Wait { duration: WaitFor::Expression(e) } => vec![e],
            NodePlan::Wait { duration: WaitFor::Until(until) } => of(until),
            NodePlan::Foreach { items, body, .. } | NodePlan::Batch { items, body, .. } => {
                std::iter::once(items).chain(of(&body.input)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The body and concurrency of a node that runs items (foreach, batch).
    pub fn iteration(&self) -> Option<(&BodyPlan, u32)> {
        match self {
            NodePlan::Foreach { body, concurrency, .. } | NodePlan::Batch { body, concurrency, .. } => {
                Some((body, *concurrency))
            }
            _ => None,
        }
    }
}

/// What a foreach runs per item.
pub struct BodyPlan {
    pub target: BodyTarget,
    pub input: Template,
    pub retry: Retry,
    pub timeout_ms: Option<u64>,
}

pub enum BodyTarget {
    Plugin(PluginRef),
    Flow { flow: String, version: FlowVersionRef },
}

/// Where a call of a node (or of an item, `node[k]`) goes.
pub enum CallTarget<'p> {
    Plugin {
        plugin: &'p PluginRef,
        timeout_ms: Option<u64>,
    },
    /// A child run; `node` is the node whose pinned version the run records
    /// (`run.subflows[node]`).
    Flow {
        node: &'p str,
        flow: &'p str,
    },
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
    /// Whether every expression of the flow is a plain path: applying its
    /// events is then quick whatever the values (the scheduler moves other
    /// work off the thread while it applies a flow's events otherwise).
    pub plain: bool,
}

impl Plan {
    pub fn new(flow: Flow) -> Result<Plan, Vec<Problem>> {
        let problems = validate(&flow, None);
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
        let plain = nodes.iter().all(|node: &NodePlan| node.expressions().iter().all(|e| e.is_plain_path()));
        Ok(Plan { flow, index, nodes, successors, predecessors, start, inputs, plain })
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

    /// Where a call of `name` (a node, or an item `node[k]`) goes.
    pub fn call_target(&self, name: &str) -> Option<CallTarget<'_>> {
        let (i, item) = self.locate(name)?;
        match (&self.nodes[i], item) {
            (NodePlan::Step { plugin, timeout_ms, .. }, None) => {
                Some(CallTarget::Plugin { plugin, timeout_ms: *timeout_ms })
            }
            (NodePlan::Subflow { flow, .. }, None) => Some(CallTarget::Flow { node: self.id(i), flow }),
            (plan, Some(_)) => plan.iteration().map(|(body, _)| match &body.target {
                BodyTarget::Plugin(plugin) => CallTarget::Plugin { plugin, timeout_ms: body.timeout_ms },
                BodyTarget::Flow { flow, .. } => CallTarget::Flow { node: self.id(i), flow },
            }),
            _ => None,
        }
    }

    /// Whether calls of node `i` (or of its items) start child runs. A child
    /// run is durable itself, so a call in flight at a crash continues it
    /// (same attempt) rather than starting another.
    pub fn calls_child_runs(&self, i: usize) -> bool {
        match &self.nodes[i] {
            NodePlan::Subflow { .. } => true,
            plan => plan.iteration().is_some_and(|(body, _)| matches!(body.target, BodyTarget::Flow { .. })),
        }
    }

    /// Every flow this one runs as a subflow: (node id, flow, version asked for).
    pub fn subflows(&self) -> Vec<(&str, &str, FlowVersionRef)> {
        (0..self.nodes.len())
            .filter_map(|i| match &self.nodes[i] {
                NodePlan::Subflow { flow, version, .. } => Some((self.id(i), flow.as_str(), *version)),
                plan => plan.iteration().and_then(|(body, _)| match &body.target {
                    BodyTarget::Flow { flow, version } => Some((self.id(i), flow.as_str(), *version)),
                    BodyTarget::Plugin(_) => None,
                }),
            })
            .collect()
    }
}

fn compile_body(
    id: &str,
    body: &Body,
    template: impl Fn(&Value) -> Result<Template, Vec<Problem>>,
) -> Result<BodyPlan, Vec<Problem>> {
    let target = match (&body.plugin, &body.flow) {
        (Some(plugin), _) => BodyTarget::Plugin(plugin.parse().map_err(|e: String| vec![Problem::node(id, e)])?),
        (None, Some(flow)) => BodyTarget::Flow { flow: flow.clone(), version: body.version },
        (None, None) => return Err(vec![Problem::node(id, "the body names neither a plugin nor a flow")]),
    };
    Ok(BodyPlan {
        target,
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
        Template::compile(value)
            .map_err(|errors| errors.into_iter().map(|e| Problem::node(id, e.error.to_string())).collect::<Vec<_>>())
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
        NodeKind::Subflow { flow, version, input, on_error } => {
            NodePlan::Subflow { flow: flow.clone(), version: *version, input: template(input)?, on_error: *on_error }
        }
        NodeKind::Parallel => NodePlan::Parallel,
        NodeKind::Join => NodePlan::Join,
        NodeKind::Switch { cases, default } => NodePlan::Switch {
            cases: cases
                .iter()
                .map(|c| Ok((expression(&c.when)?, graph.index_of(&c.to).expect("validated target"))))
                .collect::<Result<_, Vec<Problem>>>()?,
            default: default.as_ref().map(|d| graph.index_of(d).expect("validated target")),
        },
        NodeKind::Wait { duration_ms: Some(Value::Number(n)), .. } => {
            NodePlan::Wait { duration: WaitFor::Millis(n.as_u64().unwrap_or(u64::MAX)) }
        }
        NodeKind::Wait { duration_ms: Some(Value::String(e)), .. } => {
            NodePlan::Wait { duration: WaitFor::Expression(expression(e)?) }
        }
        NodeKind::Wait { until: Some(until), .. } => {
            NodePlan::Wait { duration: WaitFor::Until(template(&Value::String(until.clone()))?) }
        }
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
        other => {
            return Err(vec![Problem::node(
                id,
                format!("`{}` nodes cannot run in this version of the engine yet", other.name()),
            )]);
        }
    })
}
