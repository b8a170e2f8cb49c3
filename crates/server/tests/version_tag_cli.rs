//! `flowdesk start PROCESS --version-tag TAG` in embedded mode.

mod common;

use common::*;
use flowdesk_store::dual_test;

fn tagged(tag: &str) -> String {
    format!(
        r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="tagged" isExecutable="true">
    <bpmn:extensionElements><zeebe:versionTag value="{tag}" /></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="work-{tag}" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
  </bpmn:process>
</bpmn:definitions>"#
    )
}

dual_test!(async fn start_by_version_tag_in_embedded_mode(store) {
    let url = db_url(&store).await;
    let dir = TempDir::new("version-tag");
    let first = dir.write("first.bpmn", &tagged("v1"));
    let second = dir.write("second.bpmn", &tagged("v2"));
    flowdesk(&["deploy", &first, "--db", &url]);
    flowdesk(&["deploy", &second, "--db", &url]);

    let pinned = json(&flowdesk(&["start", "tagged", "--version-tag", "v1", "--db", &url, "--json"]));
    assert_eq!(pinned["version"], 1);
    let latest = json(&flowdesk(&["start", "tagged", "--db", &url, "--json"]));
    assert_eq!(latest["version"], 2);

    let (_, stderr) = flowdesk_fails(&["start", "tagged", "--version-tag", "v9", "--db", &url]);
    assert!(stderr.contains("process tagged has no version with version tag v9"), "{stderr}");
    let (_, stderr) = flowdesk_fails(&["start", "tagged", "--version-tag", "v1", "--version", "1", "--db", &url]);
    assert!(stderr.contains("--version-tag"), "{stderr}");
});
