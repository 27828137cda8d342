//! Hostile: calls `http` without declaring it. Must be refused at load time.
use scena_plugin::prelude::*;

struct UndeclaredImport;

impl Step for UndeclaredImport {
    type Input = Value;
    type Output = Value;
    const NAME: &'static str = "undeclared-import";
    const VERSION: &'static str = "0.1.0";
    const TITLE: &'static str = "Undeclared import";
    const DESCRIPTION: &'static str = "Declares no capability, yet imports http.";

    fn run(_ctx: &Context, input: Value) -> StepResult<Value> {
        let url = input["url"].as_str().unwrap_or("http://example.com/");
        let response = http::Request::get(url).send()?;
        done(json!({"status": response.status}))
    }
}

export_step!(UndeclaredImport);
