//! The demo workspace: the "Order approval" process, the "Approval level"
//! decision, the "Approve order" form, a short history of instances, the
//! "Order approval overview" dashboard and the "Order approvals per day"
//! report, all recorded by the system actor `demo`.

use std::collections::BTreeMap;

use flowdesk_engine::Variables;
use flowdesk_identity::Role;
use flowdesk_insights::dashboards::{
    DashboardDefinition, DashboardFilters, DashboardInput, Metric, Tile, TileKind,
};
use flowdesk_insights::render::ChartKind;
use flowdesk_insights::reports::{ChartSpec, ReportDefinition, ReportInput, Source};
use flowdesk_insights::Insights;
use flowdesk_store::definitions::{self, Definition, Kind, NewDefinition};
use flowdesk_store::instances;
use flowdesk_store::jobs;
use flowdesk_store::workflow::Workflow;
use flowdesk_store::{Store, StoreError, Tx};
use serde_json::{json, Value};

use crate::{now_ms, services, ApiError};

/// The system actor that owns the demo data.
pub const DEMO_ACTOR: &str = "demo";

const ORDER_APPROVAL_BPMN: &str = include_str!("../../model/tests/fixtures/order-approval.bpmn");
const APPROVAL_LEVEL_DMN: &str = include_str!("../demo/approval-level.dmn");
const APPROVE_ORDER_FORM: &str = include_str!("../demo/approve-order.form.json");

const SECOND_MS: i64 = 1_000;
const MINUTE_MS: i64 = 60 * SECOND_MS;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
/// Order amounts of the demo instances; orders over 1000 wait for an
/// approver, smaller ones are approved automatically.
const AMOUNTS: [i64; 14] = [
    120, 2_880, 640, 8_340, 11_070, 13_800, 450, 5_260, 890, 10_720, 310, 2_190, 4_920, 760,
];
/// How many events the read model folds per transaction after seeding.
const CATCH_UP_BATCH: usize = 2_000;
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

/// Deploys the demo definitions, runs 14 instances through the engine at
/// times spread over the last 14 days (10 completed, 1 cancelled while
/// waiting for approval, 1 stopped at an incident of "Check order", 1
/// waiting in the tasklist, 1 waiting for a worker), saves the demo
/// dashboard and report, shared with every preset role, and folds the
/// history into the read model. Idempotent: does nothing once the demo
/// instances exist.
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

    tx.commit().await.map_err(StoreError::from)?;

    let workflow = Workflow::new(store.clone());
    for (i, amount) in (0i64..).zip(AMOUNTS) {
        run_instance(&workflow, process, i, amount, now).await?;
    }

    let mut tx = store.begin().await?;
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
    analytics(store, &process.process_id, process.version, now).await?;
    Insights::new(store.clone())
        .catch_up(CATCH_UP_BATCH)
        .await
        .map_err(|e| ApiError::Internal(format!("demo: {e}")))?;
    Ok(())
}

/// Where a demo instance ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Completed,
    Cancelled,
    Incident,
    WaitingForTask,
    WaitingForWorker,
}

impl Fate {
    fn of(i: i64) -> Fate {
        match i {
            5 => Fate::Cancelled,
            9 => Fate::Incident,
            12 => Fate::WaitingForTask,
            13 => Fate::WaitingForWorker,
            _ => Fate::Completed,
        }
    }
}

fn variables<const N: usize>(pairs: [(&str, Value); N]) -> Variables {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// Runs demo instance `i` in one transaction, every command at its own
/// time, deterministic but varied.
async fn run_instance(
    workflow: &Workflow,
    process: &Definition,
    i: i64,
    amount: i64,
    now: i64,
) -> Result<(), ApiError> {
    let mut tx = workflow.begin().await?;
    let started_at = now - (14 - i) * DAY_MS + (i * 7_919 % 600) * MINUTE_MS;
    drive(workflow, &mut tx, process, i, amount, started_at).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

async fn drive(
    workflow: &Workflow,
    tx: &mut Tx<'_>,
    process: &Definition,
    i: i64,
    amount: i64,
    mut at: i64,
) -> Result<(), ApiError> {
    let fate = Fate::of(i);
    let start = variables([
        ("orderId", json!(format!("ORD-{:04}", 1001 + i))),
        ("customer", json!(CUSTOMERS[(i as usize) % CUSTOMERS.len()])),
        ("amount", json!(amount)),
        ("order", json!({ "amount": amount })),
    ]);
    let instance = workflow
        .start_instance(tx, process, start, DEMO_ACTOR, at)
        .await?;
    let check = open_job(tx, &instance.id, "Activity_CheckOrder").await?;
    let down = "order service timed out";
    match fate {
        Fate::Incident => {
            for retries in [2, 1, 0] {
                at += (30 + i * 7 % 40) * SECOND_MS;
                workflow
                    .fail_job(tx, check, retries, down, MINUTE_MS, at)
                    .await?;
                at += MINUTE_MS;
            }
            return Ok(());
        }
        Fate::WaitingForWorker => {
            at += 40 * SECOND_MS;
            workflow
                .fail_job(tx, check, 2, down, 5 * MINUTE_MS, at)
                .await?;
            return Ok(());
        }
        _ => {}
    }
    at += (20 + i * 13 % 90) * SECOND_MS;
    workflow
        .complete_job(tx, check, variables([("valid", json!(true))]), at)
        .await?;
    if amount <= 1_000 {
        let auto = open_job(tx, &instance.id, "Activity_AutoApprove").await?;
        at += (5 + i * 11 % 40) * SECOND_MS;
        workflow
            .complete_job(tx, auto, variables([("approved", json!(true))]), at)
            .await?;
        return Ok(());
    }
    let task = open_job(tx, &instance.id, "Activity_ApproveOrder").await?;
    match fate {
        Fate::WaitingForTask => Ok(()),
        Fate::Cancelled => {
            workflow
                .cancel_instance(tx, &instance.id, at + 3 * HOUR_MS)
                .await?;
            Ok(())
        }
        _ => {
            at += (30 + i * 53 % 400) * MINUTE_MS;
            let approved = variables([("approved", json!(amount < 10_000))]);
            workflow.complete_job(tx, task, approved, at).await?;
            Ok(())
        }
    }
}

/// The key of the open job (or user task) of `instance_id` at `element_id`.
async fn open_job(tx: &mut Tx<'_>, instance_id: &str, element_id: &str) -> Result<i64, ApiError> {
    jobs::list_for_instance(&mut **tx, instance_id)
        .await?
        .into_iter()
        .find(|job| {
            job.element_id == element_id
                && matches!(job.state.as_str(), "activatable" | "activated")
        })
        .map(|job| job.key)
        .ok_or_else(|| ApiError::Internal(format!("demo: no open job at {element_id}")))
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
