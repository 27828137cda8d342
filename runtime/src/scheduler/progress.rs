//! Watching a run as it moves (the CLI prints it; tests stay quiet).

use crate::engine::{Event, Plan, RunState};

pub trait Progress: Send {
    fn event(&mut self, _run_id: &str, _event: &Event) {}
    fn resumed(&mut self, _run_id: &str, _pending_work: usize) {}
    fn finished(&mut self, _run_id: &str, _state: &RunState) {}
    /// The run stopped because it waits for people to decide on approvals
    /// (or for a pause to be lifted).
    fn waiting(&mut self, _run_id: &str, _state: &RunState, _plan: &Plan) {}
    /// The subflow run `child` of `node` waits for people; the node stays running.
    fn child_waiting(&mut self, _run_id: &str, _node: &str, _child: &str) {}
}

pub struct SilentProgress;

impl Progress for SilentProgress {}
