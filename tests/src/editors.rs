//! The DMN and form editors of the designer: a decision table edited cell
//! by cell and deployed, a form edited and deployed, undo and redo against
//! the dirty marker, and the round trip through a process that links both
//! (the properties panel's links open the editors; the tasklist renders the
//! deployed form; the business rule task evaluates the deployed decision).

use anyhow::{bail, ensure, Context, Result};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, Locator};
use serde_json::json;

use crate::console::{click_element, open_group, page_fetch, page_json, start_and_claim, Screens};
use crate::{click, fill_form, poll, wait_for, wait_for_text, Attempt, UI_DEADLINE};

/// WebDriver's Control key.
const CONTROL: char = '\u{E009}';

/// Replaces the text of the focused editable element with `text`: Ctrl+A,
/// then `text` key by key, as WebDriver key actions, which go to whatever
/// has the focus (CodeMirror's editable content — a decision table cell, a
/// form field's label — did not take element send-keys under
/// WebKitWebDriver).
async fn replace_focused_text(client: &Client, text: &str) -> Result<()> {
    let mut keys = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: CONTROL })
        .then(KeyAction::Down { value: 'a' })
        .then(KeyAction::Up { value: 'a' })
        .then(KeyAction::Up { value: CONTROL });
    for key in text.chars() {
        keys = keys
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    client.perform_actions(keys).await?;
    client.release_actions().await?;
    Ok(())
}

/// Waits until the `textContent` of the first element matching `css`
/// satisfies `want`. The form editor's field labels read as empty through
/// WebKitWebDriver's element text although they show, so these checks read
/// the DOM instead.
async fn wait_for_content(
    client: &Client,
    css: &str,
    what: &str,
    want: impl Fn(&str) -> bool,
) -> Result<()> {
    poll(&format!("`{css}` {what}"), UI_DEADLINE, || async {
        let content = client
            .execute(
                "const e = document.querySelector(arguments[0]); \
                 return e ? e.textContent : null;",
                vec![json!(css)],
            )
            .await?;
        Ok(match content.as_str() {
            Some(text) if want(text) => Attempt::Done(()),
            _ => Attempt::Retry(format!("its text is {content}")),
        })
    })
    .await
}

/// Whether an element matching `css` is on the page now.
async fn present(client: &Client, css: &str) -> Result<bool> {
    Ok(!client.find_all(Locator::Css(css)).await?.is_empty())
}

/// Whether the button `css` is disabled.
async fn disabled(client: &Client, css: &str) -> Result<bool> {
    let button = wait_for(client, css, UI_DEADLINE).await?;
    Ok(button.attr("disabled").await?.is_some())
}

/// Clicks the button `css` until the dirty marker `dirty` is `want` (one
/// edit can be several commands: a cell typed key by key).
async fn step_until_dirty(client: &Client, css: &str, dirty: &str, want: bool) -> Result<()> {
    poll(
        &format!(
            "`{css}` to make the document {}",
            if want { "dirty" } else { "clean" }
        ),
        UI_DEADLINE,
        || async move {
            if present(client, dirty).await? == want {
                return Ok(Attempt::Done(()));
            }
            if disabled(client, css).await? {
                bail!(
                    "`{css}` is disabled before the document became {}",
                    if want { "dirty" } else { "clean" }
                );
            }
            click(client, css, UI_DEADLINE).await?;
            Ok(Attempt::Retry("clicked once more".to_owned()))
        },
    )
    .await
}

/// The text of the deployed badge `css` once it names version `version`;
/// returns the key before ` v{version}`.
async fn deployed_key(client: &Client, css: &str, version: u32) -> Result<String> {
    let suffix = format!(" v{version}");
    let suffix = &suffix;
    let badge = wait_for_text(
        client,
        css,
        &format!("naming v{version}"),
        UI_DEADLINE,
        |t| t.ends_with(suffix.as_str()),
    )
    .await?;
    Ok(badge
        .text()
        .await?
        .trim_end_matches(suffix.as_str())
        .to_owned())
}

/// The first rule's input cell of the open decision table.
const INPUT_CELL: &str = "[data-testid=dmn-canvas] tbody td.input-cell";

/// The decision table's hit policy selector.
const HIT_POLICY: &str = "[data-testid=dmn-canvas] .hit-policy-edit-policy-select";

/// Picks `label` in the decision table's hit policy selector.
async fn pick_hit_policy(client: &Client, label: &str) -> Result<()> {
    click(client, HIT_POLICY, UI_DEADLINE).await?;
    let option = wait_for_text(
        client,
        ".dms-select-options .option",
        &format!("offering {label}"),
        UI_DEADLINE,
        |t| t.trim() == label,
    )
    .await?;
    option.click().await?;
    Ok(())
}

/// Creates a decision in the DMN editor and deploys it; changes the hit
/// policy, undoes and redoes that against the dirty marker and undoes it
/// again; edits the first rule's input entry (`> 100` to `> 50`), undoes
/// and redoes that, deploys version 2 and evaluates it through the API;
/// returns the decision's id.
pub async fn dmn_editor(client: &Client, screens: &Screens) -> Result<String> {
    click(client, "[data-testid=nav-designer]", UI_DEADLINE).await?;
    click(client, "[data-testid=new-decision]", UI_DEADLINE).await?;
    wait_for(client, INPUT_CELL, UI_DEADLINE)
        .await
        .context("the DMN editor did not open on the decision table")?;
    click(client, "[data-testid=dmn-deploy]", UI_DEADLINE).await?;
    let decision = deployed_key(client, "[data-testid=dmn-deployed]", 1)
        .await
        .context("the new decision was not deployed")?;

    pick_hit_policy(client, "First").await?;
    wait_for(client, "[data-testid=dmn-dirty]", UI_DEADLINE)
        .await
        .context("changing the hit policy did not mark the model changed")?;
    step_until_dirty(
        client,
        "[data-testid=dmn-undo]",
        "[data-testid=dmn-dirty]",
        false,
    )
    .await?;
    wait_for_text(
        client,
        HIT_POLICY,
        "back to Unique after undo",
        UI_DEADLINE,
        |t| t.contains("Unique"),
    )
    .await?;
    step_until_dirty(
        client,
        "[data-testid=dmn-redo]",
        "[data-testid=dmn-dirty]",
        true,
    )
    .await?;
    wait_for_text(
        client,
        HIT_POLICY,
        "at First again after redo",
        UI_DEADLINE,
        |t| t.contains("First"),
    )
    .await?;
    step_until_dirty(
        client,
        "[data-testid=dmn-undo]",
        "[data-testid=dmn-dirty]",
        false,
    )
    .await?;

    click(client, INPUT_CELL, UI_DEADLINE).await?;
    let editor = wait_for(
        client,
        &format!("{INPUT_CELL} .cm-content[contenteditable='true']"),
        UI_DEADLINE,
    )
    .await
    .context("the cell's FEEL editor did not open")?;
    editor.click().await?;
    replace_focused_text(client, "> 50")
        .await
        .context("typing into the decision table cell")?;
    // Leaving the cell commits it.
    click(client, "[data-testid=dmn-file-name]", UI_DEADLINE).await?;
    wait_for(client, "[data-testid=dmn-dirty]", UI_DEADLINE)
        .await
        .context("editing a cell did not mark the model changed")?;
    wait_for_text(client, INPUT_CELL, "holding the edit", UI_DEADLINE, |t| {
        t.trim() == "> 50"
    })
    .await?;
    // Undoing the cell edit refocuses the cell in dmn-js; the undone text it
    // gets is no new edit, so redo stays available.
    step_until_dirty(
        client,
        "[data-testid=dmn-undo]",
        "[data-testid=dmn-dirty]",
        false,
    )
    .await?;
    wait_for_text(
        client,
        INPUT_CELL,
        "back to > 100 after undo",
        UI_DEADLINE,
        |t| t.contains("> 100") && !t.contains("> 50"),
    )
    .await?;
    ensure!(
        !disabled(client, "[data-testid=dmn-redo]").await?,
        "redo is disabled right after undoing the cell edit"
    );
    step_until_dirty(
        client,
        "[data-testid=dmn-redo]",
        "[data-testid=dmn-dirty]",
        true,
    )
    .await?;
    while !disabled(client, "[data-testid=dmn-redo]").await? {
        click(client, "[data-testid=dmn-redo]", UI_DEADLINE).await?;
    }
    wait_for_text(
        client,
        INPUT_CELL,
        "> 50 again after redo",
        UI_DEADLINE,
        |t| t.trim() == "> 50",
    )
    .await?;

    click(client, "[data-testid=dmn-deploy]", UI_DEADLINE).await?;
    let key = deployed_key(client, "[data-testid=dmn-deployed]", 2)
        .await
        .context("the edited decision was not deployed as version 2")?;
    ensure!(key == decision, "version 2 is of {key}, not {decision}");
    screens.capture(client, "dmn-editor").await?;

    let evaluation = page_json(
        client,
        "POST",
        &format!("/api/decisions/{decision}/evaluate"),
        Some(json!({"variables": {"amount": 75}})),
    )
    .await?;
    ensure!(
        evaluation["version"] == 2 && evaluation["result"].to_string().contains("review"),
        "amount 75 does not match the edited rule `> 50` of version 2: {evaluation}"
    );
    Ok(decision)
}

/// The label the form editor gives the form's text field.
const EDITED_LABEL: &str = "Reviewer comment";

/// Creates a form in the form editor and deploys it, relabels its field in
/// the form editor's properties panel, undoes and redoes that against the
/// dirty marker, and deploys version 2; returns the form id.
pub async fn form_editor(client: &Client, screens: &Screens) -> Result<String> {
    click(client, "[data-testid=nav-designer]", UI_DEADLINE).await?;
    click(client, "[data-testid=new-form]", UI_DEADLINE).await?;
    let field = "[data-testid=form-canvas] .fjs-editor-container [data-id='Field_comment'][data-field-type='textfield']";
    wait_for(client, field, UI_DEADLINE)
        .await
        .context("the form editor did not open with the new form's field")?;
    let form_id = wait_for(client, "[data-testid=form-id]", UI_DEADLINE)
        .await?
        .text()
        .await?;
    click(client, "[data-testid=form-deploy]", UI_DEADLINE).await?;
    let key = deployed_key(client, "[data-testid=form-deployed]", 1)
        .await
        .context("the new form was not deployed")?;
    ensure!(
        key == form_id,
        "the form deployed as {key}, not as its id {form_id}"
    );

    click(client, field, UI_DEADLINE).await?;
    open_group(client, "general").await?;
    // The label is a FEEL templating editor (CodeMirror), not an input.
    let label_editor = wait_for(
        client,
        "[data-testid=form-canvas] [data-entry-id='label'] [contenteditable='true']",
        UI_DEADLINE,
    )
    .await?;
    label_editor.click().await?;
    replace_focused_text(client, EDITED_LABEL)
        .await
        .context("typing the field's label")?;
    wait_for(client, "[data-testid=form-dirty]", UI_DEADLINE)
        .await
        .context("relabelling a field did not mark the form changed")?;
    let label = format!("{field} .fjs-form-field-label");
    wait_for_content(client, &label, "relabelled", |t| t.contains(EDITED_LABEL)).await?;

    step_until_dirty(
        client,
        "[data-testid=form-undo]",
        "[data-testid=form-dirty]",
        false,
    )
    .await?;
    wait_for_content(client, &label, "back to Comment after undo", |t| {
        t.trim() == "Comment"
    })
    .await?;
    step_until_dirty(
        client,
        "[data-testid=form-redo]",
        "[data-testid=form-dirty]",
        true,
    )
    .await?;
    while !disabled(client, "[data-testid=form-redo]").await? {
        click(client, "[data-testid=form-redo]", UI_DEADLINE).await?;
    }
    wait_for_content(client, &label, "relabelled again after redo", |t| {
        t.contains(EDITED_LABEL)
    })
    .await?;

    click(client, "[data-testid=form-deploy]", UI_DEADLINE).await?;
    deployed_key(client, "[data-testid=form-deployed]", 2)
        .await
        .context("the edited form was not deployed as version 2")?;
    screens.capture(client, "form-editor").await?;
    Ok(form_id)
}

/// A process whose business rule task calls `decision` (result in `level`)
/// and whose user task links the form `form`.
fn linked_process(decision: &str, form: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="linked_defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="e2e-linked" name="Linked decision and form" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="Decide" name="Decide the level">
      <bpmn:extensionElements><zeebe:calledDecision decisionId="{decision}" resultVariable="level" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:userTask id="Review" name="Review with the linked form">
      <bpmn:extensionElements><zeebe:formDefinition formId="{form}" /></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="End"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="StartEvent_1" targetRef="Decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="Decide" targetRef="Review" />
    <bpmn:sequenceFlow id="f3" sourceRef="Review" targetRef="End" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="d1">
    <bpmndi:BPMNPlane id="p1" bpmnElement="e2e-linked">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Decide_di" bpmnElement="Decide"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Review_di" bpmnElement="Review"><dc:Bounds x="400" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="End_di" bpmnElement="End"><dc:Bounds x="562" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="340" y="120" /><di:waypoint x="400" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="500" y="120" /><di:waypoint x="562" y="120" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"#
    )
}

/// Opens the deployed `e2e-linked` process in the designer from the models list.
async fn open_linked_process(client: &Client) -> Result<()> {
    click(client, "[data-testid=nav-designer]", UI_DEADLINE).await?;
    click(client, "[aria-label='Refresh definitions']", UI_DEADLINE).await?;
    click(
        client,
        "[data-testid=open-definition][aria-label^='Open e2e-linked version']",
        UI_DEADLINE,
    )
    .await?;
    wait_for(
        client,
        "[data-testid=designer-canvas] .djs-element[data-element-id='Review']",
        UI_DEADLINE,
    )
    .await
    .context("the linked process did not open in the designer")?;
    Ok(())
}

/// Deploys a process linking `decision` and `form`; in the designer the
/// user task's form id opens the form editor on the deployed form and the
/// business rule task's decision id opens the DMN editor on the deployed
/// decision; an instance then evaluates the decision and its user task is
/// completed through the deployed form in the tasklist.
pub async fn linked_round_trip(client: &Client, decision: &str, form: &str) -> Result<()> {
    let xml = linked_process(decision, form);
    let (status, body) = page_fetch(
        client,
        "POST",
        "/api/definitions?name=e2e-linked.bpmn",
        Some((&xml, "application/xml")),
    )
    .await?;
    ensure!(
        status == 201,
        "deploying e2e-linked.bpmn answered {status}: {body}"
    );

    open_linked_process(client).await?;
    click_element(client, "Review").await?;
    open_group(client, "form").await?;
    click(
        client,
        "[data-testid=designer-properties] [data-testid=open-form]",
        UI_DEADLINE,
    )
    .await
    .context("the user task's form id offers no link to the form editor")?;
    let key = deployed_key(client, "[data-testid=form-deployed]", 2)
        .await
        .context("the link did not open the deployed form")?;
    ensure!(key == form, "the link opened form {key}, not {form}");
    wait_for_content(
        client,
        "[data-testid=form-canvas] .fjs-form-field-label",
        "with the deployed label",
        |t| t.contains(EDITED_LABEL),
    )
    .await?;

    open_linked_process(client).await?;
    click_element(client, "Decide").await?;
    open_group(client, "calledDecision").await?;
    click(
        client,
        "[data-testid=designer-properties] [data-testid=open-decision]",
        UI_DEADLINE,
    )
    .await
    .context("the business rule task's decision id offers no link to the DMN editor")?;
    let key = deployed_key(client, "[data-testid=dmn-deployed]", 2)
        .await
        .context("the link did not open the deployed decision")?;
    ensure!(
        key == decision,
        "the link opened decision {key}, not {decision}"
    );
    wait_for_text(
        client,
        INPUT_CELL,
        "of the deployed version",
        UI_DEADLINE,
        |t| t.trim() == "> 50",
    )
    .await?;

    let instance_id = start_and_claim(
        client,
        json!({"process_id": "e2e-linked", "variables": {"amount": 75}}),
        "Review with the linked form",
    )
    .await?;
    wait_for_content(
        client,
        "[data-testid=task-form] .fjs-form-field-label",
        "with the deployed form's label",
        |t| t.contains(EDITED_LABEL),
    )
    .await
    .context("the tasklist did not render the deployed form")?;
    fill_form(
        client,
        &[(
            "[data-testid=task-form] input.fjs-input",
            "linked form works",
        )],
    )
    .await?;
    click(client, "[data-testid=task-complete]", UI_DEADLINE).await?;
    let path = format!("/api/instances/{instance_id}");
    let path = &path;
    poll(
        "the linked instance to complete",
        UI_DEADLINE,
        || async move {
            let instance = page_json(client, "GET", path, None).await?;
            Ok(if instance["state"] == "completed" {
                let variables = &instance["variables"];
                ensure!(
                    variables["comment"] == "linked form works",
                    "the deployed form's value was not submitted: {instance}"
                );
                ensure!(
                    variables["level"].to_string().contains("review"),
                    "the business rule task did not evaluate the deployed decision: {instance}"
                );
                Attempt::Done(())
            } else {
                Attempt::Retry(format!("instance {instance}"))
            })
        },
    )
    .await
}

/// The editors' flow; the app must be signed in as an administrator.
pub async fn editors_flow(client: &Client, screens: &Screens) -> Result<()> {
    let decision = dmn_editor(client, screens)
        .await
        .context("the DMN editor")?;
    let form = form_editor(client, screens)
        .await
        .context("the form editor")?;
    linked_round_trip(client, &decision, &form)
        .await
        .context("the process linking the decision and the form")
}
