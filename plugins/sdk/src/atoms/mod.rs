//! Typed wrappers over the atoms (the host capabilities). Declare each one you
//! use in [`Step::CAPABILITIES`](crate::Step::CAPABILITIES).

pub mod cmdb;
pub mod http;
pub mod job;
pub mod kv;
pub mod log;
pub mod notify;
pub mod secrets;
