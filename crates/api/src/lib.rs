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
pub mod demo;
mod error;
mod extract;
mod metrics;
mod middleware;
mod routes;
mod services;
mod types;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use flowdesk_identity::Identity;
use flowdesk_store::Store;

pub use error::{ApiError, ModelProblem, ProblemDetails};

/// How the router is set up.
#[derive(Debug, Clone, Default)]
pub struct ApiConfig {
    /// Directory of the built UI (`ui/dist`), served at `/` when set.
    pub ui_dir: Option<PathBuf>,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
}

/// Shared state of the handlers.
#[derive(Clone)]
pub(crate) struct AppState {
    pub store: Store,
    pub identity: Identity,
    pub config: Arc<ApiConfig>,
    pub metrics: Arc<metrics::Metrics>,
    pub openapi_json: Arc<String>,
}

/// Builds the one Router: every API route, the middleware stack, and the UI
/// at `/` when `config.ui_dir` is set.
pub fn router(store: Store, config: ApiConfig) -> Router {
    let (api, openapi) = routes::api_router().split_for_parts();
    let openapi_json = openapi
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_string());
    let state = AppState {
        identity: Identity::new(store.clone()),
        store,
        metrics: Arc::new(metrics::Metrics::new()),
        openapi_json: Arc::new(openapi_json),
        config: Arc::new(config.clone()),
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
