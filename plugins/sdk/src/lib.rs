//! Write a scena scenario step in Rust.
//!
//! ```ignore
//! use scena_plugin::prelude::*;
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct Input { name: String }
//!
//! #[derive(Serialize, JsonSchema)]
//! struct Output { greeting: String }
//!
//! struct Hello;
//!
//! impl Step for Hello {
//!     type Input = Input;
//!     type Output = Output;
//!     const NAME: &'static str = "hello";
//!     const VERSION: &'static str = env!("CARGO_PKG_VERSION");
//!     const TITLE: &'static str = "Say hello";
//!     const DESCRIPTION: &'static str = "Greets someone by name.";
//!     const CAPABILITIES: &'static [Capability] = &[Capability::Log];
//!
//!     fn run(_ctx: &Context, input: Input) -> StepResult<Output> {
//!         log::info(&format!("greeting {}", input.name));
//!         done(Output { greeting: format!("Hello, {}!", input.name) })
//!     }
//! }
//!
//! export_step!(Hello);
//! ```
//!
//! The input and output JSON Schemas are derived from the types with
//! `schemars`, so the contract the host checks never drifts from the code.

pub mod atoms;
mod error;
#[doc(hidden)]
pub mod glue;
mod step;

pub use error::{AtomError, StepError};
pub use scena_host_api::Capability;
pub use step::{done, pending, Context, Outcome, Step, StepResult};

// Re-exported so plugin crates need no direct dependency to name them.
pub use schemars;
pub use serde;
pub use serde_json;

/// The raw WIT bindings, for what the wrappers do not cover.
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../host-api/wit",
        world: "scena:plugin/step",
        pub_export_macro: true,
        default_bindings_module: "scena_plugin::bindings",
    });
}

/// Everything a step usually needs, in one `use`.
pub mod prelude {
    pub use crate::atoms::{cmdb, http, job, kv, log, notify, secrets};
    pub use crate::{done, export_step, pending, AtomError, Capability, Context, Outcome, Step, StepError, StepResult};
    pub use schemars::JsonSchema;
    pub use serde::{Deserialize, Serialize};
    pub use serde_json::{json, Value};
}

/// Export a type implementing [`Step`] as this component's `step` world.
#[macro_export]
macro_rules! export_step {
    ($step:ty) => {
        struct __ScenaExportedStep;

        impl $crate::bindings::exports::scena::plugin::handler::Guest for __ScenaExportedStep {
            fn describe() -> $crate::bindings::scena::plugin::types::StepMeta {
                $crate::glue::describe::<$step>()
            }

            fn run(
                ctx: $crate::bindings::scena::plugin::types::Context,
                input: ::std::string::String,
            ) -> ::std::result::Result<
                $crate::bindings::scena::plugin::types::Outcome,
                $crate::bindings::scena::plugin::types::StepError,
            > {
                $crate::glue::run::<$step>(ctx, input)
            }

            fn poll(
                ctx: $crate::bindings::scena::plugin::types::Context,
                state: ::std::string::String,
            ) -> ::std::result::Result<
                $crate::bindings::scena::plugin::types::Outcome,
                $crate::bindings::scena::plugin::types::StepError,
            > {
                $crate::glue::poll::<$step>(ctx, state)
            }
        }

        $crate::bindings::export!(__ScenaExportedStep with_types_in $crate::bindings);
    };
}
