//! `cargo bench -p scena-core --bench worst`: the longest an attacker who
//! writes a flow's expressions and inputs schema, and sends its inputs, can
//! make one evaluation or one input check take (issue 17, items 6 and 7):
//! each case sits just inside a bound, or is the attack the bound refuses.
//! Prints the slowest of three tries of each.

use std::time::{Duration, Instant};

use scena_core::expr::{Expression, Scope};
use scena_core::schema::Schema;
use serde_json::{Value, json};

const TRIES: usize = 3;

fn slowest<T>(mut once: impl FnMut() -> T) -> (T, Duration) {
    let mut worst = Duration::ZERO;
    let mut last = None;
    for _ in 0..TRIES {
        let started = Instant::now();
        last = Some(once());
        worst = worst.max(started.elapsed());
    }
    (last.expect("tried at least once"), worst)
}

fn report(label: &str, outcome: &str, took: Duration) {
    println!("  {label:<58} {outcome:<58} {:>8.1} ms", took.as_secs_f64() * 1e3);
}

/// Whether a case is meant to run (it sits inside the bounds: its time is
/// the worst an attacker gets) or to be refused (it is an attack).
#[derive(PartialEq)]
enum Meant {
    ToRun,
    ToBeRefused,
}

fn evaluate(label: &str, source: &str, inputs: &Value, meant: Meant) {
    let steps = Default::default();
    let expression = Expression::parse(source).unwrap_or_else(|e| panic!("{label}: {e}"));
    let (result, took) = slowest(|| expression.eval(&Scope::new(inputs, &steps)));
    // A case near a bound that a later change refuses would print a fast
    // refusal, and the figures quoted from this benchmark would go stale.
    assert_eq!(result.is_ok(), meant == Meant::ToRun, "{label}: {result:?}");
    let outcome = match result {
        Ok(value) => format!("gave {}", truncated(&value.to_string())),
        Err(error) => format!("refused: {}", truncated(&error.reason)),
    };
    report(label, &outcome, took);
}

fn check(label: &str, schema: &str, instance: &Value) {
    let (compiled, compiling) = slowest(|| Schema::compile(schema, "inputs"));
    let Ok(schema) = compiled else {
        return report(label, &format!("refused: {}", truncated(&compiled.err().unwrap_or_default())), compiling);
    };
    let (violations, checking) = slowest(|| schema.violations(instance));
    let outcome = format!("{} violation(s), compiled in {:.1} ms", violations.len(), compiling.as_secs_f64() * 1e3);
    report(label, &outcome, checking);
}

fn truncated(text: &str) -> String {
    let text: String = text.chars().take(52).collect();
    text.replace('\n', " ")
}

fn numbers(n: i64) -> Value {
    json!((0..n).collect::<Vec<i64>>())
}

fn main() {
    println!("scena worst cases: one expression evaluation, one inputs check (slowest of {TRIES})");
    println!("item 6, expressions:");
    evaluate(
        "nested loops at the step limit (999 + 999 x 999 steps)",
        "size(inputs.l.filter(x, inputs.l.exists(y, y == -1)))",
        &json!({"l": numbers(999)}),
        Meant::ToRun,
    );
    evaluate(
        "`+` near the work limit (1,000 x 80 KB built, copied)",
        "size(inputs.l.map(x, inputs.s + inputs.s))",
        &json!({"l": numbers(1_000), "s": "x".repeat(40_000)}),
        Meant::ToRun,
    );
    evaluate(
        "scanning near the work limit (1,000 x 240 KB)",
        "size(inputs.l.filter(x, inputs.s.contains('z')))",
        &json!({"l": numbers(1_000), "s": "x".repeat(240_000)}),
        Meant::ToRun,
    );
    evaluate(
        "matching near the work limit (1,000 x 240 KB)",
        "size(inputs.l.filter(x, inputs.s.matches(inputs.p)))",
        &json!({"l": numbers(1_000), "s": "ab ".repeat(80_000), "p": "(?:[a-z]+ ){1,20}z"}),
        Meant::ToRun,
    );
    evaluate(
        "matching the slowest pattern tried (1,000 x 240 KB)",
        "size(inputs.l.filter(x, inputs.s.matches(inputs.p)))",
        &json!({"l": numbers(1_000), "s": "ab ".repeat(80_000), "p": "(a|b|ab|ba)*z"}),
        Meant::ToRun,
    );
    let heavy = "[ab]*a[ab]{1000}[^ab]";
    evaluate(
        "weight 1,003 at the allowance (100 x the same 990 B)",
        "size(inputs.l.filter(x, inputs.s.matches(inputs.p)))",
        &json!({"l": numbers(100), "s": scena_core::pattern::random_ab(990), "p": heavy}),
        Meant::ToRun,
    );
    evaluate(
        "the same over 100 x 100 KB (a review's attack)",
        "size(inputs.l.filter(x, inputs.s.matches(inputs.p)))",
        &json!({"l": numbers(100), "s": scena_core::pattern::random_ab(100_000), "p": heavy}),
        Meant::ToBeRefused,
    );
    evaluate(
        "the issue's attack (8,000 items, nested loops)",
        "size(inputs.l.filter(x, inputs.l.exists(y, y == -1)))",
        &json!({"l": numbers(8_000)}),
        Meant::ToBeRefused,
    );
    evaluate(
        "copying 100 KB at each of 3,000 steps",
        "size(inputs.l.map(x, inputs.s + inputs.s))",
        &json!({"l": numbers(3_000), "s": "x".repeat(100_000)}),
        Meant::ToBeRefused,
    );
    println!("item 7, patterns in an inputs schema:");
    let nested = r#"{"type": "object", "properties": {"s": {"type": "string", "pattern": "^(a+)+$"}}}"#;
    check("the issue's nested pattern, 40,000 characters", nested, &json!({"s": "a".repeat(40_000) + "!"}));
    check("the issue's nested pattern, 1 MB", nested, &json!({"s": "a".repeat(1 << 20) + "!"}));
    let counted = r#"{"type": "object", "properties": {"s": {"type": "string", "pattern": "^(\\w{1,8}\\s?){1,40}$"}}}"#;
    check("counted repetitions, 1 MB", counted, &json!({"s": "word ".repeat(200_000)}));
    let heavy = r#"{"type": "object", "properties": {"s": {"type": "string", "pattern": "[ab]*a[ab]{1000}[^ab]"}}}"#;
    check(
        "weight 1,003, its DFA giving up, at its bound (99,000 B)",
        heavy,
        &json!({"s": scena_core::pattern::random_ab(99_000)}),
    );
    check(
        "the same, 1 MB (refused before the slow match)",
        heavy,
        &json!({"s": scena_core::pattern::random_ab(1 << 20)}),
    );
    check("the same, 1 MB its DFA decides", heavy, &json!({"s": "ab".repeat(1 << 19)}));
    // Non-ASCII classes: the fallback walks each character's UTF-8 bytes
    // through the class's compiled ranges, yet a class weighs one.
    let cyrillic = r#"{"type": "object", "properties": {"s": {"type": "string", "pattern": "[a-zа-я]*a[a-zа-я]{1000}[^a-zа-я]"}}}"#;
    let cyrillic_text = |bytes: usize| scena_core::pattern::random_ab(bytes * 2 / 3).replace('b', "б");
    check(
        "non-ASCII classes, weight 1,003, its DFA giving up, ~99,000 B",
        cyrillic,
        &json!({"s": cyrillic_text(99_000)}),
    );
    let letters =
        r#"{"type": "object", "properties": {"s": {"type": "string", "pattern": "\\p{L}*a\\p{L}{10}\\P{L}"}}}"#;
    check("Unicode letter classes, weight 13, ~960,000 B", letters, &json!({"s": cyrillic_text(960_000)}));
    let names = r#"{"type": "object", "patternProperties": {"[ab]*a[ab]{1000}[^ab]": {"type": "integer"}}}"#;
    let named = |name: String| json!({ name: 1 });
    check("patternProperties, weight 1,003, a 99,000 B name", names, &named(scena_core::pattern::random_ab(99_000)));
    check("the same, a 1 MB name (refused before matching)", names, &named(scena_core::pattern::random_ab(1 << 20)));
    let branches: Vec<Value> = (0..20_000).map(|i| json!({"const": i})).collect();
    let many = json!({"type": "array", "items": {"anyOf": branches}}).to_string();
    check("anyOf of 20,000 consts, 250 items none matches (refused)", &many, &json!(vec![-1; 250]));
    let branches: Vec<Value> = (0..1_000).map(|i| json!({"const": i})).collect();
    let wide = json!({"type": "array", "items": {"anyOf": branches}}).to_string();
    check("anyOf of 1,000 consts, 1,990 items none matches (at the bound)", &wide, &json!(vec![-1; 1_990]));
    check("the same, 10,000 items (refused)", &wide, &json!(vec![-1; 10_000]));
    let doubling = |depth: usize| {
        let mut defs = serde_json::Map::new();
        defs.insert("a0".into(), json!({"type": "string"}));
        for i in 1..=depth {
            let below = json!({"$ref": format!("#/$defs/a{}", i - 1)});
            defs.insert(format!("a{i}"), json!({"allOf": [below.clone(), below]}));
        }
        json!({"$defs": defs, "$ref": format!("#/$defs/a{depth}")}).to_string()
    };
    check("$refs doubling at each of 18 levels (at the bound)", &doubling(18), &json!(5));
    check("the same, 40 levels (refused)", &doubling(40), &json!(5));
    let behind = r#"{"type": "object", "properties": {"s": {"type": "string", "pattern": "(?<=(a+)+)b"}}}"#;
    check("the issue's look-behind pattern", behind, &json!({"s": "a".repeat(40_000)}));
}
