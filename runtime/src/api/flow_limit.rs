//! The limit to named flows reaches the flows a flow runs as subflows. The
//! policies keep a limited member to their flows' runs, drafts, versions,
//! webhooks, schedules and light apps; a subflow node would still start runs
//! of another flow on their behalf. So a limited member starts a flow — or
//! gives it a webhook or a schedule — only if every flow it may run as a
//! subflow, through subflows of subflows, is one of theirs too — and
//! publishes a version of one of their flows only on the same terms.

use std::collections::BTreeSet;

use super::Shared;
use super::auth::Access;
use super::error::ApiError;
use crate::engine::Plan;
use crate::flow::Flow;

/// 403, naming the subflow, if `access` is limited to some flows and
/// `flow` (at `version`, or its latest) may run one outside them.
pub(super) async fn subflows_within_limit(
    app: &Shared,
    access: &Access,
    flow: &str,
    version: Option<u32>,
) -> Result<(), ApiError> {
    let Some(allowed) = &access.flows else { return Ok(()) };
    let reached = app.scheduler.subflows_reached(&access.tenant, flow, version).await?;
    refuse_outside(flow, &reached, allowed)
}

/// The same for a draft about to be published: a webhook or schedule given
/// to the flow before would otherwise start what the new version runs.
pub(super) async fn draft_within_limit(app: &Shared, access: &Access, draft: &Flow) -> Result<(), ApiError> {
    let Some(allowed) = &access.flows else { return Ok(()) };
    // A draft that does not plan is refused by its validation anyway.
    let Ok(plan) = Plan::new(draft.clone()) else { return Ok(()) };
    let reached = app.scheduler.subflows_reached_from(&access.tenant, &plan).await?;
    refuse_outside(&draft.name, &reached, allowed)
}

fn refuse_outside(flow: &str, reached: &BTreeSet<String>, allowed: &[String]) -> Result<(), ApiError> {
    match reached.iter().find(|subflow| !allowed.contains(subflow)) {
        None => Ok(()),
        Some(outside) => Err(ApiError::forbidden(format!(
            "flow `{flow}` runs flow `{outside}` as a subflow, and you are limited to flows {}",
            allowed.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
        ))),
    }
}
