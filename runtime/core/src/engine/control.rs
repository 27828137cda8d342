//! Operators' events (approval decisions, retries, skips, cancels, pauses,
//! force-fails): whether
//! the run as it stands admits them. Pure, like the rest of the engine.

use super::plan::{NodePlan, Plan};
use super::{Event, NodeStatus, RunState, RunStatus};

/// Whether an operator's event (a decision, retry, skip, cancel, pause,
/// unpause or force-fail) can be
/// applied to the run as it stands; the reason if not.
pub fn check_control(plan: &Plan, state: &RunState, event: &Event) -> Result<(), String> {
    let node_status = |node: &str| {
        plan.index_of(node).map(|i| &state.nodes[i].status).ok_or_else(|| format!("the flow has no node `{node}`"))
    };
    match event {
        Event::Decided { node, .. } => match node_status(node)? {
            NodeStatus::AwaitingDecision { .. } if !state.is_over() => Ok(()),
            _ => Err(format!("node `{node}` is not waiting for a decision")),
        },
        Event::NodeRetried { node, .. } => match (node_status(node)?, &plan.nodes[plan.index_of(node).unwrap_or(0)]) {
            (NodeStatus::Failed, NodePlan::Step { .. } | NodePlan::Subflow { .. })
                if state.status != RunStatus::Cancelled =>
            {
                Ok(())
            }
            _ => Err(format!("node `{node}` is not a failed step")),
        },
        Event::NodeSkipped { node, .. } => match node_status(node)? {
            NodeStatus::Failed | NodeStatus::AwaitingDecision { .. } | NodeStatus::Waiting { .. }
                if state.status != RunStatus::Cancelled
                    && plan.index_of(node).is_some_and(|i| {
                        matches!(
                            plan.nodes[i],
                            NodePlan::Step { .. }
                                | NodePlan::Subflow { .. }
                                | NodePlan::Approval { .. }
                                | NodePlan::Wait { .. }
                        )
                    }) =>
            {
                Ok(())
            }
            other => Err(format!("node `{node}` cannot be skipped while {}", describe(other))),
        },
        Event::Cancelled { .. } | Event::Paused { .. } | Event::Unpaused { .. } if state.is_over() => {
            Err("the run is already over".into())
        }
        Event::Cancelled { .. } => Ok(()),
        Event::Paused { .. } if state.paused => Err("the run is already paused".into()),
        Event::Paused { .. } => Ok(()),
        Event::Unpaused { .. } if !state.paused => Err("the run is not paused".into()),
        Event::Unpaused { .. } => Ok(()),
        Event::ForceFailed { node, .. } => match node_status(node)? {
            NodeStatus::Running { .. }
            | NodeStatus::Waiting { .. }
            | NodeStatus::AwaitingDecision { .. }
            | NodeStatus::Iterating
                if !state.is_over() =>
            {
                Ok(())
            }
            other => Err(format!("node `{node}` cannot be force-failed while {}", describe(other))),
        },
        _ => Err("not an operator's event".into()),
    }
}

fn describe(status: &NodeStatus) -> &'static str {
    match status {
        NodeStatus::Idle => "it has not been reached",
        NodeStatus::Running { .. } => "it is running",
        NodeStatus::Succeeded => "it has succeeded",
        NodeStatus::Failed => "it has failed already",
        NodeStatus::Skipped => "it is on a path not taken",
        _ => "in its current state",
    }
}
