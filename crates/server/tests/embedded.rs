//! The workflow commands of the real binary in embedded mode (the engine in
//! the command's process) on both databases: deploy, start (with --await),
//! publish, instances, incidents, variables, modify, cancel and resolve,
//! with --json parsed and with tables.

mod common;

use common::*;
use flowdesk_store::dual_test;
use serde_json::json;

const ORDER_APPROVAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../model/tests/fixtures/order-approval.bpmn"
);

dual_test!(async fn deploy_start_and_list_in_embedded_mode(store) {
    let url = db_url(&store).await;
    let deployed = json(&flowdesk(&["deploy", ORDER_APPROVAL, "--db", &url, "--json"]));
    assert_eq!(deployed[0]["process_id"], "order-approval");
    assert_eq!(deployed[0]["version"], 1);
    let table = String::from_utf8_lossy(&flowdesk(&["deploy", ORDER_APPROVAL, "--db", &url]).stdout).to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("ID") && lines[0].contains("PROCESS") && lines[0].contains("VERSION"), "{table}");
    assert!(lines[1].contains("order-approval") && lines[1].contains("order-approval.bpmn"), "{table}");

    let started = json(&flowdesk(&[
        "start", "order-approval", "--vars", r#"{"amount": 10}"#, "--db", &url, "--json",
    ]));
    assert_eq!(started["state"], "active", "waits at the check-order job");
    assert_eq!(started["variables"]["amount"], 10);

    let listed = json(&flowdesk(&["instances", "--process", "order-approval", "--db", &url, "--json"]));
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["id"], started["id"]);
    let none = json(&flowdesk(&["instances", "--process", "other", "--db", &url, "--json"]));
    assert_eq!(none, json!([]));
    let incidents = json(&flowdesk(&["incidents", "--db", &url, "--json"]));
    assert_eq!(incidents, json!([]));

    let (_, stderr) = flowdesk_fails(&["start", "order-approval", "--vars", "[1]", "--db", &url]);
    assert!(stderr.contains("--vars must be a JSON object"), "{stderr}");
    let (_, stderr) = flowdesk_fails(&["start", "nowhere", "--db", &url]);
    assert!(stderr.contains("Not found") && stderr.contains("no process nowhere is deployed"), "{stderr}");
});

dual_test!(async fn start_await_publish_and_incidents_in_embedded_mode(store) {
    let url = db_url(&store).await;
    let dir = TempDir::new("embedded");
    let payment = dir.write("payment.bpmn", PAYMENT);
    let gate = dir.write("gate.bpmn", GATE);
    flowdesk(&["deploy", &payment, &gate, "--db", &url]);

    // Waiting for a message that does not come: the time is up, exit 1,
    // and the current state is printed all the same.
    let (pending, stderr) = flowdesk_fails(&[
        "start", "payment", "--vars", r#"{"orderId": "o-1"}"#, "--await", "0.3", "--db", &url, "--json",
    ]);
    assert_eq!(pending.status.code(), Some(1));
    assert!(stderr.contains("still active after 0.3 seconds"), "{stderr}");
    let pending = json(&pending);
    assert_eq!(pending["state"], "active");

    let published = json(&flowdesk(&[
        "publish", "payment", "--key", "o-1", "--vars", r#"{"paid": true}"#, "--db", &url, "--json",
    ]));
    assert_eq!(published, json!({"instances": [pending["id"]]}));
    let text = String::from_utf8_lossy(&flowdesk(&["publish", "payment", "--key", "o-2", "--db", &url]).stdout).to_string();
    assert!(text.contains("correlated to 0 instance(s)"), "{text}");

    let instances = json(&flowdesk(&["instances", "--process", "payment", "--db", &url, "--json"]));
    assert_eq!(instances[0]["state"], "completed");

    // With a time to live the message waits for the instance that needs it.
    let kept = json(&flowdesk(&["publish", "payment", "--key", "o-3", "--ttl-ms", "60000", "--db", &url, "--json"]));
    assert_eq!(kept, json!({"instances": []}));
    let late = json(&flowdesk(&["start", "payment", "--vars", r#"{"orderId": "o-3"}"#, "--await", "10", "--db", &url, "--json"]));
    assert_eq!(late["state"], "completed");
    assert_eq!(instances[0]["variables"], json!({"orderId": "o-1", "paid": true}));

    // Through the gateway at once: --await prints the final state and variables.
    let done = json(&flowdesk(&["start", "gate", "--vars", r#"{"amount": 50}"#, "--await", "10", "--db", &url, "--json"]));
    assert_eq!(done["state"], "completed");
    assert_eq!(done["variables"], json!({"amount": 50}));
    let table = String::from_utf8_lossy(&flowdesk(&["start", "gate", "--vars", r#"{"amount": 60}"#, "--await", "10", "--db", &url]).stdout).to_string();
    assert!(table.contains("completed") && table.contains("VARIABLE") && table.contains("amount") && table.contains("60"), "{table}");

    // No flow fits: an incident, which ends the wait too.
    let stuck = json(&flowdesk(&["start", "gate", "--vars", r#"{"amount": 1}"#, "--await", "10", "--db", &url, "--json"]));
    assert_eq!(stuck["state"], "incident");
    assert_eq!(stuck["open_incidents"], 1);
    let incidents = json(&flowdesk(&["incidents", "--db", &url, "--json"]));
    assert_eq!(incidents.as_array().map(Vec::len), Some(1));
    assert_eq!(incidents[0]["instance_id"], stuck["id"]);
    assert_eq!(incidents[0]["element_id"], "big_enough");
    let of_other = json(&flowdesk(&["incidents", "--instance", pending["id"].as_str().unwrap(), "--db", &url, "--json"]));
    assert_eq!(of_other, json!([]));
    let in_incident = json(&flowdesk(&["instances", "--state", "incident", "--db", &url, "--json"]));
    assert_eq!(in_incident.as_array().map(Vec::len), Some(1));
    assert_eq!(in_incident[0]["id"], stuck["id"]);
    let table = String::from_utf8_lossy(&flowdesk(&["incidents", "--db", &url]).stdout).to_string();
    assert!(table.starts_with("KEY") && table.contains("big_enough"), "{table}");
});

dual_test!(async fn operate_instances_in_embedded_mode(store) {
    let url = db_url(&store).await;
    let dir = TempDir::new("operate");
    let gate = dir.write("gate.bpmn", GATE);
    let payment = dir.write("payment.bpmn", PAYMENT);
    flowdesk(&["deploy", &gate, &payment, "--db", &url]);

    // Stuck at the gateway: fix the variable, resolve, and the gateway runs again.
    let stuck = json(&flowdesk(&["start", "gate", "--vars", r#"{"amount": 1}"#, "--db", &url, "--json"]));
    assert_eq!(stuck["state"], "incident");
    let id = stuck["id"].as_str().unwrap();
    assert_eq!(json(&flowdesk(&["variables", id, "--db", &url, "--json"])), json!({"amount": 1}));
    let set = json(&flowdesk(&["variables", id, "--set", r#"{"amount": 50, "note": "raised"}"#, "--db", &url, "--json"]));
    assert_eq!(set, json!({"amount": 50, "note": "raised"}));
    let table = String::from_utf8_lossy(&flowdesk(&["variables", id, "--db", &url]).stdout).to_string();
    assert!(table.starts_with("VARIABLE") && table.contains("note") && table.contains("\"raised\""), "{table}");
    let incidents = json(&flowdesk(&["incidents", "--instance", id, "--db", &url, "--json"]));
    let key = incidents[0]["key"].to_string();
    assert_eq!(json(&flowdesk(&["resolve", &key, "--db", &url, "--json"])), json!({"outcome": "applied"}));
    let gates = json(&flowdesk(&["instances", "--process", "gate", "--db", &url, "--json"]));
    assert_eq!(gates[0]["state"], "completed");
    assert_eq!(json(&flowdesk(&["incidents", "--instance", id, "--db", &url, "--json"])), json!([]));
    // Resolving it again changes nothing.
    let again = String::from_utf8_lossy(&flowdesk(&["resolve", &key, "--db", &url]).stdout).to_string();
    assert!(again.contains("already-done"), "{again}");

    // Waiting for a message: an activated end event does not end the
    // instance while the catch event still waits; cancel ends it.
    let waiting = json(&flowdesk(&["start", "payment", "--vars", r#"{"orderId": "o-9"}"#, "--db", &url, "--json"]));
    let waiting_id = waiting["id"].as_str().unwrap();
    let modified = json(&flowdesk(&[
        "modify", waiting_id, "--activate", "end", "--vars", r#"{"by": "operator"}"#, "--db", &url, "--json",
    ]));
    assert_eq!(modified["state"], "active");
    assert_eq!(modified["variables"], json!({"orderId": "o-9", "by": "operator"}));
    let (_, refused) = flowdesk_fails(&["modify", waiting_id, "--activate", "no_such_element", "--db", &url]);
    assert!(refused.contains("no_such_element"), "{refused}");
    let (_, empty) = flowdesk_fails(&["modify", waiting_id, "--db", &url]);
    assert!(empty.contains("--activate"), "{empty}");
    let cancelled = json(&flowdesk(&["cancel", waiting_id, "--db", &url, "--json"]));
    assert_eq!(cancelled["state"], "cancelled");
    let (_, twice) = flowdesk_fails(&["cancel", waiting_id, "--db", &url]);
    assert!(twice.contains(waiting_id) && twice.contains("is cancelled; it takes no more commands"), "{twice}");
    let (_, bad) = flowdesk_fails(&["variables", waiting_id, "--set", "[1]", "--db", &url]);
    assert!(bad.contains("--set"), "{bad}");
});
