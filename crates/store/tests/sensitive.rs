//! Sensitive process variables on both databases: sealed in every column
//! they reach, opened for the engine (conditions, jobs, crash recovery),
//! re-sealed by a rotation, and refused without a master key.

use flowdesk_store::data_keys::{self, DataKeyRecord};
use flowdesk_store::decision_history::{self, DecisionEvaluation};
use flowdesk_store::definitions::{self, Definition, Kind, NewDefinition};
use flowdesk_store::sensitive::{
    self, NamePattern, Sealer, SensitiveVariables, DECISION_RESULTS, DECISION_TRACES,
    INSTANCE_STATES, INSTANCE_VARIABLES, JOB_VARIABLES, MESSAGE_VARIABLES,
};
use flowdesk_store::test_support::TestDb;
use flowdesk_store::workflow::{JobOutcome, Workflow, WorkflowError};
use flowdesk_store::{dual_test, history, instances, Dialect, Store, StoreError};
use flowdesk_vault::{sealed_version, DataKey, SEALED_PREFIX};
use serde_json::{json, Map, Value};
use sqlx::Row;

/// A service task, then a gateway deciding on the sensitive `apiPassword`
/// (so the engine must see it in plain text after reading its state back).
const DELIVERY: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="delivery" isExecutable="true">
    <bpmn:extensionElements><zeebe:properties>
      <zeebe:property name="flowdesk:sensitive" value="apiPassword, card*" />
    </zeebe:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="deliver">
      <bpmn:extensionElements><zeebe:taskDefinition type="deliver" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:exclusiveGateway id="check" default="to_refused" />
    <bpmn:endEvent id="accepted" />
    <bpmn:endEvent id="refused" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="deliver" />
    <bpmn:sequenceFlow id="f2" sourceRef="deliver" targetRef="check" />
    <bpmn:sequenceFlow id="to_accepted" sourceRef="check" targetRef="accepted">
      <bpmn:conditionExpression>=apiPassword = "open-sesame-4711" and cardNumber.last4 = "1234"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_refused" sourceRef="check" targetRef="refused" />
  </bpmn:process>
</bpmn:definitions>"#;

const T0: i64 = 1_700_000_000_000;
const PASSWORD: &str = "open-sesame-4711";
const CARD: &str = "4111-card-5566";
const REGION: &str = "eu-central-region-9";
const CUSTOMER: &str = "visible-customer-name";

fn configured(store: Store) -> Store {
    store.with_sensitive_variables(SensitiveVariables::new(vec![NamePattern::parse(
        "*_secret",
    )
    .expect("pattern")]))
}

async fn deploy(store: &Store) -> Definition {
    let mut tx = store.begin().await.unwrap();
    let (definition, _) = definitions::deploy(
        &mut tx,
        &NewDefinition {
            kind: Kind::Bpmn,
            process_id: "delivery",
            name: "Delivery",
            resource_name: "delivery.bpmn",
            content: DELIVERY,
            deployed_at: T0,
            deployed_by: "test",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    definition
}

fn start_variables() -> Map<String, Value> {
    json!({
        "apiPassword": PASSWORD,
        "cardNumber": {"number": CARD, "last4": "1234"},
        "region_secret": REGION,
        "customer": CUSTOMER,
    })
    .as_object()
    .cloned()
    .unwrap()
}

async fn start(workflow: &Workflow, definition: &Definition) -> Result<String, WorkflowError> {
    let mut tx = workflow.begin().await?;
    let instance = workflow
        .start_instance(&mut tx, definition, start_variables(), "test", T0)
        .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(instance.id)
}

/// Every text of the rows holding variables, as stored.
async fn stored_texts(store: &Store) -> Vec<String> {
    let mut texts = Vec::new();
    for sql in [
        "SELECT variables AS t FROM instances",
        "SELECT state_json AS t FROM instances",
        "SELECT variables AS t FROM jobs",
        "SELECT variables AS t FROM messages",
        "SELECT detail AS t FROM history",
        "SELECT result AS t FROM decision_evaluations",
        "SELECT trace AS t FROM decision_evaluations",
    ] {
        for row in sqlx::query(sql).fetch_all(store.pool()).await.unwrap() {
            texts.push(
                row.try_get::<Option<String>, _>("t")
                    .unwrap()
                    .unwrap_or_default(),
            );
        }
    }
    texts
}

fn assert_sealed(texts: &[String]) {
    let all = texts.join("\n");
    for secret in [PASSWORD, CARD, REGION] {
        assert!(
            !all.contains(secret),
            "{secret} stored in plain text:\n{all}"
        );
    }
    assert!(all.contains(CUSTOMER), "the plain variable is stored as is");
    assert!(all.contains(SEALED_PREFIX));
}

fn sealed_versions(value: &Value, versions: &mut Vec<u32>) {
    match value {
        Value::String(text) => versions.extend(sealed_version(text)),
        Value::Array(items) => items
            .iter()
            .for_each(|item| sealed_versions(item, versions)),
        Value::Object(members) => members.values().for_each(|v| sealed_versions(v, versions)),
        _ => {}
    }
}

async fn versions_in_store(store: &Store) -> Vec<u32> {
    let mut versions = Vec::new();
    for text in stored_texts(store).await {
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            sealed_versions(&value, &mut versions);
        }
    }
    versions
}

dual_test!(async fn sensitive_variables_are_sealed_opened_for_the_engine_and_resealed(store) {
    let store = configured(store);
    let workflow = Workflow::new(store.clone());
    let definition = deploy(&store).await;
    let instance_id = start(&workflow, &definition).await.unwrap();

    // Buffered message: only the server's patterns apply to it.
    let mut tx = workflow.begin().await.unwrap();
    let message_variables = json!({"bank_secret": "iban-secret-777", "note": "plain-note"});
    workflow
        .publish_message(
            &mut tx,
            "later",
            "k",
            message_variables.as_object().cloned().unwrap(),
            60_000,
            T0,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // A business rule task's decision evaluation: the inputs and result
    // members named like the process's sensitive variables are sealed.
    let names = store.sensitive().of_process(&store, "delivery").await.unwrap();
    assert!(names.matches("apiPassword") && names.matches("cardNumber") && names.matches("x_secret"));
    let unknown = store.sensitive().of_process(&store, "no-such-process").await.unwrap();
    assert!(!unknown.matches("apiPassword") && unknown.matches("x_secret"));
    let every = store.sensitive().of_every_process(&store).await.unwrap();
    assert!(every.matches("apiPassword") && every.matches("cardNumber") && !every.matches("customer"));
    let sealer = Sealer::new(&store, names);
    let evaluation_id = "evaluation-1";
    let decision_trace = json!({"decisions": [{"id": "screen", "inputs": {
        "apiPassword": PASSWORD, "region_secret": REGION, "customer": CUSTOMER,
    }, "output": "trusted"}], "fetches": []});
    let decision_result = json!({"verdict": "trusted", "cardNumber": CARD});
    decision_history::insert(store.pool(), &DecisionEvaluation {
        id: evaluation_id.into(),
        decision_id: "screen".into(),
        decision_name: "Screen".into(),
        definition_id: None,
        version: None,
        instance_id: Some(instance_id.clone()),
        element_id: Some("screen_task".into()),
        evaluated_at: T0,
        result: sealer.seal(&DECISION_RESULTS, evaluation_id, decision_result.clone()).unwrap(),
        trace: sealer.seal(&DECISION_TRACES, evaluation_id, decision_trace.clone()).unwrap(),
    })
    .await
    .unwrap();

    let texts = stored_texts(&store).await;
    assert_sealed(&texts);
    assert!(!texts.join("\n").contains("iban-secret-777"));
    assert!(texts.join("\n").contains("plain-note"));

    // Opened on read: exactly what was started with.
    let stored = instances::find(store.pool(), &instance_id).await.unwrap().unwrap();
    let opened = sensitive::open_text(&store, &INSTANCE_VARIABLES, &instance_id, stored.variables.clone())
        .await
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&opened).unwrap(), Value::Object(start_variables()));
    // A sealed value opens only in its own row and column.
    assert!(sensitive::open_text(&store, &INSTANCE_VARIABLES, "another-row", stored.variables.clone())
        .await
        .is_err());
    assert!(sensitive::open_text(&store, &INSTANCE_STATES, &instance_id, stored.variables.clone())
        .await
        .is_err());
    let mut masked: Value = serde_json::from_str(&stored.variables).unwrap();
    sensitive::mask(&mut masked);
    assert_eq!(
        masked,
        json!({"apiPassword": "****", "cardNumber": "****", "region_secret": "****", "customer": CUSTOMER})
    );

    // The worker's job: sealed on disk, plain once opened.
    let mut jobs = workflow.activate_jobs("deliver", "w", 1, 30_000, T0 + 1).await.unwrap();
    let job = jobs.remove(0);
    assert!(!job.variables.contains(PASSWORD));
    let job_variables = sensitive::open_text(&store, &JOB_VARIABLES, &job.key.to_string(), job.variables.clone())
        .await
        .unwrap();
    let job_variables: Value = serde_json::from_str(&job_variables).unwrap();
    assert_eq!(job_variables["apiPassword"], PASSWORD);
    assert_eq!(job_variables["cardNumber"]["number"], CARD);

    let message = sqlx::query("SELECT id, variables FROM messages").fetch_one(store.pool()).await.unwrap();
    let message_id: String = message.try_get("id").unwrap();
    let message_text: String = message.try_get("variables").unwrap();
    let opened = sensitive::open_text(&store, &MESSAGE_VARIABLES, &message_id, message_text).await.unwrap();
    assert_eq!(serde_json::from_str::<Value>(&opened).unwrap(), message_variables);

    // Rotation: a new data key; every sealed value moves under it and still opens.
    let keys = store.keys().unwrap().clone();
    assert!(versions_in_store(&store).await.iter().all(|v| *v == 1));
    let key = DataKey::generate();
    let mut tx = store.begin().await.unwrap();
    data_keys::change_state(&mut tx, data_keys::ACTIVE, data_keys::RETIRED, T0).await.unwrap();
    data_keys::insert(
        &mut tx,
        &DataKeyRecord {
            version: 2,
            wrapped: keys.master().wrap(2, &key),
            master_key_id: keys.master().id(),
            state: data_keys::ACTIVE.to_string(),
            created_at: T0,
            retired_at: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    keys.insert(2, key);
    keys.set_active(2).unwrap();
    let before = versions_in_store(&store).await.len() as u64;
    let resealed = sensitive::reseal(&store, &keys, 1).await.unwrap();
    assert_eq!(resealed, before, "every sealed value re-sealed once");
    assert!(
        before >= 12,
        "instance variables (3), state (3), job (3), the message and the evaluation (3): {before}"
    );
    let versions = versions_in_store(&store).await;
    assert!(versions.iter().all(|v| *v == 2), "{versions:?}");
    assert_eq!(sensitive::reseal(&store, &keys, 1).await.unwrap(), 0, "nothing left to re-seal");
    assert_sealed(&stored_texts(&store).await);
    // The evaluation, re-sealed too, opens in its own row and columns only.
    let evaluation = decision_history::find(store.pool(), evaluation_id).await.unwrap().unwrap();
    let opened = sensitive::open_text(&store, &DECISION_TRACES, evaluation_id, evaluation.trace.clone())
        .await
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&opened).unwrap(), decision_trace);
    let opened = sensitive::open_text(&store, &DECISION_RESULTS, evaluation_id, evaluation.result.clone())
        .await
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&opened).unwrap(), decision_result);
    assert!(sensitive::open_text(&store, &DECISION_RESULTS, evaluation_id, evaluation.trace.clone())
        .await
        .is_err());
    let mut masked: Value = serde_json::from_str(&evaluation.trace).unwrap();
    sensitive::mask(&mut masked);
    assert_eq!(masked["decisions"][0]["inputs"], json!({"apiPassword": "****", "region_secret": "****", "customer": CUSTOMER}));

    // The engine reads its sealed state back: the condition on the sensitive
    // variables holds, so the instance ends at `accepted`.
    let mut tx = workflow.begin().await.unwrap();
    let outcome = workflow
        .complete_job(&mut tx, job.key, json!({"card_secret": "cvc-321-secret"}).as_object().cloned().unwrap(), T0 + 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(outcome, JobOutcome::Applied);
    let done = instances::find(store.pool(), &instance_id).await.unwrap().unwrap();
    assert_eq!(done.state, "completed");
    let events = history::for_instance(store.pool(), &instance_id).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "elementCompleted" && e.element_id.as_deref() == Some("accepted")));
    assert!(!events.iter().any(|e| e.element_id.as_deref() == Some("refused")));
    let texts = stored_texts(&store).await;
    assert_sealed(&texts);
    assert!(!texts.join("\n").contains("cvc-321-secret"));
});

async fn refused_without_a_master_key(dialect: Dialect) {
    let db = TestDb::fresh(dialect).await;
    // The same database without data keys: no master key configured.
    let store = configured(Store::connect(&db.url).await.unwrap());
    let workflow = Workflow::new(store.clone());
    let definition = deploy(&store).await;
    let error = start(&workflow, &definition).await.expect_err("refused");
    let message = error.to_string();
    assert!(
        matches!(
            error,
            WorkflowError::Store(StoreError::EncryptionNotConfigured(_))
        ),
        "{error:?}"
    );
    assert!(message.contains("\"apiPassword\""), "{message}");
    assert!(message.contains("FLOWDESK_MASTER_KEY"), "{message}");
    assert!(!message.contains(PASSWORD), "{message}");
    let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM instances")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(count, 0, "nothing stored");

    // Variables no pattern names still run without a key.
    let mut tx = workflow.begin().await.unwrap();
    let plain = json!({"customer": CUSTOMER}).as_object().cloned().unwrap();
    let instance = workflow
        .start_instance(&mut tx, &definition, plain, "test", T0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Reading documents that hold nothing sealed needs no key either, for
    // those who may see values in the clear and those who see them masked.
    for unmask in [true, false] {
        let mut document = json!({"customer": CUSTOMER});
        sensitive::reveal(
            &store,
            &sensitive::JOB_VARIABLES,
            &instance.id,
            &mut document,
            unmask,
        )
        .await
        .expect("nothing to open");
        assert_eq!(document, json!({"customer": CUSTOMER}));
    }
    store.close().await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sensitive_variables_are_refused_without_a_master_key_sqlite() {
    refused_without_a_master_key(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sensitive_variables_are_refused_without_a_master_key_postgres() {
    refused_without_a_master_key(Dialect::Postgres).await;
}
