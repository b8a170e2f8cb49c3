//! The audit chain: a filtered page, and the same filter as CSV.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use flowdesk_store::audit::{self as repo, AuditFilter};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::QueryParams;
use crate::types::{page, rfc3339, AuditEntry, AuditPage};
use crate::{ApiError, AppState};

/// Most rows one CSV export holds.
const EXPORT_LIMIT: i64 = 100_000;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(export_csv))
}

/// Filters (and paging) of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditQuery {
    /// Exactly this actor (username, `anonymous`, `cli`).
    pub actor: Option<String>,
    /// Actions starting with this, e.g. `auth.` or `access.denied`.
    pub action: Option<String>,
    /// At or after this time (RFC 3339).
    pub since: Option<String>,
    /// Before this time (RFC 3339).
    pub until: Option<String>,
    /// Page size (default 50, at most 500; ignored by the CSV export).
    pub limit: Option<i64>,
    /// Rows to skip (ignored by the CSV export).
    pub offset: Option<i64>,
}

fn millis(name: &str, value: Option<&String>) -> Result<Option<i64>, ApiError> {
    value
        .map(|text| {
            OffsetDateTime::parse(text, &Rfc3339)
                .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
                .map_err(|e| {
                    ApiError::InvalidRequest(format!(
                        "{name}: {text:?} is not an RFC 3339 time ({e})"
                    ))
                })
        })
        .transpose()
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, ApiError> {
        Ok(AuditFilter {
            actor: self.actor.clone(),
            action_prefix: self.action.clone(),
            since: millis("since", self.since.as_ref())?,
            until: millis("until", self.until.as_ref())?,
        })
    }
}

/// Audit entries, newest first, filtered by actor, action and time.
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "A page of entries", body = AuditPage),
              (status = 400, description = "A malformed filter", body = ProblemDetails)))]
async fn list(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset);
    let (items, total) =
        repo::list_filtered(state.store.pool(), &query.filter()?, limit, offset).await?;
    Ok(Json(AuditPage {
        items: items.iter().map(AuditEntry::from).collect(),
        total,
    }))
}

/// One CSV field: quoted, quotes doubled, and a leading `=`, `+`, `-` or `@`
/// defused with `'` so spreadsheets do not run it as a formula.
fn csv_field(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

/// The entries matching the filter as CSV (newest first, at most 100 000):
/// `seq,at,actor,action,resource,detail,hash`.
#[utoipa::path(get, path = "/api/audit/export.csv", tag = "audit",
    params(AuditQuery),
    responses((status = 200, description = "CSV", content_type = "text/csv", body = String),
              (status = 400, description = "A malformed filter", body = ProblemDetails)))]
async fn export_csv(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<AuditQuery>,
) -> Result<Response, ApiError> {
    let (entries, _) =
        repo::list_filtered(state.store.pool(), &query.filter()?, EXPORT_LIMIT, 0).await?;
    let mut csv = String::from("seq,at,actor,action,resource,detail,hash\r\n");
    for e in &entries {
        let fields = [
            e.seq.to_string(),
            rfc3339(e.at),
            e.actor.clone(),
            e.action.clone(),
            e.resource.clone(),
            e.detail.clone(),
            e.hash.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"flowdesk-audit.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
