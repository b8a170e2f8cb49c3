//! The analytics benchmark behind `cargo xtask bench analytics`.
//!
//! `analytics_bench [sqlite|postgres|both] [EVENTS]` generates EVENTS
//! history events (default 1,000,000) into a fresh database of each kind —
//! instances of four processes (six versions) over 90 days: starts, element
//! activations and completions, service jobs, user tasks with their waits,
//! incidents raised and resolved, completions, cancellations and instances
//! left running — then measures:
//!
//! - read-model catch-up from an empty read model, in events per second
//!   (`Insights::catch_up` with the worker's batch of 2,000);
//! - the latency of typical dashboard queries (KPI tiles, throughput series,
//!   duration percentiles per element, filters), p50 and p99 over repeated
//!   runs, against the 100 ms target;
//! - running a daily report with a chart and rendering it as PDF.
//!
//! The database is dropped (PostgreSQL) or deleted (SQLite) at the end.
//! PostgreSQL is the server of `FLOWDESK_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use flowdesk_insights::render::ChartKind;
use flowdesk_insights::reports::{ChartSpec, Format, ReportDefinition, ReportInput, Source};
use flowdesk_insights::{Filter, Granularity, Insights};
use flowdesk_store::definitions::{self, Kind, NewDefinition};
use flowdesk_store::history::{self, NewEvent};
use flowdesk_store::test_support::TestDb;
use flowdesk_store::{new_id, Dialect, Store};

/// 2026-01-01T00:00:00Z: the first day of generated history.
const T0: i64 = 1_767_225_600_000;
const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
const MINUTE: i64 = 60_000;
/// Days of history.
const DAYS: i64 = 90;
/// Events per insert transaction.
const EVENTS_PER_TX: usize = 20_000;
/// The read-model worker's batch.
const CATCH_UP_BATCH: usize = 2_000;
/// Timed runs per dashboard query (after two warm-up runs).
const QUERY_RUNS: usize = 40;
/// The dashboard target.
const TARGET: Duration = Duration::from_millis(100);

/// One step of a process: (element id, element type).
type Step = (&'static str, &'static str);

/// A process: id, versions and its steps between start and end events.
struct Process {
    id: &'static str,
    versions: i64,
    /// Share of started instances, in percent.
    share: u64,
    steps: &'static [Step],
}

const PROCESSES: [Process; 4] = [
    Process {
        id: "claims",
        versions: 2,
        share: 40,
        steps: &[
            ("check", "serviceTask"),
            ("approve", "userTask"),
            ("pay", "serviceTask"),
        ],
    },
    Process {
        id: "orders",
        versions: 2,
        share: 35,
        steps: &[
            ("reserve", "serviceTask"),
            ("charge", "serviceTask"),
            ("pack", "userTask"),
            ("ship", "serviceTask"),
            ("notify", "serviceTask"),
        ],
    },
    Process {
        id: "onboarding",
        versions: 1,
        share: 15,
        steps: &[
            ("collect", "userTask"),
            ("verify", "serviceTask"),
            ("welcome", "userTask"),
        ],
    },
    Process {
        id: "invoices",
        versions: 1,
        share: 10,
        steps: &[("extract", "serviceTask"), ("book", "serviceTask")],
    },
];

/// A small deterministic generator: the same history every run.
struct Lcg(u64);

impl Lcg {
    fn step(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.step() % n
    }
    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low) as u64) as i64
    }
    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(1000) < percent * 10
    }
}

/// One instance to insert.
struct Instance {
    id: String,
    definition_id: String,
    process_id: &'static str,
    version: i64,
    state: &'static str,
    started_at: i64,
    ended_at: Option<i64>,
}

/// One history event to insert.
struct Event {
    instance: u32,
    at: i64,
    kind: &'static str,
    element_id: Option<&'static str>,
    detail: String,
}

fn process_xml(process: &Process) -> String {
    let mut xml = format!(
        r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="{}" isExecutable="true">
    <bpmn:startEvent id="start" />"#,
        process.id
    );
    let mut previous = "start";
    for (number, (id, kind)) in process.steps.iter().enumerate() {
        xml.push_str(&format!(
            "\n    <bpmn:{kind} id=\"{id}\" />\n    <bpmn:sequenceFlow id=\"f{number}\" \
             sourceRef=\"{previous}\" targetRef=\"{id}\" />"
        ));
        previous = id;
    }
    xml.push_str(&format!(
        "\n    <bpmn:endEvent id=\"end\" />\n    <bpmn:sequenceFlow id=\"f_end\" \
         sourceRef=\"{previous}\" targetRef=\"end\" />\n  </bpmn:process>\n</bpmn:definitions>"
    ));
    xml
}

/// Deploys every process version; (process index, version) → definition id.
async fn deploy(store: &Store) -> BTreeMap<(usize, i64), String> {
    let mut ids = BTreeMap::new();
    for (index, process) in PROCESSES.iter().enumerate() {
        for version in 1..=process.versions {
            let mut xml = process_xml(process);
            xml.push_str(&format!("<!-- version {version} -->"));
            let mut tx = store.begin().await.expect("begin");
            let (definition, _) = definitions::deploy(
                &mut tx,
                &NewDefinition {
                    kind: Kind::Bpmn,
                    process_id: process.id,
                    name: process.id,
                    resource_name: "bench.bpmn",
                    content: &xml,
                    deployed_at: T0 - DAY,
                    deployed_by: "bench",
                },
            )
            .await
            .expect("deploy");
            tx.commit().await.expect("commit");
            assert_eq!(definition.version, version, "{} version", process.id);
            ids.insert((index, version), definition.id);
        }
    }
    ids
}

/// Generates instances until there are at least `target` events, sorted by time.
fn generate(
    target: usize,
    definitions: &BTreeMap<(usize, i64), String>,
) -> (Vec<Instance>, Vec<Event>) {
    let mut random = Lcg(42);
    let mut instances = Vec::new();
    let mut events: Vec<Event> = Vec::with_capacity(target + 64);
    let mut key: i64 = 1;
    while events.len() < target {
        let number = instances.len() as u32;
        let pick = random.below(100);
        let mut cumulative = 0;
        let index = PROCESSES
            .iter()
            .position(|p| {
                cumulative += p.share;
                pick < cumulative
            })
            .unwrap_or(0);
        let process = &PROCESSES[index];
        // Later versions take over half-way through.
        let day = random.between(0, DAYS);
        let version = if process.versions > 1 && day > DAYS / 2 && random.chance(80) {
            2
        } else {
            1
        };
        // Office hours mostly, some at night.
        let hour = if random.chance(85) {
            random.between(8, 18)
        } else {
            random.between(0, 24)
        };
        let started_at = T0 + day * DAY + hour * HOUR + random.between(0, HOUR);
        let mut at = started_at;
        let mut push =
            |at: i64, kind: &'static str, element: Option<&'static str>, detail: String| {
                events.push(Event {
                    instance: number,
                    at,
                    kind,
                    element_id: element,
                    detail,
                })
            };
        let mut next_key = || {
            key += 1;
            key
        };
        let activated = |element_type: &str, key: i64| {
            format!(r#"{{"element_instance_key":{key},"element_type":"{element_type}"}}"#)
        };
        let closed = |key: i64| format!(r#"{{"element_instance_key":{key}}}"#);

        let start = next_key();
        push(
            at,
            "elementActivated",
            Some("start"),
            activated("startEvent", start),
        );
        push(at, "elementCompleted", Some("start"), closed(start));
        // 4 % are cancelled at some step, 2 % stay at a user task (still running).
        let cancel_at = random
            .chance(4)
            .then(|| random.below(process.steps.len() as u64) as usize);
        let stuck = random.chance(2);
        let mut ended: Option<(&'static str, i64)> = None;
        for (step, (element, element_type)) in process.steps.iter().enumerate() {
            at += random.between(50, 2_000);
            let element_key = next_key();
            push(
                at,
                "elementActivated",
                Some(element),
                activated(element_type, element_key),
            );
            let job = next_key();
            let job_kind = if *element_type == "userTask" {
                "userTask"
            } else {
                "serviceTask"
            };
            push(
                at,
                "jobCreated",
                Some(element),
                format!(r#"{{"key":{job},"kind":"{job_kind}","retries":3}}"#),
            );
            if cancel_at == Some(step) {
                at += random.between(MINUTE, 6 * HOUR);
                push(
                    at,
                    "jobCancelled",
                    Some(element),
                    format!(r#"{{"key":{job}}}"#),
                );
                push(at, "elementTerminated", Some(element), closed(element_key));
                ended = Some(("instanceTerminated", at));
                break;
            }
            if job_kind == "userTask" {
                if stuck {
                    break;
                }
                // Minutes to days of waiting for a person.
                at += if random.chance(70) {
                    random.between(5 * MINUTE, 4 * HOUR)
                } else {
                    random.between(4 * HOUR, 3 * DAY)
                };
            } else {
                at += random.between(20, 3_000);
                // 3 % of service jobs fail and raise an incident, resolved later.
                if random.chance(3) {
                    let incident = next_key();
                    push(
                        at,
                        "incidentRaised",
                        Some(element),
                        format!(
                            r#"{{"incident":{{"key":{incident},"element_id":"{element}","kind":"jobNoRetries","message":"connection refused"}}}}"#
                        ),
                    );
                    at += random.between(10 * MINUTE, 8 * HOUR);
                    push(
                        at,
                        "incidentResolved",
                        Some(element),
                        format!(r#"{{"key":{incident}}}"#),
                    );
                }
            }
            push(
                at,
                "jobCompleted",
                Some(element),
                format!(r#"{{"key":{job}}}"#),
            );
            push(at, "elementCompleted", Some(element), closed(element_key));
        }
        if ended.is_none() && !stuck {
            at += random.between(10, 500);
            let end = next_key();
            push(
                at,
                "elementActivated",
                Some("end"),
                activated("endEvent", end),
            );
            push(at, "elementCompleted", Some("end"), closed(end));
            ended = Some(("instanceCompleted", at));
        }
        if let Some((kind, at)) = ended {
            push(at, kind, None, "{}".to_string());
        }
        instances.push(Instance {
            id: new_id(),
            definition_id: definitions[&(index, version)].clone(),
            process_id: process.id,
            version,
            state: match ended {
                Some(("instanceCompleted", _)) => "completed",
                Some(_) => "terminated",
                None => "active",
            },
            started_at,
            ended_at: ended.map(|(_, at)| at),
        });
    }
    events.sort_by_key(|event| event.at);
    (instances, events)
}

async fn insert(store: &Store, instances: &[Instance], events: &[Event]) {
    // Instances: 7 parameters a row, 100 rows a statement.
    for chunk in instances.chunks(EVENTS_PER_TX / 4) {
        let mut tx = store.begin().await.expect("begin");
        for rows in chunk.chunks(100) {
            let values = (0..rows.len())
                .map(|row| {
                    let n = row * 7;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, '{{}}', ${}, ${}, 'bench')",
                        n + 1,
                        n + 2,
                        n + 3,
                        n + 4,
                        n + 5,
                        n + 6,
                        n + 7
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO instances (id, definition_id, process_id, version, state, variables, \
                 started_at, ended_at, started_by) VALUES {values}"
            );
            let mut query = sqlx::query(&sql);
            for instance in rows {
                query = query
                    .bind(instance.id.as_str())
                    .bind(instance.definition_id.as_str())
                    .bind(instance.process_id)
                    .bind(instance.version)
                    .bind(instance.state)
                    .bind(instance.started_at)
                    .bind(instance.ended_at);
            }
            query.execute(&mut *tx).await.expect("insert instances");
        }
        tx.commit().await.expect("commit");
    }
    for chunk in events.chunks(EVENTS_PER_TX) {
        let rows: Vec<NewEvent> = chunk
            .iter()
            .map(|event| NewEvent {
                instance_id: &instances[event.instance as usize].id,
                at: event.at,
                kind: event.kind,
                element_id: event.element_id,
                detail: &event.detail,
            })
            .collect();
        let mut tx = store.begin().await.expect("begin");
        history::append_many(&mut tx, &rows)
            .await
            .expect("insert history");
        tx.commit().await.expect("commit");
    }
}

/// p-th percentile (0..=100) of sorted durations.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A dashboard query: its name and how to run it once.
type Query = (
    &'static str,
    Box<dyn Fn(Insights) -> std::pin::Pin<Box<dyn std::future::Future<Output = usize>>>>,
);

fn dashboard_queries() -> Vec<Query> {
    let last = T0 + DAYS * DAY;
    let claims = || Some("claims".to_string());
    vec![
        (
            "KPI tiles, all processes, all time",
            Box::new(|insights: Insights| {
                Box::pin(async move {
                    insights.kpis(&Filter::default()).await.expect("kpis");
                    1
                })
            }),
        ),
        (
            "KPI tiles, one process, last 30 days",
            Box::new(move |insights: Insights| {
                Box::pin(async move {
                    let filter = Filter {
                        process_id: claims(),
                        from: Some(last - 30 * DAY),
                        to: Some(last),
                        ..Filter::default()
                    };
                    insights.kpis(&filter).await.expect("kpis");
                    1
                })
            }),
        ),
        (
            "throughput per day, all, 90 days",
            Box::new(move |insights: Insights| {
                Box::pin(async move {
                    let filter = Filter {
                        from: Some(T0),
                        to: Some(last),
                        ..Filter::default()
                    };
                    insights
                        .time_series(&filter, Granularity::Day)
                        .await
                        .expect("series")
                        .len()
                })
            }),
        ),
        (
            "throughput per hour, one process, 7 days",
            Box::new(move |insights: Insights| {
                Box::pin(async move {
                    let filter = Filter {
                        process_id: claims(),
                        from: Some(last - 7 * DAY),
                        to: Some(last),
                        ..Filter::default()
                    };
                    insights
                        .time_series(&filter, Granularity::Hour)
                        .await
                        .expect("series")
                        .len()
                })
            }),
        ),
        (
            "element percentiles, one process, all time",
            Box::new(move |insights: Insights| {
                Box::pin(async move {
                    let filter = Filter {
                        process_id: claims(),
                        ..Filter::default()
                    };
                    insights
                        .element_stats(&filter)
                        .await
                        .expect("elements")
                        .len()
                })
            }),
        ),
        (
            "element percentiles, process v2, 30 days",
            Box::new(move |insights: Insights| {
                Box::pin(async move {
                    let filter = Filter {
                        process_id: Some("orders".to_string()),
                        version: Some(2),
                        from: Some(last - 30 * DAY),
                        to: Some(last),
                    };
                    insights
                        .element_stats(&filter)
                        .await
                        .expect("elements")
                        .len()
                })
            }),
        ),
        (
            "element percentiles, all processes, all time",
            Box::new(|insights: Insights| {
                Box::pin(async move {
                    insights
                        .element_stats(&Filter::default())
                        .await
                        .expect("elements")
                        .len()
                })
            }),
        ),
        (
            "process list with instance counts",
            Box::new(|insights: Insights| {
                Box::pin(async move { insights.processes().await.expect("processes").len() })
            }),
        ),
    ]
}

async fn bench(dialect: Dialect, target: usize) {
    let label = match dialect {
        Dialect::Sqlite => "SQLite",
        Dialect::Postgres => "PostgreSQL",
    };
    println!("== {label}");
    let db = TestDb::fresh(dialect).await;
    let store = db.store.clone();

    let started = Instant::now();
    let definitions = deploy(&store).await;
    let (instances, events) = generate(target, &definitions);
    let generated = started.elapsed();
    let started = Instant::now();
    insert(&store, &instances, &events).await;
    let inserted = started.elapsed();
    println!(
        "generated {} events of {} instances over {DAYS} days in {:.1} s; inserted in {:.1} s \
         ({:.0} events/s)",
        events.len(),
        instances.len(),
        generated.as_secs_f64(),
        inserted.as_secs_f64(),
        events.len() as f64 / inserted.as_secs_f64()
    );
    drop(instances);
    drop(events);

    let insights = Insights::new(store.clone());
    let started = Instant::now();
    let folded = insights.catch_up(CATCH_UP_BATCH).await.expect("catch up");
    let elapsed = started.elapsed();
    println!(
        "catch-up: {folded} events in {:.1} s = {:.0} events/s",
        elapsed.as_secs_f64(),
        folded as f64 / elapsed.as_secs_f64()
    );

    println!(
        "{:<46} {:>6} {:>10} {:>10}  target {} ms",
        "dashboard query",
        "rows",
        "p50 ms",
        "p99 ms",
        TARGET.as_millis()
    );
    let mut worst = Duration::ZERO;
    for (name, query) in dashboard_queries() {
        let mut rows = 0;
        for _ in 0..2 {
            rows = query(insights.clone()).await;
        }
        let mut times = Vec::with_capacity(QUERY_RUNS);
        for _ in 0..QUERY_RUNS {
            let started = Instant::now();
            query(insights.clone()).await;
            times.push(started.elapsed());
        }
        times.sort();
        let (p50, p99) = (percentile(&times, 50.0), percentile(&times, 99.0));
        worst = worst.max(p99);
        let mark = if p99 <= TARGET { "ok" } else { "MISS" };
        println!(
            "{name:<46} {rows:>6} {:>10.1} {:>10.1}  {mark}",
            ms(p50),
            ms(p99)
        );
    }

    let report = insights
        .create_report(
            &ReportInput {
                name: "Daily throughput".into(),
                description: "Instances started and completed per day, all processes".into(),
                roles: vec![],
                definition: ReportDefinition {
                    source: Source::Daily,
                    sql: None,
                    schedule: None,
                    parameters: BTreeMap::new(),
                    columns: vec![
                        "start".into(),
                        "started".into(),
                        "completed".into(),
                        "active".into(),
                        "incidents_opened".into(),
                        "duration_p50_ms".into(),
                        "duration_p99_ms".into(),
                    ],
                    chart: Some(ChartSpec {
                        kind: ChartKind::Line,
                        x: "start".into(),
                        y: vec!["started".into(), "completed".into()],
                    }),
                },
            },
            "bench",
            T0,
        )
        .await
        .expect("report");
    let started = Instant::now();
    let run = insights
        .run_report(&report, &BTreeMap::new(), "bench", T0)
        .await
        .expect("run report");
    let ran = started.elapsed();
    let started = Instant::now();
    let pdf = run.export(Format::Pdf).expect("pdf");
    let rendered = started.elapsed();
    println!(
        "report: run {:.1} ms ({} rows); PDF rendered in {:.1} ms ({} bytes)",
        ms(ran),
        run.result.rows.len(),
        ms(rendered),
        pdf.len()
    );
    let verdict = if worst <= TARGET { "met" } else { "MISSED" };
    println!(
        "{label}: slowest dashboard p99 {:.1} ms: 100 ms target {verdict}",
        ms(worst)
    );
    db.finish().await;
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "both".to_string());
    let target: usize = args
        .next()
        .map(|n| n.parse().expect("EVENTS must be a whole number"))
        .unwrap_or(1_000_000);
    let dialects: &[Dialect] = match which.as_str() {
        "sqlite" => &[Dialect::Sqlite],
        "postgres" => &[Dialect::Postgres],
        "both" => &[Dialect::Sqlite, Dialect::Postgres],
        other => {
            eprintln!("unknown database {other:?}: sqlite, postgres or both");
            std::process::exit(2);
        }
    };
    for dialect in dialects {
        bench(*dialect, target).await;
    }
}
