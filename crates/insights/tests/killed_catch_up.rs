//! Crash safety of the read model: catch-up runs in a separate process
//! that is killed with SIGKILL part way, several times; after each kill the
//! read model holds exactly the history up to its cursor (the batch in
//! flight lost entirely, nothing of it half applied), and once a last
//! process finishes it equals the numbers computed directly from history and
//! a rebuild from scratch: nothing counted twice, nothing lost.
//!
//! The catch-up process is this test binary run again on the same test,
//! with the database URL in [`CHILD_DB`]: in that role the test catches the
//! read model up and exits.

#[allow(dead_code)] // each test binary uses part of the shared helpers
mod history;
#[allow(dead_code)]
mod workload;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use flowdesk_insights::Insights;
use flowdesk_store::test_support::TestDb;
use flowdesk_store::{Dialect, Store};
use history::Expected;
use sqlx::Row;

/// Set in the catch-up process: the URL of the database to catch up.
const CHILD_DB: &str = "FLOWDESK_INSIGHTS_CATCH_UP_DB";
/// Instances of the workload.
const INSTANCES: u64 = 2_500;
/// One instance every 35 minutes: two months of history.
const SPACING: i64 = 35 * 60_000;
/// Events per transaction in the catch-up process: many commits to land
/// between.
const BATCH: usize = 40;
/// How many catch-up processes are killed before one may finish.
const KILLS: i64 = 4;

/// The read model's cursor.
async fn high_water(store: &Store) -> i64 {
    sqlx::query("SELECT high_water FROM insights_cursor WHERE id = 1")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("high_water")
}

/// The cursor once the killed process's transaction is settled: a batch
/// whose COMMIT reached PostgreSQL before the kill still commits, one in
/// flight is rolled back when the server sees the connection gone; taking
/// the cursor's lock (the fold's own `begin` and `FOR UPDATE`) waits for
/// either.
async fn settled_high_water(store: &Store) -> i64 {
    let mut tx = Insights::new(store.clone()).begin().await.unwrap();
    let lock = match store.dialect() {
        Dialect::Postgres => " FOR UPDATE",
        Dialect::Sqlite => "",
    };
    let cursor: i64 = sqlx::query(&format!(
        "SELECT high_water FROM insights_cursor WHERE id = 1{lock}"
    ))
    .fetch_one(&mut *tx)
    .await
    .unwrap()
    .get("high_water");
    tx.commit().await.unwrap();
    cursor
}

/// Runs this test again in a new process as the catch-up process.
fn spawn_catch_up(test: &str, url: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads", "1"])
        .env(CHILD_DB, url)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The catch-up process: folds all of history in small batches.
async fn catch_up(url: &str) {
    let store = Store::connect(url).await.unwrap();
    Insights::new(store.clone()).catch_up(BATCH).await.unwrap();
    store.close().await;
}

async fn killed_mid_catch_up(dialect: Dialect, test: &str) {
    if let Ok(url) = std::env::var(CHILD_DB) {
        return catch_up(&url).await;
    }
    let db = TestDb::fresh(dialect).await;
    let store = db.store.clone();
    let url = db.url.clone();
    let test = test.to_string();
    let result = tokio::spawn(async move {
        let definitions = [
            workload::deploy(&store, "Claims", workload::T0).await,
            workload::deploy(&store, "Claims v2", workload::T0).await,
        ];
        workload::run_spaced(&store, &definitions, 0..INSTANCES, SPACING).await;
        let head: i64 = sqlx::query("SELECT MAX(seq) AS head FROM history")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .get("head");
        assert!(head > 20_000, "a workload of {head} events");

        // Each process is killed once the cursor has passed its mark
        // (1/6, 2/6, … of history), while it works on the next batch.
        let mut cursors = Vec::new();
        for kill in 1..=KILLS {
            let mark = head * kill / (KILLS + 2);
            let mut child = spawn_catch_up(&test, &url);
            let deadline = Instant::now() + Duration::from_secs(300);
            while high_water(&store).await < mark {
                assert!(
                    child.try_wait().unwrap().is_none(),
                    "the catch-up process ended before the cursor reached {mark}"
                );
                assert!(Instant::now() < deadline, "no progress to {mark}");
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            child.kill().unwrap(); // SIGKILL
            let status = child.wait().unwrap();
            assert_eq!(
                std::os::unix::process::ExitStatusExt::signal(&status),
                Some(9),
                "killed, not finished: {status}"
            );
            let cursor = settled_high_water(&store).await;
            assert!(cursor < head, "kill {kill} came after the last batch");
            // Exactly the history up to the cursor, every level.
            history::assert_read_model_is(&store, &Expected::load(&store, Some(cursor)).await)
                .await;
            cursors.push(cursor);
        }
        assert!(
            cursors.windows(2).all(|w| w[0] < w[1]),
            "each process resumed where the last one stopped: {cursors:?}"
        );

        // A last process finishes the work.
        let status = spawn_catch_up(&test, &url).wait().unwrap();
        assert!(status.success(), "the last catch-up process: {status}");
        let insights = Insights::new(store.clone());
        let status = insights.status().await.unwrap();
        assert_eq!(status.high_water, head);
        assert_eq!(status.awaited_gaps, 0);
        history::assert_read_model_is(&store, &Expected::load(&store, None).await).await;
        let folded = history::dump(&store).await;
        assert_eq!(insights.rebuild(1_000).await.unwrap() as i64, head);
        assert_eq!(
            history::dump(&store).await,
            folded,
            "a rebuild gives identical tables"
        );
    })
    .await;
    db.finish().await;
    if let Err(error) = result {
        std::panic::resume_unwind(error.into_panic());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_killed_mid_way_resumes_exactly_sqlite() {
    killed_mid_catch_up(
        Dialect::Sqlite,
        "catch_up_killed_mid_way_resumes_exactly_sqlite",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_killed_mid_way_resumes_exactly_postgres() {
    killed_mid_catch_up(
        Dialect::Postgres,
        "catch_up_killed_mid_way_resumes_exactly_postgres",
    )
    .await;
}
