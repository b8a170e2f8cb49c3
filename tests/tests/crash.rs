//! Crash safety of durable execution (issue 5): `flowdesk serve` is killed
//! with SIGKILL several times while many instances of `crash.bpmn`
//! (service task `work` → timer `wait` (PT1S) → service task `finish` → end)
//! are running, and restarted each time on the same database. Job workers
//! run in the test (lease 2 s) and shrug off the server being away. In the
//! end every instance has completed, and its history shows every step
//! exactly once: nothing lost, nothing done twice. Once on SQLite, once on
//! PostgreSQL.
//!
//! `FLOWDESK_CRASH_INSTANCES` (default [`DEFAULT_INSTANCES`]) sets the
//! number of instances, `FLOWDESK_CRASH_SEED` the seed of the kill moments.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use flowdesk_e2e::{fixture, poll, Attempt, Postgres, Server, TestContext};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::task::JoinSet;

/// Instances started per test. Sized so one test takes well under 90 s on
/// the 2-core CI machine with the debug build.
const DEFAULT_INSTANCES: usize = 2000;
/// Seed of the kill moments unless `FLOWDESK_CRASH_SEED` is set.
const DEFAULT_SEED: u64 = 0x5eed_f10d_e5c0_ffee;
/// How often the server is killed and restarted.
const KILLS: usize = 4;
/// Job lease: a job leased by a worker that never answers is activatable again after it.
const LEASE_MS: u64 = 2_000;
/// Worker tasks per job type.
const WORKERS_PER_TYPE: usize = 2;
/// Jobs leased per activation.
const MAX_JOBS: usize = 25;
/// Jobs whose key is a multiple of this are abandoned on their first lease.
const ABANDON_EVERY: i64 = 37;
/// How often a completion the server did not answer is retried.
const MAX_COMPLETE_ATTEMPTS: u32 = 20;
/// Concurrent `POST /api/instances` while starting instances.
const START_CONCURRENCY: usize = 8;
/// Concurrent history reads in the final check.
const CHECK_CONCURRENCY: usize = 8;
/// How long any one phase (reaching a kill point, finishing) may take.
const PHASE_DEADLINE: Duration = Duration::from_secs(60);
/// The process id of `crash.bpmn`.
const PROCESS_ID: &str = "crash";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_recovery_on_sqlite() {
    let ctx = TestContext::new("crash_sqlite").expect("creating the log directory");
    let result = async {
        let dir = ctx.temp_dir("db")?;
        let url = format!("sqlite:{}", dir.path().join("flowdesk.db").display());
        run(&ctx, &url).await
    }
    .await;
    ctx.finish(result);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_recovery_on_postgres() {
    let ctx = TestContext::new("crash_postgres").expect("creating the log directory");
    let result = async {
        let database = Postgres::fresh_database().await?;
        run(&ctx, database.url()).await
    }
    .await;
    ctx.finish(result);
}

/// SplitMix64: a deterministic pseudo-random sequence from a seed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low).max(1)
    }
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> Result<T> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => value
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={value:?} is not a number")),
        _ => Ok(default),
    }
}

/// An HTTP client of the API with a bearer token.
#[derive(Clone)]
struct Api {
    base_url: String,
    token: String,
    http: reqwest::Client,
}

impl Api {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base_url))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(20))
    }

    /// A request whose answer must be 2xx JSON.
    async fn json(&self, request: reqwest::RequestBuilder, what: &str) -> Result<Value> {
        let response = request.send().await.with_context(|| what.to_owned())?;
        let status = response.status();
        let body = response.text().await.with_context(|| what.to_owned())?;
        if !status.is_success() {
            bail!("{what} answered {status}: {body}");
        }
        serde_json::from_str(&body).with_context(|| format!("{what} returned no JSON: {body}"))
    }

    async fn get(&self, path: &str) -> Result<Value> {
        self.json(
            self.request(reqwest::Method::GET, path),
            &format!("GET {path}"),
        )
        .await
    }
}

/// What the workers saw.
#[derive(Default)]
struct Stats {
    /// Completions answered `applied`.
    applied: AtomicU64,
    /// Completions answered `already-done`.
    already_done: AtomicU64,
    /// Completions answered 404 or 409 (accepted: the job is gone or not ours).
    rejected: AtomicU64,
    /// Requests that failed for want of a server (connection refused or
    /// reset, timeouts) or got a 5xx.
    transport_errors: AtomicU64,
    /// Jobs leased.
    activated: AtomicU64,
    /// Completions the server did not answer, to retry: (job key, job type, attempts so far).
    unanswered: Mutex<Vec<(i64, &'static str, u32)>>,
    /// Jobs abandoned on their first lease.
    abandoned: Mutex<HashSet<i64>>,
    /// Completions retried.
    retried: AtomicU64,
    /// How often each job key was answered `applied` (must be at most once).
    applied_by_key: Mutex<HashMap<i64, u32>>,
}

async fn run(ctx: &TestContext, db_url: &str) -> Result<()> {
    let instances: usize = env_number("FLOWDESK_CRASH_INSTANCES", DEFAULT_INSTANCES)?;
    let seed: u64 = env_number("FLOWDESK_CRASH_SEED", DEFAULT_SEED)?;
    let began = Instant::now();
    eprintln!("crash test: {instances} instances, {KILLS} kills, seed {seed:#x}");

    let mut server = Server::start(ctx, db_url).await?;
    let token = server.admin_token().await?;
    let api = Api {
        base_url: server.base_url().to_owned(),
        token,
        http: reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(5))
            .build()?,
    };

    // Deploy and start every instance while the server is up.
    let xml = std::fs::read_to_string(fixture("crash.bpmn")?)?;
    api.json(
        api.request(reqwest::Method::POST, "/api/definitions?name=crash.bpmn")
            .header(reqwest::header::CONTENT_TYPE, "application/xml")
            .body(xml),
        "POST /api/definitions",
    )
    .await?;
    let ids = start_instances(&api, instances).await?;
    eprintln!(
        "crash test: {} instances started after {:.1?}",
        ids.len(),
        began.elapsed()
    );

    // Workers.
    let stats = Arc::new(Stats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = JoinSet::new();
    for job_type in ["work", "finish"] {
        for n in 0..WORKERS_PER_TYPE {
            workers.spawn(worker(
                api.clone(),
                job_type,
                format!("{job_type}-{n}"),
                Arc::clone(&stats),
                Arc::clone(&stop),
            ));
        }
    }

    // Kill points: after a pseudo-random number of applied completions, in
    // KILLS successive windows spread over the first 85 % of the 2 × N
    // completions the run needs.
    let total = 2 * instances as u64;
    let mut random = SplitMix64(seed);
    let window = total * 85 / 100 / KILLS as u64;
    let kill_points: Vec<u64> = (0..KILLS as u64)
        .map(|k| random.between(k * window + window / 5, (k + 1) * window))
        .collect();
    eprintln!("crash test: kill after {kill_points:?} of {total} completions");
    let outcome = async {
        for (n, &point) in kill_points.iter().enumerate() {
            poll(
                &format!("{point} completions before kill {}", n + 1),
                PHASE_DEADLINE,
                || {
                    let applied = stats.applied.load(Ordering::SeqCst);
                    async move {
                        Ok(if applied >= point {
                            Attempt::Done(())
                        } else {
                            Attempt::Retry(format!("{applied} completions"))
                        })
                    }
                },
            )
            .await?;
            server.kill9();
            let killed_at = Instant::now();
            eprintln!(
                "crash test: kill {} at {} completions ({:.1?})",
                n + 1,
                stats.applied.load(Ordering::SeqCst),
                began.elapsed()
            );
            server
                .restart(ctx)
                .await
                .with_context(|| format!("restart after kill {}", n + 1))?;
            eprintln!("crash test: restarted in {:.1?}", killed_at.elapsed());
        }

        // Drive until every instance has completed.
        let expected = instances as u64;
        poll(
            &format!("all {instances} instances completed"),
            PHASE_DEADLINE,
            || {
                let api = api.clone();
                async move {
                    let completed = match count_instances(
                        &api,
                        &format!("process_id={PROCESS_ID}&state=completed"),
                    )
                    .await
                    {
                        Ok(completed) => completed,
                        Err(error) => return Ok(Attempt::Retry(format!("{error:#}"))),
                    };
                    Ok(if completed >= expected {
                        Attempt::Done(())
                    } else {
                        Attempt::Retry(format!("{completed} completed"))
                    })
                }
            },
        )
        .await?;
        anyhow::Ok(())
    }
    .await;
    stop.store(true, Ordering::SeqCst);
    workers.abort_all();
    while workers.join_next().await.is_some() {}
    eprintln!(
        "crash test: workers saw {} leases, {} applied, {} already-done, {} rejected (404/409), \
         {} transport errors or 5xx, {} completions retried, {} jobs abandoned",
        stats.activated.load(Ordering::SeqCst),
        stats.applied.load(Ordering::SeqCst),
        stats.already_done.load(Ordering::SeqCst),
        stats.rejected.load(Ordering::SeqCst),
        stats.transport_errors.load(Ordering::SeqCst),
        stats.retried.load(Ordering::SeqCst),
        stats.abandoned.lock().expect("stats lock").len(),
    );
    outcome?;
    eprintln!(
        "crash test: all instances completed after {:.1?}",
        began.elapsed()
    );
    server.process().ensure_running()?;

    // No job was answered `applied` twice.
    let twice: Vec<(i64, u32)> = stats
        .applied_by_key
        .lock()
        .expect("stats lock")
        .iter()
        .filter(|(_, &count)| count > 1)
        .map(|(&key, &count)| (key, count))
        .collect();
    ensure!(
        twice.is_empty(),
        "jobs completed (`applied`) more than once: {twice:?}"
    );

    // Every abandoned job was leased again.
    let abandoned = stats.abandoned.lock().expect("stats lock").len() as u64;
    let leases = stats.activated.load(Ordering::SeqCst);
    ensure!(
        abandoned > 0 && leases >= total + abandoned,
        "{leases} leases for {total} jobs of which {abandoned} were abandoned once"
    );

    // No instance more or less than started; every one completed.
    let all = count_instances(&api, &format!("process_id={PROCESS_ID}")).await?;
    ensure!(
        all == instances as u64,
        "{instances} instances started, GET /api/instances lists {all}"
    );
    check_histories(&api, &ids).await?;
    eprintln!(
        "crash test: every history checked; total {:.1?}",
        began.elapsed()
    );
    Ok(())
}

/// Starts `count` instances of [`PROCESS_ID`], a few at a time; their ids.
async fn start_instances(api: &Api, count: usize) -> Result<Vec<String>> {
    let mut ids = Vec::with_capacity(count);
    let mut pending = JoinSet::new();
    let mut next = 0;
    while ids.len() < count {
        while next < count && pending.len() < START_CONCURRENCY {
            let api = api.clone();
            pending.spawn(async move {
                let instance = api
                    .json(
                        api.request(reqwest::Method::POST, "/api/instances")
                            .json(&json!({ "process_id": PROCESS_ID })),
                        "POST /api/instances",
                    )
                    .await?;
                instance["id"]
                    .as_str()
                    .map(str::to_owned)
                    .with_context(|| format!("POST /api/instances returned no id: {instance}"))
            });
            next += 1;
        }
        let started = pending
            .join_next()
            .await
            .context("no instance start pending")??;
        ids.push(started?);
    }
    Ok(ids)
}

/// A job worker: leases jobs of `job_type` and completes them, until
/// `stop`. Whatever fails for want of a server is retried (activation) or
/// left to the lease to expire (completion).
async fn worker(
    api: Api,
    job_type: &'static str,
    name: String,
    stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
) {
    // Back-off between attempts while there is nothing to do or no server.
    let idle = Duration::from_millis(100);
    while !stop.load(Ordering::SeqCst) {
        // First the completions the server did not answer.
        let retries: Vec<(i64, &'static str, u32)> = {
            let mut unanswered = stats.unanswered.lock().expect("stats lock");
            let keep = unanswered.len().saturating_sub(MAX_JOBS);
            unanswered.split_off(keep)
        };
        if !retries.is_empty() {
            stats
                .retried
                .fetch_add(retries.len() as u64, Ordering::SeqCst);
            for (key, retry_type, attempts) in retries {
                complete(&api, &stats, key, retry_type, &name, attempts).await;
            }
            if !stats.unanswered.lock().expect("stats lock").is_empty() {
                tokio::time::sleep(idle).await;
            }
            continue;
        }
        let response = api
            .request(reqwest::Method::POST, "/api/jobs/activate")
            .json(&json!({
                "type": job_type,
                "worker": name,
                "max_jobs": MAX_JOBS,
                "timeout_ms": LEASE_MS,
            }))
            .send()
            .await;
        let jobs = match response {
            Ok(response) if response.status().is_success() => {
                match response.json::<Value>().await {
                    Ok(body) => body["jobs"].as_array().cloned().unwrap_or_default(),
                    Err(_) => {
                        stats.transport_errors.fetch_add(1, Ordering::SeqCst);
                        Vec::new()
                    }
                }
            }
            _ => {
                stats.transport_errors.fetch_add(1, Ordering::SeqCst);
                Vec::new()
            }
        };
        if jobs.is_empty() {
            tokio::time::sleep(idle).await;
            continue;
        }
        stats
            .activated
            .fetch_add(jobs.len() as u64, Ordering::SeqCst);
        for job in jobs {
            let Some(key) = job["key"].as_i64() else {
                continue;
            };
            // Some jobs are abandoned on their first lease, as by a worker
            // that died: the lease runs out and they are leased again. Their
            // second worker completes them twice, the second time as the
            // first worker coming back late would: that must be harmless.
            if key % ABANDON_EVERY == 0 {
                let first_lease = stats.abandoned.lock().expect("stats lock").insert(key);
                if first_lease {
                    continue;
                }
                complete(&api, &stats, key, job_type, &name, 0).await;
            }
            complete(&api, &stats, key, job_type, &name, 0).await;
        }
    }
}

/// Completes a job. A completion the server did not answer (it was killed,
/// say) is kept for a retry, which must then be harmless: `already-done`
/// if the first one was committed after all.
async fn complete(
    api: &Api,
    stats: &Stats,
    key: i64,
    job_type: &'static str,
    name: &str,
    attempts: u32,
) {
    let response = api
        .request(reqwest::Method::POST, &format!("/api/jobs/{key}/complete"))
        .json(&json!({ "variables": { format!("{job_type}_by"): name } }))
        .send()
        .await;
    let status = response.as_ref().map(reqwest::Response::status).ok();
    let outcome = match response {
        Ok(response) if response.status().is_success() => response
            .json::<Value>()
            .await
            .ok()
            .and_then(|body| body["outcome"].as_str().map(str::to_owned)),
        _ => None,
    };
    match (status, outcome.as_deref()) {
        (_, Some("applied")) => {
            *stats
                .applied_by_key
                .lock()
                .expect("stats lock")
                .entry(key)
                .or_default() += 1;
            stats.applied.fetch_add(1, Ordering::SeqCst);
        }
        (_, Some(_)) => {
            stats.already_done.fetch_add(1, Ordering::SeqCst);
        }
        (Some(StatusCode::NOT_FOUND | StatusCode::CONFLICT), None) => {
            stats.rejected.fetch_add(1, Ordering::SeqCst);
        }
        _ => {
            // No server, or it failed: try again later (the lease may run
            // out meanwhile and another worker lease the job again).
            stats.transport_errors.fetch_add(1, Ordering::SeqCst);
            if attempts < MAX_COMPLETE_ATTEMPTS {
                stats
                    .unanswered
                    .lock()
                    .expect("stats lock")
                    .push((key, job_type, attempts + 1));
            }
        }
    }
}

/// How many instances `GET /api/instances?{query}` lists, page by page
/// (the list's `total` counts only up to 1,000).
async fn count_instances(api: &Api, query: &str) -> Result<u64> {
    let mut counted = 0;
    let mut path = format!("/api/instances?{query}&limit=500");
    loop {
        let page = api.get(&path).await?;
        counted += page["items"].as_array().map_or(0, Vec::len) as u64;
        match page["next"].as_str() {
            Some(next) => path = format!("/api/instances?{query}&limit=500&after={next}"),
            None => return Ok(counted),
        }
    }
}

/// How often each (history kind, element id) occurs in the history of a
/// completed instance of `crash.bpmn`: every step exactly once (job
/// completions carry no element id, hence two).
fn expected_history() -> BTreeMap<(String, String), usize> {
    let mut expected = BTreeMap::new();
    let mut step = |kind: &str, element: &str, count: usize| {
        expected.insert((kind.to_owned(), element.to_owned()), count);
    };
    for element in ["start", "work", "wait", "finish", "end"] {
        step("elementActivated", element, 1);
        step("elementCompleted", element, 1);
    }
    step("jobCreated", "work", 1);
    step("timerScheduled", "wait", 1);
    step("jobCreated", "finish", 1);
    step("jobCompleted", "-", 2);
    step("instanceCompleted", "-", 1);
    expected
}

/// Every instance is completed, and its history has each step exactly once.
async fn check_histories(api: &Api, ids: &[String]) -> Result<()> {
    let mut pending = JoinSet::new();
    let mut next = 0;
    let mut checked = 0;
    let mut failures = Vec::new();
    let expected = expected_history();
    while checked < ids.len() {
        while next < ids.len() && pending.len() < CHECK_CONCURRENCY {
            let api = api.clone();
            let id = ids[next].clone();
            pending.spawn(async move {
                let history = api.get(&format!("/api/instances/{id}/history")).await?;
                anyhow::Ok((id, history))
            });
            next += 1;
        }
        let (id, history) = pending
            .join_next()
            .await
            .context("no history read pending")???;
        checked += 1;
        let events = history
            .as_array()
            .with_context(|| format!("history of {id} is not an array: {history}"))?;
        let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
        for event in events {
            let kind = event["kind"].as_str().unwrap_or("?").to_owned();
            let element = event["element_id"].as_str().unwrap_or("-").to_owned();
            *counts.entry((kind, element)).or_default() += 1;
        }
        let mut problems = Vec::new();
        if counts != expected {
            let mut differences = Vec::new();
            for (step, &want) in &expected {
                let got = counts.get(step).copied().unwrap_or(0);
                if got != want {
                    differences.push(format!("{} of {}: {got}, not {want}", step.0, step.1));
                }
            }
            for (step, &got) in &counts {
                if !expected.contains_key(step) {
                    differences.push(format!("{} of {}: {got}, not expected", step.0, step.1));
                }
            }
            problems.push(differences.join(", "));
        }
        if !problems.is_empty() {
            failures.push(format!("{id}: {}; history: {history}", problems.join(", ")));
        }
    }
    if !failures.is_empty() {
        let shown: Vec<&String> = failures.iter().take(5).collect();
        bail!(
            "{} of {} instances have a wrong history, e.g.:\n{}",
            failures.len(),
            ids.len(),
            shown
                .iter()
                .map(|failure| failure.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    Ok(())
}
