//! Call activity bindings in the in-memory engine: `deployment` starts the
//! called process's version deployed with (or before) the calling version;
//! an unknown `bindingType` is refused when deploying.

use flowdesk_engine::{Engine, EngineError, Variables};

fn child(n: u32) -> String {
    format!(
        r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="child" isExecutable="true">
    <bpmn:startEvent id="cs" />
    <bpmn:serviceTask id="ctask">
      <bpmn:extensionElements><zeebe:taskDefinition type="work-{n}" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="ce" />
    <bpmn:sequenceFlow id="c1" sourceRef="cs" targetRef="ctask" />
    <bpmn:sequenceFlow id="c2" sourceRef="ctask" targetRef="ce" />
  </bpmn:process>
</bpmn:definitions>"#
    )
}

fn parent(binding: &str) -> String {
    format!(
        r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="parent" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:callActivity id="call">
      <bpmn:extensionElements><zeebe:calledElement processId="child" {binding} /></bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="p1" sourceRef="start" targetRef="call" />
    <bpmn:sequenceFlow id="p2" sourceRef="call" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#
    )
}

#[test]
fn deployment_binding_starts_the_version_deployed_with_the_caller() {
    let mut engine = Engine::new();
    engine.deploy_xml(&child(1)).unwrap();
    engine
        .deploy_xml(&parent(r#"bindingType="deployment""#))
        .unwrap();
    engine.deploy_xml(&child(2)).unwrap();
    engine.start_instance("parent", Variables::new()).unwrap();
    assert_eq!(engine.open_jobs("work-1").len(), 1);
    assert!(engine.open_jobs("work-2").is_empty());
}

#[test]
fn latest_binding_starts_the_latest_version() {
    let mut engine = Engine::new();
    engine.deploy_xml(&child(1)).unwrap();
    engine
        .deploy_xml(&parent(r#"bindingType="latest""#))
        .unwrap();
    engine.deploy_xml(&child(2)).unwrap();
    engine.start_instance("parent", Variables::new()).unwrap();
    assert!(engine.open_jobs("work-1").is_empty());
    assert_eq!(engine.open_jobs("work-2").len(), 1);
}

#[test]
fn deployment_binding_without_an_earlier_version_is_an_incident() {
    let mut engine = Engine::new();
    engine
        .deploy_xml(&parent(r#"bindingType="deployment""#))
        .unwrap();
    engine.deploy_xml(&child(1)).unwrap();
    engine.start_instance("parent", Variables::new()).unwrap();
    assert!(engine.open_jobs("work-1").is_empty());
    let incidents = engine.incidents();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].element_id, "call");
}

#[test]
fn unknown_binding_types_and_tagless_version_tag_bindings_are_refused() {
    for binding in [r#"bindingType="newest""#, r#"bindingType="versionTag""#] {
        let error = Engine::new().deploy_xml(&parent(binding)).unwrap_err();
        assert!(
            matches!(&error, EngineError::Compile(e) if e.element_id == "call"),
            "{binding}: {error:?}"
        );
    }
}
