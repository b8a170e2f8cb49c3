//! Decision data providers: an input data element may say where its value
//! comes from, so that an evaluation fetches the data a decision needs.
//!
//! The declaration is an extension element of the `inputData`, in the
//! namespace [`PROVIDER_NAMESPACE`]:
//!
//! ```xml
//! <inputData id="customer" name="customer">
//!   <extensionElements>
//!     <flowdesk:provider xmlns:flowdesk="https://flowdesk.dev/dmn/provider"
//!       type="sql" connection="crm" timeout="PT2S" result="row"
//!       query="select name, segment from customers where id = :customerId"/>
//!   </extensionElements>
//!   <variable name="customer"/>
//! </inputData>
//! ```
//!
//! - `type="sql"`: `connection` (a connection configured by name where the
//!   model is deployed) and `query`; `:name` in the query is a parameter.
//!   `result` shapes the rows: `row` (default; the first row as a context,
//!   `null` without rows), `rows` (a list of contexts) or `value` (the first
//!   column of the first row).
//! - `type="http"`: `url` (a GET; `{name}` in it is a parameter) and an
//!   optional `path`, a JSON pointer (`/score/value`) into the response.
//! - `type="decision"`: `decision`, the id or name of a decision of the same
//!   model whose result is the input's value.
//! - `timeout`: an ISO 8601 duration (`PT2S`, default `PT10S`).
//!
//! Parameters take their values from the evaluation's inputs by name. The
//! value given by the caller wins over the provider: a provider only runs
//! for an input the caller did not give. Each input is fetched at most once
//! per evaluation. This crate performs no I/O: SQL and HTTP fetches go
//! through a [`DataProvider`] given to the [`crate::Catalog`] (the
//! implementations live in `flowdesk-providers`); each fetch, with its
//! parameters, result and duration, is recorded in the [`crate::Trace`].

use std::time::Duration;

use flowdesk_feel::{Context, Value};

/// The XML namespace of the `provider` extension element.
pub const PROVIDER_NAMESPACE: &str = "https://flowdesk.dev/dmn/provider";

/// Timeout of a provider that declares none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a provider gets its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderSource {
    /// A SQL query on a connection configured by name.
    Sql {
        /// The connection's name.
        connection: String,
        /// The query, with `:name` parameters.
        query: String,
        /// How the rows become the input's value.
        result: SqlResult,
    },
    /// An HTTP GET returning JSON.
    Http {
        /// The URL, with `{name}` parameters.
        url: String,
        /// A JSON pointer into the response (empty: the whole document).
        path: String,
    },
    /// The result of another decision of the same model.
    Decision {
        /// The decision's id or name.
        decision: String,
    },
}

/// How the rows of a SQL provider become a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SqlResult {
    /// The first row as a context; `null` without rows.
    Row,
    /// Every row, as a list of contexts.
    Rows,
    /// The first column of the first row; `null` without rows.
    Value,
}

/// A provider declared on an input data element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderSpec {
    /// Where the data comes from.
    pub source: ProviderSource,
    /// The names of the parameters, in order of first appearance.
    pub parameters: Vec<String>,
    /// How long a fetch may take.
    pub timeout: Duration,
}

impl ProviderSpec {
    /// A short label for traces: `sql:crm`, `http`, `decision:Risk`.
    pub fn label(&self) -> String {
        match &self.source {
            ProviderSource::Sql { connection, .. } => format!("sql:{connection}"),
            ProviderSource::Http { .. } => "http".to_string(),
            ProviderSource::Decision { decision } => format!("decision:{decision}"),
        }
    }
}

/// One fetch asked of a [`DataProvider`].
#[derive(Debug)]
pub struct ProviderRequest<'a> {
    /// The name of the input data being fetched.
    pub input: &'a str,
    /// Its provider declaration (never [`ProviderSource::Decision`]).
    pub spec: &'a ProviderSpec,
    /// The parameter values, in the order of [`ProviderSpec::parameters`].
    pub parameters: &'a [(String, Value)],
}

/// What a [`DataProvider`] fetched.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// SQL: the rows, as a list of contexts (shaped afterwards by
    /// [`SqlResult`]); HTTP: the value at the JSON pointer.
    pub value: Value,
    /// SQL: the number of rows returned.
    pub rows: Option<usize>,
    /// How long the fetch took.
    pub duration: Duration,
}

/// Why a fetch failed. The input's value is then `null` and the trace
/// records the error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The evaluation has no data provider.
    #[error("no data provider is configured for this evaluation")]
    NotConfigured,
    /// The connection named by a SQL provider is not configured.
    #[error("no connection named `{0}` is configured")]
    UnknownConnection(String),
    /// The fetch took longer than the provider's timeout.
    #[error("the fetch did not finish within {0:?}")]
    Timeout(Duration),
    /// The fetch failed (query error, HTTP status, missing JSON path...).
    #[error("{0}")]
    Failed(String),
}

/// Fetches the data of SQL and HTTP providers. Implementations do the I/O;
/// the evaluation calls them synchronously, so an asynchronous
/// implementation blocks on its runtime (evaluate on a blocking thread).
pub trait DataProvider: Send + Sync {
    /// Fetches the data of one input.
    fn fetch(&self, request: &ProviderRequest<'_>) -> Result<Fetched, ProviderError>;
}

/// A fetch, as recorded in the trace.
#[derive(Clone, Debug)]
pub struct ProviderFetch {
    /// The input data's id.
    pub input_id: String,
    /// The input data's name.
    pub input: String,
    /// The provider's label ([`ProviderSpec::label`]).
    pub provider: String,
    /// For SQL the query, for HTTP the URL, for a decision its id or name.
    pub target: String,
    /// The parameter values, by name.
    pub parameters: Context,
    /// The value the input got (`null` on error).
    pub value: Value,
    /// SQL: the number of rows returned.
    pub rows: Option<usize>,
    /// How long the fetch took (`None` for decision providers, which this
    /// pure crate cannot time).
    pub duration: Option<Duration>,
    /// Why the fetch failed, if it did.
    pub error: Option<String>,
}

/// The parameter names of a SQL query: `:name`, outside string literals and
/// not `::` casts.
pub fn sql_parameters(query: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (start, end) in sql_parameter_spans(query) {
        push_unique(&mut names, &query[start + 1..end]);
    }
    names
}

/// The query with each `:name` replaced by `prefix` and the parameter's
/// 1-based position in [`sql_parameters`]: `$1` for PostgreSQL, `?1` for
/// SQLite, so a parameter used twice is bound once.
pub fn numbered_sql(query: &str, prefix: &str) -> String {
    let names = sql_parameters(query);
    let mut out = String::with_capacity(query.len());
    let mut last = 0;
    for (start, end) in sql_parameter_spans(query) {
        out.push_str(&query[last..start]);
        let index = names
            .iter()
            .position(|n| *n == query[start + 1..end])
            .expect("every span is one of the names");
        out.push_str(prefix);
        out.push_str(&(index + 1).to_string());
        last = end;
    }
    out.push_str(&query[last..]);
    out
}

/// Byte spans of the `:name` parameters of a query (colon included).
fn sql_parameter_spans(query: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let bytes = query.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                i += 1;
            }
            None if c == b'\'' || c == b'"' => {
                quote = Some(c);
                i += 1;
            }
            None if c == b':' && bytes.get(i + 1) == Some(&b':') => i += 2,
            None if c == b':' => {
                let end = identifier_end(bytes, i + 1);
                if end > i + 1 {
                    spans.push((i, end));
                }
                i = end.max(i + 1);
            }
            None => i += 1,
        }
    }
    spans
}

/// The parameter names of a URL template: `{name}`.
pub fn url_parameters(url: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty() && identifier_end(name.as_bytes(), 0) == name.len() {
            push_unique(&mut names, name);
        }
        rest = &after[close + 1..];
    }
    names
}

fn identifier_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len()
        && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
        && !(end == start && bytes[end].is_ascii_digit())
    {
        end += 1;
    }
    end
}

fn push_unique(names: &mut Vec<String>, name: &str) {
    if !names.iter().any(|n| n == name) {
        names.push(name.to_string());
    }
}

/// Shapes the rows of a SQL provider.
pub(crate) fn shape_rows(rows: Value, result: SqlResult) -> Value {
    let Value::List(list) = rows else {
        return Value::Null;
    };
    match result {
        SqlResult::Rows => Value::List(list),
        SqlResult::Row => list.first().cloned().unwrap_or(Value::Null),
        SqlResult::Value => match list.first() {
            Some(Value::Context(row)) => row
                .iter()
                .next()
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null),
            _ => Value::Null,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_parameters_skip_literals_and_casts() {
        assert_eq!(
            sql_parameters("select a::text from t where id = :customerId and x = ':no' and y = :y_2 or z = :customerId"),
            vec!["customerId".to_string(), "y_2".to_string()]
        );
        assert!(sql_parameters("select 1").is_empty());
    }

    #[test]
    fn numbered_sql_binds_each_name_once() {
        assert_eq!(
            numbered_sql("select :b, ':a', x::int from t where a = :a or b = :b", "$"),
            "select $1, ':a', x::int from t where a = $2 or b = $1"
        );
        assert_eq!(numbered_sql("where id = :id", "?"), "where id = ?1");
    }

    #[test]
    fn url_parameters_are_braced_identifiers() {
        assert_eq!(
            url_parameters("http://h/customers/{id}/score?at={when}&x={}"),
            vec!["id".to_string(), "when".to_string()]
        );
    }
}
