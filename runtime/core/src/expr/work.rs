//! The bytes an evaluation can build, copy or scan, bounded before it starts.
//!
//! Loop steps alone do not bound an evaluation: one step of
//! `l.map(x, s + s)` copies `s` twice, and `s + s + … + s` copies it hundreds
//! of times without any loop. CEL cannot be stopped midway, so, as for loop
//! steps, the bound is set before: a walk over the expression gives every
//! node an upper bound on the size of its value (from the sizes of the values
//! it reads) and charges each operation that builds, copies or scans text and
//! lists that size, times how often it can run. CEL copies a value wherever
//! it puts it (in a list or map written out, in what `map` and `filter`
//! gather, in a loop variable at each step), so those are charged as copies.

use cel::common::ast::{ComprehensionExpr, EntryExpr, Expr, IdedExpr, LiteralValue, operators};
use serde_json::Value;

/// How many bytes one node's expressions may build, copy or scan, about,
/// counted as JSON: a quarter of a second of copying on a slow machine.
pub const MAX_WORK_BYTES: u64 = 256 << 20;

/// What a list or map holds per item or entry besides its contents.
const SLOT_BYTES: u64 = 32;
/// A value no larger than a number.
const SMALL: Size = Size { whole: 8, part: 8, items: 0 };
/// The longest text a conversion gives from a scalar (`string(1e308)` is 309 digits).
const CONVERTED_BYTES: u64 = 330;

/// Upper bounds on a value, in bytes once written as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Size {
    whole: u64,
    /// Its largest item, or field or key (itself, for text and scalars).
    part: u64,
    /// The most items of any list or map in it (0 for text and scalars).
    items: u64,
}

impl Size {
    /// `value`'s size, counting only until `cap` is passed (past it, every
    /// part is taken to be the whole).
    pub(super) fn of(value: &Value, cap: u64) -> Size {
        let weigh = |v: &Value| super::expression::value_weight(v, usize::try_from(cap).unwrap_or(usize::MAX)) as u64;
        let items = super::expression::longest_list_in(value) as u64;
        let (children, longest_key): (Box<dyn Iterator<Item = (u64, &Value)>>, u64) = match value {
            Value::Array(list) => (Box::new(list.iter().map(|item| (1, item))), 0),
            Value::Object(map) => (
                Box::new(map.iter().map(|(key, item)| (key.len() as u64 + 4, item))),
                map.keys().map(|key| key.len() as u64 + 2).max().unwrap_or(0),
            ),
            _ => return scalar(weigh(value)),
        };
        let (mut whole, mut part) = (2u64, longest_key);
        for (overhead, child) in children {
            if whole > cap {
                part = whole;
                break;
            }
            let weight = weigh(child);
            part = part.max(weight);
            whole = whole.saturating_add(overhead + weight);
        }
        Size { whole, part, items }
    }

    /// The size of what is at `steps` from `value`: for [`Step::Each`], the
    /// largest of every item of a list, or of every key of a map (a loop over
    /// a map walks its keys); steps it cannot follow are taken as items of
    /// what it reached, for each item on its own.
    pub(super) fn at(value: &Value, steps: &[Step<'_>], cap: u64) -> Size {
        let Some((step, rest)) = steps.split_first() else { return Size::of(value, cap) };
        let largest =
            |sizes: &mut dyn Iterator<Item = Size>| sizes.fold(Size { whole: 0, part: 0, items: 0 }, Size::max);
        match (step, value) {
            (Step::Field(field), Value::Object(map)) if map.contains_key(*field) => Size::at(&map[*field], rest, cap),
            (Step::Each, Value::Array(items)) => largest(&mut items.iter().map(|item| Size::at(item, rest, cap))),
            (Step::Each, Value::Object(map)) => {
                let key = largest(&mut map.keys().map(|key| scalar(key.len() as u64 + 2)));
                rest.iter().fold(key, |size, _| size.item())
            }
            _ => steps.iter().fold(Size::of(value, cap), |size, _| size.item()),
        }
    }

    /// The larger of two sizes, part by part: what one of several values can be.
    fn max(self, other: Size) -> Size {
        Size { whole: self.whole.max(other.whole), part: self.part.max(other.part), items: self.items.max(other.items) }
    }

    /// One of its items or fields: as large as its largest.
    fn item(self) -> Size {
        Size { whole: self.part, part: self.part, items: self.items }
    }
}

fn scalar(bytes: u64) -> Size {
    Size { whole: bytes, part: bytes, items: 0 }
}

/// A step along a path of the scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step<'e> {
    Field(&'e str),
    /// Every item of a list (every key of a map): where a loop variable comes from.
    Each,
}

/// A path of the scope: its root and steps.
type Path<'e> = (&'e str, Vec<Step<'e>>);

/// A name a comprehension binds, its size, and the path of the scope its
/// values come from, when it comes from one (`h` in `inputs.hosts.map(h, …)`
/// is `inputs.hosts[*]`: `h.name` is as large as the largest name, not as
/// the largest host).
struct Bound<'e> {
    name: &'e str,
    size: Size,
    from: Option<Path<'e>>,
}

/// The walk: the bytes charged so far, and what it knows of the names in scope.
pub(super) struct Work<'e, F> {
    charged: u64,
    /// Loop variables and accumulators in scope, innermost last.
    bound: Vec<Bound<'e>>,
    /// The size of what is at a path of the scope, or `None` for a name not in scope.
    read: F,
}

impl<'e, F: FnMut(&str, &[Step<'e>]) -> Option<Size>> Work<'e, F> {
    /// The bytes `expr` can build, copy or scan, reading sizes from `read`.
    pub(super) fn of(expr: &'e IdedExpr, read: F) -> u64 {
        let mut work = Work { charged: 0, bound: Vec::new(), read };
        work.size(expr, 1);
        work.charged
    }

    fn charge(&mut self, runs: u64, bytes: u64) {
        self.charged = self.charged.saturating_add(runs.saturating_mul(bytes));
    }

    /// The size of `expr`'s value, charging what it builds, copies and scans
    /// when it runs `runs` times.
    fn size(&mut self, expr: &'e IdedExpr, runs: u64) -> Size {
        match &expr.expr {
            Expr::Literal(LiteralValue::String(text)) => scalar(text.len() as u64 + 2),
            Expr::Literal(LiteralValue::Bytes(bytes)) => scalar(bytes.len() as u64 / 3 * 4 + 6),
            Expr::Literal(_) => SMALL,
            Expr::Ident(name) => match self.bound.iter().rev().find(|b| b.name == name) {
                Some(bound) => bound.size,
                None => self.at(name, &[]),
            },
            Expr::Select(select) if select.test => {
                self.size(&select.operand, runs);
                SMALL
            }
            Expr::Select(select) => match self.path(expr) {
                Some((root, steps)) => self.at(root, &steps),
                None => self.size(&select.operand, runs).item(),
            },
            Expr::List(list) => {
                let elements: Vec<Size> = list.elements.iter().map(|e| self.size(e, runs)).collect();
                let copied = elements.iter().fold(0u64, |sum, e| sum.saturating_add(e.whole));
                self.charge(runs, copied.saturating_add(SLOT_BYTES * elements.len() as u64));
                let part = elements.iter().map(|e| e.whole).max().unwrap_or(0);
                let items = elements.iter().map(|e| e.items).fold(elements.len() as u64, u64::max);
                Size { whole: copied.saturating_add(2 + elements.len() as u64), part, items }
            }
            Expr::Map(map) => self.entries(map.entries.iter().map(|e| &e.expr), runs),
            Expr::Struct(s) => self.entries(s.entries.iter().map(|e| &e.expr), runs),
            Expr::Comprehension(c) => {
                let range = self.size(&c.iter_range, runs);
                let start = self.size(&c.accu_init, runs);
                // Each step copies its item into the loop variable.
                self.charge(runs, range.whole);
                let each = runs.saturating_mul(range.items.max(1));
                let from = self.path(&c.iter_range).map(|(root, mut steps)| {
                    steps.push(Step::Each);
                    (root, steps)
                });
                let item = match &from {
                    Some((root, steps)) => self.at(root, steps),
                    None => range.item(),
                };
                let scope = self.bound.len();
                self.bound.push(Bound { name: &c.iter_var, size: item, from: from.clone() });
                if let Some(second) = &c.iter_var2 {
                    self.bound.push(Bound { name: second, size: item, from });
                }
                self.bound.push(Bound { name: &c.accu_var, size: start, from: None });
                self.size(&c.loop_cond, each);
                // A step adds to what it accumulates (`map` adds one item):
                // after every item, the start and that many additions.
                let step = self.size(&c.loop_step, each);
                let added = step.whole.saturating_sub(start.whole);
                let whole = start.whole.saturating_add(range.items.saturating_mul(added));
                self.bound.truncate(scope);
                let items = range.items.max(start.items).max(step.items);
                let gathered = Size { whole, part: added.max(start.part), items };
                self.bound.push(Bound { name: &c.accu_var, size: gathered, from: None });
                let result = self.size(&c.result, runs);
                self.bound.truncate(scope);
                result
            }
            Expr::Call(call) => {
                let mut args: Vec<&'e IdedExpr> = call.target.iter().map(|t| t.as_ref()).collect();
                args.extend(call.args.iter());
                self.call(&call.func_name, &args, runs)
            }
            Expr::Unspecified => SMALL,
        }
    }

    fn call(&mut self, function: &str, args: &[&'e IdedExpr], runs: u64) -> Size {
        // What a comprehension gathers is appended to in place, each added
        // item copied once more; its growth is counted by the comprehension.
        if function == operators::ADD
            && let [Expr::Ident(accumulator), _] = [&args[0].expr, &args[1].expr]
            && accumulator.starts_with('@')
        {
            let (held, added) = (self.size(args[0], runs), self.size(args[1], runs));
            self.charge(runs, added.whole);
            return Size {
                whole: held.whole.saturating_add(added.whole),
                part: held.part.max(added.part),
                items: held.items.max(added.items),
            };
        }
        let sizes: Vec<Size> = args.iter().map(|arg| self.size(arg, runs)).collect();
        let total = sizes.iter().fold(0u64, |sum, s| sum.saturating_add(s.whole));
        let parts = sizes.iter().fold(0u64, |sum, s| sum.saturating_add(s.part));
        match function {
            operators::ADD => {
                self.charge(runs, total);
                // Text joined is its own largest part; a list joined holds the items of both.
                let text = sizes.iter().all(|s| s.items == 0);
                let part = if text { total } else { sizes.iter().map(|s| s.part).max().unwrap_or(0) };
                let items = sizes.iter().fold(0u64, |sum, s| sum.saturating_add(s.items));
                Size { whole: total, part, items }
            }
            operators::CONDITIONAL => match sizes[..] {
                [_, yes, no] => yes.max(no),
                _ => SMALL,
            },
            // A key is hashed or compared whole.
            operators::INDEX | operators::OPT_INDEX => {
                self.charge(runs, sizes.get(1).map_or(0, |key| key.whole));
                sizes.first().map_or(SMALL, |s| s.item())
            }
            // Looking for a value compares it with each item (the items are
            // counted as loop steps; the bytes compared here).
            operators::IN => {
                self.charge(runs, total);
                SMALL
            }
            // Comparing stops at the shorter side.
            operators::EQUALS
            | operators::NOT_EQUALS
            | operators::LESS
            | operators::LESS_EQUALS
            | operators::GREATER
            | operators::GREATER_EQUALS => {
                self.charge(runs, sizes.iter().map(|s| s.whole).min().unwrap_or(0));
                SMALL
            }
            // Logic, and arithmetic on numbers and durations: nothing built, nothing scanned.
            operators::LOGICAL_AND
            | operators::LOGICAL_OR
            | operators::LOGICAL_NOT
            | operators::NOT_STRICTLY_FALSE
            | operators::SUBSTRACT
            | operators::MULTIPLY
            | operators::DIVIDE
            | operators::MODULO
            | operators::NEGATE => SMALL,
            // Functions that scan text to answer with a scalar. A list's size
            // is known without a scan, and text is its own largest part: so
            // each argument is charged its largest part.
            "size" | "contains" | "startsWith" | "endsWith" | "matches" | "int" | "uint" | "double" | "bool"
            | "duration" | "timestamp" | "type" => {
                self.charge(runs, parts);
                SMALL
            }
            // `string`, `bytes`, `dyn` … : the answer is at most about as
            // large as the arguments (a third more, were it encoded).
            _ => {
                let whole = total.saturating_add(total / 3).saturating_add(CONVERTED_BYTES);
                self.charge(runs, total.saturating_add(whole));
                let items = sizes.iter().map(|s| s.items).max().unwrap_or(0);
                Size { whole, part: whole, items }
            }
        }
    }

    /// A map (or message) written out: each key and value copied in.
    fn entries(&mut self, entries: impl Iterator<Item = &'e EntryExpr>, runs: u64) -> Size {
        let (mut whole, mut part, mut items, mut count) = (2u64, 0u64, 0u64, 0u64);
        for entry in entries {
            let (key, value) = match entry {
                EntryExpr::StructField(field) => (field.field.len() as u64 + 4, self.size(&field.value, runs)),
                EntryExpr::MapEntry(entry) => (self.size(&entry.key, runs).whole + 2, self.size(&entry.value, runs)),
            };
            whole = whole.saturating_add(key).saturating_add(value.whole);
            part = part.max(value.whole).max(key);
            items = items.max(value.items);
            count += 1;
        }
        self.charge(runs, whole.saturating_add(SLOT_BYTES.saturating_mul(2 * count)));
        Size { whole, part, items: items.max(count) }
    }

    /// `expr` as a path of the scope, when it is one: fields selected on a
    /// name of the scope, or on a loop variable that comes from one.
    fn path(&self, expr: &'e IdedExpr) -> Option<Path<'e>> {
        match &expr.expr {
            Expr::Ident(name) => match self.bound.iter().rev().find(|b| b.name == name) {
                Some(bound) => bound.from.clone(),
                None => Some((name, Vec::new())),
            },
            Expr::Select(select) if !select.test => {
                let (root, mut steps) = self.path(&select.operand)?;
                steps.push(Step::Field(&select.field));
                Some((root, steps))
            }
            // What `filter` keeps are some of its range's items, as they were.
            Expr::Comprehension(c) if keeps_items(c) => self.path(&c.iter_range),
            _ => None,
        }
    }

    /// The size at a path of the scope. A name not in scope is refused by
    /// CEL when it runs.
    fn at(&mut self, root: &str, steps: &[Step<'e>]) -> Size {
        (self.read)(root, steps).unwrap_or(SMALL)
    }
}

/// Whether a comprehension gathers some of its range's items unchanged: the
/// shape `filter` expands to, `cond ? @result + [x] : @result`.
fn keeps_items(c: &ComprehensionExpr) -> bool {
    let is_name = |expr: &IdedExpr, name: &str| matches!(&expr.expr, Expr::Ident(n) if n == name);
    let Expr::Call(choice) = &c.loop_step.expr else { return false };
    let [_, kept, skipped] = &choice.args[..] else { return false };
    let Expr::Call(add) = &kept.expr else { return false };
    let [gathered, added] = &add.args[..] else { return false };
    let Expr::List(added) = &added.expr else { return false };
    choice.func_name == operators::CONDITIONAL
        && add.func_name == operators::ADD
        && is_name(gathered, &c.accu_var)
        && is_name(skipped, &c.accu_var)
        && matches!(&added.elements[..], [only] if is_name(only, &c.iter_var))
}
