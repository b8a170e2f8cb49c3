//! The read model against history: for a generated workload over two and
//! a half months every row of every table (hourly, daily and monthly
//! process rows, daily and monthly element rows) equals the same numbers
//! computed directly by SQL over `history`; a rebuild gives identical
//! tables; a batch lost mid-way (transaction dropped before commit) is
//! folded again exactly once; and every query (KPIs, daily and hourly
//! series, element statistics, process list) answers for a set of process,
//! version and date-range filters what the raw history says.

#[allow(dead_code)] // each test binary uses part of the shared helpers
mod history;
#[allow(dead_code)]
mod workload;

use std::collections::{BTreeMap, BTreeSet};

use flowdesk_insights::query::ProcessVersion;
use flowdesk_insights::sketch::Sketch;
use flowdesk_insights::{
    DurationStats, ElementStats, Filter, Granularity, Insights, Kpis, SeriesPoint,
};
use flowdesk_store::{dual_test, Store};
use history::{Expected, Measure, DAY, HOUR};
use sqlx::Row;

const INSTANCES: u64 = 2_000;
/// One instance every 54 minutes: 2,000 of them span 2026-01-01 to the
/// middle of March, so ranges cross month boundaries.
const SPACING: i64 = 54 * 60_000;

fn hour_of(at: i64) -> i64 {
    at - at.rem_euclid(HOUR)
}

fn day_of(at: i64) -> i64 {
    at - at.rem_euclid(DAY)
}

/// The first multiple of `step` at or after `at`.
fn ceil(at: i64, step: i64) -> i64 {
    at + (step - at.rem_euclid(step)) % step
}

fn of_filter(filter: &Filter, measure: &Measure) -> bool {
    filter
        .process_id
        .as_ref()
        .is_none_or(|id| *id == measure.process_id)
        && filter
            .version
            .is_none_or(|version| version == measure.version)
}

/// Whether a bucket start lies in the filter's `[from, to)`.
fn in_range(filter: &Filter, bucket: i64) -> bool {
    filter.from.is_none_or(|from| bucket >= from) && filter.to.is_none_or(|to| bucket < to)
}

/// Duration statistics of raw values: exact count, mean, min and max; the
/// percentiles of their sketch, within the extremes.
fn stats(values: &[i64]) -> DurationStats {
    let mut sketch = Sketch::new();
    for value in values {
        sketch.add(*value);
    }
    let (min, max) = (values.iter().min().copied(), values.iter().max().copied());
    let quantile = |q: f64| {
        sketch
            .quantile(q)
            .map(|v| v.clamp(min.unwrap_or(0) as f64, max.unwrap_or(0) as f64))
    };
    DurationStats {
        count: values.len() as i64,
        mean_ms: (!values.is_empty())
            .then(|| values.iter().sum::<i64>() as f64 / values.len() as f64),
        min_ms: min,
        max_ms: max,
        p50_ms: quantile(0.5),
        p90_ms: quantile(0.9),
        p99_ms: quantile(0.99),
    }
}

/// Counts and durations of process measures selected by `pick`.
struct Sums {
    counts: BTreeMap<&'static str, i64>,
    durations: Vec<i64>,
}

fn sums<'a>(measures: impl Iterator<Item = &'a Measure>) -> Sums {
    let mut sums = Sums {
        counts: BTreeMap::new(),
        durations: Vec::new(),
    };
    for measure in measures {
        if measure.is_duration() {
            sums.durations.push(measure.value);
        } else {
            *sums.counts.entry(measure.name).or_default() += measure.value;
        }
    }
    sums
}

impl Sums {
    fn count(&self, name: &str) -> i64 {
        self.counts.get(name).copied().unwrap_or(0)
    }
}

/// Instances of the filter's process and version active at the end of the
/// hours before `before` (all hours: `None`).
fn active(expected: &Expected, filter: &Filter, before: Option<i64>) -> i64 {
    let all =
        sums(expected.process.iter().filter(|m| {
            of_filter(filter, m) && before.is_none_or(|before| hour_of(m.at) < before)
        }));
    all.count("started") - all.count("completed") - all.count("cancelled")
}

fn expected_kpis(expected: &Expected, filter: &Filter) -> Kpis {
    let range = sums(
        expected
            .process
            .iter()
            .filter(|m| of_filter(filter, m) && in_range(filter, hour_of(m.at))),
    );
    Kpis {
        started: range.count("started"),
        completed: range.count("completed"),
        cancelled: range.count("cancelled"),
        active: active(expected, filter, filter.to.map(|to| ceil(to, HOUR))),
        incidents_opened: range.count("incidents_opened"),
        incidents_resolved: range.count("incidents_resolved"),
        duration: stats(&range.durations),
    }
}

fn expected_series(
    expected: &Expected,
    filter: &Filter,
    granularity: Granularity,
) -> Vec<SeriesPoint> {
    let step = match granularity {
        Granularity::Hour => HOUR,
        Granularity::Day => DAY,
    };
    let bucket_of = |at: i64| at - at.rem_euclid(step);
    let hours: Vec<i64> = expected
        .process
        .iter()
        .filter(|m| of_filter(filter, m) && in_range(filter, hour_of(m.at)))
        .map(|m| hour_of(m.at))
        .collect();
    let (Some(first), Some(last)) = (
        filter.from.or(hours.iter().min().copied()),
        filter.to.or(hours.iter().max().map(|at| at + 1)),
    ) else {
        return Vec::new();
    };
    let end = ceil(last, HOUR);
    let mut points = Vec::new();
    let mut start = bucket_of(first);
    while start < last {
        let bucket = sums(expected.process.iter().filter(|m| {
            of_filter(filter, m)
                && in_range(filter, hour_of(m.at))
                && bucket_of(hour_of(m.at)) == start
        }));
        points.push(SeriesPoint {
            start,
            started: bucket.count("started"),
            completed: bucket.count("completed"),
            cancelled: bucket.count("cancelled"),
            active: active(expected, filter, Some((start + step).min(end))),
            incidents_opened: bucket.count("incidents_opened"),
            incidents_resolved: bucket.count("incidents_resolved"),
            duration: stats(&bucket.durations),
        });
        start += step;
    }
    points
}

fn expected_elements(expected: &Expected, filter: &Filter) -> Vec<ElementStats> {
    let picked = |m: &&Measure| of_filter(filter, m) && in_range(filter, day_of(m.at));
    let mut by_element: BTreeMap<String, Vec<&Measure>> = BTreeMap::new();
    for measure in expected.element.iter().filter(picked) {
        by_element
            .entry(measure.element.clone())
            .or_default()
            .push(measure);
    }
    by_element
        .into_iter()
        .map(|(element_id, measures)| {
            let of = |name: &str| -> Vec<i64> {
                measures
                    .iter()
                    .filter(|m| m.name == name)
                    .map(|m| m.value)
                    .collect()
            };
            let count = |name: &str| of(name).iter().sum::<i64>();
            let element_type = expected
                .element_types
                .iter()
                .find(|(m, _)| m.element == element_id && picked(&m))
                .map(|(_, element_type)| element_type.clone())
                .unwrap_or_default();
            ElementStats {
                element_type,
                activated: count("activated"),
                completed: count("completed"),
                terminated: count("terminated"),
                incidents_opened: count("incidents_opened"),
                incidents_resolved: count("incidents_resolved"),
                duration: stats(&of("duration")),
                wait: stats(&of("wait")),
                element_id,
            }
        })
        .collect()
}

async fn expected_processes(store: &Store) -> Vec<ProcessVersion> {
    sqlx::query(
        "SELECT process_id, version, COUNT(*) AS instances FROM instances \
         WHERE id IN (SELECT instance_id FROM history) \
         GROUP BY process_id, version ORDER BY process_id, version",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|row| ProcessVersion {
        process_id: row.get("process_id"),
        version: row.get("version"),
        instances: row.get("instances"),
    })
    .collect()
}

/// Filters the queries are checked with: everything, a process version,
/// ranges crossing months with unaligned bounds, open-ended ranges, a range
/// inside a day, whole months, and a range without data.
fn filters() -> Vec<Filter> {
    let t0 = workload::T0;
    let claims = || Some("claims".to_string());
    let range = |from: i64, to: i64| Filter {
        from: Some(from),
        to: Some(to),
        ..Filter::default()
    };
    let minutes = |n: i64| n * 60_000;
    let february = t0 + 31 * DAY;
    let march = february + 28 * DAY;
    vec![
        Filter::default(),
        Filter {
            process_id: claims(),
            version: Some(1),
            ..Filter::default()
        },
        Filter {
            version: Some(2),
            ..Filter::default()
        },
        range(
            t0 + 19 * DAY + 13 * HOUR + minutes(17),
            t0 + 61 * DAY + 5 * HOUR + minutes(41),
        ),
        Filter {
            from: Some(february + minutes(30)),
            ..Filter::default()
        },
        Filter {
            to: Some(march),
            ..Filter::default()
        },
        Filter {
            to: Some(february + 3 * DAY + minutes(1)),
            ..Filter::default()
        },
        range(
            t0 + 10 * DAY + 3 * HOUR + minutes(20),
            t0 + 10 * DAY + 17 * HOUR + minutes(5),
        ),
        Filter {
            process_id: claims(),
            version: Some(2),
            from: Some(february),
            to: Some(march),
        },
        range(t0 + 400 * DAY, t0 + 401 * DAY),
    ]
}

dual_test!(async fn read_model_equals_history_rebuilds_identically_and_survives_a_lost_batch(store) {
    let v1 = workload::deploy(&store, "Claims", workload::T0).await;
    let v2 = workload::deploy(&store, "Claims v2", workload::T0).await;
    assert_eq!((v1.version, v2.version), (1, 2));
    let definitions = [v1, v2];
    let insights = Insights::new(store.clone());

    // First half, folded in small batches while instances are still open.
    workload::run_spaced(&store, &definitions, 0..INSTANCES / 2, SPACING).await;
    assert!(insights.catch_up(97).await.unwrap() > 0);
    workload::run_spaced(&store, &definitions, INSTANCES / 2..INSTANCES, SPACING).await;

    // A crash after reading a batch, before commit: nothing of it stays.
    let before = insights.status().await.unwrap();
    let mut tx = insights.begin().await.unwrap();
    let lost = insights.fold_batch(&mut tx, 500, 0).await.unwrap();
    assert_eq!(lost.events, 500);
    drop(tx);
    assert_eq!(insights.status().await.unwrap().high_water, before.high_water);

    insights.catch_up(251).await.unwrap();
    let status = insights.status().await.unwrap();
    assert_eq!(status.high_water, status.history_head);
    assert_eq!(status.awaited_gaps, 0);
    let expected = Expected::load(&store, None).await;
    history::assert_read_model_is(&store, &expected).await;
    // The workload spans three calendar months.
    let months: BTreeSet<i64> =
        expected.process_table(history::Level::Month).keys().map(|key| key.3).collect();
    assert_eq!(months.len(), 3, "months {months:?}");
    // Caught up: nothing more to fold.
    assert_eq!(insights.catch_up(251).await.unwrap(), 0);

    let folded = history::dump(&store).await;
    let events = insights.rebuild(1_000).await.unwrap();
    assert_eq!(events as i64, status.history_head);
    assert_eq!(history::dump(&store).await, folded, "a rebuild gives identical tables");

    // Every query, for each filter, answers what the raw history says.
    for filter in filters() {
        assert_eq!(
            insights.kpis(&filter).await.unwrap(),
            expected_kpis(&expected, &filter),
            "KPIs {filter:?}"
        );
        for granularity in [Granularity::Day, Granularity::Hour] {
            assert_eq!(
                insights.time_series(&filter, granularity).await.unwrap(),
                expected_series(&expected, &filter, granularity),
                "{granularity:?} series {filter:?}"
            );
        }
        assert_eq!(
            insights.element_stats(&filter).await.unwrap(),
            expected_elements(&expected, &filter),
            "elements {filter:?}"
        );
    }
    let processes = insights.processes().await.unwrap();
    assert_eq!(processes, expected_processes(&store).await);
    assert_eq!(processes.iter().map(|p| p.instances).sum::<i64>(), INSTANCES as i64);

    // Independent checks of the same answers against the live tables.
    let kpis = insights.kpis(&Filter::default()).await.unwrap();
    assert_eq!(kpis.started, INSTANCES as i64);
    let active: i64 = sqlx::query("SELECT COUNT(*) AS n FROM instances WHERE state = 'active'")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("n");
    assert!(active > 0);
    assert_eq!(kpis.active, active);
    let durations: Vec<i64> = sqlx::query(
        "SELECT ended_at - started_at AS d FROM instances WHERE ended_at IS NOT NULL",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|row| row.get("d"))
    .collect();
    assert_eq!(kpis.duration.count, durations.len() as i64);
    assert_eq!(kpis.duration.max_ms, durations.iter().max().copied());
    let mut sorted = durations.clone();
    sorted.sort();
    let exact_p90 = sorted[(0.9 * (sorted.len() - 1) as f64).floor() as usize] as f64;
    let p90 = kpis.duration.p90_ms.unwrap();
    assert!((p90 - exact_p90).abs() <= exact_p90 * 0.01, "p90 {p90} vs {exact_p90}");

    // Per version, per day: the series adds up to the KPIs, the backlog
    // ends at the active count of that version.
    for version in [1, 2] {
        let filter = Filter { process_id: Some("claims".into()), version: Some(version), ..Filter::default() };
        let series = insights.time_series(&filter, Granularity::Day).await.unwrap();
        let kpis = insights.kpis(&filter).await.unwrap();
        assert_eq!(series.iter().map(|p| p.started).sum::<i64>(), kpis.started);
        assert_eq!(series.iter().map(|p| p.completed).sum::<i64>(), kpis.completed);
        assert_eq!(series.last().unwrap().active, kpis.active);
        assert!(series.windows(2).all(|w| w[1].start - w[0].start == 86_400_000));
        let hourly = insights.time_series(&filter, Granularity::Hour).await.unwrap();
        assert_eq!(hourly.iter().map(|p| p.completed).sum::<i64>(), kpis.completed);
    }

    let elements = insights.element_stats(&Filter::default()).await.unwrap();
    let approve = elements.iter().find(|e| e.element_id == "approve").unwrap();
    assert_eq!(approve.element_type, "userTask");
    assert!(approve.wait.count > 0 && approve.wait.max_ms.unwrap() < 3_600_000);
    assert!(elements.iter().find(|e| e.element_id == "check").unwrap().incidents_resolved > 0);
});
