//! The benchmark driver behind `cargo xtask bench engine`.
//!
//! ```text
//! flowdesk-bench memory   MODEL.bpmn PROCESS_ID COUNT
//! flowdesk-bench sqlite   MODEL.bpmn PROCESS_ID COUNT
//! flowdesk-bench postgres MODEL.bpmn PROCESS_ID COUNT
//! ```
//!
//! `memory` runs COUNT instances on the in-memory [`Engine`]. `sqlite` and
//! `postgres` run them durably through [`Workflow`] on a fresh database (a
//! temporary SQLite file; a new database on the server named by
//! `FLOWDESK_TEST_PG`, default `postgres://postgres@127.0.0.1:5432`), one
//! transaction per instance, then measure two ceilings with sqlx on the same
//! database:
//!
//! - the raw ceiling: the same number of transactions, each one `INSERT` and
//!   one `UPDATE` of a small row — what the database allows any sequential
//!   client;
//! - the same-writes ceiling: the same number of transactions, each writing
//!   exactly the rows one durable instance wrote (the instance row, its
//!   history rows; instance numbers come from a block reserved once per 64
//!   starts) into copies of the tables with the same
//!   indexes, copied with `INSERT … SELECT` so no engine, serialization or
//!   parameter binding is involved — what the database allows for the data
//!   Flowdesk must keep.
//!
//! Instances get `amount` 50 and 150 alternately, like the peers'
//! harnesses, and every instance must end completed.
//!
//! Each measurement prints one line in the peers' format:
//! `NAME PROCESS: N instances in S s = R instances/s`.

use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use flowdesk_engine::{Engine, InstanceStatus};
use flowdesk_store::definitions::{self, Kind, NewDefinition};
use flowdesk_store::test_support::TestDb;
use flowdesk_store::workflow::Workflow;
use flowdesk_store::{Dialect, Store};
use serde_json::{json, Map, Value};

type Error = Box<dyn std::error::Error>;

const USAGE: &str = "usage: flowdesk-bench memory|sqlite|postgres MODEL.bpmn PROCESS_ID COUNT";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("flowdesk-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Error> {
    let arguments: Vec<String> = std::env::args().collect();
    let [_, mode, path, process_id, count] = arguments.as_slice() else {
        return Err(USAGE.into());
    };
    let count: usize = count
        .parse()
        .map_err(|_| format!("COUNT must be a number, not {count}"))?;
    let xml = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    match mode.as_str() {
        "memory" => in_memory(&xml, process_id, count),
        "sqlite" => durable(Dialect::Sqlite, path, &xml, process_id, count),
        "postgres" => durable(Dialect::Postgres, path, &xml, process_id, count),
        _ => Err(USAGE.into()),
    }
}

/// The variables of the `index`-th instance: `amount` 50 or 150.
fn variables(index: usize) -> Map<String, Value> {
    let mut variables = Map::new();
    let amount = if index % 2 == 1 { 150 } else { 50 };
    variables.insert("amount".into(), json!(amount));
    variables
}

fn report(name: &str, process_id: &str, count: usize, unit: &str, elapsed: Duration) {
    let seconds = elapsed.as_secs_f64();
    println!(
        "{name} {process_id}: {count} {unit} in {seconds:.3} s = {:.0} {unit}/s",
        count as f64 / seconds
    );
}

fn in_memory(xml: &str, process_id: &str, count: usize) -> Result<(), Error> {
    let mut engine = Engine::new();
    engine.set_record_history(false);
    engine.set_keep_ended_instances(false);
    engine.deploy_xml(xml)?;
    let run_one = |engine: &mut Engine, index: usize| -> Result<(), Error> {
        let key = engine.start_instance(process_id, variables(index))?;
        // Ended instances are dropped; one still present did not finish.
        match engine.instance(key) {
            Some(state) if state.status != InstanceStatus::Completed => {
                Err(format!("instance {key} did not reach its end event").into())
            }
            _ => Ok(()),
        }
    };
    run_one(&mut engine, 1)?; // warm up
    let started = Instant::now();
    for index in 0..count {
        run_one(&mut engine, index)?;
    }
    report(
        "flowdesk-memory",
        process_id,
        count,
        "instances",
        started.elapsed(),
    );
    Ok(())
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn durable(
    dialect: Dialect,
    path: &str,
    xml: &str,
    process_id: &str,
    count: usize,
) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let db = TestDb::fresh(dialect).await;
        let result = durable_on(&db.store, dialect, path, xml, process_id, count).await;
        db.finish().await;
        result
    })
}

async fn durable_on(
    store: &Store,
    dialect: Dialect,
    path: &str,
    xml: &str,
    process_id: &str,
    count: usize,
) -> Result<(), Error> {
    let label = match dialect {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgres",
    };
    let workflow = Workflow::new(store.clone());
    let mut tx = store.begin().await?;
    let resource_name = std::path::Path::new(path)
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("model.bpmn");
    let (definition, _) = definitions::deploy(
        &mut tx,
        &NewDefinition {
            kind: Kind::Bpmn,
            process_id,
            name: process_id,
            resource_name,
            content: xml,
            deployed_at: now_millis(),
            deployed_by: "bench",
        },
    )
    .await?;
    tx.commit().await?;

    // One command (start, run to the end) = one transaction per instance.
    let mut transactions = 0usize;
    let mut measured = Vec::with_capacity(count);
    let mut start = async |index: usize| -> Result<String, Error> {
        let mut tx = workflow.begin().await?;
        let instance = workflow
            .start_instance(
                &mut tx,
                &definition,
                variables(index),
                "bench",
                now_millis(),
            )
            .await?;
        tx.commit().await?;
        transactions += 1;
        if instance.state != "completed" {
            return Err(format!(
                "instance {} did not reach its end event (state {})",
                instance.id, instance.state
            )
            .into());
        }
        Ok(instance.id)
    };
    start(1).await?; // warm up: compiles the process, fills the pool
    let started = Instant::now();
    for index in 0..count {
        measured.push(start(index).await?);
    }
    let elapsed = started.elapsed();
    report(
        &format!("flowdesk-durable-{label}"),
        process_id,
        count,
        "instances",
        elapsed,
    );
    let transactions = transactions - 1;

    // The raw ceiling: as many transactions, each one INSERT and one UPDATE.
    sqlx::query(
        "CREATE TABLE bench_raw (id TEXT PRIMARY KEY, state TEXT NOT NULL, \
         updated_at BIGINT NOT NULL)",
    )
    .execute(store.pool())
    .await?;
    let raw = async |index: usize| -> Result<(), Error> {
        let id = format!("raw-{index}");
        let mut tx = store.begin().await?;
        sqlx::query("INSERT INTO bench_raw (id, state, updated_at) VALUES ($1, 'active', $2)")
            .bind(&id)
            .bind(now_millis())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE bench_raw SET state = 'completed', updated_at = $2 WHERE id = $1")
            .bind(&id)
            .bind(now_millis())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    };
    raw(usize::MAX).await?; // warm up
    let started = Instant::now();
    for index in 0..transactions {
        raw(index).await?;
    }
    report(
        &format!("raw-sqlx-{label}"),
        process_id,
        transactions,
        "transactions",
        started.elapsed(),
    );

    same_writes_tables(store, dialect).await?;
    let copy = async |instance_id: &str| -> Result<(), Error> {
        let mut tx = workflow.begin().await?;
        sqlx::query("INSERT INTO bench_instances SELECT * FROM instances WHERE id = $1")
            .bind(instance_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO bench_history (instance_id, at, kind, element_id, detail) \
             SELECT instance_id, at, kind, element_id, detail FROM history \
             WHERE instance_id = $1 ORDER BY seq",
        )
        .bind(instance_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    };
    let started = Instant::now();
    for instance_id in &measured {
        copy(instance_id).await?;
    }
    report(
        &format!("same-writes-sqlx-{label}"),
        process_id,
        measured.len(),
        "transactions",
        started.elapsed(),
    );
    Ok(())
}

/// Empty copies of `instances` and `history` with the same
/// columns, keys and indexes, for the same-writes ceiling.
async fn same_writes_tables(store: &Store, dialect: Dialect) -> Result<(), Error> {
    let statements: Vec<String> = match dialect {
        Dialect::Postgres => vec![
            "CREATE TABLE bench_instances (LIKE instances INCLUDING ALL)".into(),
            "CREATE TABLE bench_history (LIKE history INCLUDING ALL)".into(),
            "ALTER TABLE bench_history ADD FOREIGN KEY (instance_id) \
             REFERENCES bench_instances(id)"
                .into(),
        ],
        Dialect::Sqlite => {
            // SQLite has no `LIKE`: replay the stored schema under new names.
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL \
                 AND tbl_name IN ('instances', 'history') \
                 ORDER BY CASE tbl_name WHEN 'instances' THEN 0 ELSE 1 END, type DESC",
            )
            .fetch_all(store.pool())
            .await?;
            rows.iter()
                .map(|(name, sql)| {
                    let mut sql = sql.replacen(name.as_str(), &format!("bench_{name}"), 1);
                    for table in ["instances", "history"] {
                        sql = replace_word(&sql, table, &format!("bench_{table}"));
                    }
                    sql
                })
                .collect()
        }
    };
    for statement in statements {
        sqlx::query(&statement).execute(store.pool()).await?;
    }
    Ok(())
}

/// `text` with every whole-word `word` (not part of a longer identifier)
/// replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let is_identifier = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(is_identifier) || after.is_some_and(is_identifier) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}
