//! Two figures of the console in headless Chromium against `flowdesk serve`
//! on a fresh PostgreSQL database, printed, not asserted (a measurement, not
//! a gate; ignored by default):
//!
//! - opening a generated 10,000-element diagram (5,000 tasks in a grid and
//!   the 4,999 sequence flows chaining them, plus start and end) in the
//!   designer: from the route change to every element drawn;
//! - the instance list showing page 1 of 100,000 instances written straight
//!   into the database: from the route change to the rows on screen.
//!
//! `cargo test -p flowdesk-e2e --test measure_console -- --ignored --nocapture`

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use fantoccini::Client;
use flowdesk_e2e::console::page_fetch;
use flowdesk_e2e::{
    psql, wait_for, walking_skeleton, ChromeDriver, Postgres, Server, TestContext, UI_DEADLINE,
};
use serde_json::{json, Value};

const TASKS: usize = 5_000;
const INSTANCES: usize = 100_000;
/// How long one measured screen may take before the figure is "too slow".
const MEASURE_DEADLINE: Duration = Duration::from_secs(300);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run it explicitly with --ignored --nocapture"]
async fn console_figures_in_chromium_on_postgres() {
    let ctx = TestContext::new("measure-console").expect("creating the log directory");
    let result = run(&ctx).await;
    ctx.finish(result);
}

/// A process of `tasks` tasks chained start → task 1 → … → end, laid out in
/// rows of 50, with DI for every shape and flow; as short as it can be (no
/// `incoming`/`outgoing`, which the flows imply), for the 2 MB upload limit.
fn large_diagram(tasks: usize) -> String {
    const PER_ROW: usize = 50;
    let position = |index: usize| (100 + (index % PER_ROW) * 150, 100 + (index / PER_ROW) * 120);
    let mut process = String::from(r#"<bpmn:startEvent id="start"/>"#);
    let mut shapes = String::new();
    let mut edges = String::new();
    let (x, y) = position(0);
    let _ = write!(
        shapes,
        r#"<bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="{}" y="{}" width="36" height="36" /></bpmndi:BPMNShape>"#,
        x - 80,
        y + 22
    );
    for i in 1..=tasks {
        let _ = write!(process, r#"<bpmn:manualTask id="t{i}"/>"#);
        let (x, y) = position(i - 1);
        let _ = write!(
            shapes,
            r#"<bpmndi:BPMNShape id="t{i}_di" bpmnElement="t{i}"><dc:Bounds x="{x}" y="{y}" width="100" height="80" /></bpmndi:BPMNShape>"#
        );
    }
    process.push_str(r#"<bpmn:endEvent id="end"/>"#);
    let (x, y) = position(tasks);
    let _ = write!(
        shapes,
        r#"<bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="{x}" y="{}" width="36" height="36" /></bpmndi:BPMNShape>"#,
        y + 22
    );
    for i in 0..=tasks {
        let source = if i == 0 {
            "start".to_owned()
        } else {
            format!("t{i}")
        };
        let target = if i == tasks {
            "end".to_owned()
        } else {
            format!("t{}", i + 1)
        };
        let _ = write!(
            process,
            r#"<bpmn:sequenceFlow id="f{i}" sourceRef="{source}" targetRef="{target}" />"#
        );
        let from = if i == 0 {
            let (x, y) = position(0);
            (x - 44, y + 40)
        } else {
            let (x, y) = position(i - 1);
            (x + 100, y + 40)
        };
        let to = position(i);
        let _ = write!(
            edges,
            r#"<bpmndi:BPMNEdge id="f{i}_di" bpmnElement="f{i}"><di:waypoint x="{}" y="{}" /><di:waypoint x="{}" y="{}" /></bpmndi:BPMNEdge>"#,
            from.0,
            from.1,
            to.0,
            to.1 + 40
        );
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="large_defs" targetNamespace="http://bpmn.io/schema/bpmn">
<bpmn:process id="measure-large" name="Large diagram" isExecutable="true">{process}</bpmn:process>
<bpmndi:BPMNDiagram id="d1"><bpmndi:BPMNPlane id="p1" bpmnElement="measure-large">{shapes}{edges}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"#
    )
}

/// Sets the hash to `route` and waits, in the page, until `selector` matches
/// at least `count` elements and two frames have painted; the milliseconds
/// between the two, by the page's clock.
async fn time_route(client: &Client, route: &str, selector: &str, count: usize) -> Result<f64> {
    let script = r#"
        const [route, selector, count, deadline, done] = arguments;
        const started = performance.now();
        window.location.hash = route;
        const check = () => {
            const found = document.querySelectorAll(selector).length;
            if (found >= count) {
                requestAnimationFrame(() => requestAnimationFrame(() => done({ ms: performance.now() - started, found })));
            } else if (performance.now() - started > deadline) {
                done({ error: `only ${found} of ${count} \`${selector}\` after ${deadline} ms` });
            } else {
                requestAnimationFrame(check);
            }
        };
        check();
    "#;
    let mut timeouts = client.get_timeouts().await?;
    timeouts.set_script(Some(MEASURE_DEADLINE + Duration::from_secs(10)));
    client.update_timeouts(timeouts).await?;
    let answer: Value = client
        .execute_async(
            script,
            vec![
                json!(route),
                json!(selector),
                json!(count),
                json!(MEASURE_DEADLINE.as_millis() as u64),
            ],
        )
        .await
        .with_context(|| format!("timing {route}"))?;
    if let Some(error) = answer["error"].as_str() {
        anyhow::bail!("{route}: {error}");
    }
    answer["ms"].as_f64().context("no time measured")
}

async fn run(ctx: &TestContext) -> Result<()> {
    let database = Postgres::fresh_database().await?;
    let server = Server::start(ctx, database.url()).await?;
    let mut driver = ChromeDriver::start(ctx).await?;
    let client = driver.client().await?;
    client.goto(server.base_url()).await?;
    walking_skeleton(&client, true).await?;

    let xml = large_diagram(TASKS);
    let (status, body) = page_fetch(
        &client,
        "POST",
        "/api/definitions?name=measure-large.bpmn",
        Some((&xml, "application/xml")),
    )
    .await?;
    ensure!(
        status == 201,
        "deploying the large diagram answered {status}: {body}"
    );
    println!("deployed the large diagram: {} bytes of XML", xml.len());
    let deployed: Value = serde_json::from_str(&body)?;
    let definition = deployed[0]["id"]
        .as_str()
        .context("no definition id")?
        .to_owned();
    let elements = 2 * TASKS + 3;

    // Start on another screen so the designer route is a fresh open.
    client
        .goto(&format!("{}/#/tasks", server.base_url()))
        .await?;
    wait_for(&client, "[data-testid=nav-designer]", UI_DEADLINE).await?;
    let designer_ms = time_route(
        &client,
        &format!("#/designer/edit?definition={definition}"),
        "[data-testid=designer-canvas] .djs-element:not(.djs-root)",
        elements,
    )
    .await?;
    println!("designer: {elements} diagram elements opened and drawn in {designer_ms:.0} ms");

    psql(
        database.url(),
        &format!(
            "INSERT INTO instances (id, definition_id, process_id, version, state, variables, started_at, ended_at, started_by) \
             SELECT 'measure-' || g, d.id, d.process_id, d.version, \
                    CASE WHEN g % 10 = 0 THEN 'active' ELSE 'completed' END, '{{\"n\":' || g || '}}', \
                    1700000000000 + g * 1000, CASE WHEN g % 10 = 0 THEN NULL ELSE 1700000000000 + g * 1000 + 500 END, 'admin' \
             FROM generate_series(1, {INSTANCES}) g, (SELECT id, process_id, version FROM definitions WHERE id = '{definition}') d"
        ),
    )
    .await?;
    psql(database.url(), "ANALYZE instances").await?;

    client
        .goto(&format!("{}/#/tasks", server.base_url()))
        .await?;
    wait_for(&client, "[data-testid=nav-instances]", UI_DEADLINE).await?;
    let instances_ms = time_route(&client, "#/instances", "[data-testid=instance-row]", 1).await?;
    let rows = client
        .execute(
            "return document.querySelectorAll('[data-testid=instance-row]').length",
            vec![],
        )
        .await?;
    println!(
        "instances: page 1 ({rows} rows) of {INSTANCES} instances shown in {instances_ms:.0} ms"
    );

    client.close().await.ok();
    Ok(())
}
