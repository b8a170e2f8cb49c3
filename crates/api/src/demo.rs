//! The demo workspace: the "Order approval" process, the "Approval level"
//! decision, the "Approve order" form, a short history of instances, the
//! "Order approval overview" dashboard and the "Order approvals per day"
//! report, all recorded by the system actor `demo`.

use std::collections::BTreeMap;

use flowdesk_identity::Role;
use flowdesk_insights::dashboards::{
    DashboardDefinition, DashboardFilters, DashboardInput, Metric, Tile, TileKind,
};
use flowdesk_insights::render::ChartKind;
use flowdesk_insights::reports::{ChartSpec, ReportDefinition, ReportInput, Source};
use flowdesk_insights::Insights;
use flowdesk_store::definitions::{self, Kind, NewDefinition};
use flowdesk_store::instances::{self, Instance};
use flowdesk_store::{Store, StoreError};

use crate::{now_ms, services, ApiError};

/// The system actor that owns the demo data.
pub const DEMO_ACTOR: &str = "demo";

const ORDER_APPROVAL_BPMN: &str = include_str!("../../model/tests/fixtures/order-approval.bpmn");
const APPROVAL_LEVEL_DMN: &str = include_str!("../demo/approval-level.dmn");
const APPROVE_ORDER_FORM: &str = include_str!("../demo/approve-order.form.json");

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const CUSTOMERS: [&str; 5] = [
    "Acme GmbH",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark Industries",
];

/// The name of the demo dashboard.
pub const DEMO_DASHBOARD: &str = "Order approval overview";

/// The name of the demo report.
pub const DEMO_REPORT: &str = "Order approvals per day";

/// Deploys the demo definitions, records 12 finished instances (one
/// cancelled) over the last 14 days plus 2 active ones, and saves the demo
/// dashboard and report, shared with every preset role. Idempotent: does
/// nothing once the demo instances exist.
pub async fn seed(store: &Store) -> Result<(), ApiError> {
    if instances::count_started_by(store.pool(), DEMO_ACTOR).await? > 0 {
        return Ok(());
    }
    let now = now_ms();
    let deployed = services::deploy_bpmn(
        store,
        ORDER_APPROVAL_BPMN,
        "order-approval.bpmn",
        DEMO_ACTOR,
        now,
    )
    .await?;
    let process = deployed
        .first()
        .ok_or_else(|| ApiError::Internal("demo process has no executable process".into()))?;

    let mut tx = store.begin().await?;
    for (kind, id, name, resource, content) in [
        (
            Kind::Dmn,
            "approval-level",
            "Approval level",
            "approval-level.dmn",
            APPROVAL_LEVEL_DMN,
        ),
        (
            Kind::Form,
            "approve-order",
            "Approve order",
            "approve-order.form.json",
            APPROVE_ORDER_FORM,
        ),
    ] {
        let (definition, created) = definitions::deploy(
            &mut tx,
            &NewDefinition {
                kind,
                process_id: id,
                name,
                resource_name: resource,
                content,
                deployed_at: now,
                deployed_by: DEMO_ACTOR,
            },
        )
        .await?;
        if created {
            services::audit_entry(
                &mut tx,
                now,
                DEMO_ACTOR,
                "definition.deploy",
                &format!("resource:{resource}"),
                &format!("{} v{}", definition.process_id, definition.version),
            )
            .await?;
        }
    }

    for i in 0..14i64 {
        // Spread over the last 14 days; deterministic but varied.
        let started_at = now - (14 - i) * DAY_MS + (i * 7_919 % 600) * 60_000;
        let amount = 150 + (i * 2_731) % 14_000;
        let (state, ended_at) = match i {
            12 | 13 => ("active", None),
            5 => ("cancelled", Some(started_at + 3 * 60 * 60 * 1000)),
            _ => (
                "completed",
                Some(started_at + (20 + (i * 37) % 300) * 60_000),
            ),
        };
        let variables = serde_json::json!({
            "orderId": format!("ORD-{:04}", 1001 + i),
            "customer": CUSTOMERS[(i as usize) % CUSTOMERS.len()],
            "amount": amount,
            "approved": state == "completed" && amount < 10_000,
        });
        let instance = Instance {
            id: flowdesk_store::new_id(),
            definition_id: process.id.clone(),
            process_id: process.process_id.clone(),
            process_name: process.name.clone(),
            version: process.version,
            state: state.to_string(),
            variables: variables.to_string(),
            started_at,
            ended_at,
            started_by: DEMO_ACTOR.to_string(),
        };
        instances::insert(&mut tx, &instance).await?;
    }
    services::audit_entry(
        &mut tx,
        now,
        DEMO_ACTOR,
        "demo.seed",
        "workspace",
        "14 demo instances",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    analytics(store, &process.process_id, process.version, now).await
}

/// The demo dashboard (KPIs, throughput, durations and incidents per
/// element, the diagram heatmap) and report (instances per day).
async fn analytics(
    store: &Store,
    process_id: &str,
    version: i64,
    now: i64,
) -> Result<(), ApiError> {
    let problem = |e: flowdesk_insights::InsightsError| ApiError::Internal(format!("demo: {e}"));
    let roles: Vec<String> = Role::ALL.iter().map(|r| r.as_str().to_string()).collect();
    let tile = |id: &str, title: &str, kind, metric, width| Tile {
        id: id.to_string(),
        title: title.to_string(),
        kind,
        metric,
        process_id: None,
        width: Some(width),
    };
    let insights = Insights::new(store.clone());
    insights
        .create_dashboard(
            &DashboardInput {
                name: DEMO_DASHBOARD.to_string(),
                description: "Orders started, finished and stuck, and where they wait".to_string(),
                roles: roles.clone(),
                definition: DashboardDefinition {
                    filters: DashboardFilters {
                        process_id: Some(process_id.to_string()),
                        version: Some(version),
                        ..DashboardFilters::default()
                    },
                    refresh_seconds: Some(30),
                    tiles: vec![
                        tile("started", "Started", TileKind::Kpi, Metric::Started, 1),
                        tile(
                            "completed",
                            "Completed",
                            TileKind::Kpi,
                            Metric::Completed,
                            1,
                        ),
                        tile("active", "In progress", TileKind::Kpi, Metric::Active, 1),
                        tile(
                            "incidents",
                            "Incidents",
                            TileKind::Kpi,
                            Metric::Incidents,
                            1,
                        ),
                        tile(
                            "throughput",
                            "Completed per day",
                            TileKind::Series,
                            Metric::Throughput,
                            2,
                        ),
                        tile(
                            "durations",
                            "Time per step (p90)",
                            TileKind::Bar,
                            Metric::DurationP90,
                            1,
                        ),
                        tile(
                            "incident-share",
                            "Incidents per step",
                            TileKind::Pie,
                            Metric::Incidents,
                            1,
                        ),
                        tile(
                            "heatmap",
                            "Where orders spend their time",
                            TileKind::Heatmap,
                            Metric::DurationP90,
                            2,
                        ),
                    ],
                },
            },
            DEMO_ACTOR,
            now,
        )
        .await
        .map_err(problem)?;
    insights
        .create_report(
            &ReportInput {
                name: DEMO_REPORT.to_string(),
                description: "Order approvals started and completed, one row per day".to_string(),
                roles,
                definition: ReportDefinition {
                    source: Source::Daily,
                    sql: None,
                    parameters: BTreeMap::from([(
                        "process_id".to_string(),
                        process_id.to_string(),
                    )]),
                    columns: ["start", "started", "completed", "active", "duration_p90_ms"]
                        .map(String::from)
                        .to_vec(),
                    chart: Some(ChartSpec {
                        kind: ChartKind::Bar,
                        x: "start".to_string(),
                        y: vec!["started".to_string(), "completed".to_string()],
                    }),
                    schedule: None,
                },
            },
            DEMO_ACTOR,
            now,
        )
        .await
        .map_err(problem)?;
    Ok(())
}
