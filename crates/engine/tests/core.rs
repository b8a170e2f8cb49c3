//! The pure core through its public API: `apply` over a serializable state.

use std::sync::Mutex;

use flowdesk_engine::{
    apply, Command, CompiledProcess, Context, DecisionError, DecisionEvaluator, DecisionSite,
    Effect, EngineError, FeelEvaluator, InstanceStatus, NoDecisions, ProcessInstanceState,
    VariableScope,
};
use serde_json::{json, Map, Value};

const MODEL: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements><zeebe:taskDefinition type="work" retries="5" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

fn compiled() -> CompiledProcess {
    let definitions = flowdesk_model::bpmn::parse(MODEL).expect("the test model is valid");
    CompiledProcess::compile(&definitions, &definitions.processes[0]).expect("it compiles")
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

#[test]
fn start_persist_reload_and_complete() {
    let process = compiled();
    let mut context = Context {
        now: 1_000,
        next_key: 100,
        expressions: &FeelEvaluator::new(),
        decisions: &NoDecisions,
        instance_id: None,
    };
    let mut state = ProcessInstanceState::new(1, "p");
    let effects = apply(
        &process,
        &mut state,
        Command::StartInstance {
            variables: object(json!({"n": 1})),
            start_element: None,
        },
        &mut context,
    )
    .expect("starts");
    let job_key = effects
        .iter()
        .find_map(|effect| match effect {
            Effect::JobCreated {
                key,
                job_type,
                retries,
                variables,
                ..
            } => {
                assert_eq!(job_type, "work");
                assert_eq!(*retries, 5);
                assert_eq!(variables.get("n"), Some(&json!(1)));
                Some(*key)
            }
            _ => None,
        })
        .expect("a job was created");
    assert!(context.next_key > 100, "keys come from the context");

    // The store persists the state as JSON and loads it for the next command.
    let stored = serde_json::to_string(&state).expect("serializes");
    let mut state: ProcessInstanceState = serde_json::from_str(&stored).expect("deserializes");

    let effects = apply(
        &process,
        &mut state,
        Command::CompleteJob {
            job_key,
            variables: object(json!({"result": "ok"})),
        },
        &mut context,
    )
    .expect("completes");
    assert_eq!(state.status, InstanceStatus::Completed);
    assert!(effects.iter().any(|effect| matches!(
        effect,
        Effect::InstanceCompleted { variables } if variables.get("result") == Some(&json!("ok"))
    )));

    // A second completion is refused and changes nothing.
    let before = state.clone();
    let error = apply(
        &process,
        &mut state,
        Command::CompleteJob {
            job_key,
            variables: Map::new(),
        },
        &mut context,
    )
    .unwrap_err();
    assert!(matches!(error, EngineError::InstanceNotActive { .. }));
    assert_eq!(state, before);
}

#[test]
fn unknown_job_leaves_the_state_unchanged() {
    let process = compiled();
    let mut context = Context {
        now: 0,
        next_key: 10,
        expressions: &FeelEvaluator::new(),
        decisions: &NoDecisions,
        instance_id: None,
    };
    let mut state = ProcessInstanceState::new(1, "p");
    apply(
        &process,
        &mut state,
        Command::StartInstance {
            variables: Map::new(),
            start_element: None,
        },
        &mut context,
    )
    .expect("starts");
    let before = state.clone();
    let error = apply(
        &process,
        &mut state,
        Command::CompleteJob {
            job_key: 9_999,
            variables: Map::new(),
        },
        &mut context,
    )
    .unwrap_err();
    assert_eq!(error, EngineError::JobNotFound { job_key: 9_999 });
    assert_eq!(state, before);
    assert!(error.to_string().contains("9999"));
}

#[test]
fn starting_at_a_non_start_element_names_it() {
    let process = compiled();
    let mut context = Context {
        now: 0,
        next_key: 1,
        expressions: &FeelEvaluator::new(),
        decisions: &NoDecisions,
        instance_id: None,
    };
    let mut state = ProcessInstanceState::new(1, "p");
    let error = apply(
        &process,
        &mut state,
        Command::StartInstance {
            variables: Map::new(),
            start_element: Some("work".into()),
        },
        &mut context,
    )
    .unwrap_err();
    assert!(error.to_string().contains("\"work\""), "{error}");
    assert_eq!(state.status, InstanceStatus::Created);
}

const RULE_MODEL: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="rules" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:businessRuleTask id="rate">
      <bpmn:extensionElements><zeebe:calledDecision decisionId="risk" resultVariable="risk" /></bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="rate" />
    <bpmn:sequenceFlow id="f2" sourceRef="rate" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

/// One evaluation: decision id, instance key, instance id, element id.
type Evaluated = (String, u64, Option<String>, String);

/// Records where each decision was evaluated.
#[derive(Default)]
struct RecordingDecisions(Mutex<Vec<Evaluated>>);

impl DecisionEvaluator for RecordingDecisions {
    fn evaluate_decision(
        &self,
        decision_id: &str,
        _scope: &dyn VariableScope,
        site: &DecisionSite<'_>,
    ) -> Result<Value, DecisionError> {
        self.0.lock().expect("not poisoned").push((
            decision_id.to_owned(),
            site.instance_key,
            site.instance_id.map(str::to_owned),
            site.element_id.to_owned(),
        ));
        Ok(json!("low"))
    }
}

#[test]
fn decisions_learn_the_instance_and_the_business_rule_task() {
    let definitions = flowdesk_model::bpmn::parse(RULE_MODEL).expect("the test model is valid");
    let process =
        CompiledProcess::compile(&definitions, &definitions.processes[0]).expect("it compiles");
    let decisions = RecordingDecisions::default();
    let mut context = Context {
        now: 1_000,
        next_key: 8,
        expressions: &FeelEvaluator::new(),
        decisions: &decisions,
        instance_id: Some("instance-7"),
    };
    let mut state = ProcessInstanceState::new(7, "rules");
    apply(
        &process,
        &mut state,
        Command::StartInstance {
            variables: Map::new(),
            start_element: None,
        },
        &mut context,
    )
    .expect("starts");
    assert_eq!(state.status, InstanceStatus::Completed);
    assert_eq!(state.variables.get("risk"), Some(&json!("low")));
    assert_eq!(
        *decisions.0.lock().expect("not poisoned"),
        [(
            "risk".to_owned(),
            7,
            Some("instance-7".to_owned()),
            "rate".to_owned()
        )]
    );
}
