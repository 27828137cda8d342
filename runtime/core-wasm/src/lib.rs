//! The browser's door to `scena-core`. Every function takes and returns JSON
//! text, so the JavaScript side needs no generated types beyond strings and
//! the answers are byte for byte what the native core serializes.

use scena_core::editor::{check_expression, check_flow, KnownPlugin, KnownPlugins};
use serde_json::json;
use wasm_bindgen::prelude::wasm_bindgen;

/// `{"problems": [{"node"?, "message"}]}` for a flow document (JSON or YAML).
/// `plugins` is the API's plugin list (`[{"name", "version", "input_schema"}]`)
/// or `null` to leave plugins unchecked.
#[wasm_bindgen(js_name = validateFlow)]
pub fn validate_flow(flow: &str, plugins: &str) -> String {
    match serde_json::from_str::<Option<Vec<KnownPlugin>>>(plugins) {
        Ok(list) => {
            let known = list.as_deref().map(KnownPlugins::new);
            json!({"problems": check_flow(flow, known.as_ref())}).to_string()
        }
        Err(e) => json!({"error": format!("the plugin list is not readable: {e}")}).to_string(),
    }
}

/// `{"result": "ok", "paths": […], "steps": […]|null}` or
/// `{"result": "error", "message", "at": {"line", "column"}|null}`.
#[wasm_bindgen(js_name = checkExpression)]
pub fn check_expression_json(source: &str) -> String {
    serde_json::to_string(&check_expression(source)).expect("serializable")
}
