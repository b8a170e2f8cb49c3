//! Flowdesk insights: process analytics.
//!
//! Owns the analytics read model — aggregates per process, version and
//! hour (rolled up per day and calendar month) and per element and day
//! (rolled up per month), folded from the engine's append-only history log
//! — and the queries dashboards and reports ask of it (KPIs, time series,
//! per-element statistics for the diagram heatmap), each answered from the
//! coarsest rollups its date range covers whole.
//!
//! The read model is incremental and idempotent: [`Insights::catch_up`]
//! reads history after a cursor in batches and folds each batch into the
//! aggregates, advancing the cursor in the same transaction, so a crash
//! loses at most the batch in flight and never counts an event twice;
//! [`Insights::rebuild`] recomputes everything from scratch and gives the
//! same numbers. Durations keep a mergeable [`sketch::Sketch`], so
//! percentiles can be answered over any date range.
//!
//! Boundaries: this crate reads `history` and `instances` and writes only
//! its own `insights_*` tables (migrations 0005 and 0012 in
//! `flowdesk-store`); it never changes how history is written. It knows
//! nothing about HTTP.

#![warn(missing_docs)]

mod by_variable;
pub mod dashboards;
pub mod decision_outcomes;
mod fold;
pub mod query;
pub mod render;
pub mod reports;
pub mod schedule;
pub mod sketch;
pub mod sql_source;
mod worker;

use flowdesk_store::{Millis, Store, StoreError};

pub use decision_outcomes::{DecisionOutcomes, RuleCount};
pub use fold::{BatchOutcome, GAP_GRACE_MS};
pub use query::{
    DurationStats, ElementStats, Filter, Granularity, Kpis, ReadModelStatus, SeriesPoint,
};
pub use worker::{spawn_worker, WorkerHandle};

/// Errors of the read model.
#[derive(Debug, thiserror::Error)]
pub enum InsightsError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored value could not be interpreted.
    #[error("invalid stored analytics data: {0}")]
    InvalidData(String),
    /// A query was asked with arguments that cannot be answered.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
}

impl From<sqlx::Error> for InsightsError {
    fn from(error: sqlx::Error) -> Self {
        InsightsError::Store(error.into())
    }
}

/// The analytics read model on a store.
#[derive(Debug, Clone)]
pub struct Insights {
    store: Store,
}

impl Insights {
    /// The read model on `store` (migrated).
    pub fn new(store: Store) -> Self {
        Insights { store }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// Milliseconds since the Unix epoch from the system clock: only for the
/// cursor's bookkeeping (as-of times, gap grace), never for history times.
pub(crate) fn wall_clock() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Start of the UTC hour holding `at`.
pub fn hour_start(at: Millis) -> Millis {
    at - at.rem_euclid(3_600_000)
}

/// Start of the UTC day holding `at`.
pub fn day_start(at: Millis) -> Millis {
    at - at.rem_euclid(86_400_000)
}

/// Days from the start of the Julian period to the Unix epoch.
const EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// The calendar date of the UTC day holding `at`; times outside the years
/// -9999..=9999 count as the first or last day of that range.
fn utc_date(at: Millis) -> time::Date {
    let julian = (at.div_euclid(86_400_000) + EPOCH_JULIAN_DAY).clamp(
        i64::from(time::Date::MIN.to_julian_day()),
        i64::from(time::Date::MAX.to_julian_day()),
    );
    time::Date::from_julian_day(julian as i32).unwrap_or(time::Date::MIN)
}

fn date_millis(date: time::Date) -> Millis {
    (i64::from(date.to_julian_day()) - EPOCH_JULIAN_DAY) * 86_400_000
}

/// Start (00:00 UTC of its first day) of the calendar month holding `at`.
pub fn month_start(at: Millis) -> Millis {
    let date = utc_date(at);
    date_millis(date.replace_day(1).unwrap_or(date))
}

/// Start of the calendar month after the one holding `at` (saturating
/// after December 9999).
pub fn next_month_start(at: Millis) -> Millis {
    let date = utc_date(at);
    let (year, month) = match date.month() {
        time::Month::December => (date.year() + 1, time::Month::January),
        month => (date.year(), month.next()),
    };
    time::Date::from_calendar_date(year, month, 1).map_or(Millis::MAX, date_millis)
}
