//! The bytes an evaluation can build or scan, bounded before it starts.
//!
//! Loop steps alone do not bound an evaluation: one step of
//! `l.map(x, s + s)` copies `s` twice, and `s + s + … + s` copies it a
//! thousand times without any loop. CEL cannot be stopped midway, so, as for
//! loop steps, the bound is set before: a walk over the expression gives every
//! node an upper bound on the size of its value (from the sizes of the values
//! it reads) and charges each operation that builds or scans text and lists
//! that size, times how often it can run.

use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue, operators};
use serde_json::Value;

/// How many bytes one node's expressions may build or scan, about, counted as
/// JSON: a quarter of a second of copying on a slow machine.
pub const MAX_WORK_BYTES: u64 = 256 << 20;

/// What a list or map holds per item or entry besides its contents.
const SLOT_BYTES: u64 = 32;
/// A value no larger than a number.
const SMALL: Size = Size { whole: 8, part: 8, items: 0 };

/// Upper bounds on a value, in bytes once written as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Size {
    whole: u64,
    /// Its largest item or field (itself, for text and scalars).
    part: u64,
    /// How many items or entries it holds.
    items: u64,
}

impl Size {
    /// `value`'s size, counting only until `cap` is passed (past it, every
    /// part is taken to be the whole).
    pub(super) fn of(value: &Value, cap: u64, longest_list: u64) -> Size {
        let weigh = |v: &Value| super::expression::value_weight(v, usize::try_from(cap).unwrap_or(usize::MAX)) as u64;
        let children: Box<dyn Iterator<Item = (u64, &Value)>> = match value {
            Value::Array(items) => Box::new(items.iter().map(|item| (1, item))),
            Value::Object(map) => Box::new(map.iter().map(|(key, item)| (key.len() as u64 + 4, item))),
            _ => {
                let whole = weigh(value);
                return Size { whole, part: whole, items: 0 };
            }
        };
        let (mut whole, mut part) = (2u64, 0u64);
        for (overhead, child) in children {
            if whole > cap {
                part = whole;
                break;
            }
            let weight = weigh(child);
            part = part.max(weight);
            whole = whole.saturating_add(overhead + weight);
        }
        Size { whole, part, items: longest_list }
    }

    /// One of its items or fields: as large as its largest.
    fn item(self) -> Size {
        Size { whole: self.part, part: self.part, items: self.items }
    }
}

/// The walk: the bytes charged so far, and what it knows of the names in scope.
pub(super) struct Work<'e, F> {
    /// The longest list the expression reads or writes: how long a list of
    /// unknown length can be.
    longest_list: u64,
    charged: u64,
    /// Loop variables and accumulators in scope, innermost last.
    bound: Vec<(&'e str, Size)>,
    /// The size of the value at a path of the scope (root, fields) — or at
    /// the longest part of it that leads somewhere, with how many fields are
    /// left — or `None` for a name not in scope.
    read: F,
}

impl<'e, F: FnMut(&str, &[&str]) -> Option<(Size, usize)>> Work<'e, F> {
    /// The bytes `expr` can build or scan, reading sizes from `read`.
    pub(super) fn of(expr: &'e IdedExpr, longest_list: u64, read: F) -> u64 {
        let mut work = Work { longest_list, charged: 0, bound: Vec::new(), read };
        work.size(expr, 1);
        work.charged
    }

    fn charge(&mut self, runs: u64, bytes: u64) {
        self.charged = self.charged.saturating_add(runs.saturating_mul(bytes));
    }

    fn unknown_list(&self, whole: u64) -> Size {
        Size { whole, part: whole, items: self.longest_list }
    }

    /// The size of `expr`'s value, charging what it builds and scans when it
    /// runs `runs` times.
    fn size(&mut self, expr: &'e IdedExpr, runs: u64) -> Size {
        match &expr.expr {
            Expr::Literal(LiteralValue::String(text)) => scalar(text.len() as u64 + 2),
            Expr::Literal(LiteralValue::Bytes(bytes)) => scalar(bytes.len() as u64 / 3 * 4 + 6),
            Expr::Literal(_) => SMALL,
            Expr::Ident(name) => self.name(name, &[]),
            Expr::Select(select) if select.test => {
                self.size(&select.operand, runs);
                SMALL
            }
            Expr::Select(select) => match path(expr) {
                Some((root, fields)) => self.name(root, &fields),
                None => self.size(&select.operand, runs).item(),
            },
            Expr::List(list) => {
                let elements: Vec<Size> = list.elements.iter().map(|e| self.size(e, runs)).collect();
                self.charge(runs, SLOT_BYTES * elements.len() as u64);
                let whole = elements.iter().fold(2u64, |sum, e| sum.saturating_add(e.whole + 1));
                let part = elements.iter().map(|e| e.whole).max().unwrap_or(0);
                Size { whole, part, items: elements.len() as u64 }
            }
            Expr::Map(map) => self.entries(map.entries.iter().map(|e| &e.expr), runs),
            Expr::Struct(s) => self.entries(s.entries.iter().map(|e| &e.expr), runs),
            Expr::Comprehension(c) => {
                let range = self.size(&c.iter_range, runs);
                let start = self.size(&c.accu_init, runs);
                let each = runs.saturating_mul(range.items.max(1));
                let scope = self.bound.len();
                self.bound.push((c.iter_var.as_str(), range.item()));
                if let Some(second) = &c.iter_var2 {
                    self.bound.push((second.as_str(), range.item()));
                }
                self.bound.push((c.accu_var.as_str(), start));
                self.size(&c.loop_cond, each);
                // A step adds to what it accumulates (`map` adds one item):
                // after every item, the start and that many additions.
                let added = self.size(&c.loop_step, each).whole.saturating_sub(start.whole);
                let whole = start.whole.saturating_add(range.items.saturating_mul(added));
                self.bound.truncate(scope);
                self.bound.push((c.accu_var.as_str(), Size { whole, part: added.max(start.part), items: range.items }));
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
        // What a comprehension accumulates is appended to, not copied (CEL
        // shares the list), and its growth is counted by the comprehension.
        if function == operators::ADD
            && let [Expr::Ident(accumulator), _] = [&args[0].expr, &args[1].expr]
            && accumulator.starts_with('@')
        {
            let (held, added) = (self.size(args[0], runs), self.size(args[1], runs));
            return Size {
                whole: held.whole.saturating_add(added.whole),
                part: held.part.max(added.part),
                items: held.items,
            };
        }
        let sizes: Vec<Size> = args.iter().map(|arg| self.size(arg, runs)).collect();
        let total = sizes.iter().fold(0u64, |sum, s| sum.saturating_add(s.whole));
        match function {
            operators::ADD => {
                self.charge(runs, total);
                let part = sizes.iter().map(|s| s.part).max().unwrap_or(0);
                let items = sizes.iter().fold(0u64, |sum, s| sum.saturating_add(s.items));
                Size { whole: total, part, items }
            }
            operators::CONDITIONAL => {
                let [_, yes, no] = sizes[..] else { return SMALL };
                Size { whole: yes.whole.max(no.whole), part: yes.part.max(no.part), items: yes.items.max(no.items) }
            }
            operators::INDEX | operators::OPT_INDEX => sizes.first().map_or(SMALL, |s| s.item()),
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
            // Logic, arithmetic on numbers and durations, and walking a list
            // (counted as loop steps): nothing built, nothing scanned.
            operators::LOGICAL_AND
            | operators::LOGICAL_OR
            | operators::LOGICAL_NOT
            | operators::NOT_STRICTLY_FALSE
            | operators::SUBSTRACT
            | operators::MULTIPLY
            | operators::DIVIDE
            | operators::MODULO
            | operators::NEGATE
            | operators::IN => SMALL,
            // Functions that scan text to answer with a scalar. A list's size
            // is known without a scan, and text is its own largest part: so
            // each argument is charged its largest part.
            "size" | "contains" | "startsWith" | "endsWith" | "matches" | "int" | "uint" | "double" | "bool"
            | "duration" | "timestamp" | "type" | "max" | "min" => {
                self.charge(runs, sizes.iter().fold(0u64, |sum, s| sum.saturating_add(s.part)));
                SMALL
            }
            // `string`, `bytes`, `dyn`, `base64.encode` … : the answer is at
            // most about as large as the arguments (a third more, encoded).
            _ => {
                let whole = total.saturating_add(total / 3).saturating_add(32);
                self.charge(runs, total.saturating_add(whole));
                self.unknown_list(whole)
            }
        }
    }

    fn entries(&mut self, entries: impl Iterator<Item = &'e EntryExpr>, runs: u64) -> Size {
        let (mut whole, mut part, mut count) = (2u64, 0u64, 0u64);
        for entry in entries {
            let (key, value) = match entry {
                EntryExpr::StructField(field) => (field.field.len() as u64 + 4, self.size(&field.value, runs)),
                EntryExpr::MapEntry(entry) => (self.size(&entry.key, runs).whole + 2, self.size(&entry.value, runs)),
            };
            whole = whole.saturating_add(key).saturating_add(value.whole);
            part = part.max(value.whole);
            count += 1;
        }
        self.charge(runs, SLOT_BYTES.saturating_mul(2 * count));
        Size { whole, part, items: count }
    }

    /// A name (with fields selected on it): a loop variable or accumulator
    /// in scope, else a path of the scope.
    fn name(&mut self, root: &str, fields: &[&str]) -> Size {
        if let Some(&(_, size)) = self.bound.iter().rev().find(|(name, _)| *name == root) {
            return fields.iter().fold(size, |size, _| size.item());
        }
        // A name not in scope is refused by CEL when it runs.
        let (size, left) = (self.read)(root, fields).unwrap_or((SMALL, 0));
        (0..left).fold(size, |size, _| size.item())
    }
}

fn scalar(bytes: u64) -> Size {
    Size { whole: bytes, part: bytes, items: 0 }
}

/// `root.a.b…` as (root, fields).
fn path(expr: &IdedExpr) -> Option<(&str, Vec<&str>)> {
    match &expr.expr {
        Expr::Ident(name) => Some((name, Vec::new())),
        Expr::Select(select) if !select.test => {
            let (root, mut fields) = path(&select.operand)?;
            fields.push(&select.field);
            Some((root, fields))
        }
        _ => None,
    }
}
