//! Flowdesk's process and decision models: BPMN 2.0 XML (with Camunda's
//! `zeebe:` extensions) read into typed Rust values, and validated for what
//! the engine can run, with every problem located by element id and
//! line:column.
//!
//! This crate owns the model types and their validation rules. It is pure
//! (no I/O, no clock) and depends on nothing else in the workspace, so
//! every other crate can depend on it.

pub mod bpmn;
mod problem;

pub use problem::{ModelErrors, Problem};
