//! The one Flowdesk HTTP API.
//!
//! Owns everything HTTP: the [`router`] every client uses (browsers through
//! `flowdesk serve`, the desktop in-process through `tower::ServiceExt::oneshot`),
//! its [`openapi`] document, the middleware stack (request id and access log
//! -> authenticate -> authorize -> handler), RFC 9457 problem+json errors,
//! cookies, Prometheus metrics and the [`demo`] workspace.
//!
//! Handlers are thin: parse, call one service in `flowdesk-identity` or
//! `flowdesk-store`, map the result. This is the only crate that knows HTTP;
//! nothing below it may depend on it.

#![warn(missing_docs)]

pub mod access;
mod decisions;
pub mod demo;
pub mod embedded;
mod error;
mod extract;
mod metrics;
mod middleware;
mod routes;
mod services;
pub mod types;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use flowdesk_identity::Identity;
use flowdesk_store::workflow::{Workflow, WorkflowError};
use flowdesk_store::Store;

pub use error::{ApiError, ModelProblem, ProblemDetails};

/// How the router is set up.
#[derive(Debug, Clone, Default)]
pub struct ApiConfig {
    /// Directory of the built UI (`ui/dist`), served at `/` when set.
    pub ui_dir: Option<PathBuf>,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// The WebAuthn relying party (the site's public origin) passkeys are
    /// bound to; without one the passkey routes answer 409.
    pub passkeys: Option<flowdesk_identity::passkey::RelyingParty>,
}

/// Shared state of the handlers.
#[derive(Clone)]
pub(crate) struct AppState {
    pub store: Store,
    pub workflow: Workflow,
    pub identity: Identity,
    pub config: Arc<ApiConfig>,
    pub metrics: Arc<metrics::Metrics>,
    pub openapi_json: Arc<String>,
    pub decision_models: decisions::DecisionModels,
    /// Fetches the data of DMN input data providers (none: such fetches fail).
    pub decision_data: Option<Arc<dyn flowdesk_rules::DataProvider>>,
    /// The node's live update tailer (GET /api/events).
    pub live: routes::events::Hub,
}

/// Builds the one Router: every API route, the middleware stack, and the UI
/// at `/` when `config.ui_dir` is set.
pub fn router(store: Store, config: ApiConfig) -> Router {
    router_with_decision_data(store, config, None)
}

/// Like [`router`], with the data providers DMN input data may declare (SQL
/// connections and HTTP, e.g. `flowdesk_providers::Providers`); business
/// rule tasks evaluate the decisions deployed in the store, and every
/// evaluation is written to the decision history (by a task on the current
/// Tokio runtime).
pub fn router_with_decision_data(
    store: Store,
    config: ApiConfig,
    decision_data: Option<Arc<dyn flowdesk_rules::DataProvider>>,
) -> Router {
    let (api, openapi) = routes::api_router().split_for_parts();
    let decision_models = decisions::DecisionModels::default();
    let workflow_decisions = decisions::WorkflowDecisions::spawn(
        store.clone(),
        decision_models.clone(),
        decision_data.clone(),
    );
    let openapi_json = openapi
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_string());
    let identity = match config.passkeys.clone() {
        Some(relying_party) => Identity::new(store.clone()).with_passkeys(relying_party),
        None => Identity::new(store.clone()),
    };
    let state = AppState {
        live: routes::events::Hub::new(store.clone()),
        identity,
        workflow: Workflow::new(store.clone()).with_decisions(Arc::new(workflow_decisions)),
        store,
        metrics: Arc::new(metrics::Metrics::new()),
        openapi_json: Arc::new(openapi_json),
        config: Arc::new(config.clone()),
        decision_models,
        decision_data,
    };
    middleware::wrap(api, state, config.ui_dir)
}

/// The OpenAPI 3.1 document of every route (the same one GET /api/openapi.json serves).
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes::api_router().split_for_parts().1
}

/// Milliseconds since the Unix epoch, read from the system clock; the one
/// place the API reads the time before passing it down.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// How often the background workers look for due timers.
const TIMER_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// How often the analytics read model catches up with history.
const INSIGHTS_POLL: std::time::Duration = std::time::Duration::from_secs(5);

/// Fires every timer due at `now` (ms since the epoch); returns how many
/// fired. The background worker calls it; tests call it with their own clock.
pub async fn fire_due_timers(store: &Store, now: i64) -> Result<usize, WorkflowError> {
    Workflow::new(store.clone()).fire_due_timers(now).await
}

/// Spawns the background workers of a node (the timer worker: polls due
/// timers, firing each in its own transaction; the analytics read model's
/// catch-up). `flowdesk serve` and the
/// desktop call it once; abort the handle to stop them.
pub fn spawn_workers(store: Store) -> tokio::task::JoinHandle<()> {
    let insights = flowdesk_insights::Insights::new(store.clone());
    let workflow = Workflow::new(store);
    tokio::spawn(async move {
        // The analytics read model catches up beside the timers; dropping
        // its handle (when this task is aborted) stops it.
        let _insights = flowdesk_insights::spawn_worker(insights, INSIGHTS_POLL);
        loop {
            match workflow.fire_due_timers(now_ms()).await {
                // A full batch: more may be due, go on at once.
                Ok(fired) if fired >= 100 => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "timer worker"),
            }
            tokio::time::sleep(TIMER_POLL).await;
        }
    })
}
