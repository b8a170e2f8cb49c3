//! The console flow of issue 7, the same in Chromium and in the desktop
//! webview: draw a process in the designer (palette, context pad, replace
//! menu, properties panel), see lint errors block the deploy, deploy, test-run it
//! and see the token overlay, resolve an incident, complete a user task
//! through its form, and compare two versions.
//!
//! The steps a job worker would take (activate, fail, complete a job) and the
//! deploy of a prepared model with a form run as `fetch` calls inside the
//! page, through the same API base as the UI (the `flowdesk://` scheme on the
//! desktop), so the flow needs no second connection to the server.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::{click, fill_form, poll, screenshot, wait_for, wait_for_text, Attempt, UI_DEADLINE};

/// Where the flow saves its screens in both themes (`<name>-light.png`,
/// `<name>-dark.png`), if anywhere: `cargo xtask screenshot --console`
/// points it at docs/screenshots.
pub struct Screens(pub Option<PathBuf>);

impl Screens {
    /// From `FLOWDESK_SCREENSHOT_DIR`, when set.
    pub fn from_environment() -> Self {
        Screens(std::env::var_os("FLOWDESK_SCREENSHOT_DIR").map(PathBuf::from))
    }

    /// Saves the page in the light and the dark theme, then restores the theme.
    pub(crate) async fn capture(&self, client: &Client, name: &str) -> Result<()> {
        let Some(dir) = &self.0 else {
            return Ok(());
        };
        let theme = || async {
            let value = client
                .execute(
                    "return document.documentElement.dataset.theme || ''",
                    vec![],
                )
                .await?;
            Ok::<_, anyhow::Error>(value.as_str().unwrap_or_default().to_owned())
        };
        // Notifications of earlier steps would cover the screen.
        client
            .execute(
                "document.querySelectorAll('.toast .close').forEach((button) => button.click())",
                vec![],
            )
            .await?;
        let first = theme().await?;
        for _ in 0..2 {
            let current = theme().await?;
            // Let overlays, fonts and transitions settle before the picture.
            tokio::time::sleep(Duration::from_millis(600)).await;
            screenshot(client, &dir.join(format!("{name}-{current}.png"))).await?;
            click(client, "[data-testid=theme-toggle]", UI_DEADLINE).await?;
            let current = &current;
            poll("the theme to switch", UI_DEADLINE, || async move {
                let now = theme().await?;
                Ok(if &now != current {
                    Attempt::Done(())
                } else {
                    Attempt::Retry(now)
                })
            })
            .await?;
        }
        ensure!(theme().await? == first, "the theme was not restored");
        Ok(())
    }
}

/// A process with a user task whose form is embedded in the model, with one
/// required field.
pub const REVIEW_BPMN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="review_defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="e2e-review" name="Review" isExecutable="true">
    <bpmn:extensionElements>
      <zeebe:userTaskForm id="review_form">{"type":"default","id":"review","components":[{"type":"textfield","key":"comment","label":"Comment","validate":{"required":true}}]}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Review the order">
      <bpmn:extensionElements>
        <zeebe:formDefinition formKey="camunda-forms:bpmn:review_form" />
        <zeebe:priorityDefinition priority="80" />
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="d1">
    <bpmndi:BPMNPlane id="p1" bpmnElement="e2e-review">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="review_di" bpmnElement="review"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="392" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="340" y="120" /><di:waypoint x="392" y="120" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"#;

/// The job type the drawn service task gets.
const JOB_TYPE: &str = "e2e-charge";

/// An API call made by the page itself: `(status, body)`.
pub async fn page_fetch(
    client: &Client,
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
) -> Result<(u16, String)> {
    let script = r#"
        const [method, path, body, contentType, done] = arguments;
        const internals = window.__TAURI_INTERNALS__;
        const base = internals ? internals.convertFileSrc('', 'flowdesk').replace(/\/+$/, '') : '';
        const init = { method, credentials: 'include', headers: { Accept: 'application/json' } };
        if (body !== null) { init.body = body; init.headers['Content-Type'] = contentType; }
        fetch(base + path, init)
            .then(async (response) => done({ status: response.status, body: await response.text() }))
            .catch((error) => done({ status: 0, body: String(error) }));
    "#;
    let (text, content_type) = match body {
        Some((text, content_type)) => (json!(text), json!(content_type)),
        None => (Value::Null, Value::Null),
    };
    let answer = client
        .execute_async(script, vec![json!(method), json!(path), text, content_type])
        .await
        .with_context(|| format!("{method} {path} from the page"))?;
    let status = answer["status"].as_u64().unwrap_or(0) as u16;
    let body = answer["body"].as_str().unwrap_or_default().to_owned();
    Ok((status, body))
}

/// [`page_fetch`] of JSON that must answer 2xx.
pub(crate) async fn page_json(
    client: &Client,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<Value> {
    let text = body.map(|b| b.to_string());
    let (status, answer) = page_fetch(
        client,
        method,
        path,
        text.as_deref().map(|t| (t, "application/json")),
    )
    .await?;
    ensure!(
        (200..300).contains(&status),
        "{method} {path} answered {status}: {answer}"
    );
    serde_json::from_str(&answer)
        .with_context(|| format!("{method} {path} returned no JSON: {answer}"))
}

/// Clicks the diagram element whose id starts with `prefix` (the newest
/// one) so that it is selected and its context pad opens: the start event
/// is clicked first, as clicking an element that is selected already (with
/// the focus in the properties panel) does not reopen the pad.
pub(crate) async fn click_element(client: &Client, prefix: &str) -> Result<String> {
    if prefix != "StartEvent_1" {
        click(
            client,
            "[data-testid=designer-canvas] .djs-element[data-element-id='StartEvent_1'] .djs-hit",
            UI_DEADLINE,
        )
        .await?;
    }
    poll(&format!("a click on the diagram element {prefix}…"), UI_DEADLINE, || async move {
        let css = format!("[data-testid=designer-canvas] .djs-element[data-element-id^='{prefix}']:not(.djs-connection):not([data-element-id$='_label']) .djs-hit");
        let elements = client.find_all(Locator::Css(&css)).await?;
        let Some(element) = elements.last() else {
            return Ok(Attempt::Retry(format!("no `{css}`")));
        };
        let id = client
            .execute(
                "return arguments[0].closest('.djs-element').getAttribute('data-element-id')",
                vec![serde_json::to_value(element)?],
            )
            .await?;
        match element.click().await {
            Ok(()) => Ok(Attempt::Done(id.as_str().unwrap_or_default().to_owned())),
            Err(error) => Ok(Attempt::Retry(error.to_string())),
        }
    })
    .await
}

/// Clicks a context pad entry of the selected element.
async fn context_pad(client: &Client, action: &str) -> Result<()> {
    click(
        client,
        &format!(".djs-context-pad .entry[data-action='{action}']"),
        UI_DEADLINE,
    )
    .await
    .with_context(|| format!("context pad entry {action}"))
}

/// Moves the mouse to `offset` (x, y) from the centre of `element` and
/// presses and releases the left button there, as a user's click on the
/// canvas: the WebDriver actions a palette tool or a connection waits for.
async fn click_at(client: &Client, element: Element, offset: (i64, i64)) -> Result<()> {
    let mouse = MouseActions::new("mouse".to_owned())
        .then(PointerAction::MoveToElement {
            element,
            duration: Some(Duration::from_millis(150)),
            x: offset.0,
            y: offset.1,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    client
        .perform_actions(mouse)
        .await
        .context("WebDriver pointer actions")?;
    client.release_actions().await.ok();
    Ok(())
}

/// The hit area of the newest diagram element whose id starts with `prefix`.
async fn diagram_element(client: &Client, prefix: &str) -> Result<Element> {
    let css = format!("[data-testid=designer-canvas] .djs-element[data-element-id^='{prefix}']:not(.djs-connection):not([data-element-id$='_label']) .djs-hit");
    let css = &css;
    poll(
        &format!("the diagram element {prefix}…"),
        UI_DEADLINE,
        || async move {
            Ok(match client.find_all(Locator::Css(css)).await?.pop() {
                Some(element) => Attempt::Done(element),
                None => Attempt::Retry(format!("no `{css}`")),
            })
        },
    )
    .await
}

/// Draws an element from the palette: clicks the palette entry `action`
/// (e.g. `create.task`), then clicks on the canvas at `offset` from the
/// centre of the element `beside`; returns the new element's id.
async fn place_from_palette(
    client: &Client,
    action: &str,
    beside: &str,
    offset: (i64, i64),
) -> Result<String> {
    let count = || async {
        Ok::<_, anyhow::Error>(
            client
                .find_all(Locator::Css("[data-testid=designer-canvas] .djs-shape"))
                .await?
                .len(),
        )
    };
    let before = count().await?;
    click(
        client,
        &format!("[data-testid=designer-canvas] .djs-palette .entry[data-action='{action}']"),
        UI_DEADLINE,
    )
    .await
    .with_context(|| format!("palette entry {action}"))?;
    let anchor = diagram_element(client, beside).await?;
    click_at(client, anchor, offset).await?;
    poll(&format!("{action} to be placed"), UI_DEADLINE, || async move {
        let now = count().await?;
        if now <= before {
            return Ok(Attempt::Retry(format!("{now} shapes, as before")));
        }
        let selected = client
            .execute(
                "const s = document.querySelector('[data-testid=designer-canvas] .djs-shape.selected'); return s ? s.getAttribute('data-element-id') : null;",
                vec![],
            )
            .await?;
        Ok(match selected.as_str() {
            Some(id) => Attempt::Done(id.to_owned()),
            None => Attempt::Retry("the placed element is not selected".to_owned()),
        })
    })
    .await
}

/// Connects two diagram elements with a sequence flow: the context pad's
/// connect tool on `source`, then a click on `target`.
async fn connect(client: &Client, source: &str, target: &str) -> Result<()> {
    let flows = || async {
        Ok::<_, anyhow::Error>(
            client
                .find_all(Locator::Css(
                    "[data-testid=designer-canvas] .djs-connection",
                ))
                .await?
                .len(),
        )
    };
    let before = flows().await?;
    click_element(client, source).await?;
    context_pad(client, "connect").await?;
    let target_element = diagram_element(client, target).await?;
    click_at(client, target_element, (0, 0)).await?;
    poll(
        &format!("a sequence flow from {source} to {target}"),
        UI_DEADLINE,
        || async move {
            let now = flows().await?;
            Ok(if now > before {
                Attempt::Done(())
            } else {
                Attempt::Retry(format!("{now} connections, as before"))
            })
        },
    )
    .await
}

/// Opens a properties panel group if it is closed.
pub(crate) async fn open_group(client: &Client, group: &str) -> Result<()> {
    let header = format!("[data-group-id='group-{group}'] .bio-properties-panel-group-header");
    wait_for(client, &header, UI_DEADLINE).await?;
    let open = client
        .execute(
            "const h = document.querySelector(arguments[0]); return !!h && h.classList.contains('open');",
            vec![json!(header)],
        )
        .await?;
    if open != json!(true) {
        click(client, &header, UI_DEADLINE).await?;
    }
    Ok(())
}

/// Types a FEEL expression into a properties panel FEEL editor (CodeMirror).
async fn type_feel(client: &Client, entry: &str, text: &str) -> Result<()> {
    let css = format!("[data-entry-id='{entry}'] [contenteditable='true']");
    let editor = wait_for(client, &css, UI_DEADLINE).await?;
    editor.click().await.ok();
    editor
        .send_keys(text)
        .await
        .with_context(|| format!("typing into {entry}"))?;
    Ok(())
}

/// The problems list's error lines.
async fn problem_texts(client: &Client) -> Result<Vec<String>> {
    let mut texts = Vec::new();
    for row in client
        .find_all(Locator::Css("[data-testid=designer-problem]"))
        .await?
    {
        texts.push(row.text().await.unwrap_or_default());
    }
    Ok(texts)
}

/// Selects, from the problems list, the first element whose problem
/// contains `message`; returns its id.
async fn reveal_problem(client: &Client, message: &str) -> Result<String> {
    poll(
        &format!("a problem {message:?} to reveal"),
        UI_DEADLINE,
        || async move {
            for row in client
                .find_all(Locator::Css("[data-testid=designer-problem]"))
                .await?
            {
                if !row.text().await.unwrap_or_default().contains(message) {
                    continue;
                }
                let button = row.find(Locator::Css("button.link")).await?;
                let id = button.text().await?;
                button.click().await?;
                return Ok(Attempt::Done(id));
            }
            Ok(Attempt::Retry(format!(
                "problems: {:?}",
                problem_texts(client).await?
            )))
        },
    )
    .await
}

/// Whether the deploy button is disabled.
async fn deploy_disabled(client: &Client) -> Result<bool> {
    let button = wait_for(client, "[data-testid=designer-deploy]", UI_DEADLINE).await?;
    Ok(button.attr("disabled").await?.is_some())
}

/// Draws start → service task → exclusive gateway → two end events (the
/// task from the palette, connected with the connect tool, the rest with the
/// context pad), checks that lint errors block the deploy until the task has
/// a type and the gateway's flows have conditions, deploys, and returns the
/// process id.
pub async fn draw_and_deploy(client: &Client, screens: &Screens) -> Result<String> {
    click(client, "[data-testid=nav-designer]", UI_DEADLINE).await?;
    click(client, "[data-testid=new-diagram]", UI_DEADLINE).await?;
    wait_for(
        client,
        "[data-testid=designer-canvas] .djs-palette",
        UI_DEADLINE,
    )
    .await
    .context("the modeler did not open")?;
    // A lone start event has no end event: the linter blocks the deploy.
    wait_for_text(
        client,
        "[data-testid=deploy-blocked]",
        "asking to fix errors",
        UI_DEADLINE,
        |t| t.contains("Fix"),
    )
    .await?;
    ensure!(
        deploy_disabled(client).await?,
        "deploy is enabled with lint errors"
    );

    // The task comes from the palette: its tool, then a click on the canvas
    // to the right of the start event. It is selected once placed.
    let task = place_from_palette(client, "create.task", "StartEvent_1", (130, 0)).await?;
    ensure!(
        task.starts_with("Activity_"),
        "the palette placed {task}, not a task"
    );
    context_pad(client, "replace").await?;
    click(
        client,
        ".djs-popup [data-id='replace-with-service-task']",
        UI_DEADLINE,
    )
    .await?;
    wait_for_text(
        client,
        "[data-testid=designer-problem]",
        "about the missing job type",
        UI_DEADLINE,
        |t| t.contains("no job type"),
    )
    .await?;
    open_group(client, "taskDefinition").await?;
    fill_form(
        client,
        &[("#bio-properties-panel-taskDefinitionType", JOB_TYPE)],
    )
    .await?;
    poll(
        "the job type error to go away",
        UI_DEADLINE,
        || async move {
            let texts = problem_texts(client).await?;
            Ok(if texts.iter().any(|t| t.contains("no job type")) {
                Attempt::Retry(format!("problems: {texts:?}"))
            } else {
                Attempt::Done(())
            })
        },
    )
    .await?;

    connect(client, "StartEvent_1", "Activity_").await?;
    click_element(client, "Activity_").await?;
    context_pad(client, "append.gateway").await?;
    context_pad(client, "append.end-event").await?;
    click_element(client, "Gateway_").await?;
    context_pad(client, "append.end-event").await?;
    wait_for_text(
        client,
        "[data-testid=designer-problem]",
        "about a flow without condition",
        UI_DEADLINE,
        |t| t.contains("needs a condition"),
    )
    .await?;
    ensure!(
        deploy_disabled(client).await?,
        "deploy is enabled while a gateway flow has no condition"
    );

    for condition in ["amount > 100", "amount <= 100"] {
        let flow = reveal_problem(client, "needs a condition").await?;
        open_group(client, "condition").await?;
        type_feel(client, "conditionExpression", condition).await?;
        // Leave the editor so the panel commits the value.
        click(
            client,
            "[data-testid=designer-problems] header",
            UI_DEADLINE,
        )
        .await?;
        // The linter runs once the page is idle: the next flow to fix is
        // the one still listed after this flow's problem has gone.
        let flow = &flow;
        poll(
            &format!("the condition problem of {flow} to go away"),
            UI_DEADLINE,
            || async move {
                let texts = problem_texts(client).await?;
                Ok(
                    if texts
                        .iter()
                        .any(|t| t.contains(flow.as_str()) && t.contains("needs a condition"))
                    {
                        Attempt::Retry(format!("problems: {texts:?}"))
                    } else {
                        Attempt::Done(())
                    },
                )
            },
        )
        .await?;
    }
    poll(
        "the deploy button to be enabled",
        UI_DEADLINE,
        || async move {
            Ok(if deploy_disabled(client).await? {
                Attempt::Retry(format!("problems: {:?}", problem_texts(client).await?))
            } else {
                Attempt::Done(())
            })
        },
    )
    .await?;
    click(client, "[data-testid=designer-deploy]", UI_DEADLINE).await?;
    let deployed = wait_for_text(
        client,
        "[data-testid=designer-deployed]",
        "naming v1",
        UI_DEADLINE,
        |t| t.ends_with("v1"),
    )
    .await
    .context("the drawn process was not deployed")?;
    screens.capture(client, "designer").await?;
    let text = deployed.text().await?;
    Ok(text.trim_end_matches("v1").trim().to_owned())
}

/// Runs the deployed diagram from the designer with a saved scenario and
/// waits for the token overlay on the service task; returns the instance id.
pub async fn test_run(client: &Client) -> Result<String> {
    click(client, "[data-testid=designer-run]", UI_DEADLINE).await?;
    let variables = "{\"amount\": 50}";
    fill_form(
        client,
        &[
            ("[data-testid=designer-run-variables]", variables),
            ("[data-testid=designer-scenario-name]", "small order"),
        ],
    )
    .await?;
    click(client, "[data-testid=designer-save-scenario]", UI_DEADLINE).await?;
    wait_for_text(
        client,
        "[data-testid=designer-scenario] option",
        "naming the scenario",
        UI_DEADLINE,
        |t| t == "small order",
    )
    .await?;
    click(client, "[data-testid=designer-start]", UI_DEADLINE).await?;
    wait_for(client, "[data-testid=instance-detail]", UI_DEADLINE).await?;
    wait_for(client, ".fd-badge-active", UI_DEADLINE)
        .await
        .context("no active token overlay on the test run's diagram")?;
    let url = client.current_url().await?;
    let id = url
        .fragment()
        .unwrap_or_default()
        .trim_start_matches("/instances/")
        .to_owned();
    ensure!(
        !id.is_empty(),
        "the test run did not open an instance: {url}"
    );
    Ok(id)
}

/// Activates the instance's job of [`JOB_TYPE`] as a worker would.
async fn activate_job(client: &Client) -> Result<i64> {
    poll(
        "a job of the drawn service task",
        UI_DEADLINE,
        || async move {
            let jobs = page_json(
                client,
                "POST",
                "/api/jobs/activate",
                Some(
                    json!({"type": JOB_TYPE, "worker": "e2e", "max_jobs": 1, "timeout_ms": 60000}),
                ),
            )
            .await?;
            Ok(match jobs["jobs"][0]["key"].as_i64() {
                Some(key) => Attempt::Done(key),
                None => Attempt::Retry(format!("activate answered {jobs}")),
            })
        },
    )
    .await
}

/// A worker fails the job without retries; the operator resolves the
/// incident in the instance detail; the worker then completes the job and
/// the instance completes.
pub async fn resolve_incident(client: &Client, screens: &Screens) -> Result<()> {
    let key = activate_job(client).await?;
    page_json(
        client,
        "POST",
        &format!("/api/jobs/{key}/fail"),
        Some(json!({"retries": 0, "error_message": "card declined"})),
    )
    .await?;
    wait_for_text(
        client,
        "[data-testid=incident-row]",
        "with the worker's message",
        UI_DEADLINE,
        |t| t.contains("card declined"),
    )
    .await
    .context("the incident did not show in the instance detail")?;
    screens.capture(client, "instance-detail").await?;
    // Resolve with a changed variable: it is set before the step is retried.
    click(client, "[data-testid=resolve-with-variables]", UI_DEADLINE).await?;
    fill_form(
        client,
        &[(
            "[data-testid=resolve-variables]",
            "{\"amount\": 50, \"card\": \"backup\"}",
        )],
    )
    .await?;
    click(
        client,
        "[data-testid=resolve-with-variables-submit]",
        UI_DEADLINE,
    )
    .await?;
    wait_for_text(
        client,
        "[data-testid=incident-row]",
        "marked resolved",
        UI_DEADLINE,
        |t| t.contains("resolved"),
    )
    .await?;
    let key = activate_job(client).await?;
    page_json(
        client,
        "POST",
        &format!("/api/jobs/{key}/complete"),
        Some(json!({"variables": {"charged": true}})),
    )
    .await?;
    wait_for_text(
        client,
        "[data-testid=instance-state]",
        "completed",
        UI_DEADLINE,
        |t| t.to_lowercase().contains("completed"),
    )
    .await
    .context("the instance did not complete after the incident was resolved")?;
    let url = client.current_url().await?;
    let id = url
        .fragment()
        .unwrap_or_default()
        .trim_start_matches("/instances/")
        .to_owned();
    let instance = page_json(client, "GET", &format!("/api/instances/{id}"), None).await?;
    ensure!(
        instance["variables"]["card"] == "backup",
        "the variable set while resolving is not on the instance: {instance}"
    );
    Ok(())
}

/// Starts an instance through the API with `body`, opens the tasklist and
/// claims the task named `task`; returns the instance id.
pub async fn start_and_claim(client: &Client, body: Value, task: &str) -> Result<String> {
    let instance = page_json(client, "POST", "/api/instances", Some(body)).await?;
    let instance_id = instance["id"]
        .as_str()
        .context("no instance id")?
        .to_owned();
    click(client, "[data-testid=nav-tasks]", UI_DEADLINE).await?;
    let row = wait_for_text(
        client,
        "[data-testid=task-row]",
        &format!("naming the task {task}"),
        UI_DEADLINE,
        |t| t.contains(task),
    )
    .await
    .with_context(|| format!("the user task {task} is not in the tasklist"))?;
    row.click().await?;
    click(client, "[data-testid=task-claim]", UI_DEADLINE).await?;
    Ok(instance_id)
}

/// Deploys [`REVIEW_BPMN`], starts it, and completes its user task through
/// the embedded form in the tasklist (an empty required field first blocks
/// the completion).
pub async fn complete_user_task(client: &Client, screens: &Screens) -> Result<()> {
    let (status, body) = page_fetch(
        client,
        "POST",
        "/api/definitions?name=e2e-review.bpmn",
        Some((REVIEW_BPMN, "application/xml")),
    )
    .await?;
    ensure!(
        status == 201,
        "deploying e2e-review.bpmn answered {status}: {body}"
    );
    let instance_id = start_and_claim(
        client,
        json!({"process_id": "e2e-review"}),
        "Review the order",
    )
    .await?;
    wait_for_text(
        client,
        "[data-testid=task-assignee]",
        "claimed",
        UI_DEADLINE,
        |t| t.contains("claimed"),
    )
    .await?;
    let input = "[data-testid=task-form] input.fjs-input";
    wait_for(client, input, UI_DEADLINE)
        .await
        .context("the task's form was not rendered")?;
    click(client, "[data-testid=task-complete]", UI_DEADLINE).await?;
    wait_for(client, "[data-testid=task-form-errors]", UI_DEADLINE)
        .await
        .context("completing with an empty required field was not refused")?;
    fill_form(client, &[(input, "looks good")]).await?;
    screens.capture(client, "tasklist").await?;
    click(client, "[data-testid=task-complete]", UI_DEADLINE).await?;
    let path = format!("/api/instances/{instance_id}");
    let path = &path;
    poll(
        "the review instance to complete",
        UI_DEADLINE,
        || async move {
            let instance = page_json(client, "GET", path, None).await?;
            Ok(if instance["state"] == "completed" {
                if instance["variables"]["comment"] != "looks good" {
                    bail!("the form's value was not submitted: {instance}");
                }
                Attempt::Done(())
            } else {
                Attempt::Retry(format!("instance {instance}"))
            })
        },
    )
    .await
}

/// Deploys a second version of `process_id` with another job type and
/// opens the comparison from the models list: the service task is changed.
pub async fn diff_versions(client: &Client, process_id: &str, screens: &Screens) -> Result<()> {
    let definitions = page_json(client, "GET", "/api/definitions", None).await?;
    let first = definitions
        .as_array()
        .and_then(|all| all.iter().find(|d| d["process_id"] == process_id))
        .context("the drawn process is not among the definitions")?;
    let id = first["id"].as_str().context("no definition id")?;
    let (status, xml) =
        page_fetch(client, "GET", &format!("/api/definitions/{id}/xml"), None).await?;
    ensure!(status == 200, "GET the XML answered {status}");
    let changed = xml.replace(JOB_TYPE, "e2e-charge-v2");
    ensure!(changed != xml, "the job type is not in the deployed XML");
    let (status, body) = page_fetch(
        client,
        "POST",
        "/api/definitions?name=e2e-drawn.bpmn",
        Some((&changed, "application/xml")),
    )
    .await?;
    ensure!(
        status == 201,
        "deploying version 2 answered {status}: {body}"
    );

    click(client, "[data-testid=nav-designer]", UI_DEADLINE).await?;
    // The models list loaded before version 2 existed on some paths: refresh.
    click(client, "[aria-label='Refresh definitions']", UI_DEADLINE).await?;
    click(client, "[data-testid=diff-definition]", UI_DEADLINE).await?;
    wait_for(client, "[data-testid=diff-view]", UI_DEADLINE).await?;
    wait_for_text(
        client,
        "[data-testid=diff-change][data-kind=changed]",
        "naming the new job type",
        UI_DEADLINE,
        |t| t.contains("e2e-charge-v2"),
    )
    .await
    .context("the diff does not show the changed job type")?;
    wait_for(
        client,
        "[data-testid=diff-new] .fd-diff-changed",
        Duration::from_secs(10),
    )
    .await
    .context("the changed task is not highlighted on the diagram")?;
    screens.capture(client, "diff").await?;
    Ok(())
}

/// The whole console flow; the app must be signed in as an administrator.
pub async fn console_flow(client: &Client, screens: &Screens) -> Result<()> {
    let process_id = draw_and_deploy(client, screens)
        .await
        .context("drawing and deploying")?;
    test_run(client).await.context("test run")?;
    resolve_incident(client, screens)
        .await
        .context("resolving an incident")?;
    complete_user_task(client, screens)
        .await
        .context("completing a user task through its form")?;
    diff_versions(client, &process_id, screens)
        .await
        .context("comparing two versions")?;
    Ok(())
}
