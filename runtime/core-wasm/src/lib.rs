//! The browser's door to `scena-core`. Every function takes and returns JSON
//! text, so the JavaScript side needs no generated types beyond strings and
//! the answers are byte for byte what the native core serializes.

use scena_core::editor::{KnownPlugin, KnownPlugins, check_expression, check_flow};
use scena_core::flow::Problem;
use serde::Serialize;
// Only the browser build is bound to JavaScript: the native build (the parity
// test's other side) needs no wasm-bindgen and does not compile it.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

// Answers are serialized from these types, never through `serde_json::Value`:
// a JSON map's key order depends on a Cargo feature (`preserve_order`) that
// other crates of a build may switch on, and both builds must write the same text.
#[derive(Serialize)]
struct Checked {
    problems: Vec<Problem>,
}

#[derive(Serialize)]
struct Refused {
    error: String,
}

/// `{"problems": [{"node"?, "message"}]}` for a flow document (JSON or YAML).
/// `plugins` is the API's plugin list (`[{"name", "version", "input_schema"}]`)
/// or `null` to leave plugins unchecked.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = validateFlow))]
pub fn validate_flow(flow: &str, plugins: &str) -> String {
    match serde_json::from_str::<Option<Vec<KnownPlugin>>>(plugins) {
        Ok(list) => {
            let known = list.as_deref().map(KnownPlugins::new);
            to_json(&Checked { problems: check_flow(flow, known.as_ref()) })
        }
        Err(e) => to_json(&Refused { error: format!("the plugin list is not readable: {e}") }),
    }
}

/// `{"result": "ok", "paths": […], "steps": […]|null}` or
/// `{"result": "error", "message", "at": {"line", "column"}|null}`.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = checkExpression))]
pub fn check_expression_json(source: &str) -> String {
    to_json(&check_expression(source))
}

fn to_json(answer: &impl Serialize) -> String {
    serde_json::to_string(answer).expect("answers are plain data")
}
