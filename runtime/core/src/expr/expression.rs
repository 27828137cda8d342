//! One compiled CEL expression, with the limits that bound its cost.

use std::collections::BTreeSet;
use std::fmt;

use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue, operators};
use std::sync::{Arc, OnceLock};

use cel::objects::Key;
use cel::{Context, Env, Program};
use serde_json::Value;

use super::Scope;
use super::work::{MAX_WORK_BYTES, Size, Step, Work};

/// Expressions longer than this are refused: flows are configuration, not programs.
const MAX_SOURCE_BYTES: usize = 4096;
/// Nested comprehensions (`map`, `filter`, `all`, `exists`) multiply work; two levels suffice.
const MAX_COMPREHENSION_DEPTH: usize = 2;
/// How many loop steps one evaluation may take at most, counted before it
/// starts from the lengths of the lists it can reach (see [`Expression::eval`]).
/// CEL has no way to stop an evaluation midway, so the bound is set before.
pub const MAX_LOOP_STEPS: u64 = 1_000_000;

/// How large a result may be, about, once written as JSON: `l.map(x, l)` is
/// `l` n times. The weight is counted before converting, and no further than
/// the limit (a result may hold one list many times over).
pub const MAX_RESULT_BYTES: usize = 8 << 20;

/// What the expressions evaluated for one node at one moment (a step's input
/// mapping, a switch's conditions, an end node's output) may take together:
/// [`MAX_LOOP_STEPS`] loop steps, results of [`MAX_RESULT_BYTES`] as JSON
/// (a mapping naming one long value in many places copies it as often), and
/// [`MAX_WORK_BYTES`] of text and lists built or scanned on the way.
#[derive(Debug, Default)]
pub struct Budget {
    spent: u64,
    built: usize,
    worked: u64,
    /// Slow matching done (`crate::pattern`): the node's expressions share one allowance.
    matched: u64,
}

impl Budget {
    /// Take a result weighing `weight` (counted up to the room left).
    fn build(&mut self, weight: usize) -> Result<(), String> {
        if weight <= self.room() {
            self.built += weight;
            return Ok(());
        }
        let limit = MAX_RESULT_BYTES >> 20;
        Err(if self.built == 0 {
            format!("its result would be larger than the limit of {limit} MiB once written as JSON")
        } else {
            format!(
                "its result would take what is evaluated for this node past the limit of {limit} MiB once written as JSON"
            )
        })
    }

    fn room(&self) -> usize {
        MAX_RESULT_BYTES.saturating_sub(self.built)
    }
}

pub struct Expression {
    source: String,
    // Boxed: the compiled program is most of an expression's size, and
    // expressions sit in enums beside small variants.
    program: Box<Program>,
    /// Step ids read as `steps.<id>` or `steps["<id>"]`; `None` if `steps` is used any other way.
    step_refs: Option<BTreeSet<String>>,
    variables: BTreeSet<String>,
    /// Its loops (comprehensions, and `in` on a list) by how deeply each is nested.
    loops: LoopNest,
    /// The paths it reads from its scope, as (root, fields): `inputs.zone` is
    /// (`inputs`, [`zone`]); a bare root means it reads the whole variable.
    reads: Vec<(String, Vec<String>)>,
    /// For a plain path (`steps.fetch.output.hosts`, `inputs.zone`): its root
    /// and fields, looked up in the JSON directly — the most common mapping
    /// is spared building a CEL context and converting values both ways.
    path: Option<(String, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{expression}`: {reason}")]
pub struct ExprError {
    pub expression: String,
    pub reason: String,
    /// Where in `expression` parsing failed, when the parser says.
    pub at: Option<Position>,
}

/// A place in an expression's text: line and column, both from 1, the
/// column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Expression {
    /// Compile `source`, bare (`inputs.n > 1`) or wrapped (`${inputs.n > 1}`).
    pub fn parse(source: &str) -> Result<Expression, ExprError> {
        let trimmed = source.trim();
        let inner = trimmed.strip_prefix("${").and_then(|s| s.strip_suffix('}')).unwrap_or(trimmed).trim();
        let error = |reason: String| ExprError { expression: inner.to_string(), reason, at: None };
        if inner.is_empty() {
            return Err(error("empty expression".into()));
        }
        if inner.len() > MAX_SOURCE_BYTES {
            return Err(error(format!("longer than {MAX_SOURCE_BYTES} bytes")));
        }
        let program = Program::compile(inner).map_err(|e| ExprError {
            at: e.errors.first().map(|first| Position {
                line: u32::try_from(first.pos.0).unwrap_or(1).max(1),
                // CEL's parser counts columns from 1 already.
                column: u32::try_from(first.pos.1).unwrap_or(1).max(1),
            }),
            ..error(format!("does not parse: {}", one_line(&e.to_string())))
        })?;
        let depth = comprehension_depth(program.expression());
        if depth > MAX_COMPREHENSION_DEPTH {
            return Err(error(format!("nests {depth} comprehensions; at most {MAX_COMPREHENSION_DEPTH} are allowed")));
        }
        let mut step_refs = Some(BTreeSet::new());
        collect_step_refs(program.expression(), &mut step_refs);
        let variables = program.references().variables().into_iter().map(str::to_string).collect();
        let path = plain_path(program.expression());
        let loops = LoopNest::of(program.expression());
        let mut reads = Vec::new();
        collect_reads(program.expression(), &variables, &mut Vec::new(), &mut reads);
        let program = Box::new(program);
        Ok(Expression { source: inner.to_string(), program, step_refs, variables, loops, reads, path })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The step ids this expression reads, or `None` if it indexes `steps` dynamically.
    pub fn step_refs(&self) -> Option<&BTreeSet<String>> {
        self.step_refs.as_ref()
    }

    /// Whether it only reads a value by its path (`${steps.fetch.output.hosts}`):
    /// no operation, no loop, no pattern — its cost is a lookup and a copy.
    pub fn is_plain_path(&self) -> bool {
        self.path.is_some()
    }

    /// The top-level names it reads (`inputs`, `steps`, `item`, …).
    pub fn variables(&self) -> &BTreeSet<String> {
        &self.variables
    }

    /// Every path the expression reads, written `root.field.field` (`inputs.zone`,
    /// `steps.fetch.output.hosts`): what an editor offers to complete and checks.
    /// A path stops where something other than a field selection is applied.
    pub fn paths(&self) -> BTreeSet<String> {
        self.reads
            .iter()
            .map(|(root, fields)| {
                std::iter::once(root.as_str()).chain(fields.iter().map(String::as_str)).collect::<Vec<_>>().join(".")
            })
            .collect()
    }

    pub fn eval(&self, scope: &Scope<'_>) -> Result<Value, ExprError> {
        self.eval_within(scope, &mut Budget::default())
    }

    /// Evaluate, spending the loop steps it may take from `budget`, which
    /// the expressions of one evaluation share (a mapping's, say): many
    /// expressions each under the limit must not add up past it.
    pub fn eval_within(&self, scope: &Scope<'_>, budget: &mut Budget) -> Result<Value, ExprError> {
        let error = |reason: String| ExprError { expression: self.source.clone(), reason, at: None };
        // A path that does not resolve is left to CEL, which says why.
        if let Some((root, fields)) = &self.path
            && let Some(found) = scope.lookup(root, fields)
        {
            budget.spent = budget.spent.saturating_add(1);
            budget.build(value_weight(found, budget.room())).map_err(error)?;
            return Ok(found.clone());
        }
        let mut roots = Vec::with_capacity(self.variables.len());
        let mut longest_list = 0;
        for name in &self.variables {
            let value = match name.as_str() {
                // Only the outputs the expression reads are converted: a flow
                // with thousands of steps must not pay for all of them.
                "steps" => scope.steps_value(self.step_refs.as_ref()),
                other => match scope.get(other) {
                    Some(value) => value.clone(),
                    None => continue,
                },
            };
            longest_list = longest_list.max(self.longest_list_read(name, &value));
            roots.push((name.as_str(), value));
        }
        // Every loop runs over a list it can reach, so this bounds the steps it
        // can take. (Lists written in the expression itself fit in its 4 KiB.)
        let steps = self.loops.steps(longest_list as u64);
        if steps > MAX_LOOP_STEPS {
            return Err(error(format!(
                "could take up to {steps} loop steps ({} nested over lists of up to {longest_list} items); the limit is {MAX_LOOP_STEPS}",
                self.loops.depth()
            )));
        }
        let spent = budget.spent.saturating_add(steps.max(1));
        if spent > MAX_LOOP_STEPS {
            return Err(error(format!(
                "could take up to {steps} loop steps, {spent} with the {} of the expressions evaluated before it for this node; the limit for one node is {MAX_LOOP_STEPS}",
                budget.spent
            )));
        }
        let work = self.work(&roots);
        let worked = budget.worked.saturating_add(work);
        if worked > MAX_WORK_BYTES {
            let (limit, mib) = (MAX_WORK_BYTES >> 20, |bytes: u64| bytes.div_ceil(1 << 20));
            return Err(error(if budget.worked == 0 {
                format!("could build or scan up to {} MiB of text and lists; the limit is {limit} MiB", mib(work))
            } else {
                format!(
                    "could build or scan up to {} MiB of text and lists, {} MiB with the expressions evaluated before it for this node; the limit for one node is {limit} MiB",
                    mib(work),
                    mib(worked)
                )
            }));
        }
        budget.spent = spent;
        budget.worked = worked;
        let mut context = Context::with_env(standard_env());
        for (name, value) in &roots {
            context.add_variable_from_value(*name, to_cel(value));
        }
        let allowance = crate::pattern::MAX_WORK.saturating_sub(budget.matched);
        let (result, left) = super::patterns::evaluating(allowance, || self.program.execute(&context));
        budget.matched = crate::pattern::MAX_WORK.saturating_sub(left);
        let result = result.map_err(|e| error(one_line(&e.to_string())))?;
        budget.build(json_weight(&result, budget.room())).map_err(error)?;
        result.json().map_err(|e| error(format!("result is not JSON: {e}")))
    }
}

impl Expression {
    /// The bytes it can build, copy or scan over the values of `roots`
    /// (see [`Work`]), converting them included.
    fn work(&self, roots: &[(&str, Value)]) -> u64 {
        let cap = usize::try_from(MAX_WORK_BYTES).unwrap_or(usize::MAX);
        let converted = roots.iter().fold(0u64, |sum, (_, value)| sum.saturating_add(value_weight(value, cap) as u64));
        // Each path is weighed once, however many times it is read.
        let mut weighed: Vec<(&str, Vec<Step>, Size)> = Vec::new();
        let built = Work::of(self.program.expression(), |root, steps| {
            let (name, value) = roots.iter().find(|(name, _)| *name == root)?;
            if let Some((_, _, known)) = weighed.iter().find(|(r, s, _)| r == name && s == steps) {
                return Some(*known);
            }
            let found = Size::at(value, steps, MAX_WORK_BYTES);
            weighed.push((name, steps.to_vec(), found));
            Some(found)
        });
        converted.saturating_add(built)
    }

    /// The longest list the expression can reach through variable `name`:
    /// in the values at the paths it reads, or anywhere in the variable when
    /// it reads the variable otherwise (indexing it, say).
    fn longest_list_read(&self, name: &str, value: &Value) -> usize {
        self.reads
            .iter()
            .filter(|(root, _)| root == name)
            .map(|(_, fields)| fields.iter().try_fold(value, |v, f| v.as_object()?.get(f)).map_or(0, longest_list_in))
            .max()
            .unwrap_or(0)
    }
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expression({:?})", self.source)
    }
}

/// CEL's standard environment (functions, macros), built once: building it
/// registers every standard function and is far dearer than an evaluation.
fn standard_env() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        env.add_extension(super::patterns::register).expect("CEL without its regex feature has no `matches`");
        Arc::new(env)
    })
    .clone()
}

/// JSON to CEL, with integers as CEL `int` (not `uint`) so `inputs.n + 1` works.
fn to_cel(value: &Value) -> cel::Value {
    match value {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => cel::Value::Int(i),
            (None, Some(u)) => cel::Value::UInt(u),
            _ => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => cel::Value::String(s.clone().into()),
        Value::Array(items) => items.iter().map(to_cel).collect::<Vec<_>>().into(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), to_cel(v)))
            .collect::<std::collections::HashMap<String, cel::Value>>()
            .into(),
    }
}

/// About how many bytes `value` takes as JSON, counted only until `cap` is
/// passed (so counting costs no more than the cap, however often a shared
/// list repeats).
fn json_weight(value: &cel::Value, cap: usize) -> usize {
    weigh(value, cap, |value, pending| match value {
        cel::Value::List(items) => {
            pending.extend(items.iter());
            2 + items.len()
        }
        cel::Value::Map(map) => {
            pending.extend(map.map.values());
            map.map.keys().map(|key| if let Key::String(key) = key { key.len() + 4 } else { 24 }).sum::<usize>() + 2
        }
        cel::Value::String(text) => text.len() + 2,
        cel::Value::Bytes(bytes) => bytes.len() / 3 * 4 + 6,
        _ => 8,
    })
}

/// [`json_weight`] for a JSON value already held (a plain path's: taking it
/// copies it).
pub(super) fn value_weight(value: &Value, cap: usize) -> usize {
    weigh(value, cap, |value, pending| match value {
        Value::Array(items) => {
            pending.extend(items.iter());
            2 + items.len()
        }
        Value::Object(map) => {
            pending.extend(map.values());
            map.keys().map(|key| key.len() + 4).sum::<usize>() + 2
        }
        Value::String(text) => text.len() + 2,
        _ => 8,
    })
}

/// Add up `own` over `root` and everything it holds (`own` weighs one value
/// and pushes what it holds), stopping once past `cap`. A scalar allocates
/// nothing: plain paths to numbers are weighed on the hot path.
fn weigh<'v, T>(root: &'v T, cap: usize, own: impl Fn(&'v T, &mut Vec<&'v T>) -> usize) -> usize {
    let mut pending = Vec::new();
    let mut weight = own(root, &mut pending);
    while weight <= cap
        && let Some(value) = pending.pop()
    {
        weight = weight.saturating_add(own(value, &mut pending));
    }
    weight
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn children(expr: &IdedExpr) -> Vec<&IdedExpr> {
    match &expr.expr {
        Expr::Call(call) => call.target.iter().map(|t| t.as_ref()).chain(call.args.iter()).collect(),
        Expr::Comprehension(c) => vec![&c.iter_range, &c.accu_init, &c.loop_cond, &c.loop_step, &c.result],
        Expr::List(list) => list.elements.iter().collect(),
        Expr::Map(map) => map.entries.iter().flat_map(|e| entry_children(&e.expr)).collect(),
        Expr::Struct(s) => s.entries.iter().flat_map(|e| entry_children(&e.expr)).collect(),
        Expr::Select(select) => vec![select.operand.as_ref()],
        _ => Vec::new(),
    }
}

fn entry_children(entry: &EntryExpr) -> Vec<&IdedExpr> {
    match entry {
        EntryExpr::StructField(field) => vec![&field.value],
        EntryExpr::MapEntry(entry) => vec![&entry.key, &entry.value],
    }
}

/// An expression's loops — comprehensions, and `x in list`, which walks the
/// list — counted by how deeply each is nested. A comprehension's range,
/// starting value and result are evaluated once, outside its loop; only its
/// condition and step run for each item. So `l.filter(…).map(…)` is two loops
/// at depth 0, and `l.map(x, l.exists(…))` one at depth 0 and one at depth 1.
/// Lengths are counted in units of the longest list (or map) the expression
/// reads or writes: `(l + l)` is two, and so is each item of `l.map(x, l + l)`
/// and a loop variable taken from such a list.
#[derive(Debug, Clone, Default)]
struct LoopNest {
    /// Loops (each over a list one unit long) that run `d` deep, at index `d`
    /// (boxed: every expression carries one, and most have no loop at all).
    at_depth: Box<[u64]>,
    /// The most items of a list or map written in the expression itself.
    written: u64,
}

/// What the walk over an expression knows: the loops so far, and how long the
/// lists are that the loop variables in scope hold.
struct Walk<'e> {
    at_depth: Vec<u64>,
    written: u64,
    variables: Vec<(&'e str, u64)>,
}

impl LoopNest {
    fn of(expr: &IdedExpr) -> LoopNest {
        let mut walk = Walk { at_depth: Vec::new(), written: 0, variables: Vec::new() };
        walk.add(expr, 0, 1);
        LoopNest { at_depth: walk.at_depth.into_boxed_slice(), written: walk.written }
    }

    /// How deeply the deepest loop is nested (1: loops, none inside another).
    fn depth(&self) -> usize {
        self.at_depth.len()
    }

    /// The most steps the loops can take when the longest list read is `n`
    /// long: a loop nested `d` deep runs at most n^(d+1) times, and a chain of
    /// loops adds up — however many a 4 KiB expression strings together.
    fn steps(&self, read: u64) -> u64 {
        let n = read.max(self.written);
        self.at_depth.iter().enumerate().fold(0, |sum: u64, (depth, &loops)| {
            let each = n.saturating_pow(u32::try_from(depth + 1).unwrap_or(u32::MAX));
            sum.saturating_add(loops.saturating_mul(each))
        })
    }
}

impl<'e> Walk<'e> {
    fn count(&mut self, depth: usize, loops: u64) {
        if self.at_depth.len() <= depth {
            self.at_depth.resize(depth + 1, 0);
        }
        self.at_depth[depth] = self.at_depth[depth].saturating_add(loops);
    }

    /// Count the loops of `expr`, which runs `weight` times for each run of
    /// the loops enclosing it, `depth` deep.
    fn add(&mut self, expr: &'e IdedExpr, depth: usize, weight: u64) {
        match &expr.expr {
            Expr::List(list) => self.written = self.written.max(list.elements.len() as u64),
            Expr::Map(map) => self.written = self.written.max(map.entries.len() as u64),
            _ => {}
        }
        match &expr.expr {
            Expr::Comprehension(c) => {
                let per_item = weight.saturating_mul(length(&c.iter_range, &mut self.variables));
                self.count(depth, per_item);
                for once in [&c.iter_range, &c.accu_init, &c.result] {
                    self.add(once, depth, weight);
                }
                // Its loop variable is at most as long as the range's items.
                let item = item_length(&c.iter_range, &mut self.variables);
                let bound = self.variables.len();
                self.variables.push((c.iter_var.as_str(), item));
                if let Some(second) = &c.iter_var2 {
                    self.variables.push((second.as_str(), item));
                }
                for each in [&c.loop_cond, &c.loop_step] {
                    self.add(each, depth + 1, per_item);
                }
                self.variables.truncate(bound);
            }
            _ => {
                if let Expr::Call(call) = &expr.expr
                    && call.func_name == operators::IN
                {
                    let walked = call.args.get(1).map_or(1, |list| length(list, &mut self.variables));
                    self.count(depth, weight.saturating_mul(walked));
                }
                for child in children(expr) {
                    self.add(child, depth, weight);
                }
            }
        }
    }
}

/// How long a list (or map) `expr` gives, in units, with `variables` the loop
/// variables in scope and how long each is: one, except that `a + b` can be as
/// long as both, a loop variable as long as the items it comes from, and a
/// comprehension's list no longer than its range or what its step adds.
fn length<'e>(expr: &'e IdedExpr, variables: &mut Vec<(&'e str, u64)>) -> u64 {
    match &expr.expr {
        Expr::Ident(name) => variables.iter().rev().find(|(bound, _)| bound == name).map_or(1, |(_, length)| *length),
        Expr::Call(call) if call.func_name == operators::ADD => {
            call.args.iter().map(|arg| length(arg, variables)).fold(0, u64::saturating_add).max(1)
        }
        Expr::Comprehension(_) => item_length(expr, variables),
        _ => children(expr).into_iter().map(|child| length(child, variables)).max().unwrap_or(1),
    }
}

/// How long a list held in `expr` can be (an item of it, a value of a map in
/// it) — for a comprehension, also its own list: no longer than its range, nor
/// than what its step adds past the list it adds to, its loop variable being
/// as long as the range's items.
fn item_length<'e>(expr: &'e IdedExpr, variables: &mut Vec<(&'e str, u64)>) -> u64 {
    let Expr::Comprehension(c) = &expr.expr else { return length(expr, variables) };
    let item = item_length(&c.iter_range, variables);
    let bound = variables.len();
    variables.push((c.iter_var.as_str(), item));
    if let Some(second) = &c.iter_var2 {
        variables.push((second.as_str(), item));
    }
    let added = length(&c.loop_step, variables).saturating_sub(1);
    variables.truncate(bound);
    length(&c.iter_range, variables).max(added).max(1)
}

/// How deeply comprehensions nest (ranges, starting values and results, run
/// outside their loop, do not count as inside it).
fn comprehension_depth(expr: &IdedExpr) -> usize {
    let deepest = |parts: &[&IdedExpr]| parts.iter().map(|part| comprehension_depth(part)).max().unwrap_or(0);
    match &expr.expr {
        Expr::Comprehension(c) => {
            deepest(&[&c.iter_range, &c.accu_init, &c.result]).max(deepest(&[&c.loop_cond, &c.loop_step]) + 1)
        }
        _ => deepest(&children(expr)),
    }
}

/// The length of the longest array (or map) anywhere in `value`.
pub(super) fn longest_list_in(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.iter().map(longest_list_in).max().unwrap_or(0).max(items.len()),
        // A loop over a map walks its keys.
        Value::Object(map) => map.values().map(longest_list_in).max().unwrap_or(0).max(map.len()),
        _ => 0,
    }
}

/// `root.a.b…` (field selections on a name, nothing else): the root and the fields.
fn plain_path(expr: &IdedExpr) -> Option<(String, Vec<String>)> {
    match &expr.expr {
        Expr::Ident(name) => Some((name.clone(), Vec::new())),
        Expr::Select(select) if !select.test => {
            let (root, mut fields) = plain_path(&select.operand)?;
            fields.push(select.field.clone());
            Some((root, fields))
        }
        _ => None,
    }
}

/// Every maximal `root.field…` chain on a variable of the scope — not on a
/// name a comprehension binds, where it binds it (`x` in `l.map(x, x.ip)`;
/// a loop variable named `inputs` hides `inputs` in its loop only).
fn collect_reads<'e>(
    expr: &'e IdedExpr,
    variables: &BTreeSet<String>,
    bound: &mut Vec<&'e str>,
    reads: &mut Vec<(String, Vec<String>)>,
) {
    if let Expr::Comprehension(c) = &expr.expr {
        for outside in [&c.iter_range, &c.accu_init] {
            collect_reads(outside, variables, bound, reads);
        }
        let scope = bound.len();
        bound.push(&c.accu_var);
        collect_reads(&c.result, variables, bound, reads);
        bound.push(&c.iter_var);
        bound.extend(c.iter_var2.as_deref());
        for inside in [&c.loop_cond, &c.loop_step] {
            collect_reads(inside, variables, bound, reads);
        }
        bound.truncate(scope);
        return;
    }
    if let Some((root, fields)) = plain_path(expr) {
        if variables.contains(&root)
            && !bound.contains(&root.as_str())
            && !reads.contains(&(root.clone(), fields.clone()))
        {
            reads.push((root, fields));
        }
        return;
    }
    for child in children(expr) {
        collect_reads(child, variables, bound, reads);
    }
}

fn is_steps(expr: &IdedExpr) -> bool {
    matches!(&expr.expr, Expr::Ident(name) if name == "steps")
}

/// Find `steps.<id>` and `steps["<id>"]`; any other use of `steps` makes the set unknown.
fn collect_step_refs(expr: &IdedExpr, refs: &mut Option<BTreeSet<String>>) {
    match &expr.expr {
        Expr::Select(select) if is_steps(&select.operand) => {
            if let Some(set) = refs {
                set.insert(select.field.clone());
            }
            return;
        }
        Expr::Call(call) if call.func_name == "_[_]" && call.args.len() == 2 && is_steps(&call.args[0]) => {
            match &call.args[1].expr {
                Expr::Literal(LiteralValue::String(id)) => {
                    if let Some(set) = refs {
                        set.insert(id.to_string());
                    }
                }
                _ => *refs = None,
            }
            return;
        }
        Expr::Ident(name) if name == "steps" => {
            *refs = None;
            return;
        }
        _ => {}
    }
    for child in children(expr) {
        collect_step_refs(child, refs);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn refs(source: &str) -> Option<Vec<String>> {
        Expression::parse(source).unwrap().step_refs().map(|s| s.iter().cloned().collect())
    }

    #[test]
    fn step_references_are_found() {
        assert_eq!(refs("steps.fetch.output.hosts"), Some(vec!["fetch".into()]));
        assert_eq!(refs("${steps.a.output.n + steps['b'].output.n}"), Some(vec!["a".into(), "b".into()]));
        assert_eq!(refs("inputs.hosts.map(h, h + steps.suffix.output)"), Some(vec!["suffix".into()]));
        assert_eq!(refs("steps[inputs.which].output"), None);
        assert_eq!(refs("inputs.n"), Some(vec![]));
    }

    #[test]
    fn evaluation_keeps_json_types() {
        let inputs = json!({"n": 41, "zone": "eu-1", "hosts": ["a", "b"]});
        let mut steps = BTreeMap::new();
        steps.insert("fetch".to_string(), json!({"output": {"count": 2}}));
        let scope = Scope::new(&inputs, &steps);
        let eval = |s: &str| Expression::parse(s).unwrap().eval(&scope);
        assert_eq!(eval("inputs.n + 1"), Ok(json!(42)));
        assert_eq!(eval("inputs.zone == 'eu-1'"), Ok(json!(true)));
        assert_eq!(eval("inputs.hosts.map(h, h + '.' + inputs.zone)"), Ok(json!(["a.eu-1", "b.eu-1"])));
        assert_eq!(eval("steps.fetch.output.count * 10"), Ok(json!(20)));
        assert_eq!(eval("{'zone': inputs.zone}"), Ok(json!({"zone": "eu-1"})));
    }

    #[test]
    fn loops_over_long_lists_are_refused_before_they_start() {
        let long: Vec<i64> = (0..8_000).collect();
        let inputs = json!({"l": long, "few": [1, 2, 3]});
        let steps = BTreeMap::new();
        let scope = Scope::new(&inputs, &steps);
        let eval = |s: &str| Expression::parse(s).unwrap().eval(&scope);
        // One loop over 8,000 items is fine; two nested (or a loop with `in`) would be 64 million steps
        // for the inner loop, and 8,000 more for the outer one.
        assert_eq!(eval("size(inputs.l.map(x, x + 1))"), Ok(json!(8_000)));
        for attack in ["size(inputs.l.filter(x, inputs.l.exists(y, y == -1)))", "inputs.l.filter(x, x in inputs.l)"] {
            let refused = eval(attack).unwrap_err();
            assert!(
                refused.reason.contains("64008000 loop steps") && refused.reason.contains("limit is 1000000"),
                "{refused}"
            );
        }
        assert_eq!(eval("inputs.few.filter(x, inputs.few.exists(y, y == x + 1))"), Ok(json!([1, 2])));
        // Loops one after the other are not nested: filtering 8,000 items, then mapping what is left.
        assert_eq!(eval("size(inputs.l.filter(x, x % 2 == 0).map(x, x + 1))"), Ok(json!(4_000)));
        // A chain of loops inside a loop adds up: 8,000 × 8,000 for each of the inner ones.
        let chain = format!("inputs.few.map(x, inputs.l{})", ".map(y, y)".repeat(20));
        let refused = Expression::parse(&chain).unwrap().eval(&scope).unwrap_err();
        assert!(refused.reason.contains("1280008000 loop steps"), "{refused}");
        let chained_with_in = eval("inputs.l.filter(x, x in [1, 2]).map(x, x)").unwrap_err();
        assert!(
            chained_with_in.reason.contains("2 nested"),
            "`in` still walks its list in the loop: {chained_with_in}"
        );
        assert_eq!(eval("2 in inputs.few"), Ok(json!(true)));

        // The same through a step's output, named or reached by indexing `steps`.
        let mut steps = BTreeMap::new();
        steps.insert("fetch".to_string(), json!({"output": {"l": (0..8_000).collect::<Vec<i64>>()}}));
        steps.insert("small".to_string(), json!({"output": {"few": [1, 2, 3]}}));
        let scope = Scope::new(&inputs, &steps);
        let eval = |s: &str| Expression::parse(s).unwrap().eval(&scope);
        for attack in [
            "size(steps.fetch.output.l.filter(x, steps.fetch.output.l.exists(y, y == -1)))",
            "steps.small.output.few.filter(x, x in steps.fetch.output.l)",
            "size(steps['fetch'].output.l.filter(x, steps['fetch'].output.l.exists(y, y == -1)))",
        ] {
            let refused = eval(attack).unwrap_err();
            assert!(refused.reason.contains("64008000 loop steps"), "{attack}: {refused}");
        }
        let pairs = "steps.small.output.few.filter(x, steps.small.output.few.exists(y, y == x + 1))";
        assert_eq!(eval(pairs), Ok(json!([1, 2])));
        assert_eq!(eval("size(steps.fetch.output.l) + steps.small.output.few[2]"), Ok(json!(8_003)));
    }

    #[test]
    fn plain_paths_give_what_cel_gives() {
        let inputs = json!({"zone": "eu-1", "big": u64::MAX, "x": 1.5, "o": {"b": [1, {"c": null}], "a": true}});
        let mut steps = BTreeMap::new();
        steps.insert("fetch".to_string(), json!({"output": {"count": 2, "hosts": ["a"]}, "status": "succeeded"}));
        let run = json!({"id": "r1"});
        let scope = Scope::new(&inputs, &steps).with_borrowed("run", &run).with("item", json!({"name": "h1"}));
        for source in [
            "inputs.zone",
            "inputs.big",
            "inputs.x",
            "inputs.o",
            "inputs.o.b",
            "inputs",
            "steps.fetch.output.count",
            "steps.fetch",
            "run.id",
            "item.name",
        ] {
            let expression = Expression::parse(source).unwrap();
            assert!(expression.path.is_some(), "{source} is a plain path");
            let by_cel = cel_only(&expression).eval(&scope).unwrap();
            assert_eq!(expression.eval(&scope).unwrap(), by_cel, "{source}");
        }
        // What does not resolve is CEL's to report, in CEL's words.
        for source in [
            "inputs.missing",
            "inputs.zone.deeper",
            "steps.nope.output",
            "steps.fetch.output.hosts.first",
            "nothing.here",
            "steps",
        ] {
            let expression = Expression::parse(source).unwrap();
            assert_eq!(expression.eval(&scope), cel_only(&expression).eval(&scope), "{source}");
        }
        for source in ["has(inputs.zone)", "inputs.o.b[0]", "inputs['zone']", "inputs.zone + ''"] {
            assert!(Expression::parse(source).unwrap().path.is_none(), "{source} is not a plain path");
        }
    }

    /// The same expression without the plain-path shortcut.
    fn cel_only(expression: &Expression) -> Expression {
        Expression { path: None, ..Expression::parse(&expression.source).unwrap() }
    }

    #[test]
    fn errors_name_the_expression_and_the_reason() {
        let err = Expression::parse("inputs.n +").unwrap_err();
        assert_eq!(err.expression, "inputs.n +");
        assert!(err.reason.starts_with("does not parse"), "{err}");
        let inputs = json!({});
        let steps = BTreeMap::new();
        let err = Expression::parse("inputs.missing.deeper").unwrap().eval(&Scope::new(&inputs, &steps)).unwrap_err();
        assert!(err.to_string().starts_with("`inputs.missing.deeper`: "), "{err}");
    }

    #[test]
    fn a_loop_over_lists_joined_with_plus_counts_each_list() {
        let inputs = json!({"m": (0..800).collect::<Vec<i64>>()});
        let steps = BTreeMap::new();
        let scope = Scope::new(&inputs, &steps);
        let eval = |s: &str| Expression::parse(s).unwrap().eval(&scope);
        // Over `m` alone: 800 + 640,000 steps, within the limit.
        assert_eq!(eval("size(inputs.m.filter(x, inputs.m.exists(y, y == -x)))"), Ok(json!(1)));
        // Over `m + m`: the outer loop is twice as long, and so is the work inside it.
        let refused = eval("size((inputs.m + inputs.m).filter(x, inputs.m.exists(y, y == -x)))").unwrap_err();
        assert!(refused.reason.contains("1281600 loop steps"), "{refused}");
        // The same when the joined list is an item of a list a comprehension made.
        let hidden = "size(inputs.m.map(x, inputs.m + inputs.m)[0].filter(x, inputs.m.exists(y, y == -x)))";
        assert!(eval(hidden).unwrap_err().reason.contains("1282400 loop steps"), "{:?}", eval(hidden));
    }

    #[test]
    fn maps_lists_written_out_and_loop_variables_count_at_their_length() {
        let keys: serde_json::Map<String, Value> = (0..2_000).map(|i| (format!("k{i}"), json!(i))).collect();
        let inputs = json!({"o": keys, "l": (0..400).collect::<Vec<i64>>()});
        let steps = BTreeMap::new();
        let scope = Scope::new(&inputs, &steps);
        let eval = |s: &str| Expression::parse(s).unwrap().eval(&scope);
        // A loop over a map walks its keys.
        let over_keys = eval("inputs.o.filter(k, inputs.o.exists(j, j == ''))").unwrap_err();
        assert!(over_keys.reason.contains("4002000 loop steps"), "{over_keys}");
        // A list written in the expression is as long as it is written.
        let written = format!("[{}].filter(x, x in [1, 2])", vec!["0"; 1_000].join(","));
        let refused = Expression::parse(&written).unwrap().eval(&scope).unwrap_err();
        assert!(refused.reason.contains("1001000 loop steps"), "{refused}");
        // A loop variable holding a joined list walks all of it.
        let l3 = "(inputs.l + inputs.l + inputs.l)";
        let nested = eval(&format!("size({l3}.map(x, {l3}).map(y, 1 in y))")).unwrap_err();
        assert!(nested.reason.contains("1442400 loop steps"), "{nested}");
    }

    #[test]
    fn a_result_repeating_what_it_read_is_weighed_as_written_out() {
        let inputs = json!({"l": (0..3_000).collect::<Vec<i64>>(), "s": "x".repeat(5_000), "few": [1, 2]});
        let steps = BTreeMap::new();
        let scope = Scope::new(&inputs, &steps);
        let eval = |s: &str| Expression::parse(s).unwrap().eval(&scope);
        // 3,000 loop steps, within the bound — but 9,000,000 numbers once written out.
        let refused = eval("inputs.l.map(x, inputs.l)").unwrap_err();
        assert!(refused.reason.contains("larger than the limit of 8 MiB once written as JSON"), "{refused}");
        // A string of 5 KB three thousand times over, in a map too.
        let refused = eval("inputs.l.map(x, {'s': inputs.s})").unwrap_err();
        assert!(refused.reason.contains("limit of 8 MiB"), "{refused}");
        // Counting stopped at the limit: what it found is about the limit, not the whole.
        let shared = cel::Value::List(Arc::new(vec![to_cel(&inputs["l"]); 3_000]));
        assert!(json_weight(&shared, 1_000) < 10_000);
        // What fits is given whole.
        assert_eq!(eval("inputs.few.map(x, inputs.few)"), Ok(json!([[1, 2], [1, 2]])));
        assert_eq!(eval("size(inputs.l.map(x, inputs.l))"), Ok(json!(3_000)));
    }

    #[test]
    fn matches_works_as_a_function_and_a_method_and_names_a_bad_pattern() {
        let inputs = json!({"hosts": ["db-1", "web-2", "db-30"], "p": "^db-[0-9]+$"});
        let steps = BTreeMap::new();
        let scope = Scope::new(&inputs, &steps);
        let eval = |s: &str| Expression::parse(s).unwrap().eval(&scope);
        assert_eq!(eval("inputs.hosts.filter(h, h.matches(inputs.p))"), Ok(json!(["db-1", "db-30"])));
        assert_eq!(eval("matches('web-2', 'web')"), Ok(json!(true)));
        let refused = eval("'a'.matches('(')").unwrap_err();
        assert!(refused.reason.contains("'(' is not a usable pattern"), "{refused}");
        // A loop making a new pattern for each item compiles a bounded number of them.
        let inputs = json!({"l": (0..100).collect::<Vec<i64>>()});
        let scope = Scope::new(&inputs, &steps);
        let refused = Expression::parse("inputs.l.map(x, 'a'.matches('^new-' + string(x)))").unwrap().eval(&scope);
        assert!(refused.unwrap_err().reason.contains("at most 32 different patterns"));
    }

    #[test]
    fn cost_is_bounded_before_running() {
        let long = format!("inputs.n + {}", "1 + ".repeat(2000) + "1");
        assert!(Expression::parse(&long).unwrap_err().reason.contains("longer than 4096 bytes"));
        let nested = "inputs.a.map(x, inputs.a.map(y, inputs.a.map(z, x + y + z)))";
        assert!(Expression::parse(nested).unwrap_err().reason.contains("nests 3 comprehensions"));
        assert!(Expression::parse("inputs.a.map(x, inputs.a.map(y, x + y))").is_ok());
        let chained = "inputs.a.map(x, x).filter(x, x > 0).map(x, x * 2).filter(x, x < 9)";
        assert!(Expression::parse(chained).is_ok(), "a chain of loops is not a nest of them");
    }

    #[test]
    fn text_built_or_scanned_past_the_limit_is_refused_before_running() {
        let hosts: Vec<Value> = (0..5_000)
            .map(|i| json!({"name": format!("host-{i}"), "rack": "r1", "notes": "n".repeat(4_000)}))
            .collect();
        let inputs = json!({"l": (0..3_000).collect::<Vec<i64>>(), "s": "x".repeat(100_000), "short": "y".repeat(1_000),
                            "hosts": hosts, "domain": "example.org"});
        let steps = BTreeMap::new();
        let scope = Scope::new(&inputs, &steps);
        let eval = |s: &str| Expression::parse(s).unwrap().eval(&scope);
        let refused = |source: &str| {
            let error = eval(source).unwrap_err();
            assert!(
                error.reason.contains("could build or scan up to") && error.reason.contains("the limit is 256 MiB"),
                "{source}: {error}"
            );
        };
        // Each of 3,000 steps copies 200 KB: about 600 MB.
        refused("size(inputs.l.map(x, inputs.s + inputs.s))");
        // Without a loop, each `+` of a chain copies all the ones before it built: about 2 GB.
        refused(&vec!["inputs.s"; 200].join(" + "));
        // Scanning a long text at every step, and converting one.
        refused("inputs.l.filter(x, inputs.s.contains('z'))");
        refused("inputs.l.filter(x, size(string(inputs.s)) == 0)");
        // CEL copies what it puts in a list or map, what `map` gathers, and
        // each item into its loop variable.
        refused("inputs.l.map(x, inputs.s)");
        refused("inputs.l.map(x, {'s': inputs.s})");
        refused("inputs.l.filter(x, [inputs.s, inputs.s] == [])");
        // A list inside a list written out is as long as it is; a loop
        // variable named like the scope hides it only in its loop.
        refused("[inputs.l][0].all(x, size(inputs.s + inputs.s) > 0)");
        refused("inputs.l.all(x, size(inputs.s + inputs.s) > 0) && [0].all(inputs, true)");
        // A loop over a map walks its keys, which can be long.
        let keys = vec!["k"; 300].join(" + ");
        refused(&format!("{{inputs.s: 0}}.all(k, size({keys}) > 0)"));
        let long_key = json!({"m": {"x".repeat(100_000): 0}});
        let error = Expression::parse(&format!("inputs.m.all(k, size({keys}) > 0)"))
            .unwrap()
            .eval(&Scope::new(&long_key, &steps));
        assert!(error.unwrap_err().reason.contains("could build or scan"));
        // An item missing a field does not make the others' small.
        let uneven = json!({"l": [{"a": {"b": vec!["x".repeat(100); 10_000]}}, {"a": {}}]});
        let chain = vec!["h.a.b"; 50].join(" + ");
        let source = format!("inputs.l.map(h, has(h.a.b) ? size({chain}) : 0)");
        let error = Expression::parse(&source).unwrap().eval(&Scope::new(&uneven, &steps));
        assert!(error.unwrap_err().reason.contains("could build or scan"));
        // A list a loop gathers is as long as what it gathers.
        refused("size([1, 2].map(x, inputs.l)[0].map(y, inputs.s + inputs.s))");
        // A loop variable is as large as the largest item it takes.
        let texts = json!({"t": ["x".repeat(300_000), "y"], "l": (0..500).collect::<Vec<i64>>()});
        let scope = Scope::new(&texts, &steps);
        let error = Expression::parse("inputs.t.map(a, inputs.l.map(b, a + a))").unwrap().eval(&scope).unwrap_err();
        assert!(error.reason.contains("could build or scan"), "{error}");
        // Looking for a long text in a list compares it with each item.
        let texts = json!({"s": "x".repeat(400_000), "t": ["x".repeat(399_999) + "y", "z"], "l": (0..900).collect::<Vec<i64>>()});
        let scope = Scope::new(&texts, &steps);
        let error = Expression::parse("inputs.l.filter(x, inputs.s in inputs.t)").unwrap().eval(&scope).unwrap_err();
        assert!(error.reason.contains("could build or scan"), "{error}");

        // What mappings ordinarily do stays well within it, and gives its
        // answer: a field of a loop variable is as large as that field is
        // at most, not as the largest item (hosts carry 4 KB of notes here).
        let names = eval("inputs.hosts.map(h, h.name + '-' + h.rack + '.' + inputs.domain)").unwrap();
        assert_eq!((names.as_array().unwrap().len(), &names[4_999]), (5_000, &json!("host-4999-r1.example.org")));
        // What a filter keeps are the items it was given: their fields too.
        let kept = eval("inputs.hosts.filter(h, h.rack == 'r1').map(h, h.name + '-' + h.rack + '.' + inputs.domain)");
        assert_eq!(kept.unwrap().as_array().map(Vec::len), Some(5_000));
        assert_eq!(eval("size(inputs.l.map(x, inputs.short + string(x)))"), Ok(json!(3_000)));
        assert_eq!(eval("size(inputs.s + inputs.s)"), Ok(json!(200_000)));
        assert_eq!(eval("size(inputs.hosts) + size(inputs.l)"), Ok(json!(8_000)));
    }

    #[test]
    fn the_expressions_of_one_node_share_the_work_limit() {
        let inputs = json!({"l": (0..1_000).collect::<Vec<i64>>(), "s": "x".repeat(25_000)});
        let steps = BTreeMap::new();
        let scope = Scope::new(&inputs, &steps);
        // About 150 MB each (50 KB built, copied into a list, gathered, at each
        // of 1,000 steps): one fits, two do not.
        let expression = Expression::parse("size(inputs.l.map(x, inputs.s + inputs.s))").unwrap();
        let mut budget = Budget::default();
        assert_eq!(expression.eval_within(&scope, &mut budget), Ok(json!(1_000)));
        let error = expression.eval_within(&scope, &mut budget).unwrap_err();
        assert!(
            error.reason.contains("with the expressions evaluated before it for this node")
                && error.reason.contains("the limit for one node is 256 MiB"),
            "{error}"
        );
    }

    #[test]
    fn no_general_purpose_escape_hatch_exists() {
        // CEL has no I/O, no imports, no reflection: these are plain parse or evaluation errors.
        let inputs = json!({});
        let steps = BTreeMap::new();
        let scope = Scope::new(&inputs, &steps);
        for attempt in ["__import__('os').system('id')", "process.env", "self.constructor.constructor('return 1')()"] {
            let result = Expression::parse(attempt).and_then(|e| e.eval(&scope));
            assert!(result.is_err(), "{attempt} evaluated to {result:?}");
        }
    }
}
