//! What the machine and the nodes that run items share: the transition in
//! progress (plan, state, the commands it emits, the event's time), the
//! scope expressions see, and the retry back-off.

use super::plan::Plan;
use super::{Command, RunState};
use crate::expr::Scope;
use crate::flow::{Backoff, Retry};

/// Which of a run's outstanding work to hand out.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Pick {
    /// Everything, after a restart.
    All,
    /// Only the calls a pause held back (never started).
    Held,
}

impl Pick {
    pub(super) fn wants_call(self, started: bool, paused: bool) -> bool {
        match self {
            Pick::All => started || !paused,
            Pick::Held => !started,
        }
    }
}

pub(super) fn scope(state: &RunState) -> Scope<'_> {
    Scope::new(&state.inputs, &state.steps).with_borrowed("run", &state.run)
}

/// One event being applied; its methods live beside the nodes they move
/// (`machine.rs`, `foreach.rs`).
pub(super) struct Transition<'a> {
    pub(super) plan: &'a Plan,
    pub(super) state: &'a mut RunState,
    pub(super) out: Vec<Command>,
    pub(super) at_ms: u64,
}

/// Delay before attempt `attempt + 1`. Jitter is derived from the node and
/// attempt, not from a random source, so replaying a run gives the same plan.
pub(super) fn backoff_ms(retry: &Retry, attempt: u32, node: &str) -> u64 {
    let base = match retry.backoff {
        Backoff::Fixed => retry.initial_ms,
        Backoff::Exponential => retry.initial_ms.saturating_mul(1u64 << attempt.saturating_sub(1).min(32)),
    };
    let capped = retry.max_ms.map_or(base, |max| base.min(max));
    if !retry.jitter || capped == 0 {
        return capped;
    }
    let seed = node.bytes().fold(u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15), |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    });
    capped / 2 + seed % (capped / 2 + 1)
}
