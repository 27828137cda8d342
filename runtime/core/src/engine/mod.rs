//! The flow engine core: a pure state machine. `apply(plan, state, event)`
//! updates the run state and returns the commands to carry out (call a step,
//! set a timer, finish the run). It does no I/O and reads no clock — events
//! carry their time — so replaying a run's event log rebuilds its state
//! exactly; the server's scheduler (`scena::scheduler`) does the I/O.

mod control;
mod event;
mod foreach;
mod machine;
mod plan;
mod state;
mod transition;

pub use control::check_control;
pub use event::{Command, Event, StepCall, StepOutcome};
pub use machine::{apply, resume_work};
pub use plan::{BodyPlan, BodyTarget, CallTarget, NodePlan, Plan};
pub use state::{ItemState, NodeState, NodeStatus, RunState, RunStatus};

#[cfg(test)]
mod tests;
