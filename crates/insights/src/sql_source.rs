//! Reports whose source is SQL: one read-only `SELECT` over the analytics
//! tables (`insights_*`), with `$name` parameters.
//!
//! The text is parsed with `sqlparser` and refused unless it is exactly one
//! query that reads only `insights_*` tables (or the names of its own `WITH`
//! clauses), calls only the functions of [`FUNCTIONS`], and has no nested
//! statement, no `SELECT … INTO` and no `WITH RECURSIVE`. What runs is the parsed query printed
//! back (comments are gone), with each `$name` turned into a positional
//! parameter, inside a read-only transaction: `SET TRANSACTION READ ONLY`
//! and a statement timeout on PostgreSQL, `PRAGMA query_only` on SQLite.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use flowdesk_store::{Dialect, Store};
use serde_json::{json, Value};
use sqlparser::ast::{
    Expr, ObjectName, ObjectNamePart, Query, SetExpr, Statement, Value as SqlValue, ValueWithSpan,
    Visit, VisitMut, Visitor, VisitorMut,
};
use sqlparser::dialect::{PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlx::{Column, Connection, Executor, Row};

use crate::render::Table;
use crate::InsightsError;

/// The prefix every table a SQL report reads must have.
pub const TABLE_PREFIX: &str = "insights_";

/// The functions a SQL report may call (aggregates, arithmetic, text and
/// date helpers of both dialects); anything else, such as `pg_sleep` or
/// `pg_read_file`, is refused.
pub const FUNCTIONS: &[&str] = &[
    "abs",
    "avg",
    "ceil",
    "ceiling",
    "coalesce",
    "concat",
    "count",
    "date",
    "date_trunc",
    "datetime",
    "floor",
    "greatest",
    "ifnull",
    "least",
    "length",
    "lower",
    "max",
    "min",
    "nullif",
    "round",
    "strftime",
    "substr",
    "substring",
    "sum",
    "to_timestamp",
    "total",
    "trim",
    "upper",
];

/// On PostgreSQL a SQL report is cancelled after this long.
pub const STATEMENT_TIMEOUT_MS: u64 = 5_000;

/// At most this many rows in a SQL report's result.
pub const MAX_ROWS: usize = 10_000;

/// A checked SQL source, ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSql {
    /// The query to run, printed from the parsed query, with `$1`, `$2`, …
    pub text: String,
    /// The parameter names (without `$`), in the order of `$1`, `$2`, …
    pub parameters: Vec<String>,
}

fn refused(message: String) -> InsightsError {
    InsightsError::InvalidQuery(format!("definition.sql: {message}"))
}

/// Parses and checks a SQL source for `dialect`.
pub fn check(sql: &str, dialect: Dialect) -> Result<CheckedSql, InsightsError> {
    let parsed = match dialect {
        Dialect::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, sql),
    }
    .map_err(|e| refused(format!("not valid SQL: {e}")))?;
    let mut statements = parsed.into_iter();
    let (Some(mut statement), None) = (statements.next(), statements.next()) else {
        return Err(refused(
            "give exactly one SELECT statement (no `;` separating several)".into(),
        ));
    };
    let Statement::Query(query) = &statement else {
        return Err(refused(format!(
            "only a SELECT may run, not {}",
            statement_kind(&statement)
        )));
    };
    let mut checker = Checker {
        top: true,
        ctes: Vec::new(),
    };
    collect_ctes(query, &mut checker.ctes);
    if let ControlFlow::Break(message) = Visit::visit(&statement, &mut checker) {
        return Err(refused(message));
    }
    let mut numbering = Numbering::default();
    let _ = VisitMut::visit(&mut statement, &mut numbering);
    Ok(CheckedSql {
        text: statement.to_string(),
        parameters: numbering.names,
    })
}

/// The first words of a statement, for the error message.
fn statement_kind(statement: &Statement) -> String {
    let text = statement.to_string();
    text.split_whitespace()
        .next()
        .unwrap_or("an empty statement")
        .to_uppercase()
}

fn collect_ctes(query: &Query, names: &mut Vec<String>) {
    if let Some(with) = &query.with {
        for cte in &with.cte_tables {
            names.push(cte.alias.name.value.to_lowercase());
            collect_ctes(&cte.query, names);
        }
    }
}

/// Walks the statement; breaks with the first reason to refuse it.
struct Checker {
    top: bool,
    ctes: Vec<String>,
}

fn single_name(name: &ObjectName) -> Option<String> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(ident)] => Some(ident.value.to_lowercase()),
        _ => None,
    }
}

impl Visitor for Checker {
    type Break = String;

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<String> {
        if self.top {
            self.top = false;
            return ControlFlow::Continue(());
        }
        ControlFlow::Break(format!(
            "only a SELECT may run; it holds a {} statement",
            statement_kind(statement)
        ))
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<String> {
        if query.with.as_ref().is_some_and(|with| with.recursive) {
            // SQLite has no statement timeout to stop one that never ends.
            return ControlFlow::Break("WITH RECURSIVE is refused: it can run without end".into());
        }
        match query.body.as_ref() {
            SetExpr::Select(select) if select.into.is_some() => {
                ControlFlow::Break("SELECT … INTO writes a table and is refused".into())
            }
            SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => {
                ControlFlow::Break("only a SELECT may run; it holds a data change".into())
            }
            _ => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<String> {
        match single_name(relation) {
            Some(name) if name.starts_with(TABLE_PREFIX) || self.ctes.contains(&name) => {
                ControlFlow::Continue(())
            }
            Some(name) => ControlFlow::Break(format!(
                "table {name} is not an analytics table: a report reads only {TABLE_PREFIX}* tables"
            )),
            None => ControlFlow::Break(format!(
                "table {relation} names a schema: a report reads only {TABLE_PREFIX}* tables, named without one"
            )),
        }
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<String> {
        let Expr::Function(function) = expr else {
            return ControlFlow::Continue(());
        };
        match single_name(&function.name) {
            Some(name) if FUNCTIONS.contains(&name.as_str()) => ControlFlow::Continue(()),
            _ => ControlFlow::Break(format!(
                "function {} is not allowed in a report (allowed: {})",
                function.name,
                FUNCTIONS.join(", ")
            )),
        }
    }
}

/// Renames `$name` placeholders to `$1`, `$2`, … (one number per name).
#[derive(Default)]
struct Numbering {
    names: Vec<String>,
}

impl VisitorMut for Numbering {
    type Break = ();

    fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<()> {
        if let SqlValue::Placeholder(text) = &mut value.value {
            let name = text.trim_start_matches(['$', ':', '@', '?']).to_string();
            let number = match self.names.iter().position(|n| *n == name) {
                Some(index) => index + 1,
                None => {
                    self.names.push(name);
                    self.names.len()
                }
            };
            *text = format!("${number}");
        }
        ControlFlow::Continue(())
    }
}

/// Runs a checked query with `parameters` (each `$name` of the query needs
/// one; a whole number binds as a number, anything else as text) in a
/// read-only transaction, and returns its rows.
pub async fn run(
    store: &Store,
    checked: &CheckedSql,
    parameters: &BTreeMap<String, String>,
) -> Result<Table, InsightsError> {
    if let Some(unknown) = parameters
        .keys()
        .find(|name| !checked.parameters.contains(name))
    {
        return Err(InsightsError::InvalidQuery(format!(
            "parameter {unknown:?} is not used by the query (its parameters: {})",
            names(&checked.parameters)
        )));
    }
    let mut binds = Vec::new();
    for name in &checked.parameters {
        let Some(text) = parameters.get(name) else {
            return Err(InsightsError::InvalidQuery(format!(
                "parameter {name:?} has no value: give it as a default of the report or for the run"
            )));
        };
        binds.push(match text.parse::<i64>() {
            Ok(number) => Bind::Number(number),
            Err(_) => Bind::Text(text.clone()),
        });
    }
    // On its own task, so a dropped request cannot leave a SQLite connection
    // read-only in the pool between the two pragmas.
    let rows = tokio::spawn(read_only(store.clone(), checked.text.clone(), binds))
        .await
        .map_err(|e| InsightsError::InvalidData(format!("the query's task failed: {e}")))?;
    let rows = rows.map_err(|e| match e {
        sqlx::Error::Database(error) => {
            InsightsError::InvalidQuery(format!("the query failed: {}", error.message()))
        }
        other => InsightsError::from(other),
    })?;
    if rows.len() > MAX_ROWS {
        return Err(InsightsError::InvalidQuery(format!(
            "the query returned {} rows, at most {MAX_ROWS}: aggregate or add a LIMIT",
            rows.len()
        )));
    }
    let columns: Vec<String> = rows
        .first()
        .map(|row| row.columns().iter().map(|c| c.name().to_string()).collect())
        .unwrap_or_default();
    let rows = rows
        .iter()
        .map(|row| {
            (0..columns.len())
                .map(|index| cell(row, index, &columns[index]))
                .collect()
        })
        .collect::<Result<Vec<Vec<Value>>, InsightsError>>()?;
    Ok(Table { columns, rows })
}

/// A parameter value.
enum Bind {
    Number(i64),
    Text(String),
}

/// Runs `text` in a read-only transaction and rolls it back.
async fn read_only(
    store: Store,
    text: String,
    binds: Vec<Bind>,
) -> Result<Vec<sqlx::any::AnyRow>, sqlx::Error> {
    let mut query = sqlx::query(&text);
    for bind in binds {
        query = match bind {
            Bind::Number(number) => query.bind(number),
            Bind::Text(text) => query.bind(text),
        };
    }
    let mut connection = store.pool().acquire().await?;
    let sqlite = store.dialect() == Dialect::Sqlite;
    if sqlite {
        connection.execute("PRAGMA query_only = ON").await?;
    }
    let rows = async {
        let mut tx = connection.begin().await?;
        if !sqlite {
            tx.execute("SET TRANSACTION READ ONLY").await?;
            tx.execute(format!("SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}").as_str())
                .await?;
        }
        let rows = query.fetch_all(&mut *tx).await;
        tx.rollback().await?;
        rows
    }
    .await;
    if sqlite && connection.execute("PRAGMA query_only = OFF").await.is_err() {
        // A connection left read-only must not go back to the pool.
        let _ = connection.detach().close().await;
    }
    rows
}

fn names(parameters: &[String]) -> String {
    if parameters.is_empty() {
        "none".into()
    } else {
        parameters
            .iter()
            .map(|p| format!("${p}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A result cell as JSON: numbers, booleans and text as they are, NULL as null.
fn cell(row: &sqlx::any::AnyRow, index: usize, column: &str) -> Result<Value, InsightsError> {
    if let Ok(value) = row.try_get::<Option<i64>, _>(index) {
        return Ok(json!(value));
    }
    if let Ok(value) = row.try_get::<Option<f64>, _>(index) {
        return Ok(json!(value));
    }
    if let Ok(value) = row.try_get::<Option<bool>, _>(index) {
        return Ok(json!(value));
    }
    if let Ok(value) = row.try_get::<Option<String>, _>(index) {
        return Ok(json!(value));
    }
    Err(InsightsError::InvalidQuery(format!(
        "column {column:?} has a type a report cannot read: cast it to a whole number, a double or text"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_positional_once_per_name() {
        let checked = check(
            "SELECT process_id FROM insights_process_hour WHERE hour_start >= $from \
             AND hour_start < $to AND $from > 0",
            Dialect::Postgres,
        )
        .unwrap();
        assert_eq!(checked.parameters, ["from", "to"]);
        assert_eq!(
            checked.text,
            "SELECT process_id FROM insights_process_hour WHERE hour_start >= $1 AND \
             hour_start < $2 AND $1 > 0"
        );
    }
}
