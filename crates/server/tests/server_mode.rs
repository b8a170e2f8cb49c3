//! The workflow commands of the real binary against a real `flowdesk serve`
//! (`--server URL`, the token from `--token-file` or `FLOWDESK_TOKEN`), on
//! both databases.

mod common;

use std::time::{Duration, Instant};

use common::*;
use flowdesk_store::dual_test;
use serde_json::{json, Value};

/// Starts `flowdesk serve` on `db` and waits until it is ready.
async fn serve_db(db: &str, dir: &TempDir) -> (Server, String) {
    let address = format!("127.0.0.1:{}", free_port());
    let log_path = dir.path().join("server.log");
    serve(
        &["serve", "--db", db, "--listen", &address],
        &address,
        &log_path,
    )
    .await
}

/// Activates one job of `job_type` through the API, waiting with a deadline
/// until the starting command has created it.
async fn activate_one(base: &str, token: &str, job_type: &str) -> Value {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer: Value = client
            .post(format!("{base}/api/jobs/activate"))
            .bearer_auth(token)
            .json(&json!({"type": job_type, "worker": "test", "max_jobs": 1}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(job) = answer["jobs"]
            .as_array()
            .and_then(|jobs| jobs.first().cloned())
        {
            return job;
        }
        assert!(Instant::now() < deadline, "no {job_type} job in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

dual_test!(async fn workflow_commands_go_through_the_server(store) {
    let db = db_url(&store).await;
    let dir = TempDir::new("server-mode");
    let (_server, base) = serve_db(&db, &dir).await;
    let secret = api_token(&base, "cli test").await;
    let token_file = dir.write("token", &format!("{secret}\n"));
    let remote = |args: &[&str]| -> Vec<String> {
        let mut all: Vec<String> = vec!["--server".into(), base.clone(), "--token-file".into(), token_file.clone()];
        all.extend(args.iter().map(|a| a.to_string()));
        all
    };
    let run = |args: &[&str]| {
        let args = remote(args);
        flowdesk(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let payment = dir.write("payment.bpmn", PAYMENT);
    let gate = dir.write("gate.bpmn", GATE);
    let work = dir.write("work.bpmn", WORK);
    let deployed = json(&run(&["deploy", &payment, &gate, &work, "--json"]));
    let processes: Vec<&str> = deployed.as_array().unwrap().iter().filter_map(|d| d["process_id"].as_str()).collect();
    assert_eq!(processes, ["payment", "gate", "work"]);
    assert_eq!(deployed[0]["deployed_by"], "ada", "deployed as the token's user");

    // start --await returns when a worker has completed the job.
    let waiting = {
        let args = remote(&["start", "work", "--vars", r#"{"n": 1}"#, "--await", "60", "--json"]);
        std::thread::spawn(move || command(&args.iter().map(String::as_str).collect::<Vec<_>>()).output().unwrap())
    };
    let job = activate_one(&base, &secret, "work").await;
    let completed = reqwest::Client::new()
        .post(format!("{base}/api/jobs/{}/complete", job["key"]))
        .bearer_auth(&secret)
        .json(&json!({"variables": {"result": "ok"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(completed.status(), 200);
    let output = waiting.join().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let finished = json(&output);
    assert_eq!(finished["id"], job["instance_id"]);
    assert_eq!(finished["state"], "completed");
    assert_eq!(finished["variables"], json!({"n": 1, "result": "ok"}));

    let pending = json(&run(&["start", "payment", "--vars", r#"{"orderId": "o-7"}"#, "--json"]));
    assert_eq!(pending["state"], "active");
    let published = json(&run(&["publish", "payment", "--key", "o-7", "--vars", r#"{"paid": true}"#, "--json"]));
    assert_eq!(published, json!({"instances": [pending["id"]]}));
    let payments = json(&run(&["instances", "--process", "payment", "--json"]));
    assert_eq!(payments[0]["state"], "completed");
    assert_eq!(payments[0]["variables"], json!({"orderId": "o-7", "paid": true}));

    let stuck = json(&run(&["start", "gate", "--vars", r#"{"amount": 1}"#, "--await", "10", "--json"]));
    assert_eq!(stuck["state"], "incident");
    let incidents = json(&run(&["incidents", "--json"]));
    assert_eq!(incidents.as_array().map(Vec::len), Some(1));
    assert_eq!(incidents[0]["instance_id"], stuck["id"]);
    let table = String::from_utf8_lossy(&run(&["instances"]).stdout).to_string();
    assert!(table.starts_with("ID") && table.contains("incident") && table.contains("completed"), "{table}");

    // The token may come from FLOWDESK_TOKEN instead of a file.
    let from_env = command(&["--server", &base, "instances", "--state", "incident", "--json"])
        .env("FLOWDESK_TOKEN", &secret)
        .output()
        .unwrap();
    assert!(from_env.status.success(), "{}", String::from_utf8_lossy(&from_env.stderr));
    assert_eq!(json(&from_env)[0]["id"], stuck["id"]);

    // The operator's commands through the API: fix the variable, resolve.
    let stuck_id = stuck["id"].as_str().unwrap();
    assert_eq!(json(&run(&["variables", stuck_id, "--json"])), json!({"amount": 1}));
    assert_eq!(json(&run(&["variables", stuck_id, "--set", r#"{"amount": 20}"#, "--json"])), json!({"amount": 20}));
    let key = incidents[0]["key"].to_string();
    assert_eq!(json(&run(&["resolve", &key, "--json"])), json!({"outcome": "applied"}));
    let gates = json(&run(&["instances", "--process", "gate", "--json"]));
    assert_eq!(gates[0]["state"], "completed");
    let other = json(&run(&["start", "payment", "--vars", r#"{"orderId": "o-8"}"#, "--json"]));
    let other_id = other["id"].as_str().unwrap();
    assert_eq!(json(&run(&["modify", other_id, "--activate", "end", "--json"]))["state"], "active");
    assert_eq!(json(&run(&["cancel", other_id, "--json"]))["state"], "cancelled");

    // Errors: the problem's title and detail, exit status non-zero.
    let (_, stderr) = flowdesk_fails(&["--server", &base, "instances"]);
    assert!(stderr.contains("FLOWDESK_TOKEN"), "{stderr}");
    let bad_token = dir.write("bad-token", "fd_not-a-token\n");
    let (_, stderr) = flowdesk_fails(&["--server", &base, "--token-file", &bad_token, "instances"]);
    assert!(stderr.contains("Not signed in"), "{stderr}");
    let args = remote(&["start", "nowhere"]);
    let (_, stderr) = flowdesk_fails(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(stderr.contains("Not found") && stderr.contains("no process nowhere is deployed"), "{stderr}");
    let broken = dir.write("broken.bpmn", "<bpmn:definitions");
    let args = remote(&["deploy", &broken]);
    let (_, stderr) = flowdesk_fails(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(stderr.contains("Invalid BPMN model"), "{stderr}");
});
