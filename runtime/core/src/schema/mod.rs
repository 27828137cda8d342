//! JSON Schemas — of plugin input and output, of flow inputs, of the flow
//! format itself: compiled once, then used at every check. Errors name the
//! JSON path of each problem.

use serde_json::Value;

mod cost;

pub use cost::MAX_VISITS;

/// A compiled JSON Schema.
pub struct Schema {
    validator: jsonschema::Validator,
    /// What a check of a value takes at most (`cost`).
    cost: cost::SchemaCost,
}

impl Schema {
    pub fn compile(text: &str, what: &str) -> Result<Schema, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("{what} schema is not JSON: {e}"))?;
        // Compiling patterns takes time the build cannot be stopped in: counted first.
        patterns_within_bounds(&value).map_err(|e| format!("{what} schema is not usable: {e}"))?;
        let validator = jsonschema::options()
            .with_pattern_options(linear_time_patterns())
            .with_keyword("pattern", bounded_pattern)
            .with_format("regex", is_usable_pattern)
            .build(&value)
            .map_err(|e| format!("{what} schema is not a valid JSON Schema: {e}"))?;
        let cost = cost::SchemaCost::new(&value).map_err(|e| format!("{what} schema is not usable: {e}"))?;
        Ok(Schema { validator, cost })
    }

    /// Every violation as `path: message`, the path as a JSON pointer (`/` for the root).
    pub fn violations(&self, instance: &Value) -> Vec<String> {
        self.located_violations(instance).into_iter().map(|(path, message)| format!("{path}: {message}")).collect()
    }

    /// The violations as (JSON pointer, message): the first
    /// [`MAX_VIOLATIONS`], each message cut to [`MAX_MESSAGE`] characters —
    /// a schema of many branches against a large value would otherwise
    /// answer with (and hold) every branch's complaint about all of it.
    /// Patterns' matching shares one allowance per value checked (`crate::pattern`).
    pub fn located_violations(&self, instance: &Value) -> Vec<(String, String)> {
        let work = match self.cost.within(instance, MAX_VISITS) {
            Ok(work) => work,
            Err(visits) => {
                let why = format!(
                    "checking this value against the schema would take more than {MAX_VISITS} steps (subschemas \
                     applied × parts of the value; {visits} counted before stopping): a smaller value, or a \
                     schema with fewer branches, is checked"
                );
                return vec![("/".to_string(), why)];
            }
        };
        crate::pattern::with_allowance(|| {
            // `patternProperties` is matched by jsonschema itself, beyond
            // `crate::pattern`'s reach: its worst case — every property name
            // matched the slow way at every visit of its patterns — is taken
            // from the check's allowance before it starts.
            if let Err(why) = crate::pattern::charge(work.name_matching) {
                let refused =
                    format!("its property names are too long to check against the schema's `patternProperties`: {why}");
                return vec![("/".to_string(), refused)];
            }
            let mut violations: Vec<(String, String)> = self
                .validator
                .iter_errors(instance)
                .take(MAX_VIOLATIONS)
                .map(|error| {
                    let path = error.instance_path().to_string();
                    let path = if path.is_empty() { "/".to_string() } else { path };
                    (path, shortened(error.to_string()))
                })
                .collect();
            // A match refused inside `not`, `anyOf` … may have let the value
            // pass there: the check fails closed, saying why.
            if crate::pattern::refused_in_check() && violations.is_empty() {
                let why = "a pattern could not be checked within its allowance (a text too long for it)";
                violations.push(("/".to_string(), why.to_string()));
            }
            violations
        })
    }
}

/// The most patterns (`pattern`, `patternProperties`) one schema may hold,
/// and their weights together: compiling 14,000 took 8 s; 2,000 light ones
/// (`^[a-z0-9-]+$`) take a fraction of a second.
const MAX_PATTERNS: usize = 2_000;
const MAX_PATTERNS_WEIGHT: u64 = 100_000;
/// The longest text `format: regex` compiles (jsonschema's own check of one
/// such text is quadratic in its named groups: 877 KB took 16 s).
const MAX_FORMAT_REGEX: usize = 10_000;

/// How much one byte of text costs against an ECMA-262 `pattern` in the
/// slow case, as translated the way jsonschema translates it (one that does
/// not translate or parse weighs its length).
fn ecma_pattern_weight(pattern: &str) -> u64 {
    let translated = jsonschema_regex::to_rust_regex(pattern).unwrap_or_else(|()| pattern.into());
    crate::pattern::weight_of(&translated).unwrap_or(pattern.len() as u64)
}

/// Whether the schema's patterns are few and light enough to compile
/// (anything shaped like one counts: more is only more careful).
fn patterns_within_bounds(schema: &Value) -> Result<(), String> {
    let (mut count, mut weight) = (0usize, 0u64);
    let mut weigh = |pattern: &str| {
        count += 1;
        weight = weight.saturating_add(ecma_pattern_weight(pattern));
    };
    let mut pending = vec![schema];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(pattern)) = map.get("pattern") {
                    weigh(pattern);
                }
                if let Some(Value::Object(patterns)) = map.get("patternProperties") {
                    patterns.keys().for_each(|pattern| weigh(pattern));
                }
                pending.extend(map.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    if count > MAX_PATTERNS || weight > MAX_PATTERNS_WEIGHT {
        return Err(format!(
            "it holds {count} patterns of weight {weight} in all; at most {MAX_PATTERNS} patterns, of weight \
             {MAX_PATTERNS_WEIGHT} together (a pattern's size with counted repetitions written out)"
        ));
    }
    Ok(())
}

/// `format: regex`: jsonschema's own check (ECMA-262, back-references and
/// look-around included), only for texts of a bounded length.
fn is_usable_pattern(text: &str) -> bool {
    text.len() <= MAX_FORMAT_REGEX && jsonschema_regex::is_valid_ecma_regex(text)
}

/// Violations reported at most, for one value.
pub const MAX_VIOLATIONS: usize = 20;
/// Characters of one violation's message at most.
pub const MAX_MESSAGE: usize = 500;

/// At most [`MAX_MESSAGE`] characters: the start and the end, which says
/// why when the middle is a long value quoted (`"…" is not a "regex"`).
fn shortened(message: String) -> String {
    let length = message.chars().count();
    if length <= MAX_MESSAGE {
        return message;
    }
    let (head, tail) = (MAX_MESSAGE * 2 / 3, MAX_MESSAGE / 3 - 1);
    let start: String = message.chars().take(head).collect();
    let end: String = message.chars().skip(length - tail).collect();
    format!("{start}…{end}")
}

/// `pattern`, with each match's work bounded before it starts
/// (`crate::pattern`): a string too long for its pattern is a violation
/// saying so, not seconds of matching.
fn bounded_pattern<'a>(
    _parent: &'a serde_json::Map<String, Value>,
    value: &'a Value,
    _path: jsonschema::paths::Location,
) -> Result<Box<dyn for<'i> jsonschema::Keyword<'i>>, jsonschema::ValidationError<'a>> {
    let Value::String(pattern) = value else {
        return Err(jsonschema::ValidationError::custom("`pattern` is a string"));
    };
    let unusable =
        |why: String| jsonschema::ValidationError::custom(format!("`pattern` {pattern:?} is not usable: {why}"));
    // JSON Schema patterns are ECMA-262 regular expressions (`\w` and `\d` are ASCII there).
    let translated = jsonschema_regex::to_rust_regex(pattern).map_err(|()| {
        unusable("it is not a regular expression this server can run (look-around and back-references are not)".into())
    })?;
    let compiled = crate::pattern::BoundedPattern::new(&translated, PATTERN_SIZE_LIMIT).map_err(unusable)?;
    Ok(Box::new(PatternKeyword { compiled, pattern: pattern.clone() }))
}

/// How large a schema's compiled pattern may be.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

struct PatternKeyword {
    compiled: crate::pattern::BoundedPattern,
    pattern: String,
}

impl<'i> jsonschema::Keyword<'i> for PatternKeyword {
    fn validate(&self, instance: &'i Value) -> Result<(), jsonschema::ValidationError<'i>> {
        let Value::String(text) = instance else { return Ok(()) };
        match self.compiled.is_match(text) {
            Ok(true) => Ok(()),
            Ok(false) => Err(jsonschema::ValidationError::custom(format!(
                "does not match the pattern {:?}",
                shortened(self.pattern.clone())
            ))),
            Err(too_long) => Err(jsonschema::ValidationError::custom(too_long)),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        let Value::String(text) = instance else { return true };
        self.compiled.is_match(text) == Ok(true)
    }
}

/// Schemas come from users (flow inputs) and plugins, so their patterns run
/// on the `regex` engine, which has no backtracking to blow up; patterns it
/// cannot express (look-around, back-references) make the schema invalid,
/// with the reason. `pattern` itself is `bounded_pattern`; these options
/// serve `patternProperties`, whose texts are property names (their work
/// bounded by `Schema::names_work`).
fn linear_time_patterns() -> jsonschema::PatternOptions<jsonschema::Regex> {
    jsonschema::PatternOptions::regex().size_limit(1 << 20).dfa_size_limit(2 << 20)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn patterns_that_could_backtrack_are_refused_and_the_rest_match_in_linear_time() {
        let refused = Schema::compile(r#"{"type": "string", "pattern": "(?<=(a+)+)b"}"#, "inputs").err().unwrap();
        assert!(refused.contains("inputs schema is not a valid JSON Schema"), "{refused}");
        let nested = Schema::compile(r#"{"type": "string", "pattern": "^(a+)+$"}"#, "inputs").unwrap();
        let attack = format!("{}!", "a".repeat(40_000));
        assert_eq!(nested.violations(&json!(attack)).len(), 1);
        assert!(nested.violations(&json!("aaaa")).is_empty());
    }

    #[test]
    fn patterns_are_ecma_262_as_json_schema_says() {
        // `\w` is ASCII there, so counted repetitions of it stay small enough to compile.
        let counted = Schema::compile(r#"{"type": "string", "pattern": "^(\\w{1,8}\\s?){1,40}$"}"#, "inputs").unwrap();
        assert!(counted.violations(&json!("two words")).is_empty());
        assert_eq!(counted.violations(&json!("été")).len(), 1, "not a word character in ECMA-262");
        assert_eq!(counted.violations(&json!("word ".repeat(200_000))).len(), 1);
    }

    #[test]
    fn a_pattern_refused_inside_not_fails_the_check() {
        let schema = r#"{"type": "string", "not": {"pattern": "[ab]*a[ab]{1000}[^ab]"}}"#;
        let deny = Schema::compile(schema, "inputs").unwrap();
        assert!(deny.violations(&json!("ab")).is_empty());
        let violations = deny.violations(&json!(crate::pattern::random_ab(200_000)));
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert!(violations[0].contains("could not be checked within its allowance"), "{violations:?}");
    }

    #[test]
    fn property_names_too_long_for_the_schemas_pattern_properties_are_refused_before_matching() {
        let heavy = r#"{"type": "object", "patternProperties": {"[ab]*a[ab]{1000}[^ab]": {"type": "integer"}},
                        "additionalProperties": {"type": "string"}}"#;
        let schema = Schema::compile(heavy, "inputs").unwrap();
        assert!(schema.violations(&json!({"plain": "text", "abac": "x"})).is_empty());
        let named = |name: String| json!({ name: "x" });
        let violations = schema.violations(&named(crate::pattern::random_ab(1 << 20)));
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert!(violations[0].contains("too long to check against the schema's `patternProperties`"), "{violations:?}");
        // Many names count together (twice: `additionalProperties` matches them again).
        let many: serde_json::Map<String, Value> = (0..1_000).map(|i| (format!("{i:0>60}"), json!(1))).collect();
        let violations = schema.violations(&Value::Object(many));
        assert!(violations[0].contains("patternProperties"), "{violations:?}");
        // Names where the schema's patterns do not apply cost nothing.
        let elsewhere: serde_json::Map<String, Value> = (0..1_000).map(|i| (format!("{i:0>60}"), json!(1))).collect();
        let violations = schema.violations(&json!({"plain": {"inner": Value::Object(elsewhere)}}));
        assert!(!violations.iter().any(|v| v.contains("patternProperties")), "{violations:?}");
        // The same names against light patterns are checked.
        let light = Schema::compile(r#"{"patternProperties": {"^x-": {"type": "integer"}}}"#, "inputs").unwrap();
        assert!(light.violations(&named(crate::pattern::random_ab(1 << 20))).is_empty());
        assert_eq!(light.violations(&json!({"x-a": "text"})).len(), 1);
    }

    #[test]
    fn a_check_that_would_take_too_long_is_refused_before_it_starts() {
        let mut defs = serde_json::Map::new();
        defs.insert("a0".into(), json!({"type": "string"}));
        for i in 1..=40 {
            defs.insert(
                format!("a{i}"),
                json!({"allOf": [{"$ref": format!("#/$defs/a{}", i - 1)}, {"$ref": format!("#/$defs/a{}", i - 1)}]}),
            );
        }
        let doubling = Schema::compile(&json!({"$defs": defs, "$ref": "#/$defs/a40"}).to_string(), "inputs").unwrap();
        let violations = doubling.violations(&json!("x"));
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert!(violations[0].contains("would take more than 2000000 steps"), "{violations:?}");
        let looping = r##"{"$defs": {"a": {"allOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"}"##;
        let refused = Schema::compile(looping, "inputs").err().unwrap();
        assert!(refused.contains("inputs schema is not usable: a `$ref` leads back"), "{refused}");
    }

    #[test]
    fn schemas_with_too_many_or_too_heavy_patterns_are_refused_before_compiling() {
        let many: serde_json::Map<String, Value> =
            (0..2_100).map(|i| (format!("p{i}"), json!({"type": "string", "pattern": format!("^x{i}$")}))).collect();
        let refused = Schema::compile(&json!({"properties": many}).to_string(), "inputs").err().unwrap();
        assert!(refused.contains("holds 2100 patterns"), "{refused}");
        let alike: serde_json::Map<String, Value> =
            (0..300).map(|i| (format!("p{i}"), json!({"type": "string", "pattern": "^[a-z0-9-]+$"}))).collect();
        assert!(Schema::compile(&json!({"properties": alike}).to_string(), "inputs").is_ok());
        let heavy: serde_json::Map<String, Value> =
            (0..100).map(|i| (format!("p{i}"), json!({"pattern": format!("^[a-z]{{0,2000}}x{i}$")}))).collect();
        assert!(Schema::compile(&json!({"properties": heavy}).to_string(), "inputs").is_err());
        let few: serde_json::Map<String, Value> =
            (0..50).map(|i| (format!("p{i}"), json!({"pattern": format!("^[a-z]{{0,64}}x{i}$")}))).collect();
        assert!(Schema::compile(&json!({"properties": few}).to_string(), "inputs").is_ok());
    }

    #[test]
    fn a_format_regex_text_is_checked_only_when_short() {
        let schema = r#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "string", "format": "regex"}"#;
        let regex = Schema::compile(schema, "inputs").unwrap();
        assert!(regex.violations(&json!("^a+$")).is_empty());
        assert_eq!(regex.violations(&json!("(unclosed")).len(), 1);
        assert!(regex.violations(&json!("(?<n>a)\\k<n>")).is_empty(), "a back-reference is ECMA-262");
        let groups: String = (0..2_000).map(|i| format!("(?<g{i}>)")).collect();
        let refused = regex.violations(&json!(groups));
        assert_eq!(refused.len(), 1, "too long to compile here");
        assert!(refused[0].ends_with("is not a \"regex\""), "the reason survives the cut: {refused:?}");
    }

    #[test]
    fn violations_are_few_and_short_however_many_branches_fail() {
        let branches: Vec<Value> = (0..2_000).map(|i| json!({"const": i})).collect();
        let many =
            Schema::compile(&json!({"type": "array", "items": {"anyOf": branches}}).to_string(), "inputs").unwrap();
        let violations = many.violations(&json!(vec![-1; 100]));
        assert_eq!(violations.len(), MAX_VIOLATIONS);
        assert!(violations.iter().all(|v| v.chars().count() <= MAX_MESSAGE + 20), "{violations:?}");
    }
}
