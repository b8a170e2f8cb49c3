//! The audit chain.

use axum::extract::State;
use axum::Json;
use flowdesk_store::audit as repo;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::QueryParams;
use crate::types::{page, AuditEntry, AuditPage, PageQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// Audit entries, newest first.
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(PageQuery),
    responses((status = 200, description = "A page of entries", body = AuditPage)))]
async fn list(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset);
    let items = repo::list(state.store.pool(), limit, offset).await?;
    let total = repo::count(state.store.pool()).await?;
    Ok(Json(AuditPage {
        items: items.iter().map(AuditEntry::from).collect(),
        total,
    }))
}
