//! Live updates over a real socket: GET /api/events read with reqwest while
//! instances start, tasks are claimed and incidents raised; resuming with
//! Last-Event-ID; what a caller may not read stays out of the stream; a
//! history row committed after a higher seq (PostgreSQL) is still delivered.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use flowdesk_store::{dual_test, history, roles, Dialect, Store};
use serde_json::{json, Value};

use crate::common::*;

const REVIEW: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="approve" name="Approve" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

const SHIP: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="ship" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="label">
      <bpmn:extensionElements><zeebe:taskDefinition type="print-label" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="label" />
    <bpmn:sequenceFlow id="f2" sourceRef="label" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

/// The Router on a real socket.
async fn serve(store: &Store) -> (axum::Router, String) {
    let app = app(store);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = app.clone();
    tokio::spawn(async move { axum::serve(listener, served).await });
    (app, base)
}

fn cookie(auth: &Auth) -> String {
    match auth {
        Auth::Cookie(secret) => format!("flowdesk_session={secret}"),
        other => panic!("a session cookie, not {other:?}"),
    }
}

/// One open event stream.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

/// One server-sent event.
#[derive(Debug, Clone)]
struct Sse {
    id: String,
    data: Value,
}

impl Stream {
    async fn open(base: &str, auth: &Auth, query: &str, last_event_id: Option<&str>) -> Stream {
        let mut request = reqwest::Client::new()
            .get(format!("{base}/api/events{query}"))
            .header("cookie", cookie(auth));
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        Stream {
            response,
            buffer: String::new(),
        }
    }

    /// The next event, or `None` when none comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Sse> {
        let deadline = Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let mut id = String::new();
                let mut data = String::new();
                for line in frame.lines() {
                    if let Some(value) = line.strip_prefix("id:") {
                        id = value.trim().to_string();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim());
                    }
                }
                if !data.is_empty() {
                    return Some(Sse {
                        id,
                        data: serde_json::from_str(&data).unwrap(),
                    });
                }
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Ok(None)) => panic!("the stream ended"),
                Ok(Err(error)) => panic!("reading the stream failed: {error}"),
                Err(_) => return None,
            }
        }
    }

    /// Events until one satisfies `wanted` (within 10 s); all of them, that one last.
    async fn until(&mut self, wanted: impl Fn(&Value) -> bool) -> Vec<Sse> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = self.next(left).await.unwrap_or_else(|| {
                panic!(
                    "no wanted event within 10 s; saw {:?}",
                    seen.iter()
                        .map(|e: &Sse| e.data.clone())
                        .collect::<Vec<_>>()
                )
            });
            let done = wanted(&event.data);
            seen.push(event);
            if done {
                return seen;
            }
        }
    }
}

async fn deploy(app: &axum::Router, auth: &Auth, name: &str, xml: &str) {
    let reply = post_xml(app, &format!("/api/definitions?name={name}"), auth, xml).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
}

async fn start(app: &axum::Router, auth: &Auth, process: &str) -> String {
    let reply = post_json(app, "/api/instances", auth, json!({"process_id": process})).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["id"].as_str().unwrap().to_string()
}

fn is<'a>(kind: &'static str, instance: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |data: &Value| data["type"] == kind && data["instance_id"] == instance
}

dual_test!(async fn a_started_instance_and_its_task_reach_the_stream(store) {
    let (app, base) = serve(&store).await;
    let admin = setup_admin(&app).await;
    deploy(&app, &admin, "review.bpmn", REVIEW).await;
    let mut stream = Stream::open(&base, &admin, "", None).await;
    let ready = stream.next(Duration::from_secs(10)).await.expect("the ready event");
    assert_eq!(ready.data["type"], "ready");

    let instance = start(&app, &admin, "review").await;
    let events = stream.until(is("task.created", &instance)).await;
    let created = events.last().unwrap();
    assert_eq!(created.data["process_id"], "review");
    assert_eq!(created.data["element_id"], "approve");
    assert_eq!(created.data["state"], "active");
    let key = created.data["key"].as_i64().expect("the task key");
    assert!(events.iter().any(|e| is("instance", &instance)(&e.data)), "{events:?}");
    let (resume, seq) = created.id.split_once(':').expect("RESUME:SEQ");
    assert_eq!(seq, created.data["seq"].to_string());
    assert!(resume.parse::<i64>().unwrap() <= seq.parse::<i64>().unwrap());

    let claimed = post_json(&app, &format!("/api/tasks/{key}/claim"), &admin, json!({})).await;
    assert_eq!(claimed.status, StatusCode::OK);
    let events = stream.until(is("task.claimed", &instance)).await;
    assert_eq!(events.last().unwrap().data["key"], key);

    let done = post_json(&app, &format!("/api/tasks/{key}/complete"), &admin, json!({})).await;
    assert_eq!(done.status, StatusCode::OK);
    let events = stream.until(|d| d["type"] == "instance" && d["instance_id"] == instance.as_str() && d["state"] == "completed").await;
    assert!(events.iter().any(|e| is("task.completed", &instance)(&e.data)), "{events:?}");
    // The claim is in the instance's history too.
    let history = get(&app, &format!("/api/instances/{instance}/history"), &admin).await.json();
    assert!(history.as_array().unwrap().iter().any(|e| e["kind"] == "taskClaimed"), "{history}");
});

dual_test!(async fn a_filtered_stream_passes_only_its_instance_and_kinds(store) {
    let (app, base) = serve(&store).await;
    let admin = setup_admin(&app).await;
    deploy(&app, &admin, "review.bpmn", REVIEW).await;
    deploy(&app, &admin, "ship.bpmn", SHIP).await;
    let mut ships = Stream::open(&base, &admin, "?process_id=ship&types=job,incident", None).await;
    let _ready = ships.next(Duration::from_secs(10)).await.unwrap();
    let review = start(&app, &admin, "review").await;
    let ship = start(&app, &admin, "ship").await;
    let events = ships.until(is("job.created", &ship)).await;
    assert!(events.iter().all(|e| e.data["process_id"] == "ship" && e.data["type"] != "instance"), "{events:?}");
    assert!(!events.iter().any(|e| e.data["instance_id"] == review.as_str()));

    let reply = post_json(&app, "/api/jobs/activate", &admin, json!({"type": "print-label", "worker": "w"})).await;
    let job = reply.json()["jobs"][0]["key"].as_i64().unwrap();
    let failed = post_json(&app, &format!("/api/jobs/{job}/fail"), &admin, json!({"retries": 0, "error_message": "no printer"})).await;
    assert_eq!(failed.status, StatusCode::OK);
    let events = ships.until(is("incident.raised", &ship)).await;
    let raised = events.last().unwrap();
    assert_eq!(raised.data["state"], "incident");
    let incident = raised.data["key"].as_i64().expect("the incident key");
    let resolved = post_json(&app, &format!("/api/incidents/{incident}/resolve"), &admin, json!({})).await;
    assert_eq!(resolved.status, StatusCode::OK);
    ships.until(is("incident.resolved", &ship)).await;
});

dual_test!(async fn a_stream_resumes_after_its_last_event_id(store) {
    let (app, base) = serve(&store).await;
    let admin = setup_admin(&app).await;
    deploy(&app, &admin, "review.bpmn", REVIEW).await;
    let first = {
        let mut stream = Stream::open(&base, &admin, "?types=task", None).await;
        let _ready = stream.next(Duration::from_secs(10)).await.unwrap();
        let first = start(&app, &admin, "review").await;
        let events = stream.until(is("task.created", &first)).await;
        (first, events.last().unwrap().id.clone())
    };
    // Disconnected (the stream was dropped): two more instances start.
    let second = start(&app, &admin, "review").await;
    let third = start(&app, &admin, "review").await;
    let mut resumed = Stream::open(&base, &admin, "?types=task", Some(&first.1)).await;
    let events = resumed.until(is("task.created", &third)).await;
    let created: Vec<&Value> = events.iter().map(|e| &e.data["instance_id"]).collect();
    assert!(created.contains(&&json!(second)), "{events:?}");
    assert!(events.iter().all(|e| e.data["type"] == "ready" || e.data["type"] == "task.created"));

    // The same through the query parameter (what a new EventSource sends).
    let mut by_query = Stream::open(&base, &admin, &format!("?types=task&last_event_id={}", first.1), None).await;
    let events = by_query.until(is("task.created", &third)).await;
    assert!(events.iter().any(|e| is("task.created", &second)(&e.data)));

    // Malformed ids and filters: 400 naming the problem.
    let reply = send(&app, axum::http::Method::GET, "/api/events?last_event_id=soon", &admin, None, axum::body::Body::empty()).await;
    let problem = reply.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("last_event_id"), "{problem}");
    let reply = get(&app, "/api/events?types=task,weather", &admin).await;
    let problem = reply.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("weather"), "{problem}");
    let refused = reqwest::Client::new()
        .get(format!("{base}/api/events"))
        .header("cookie", cookie(&admin))
        .header("last-event-id", "12:x:y")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::OK, "only the part before the first colon counts");
    let refused = reqwest::Client::new()
        .get(format!("{base}/api/events"))
        .header("cookie", cookie(&admin))
        .header("last-event-id", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let problem: Value = refused.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("Last-Event-ID"), "{problem}");

    // Without credentials: 401 like every route.
    let anonymous = reqwest::get(format!("{base}/api/events")).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
});

dual_test!(async fn callers_without_instance_read_get_no_changes(store) {
    let (app, base) = serve(&store).await;
    let admin = setup_admin(&app).await;
    let mut tx = store.begin().await.unwrap();
    roles::insert(&mut tx, "designer-lite", "reads definitions only").await.unwrap();
    roles::grant(&mut tx, "designer-lite", "definition:read").await.unwrap();
    tx.commit().await.unwrap();
    let outsider = user_with_role(&app, &admin, "designer-lite").await;
    deploy(&app, &admin, "review.bpmn", REVIEW).await;

    let mut theirs = Stream::open(&base, &outsider, "", None).await;
    let mut mine = Stream::open(&base, &admin, "", None).await;
    assert_eq!(theirs.next(Duration::from_secs(10)).await.unwrap().data["type"], "ready");
    let _ready = mine.next(Duration::from_secs(10)).await.unwrap();
    let instance = start(&app, &admin, "review").await;
    mine.until(is("task.created", &instance)).await;
    // The admin's stream has had it; the outsider's, fed by the same
    // tailer batch, has nothing.
    assert!(theirs.next(Duration::from_millis(1500)).await.is_none());
});

dual_test!(async fn a_grant_on_one_process_passes_only_its_changes(store) {
    let (app, base) = serve(&store).await;
    let admin = setup_admin(&app).await;
    let mut tx = store.begin().await.unwrap();
    roles::insert(&mut tx, "review-desk", "reads the review process only").await.unwrap();
    roles::insert_grant(
        &mut tx,
        &roles::ResourceGrant {
            id: flowdesk_store::new_id(),
            role: "review-desk".into(),
            permission: "instance:read".into(),
            resource_type: "process".into(),
            resource_id: "review".into(),
            created_at: 0,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let reviewer = user_with_role(&app, &admin, "review-desk").await;
    deploy(&app, &admin, "review.bpmn", REVIEW).await;
    deploy(&app, &admin, "ship.bpmn", SHIP).await;

    let mut theirs = Stream::open(&base, &reviewer, "", None).await;
    let _ready = theirs.next(Duration::from_secs(10)).await.unwrap();
    let ship = start(&app, &admin, "ship").await;
    let review = start(&app, &admin, "review").await;
    let events = theirs.until(is("task.created", &review)).await;
    assert!(events.iter().all(|e| e.data["process_id"] == "review"), "{events:?}");
    assert!(!events.iter().any(|e| e.data["instance_id"] == ship.as_str()));
    // The ship instance's job came first; nothing of it is left behind either.
    assert!(theirs.next(Duration::from_millis(1000)).await.is_none());
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_committing_lower_seq_is_still_delivered_postgres() {
    flowdesk_store::test_support::run(Dialect::Postgres, |store: Store| async move {
        let (app, base) = serve(&store).await;
        let admin = setup_admin(&app).await;
        deploy(&app, &admin, "review.bpmn", REVIEW).await;
        let first = start(&app, &admin, "review").await;
        let mut stream = Stream::open(&base, &admin, &format!("?instance_id={first}"), None).await;
        let _ready = stream.next(Duration::from_secs(10)).await.unwrap();

        // A command that took its seq, then took long to commit.
        let mut slow = store.begin().await.unwrap();
        history::append(
            &mut slow,
            &first,
            1,
            "elementActivated",
            Some("approve"),
            "{}",
        )
        .await
        .unwrap();
        let (late_seq,): (i64,) = {
            use sqlx::Row;
            let row = sqlx::query("SELECT MAX(seq) AS seq FROM history")
                .fetch_one(&mut *slow)
                .await
                .unwrap();
            (row.try_get("seq").unwrap(),)
        };
        // Meanwhile later seqs commit and are delivered.
        let key = {
            let tasks = get(&app, "/api/tasks", &admin).await.json();
            tasks[0]["key"].as_i64().unwrap()
        };
        assert_eq!(
            post_json(&app, &format!("/api/tasks/{key}/claim"), &admin, json!({}))
                .await
                .status,
            StatusCode::OK
        );
        let claimed = stream.until(is("task.claimed", &first)).await;
        let claimed = claimed.last().unwrap();
        assert!(claimed.data["seq"].as_i64().unwrap() > late_seq);
        let (resume, _) = claimed.id.split_once(':').unwrap();
        assert!(
            resume.parse::<i64>().unwrap() < late_seq,
            "the resume point waits below the open seq: {}",
            claimed.id
        );

        slow.commit().await.unwrap();
        let events = stream.until(|d| d["seq"] == late_seq).await;
        assert_eq!(events.last().unwrap().data["type"], "instance");

        // A client that saw the claim but not the late row gets it on resume.
        let mut resumed = Stream::open(
            &base,
            &admin,
            &format!("?instance_id={first}"),
            Some(&claimed.id),
        )
        .await;
        resumed.until(|d| d["seq"] == late_seq).await;
    })
    .await;
}
