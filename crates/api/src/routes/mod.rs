//! The routes, one module per resource, all registered with their OpenAPI operation.

mod audit;
mod auth;
mod dashboards;
mod decisions;
mod definitions;
pub(crate) mod events;
mod health;
mod incidents;
mod insights;
mod instances;
mod jobs;
mod messages;
mod mfa;
mod passkeys;
mod problems;
mod reports;
mod roles;
mod sessions;
mod signals;
mod tasks;
mod tokens;
mod users;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::{ApiError, AppState};

/// 204 once `action` (an identity change answered without a body: ending
/// sessions, revoking a token or grant, deleting passkeys, changing the
/// password) has succeeded; its error as problem+json otherwise. The one
/// ending of those handlers.
async fn no_content<T>(
    action: impl std::future::Future<Output = Result<T, flowdesk_identity::IdentityError>>,
) -> Result<axum::http::StatusCode, ApiError> {
    action.await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Flowdesk API",
        description = "Workflow and decision platform. Errors are RFC 9457 application/problem+json."
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "health", description = "Liveness, readiness, metrics"),
        (name = "auth", description = "Setup, sign-in, sessions"),
        (name = "definitions", description = "Deployed BPMN, DMN and form definitions"),
        (name = "decisions", description = "DMN decisions: deploy and evaluate"),
        (name = "instances", description = "Process instances"),
        (name = "jobs", description = "Work items of service and user tasks, leased by workers"),
        (name = "messages", description = "Messages correlated to waiting instances"),
        (name = "signals", description = "Signals broadcast to every waiting instance"),
        (name = "incidents", description = "Steps stuck until an operator resolves them"),
        (name = "events", description = "Live updates: a server-sent event stream of changes"),
        (name = "tasks", description = "User tasks: claim, release, complete"),
        (name = "users", description = "User accounts"),
        (name = "tokens", description = "Personal API tokens"),
        (name = "audit", description = "The audit chain"),
        (name = "insights", description = "Process analytics: KPIs, time series, element statistics"),
        (name = "reports", description = "Saved reports, their runs and downloads"),
        (name = "dashboards", description = "Saved dashboards and the data and charts of their tiles"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("flowdesk_session"))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every route with its OpenAPI operation (state not yet supplied).
pub(crate) fn api_router() -> OpenApiRouter<AppState> {
    let mut router = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::routes())
        .merge(auth::routes())
        .merge(definitions::routes())
        .merge(decisions::routes())
        .merge(instances::routes())
        .merge(jobs::routes())
        .merge(messages::routes())
        .merge(signals::routes())
        .merge(incidents::routes())
        .merge(events::routes())
        .merge(insights::routes())
        .merge(reports::routes())
        .merge(dashboards::routes())
        .merge(tasks::routes())
        .merge(users::routes())
        .merge(sessions::routes())
        .merge(mfa::routes())
        .merge(passkeys::routes())
        .merge(roles::routes())
        .merge(tokens::routes())
        .merge(audit::routes());
    problems::complete(router.get_openapi_mut());
    router
}
