//! Two figures of the console in headless Chromium against `flowdesk serve`
//! on a fresh PostgreSQL database, printed, not asserted (a measurement, not
//! a gate; ignored by default):
//!
//! - opening a generated 10,000-element diagram (5,000 tasks in a grid and
//!   the 5,001 sequence flows chaining them, plus start and end) in the
//!   designer: from the route change to every element drawn;
//! - two edits on that diagram, each from its key press to the change drawn
//!   (moving a task with an arrow key, renaming it through its label
//!   editor), with the longest main-thread task in the 3 s after (lint and
//!   draft autosave run then, off the edit's path);
//! - the instance list showing page 1 of 100,000 instances written straight
//!   into the database: from the route change to the rows on screen.
//!
//! `cargo xtask test --skip-lint -- -E 'binary(measure_console)' --run-ignored only --no-capture`
//! (builds the UI and binaries first; docs/BENCHMARKS.md, "Console").

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT,
};
use fantoccini::{Client, Locator};
use flowdesk_e2e::console::page_fetch;
use flowdesk_e2e::{
    poll, psql, wait_for, walking_skeleton, Attempt, ChromeDriver, Postgres, Server, TestContext,
    UI_DEADLINE,
};
use serde_json::{json, Value};

const TASKS: usize = 5_000;
/// The task the edits change.
const EDITED_TASK: &str = "t25";
/// WebDriver's arrow right and Enter keys.
const ARROW_RIGHT: char = '\u{E014}';
const ENTER: char = '\u{E007}';
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

/// Presses `key` (WebDriver key actions, to whatever has the focus) and
/// waits, in the page, until `changed` (a JS expression) holds and two frames
/// have painted; the milliseconds from the key's `keydown` event to then, by
/// the page's clock, and the longest main-thread task (Long Tasks API) in
/// the 3 s after the key.
async fn time_key(client: &Client, key: char, changed: &str) -> Result<(f64, f64)> {
    client
        .execute(
            "window.__fdKeyAt = null; window.__fdLongest = 0; \
             document.addEventListener('keydown', (e) => { window.__fdKeyAt = e.timeStamp; }, { capture: true, once: true }); \
             window.__fdLongTasks?.disconnect(); \
             window.__fdLongTasks = new PerformanceObserver((list) => { \
               for (const entry of list.getEntries()) { \
                 if (window.__fdKeyAt !== null && entry.startTime + entry.duration >= window.__fdKeyAt) { \
                   window.__fdLongest = Math.max(window.__fdLongest, entry.duration); \
                 } \
               } \
             }); \
             window.__fdLongTasks.observe({ type: 'longtask' });",
            vec![],
        )
        .await?;
    let keys = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(keys).await?;
    client.release_actions().await?;
    let script = format!(
        r#"
        const [deadline, done] = arguments;
        const waited = performance.now();
        const check = () => {{
            if (window.__fdKeyAt !== null && ({changed})) {{
                requestAnimationFrame(() => requestAnimationFrame(() => {{
                    const ms = performance.now() - window.__fdKeyAt;
                    setTimeout(() => {{
                        window.__fdLongTasks.disconnect();
                        done({{ ms, longest: window.__fdLongest }});
                    }}, Math.max(0, 3000 - (performance.now() - window.__fdKeyAt)));
                }}));
            }} else if (performance.now() - waited > deadline) {{
                done({{ error: `not changed after ${{deadline}} ms (key seen: ${{window.__fdKeyAt !== null}})` }});
            }} else {{
                requestAnimationFrame(check);
            }}
        }};
        check();
    "#
    );
    let answer: Value = client
        .execute_async(&script, vec![json!(MEASURE_DEADLINE.as_millis() as u64)])
        .await?;
    if let Some(error) = answer["error"].as_str() {
        anyhow::bail!("{error}");
    }
    Ok((
        answer["ms"].as_f64().context("no time measured")?,
        answer["longest"].as_f64().unwrap_or(0.0),
    ))
}

/// Clicks the centre of diagram element `id` `clicks` times (WebDriver
/// pointer actions), then waits until `ready` (a JS expression) holds.
async fn click_element(client: &Client, id: &str, clicks: usize, ready: &str) -> Result<()> {
    let element = client
        .find(Locator::Css(&format!(
            "[data-testid=designer-canvas] .djs-element[data-element-id='{id}'] .djs-hit"
        )))
        .await
        .with_context(|| format!("diagram element {id}"))?;
    let mut mouse = MouseActions::new("mouse".to_owned()).then(PointerAction::MoveToElement {
        element,
        duration: None,
        x: 0,
        y: 0,
    });
    for _ in 0..clicks {
        mouse = mouse
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
    }
    client.perform_actions(mouse).await?;
    client.release_actions().await?;
    let ready = &format!("return !!({ready});");
    poll(
        &format!("{id} after {clicks} click(s): {ready}"),
        UI_DEADLINE,
        || async move {
            Ok(if client.execute(ready, vec![]).await? == json!(true) {
                Attempt::Done(())
            } else {
                Attempt::Retry("not yet".to_owned())
            })
        },
    )
    .await
}

/// Moves [`EDITED_TASK`] one step right with the arrow key, then renames it
/// through its label editor; the two [`time_key`] figures.
async fn time_edits(client: &Client) -> Result<((f64, f64), (f64, f64))> {
    let gfx = format!(
        "document.querySelector(\"[data-testid=designer-canvas] .djs-element[data-element-id='{EDITED_TASK}']\")"
    );
    click_element(
        client,
        EDITED_TASK,
        1,
        &format!(
            "{gfx}.classList.contains('selected') && document.activeElement?.tagName === 'svg'"
        ),
    )
    .await
    .context("selecting the task")?;
    let before = client
        .execute(&format!("return {gfx}.getAttribute('transform');"), vec![])
        .await?;
    let moved = format!("{gfx}.getAttribute('transform') !== {before}");
    let move_figures = time_key(client, ARROW_RIGHT, &moved)
        .await
        .context("moving the task with the arrow key")?;

    click_element(
        client,
        EDITED_TASK,
        2,
        "document.activeElement?.classList.contains('djs-direct-editing-content')",
    )
    .await
    .context("opening the task's label editor")?;
    let mut keys = KeyActions::new("keyboard".to_owned());
    for key in "Renamed".chars() {
        keys = keys
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    client.perform_actions(keys).await?;
    client.release_actions().await?;
    let renamed = format!("({gfx}.querySelector('text')?.textContent ?? '').includes('Renamed')");
    let rename_figures = time_key(client, ENTER, &renamed)
        .await
        .context("renaming the task")?;
    Ok((move_figures, rename_figures))
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
    let ((move_ms, move_longest), (rename_ms, rename_longest)) = time_edits(&client).await?;
    println!(
        "designer: a task moved (arrow key) drawn in {move_ms:.0} ms, longest task in the 3 s after {move_longest:.0} ms"
    );
    println!(
        "designer: a task renamed (Enter in its label editor) drawn in {rename_ms:.0} ms, longest task in the 3 s after {rename_longest:.0} ms"
    );

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
