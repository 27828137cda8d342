//! Mappings: JSON with `${…}` expressions in its strings. A string that is
//! exactly one expression keeps the JSON type of its value; otherwise values
//! are spliced into the text. `$${` writes a literal `${`.

use serde_json::{Map, Value};

use super::{Budget, ExprError, Expression, Scope};

#[derive(Debug)]
pub enum Template {
    Literal(Value),
    Exact(Expression),
    Text(Vec<Piece>),
    List(Vec<Template>),
    Object(Vec<(String, Template)>),
}

#[derive(Debug)]
pub enum Piece {
    Text(String),
    Expr(Box<Expression>),
}

/// An expression that does not compile, at a JSON pointer inside the mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub path: String,
    pub error: ExprError,
}

impl Template {
    /// Compile every expression in `value`, reporting all that fail.
    pub fn compile(value: &Value) -> Result<Template, Vec<TemplateError>> {
        let mut errors = Vec::new();
        let template = compile_at(value, "", &mut errors);
        if errors.is_empty() { Ok(template) } else { Err(errors) }
    }

    /// True if the mapping holds no expression at all.
    pub fn is_literal(&self) -> bool {
        matches!(self, Template::Literal(_))
    }

    /// Every expression with the JSON pointer of the string that holds it.
    pub fn expressions(&self) -> Vec<(String, &Expression)> {
        let mut found = Vec::new();
        self.walk("", &mut found);
        found
    }

    fn walk<'t>(&'t self, path: &str, found: &mut Vec<(String, &'t Expression)>) {
        match self {
            Template::Literal(_) => {}
            Template::Exact(expr) => found.push((path.to_string(), expr)),
            Template::Text(pieces) => {
                for piece in pieces {
                    if let Piece::Expr(expr) = piece {
                        found.push((path.to_string(), expr));
                    }
                }
            }
            Template::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    item.walk(&format!("{path}/{i}"), found);
                }
            }
            Template::Object(fields) => {
                for (key, field) in fields {
                    field.walk(&format!("{path}/{}", escape_pointer(key)), found);
                }
            }
        }
    }

    /// The mapping with expressions replaced by `null`: what can be checked
    /// against a schema before the run.
    pub fn literal_skeleton(&self) -> Value {
        match self {
            Template::Literal(value) => value.clone(),
            Template::Exact(_) | Template::Text(_) => Value::Null,
            Template::List(items) => Value::Array(items.iter().map(Template::literal_skeleton).collect()),
            Template::Object(fields) => {
                Value::Object(fields.iter().map(|(k, t)| (k.clone(), t.literal_skeleton())).collect())
            }
        }
    }

    /// The value with every expression evaluated in `scope`; all of them
    /// together within one [`Budget`] of loop steps.
    pub fn render(&self, scope: &Scope<'_>) -> Result<Value, ExprError> {
        self.render_within(scope, &mut Budget::default())
    }

    /// [`render`](Self::render) within a budget shared with other expressions.
    pub fn render_within(&self, scope: &Scope<'_>, budget: &mut Budget) -> Result<Value, ExprError> {
        Ok(match self {
            Template::Literal(value) => value.clone(),
            Template::Exact(expr) => expr.eval_within(scope, budget)?,
            Template::Text(pieces) => {
                let mut text = String::new();
                for piece in pieces {
                    match piece {
                        Piece::Text(t) => text.push_str(t),
                        Piece::Expr(expr) => match expr.eval_within(scope, budget)? {
                            Value::String(s) => text.push_str(&s),
                            other => text.push_str(&other.to_string()),
                        },
                    }
                }
                Value::String(text)
            }
            Template::List(items) => {
                Value::Array(items.iter().map(|t| t.render_within(scope, budget)).collect::<Result<_, _>>()?)
            }
            Template::Object(fields) => {
                let mut map = Map::new();
                for (key, field) in fields {
                    map.insert(key.clone(), field.render_within(scope, budget)?);
                }
                Value::Object(map)
            }
        })
    }
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn compile_at(value: &Value, path: &str, errors: &mut Vec<TemplateError>) -> Template {
    match value {
        Value::String(text) => match split(text) {
            Err(error) => {
                errors.push(TemplateError { path: path.to_string(), error });
                Template::Literal(Value::Null)
            }
            Ok(pieces) => compile_string(text, pieces, path, errors),
        },
        Value::Array(items) => {
            let compiled: Vec<Template> =
                items.iter().enumerate().map(|(i, v)| compile_at(v, &format!("{path}/{i}"), errors)).collect();
            if compiled.iter().all(Template::is_literal) {
                Template::Literal(value.clone())
            } else {
                Template::List(compiled)
            }
        }
        Value::Object(map) => {
            let compiled: Vec<(String, Template)> = map
                .iter()
                .map(|(k, v)| (k.clone(), compile_at(v, &format!("{path}/{}", escape_pointer(k)), errors)))
                .collect();
            if compiled.iter().all(|(_, t)| t.is_literal()) {
                Template::Literal(value.clone())
            } else {
                Template::Object(compiled)
            }
        }
        other => Template::Literal(other.clone()),
    }
}

enum RawPiece {
    Text(String),
    Expr(String),
}

fn compile_string(original: &str, pieces: Vec<RawPiece>, path: &str, errors: &mut Vec<TemplateError>) -> Template {
    let has_expr = pieces.iter().any(|p| matches!(p, RawPiece::Expr(_)));
    if !has_expr {
        let text: String =
            pieces.into_iter().map(|p| if let RawPiece::Text(t) = p { t } else { String::new() }).collect();
        return Template::Literal(Value::String(if text == original { original.to_string() } else { text }));
    }
    let mut compiled = Vec::new();
    for piece in pieces {
        match piece {
            RawPiece::Text(t) => compiled.push(Piece::Text(t)),
            RawPiece::Expr(source) => match Expression::parse(&source) {
                Ok(expr) => compiled.push(Piece::Expr(Box::new(expr))),
                Err(error) => errors.push(TemplateError { path: path.to_string(), error }),
            },
        }
    }
    if compiled.len() == 1 && matches!(compiled[0], Piece::Expr(_)) {
        let Some(Piece::Expr(expr)) = compiled.pop() else { unreachable!() };
        return Template::Exact(*expr);
    }
    Template::Text(compiled)
}

/// Split text into literal parts and `${…}` sources. Braces and quotes inside
/// an expression are tracked, so `${ {'a': '}'}.a }` is one expression.
fn split(text: &str) -> Result<Vec<RawPiece>, ExprError> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        literal.push_str(&rest[..at]);
        let after = &rest[at..];
        if let Some(tail) = after.strip_prefix("$${") {
            literal.push_str("${");
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("${") {
            let end = closing_brace(tail).ok_or_else(|| ExprError {
                expression: tail.to_string(),
                reason: "`${` without its closing `}`".into(),
                at: None,
            })?;
            if !literal.is_empty() {
                pieces.push(RawPiece::Text(std::mem::take(&mut literal)));
            }
            pieces.push(RawPiece::Expr(tail[..end].to_string()));
            rest = &tail[end + 1..];
        } else {
            literal.push('$');
            rest = &after[1..];
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() || pieces.is_empty() {
        pieces.push(RawPiece::Text(literal));
    }
    Ok(pieces)
}

fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn render(mapping: Value, inputs: Value) -> Result<Value, ExprError> {
        let steps = BTreeMap::new();
        Template::compile(&mapping).unwrap().render(&Scope::new(&inputs, &steps))
    }

    #[test]
    fn a_whole_string_expression_keeps_its_type() {
        let inputs = json!({"n": 3, "hosts": ["a"], "zone": "eu-1"});
        let mapping =
            json!({"count": "${inputs.n}", "hosts": "${inputs.hosts}", "flag": "${inputs.n > 2}", "fixed": 7});
        assert_eq!(render(mapping, inputs), Ok(json!({"count": 3, "hosts": ["a"], "flag": true, "fixed": 7})));
    }

    #[test]
    fn expressions_inside_text_are_spliced() {
        let inputs = json!({"n": 3, "zone": "eu-1"});
        let mapping = json!(["zone ${inputs.zone} has ${inputs.n} hosts", "cost: $${not an expression}", "$5"]);
        assert_eq!(render(mapping, inputs), Ok(json!(["zone eu-1 has 3 hosts", "cost: ${not an expression}", "$5"])));
    }

    #[test]
    fn braces_and_quotes_inside_expressions_are_respected() {
        let inputs = json!({"k": "a"});
        assert_eq!(render(json!("${ {'a': '}'}[inputs.k] }"), inputs), Ok(json!("}")));
    }

    #[test]
    fn the_expressions_of_one_mapping_share_one_budget_of_loop_steps() {
        // Each field: 600 + 600 × 600 = 360,600 steps, under the limit alone; three are not.
        let inputs = json!({"l": (0..600).collect::<Vec<i64>>()});
        let costly = "${size(inputs.l.filter(x, inputs.l.exists(y, y == -1)))}";
        assert_eq!(render(json!({"a": costly, "b": [costly]}), inputs.clone()), Ok(json!({"a": 0, "b": [0]})));
        let refused = render(json!({"a": costly, "b": [costly], "c": format!("n={costly}")}), inputs).unwrap_err();
        assert!(
            refused.reason.contains("1081800 with the 721200")
                && refused.reason.contains("limit for one node is 1000000"),
            "{refused}"
        );
    }

    #[test]
    fn the_results_of_one_mapping_share_one_size_limit() {
        // Each field copies a 3 MB string: two fit in 8 MiB, three do not — by a plain path or by CEL.
        let inputs = json!({"big": "x".repeat(3_000_000)});
        for field in ["${inputs.big}", "${inputs.big + ''}"] {
            let two = json!({"a": field, "b": [field]});
            assert!(render(two, inputs.clone()).is_ok(), "{field}");
            let refused = render(json!({"a": field, "b": [field], "c": field}), inputs.clone()).unwrap_err();
            assert!(refused.reason.contains("past the limit of 8 MiB once written as JSON"), "{field}: {refused}");
        }
    }

    #[test]
    fn every_bad_expression_is_reported_with_its_path() {
        let errors =
            Template::compile(&json!({"a": "${1 +}", "b": ["ok", "${unclosed"], "c/d": "x ${)} y"})).unwrap_err();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, vec!["/a", "/b/1", "/c~1d"]);
    }

    #[test]
    fn the_literal_skeleton_blanks_expressions() {
        let template =
            Template::compile(&json!({"url": "${inputs.url}", "method": "GET", "n": [1, "${inputs.n}"]})).unwrap();
        assert_eq!(template.literal_skeleton(), json!({"url": null, "method": "GET", "n": [1, null]}));
        let mut paths: Vec<String> = template.expressions().into_iter().map(|(p, _)| p).collect();
        paths.sort();
        assert_eq!(paths, vec!["/n/1", "/url"]);
    }
}
