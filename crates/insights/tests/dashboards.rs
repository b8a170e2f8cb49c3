//! Dashboards, scheduled reports and SQL-source reports on a generated
//! workload: tile data equals the read model's own answers, definitions
//! are refused with the path of the bad field, a due schedule runs once
//! even when two nodes look at the same time, and SQL is refused unless it
//! is one read-only SELECT over `insights_*` tables.

#[allow(dead_code)] // each test binary uses part of the shared workload
mod workload;

use std::collections::BTreeMap;

use flowdesk_insights::dashboards::{
    Dashboard, DashboardDefinition, DashboardFilters, DashboardInput, FilterOverrides, Metric,
    Tile, TileData, TileKind, VariableFilter,
};
use flowdesk_insights::reports::{ReportDefinition, ReportInput, Source};
use flowdesk_insights::schedule::SCHEDULE_ACTOR;
use flowdesk_insights::sql_source;
use flowdesk_insights::{Filter, Granularity, Insights};
use flowdesk_store::sensitive::{NamePattern, SensitiveVariables};
use flowdesk_store::{dual_test, Dialect};
use serde_json::json;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn tile(id: &str, kind: TileKind, metric: Metric) -> Tile {
    Tile {
        id: id.into(),
        title: id.into(),
        kind,
        metric,
        process_id: None,
        width: Some(1),
    }
}

fn input(tiles: Vec<Tile>) -> DashboardInput {
    DashboardInput {
        name: "Claims".into(),
        description: String::new(),
        roles: vec!["viewer".into()],
        definition: DashboardDefinition {
            filters: DashboardFilters {
                process_id: Some("claims".into()),
                ..DashboardFilters::default()
            },
            refresh_seconds: Some(60),
            tiles,
        },
    }
}

async fn data(
    insights: &Insights,
    dashboard: &Dashboard,
    id: &str,
    overrides: &FilterOverrides,
) -> TileData {
    insights
        .tile_data(dashboard, dashboard.tile(id).unwrap(), overrides)
        .await
        .unwrap()
}

dual_test!(async fn tiles_answer_what_the_read_model_answers(store) {
    let definitions = [workload::deploy(&store, "Claims", workload::T0).await];
    workload::run(&store, &definitions, 0..80).await;
    let insights = Insights::new(store.clone());
    insights.catch_up(500).await.unwrap();
    let claims = Filter { process_id: Some("claims".into()), ..Filter::default() };
    let kpis = insights.kpis(&claims).await.unwrap();
    let elements = insights.element_stats(&claims).await.unwrap();
    assert_eq!(kpis.started, 80, "the workload starts 80 instances");

    let dashboard = insights
        .create_dashboard(
            &input(vec![
                tile("started", TileKind::Kpi, Metric::Started),
                tile("p90", TileKind::Kpi, Metric::DurationP90),
                tile("wait", TileKind::Kpi, Metric::UserTaskWait),
                tile("throughput", TileKind::Series, Metric::Throughput),
                tile("backlog", TileKind::Series, Metric::Backlog),
                tile("durations", TileKind::Bar, Metric::DurationP50),
                tile("incidents", TileKind::Pie, Metric::Incidents),
                tile("heatmap", TileKind::Heatmap, Metric::DurationP90),
                tile("table", TileKind::Table, Metric::Started),
            ]),
            "ann",
            5,
        )
        .await
        .unwrap();
    assert_eq!(insights.find_dashboard(&dashboard.id).await.unwrap(), Some(dashboard.clone()));
    let all = FilterOverrides::default();

    assert_eq!(data(&insights, &dashboard, "started", &all).await, TileData::Kpi { value: Some(80.0), previous: None });
    assert_eq!(data(&insights, &dashboard, "p90", &all).await, TileData::Kpi { value: kpis.duration.p90_ms, previous: None });
    let waited: Vec<_> = elements.iter().filter(|e| e.wait.count > 0).collect();
    assert!(!waited.is_empty(), "the workload has user tasks");
    let mean = waited.iter().map(|e| e.wait.mean_ms.unwrap() * e.wait.count as f64).sum::<f64>()
        / waited.iter().map(|e| e.wait.count as f64).sum::<f64>();
    let TileData::Kpi { value: Some(wait), .. } = data(&insights, &dashboard, "wait", &all).await else { panic!("wait is a number") };
    assert!((wait - mean).abs() < 1e-6, "{wait} != {mean}");

    let days = insights.time_series(&claims, Granularity::Day).await.unwrap();
    let TileData::Series { points } = data(&insights, &dashboard, "throughput", &all).await else { panic!("a series") };
    assert_eq!(points.len(), days.len());
    assert_eq!(points.iter().map(|p| p.value.unwrap()).sum::<f64>(), kpis.completed as f64);
    let TileData::Series { points } = data(&insights, &dashboard, "backlog", &all).await else { panic!("a series") };
    assert_eq!(points.last().unwrap().value, Some(kpis.active as f64));

    let TileData::Items { items } = data(&insights, &dashboard, "durations", &all).await else { panic!("items") };
    let with_duration: Vec<_> = elements.iter().filter(|e| e.duration.p50_ms.is_some()).collect();
    assert_eq!(items.len(), with_duration.len());
    for (item, element) in items.iter().zip(&with_duration) {
        assert_eq!((item.label.as_str(), Some(item.value)), (element.element_id.as_str(), element.duration.p50_ms));
    }
    let TileData::Items { items } = data(&insights, &dashboard, "incidents", &all).await else { panic!("items") };
    assert_eq!(items.iter().map(|i| i.value).sum::<f64>(), kpis.incidents_opened as f64);

    let TileData::Heatmap { process_id, version, elements: heat } = data(&insights, &dashboard, "heatmap", &all).await else { panic!("a heatmap") };
    assert_eq!((process_id.as_str(), version), ("claims", 1));
    assert_eq!(heat.len(), elements.len());
    for (cell, element) in heat.iter().zip(&elements) {
        assert_eq!(cell.element_id, element.element_id);
        assert_eq!(cell.count, element.activated);
        assert_eq!(cell.p90_ms, element.duration.p90_ms);
    }
    let TileData::Table { columns, rows } = data(&insights, &dashboard, "table", &all).await else { panic!("a table") };
    assert_eq!(columns, ["element_id", "started"]);
    assert_eq!(rows.len(), elements.len());
    assert_eq!(rows[0], vec![json!(elements[0].element_id), json!(elements[0].activated as f64)]);

    // A bounded range: the previous period of the same length, hourly points.
    let first_day = FilterOverrides { from: Some(workload::T0), to: Some(workload::T0 + DAY), ..FilterOverrides::default() };
    let day_kpis = insights.kpis(&Filter { from: first_day.from, to: first_day.to, ..claims.clone() }).await.unwrap();
    assert_eq!(
        data(&insights, &dashboard, "started", &first_day).await,
        TileData::Kpi { value: Some(day_kpis.started as f64), previous: Some(Some(0.0)) }
    );
    let TileData::Series { points } = data(&insights, &dashboard, "throughput", &first_day).await else { panic!("a series") };
    assert_eq!(points.len(), 24);
    assert_eq!(points[1].t - points[0].t, HOUR);

    // Charts: the same renderer as report exports.
    let chart = insights.tile_chart(&dashboard, dashboard.tile("incidents").unwrap(), &all).await.unwrap();
    assert!(chart.to_svg(480, 270).unwrap().starts_with("<svg"));
    let chart = insights.tile_chart(&dashboard, dashboard.tile("heatmap").unwrap(), &all).await.unwrap();
    assert_eq!(chart.categories.len(), elements.len());
    let error = insights.tile_chart(&dashboard, dashboard.tile("started").unwrap(), &all).await.unwrap_err().to_string();
    assert!(error.contains("is a kpi tile and has no chart"), "{error}");

    // Per process when no process is filtered.
    let mut unfiltered = input(vec![tile("per-process", TileKind::Bar, Metric::Started)]);
    unfiltered.name = "Every process".into();
    unfiltered.definition.filters.process_id = None;
    let unfiltered = insights.create_dashboard(&unfiltered, "ann", 6).await.unwrap();
    let TileData::Items { items } = data(&insights, &unfiltered, "per-process", &all).await else { panic!("items") };
    assert_eq!(items.len(), 1);
    assert_eq!((items[0].label.as_str(), items[0].value), ("claims", 80.0));

    assert!(insights.delete_dashboard(&dashboard.id).await.unwrap());
    assert_eq!(insights.find_dashboard(&dashboard.id).await.unwrap(), None);
    assert!(!insights.delete_dashboard(&dashboard.id).await.unwrap());
});

fn variable(name: &str, value: serde_json::Value) -> Option<VariableFilter> {
    Some(VariableFilter {
        name: name.into(),
        value,
    })
}

dual_test!(async fn a_variable_filter_reads_the_matching_instances(store) {
    let definitions = [workload::deploy(&store, "Claims", workload::T0).await];
    workload::run(&store, &definitions, 0..80).await;
    let insights = Insights::new(store.clone());
    insights.catch_up(500).await.unwrap();
    // Every instance gets a tier (gold: every third), an amount and a flag.
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM instances ORDER BY started_at, id")
        .fetch_all(store.pool()).await.unwrap();
    assert_eq!(ids.len(), 80);
    for (n, id) in ids.iter().enumerate() {
        let variables = json!({"tier": if n % 3 == 0 { "gold" } else { "silver" }, "amount": n % 2, "everyone": true});
        sqlx::query("UPDATE instances SET variables = $1 WHERE id = $2")
            .bind(variables.to_string()).bind(id.as_str()).execute(store.pool()).await.unwrap();
    }
    // Expected for gold, straight from history.
    let gold: Vec<&String> = ids.iter().step_by(3).collect();
    let history: Vec<(String, String)> = sqlx::query_as("SELECT instance_id, kind FROM history ORDER BY seq")
        .fetch_all(store.pool()).await.unwrap();
    let count = |kind: &str| history.iter().filter(|(id, k)| k == kind && gold.contains(&id)).count() as f64;
    let (completed, cancelled, incidents) = (count("instanceCompleted"), count("instanceTerminated"), count("incidentRaised"));
    let started = gold.len() as f64;
    assert!(completed > 0.0 && cancelled > 0.0 && incidents > 0.0, "the gold subset has every kind of fate");

    let mut tiles = vec![
        tile("started", TileKind::Kpi, Metric::Started),
        tile("completed", TileKind::Kpi, Metric::Completed),
        tile("cancelled", TileKind::Kpi, Metric::Cancelled),
        tile("incidents", TileKind::Kpi, Metric::Incidents),
        tile("active", TileKind::Kpi, Metric::Active),
        tile("p50", TileKind::Kpi, Metric::DurationP50),
        tile("p90", TileKind::Kpi, Metric::DurationP90),
        tile("p99", TileKind::Kpi, Metric::DurationP99),
        tile("throughput", TileKind::Series, Metric::Throughput),
        tile("starts", TileKind::Series, Metric::Started),
        tile("backlog", TileKind::Series, Metric::Backlog),
        tile("heatmap", TileKind::Heatmap, Metric::DurationP90),
        tile("wait", TileKind::Kpi, Metric::UserTaskWait),
        tile("per-element", TileKind::Bar, Metric::Started),
    ];
    tiles.push(tile("per-process", TileKind::Pie, Metric::Completed));
    let mut definition = input(tiles);
    definition.definition.filters.variable = variable("tier", json!("gold"));
    let dashboard = insights.create_dashboard(&definition, "ann", 5).await.unwrap();
    let all = FilterOverrides::default();
    let kpi = |data: TileData| match data { TileData::Kpi { value, .. } => value, other => panic!("a kpi, not {other:?}") };
    for (id, expected) in [("started", started), ("completed", completed), ("cancelled", cancelled), ("incidents", incidents), ("active", started - completed - cancelled)] {
        assert_eq!(kpi(data(&insights, &dashboard, id, &all).await), Some(expected), "{id}");
    }
    let TileData::Series { points } = data(&insights, &dashboard, "throughput", &all).await else { panic!("a series") };
    assert_eq!(points.iter().map(|p| p.value.unwrap()).sum::<f64>(), completed);
    let TileData::Series { points } = data(&insights, &dashboard, "starts", &all).await else { panic!("a series") };
    assert_eq!(points.iter().map(|p| p.value.unwrap()).sum::<f64>(), started);
    let TileData::Series { points } = data(&insights, &dashboard, "backlog", &all).await else { panic!("a series") };
    assert_eq!(points.last().unwrap().value, Some(started - completed - cancelled));

    // The same filter as a request parameter on a dashboard without one;
    // numbers compare by value (1 = 1.0).
    let mut plain = dashboard.clone();
    plain.definition.filters.variable = None;
    let gold_override = FilterOverrides { variable: variable("tier", json!("gold")), ..FilterOverrides::default() };
    assert_eq!(kpi(data(&insights, &plain, "started", &gold_override).await), Some(started));
    let odd = FilterOverrides { variable: variable("amount", json!(1.0)), ..FilterOverrides::default() };
    assert_eq!(kpi(data(&insights, &plain, "started", &odd).await), Some(40.0));

    // A filter every instance matches gives the read model's own numbers.
    let claims = Filter { process_id: Some("claims".into()), ..Filter::default() };
    let kpis = insights.kpis(&claims).await.unwrap();
    let everyone = FilterOverrides { variable: variable("everyone", json!(true)), ..FilterOverrides::default() };
    for (id, expected) in [
        ("started", Some(kpis.started as f64)), ("completed", Some(kpis.completed as f64)), ("cancelled", Some(kpis.cancelled as f64)),
        ("incidents", Some(kpis.incidents_opened as f64)), ("active", Some(kpis.active as f64)),
        ("p50", kpis.duration.p50_ms), ("p90", kpis.duration.p90_ms), ("p99", kpis.duration.p99_ms),
    ] {
        assert_eq!(kpi(data(&insights, &plain, id, &everyone).await), expected, "{id} over everyone");
    }
    let first_day = FilterOverrides { from: Some(workload::T0), to: Some(workload::T0 + DAY), ..everyone.clone() };
    let unfiltered_day = FilterOverrides { from: first_day.from, to: first_day.to, ..FilterOverrides::default() };
    for id in ["throughput", "backlog"] {
        assert_eq!(data(&insights, &plain, id, &first_day).await, data(&insights, &plain, id, &unfiltered_day).await, "{id} over the first day");
    }
    assert_eq!(data(&insights, &plain, "started", &first_day).await, data(&insights, &plain, "started", &unfiltered_day).await);

    // Per process (no process filtered): the gold instances of claims.
    let mut every_process = dashboard.clone();
    every_process.definition.filters.process_id = None;
    let TileData::Items { items } = data(&insights, &every_process, "per-process", &all).await else { panic!("items") };
    assert_eq!(items.len(), 1);
    assert_eq!((items[0].label.as_str(), items[0].value), ("claims", completed));

    // A value nobody has: zeros, no durations.
    let nobody = FilterOverrides { variable: variable("tier", json!("platinum")), ..FilterOverrides::default() };
    assert_eq!(kpi(data(&insights, &plain, "started", &nobody).await), Some(0.0));
    assert_eq!(kpi(data(&insights, &plain, "incidents", &nobody).await), Some(0.0));
    assert_eq!(kpi(data(&insights, &plain, "p90", &nobody).await), None);
    let string_one = FilterOverrides { variable: variable("amount", json!("1")), ..FilterOverrides::default() };
    assert_eq!(kpi(data(&insights, &plain, "started", &string_one).await), Some(0.0), "the string \"1\" is not the number 1");

    // Element-level tiles are refused, naming the tile's metric and the filter.
    for (id, metric) in [("heatmap", "duration_p90"), ("wait", "user_task_wait"), ("per-element", "started")] {
        let error = insights.tile_data(&dashboard, dashboard.tile(id).unwrap(), &all).await.unwrap_err().to_string();
        assert!(error.contains("definition.filters.variable") && error.contains(metric) && error.contains("\"tier\""), "{error}");
        let error = insights.tile_data(&plain, plain.tile(id).unwrap(), &gold_override).await.unwrap_err().to_string();
        assert!(error.contains("variable: tile") && error.contains(metric), "{error}");
    }
    // A malformed override names the parameter.
    let empty = FilterOverrides { variable: variable("", json!(1)), ..FilterOverrides::default() };
    let error = insights.tile_data(&plain, plain.tile("started").unwrap(), &empty).await.unwrap_err().to_string();
    assert!(error.contains("variable.name: is empty"), "{error}");

    // Sensitive variables are sealed: refused, whether the server or the process says so.
    let sealed = Insights::new(store.clone().with_sensitive_variables(SensitiveVariables::new(vec![NamePattern::parse("ti*").unwrap()])));
    let error = sealed.tile_data(&dashboard, dashboard.tile("started").unwrap(), &all).await.unwrap_err().to_string();
    assert!(error.contains("definition.filters.variable: \"tier\" is a sensitive variable"), "{error}");
    assert_eq!(kpi(sealed.tile_data(&plain, plain.tile("started").unwrap(), &odd).await.unwrap()), Some(40.0), "other names still filter");
});

/// A change that makes a good dashboard bad.
type Change = Box<dyn Fn(&mut DashboardInput) + Send + Sync>;

dual_test!(async fn bad_dashboards_name_the_field(store) {
    let insights = Insights::new(store.clone());
    let good = || input(vec![tile("a", TileKind::Kpi, Metric::Started), tile("b", TileKind::Series, Metric::Completed)]);
    let cases: Vec<(Change, &str)> = vec![
        (Box::new(|d| d.name = " ".into()), "name: a dashboard needs a name"),
        (Box::new(|d| d.roles = vec!["viewer".into(), "boss".into()]), "roles[1]: there is no role \"boss\""),
        (Box::new(|d| d.definition.refresh_seconds = Some(1)), "definition.refresh_seconds: must be between 5 and 86400"),
        (Box::new(|d| d.definition.filters.version = Some(0)), "definition.filters.version"),
        (Box::new(|d| { d.definition.filters.from = Some(10); d.definition.filters.to = Some(5); }), "definition.filters.to: must be after from"),
        (Box::new(|d| d.definition.tiles[1].id = "a".into()), "definition.tiles[1].id: \"a\" is used by an earlier tile"),
        (Box::new(|d| d.definition.tiles[0].id = "a/b".into()), "definition.tiles[0].id"),
        (Box::new(|d| d.definition.tiles[1].title = String::new()), "definition.tiles[1].title: is empty"),
        (Box::new(|d| d.definition.tiles[0].width = Some(4)), "definition.tiles[0].width: must be 1, 2 or 3, not 4"),
        (Box::new(|d| d.definition.tiles[1].metric = Metric::UserTaskWait), "definition.tiles[1].metric: user_task_wait has no time series"),
        (Box::new(|d| d.definition.filters.variable = Some(VariableFilter { name: " ".into(), value: json!("gold") })), "definition.filters.variable.name: is empty"),
        (Box::new(|d| d.definition.filters.variable = Some(VariableFilter { name: "tier".into(), value: json!(["gold"]) })), "definition.filters.variable.value: must be a number, string or boolean"),
    ];
    for (change, expected) in cases {
        let mut bad = good();
        change(&mut bad);
        let error = insights.create_dashboard(&bad, "ann", 1).await.unwrap_err().to_string();
        assert!(error.contains(expected), "{error} should contain {expected}");
    }
    assert!(insights.list_dashboards().await.unwrap().is_empty(), "nothing bad was saved");
    insights.create_dashboard(&good(), "ann", 1).await.unwrap();
    assert!(insights.create_dashboard(&good(), "ann", 2).await.is_err(), "names are unique");

    // The wire format: unknown kinds, metrics and fields are refused by name.
    let error = serde_json::from_value::<DashboardDefinition>(json!({"tiles": [{"id": "a", "title": "A", "kind": "gauge", "metric": "started"}]}))
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown variant `gauge`"), "{error}");
    let error = serde_json::from_value::<DashboardDefinition>(json!({"tiles": [], "colour": "red"})).unwrap_err().to_string();
    assert!(error.contains("unknown field `colour`"), "{error}");
});

fn scheduled(schedule: &str) -> ReportInput {
    ReportInput {
        name: "Hourly claims".into(),
        description: String::new(),
        roles: vec![],
        definition: ReportDefinition {
            source: Source::Kpis,
            sql: None,
            parameters: BTreeMap::from([("process_id".to_string(), "claims".to_string())]),
            columns: vec![],
            chart: None,
            schedule: Some(schedule.into()),
        },
    }
}

dual_test!(async fn a_due_schedule_runs_once_across_nodes(store) {
    let definitions = [workload::deploy(&store, "Claims", workload::T0).await];
    workload::run(&store, &definitions, 0..10).await;
    let node_a = Insights::new(store.clone());
    let node_b = Insights::new(store.clone());
    for (bad, expected) in [("61 * * * *", "definition.schedule"), ("every hour", "definition.schedule"), ("0 0 * * * *", "it has 6 fields")] {
        let error = node_a.create_report(&scheduled(bad), "ann", 1).await.unwrap_err().to_string();
        assert!(error.contains(expected), "{bad}: {error}");
    }
    let created = workload::T0 + 10 * 60_000; // 00:10
    let report = node_a.create_report(&scheduled("0 * * * *"), "ann", created).await.unwrap();
    assert_eq!(node_a.next_run_at(&report.id).await.unwrap(), Some(workload::T0 + HOUR));

    assert!(node_a.run_due_schedules(workload::T0 + HOUR - 1).await.unwrap().is_empty(), "not due yet");
    let due = workload::T0 + HOUR + 5_000;
    let (a, b) = tokio::join!(node_a.run_due_schedules(due), node_b.run_due_schedules(due));
    let runs: Vec<_> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    assert_eq!(runs.len(), 1, "one node claims the due run");
    assert_eq!(runs[0].ran_by, SCHEDULE_ACTOR);
    assert_eq!(runs[0].ran_at, due);
    assert_eq!(runs[0].parameters, BTreeMap::from([("process_id".to_string(), "claims".to_string())]));
    assert_eq!(runs[0].result.rows[0], vec![json!("started"), json!(10)]);
    assert!(node_b.run_due_schedules(due).await.unwrap().is_empty(), "ran once");
    assert_eq!(node_a.next_run_at(&report.id).await.unwrap(), Some(workload::T0 + 2 * HOUR));

    // Missed occurrences (no node ran for three hours) run once.
    let late = workload::T0 + 5 * HOUR + 1;
    assert_eq!(node_b.run_due_schedules(late).await.unwrap().len(), 1);
    assert_eq!(node_a.next_run_at(&report.id).await.unwrap(), Some(workload::T0 + 6 * HOUR));
    let kept = node_a.list_runs(&report, 10).await.unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|run| run.ran_by == SCHEDULE_ACTOR && run.as_of > 0));

    // Without a schedule it is no longer due; deleted, nothing is left.
    let mut unscheduled = scheduled("0 * * * *");
    unscheduled.definition.schedule = None;
    node_a.update_report(&report.id, &unscheduled, late).await.unwrap().unwrap();
    assert_eq!(node_a.next_run_at(&report.id).await.unwrap(), None);
    assert!(node_a.run_due_schedules(late + 10 * HOUR).await.unwrap().is_empty());
    node_a.update_report(&report.id, &scheduled("30 6 * * *"), late).await.unwrap().unwrap();
    assert_eq!(node_a.next_run_at(&report.id).await.unwrap(), Some(workload::T0 + 6 * HOUR + 30 * 60_000));
    assert!(node_a.delete_report(&report.id).await.unwrap());
    assert_eq!(node_a.next_run_at(&report.id).await.unwrap(), None);
});

fn sql_report(name: &str, sql: &str) -> ReportInput {
    ReportInput {
        name: name.into(),
        description: String::new(),
        roles: vec![],
        definition: ReportDefinition {
            source: Source::Sql,
            sql: Some(sql.into()),
            parameters: BTreeMap::new(),
            columns: vec![],
            chart: None,
            schedule: None,
        },
    }
}

dual_test!(async fn sql_reports_read_the_analytics_tables_only(store) {
    let definitions = [workload::deploy(&store, "Claims", workload::T0).await];
    workload::run(&store, &definitions, 0..30).await;
    let insights = Insights::new(store.clone());
    insights.catch_up(500).await.unwrap();
    let kpis = insights.kpis(&Filter::default()).await.unwrap();

    let report = insights
        .create_report(
            &sql_report(
                "Started per process",
                "SELECT process_id, CAST(SUM(started) AS BIGINT) AS started, \
                 CAST(SUM(completed) AS BIGINT) AS completed \
                 FROM insights_process_hour -- the hourly rollup\n\
                 WHERE hour_start >= $from AND process_id <> $skip GROUP BY process_id",
            ),
            "ann",
            1,
        )
        .await
        .unwrap();
    let parameters = BTreeMap::from([("from".to_string(), "0".to_string()), ("skip".to_string(), "none".to_string())]);
    let run = insights.run_report(&report, &parameters, "ann", 2).await.unwrap();
    assert_eq!(run.result.columns, ["process_id", "started", "completed"]);
    assert_eq!(run.result.rows, vec![vec![json!("claims"), json!(kpis.started), json!(kpis.completed)]]);
    let later = BTreeMap::from([("from".to_string(), (workload::T0 + 100 * DAY).to_string()), ("skip".to_string(), "none".to_string())]);
    assert!(insights.run_report(&report, &later, "ann", 3).await.unwrap().result.rows.is_empty());
    let error = insights.run_report(&report, &BTreeMap::new(), "ann", 3).await.unwrap_err().to_string();
    assert!(error.contains("parameter \"from\" has no value"), "{error}");
    let mut unknown = parameters.clone();
    unknown.insert("colour".into(), "red".into());
    let error = insights.run_report(&report, &unknown, "ann", 3).await.unwrap_err().to_string();
    assert!(error.contains("parameter \"colour\" is not used by the query"), "{error}");
    assert!(run.export(flowdesk_insights::reports::Format::Pdf).unwrap().starts_with(b"%PDF-"));
    assert!(run.cover().details.iter().any(|(label, value)| label == "Query" && value.contains("insights_process_hour")));

    // A default for a parameter the query does not have is refused on save.
    let mut bad = sql_report("Bad default", "SELECT * FROM insights_cursor");
    bad.definition.parameters.insert("from".into(), "1".into());
    let error = insights.create_report(&bad, "ann", 4).await.unwrap_err().to_string();
    assert!(error.contains("definition.parameters.from: the query has no $from"), "{error}");

    // The database refuses writes even if a query got past the parser.
    let reports = insights.list_reports().await.unwrap().len();
    let error = insights.create_report(&sql_report("Refused", "DELETE FROM insights_reports"), "ann", 5).await.unwrap_err().to_string();
    assert!(error.starts_with("invalid query: definition.sql: only a SELECT may run, not DELETE"), "{error}");
    assert_eq!(insights.list_reports().await.unwrap().len(), reports);
    let checked = sql_source::CheckedSql { text: "DELETE FROM insights_reports".into(), parameters: vec![] };
    let error = sql_source::run(&store, &checked, &BTreeMap::new()).await.unwrap_err().to_string();
    assert!(error.contains("the query failed"), "{error}");
    assert_eq!(insights.list_reports().await.unwrap().len(), reports, "the read-only transaction kept the rows");
    // ... and the connection it used is writable again for everything else.
    for _ in 0..4 {
        insights.catch_up(10).await.unwrap();
    }
    insights.create_report(&sql_report("After", "SELECT COUNT(*) AS n FROM insights_reports"), "ann", 6).await.unwrap();
});

#[test]
fn sql_sources_are_refused_unless_one_select_over_insights_tables() {
    let refused = [
        (
            "DELETE FROM insights_reports",
            "only a SELECT may run, not DELETE",
        ),
        (
            "UPDATE insights_cursor SET high_water = 0",
            "only a SELECT may run, not UPDATE",
        ),
        (
            "DROP TABLE insights_cursor",
            "only a SELECT may run, not DROP",
        ),
        (
            "SELECT 1 FROM insights_cursor; DELETE FROM insights_reports",
            "exactly one SELECT statement",
        ),
        (
            "SELECT 1 FROM insights_cursor /* hidden */; DELETE FROM history",
            "exactly one SELECT statement",
        ),
        (
            "SELECT * FROM history",
            "table history is not an analytics table",
        ),
        (
            "SELECT * FROM insights_cursor JOIN users ON true",
            "table users is not an analytics table",
        ),
        (
            "SELECT * FROM insights_cursor WHERE 1 IN (SELECT 1 FROM audit_log)",
            "table audit_log is not an analytics table",
        ),
        ("SELECT * FROM public.insights_cursor", "names a schema"),
        (
            "SELECT * FROM sqlite_master",
            "table sqlite_master is not an analytics table",
        ),
        (
            "SELECT pg_sleep(10) FROM insights_cursor",
            "function pg_sleep is not allowed",
        ),
        (
            "SELECT pg_read_file('/etc/passwd')",
            "function pg_read_file is not allowed",
        ),
        (
            "SELECT * INTO insights_copy FROM insights_cursor",
            "SELECT … INTO writes a table",
        ),
        (
            "WITH gone AS (DELETE FROM insights_reports RETURNING id) SELECT * FROM gone",
            "only a SELECT may run",
        ),
        ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r", "WITH RECURSIVE is refused"),
        ("SELECT * FROM insights_cursor WHERE", "not valid SQL"),
        ("-- nothing but a comment", "exactly one SELECT statement"),
    ];
    for dialect in [Dialect::Sqlite, Dialect::Postgres] {
        for (sql, expected) in refused {
            let error = sql_source::check(sql, dialect).unwrap_err().to_string();
            assert!(
                error.contains("definition.sql: ") && error.contains(expected),
                "{dialect:?} {sql}: {error}"
            );
        }
        // Comments are dropped: what runs is the parsed query printed back.
        let checked = sql_source::check(
            "SELECT high_water -- ; DELETE FROM history\nFROM insights_cursor /* ; DROP TABLE x */ WHERE id = $id",
            dialect,
        )
        .unwrap();
        assert_eq!(
            checked.text,
            "SELECT high_water FROM insights_cursor WHERE id = $1"
        );
        assert_eq!(checked.parameters, ["id"]);
        let with = sql_source::check(
            "WITH recent AS (SELECT * FROM insights_process_hour) SELECT COUNT(*) FROM recent",
            dialect,
        );
        assert!(with.is_ok(), "{with:?}");
    }
}
