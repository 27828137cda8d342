//! Starting a run of a tenant's published flow — what the API, webhooks and
//! cron schedules all do.

use std::sync::Arc;

use super::{FlowText, InputMismatch, Launched, Scheduler};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// No such flow, or no such (published) version.
    #[error("{0} not found")]
    NotFound(String),
    #[error("the input does not match the inputs schema of flow `{flow}`")]
    InvalidInput { flow: String, violations: Vec<String> },
    /// For instance a subflow that is not published.
    #[error("{0}")]
    CannotStart(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl LaunchError {
    /// The HTTP status this refusal stands for — for the API's answer and
    /// for the audit row of a run a trigger could not start.
    pub fn status(&self) -> u16 {
        match self {
            LaunchError::NotFound(_) => 404,
            LaunchError::InvalidInput { .. } | LaunchError::CannotStart(_) => 422,
            LaunchError::Internal(_) => 500,
        }
    }
}

impl Scheduler {
    /// The published `version` (the latest if `None`) of flow `name` of
    /// `tenant`: its number and text.
    async fn published(&self, tenant: &str, name: &str, version: Option<u32>) -> Result<(u32, FlowText), LaunchError> {
        let published = self.flows.version(tenant, name, version).await.map_err(|_| {
            LaunchError::NotFound(match version {
                Some(n) => format!("version {n} of flow `{name}`"),
                None => format!("a published version of flow `{name}`"),
            })
        })?;
        Ok((published.version, FlowText::new(published.flow_json)))
    }

    /// Whether a run of the published `version` of flow `name` of `tenant`
    /// could start with `input` (for a schedule, checked when it is made).
    pub async fn check_launch(
        &self,
        tenant: &str,
        name: &str,
        version: Option<u32>,
        input: &Value,
    ) -> Result<(), LaunchError> {
        let (_, flow) = self.published(tenant, name, version).await?;
        let violations = self.plan(&flow)?.inputs.violations(input);
        if !violations.is_empty() {
            return Err(LaunchError::InvalidInput { flow: name.to_string(), violations });
        }
        Ok(())
    }

    /// Start a run of the published `version` (the latest if `None`) of flow
    /// `name` of `tenant`, on a task of its own: the run's id and that task.
    /// The input is checked once, where the run is created.
    pub async fn launch_published(
        self: &Arc<Self>,
        tenant: &str,
        name: &str,
        version: Option<u32>,
        input: Value,
    ) -> Result<Launched, LaunchError> {
        let (number, flow) = self.published(tenant, name, version).await?;
        self.launch(tenant, flow, Some(number), input).await.map_err(|e| match e.downcast::<InputMismatch>() {
            Ok(InputMismatch { violations, .. }) => LaunchError::InvalidInput { flow: name.to_string(), violations },
            Err(e) => LaunchError::CannotStart(format!("{e:#}")),
        })
    }
}
