//! Hostile: recurses without bound. The wasm stack limit must stop it.
use scena_plugin::prelude::*;

struct RecurseForever;

// Small frames, so the wasm call stack (not the guest's shadow stack in
// linear memory) runs out first; black_box keeps LLVM from turning the
// recursion into a loop.
#[allow(unconditional_recursion)] // the point of this guest
fn descend(depth: u64) -> u64 {
    std::hint::black_box(descend(std::hint::black_box(depth + 1))) ^ depth
}

impl Step for RecurseForever {
    type Input = Value;
    type Output = Value;
    const NAME: &'static str = "recurse-forever";
    const VERSION: &'static str = "0.1.0";
    const TITLE: &'static str = "Recurse forever";
    const DESCRIPTION: &'static str = "Overflows its stack.";

    fn run(_ctx: &Context, _input: Value) -> StepResult<Value> {
        done(json!(descend(std::hint::black_box(0))))
    }
}

export_step!(RecurseForever);
