//! Hostile: allocates until something stops it. The memory limit must.
use scena_plugin::prelude::*;

struct AllocForever;

impl Step for AllocForever {
    type Input = Value;
    type Output = Value;
    const NAME: &'static str = "alloc-forever";
    const VERSION: &'static str = "0.1.0";
    const TITLE: &'static str = "Allocate forever";
    const DESCRIPTION: &'static str = "Grows its heap without bound.";

    fn run(_ctx: &Context, _input: Value) -> StepResult<Value> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(std::hint::black_box(vec![7u8; 1 << 20]));
        }
    }
}

export_step!(AllocForever);
