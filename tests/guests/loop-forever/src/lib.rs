//! Hostile: spins forever. The epoch deadline must stop it.
use scena_plugin::prelude::*;

struct LoopForever;

impl Step for LoopForever {
    type Input = Value;
    type Output = Value;
    const NAME: &'static str = "loop-forever";
    const VERSION: &'static str = "0.1.0";
    const TITLE: &'static str = "Loop forever";
    const DESCRIPTION: &'static str = "Never returns.";

    fn run(_ctx: &Context, _input: Value) -> StepResult<Value> {
        let mut i = 0u64;
        loop {
            i = std::hint::black_box(i.wrapping_add(1));
        }
    }
}

export_step!(LoopForever);
