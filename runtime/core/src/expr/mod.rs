//! Expressions in flows: CEL (the Common Expression Language), a safe,
//! non-Turing-complete language — never a template engine or a scripting
//! language. Mappings embed expressions as `${…}` inside JSON strings.

mod expression;
mod patterns;
mod scope;
mod template;
mod work;

pub use expression::{Budget, ExprError, Expression, Position};
pub use scope::Scope;
pub use template::{Template, TemplateError};
