//! `flowdesk-providers`: the I/O behind DMN input data providers
//! ([`flowdesk_rules::provider`]). [`Providers`] implements
//! [`DataProvider`]: SQL queries on PostgreSQL and SQLite connections
//! configured by name, and HTTP GETs of JSON with a JSON pointer.
//!
//! The queries are the model author's, run on the connections the operator
//! configured for decisions; they are not Flowdesk's own data access (that
//! stays in `flowdesk-store`). This crate depends on `flowdesk-rules` for
//! the trait and must not depend on the store, the engine or the API.
//!
//! Evaluation is synchronous, so [`Providers`] runs its I/O on a small
//! runtime of its own and the evaluating thread waits for the result (at
//! most the provider's timeout). Evaluate decisions that have providers on a
//! blocking thread (`tokio::task::spawn_blocking`), never directly on an
//! async worker.

#![warn(missing_docs)]

use std::collections::HashMap;
use std::future::Future;
use std::time::Instant;

use flowdesk_feel::Number;
use flowdesk_rules::provider::numbered_sql;
use flowdesk_rules::{
    DataProvider, Fetched, ProviderError, ProviderRequest, ProviderSource, Value,
};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{Column, Row};

/// A database connection for SQL providers, by the name models use in
/// `connection="…"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// The name models refer to.
    pub name: String,
    /// `postgres://…` or `sqlite:…`.
    pub url: String,
}

/// Why [`Providers`] could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A connection URL is neither PostgreSQL nor SQLite.
    #[error("connection `{name}`: `{url}` is not a postgres:// or sqlite: URL")]
    UnsupportedUrl {
        /// The connection's name.
        name: String,
        /// Its URL.
        url: String,
    },
    /// Two connections have the same name.
    #[error("connection `{0}` is configured twice")]
    DuplicateName(String),
    /// A connection URL could not be parsed.
    #[error("connection `{name}`: {source}")]
    Connection {
        /// The connection's name.
        name: String,
        /// What sqlx said.
        source: sqlx::Error,
    },
    /// The I/O runtime could not start.
    #[error("cannot start the data provider runtime: {0}")]
    Runtime(std::io::Error),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(reqwest::Error),
}

/// A connection's parsed URL, before any pool exists.
enum ConnectOptions {
    Postgres(PgConnectOptions),
    Sqlite(SqliteConnectOptions),
}

enum Pool {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// SQL and HTTP data providers (see the crate documentation).
pub struct Providers {
    pools: HashMap<String, Pool>,
    http: reqwest::Client,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.pools.keys().collect();
        names.sort();
        f.debug_struct("Providers")
            .field("connections", &names)
            .finish()
    }
}

impl Providers {
    /// Providers over these connections. Connections open lazily, on the
    /// first query, so an unreachable database fails that fetch (recorded
    /// in the trace), not the setup.
    pub fn new(connections: &[ConnectionConfig]) -> Result<Providers, SetupError> {
        // Everything that can fail comes before the runtime exists: a
        // runtime dropped on an error path inside async code panics.
        let mut options = Vec::with_capacity(connections.len());
        for c in connections {
            let connection = |source| SetupError::Connection {
                name: c.name.clone(),
                source,
            };
            let option = if c.url.starts_with("postgres://") || c.url.starts_with("postgresql://") {
                ConnectOptions::Postgres(c.url.parse().map_err(connection)?)
            } else if c.url.starts_with("sqlite:") {
                ConnectOptions::Sqlite(c.url.parse().map_err(connection)?)
            } else {
                return Err(SetupError::UnsupportedUrl {
                    name: c.name.clone(),
                    url: c.url.clone(),
                });
            };
            if options.iter().any(|(name, _)| name == &c.name) {
                return Err(SetupError::DuplicateName(c.name.clone()));
            }
            options.push((c.name.clone(), option));
        }
        let http = reqwest::Client::builder()
            .user_agent("flowdesk-providers")
            .build()
            .map_err(SetupError::Http)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("flowdesk-providers")
            .enable_all()
            .build()
            .map_err(SetupError::Runtime)?;
        let pools = {
            // Pools spawn their maintenance tasks on the current runtime.
            let _guard = runtime.enter();
            options
                .into_iter()
                .map(|(name, option)| {
                    let pool = match option {
                        ConnectOptions::Postgres(option) => Pool::Postgres(
                            PgPoolOptions::new()
                                .max_connections(4)
                                .connect_lazy_with(option),
                        ),
                        ConnectOptions::Sqlite(option) => Pool::Sqlite(
                            SqlitePoolOptions::new()
                                .max_connections(4)
                                .connect_lazy_with(option),
                        ),
                    };
                    (name, pool)
                })
                .collect()
        };
        Ok(Providers {
            pools,
            http,
            runtime: Some(runtime),
        })
    }

    /// Runs `future` on the providers' runtime and waits for it, from any
    /// thread (a fresh scoped thread, so that waiting never happens inside
    /// a runtime context).
    fn run<F>(&self, future: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        let handle = self
            .runtime
            .as_ref()
            .expect("the runtime lives as long as the providers")
            .handle();
        std::thread::scope(|scope| {
            scope
                .spawn(|| handle.block_on(future))
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    async fn sql(
        &self,
        connection: &str,
        query: &str,
        parameters: &[(String, Value)],
    ) -> Result<Vec<Value>, ProviderError> {
        let pool = self
            .pools
            .get(connection)
            .ok_or_else(|| ProviderError::UnknownConnection(connection.to_string()))?;
        let failed = |e: sqlx::Error| ProviderError::Failed(format!("SQL on `{connection}`: {e}"));
        match pool {
            Pool::Postgres(pool) => {
                // Every column type becomes JSON the same way, whatever it is
                // (numeric, date, jsonb...), keeping the column order.
                let wrapped = format!(
                    "select to_json(provider_row)::text from ({}) as provider_row",
                    numbered_sql(query, "$")
                );
                let mut q = sqlx::query(&wrapped);
                for (_, v) in parameters {
                    q = bind_postgres(q, v);
                }
                let rows = q.fetch_all(pool).await.map_err(failed)?;
                rows.iter()
                    .map(|row| {
                        let text: String = row.try_get(0).map_err(failed)?;
                        let json: serde_json::Value = serde_json::from_str(&text)
                            .map_err(|e| ProviderError::Failed(e.to_string()))?;
                        Ok(Value::from_json(&json))
                    })
                    .collect()
            }
            Pool::Sqlite(pool) => {
                let numbered = numbered_sql(query, "?");
                let mut q = sqlx::query(&numbered);
                for (_, v) in parameters {
                    q = bind_sqlite(q, v);
                }
                let rows = q.fetch_all(pool).await.map_err(failed)?;
                Ok(rows.iter().map(sqlite_row).collect())
            }
        }
    }

    async fn http(
        &self,
        url: &str,
        path: &str,
        parameters: &[(String, Value)],
    ) -> Result<Value, ProviderError> {
        let url = fill_url(url, parameters);
        let response = self
            .http
            .get(&url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| ProviderError::Failed(format!("GET {url}: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(ProviderError::Failed(format!(
                "GET {url} returned {status}"
            )));
        }
        let json: serde_json::Value = response
            .json()
            .await
            .map_err(|e| ProviderError::Failed(format!("GET {url}: the body is not JSON: {e}")))?;
        let found = json.pointer(path).ok_or_else(|| {
            ProviderError::Failed(format!("GET {url}: the response has nothing at `{path}`"))
        })?;
        Ok(Value::from_json(found))
    }
}

impl Drop for Providers {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics inside an async context.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl DataProvider for Providers {
    fn fetch(&self, request: &ProviderRequest<'_>) -> Result<Fetched, ProviderError> {
        let timeout = request.spec.timeout;
        let started = Instant::now();
        let (value, rows) = match &request.spec.source {
            ProviderSource::Sql {
                connection, query, ..
            } => {
                let rows = self.run(async {
                    tokio::time::timeout(timeout, self.sql(connection, query, request.parameters))
                        .await
                        .map_err(|_| ProviderError::Timeout(timeout))?
                })?;
                let count = rows.len();
                (Value::list(rows), Some(count))
            }
            ProviderSource::Http { url, path } => {
                let value = self.run(async {
                    tokio::time::timeout(timeout, self.http(url, path, request.parameters))
                        .await
                        .map_err(|_| ProviderError::Timeout(timeout))?
                })?;
                (value, None)
            }
            ProviderSource::Decision { decision } => {
                return Err(ProviderError::Failed(format!(
                    "decision `{decision}` is evaluated by the rules engine, not fetched"
                )))
            }
        };
        Ok(Fetched {
            value,
            rows,
            duration: started.elapsed(),
        })
    }
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;
type SqliteQuery<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

fn bind_postgres<'q>(q: PgQuery<'q>, v: &Value) -> PgQuery<'q> {
    match v {
        Value::Null => q.bind(None::<String>),
        Value::Boolean(b) => q.bind(*b),
        Value::Number(n) => match n.to_i64() {
            Some(i) => q.bind(i),
            None => q.bind(n.to_f64()),
        },
        Value::String(s) => q.bind(s.to_string()),
        other => q.bind(plain_text(other)),
    }
}

fn bind_sqlite<'q>(q: SqliteQuery<'q>, v: &Value) -> SqliteQuery<'q> {
    match v {
        Value::Null => q.bind(None::<String>),
        Value::Boolean(b) => q.bind(*b),
        Value::Number(n) => match n.to_i64() {
            Some(i) => q.bind(i),
            None => q.bind(n.to_f64()),
        },
        Value::String(s) => q.bind(s.to_string()),
        other => q.bind(plain_text(other)),
    }
}

/// A value as parameter text: strings unquoted, dates and times in ISO
/// 8601, others as FEEL would write them.
fn plain_text(v: &Value) -> String {
    match v.to_json() {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A SQLite row as a context. SQLite types are per value (a `NUMERIC`
/// column holds integers, reals or text), so each value is decoded by what
/// it holds: integer, then real, then text.
fn sqlite_row(row: &sqlx::sqlite::SqliteRow) -> Value {
    let mut context = flowdesk_rules::Context::new();
    for (i, column) in row.columns().iter().enumerate() {
        let value = if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
            v.map_or(Value::Null, Value::int)
        } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
            v.and_then(Number::from_f64)
                .map_or(Value::Null, Value::Number)
        } else {
            row.try_get::<Option<String>, _>(i)
                .ok()
                .flatten()
                .map_or(Value::Null, |s| Value::string(s.as_str()))
        };
        context.insert(column.name(), value);
    }
    Value::context(context)
}

/// The URL with each `{name}` replaced by the parameter's text,
/// percent-encoded.
fn fill_url(url: &str, parameters: &[(String, Value)]) -> String {
    let mut out = url.to_string();
    for (name, value) in parameters {
        out = out.replace(&format!("{{{name}}}"), &percent_encode(&plain_text(value)));
    }
    out
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parameters_are_percent_encoded() {
        let parameters = vec![
            ("id".to_string(), Value::string("a b/c")),
            ("n".to_string(), Value::int(7)),
        ];
        assert_eq!(
            fill_url("http://h/c/{id}?n={n}", &parameters),
            "http://h/c/a%20b%2Fc?n=7"
        );
    }
}
