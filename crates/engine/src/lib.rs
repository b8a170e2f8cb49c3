//! The Flowdesk workflow engine: BPMN execution semantics as a pure core.
//!
//! # What it owns
//!
//! - [`CompiledProcess`]: a `flowdesk-model` process prepared for execution
//!   (ids resolved to indexes, boundary events per activity, event
//!   sub-processes per scope, link targets, inclusive-join reachability).
//! - [`apply`]: `(state, command) -> (state, effects)`. It mutates a
//!   [`ProcessInstanceState`] in place and returns [`Effect`]s as data: jobs
//!   to hand to workers, timers to schedule, message subscriptions to index,
//!   history events, call activities to start, incidents.
//! - [`timer`]: ISO 8601 dates, durations and cycles, and cron.
//! - [`expression`]: the [`ExpressionEvaluator`] trait FEEL is evaluated
//!   through and [`FeelEvaluator`], its `flowdesk-feel` implementation;
//!   [`DecisionEvaluator`] for DMN, with [`DmnDecisions`] over
//!   `flowdesk-rules`.
//! - [`Engine`]: an in-memory runner over the core for tests and the
//!   in-memory benchmark, with a controllable clock, a job queue, message
//!   buffering with TTL, call activities and timer start events.
//!
//! # What it must not depend on
//!
//! No store, no SQL, no HTTP, no async runtime, no clock, no randomness:
//! time and keys come in through [`Context`], effects go out as data.
//! `flowdesk-store` persists states and effects; `flowdesk-api` exposes
//! commands.
//!
//! ```
//! use flowdesk_engine::Engine;
//! let xml = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
//!   <bpmn:process id="hello" isExecutable="true">
//!     <bpmn:startEvent id="start" />
//!     <bpmn:task id="greet" />
//!     <bpmn:endEvent id="end" />
//!     <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="greet" />
//!     <bpmn:sequenceFlow id="f2" sourceRef="greet" targetRef="end" />
//!   </bpmn:process>
//! </bpmn:definitions>"#;
//! let mut engine = Engine::new();
//! engine.deploy_xml(xml)?;
//! let key = engine.start_instance("hello", serde_json::Map::new())?;
//! assert!(engine.instance(key).is_some_and(|instance| instance.status
//!     == flowdesk_engine::InstanceStatus::Completed));
//! # Ok::<(), flowdesk_engine::EngineError>(())
//! ```

pub mod compiled;
pub mod dmn;
pub mod engine;
pub mod error;
pub mod execute;
pub mod expression;
#[cfg(feature = "scenario")]
pub mod scenario;
pub mod state;
pub mod timer;

pub use compiled::{CompiledProcess, EventTrigger, StartEventInfo};
pub use dmn::DmnDecisions;
pub use engine::{ActivatedJob, Engine, HistoryRecord};
pub use error::{CompileError, EngineError};
pub use execute::{
    apply, Context, DecisionError, DecisionEvaluator, DecisionSite, NoDecisions, ScopeView,
};
pub use expression::{ExpressionError, ExpressionEvaluator, FeelEvaluator, VariableScope};
pub use state::*;
pub use timer::{IsoDuration, TimerSchedule};
