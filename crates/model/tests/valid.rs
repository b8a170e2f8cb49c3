//! Valid models parse into the expected elements, flows and zeebe data.

mod common;

use flowdesk_model::bpmn::{self, ElementKind, EventDefinition, TimerKind, VariableMapping};

fn parse_fixture(relative: &str) -> bpmn::Definitions {
    let xml = common::read(&common::fixtures().join(relative));
    bpmn::parse(&xml).unwrap_or_else(|errors| panic!("{relative}:\n{errors}"))
}

#[test]
fn order_approval_parses_with_its_elements_flows_and_task_types() {
    let definitions = parse_fixture("order-approval.bpmn");
    assert_eq!(definitions.id.as_deref(), Some("Definitions_OrderApproval"));
    assert_eq!(
        definitions.target_namespace.as_deref(),
        Some("http://bpmn.io/schema/bpmn")
    );
    assert_eq!(definitions.exporter.as_deref(), Some("Camunda Modeler"));
    assert_eq!(definitions.processes.len(), 1);

    let process = &definitions.processes[0];
    assert_eq!(process.id, "order-approval");
    assert_eq!(process.name.as_deref(), Some("Order approval"));
    assert!(process.is_executable);
    assert_eq!(process.version_tag.as_deref(), Some("1.0"));
    assert_eq!((process.line, process.column), (3, 3));

    let elements: Vec<(&str, ElementKind, Option<&str>)> = process
        .elements
        .iter()
        .map(|element| {
            (
                element.id.as_str(),
                element.kind,
                element.task_type.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        elements,
        [
            ("StartEvent_OrderReceived", ElementKind::StartEvent, None),
            (
                "Activity_CheckOrder",
                ElementKind::ServiceTask,
                Some("check-order")
            ),
            ("Gateway_Amount", ElementKind::ExclusiveGateway, None),
            ("Activity_ApproveOrder", ElementKind::UserTask, None),
            (
                "Activity_AutoApprove",
                ElementKind::ServiceTask,
                Some("auto-approve")
            ),
            ("Gateway_Join", ElementKind::ExclusiveGateway, None),
            ("EndEvent_OrderApproved", ElementKind::EndEvent, None),
        ]
    );
    assert!(process
        .elements
        .iter()
        .all(|element| element.parent.is_none()));

    let check = process.element("Activity_CheckOrder").expect("check order");
    assert_eq!(check.name.as_deref(), Some("Check order"));
    assert_eq!((check.line, check.column), (10, 5));
    assert_eq!(check.retries.as_deref(), Some("3"));
    assert_eq!(check.incoming, ["Flow_ToCheck"]);
    assert_eq!(check.outgoing, ["Flow_ToDecision"]);
    assert_eq!(
        check.inputs,
        [VariableMapping {
            source: "=order.amount".into(),
            target: "amount".into()
        }]
    );
    assert_eq!(check.task_headers[0].key, "channel");

    let gateway = process.element("Gateway_Amount").expect("gateway");
    assert_eq!(gateway.default_flow.as_deref(), Some("Flow_Small"));
    assert_eq!(gateway.outgoing, ["Flow_Large", "Flow_Small"]);
    assert_eq!(
        process
            .element("Gateway_Join")
            .expect("join")
            .incoming
            .len(),
        2
    );
    assert_eq!(
        process
            .element("Activity_ApproveOrder")
            .expect("approve")
            .candidate_groups
            .as_deref(),
        Some("approvers")
    );
    assert_eq!(
        process
            .element("StartEvent_OrderReceived")
            .expect("start")
            .event_definition,
        Some(EventDefinition::None)
    );
    assert_eq!(gateway.event_definition, None);

    assert_eq!(process.sequence_flows.len(), 7);
    let large = process.sequence_flow("Flow_Large").expect("large");
    assert_eq!(large.source_ref, "Gateway_Amount");
    assert_eq!(large.target_ref, "Activity_ApproveOrder");
    assert_eq!(large.condition.as_deref(), Some("=amount > 1000"));
    assert_eq!((large.line, large.column), (54, 5));
    let conditions = process
        .sequence_flows
        .iter()
        .filter(|flow| flow.condition.is_some())
        .count();
    assert_eq!(conditions, 1);
    assert_eq!(process.start_events().count(), 1);
}

#[test]
fn every_element_kind_and_event_definition_is_read() {
    let definitions = parse_fixture("valid/all-elements.bpmn");
    assert_eq!(definitions.executable_processes().count(), 1);
    let message = definitions.message("Message_Payment").expect("message");
    assert_eq!(message.name.as_deref(), Some("payment-received"));
    assert_eq!(message.correlation_key.as_deref(), Some("=orderId"));
    assert_eq!(
        definitions.errors[0].error_code.as_deref(),
        Some("REJECTED")
    );
    assert_eq!(definitions.signals[0].name.as_deref(), Some("stop"));
    assert_eq!(
        definitions.escalations[0].escalation_code.as_deref(),
        Some("LATE")
    );

    let process = definitions.process("all-elements").expect("process");
    let element = |id: &str| {
        process
            .element(id)
            .unwrap_or_else(|| panic!("element {id} missing"))
    };
    // (id, kind, event definition)
    let cases: &[(&str, ElementKind, Option<EventDefinition>)] = &[
        (
            "Start",
            ElementKind::StartEvent,
            Some(EventDefinition::None),
        ),
        (
            "Start_Timer",
            ElementKind::StartEvent,
            Some(EventDefinition::Timer {
                timer: Some(TimerKind::Cycle),
                expression: Some("R/P1D".into()),
            }),
        ),
        ("Fork", ElementKind::ParallelGateway, None),
        ("Receive_Payment", ElementKind::ReceiveTask, None),
        ("Script", ElementKind::ScriptTask, None),
        ("Decide", ElementKind::BusinessRuleTask, None),
        ("Review", ElementKind::UserTask, None),
        (
            "Review_Late",
            ElementKind::BoundaryEvent,
            Some(EventDefinition::Timer {
                timer: Some(TimerKind::Duration),
                expression: Some("PT2H".into()),
            }),
        ),
        (
            "Review_Rejected",
            ElementKind::BoundaryEvent,
            Some(EventDefinition::Error {
                error_ref: Some("Error_Rejected".into()),
            }),
        ),
        ("Notify", ElementKind::SendTask, None),
        ("Pack", ElementKind::ManualTask, None),
        ("Ship", ElementKind::CallActivity, None),
        ("Sub", ElementKind::SubProcess, None),
        ("Sub_Task", ElementKind::Task, None),
        ("On_Stop", ElementKind::SubProcess, None),
        (
            "On_Stop_Start",
            ElementKind::StartEvent,
            Some(EventDefinition::Signal {
                signal_ref: Some("Signal_Stop".into()),
            }),
        ),
        (
            "On_Stop_End",
            ElementKind::EndEvent,
            Some(EventDefinition::Escalation {
                escalation_ref: Some("Escalation_Late".into()),
            }),
        ),
        ("Inclusive", ElementKind::InclusiveGateway, None),
        ("Race", ElementKind::EventBasedGateway, None),
        (
            "Wait_Payment",
            ElementKind::IntermediateCatchEvent,
            Some(EventDefinition::Message {
                message_ref: Some("Message_Payment".into()),
            }),
        ),
        (
            "Wait_Condition",
            ElementKind::IntermediateCatchEvent,
            Some(EventDefinition::Conditional {
                condition: Some("=ready".into()),
            }),
        ),
        (
            "Jump",
            ElementKind::IntermediateThrowEvent,
            Some(EventDefinition::Link {
                name: Some("to-end".into()),
            }),
        ),
        (
            "Undo",
            ElementKind::IntermediateThrowEvent,
            Some(EventDefinition::Compensate {
                activity_ref: Some("Pack".into()),
                wait_for_completion: true,
            }),
        ),
        (
            "Milestone",
            ElementKind::IntermediateThrowEvent,
            Some(EventDefinition::None),
        ),
        (
            "Stop_All",
            ElementKind::EndEvent,
            Some(EventDefinition::Terminate),
        ),
        ("Done", ElementKind::EndEvent, Some(EventDefinition::None)),
    ];
    for (id, kind, event_definition) in cases {
        let found = element(id);
        assert_eq!(found.kind, *kind, "{id}");
        assert_eq!(&found.event_definition, event_definition, "{id}");
        assert_eq!(ElementKind::from_tag(kind.tag()), Some(*kind));
    }
    // 28 flow nodes at the top level or in sub-processes, nothing else
    // (lanes, data objects, annotations are not flow elements).
    assert_eq!(process.elements.len(), 28);
    assert!(process.element("DataObject_1").is_none());
    assert!(process.element("TextAnnotation_1").is_none());

    let review = element("Review");
    assert_eq!(review.assignee.as_deref(), Some("=initiator"));
    assert_eq!(review.form.as_deref(), Some("review-form"));
    let multi_instance = review.multi_instance.as_ref().expect("multi-instance");
    assert!(multi_instance.sequential);
    assert_eq!(multi_instance.input_collection.as_deref(), Some("=items"));
    assert_eq!(multi_instance.output_element.as_deref(), Some("=result"));
    assert_eq!(
        element("Review_Late").attached_to.as_deref(),
        Some("Review")
    );
    assert!(!element("Review_Late").interrupting);
    assert!(element("Review_Rejected").interrupting);
    assert!(!element("On_Stop_Start").interrupting);
    assert!(element("On_Stop").triggered_by_event);
    assert!(!element("Sub").triggered_by_event);
    assert_eq!(element("Script").script.as_deref(), Some("=total * 2"));
    assert_eq!(
        element("Script").result_variable.as_deref(),
        Some("doubled")
    );
    assert_eq!(
        element("Decide").called_decision_id.as_deref(),
        Some("discount")
    );
    assert_eq!(
        element("Ship").called_process_id.as_deref(),
        Some("shipping")
    );
    assert_eq!(element("Notify").task_type.as_deref(), Some("notify"));

    // Sub-process contents are flattened with their parent.
    let inside: Vec<&str> = process
        .children_of(Some("Sub"))
        .map(|element| element.id.as_str())
        .collect();
    assert_eq!(inside, ["Sub_Start", "Sub_Task", "Sub_End"]);
    assert_eq!(
        process
            .sequence_flow("Sub_Flow_1")
            .expect("inner flow")
            .parent
            .as_deref(),
        Some("Sub")
    );
    assert_eq!(element("Sub_Task").incoming, ["Sub_Flow_1"]);
    assert_eq!(process.start_events().count(), 2);
    assert_eq!(
        process
            .sequence_flow("Flow_Inclusive_Big")
            .expect("flow")
            .condition
            .as_deref(),
        Some("=total > 10 and total < 20")
    );
}

#[test]
fn the_model_serializes_with_bpmn_kind_names() {
    let definitions = parse_fixture("order-approval.bpmn");
    let json = serde_json::to_value(&definitions).expect("serializable");
    let element = &json["processes"][0]["elements"][1];
    assert_eq!(element["kind"], "serviceTask");
    assert_eq!(element["task_type"], "check-order");
    assert_eq!(
        json["processes"][0]["elements"][0]["event_definition"]["type"],
        "none"
    );
}

#[test]
fn bench_models_parse_and_accept_plain_tasks() {
    let models = common::shared().join("bench/models");
    for (file, process_id, elements, flows) in [
        ("order.bpmn", "order", 7, 7),
        ("parallel.bpmn", "parallel", 7, 8),
    ] {
        let xml = common::read(&models.join(file));
        let definitions = bpmn::parse(&xml).unwrap_or_else(|errors| panic!("{file}:\n{errors}"));
        let process = definitions.process(process_id).expect("bench process");
        assert!(process.is_executable);
        assert_eq!(process.elements.len(), elements, "{file}");
        assert_eq!(process.sequence_flows.len(), flows, "{file}");
        assert!(process
            .elements
            .iter()
            .filter(|element| element.kind == ElementKind::Task)
            .all(|task| task.task_type.is_none()));
    }
    let order = bpmn::parse(&common::read(&models.join("order.bpmn"))).expect("order");
    let flow = order.processes[0].sequence_flow("large").expect("large");
    assert_eq!(flow.condition.as_deref(), Some("=amount > 100"));
}

#[test]
fn bpmn_miwg_reference_models_parse_without_panicking_or_syntax_errors() {
    let folder = common::shared().join("conformance/bpmn-miwg/Reference");
    let files = common::bpmn_files(&folder);
    assert!(
        files.len() >= 20,
        "conformance models missing in {}",
        folder.display()
    );
    for file in &files {
        let xml = common::read(file);
        match bpmn::parse(&xml) {
            Ok(definitions) => {
                assert!(!definitions.processes.is_empty());
            }
            Err(errors) => {
                assert!(!errors.problems.is_empty());
                for problem in &errors.problems {
                    assert!(
                        !problem.message.starts_with("XML syntax error")
                            && !problem.message.contains("not a BPMN 2.0 document"),
                        "{}: {problem}",
                        file.display()
                    );
                }
            }
        }
    }
    // Non-executable reference models are rejected only for that reason.
    let sketch =
        bpmn::parse(&common::read(&folder.join("A.1.0.bpmn"))).expect_err("non-executable");
    assert_eq!(sketch.problems.len(), 1, "{sketch}");
    assert!(sketch.problems[0].message.contains("executable"));
}
