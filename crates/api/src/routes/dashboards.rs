//! Saved dashboards: list, create, read, change, delete, and each tile's
//! data and chart. A dashboard is readable by the users of the roles it
//! lists and by holders of `report:manage`; to anyone else it does not
//! exist (404, as for a missing one, so its existence does not leak).

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use flowdesk_identity::{Permission, Principal};
use flowdesk_insights::dashboards::{
    Dashboard, DashboardInput, DashboardSummary, FilterOverrides, TileData, VariableFilter,
};
use flowdesk_insights::reports::readable_by;
use flowdesk_insights::Insights;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::insights::problem;
use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody, QueryParams};
use crate::services::audit_committed;
use crate::{now_ms, ApiError, AppState};

/// Charts of tiles are drawn at this size (as report exports).
const CHART_SIZE: (u32, u32) = (960, 540);

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(tile))
        .routes(routes!(chart))
}

async fn audit(state: &AppState, actor: &str, action: &str, id: &str) -> Result<(), ApiError> {
    audit_committed(&state.store, actor, action, &format!("dashboard:{id}")).await
}

fn readable(dashboard: &Dashboard, principal: &Principal) -> bool {
    readable_by(
        &dashboard.roles,
        &principal.role,
        principal.has(Permission::ReportManage),
    )
}

/// The dashboard `id` if the caller may read it; 404 otherwise.
async fn dashboard(
    insights: &Insights,
    id: &str,
    principal: &Principal,
) -> Result<Dashboard, ApiError> {
    insights
        .find_dashboard(id)
        .await
        .map_err(problem)?
        .filter(|d| readable(d, principal))
        .ok_or_else(|| ApiError::NotFound(format!("no dashboard {id}")))
}

/// Filters of a tile request; each one given replaces the dashboard's.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TileQuery {
    /// Only this BPMN process id (a tile's own process still wins).
    process_id: Option<String>,
    /// Only this version.
    version: Option<i64>,
    /// From (ms since the epoch, inclusive).
    from: Option<i64>,
    /// Until (ms since the epoch, exclusive).
    to: Option<i64>,
    /// Only instances whose process variable of this name has `value`.
    variable: Option<String>,
    /// The variable's value as JSON: a number, string (`"gold"`, quoted) or boolean.
    value: Option<String>,
}

/// A tile chart's format and filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ChartQuery {
    /// `svg` (default) or `png`.
    format: Option<String>,
    /// Only this BPMN process id (a tile's own process still wins).
    process_id: Option<String>,
    /// Only this version.
    version: Option<i64>,
    /// From (ms since the epoch, inclusive).
    from: Option<i64>,
    /// Until (ms since the epoch, exclusive).
    to: Option<i64>,
    /// Only instances whose process variable of this name has `value`.
    variable: Option<String>,
    /// The variable's value as JSON: a number, string (`"gold"`, quoted) or boolean.
    value: Option<String>,
}

/// The `variable=` and `value=` query parameters, given together; the value
/// is JSON (a number, string or boolean).
fn variable_override(
    variable: Option<String>,
    value: Option<String>,
) -> Result<Option<VariableFilter>, ApiError> {
    let (name, value) = match (variable, value) {
        (None, None) => return Ok(None),
        (Some(name), Some(value)) => (name, value),
        (Some(_), None) => {
            return Err(ApiError::InvalidRequest(
                "value: required with variable (the value as JSON, e.g. \"gold\" or 42)".into(),
            ))
        }
        (None, Some(_)) => {
            return Err(ApiError::InvalidRequest(
                "variable: required with value (the variable's name)".into(),
            ))
        }
    };
    let value = serde_json::from_str(&value).map_err(|e| {
        ApiError::InvalidRequest(format!(
            "value: {value:?} is not JSON ({e}); quote a string: \"gold\""
        ))
    })?;
    let filter = VariableFilter { name, value };
    filter.check("variable").map_err(problem)?;
    Ok(Some(filter))
}

/// The dashboards the caller may read, by name.
#[utoipa::path(get, path = "/api/dashboards", tag = "dashboards",
    responses((status = 200, description = "Dashboards", body = [DashboardSummary])))]
async fn list(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> Result<Json<Vec<DashboardSummary>>, ApiError> {
    let dashboards = Insights::new(state.store.clone())
        .list_dashboards()
        .await
        .map_err(problem)?;
    Ok(Json(
        dashboards
            .iter()
            .filter(|d| readable(d, &principal))
            .map(Dashboard::summary)
            .collect(),
    ))
}

/// Saves a dashboard. The definition is checked whole; a problem's detail
/// starts with the path of the field it is about (`definition.tiles[2].metric: …`).
#[utoipa::path(post, path = "/api/dashboards", tag = "dashboards", request_body = DashboardInput,
    responses((status = 201, description = "Saved", body = Dashboard),
              (status = 400, description = "Bad definition, unknown role", body = ProblemDetails),
              (status = 409, description = "Name taken", body = ProblemDetails)))]
async fn create(
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody(body): JsonBody<DashboardInput>,
) -> Result<(StatusCode, Json<Dashboard>), ApiError> {
    let dashboard = Insights::new(state.store.clone())
        .create_dashboard(&body, &principal.username, now_ms())
        .await
        .map_err(problem)?;
    audit(
        &state,
        &principal.username,
        "dashboard.create",
        &dashboard.id,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(dashboard)))
}

/// One dashboard.
#[utoipa::path(get, path = "/api/dashboards/{id}", tag = "dashboards",
    params(("id" = String, Path, description = "Dashboard id")),
    responses((status = 200, description = "The dashboard", body = Dashboard),
              (status = 404, description = "No such dashboard, or not shared with the caller's role", body = ProblemDetails)))]
async fn get_one(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<Json<Dashboard>, ApiError> {
    let insights = Insights::new(state.store.clone());
    Ok(Json(dashboard(&insights, &id, &principal).await?))
}

/// Replaces a dashboard's name, description, roles and definition.
#[utoipa::path(put, path = "/api/dashboards/{id}", tag = "dashboards", request_body = DashboardInput,
    params(("id" = String, Path, description = "Dashboard id")),
    responses((status = 200, description = "Saved", body = Dashboard),
              (status = 400, description = "Bad definition, unknown role", body = ProblemDetails),
              (status = 404, description = "No such dashboard", body = ProblemDetails),
              (status = 409, description = "Name taken", body = ProblemDetails)))]
async fn update(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<DashboardInput>,
) -> Result<Json<Dashboard>, ApiError> {
    let dashboard = Insights::new(state.store.clone())
        .update_dashboard(&id, &body, now_ms())
        .await
        .map_err(problem)?
        .ok_or_else(|| ApiError::NotFound(format!("no dashboard {id}")))?;
    audit(
        &state,
        &principal.username,
        "dashboard.update",
        &dashboard.id,
    )
    .await?;
    Ok(Json(dashboard))
}

/// Deletes a dashboard.
#[utoipa::path(delete, path = "/api/dashboards/{id}", tag = "dashboards",
    params(("id" = String, Path, description = "Dashboard id")),
    responses((status = 204, description = "Deleted"),
              (status = 404, description = "No such dashboard", body = ProblemDetails)))]
async fn delete(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let deleted = Insights::new(state.store.clone())
        .delete_dashboard(&id)
        .await
        .map_err(problem)?;
    if !deleted {
        return Err(ApiError::NotFound(format!("no dashboard {id}")));
    }
    audit(&state, &principal.username, "dashboard.delete", &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The data of one tile: kpi `{value, previous?}`, series `{points: [{t,
/// value}]}`, bar and pie `{items: [{label, value}]}`, heatmap
/// `{process_id, version, elements: [{element_id, count, mean_ms,
/// p90_ms}]}`, table `{columns, rows}`.
#[utoipa::path(get, path = "/api/dashboards/{id}/tiles/{tile_id}", tag = "dashboards",
    params(("id" = String, Path, description = "Dashboard id"),
           ("tile_id" = String, Path, description = "Tile id"), TileQuery),
    responses((status = 200, description = "The tile's data, shaped by its kind", body = TileData),
              (status = 400, description = "Bad filter (the variable filter: empty name, value not a JSON number, string or boolean, a sensitive variable, a tile kept per element), heatmap without a process", body = ProblemDetails),
              (status = 404, description = "No such dashboard or tile", body = ProblemDetails)))]
async fn tile(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((id, tile_id)): Path<(String, String)>,
    QueryParams(query): QueryParams<TileQuery>,
) -> Result<Json<TileData>, ApiError> {
    let insights = Insights::new(state.store.clone());
    let dashboard = dashboard(&insights, &id, &principal).await?;
    let tile = dashboard
        .tile(&tile_id)
        .ok_or_else(|| ApiError::NotFound(format!("dashboard {id} has no tile {tile_id}")))?;
    let overrides = FilterOverrides {
        variable: variable_override(query.variable, query.value)?,
        process_id: query.process_id,
        version: query.version,
        from: query.from,
        to: query.to,
    };
    Ok(Json(
        insights
            .tile_data(&dashboard, tile, &overrides)
            .await
            .map_err(problem)?,
    ))
}

/// A tile's chart as SVG or PNG (960 × 540), drawn by the code that draws
/// report exports. KPI and table tiles have no chart (400).
#[utoipa::path(get, path = "/api/dashboards/{id}/tiles/{tile_id}/chart", tag = "dashboards",
    params(("id" = String, Path, description = "Dashboard id"),
           ("tile_id" = String, Path, description = "Tile id"), ChartQuery),
    responses((status = 200, description = "The chart", content(
                  (String = "image/svg+xml"),
                  (Vec<u8> = "image/png"))),
              (status = 400, description = "Unknown format, no chart for the tile's kind, no data, bad filter", body = ProblemDetails),
              (status = 404, description = "No such dashboard or tile", body = ProblemDetails)))]
async fn chart(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((id, tile_id)): Path<(String, String)>,
    QueryParams(query): QueryParams<ChartQuery>,
) -> Result<Response, ApiError> {
    let format = query.format.as_deref().unwrap_or("svg");
    if !matches!(format, "svg" | "png") {
        return Err(ApiError::InvalidRequest(format!(
            "format: {format:?} is not a chart format (expected svg or png)"
        )));
    }
    let insights = Insights::new(state.store.clone());
    let dashboard = dashboard(&insights, &id, &principal).await?;
    let tile = dashboard
        .tile(&tile_id)
        .ok_or_else(|| ApiError::NotFound(format!("dashboard {id} has no tile {tile_id}")))?;
    let overrides = FilterOverrides {
        variable: variable_override(query.variable, query.value)?,
        process_id: query.process_id,
        version: query.version,
        from: query.from,
        to: query.to,
    };
    let chart = insights
        .tile_chart(&dashboard, tile, &overrides)
        .await
        .map_err(problem)?;
    let (width, height) = CHART_SIZE;
    let drawn = if format == "png" {
        chart.to_png(width, height).map(|png| ("image/png", png))
    } else {
        chart
            .to_svg(width, height)
            .map(|svg| ("image/svg+xml", svg.into_bytes()))
    };
    let (media_type, bytes) = drawn.map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, media_type)], bytes).into_response())
}
