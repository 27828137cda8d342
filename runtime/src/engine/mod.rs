//! The flow engine core: a pure state machine. `apply(plan, state, event)`
//! updates the run state and returns the commands to carry out (call a step,
//! set a timer, finish the run). It does no I/O and reads no clock — events
//! carry their time — so replaying a run's event log rebuilds its state
//! exactly; the scheduler (`crate::scheduler`) does the I/O.

mod event;
mod machine;
mod plan;
mod state;

pub use event::{Command, Event, StepCall, StepOutcome};
pub use machine::{apply, check_control, resume_work};
pub use plan::{BodyPlan, NodePlan, Plan};
pub use state::{ItemState, NodeState, NodeStatus, RunState, RunStatus};

#[cfg(test)]
mod tests;
