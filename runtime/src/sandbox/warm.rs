//! A plugin instance kept alive across calls. Production calls always get a
//! fresh instance (no state may leak between runs); a warm instance exists so
//! the benchmark can show what that isolation costs.

use std::sync::Arc;
use std::time::Instant;

use wasmtime::Store;

use super::call::{Entry, StepContext};
use super::plugin::Plugin;
use super::state::CallState;
use super::{Limits, Sandbox};
use crate::atoms::{AtomCall, Grants};
use crate::bindings::Step;
use crate::store::KvScope;

pub struct WarmInstance {
    store: Store<CallState>,
    instance: Step,
}

impl WarmInstance {
    /// Instantiate once. The store's deadline is far away: a warm instance is
    /// only for trusted, terminating plugins.
    pub async fn new(sandbox: &Sandbox, plugin: &Plugin, grants: Arc<Grants>) -> wasmtime::Result<WarmInstance> {
        let limits = Limits { deadline: std::time::Duration::from_secs(24 * 3600), ..Limits::default() };
        let deadline = Instant::now() + limits.deadline;
        let scope = KvScope { tenant: "bench".into(), plugin: plugin.meta.name.clone() };
        let atoms = AtomCall::new(scope, grants, sandbox.services.clone(), deadline);
        let mut store = sandbox.new_store(atoms, &limits, deadline);
        let instance = plugin.pre.instantiate_async(&mut store).await?;
        Ok(WarmInstance { store, instance })
    }

    /// Call `run` or `poll` on the live instance; returns the raw outcome JSON text.
    pub async fn call(&mut self, context: &StepContext, entry: &Entry) -> wasmtime::Result<Result<String, String>> {
        let handler = self.instance.scena_plugin_handler();
        let context = super::call::to_wit(context);
        let result = match entry {
            Entry::Run(input) => handler.call_run(&mut self.store, &context, &input.to_string()).await?,
            Entry::Poll(state) => handler.call_poll(&mut self.store, &context, &state.to_string()).await?,
        };
        Ok(match result {
            Ok(crate::bindings::wit::Outcome::Done(text)) => Ok(text),
            Ok(crate::bindings::wit::Outcome::Pending(p)) => Ok(p.state),
            Err(e) => Err(format!("{e:?}")),
        })
    }
}
