//! The demo workspace: the "Order approval" process, the "Approval level"
//! decision, the "Approve order" form, and a short history of instances, all
//! recorded by the system actor `demo`.

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

/// Deploys the demo definitions and records 12 finished instances (one
/// cancelled) over the last 14 days plus 2 active ones. Idempotent: does
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
    Ok(())
}
