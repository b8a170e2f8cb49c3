//! Scheduled report runs: a report's `schedule` is a five-field cron
//! expression (minute, hour, day of month, month, day of week; UTC), and
//! `insights_report_schedules` keeps when each scheduled report is due next.
//!
//! Every node may run the scheduler. A node runs a due report only after it
//! moved the report's due time forward with a compare-and-set on the old
//! value; the other nodes' updates then match no row, so each due time runs
//! once. A schedule missed while no node ran (several occurrences) runs once
//! when a node comes back, then follows the expression from the current time.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use croner::parser::{CronParser, Seconds};
use croner::Cron;
use flowdesk_store::{Millis, Tx};
use sqlx::Row;
use tokio::task::JoinHandle;

use crate::reports::ReportRun;
use crate::{Insights, InsightsError};

/// Who scheduled runs are recorded as (`ran_by`).
pub const SCHEDULE_ACTOR: &str = "schedule";

/// Events folded per transaction before scheduled runs.
const CATCH_UP_BATCH: usize = 2_000;

/// A parsed schedule.
#[derive(Debug, Clone)]
pub struct Schedule(Cron);

impl FromStr for Schedule {
    type Err = InsightsError;

    /// Parses a five-field cron expression; an error names
    /// `definition.schedule` and says what is wrong.
    fn from_str(expression: &str) -> Result<Schedule, InsightsError> {
        let invalid = |message: String| {
            InsightsError::InvalidQuery(format!(
                "definition.schedule: {expression:?} is not a cron expression of five fields \
                 (minute hour day-of-month month day-of-week, UTC), e.g. \"0 6 * * 1\": {message}"
            ))
        };
        if expression.split_whitespace().count() != 5 {
            return Err(invalid(format!(
                "it has {} fields",
                expression.split_whitespace().count()
            )));
        }
        CronParser::builder()
            .seconds(Seconds::Disallowed)
            .build()
            .parse(expression)
            .map(Schedule)
            .map_err(|e| invalid(e.to_string()))
    }
}

impl Schedule {
    /// The first time strictly after `at` the schedule fires (ms since the epoch).
    pub fn next_after(&self, at: Millis) -> Result<Millis, InsightsError> {
        let start = chrono::DateTime::from_timestamp_millis(at).ok_or_else(|| {
            InsightsError::InvalidQuery(format!("{at} ms is out of the calendar's range"))
        })?;
        self.0
            .find_next_occurrence(&start, false)
            .map(|next| next.timestamp_millis())
            .map_err(|e| {
                InsightsError::InvalidQuery(format!(
                    "definition.schedule: the expression never fires after {at} ms: {e}"
                ))
            })
    }
}

/// Sets (or with `None` removes) when a report is next due, in `tx`.
pub(crate) async fn set_next_run(
    tx: &mut Tx<'_>,
    report_id: &str,
    next_run_at: Option<Millis>,
) -> Result<(), InsightsError> {
    match next_run_at {
        Some(at) => {
            sqlx::query(
                "INSERT INTO insights_report_schedules (report_id, next_run_at) VALUES ($1, $2) \
                 ON CONFLICT (report_id) DO UPDATE SET next_run_at = excluded.next_run_at",
            )
            .bind(report_id)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM insights_report_schedules WHERE report_id = $1")
                .bind(report_id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

impl Insights {
    /// When the report `report_id` is next due, if it has a schedule.
    pub async fn next_run_at(&self, report_id: &str) -> Result<Option<Millis>, InsightsError> {
        let row =
            sqlx::query("SELECT next_run_at FROM insights_report_schedules WHERE report_id = $1")
                .bind(report_id)
                .fetch_optional(self.store().pool())
                .await?;
        Ok(row.map(|row| row.try_get("next_run_at")).transpose()?)
    }

    /// Runs every scheduled report due at `now` that this call claims (see
    /// the module documentation) and returns the runs it made. A report
    /// whose run fails is logged and tried again at its next due time.
    pub async fn run_due_schedules(&self, now: Millis) -> Result<Vec<ReportRun>, InsightsError> {
        let due = sqlx::query(
            "SELECT report_id, next_run_at FROM insights_report_schedules \
             WHERE next_run_at <= $1 ORDER BY next_run_at, report_id",
        )
        .bind(now)
        .fetch_all(self.store().pool())
        .await?;
        let mut runs = Vec::new();
        let mut caught_up = false;
        for row in due {
            let report_id: String = row.try_get("report_id")?;
            let due_at: Millis = row.try_get("next_run_at")?;
            let Some(report) = self.find_report(&report_id).await? else {
                continue;
            };
            let Some(expression) = &report.definition.schedule else {
                continue;
            };
            let next = expression.parse::<Schedule>()?.next_after(now)?;
            let claimed = sqlx::query(
                "UPDATE insights_report_schedules SET next_run_at = $1 \
                 WHERE report_id = $2 AND next_run_at = $3",
            )
            .bind(next)
            .bind(&report_id)
            .bind(due_at)
            .execute(self.store().pool())
            .await?
            .rows_affected()
                == 1;
            if !claimed {
                continue;
            }
            if !caught_up {
                self.catch_up(CATCH_UP_BATCH).await?;
                caught_up = true;
            }
            match self
                .run_report(&report, &BTreeMap::new(), SCHEDULE_ACTOR, now)
                .await
            {
                Ok(run) => {
                    tracing::info!(report = %report.name, run = %run.id, "scheduled report ran");
                    runs.push(run);
                }
                Err(error) => {
                    tracing::warn!(report = %report.name, %error, "scheduled report failed");
                }
            }
        }
        Ok(runs)
    }
}

/// A running scheduler; it stops when the handle is dropped.
#[derive(Debug)]
pub struct SchedulerHandle(JoinHandle<()>);

impl Drop for SchedulerHandle {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Spawns a task that runs the due scheduled reports every `interval`,
/// reading the time with `clock` (ms since the epoch). Errors are logged
/// and retried at the next tick.
pub fn spawn_scheduler(
    insights: Insights,
    interval: Duration,
    clock: fn() -> Millis,
) -> SchedulerHandle {
    SchedulerHandle(tokio::spawn(async move {
        loop {
            if let Err(error) = insights.run_due_schedules(clock()).await {
                tracing::warn!(%error, "report scheduler");
            }
            tokio::time::sleep(interval).await;
        }
    }))
}
