//! Sensitive process variables: which variable names are sensitive, and
//! their values sealed at rest.
//!
//! A variable is sensitive when its name matches a pattern of the server
//! (`[security] sensitive_variables`, see [`SensitiveVariables::new`]) or
//! one its process declares in the BPMN, in the process's extension
//! property [`PROPERTY`] (`zeebe:properties`, which Camunda Modeler keeps).
//! Patterns are names with `*` standing for any run of characters,
//! compared ignoring ASCII case.
//!
//! The engine keeps variables in plain text in memory (FEEL conditions,
//! crash recovery); this module seals them where they reach a JSON column
//! ([`SEALED_DOCUMENTS`]: instance variables and states, job variables,
//! buffered messages, the results and traces of decision evaluations).
//! Inside a document, the value of every member whose name is sensitive
//! (at any depth) becomes a sealed string (`fdenc:v1:…`, see
//! `flowdesk-vault`) of the value's JSON text, bound to
//! its place: `table.column/<row>/<member name>`. A string that merely
//! looks sealed is sealed as well, so whatever opens is Flowdesk's own.
//! Without data keys (no master key configured) a sensitive value is
//! refused ([`StoreError::EncryptionNotConfigured`]), never stored in
//! plain text.
//!
//! Readers [`open_document`] (the plain values, for the engine and for
//! principals allowed to unmask) or [`mask`] (every sealed value shown as
//! [`MASK`]); [`reseal`] re-seals every value under the active data key
//! (`flowdesk keys rotate`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use flowdesk_engine::ProcessInstanceState;
use flowdesk_model::bpmn::{Document, Element};
use flowdesk_vault::{context, is_sealed, sealed_version, Keys, SEALED_PREFIX};
use serde_json::Value;
use sqlx::Row;

use crate::definitions::{self, Definition};
use crate::{data_keys, Store, StoreError, Tx};

/// The name of the process extension property listing sensitive variable
/// names (comma- or space-separated patterns).
pub const PROPERTY: &str = "flowdesk:sensitive";

/// What a sensitive value is shown as to principals who may not unmask it.
pub const MASK: &str = "****";

const BPMN_NAMESPACE: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
const ZEEBE_NAMESPACE: &str = "http://camunda.org/schema/zeebe/1.0";
const MAX_PATTERN_LEN: usize = 200;

/// A sensitive-variable pattern that is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sensitive variable pattern {pattern:?}: {problem}")]
pub struct InvalidPattern {
    /// The pattern as written.
    pub pattern: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

/// A variable name pattern: `*` stands for any run of characters; compared
/// ignoring ASCII case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePattern {
    lower: String,
}

impl NamePattern {
    /// Parses a pattern: not empty, at most 200 characters, no whitespace
    /// or commas.
    pub fn parse(text: &str) -> Result<NamePattern, InvalidPattern> {
        let invalid = |problem| InvalidPattern {
            pattern: text.to_string(),
            problem,
        };
        if text.is_empty() {
            return Err(invalid("it is empty"));
        }
        if text.len() > MAX_PATTERN_LEN {
            return Err(invalid("it is longer than 200 characters"));
        }
        if text.chars().any(|c| c.is_whitespace() || c == ',') {
            return Err(invalid(
                "it holds whitespace or a comma (write one name per entry)",
            ));
        }
        Ok(NamePattern {
            lower: text.to_ascii_lowercase(),
        })
    }

    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        glob_matches(self.lower.as_bytes(), name.to_ascii_lowercase().as_bytes())
    }
}

/// `*`-glob matching, linear backtracking on the last star.
fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// The sensitive names of one process: the server's patterns and its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SensitiveNames {
    patterns: Vec<NamePattern>,
}

impl SensitiveNames {
    /// Names matching any of `patterns`.
    pub fn new(patterns: Vec<NamePattern>) -> SensitiveNames {
        SensitiveNames { patterns }
    }

    /// Whether the variable `name` is sensitive.
    pub fn matches(&self, name: &str) -> bool {
        self.patterns.iter().any(|pattern| pattern.matches(name))
    }

    /// Whether no name is sensitive.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// The patterns a process declares in its [`PROPERTY`] extension property
/// (`<zeebe:property name="flowdesk:sensitive" value="password, apiKey" />`
/// inside the `bpmn:process`'s `zeebe:properties`). Entries are separated
/// by commas or whitespace.
pub fn declared_patterns(content: &str, process_id: &str) -> Result<Vec<NamePattern>, String> {
    let document = Document::parse(content).map_err(|errors| errors.to_string())?;
    let Some(process) = document
        .root
        .child_elements()
        .find(|e| e.is(BPMN_NAMESPACE, "process") && e.attribute("id") == Some(process_id))
    else {
        return Ok(Vec::new());
    };
    let mut patterns = Vec::new();
    for value in sensitive_properties(process) {
        for entry in value.split(|c: char| c == ',' || c.is_whitespace()) {
            if !entry.is_empty() {
                patterns.push(NamePattern::parse(entry).map_err(|e| e.to_string())?);
            }
        }
    }
    Ok(patterns)
}

fn sensitive_properties(process: &Element) -> impl Iterator<Item = &str> {
    process
        .child_elements()
        .filter(|e| e.is(BPMN_NAMESPACE, "extensionElements"))
        .flat_map(Element::child_elements)
        .filter(|e| e.is(ZEEBE_NAMESPACE, "properties"))
        .flat_map(Element::child_elements)
        .filter(|e| e.is(ZEEBE_NAMESPACE, "property") && e.attribute("name") == Some(PROPERTY))
        .filter_map(|e| e.attribute("value"))
}

/// A store's sensitive-variable settings: the server's patterns, and the
/// names of each definition (read from its BPMN once). Clones share them.
#[derive(Debug, Clone, Default)]
pub struct SensitiveVariables {
    configured: Arc<Vec<NamePattern>>,
    by_definition: Arc<Mutex<HashMap<String, Arc<SensitiveNames>>>>,
}

impl SensitiveVariables {
    /// Settings with the server-wide `patterns` (every process).
    pub fn new(patterns: Vec<NamePattern>) -> SensitiveVariables {
        SensitiveVariables {
            configured: Arc::new(patterns),
            by_definition: Arc::default(),
        }
    }

    /// The server-wide names alone: for values not bound to a process yet
    /// (buffered messages).
    pub fn configured(&self) -> Arc<SensitiveNames> {
        Arc::new(SensitiveNames::new(self.configured.to_vec()))
    }

    /// The sensitive names of instances of `definition`.
    pub fn of_definition(
        &self,
        definition: &Definition,
    ) -> Result<Arc<SensitiveNames>, StoreError> {
        if let Some(names) = self.cached(&definition.id) {
            return Ok(names);
        }
        let mut patterns = self.configured.to_vec();
        patterns.extend(
            declared_patterns(&definition.content, &definition.process_id).map_err(|problem| {
                StoreError::InvalidData(format!("definition {}: {problem}", definition.id))
            })?,
        );
        let names = Arc::new(SensitiveNames::new(patterns));
        self.lock()
            .insert(definition.id.clone(), Arc::clone(&names));
        Ok(names)
    }

    /// The sensitive names of instances of the definition `definition_id`
    /// (read in `tx` the first time).
    pub async fn of_definition_id(
        &self,
        tx: &mut Tx<'_>,
        definition_id: &str,
    ) -> Result<Arc<SensitiveNames>, StoreError> {
        if let Some(names) = self.cached(definition_id) {
            return Ok(names);
        }
        let definition = definitions::find(&mut **tx, definition_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.of_definition(&definition)
    }

    /// The sensitive names of instances of the BPMN process `process_id`,
    /// whichever version they run: the server's patterns and those every
    /// deployed version declares (for values that know only the process,
    /// such as a business rule task's decision evaluation).
    pub async fn of_process(
        &self,
        store: &Store,
        process_id: &str,
    ) -> Result<Arc<SensitiveNames>, StoreError> {
        self.of_processes(store, Some(process_id)).await
    }

    /// The server's patterns and those any deployed process declares: for
    /// values bound to no process that may still carry its variables (a
    /// decision evaluated through the API).
    pub async fn of_every_process(&self, store: &Store) -> Result<Arc<SensitiveNames>, StoreError> {
        self.of_processes(store, None).await
    }

    /// The server's patterns and those of every BPMN definition version of
    /// `process_id` (every process when `None`); only the ids are read,
    /// each version's content once (cached).
    async fn of_processes(
        &self,
        store: &Store,
        process_id: Option<&str>,
    ) -> Result<Arc<SensitiveNames>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM definitions WHERE kind = $1 AND ($2 = '' OR process_id = $2) \
             ORDER BY id",
        )
        .bind(definitions::Kind::Bpmn.as_str())
        .bind(process_id.unwrap_or(""))
        .fetch_all(store.pool())
        .await?;
        let mut patterns = self.configured.to_vec();
        for row in rows {
            let id: String = row.try_get("id")?;
            let names = match self.cached(&id) {
                Some(names) => names,
                None => {
                    let definition = definitions::find(store.pool(), &id)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    self.of_definition(&definition)?
                }
            };
            for pattern in &names.patterns {
                if !patterns.contains(pattern) {
                    patterns.push(pattern.clone());
                }
            }
        }
        Ok(Arc::new(SensitiveNames::new(patterns)))
    }

    fn cached(&self, definition_id: &str) -> Option<Arc<SensitiveNames>> {
        self.lock().get(definition_id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<SensitiveNames>>> {
        // A panic while holding the lock cannot leave the map inconsistent.
        self.by_definition
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A JSON text column whose documents may hold sealed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedDocuments {
    /// The table.
    pub table: &'static str,
    /// The JSON text column.
    pub column: &'static str,
    /// The primary key column that names the row.
    pub key: &'static str,
    /// Whether that key is an integer (else text).
    pub integer_key: bool,
}

impl SealedDocuments {
    /// The context (associated data) of the member `name` in row `row`.
    pub fn context(&self, row: &str, name: &str) -> String {
        context(self.table, self.column, &format!("{row}/{name}"))
    }
}

/// Process-level variables of an instance (`instances.variables`).
pub const INSTANCE_VARIABLES: SealedDocuments = SealedDocuments {
    table: "instances",
    column: "variables",
    key: "id",
    integer_key: false,
};

/// The engine state of an instance (`instances.state_json`): every scope's
/// variables, multi-instance collections.
pub const INSTANCE_STATES: SealedDocuments = SealedDocuments {
    table: "instances",
    column: "state_json",
    key: "id",
    integer_key: false,
};

/// The variables a job was created with (`jobs.variables`).
pub const JOB_VARIABLES: SealedDocuments = SealedDocuments {
    table: "jobs",
    column: "variables",
    key: "key",
    integer_key: true,
};

/// The variables of buffered messages (`messages.variables`).
pub const MESSAGE_VARIABLES: SealedDocuments = SealedDocuments {
    table: "messages",
    column: "variables",
    key: "id",
    integer_key: false,
};

/// The result of a decision evaluation (`decision_evaluations.result`).
pub const DECISION_RESULTS: SealedDocuments = SealedDocuments {
    table: "decision_evaluations",
    column: "result",
    key: "id",
    integer_key: false,
};

/// The trace of a decision evaluation (`decision_evaluations.trace`): the
/// inputs each decision saw, its output, the provider fetches.
pub const DECISION_TRACES: SealedDocuments = SealedDocuments {
    table: "decision_evaluations",
    column: "trace",
    key: "id",
    integer_key: false,
};

/// Every JSON column that may hold sealed variables: what a rotation re-seals.
pub const SEALED_DOCUMENTS: &[SealedDocuments] = &[
    INSTANCE_VARIABLES,
    INSTANCE_STATES,
    JOB_VARIABLES,
    MESSAGE_VARIABLES,
    DECISION_RESULTS,
    DECISION_TRACES,
];

/// Seals the sensitive values of documents bound for one process's rows.
#[derive(Debug, Clone)]
pub struct Sealer {
    keys: Option<Keys>,
    names: Arc<SensitiveNames>,
}

impl Sealer {
    /// A sealer for `names` with `store`'s data keys.
    pub fn new(store: &Store, names: Arc<SensitiveNames>) -> Sealer {
        Sealer {
            keys: store.keys().cloned(),
            names,
        }
    }

    /// `document` as JSON text for `column` of `row`, its sensitive values sealed.
    pub fn seal(
        &self,
        column: &SealedDocuments,
        row: &str,
        mut document: Value,
    ) -> Result<String, StoreError> {
        if self.names.is_empty() {
            let text = document.to_string();
            if !text.contains(SEALED_PREFIX) {
                return Ok(text);
            }
        }
        self.seal_members(column, row, "", &mut document)?;
        Ok(document.to_string())
    }

    /// The variables (`instances.variables`) and engine state
    /// (`instances.state_json`) of the instance `row`, as JSON text, sealed.
    pub fn seal_state(
        &self,
        row: &str,
        state: &ProcessInstanceState,
    ) -> Result<(String, String), StoreError> {
        let invalid =
            |e: serde_json::Error| StoreError::InvalidData(format!("instance state: {e}"));
        if self.names.is_empty() {
            // Nothing sensitive: the text as the engine state serializes,
            // unless a value merely looks sealed.
            let variables = serde_json::to_string(&state.variables).map_err(invalid)?;
            let state = serde_json::to_string(state).map_err(invalid)?;
            if !state.contains(SEALED_PREFIX) {
                return Ok((variables, state));
            }
        }
        let variables = Value::Object(state.variables.clone());
        let state = serde_json::to_value(state).map_err(invalid)?;
        Ok((
            self.seal(&INSTANCE_VARIABLES, row, variables)?,
            self.seal(&INSTANCE_STATES, row, state)?,
        ))
    }

    fn seal_members(
        &self,
        column: &SealedDocuments,
        row: &str,
        name: &str,
        value: &mut Value,
    ) -> Result<(), StoreError> {
        match value {
            Value::Object(members) => {
                for (member, value) in members.iter_mut() {
                    if self.names.matches(member) || looks_sealed(value) {
                        self.seal_value(column, row, member, value)?;
                    } else {
                        self.seal_members(column, row, member, value)?;
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    if looks_sealed(item) {
                        self.seal_value(column, row, name, item)?;
                    } else {
                        self.seal_members(column, row, name, item)?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn seal_value(
        &self,
        column: &SealedDocuments,
        row: &str,
        name: &str,
        value: &mut Value,
    ) -> Result<(), StoreError> {
        let keys = self.keys.as_ref().ok_or_else(|| {
            StoreError::EncryptionNotConfigured(format!(
                "variable {name:?} ({}.{} of {row}) is sensitive",
                column.table, column.column
            ))
        })?;
        let sealed = keys.seal(&column.context(row, name), value.to_string().as_bytes());
        *value = Value::String(sealed);
        Ok(())
    }
}

fn looks_sealed(value: &Value) -> bool {
    value.as_str().is_some_and(is_sealed)
}

/// Calls `visit(name, sealed text)` for every sealed string in `value`,
/// `name` being the member it is the value of (or the array is).
fn each_sealed<E>(
    value: &mut Value,
    name: &str,
    visit: &mut impl FnMut(&str, &mut Value) -> Result<(), E>,
) -> Result<(), E> {
    match value {
        Value::Object(members) => {
            for (member, value) in members.iter_mut() {
                if looks_sealed(value) {
                    visit(member, value)?;
                } else {
                    each_sealed(value, member, visit)?;
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                if looks_sealed(item) {
                    visit(name, item)?;
                } else {
                    each_sealed(item, name, visit)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Whether `document` holds a sealed value anywhere.
fn holds_sealed(document: &mut Value) -> bool {
    let mut found = false;
    each_sealed::<()>(document, "", &mut |_, _| {
        found = true;
        Ok(())
    })
    .expect("visiting cannot fail");
    found
}

/// Replaces every sealed value in `document` with [`MASK`]; returns
/// whether there was one.
pub fn mask(document: &mut Value) -> bool {
    let mut masked = false;
    each_sealed::<()>(document, "", &mut |_, value| {
        *value = Value::String(MASK.to_string());
        masked = true;
        Ok(())
    })
    .expect("masking cannot fail");
    masked
}

/// The store's data keys with every data key `document` names loaded
/// (reloaded once when a rotation elsewhere added one).
async fn keys_for(store: &Store, document: &mut Value, what: &str) -> Result<Keys, StoreError> {
    let keys = store.keys().cloned().ok_or_else(|| {
        StoreError::EncryptionNotConfigured(format!("{what} holds sealed values"))
    })?;
    let mut missing = false;
    each_sealed::<()>(document, "", &mut |_, value| {
        let version = value.as_str().and_then(sealed_version);
        missing |= version.is_some_and(|version| !keys.has_version(version));
        Ok(())
    })
    .expect("visiting cannot fail");
    if missing {
        data_keys::reload(store.pool(), &keys).await?;
    }
    Ok(keys)
}

/// Opens every sealed value in `document`, stored in `column` of `row`.
pub async fn open_document(
    store: &Store,
    column: &SealedDocuments,
    row: &str,
    document: &mut Value,
) -> Result<(), StoreError> {
    if !holds_sealed(document) {
        // Nothing to open: no master key is needed either.
        return Ok(());
    }
    let what = format!("{}.{} of {row}", column.table, column.column);
    let keys = keys_for(store, document, &what).await?;
    each_sealed(document, "", &mut |name, value| {
        let sealed = value.as_str().unwrap_or_default();
        let context = column.context(row, name);
        let text = keys
            .open_text(&context, sealed)
            .map_err(|e| StoreError::InvalidData(format!("{context}: {e}")))?;
        *value = serde_json::from_str(&text)
            .map_err(|e| StoreError::InvalidData(format!("{context}: {e}")))?;
        Ok(())
    })
}

/// The JSON text stored in `column` of `row` with its sealed values opened
/// (unchanged when it holds none).
pub async fn open_text(
    store: &Store,
    column: &SealedDocuments,
    row: &str,
    text: String,
) -> Result<String, StoreError> {
    if !text.contains(SEALED_PREFIX) {
        return Ok(text);
    }
    let mut document: Value = serde_json::from_str(&text).map_err(|e| {
        StoreError::InvalidData(format!("{}.{} of {row}: {e}", column.table, column.column))
    })?;
    open_document(store, column, row, &mut document).await?;
    Ok(document.to_string())
}

/// `document`, stored in `column` of `row`, as a principal sees it: sealed
/// values opened when `unmask`, else each shown as [`MASK`].
pub async fn reveal(
    store: &Store,
    column: &SealedDocuments,
    row: &str,
    document: &mut Value,
    unmask: bool,
) -> Result<(), StoreError> {
    if unmask {
        open_document(store, column, row, document).await
    } else {
        mask(document);
        Ok(())
    }
}

/// Re-seals every sealed value in [`SEALED_DOCUMENTS`] that is not under
/// the active data key of `keys`, in batches of `batch_size` rows, one
/// transaction each; a row changed meanwhile keeps its new value (it was
/// sealed under the key its writer had). Returns how many values were
/// re-sealed.
pub async fn reseal(store: &Store, keys: &Keys, batch_size: usize) -> Result<u64, StoreError> {
    let active = keys.active_version();
    let mut resealed = 0;
    for column in SEALED_DOCUMENTS {
        let SealedDocuments {
            table,
            column: name,
            key,
            ..
        } = column;
        let select = format!(
            "SELECT {key} AS row_key, {name} AS document FROM {table} \
             WHERE {key} > $1 AND {name} LIKE $2 ORDER BY {key} LIMIT {}",
            batch_size.max(1)
        );
        let update = format!("UPDATE {table} SET {name} = $1 WHERE {key} = $2 AND {name} = $3");
        let mut after = if column.integer_key {
            RowKey::Integer(i64::MIN)
        } else {
            RowKey::Text(String::new())
        };
        loop {
            let rows = after
                .bind(sqlx::query(&select))
                .bind(format!("%{SEALED_PREFIX}%"))
                .fetch_all(store.pool())
                .await?;
            let Some(last) = rows.last() else { break };
            after = RowKey::of(last, column.integer_key)?;
            let mut tx = store.begin().await?;
            for stored in &rows {
                let row = RowKey::of(stored, column.integer_key)?;
                let text: String = stored.try_get("document")?;
                let mut document: Value = serde_json::from_str(&text).map_err(|e| {
                    StoreError::InvalidData(format!("{table}.{name} of {row}: {e}"))
                })?;
                let mut changed = 0;
                each_sealed(&mut document, "", &mut |member, value| {
                    let sealed = value.as_str().unwrap_or_default();
                    if sealed_version(sealed) == Some(active) {
                        return Ok(());
                    }
                    let context = column.context(&row.to_string(), member);
                    let plain = keys
                        .open(&context, sealed)
                        .map_err(|e| StoreError::InvalidData(format!("{context}: {e}")))?;
                    *value = Value::String(keys.seal(&context, &plain));
                    changed += 1;
                    Ok::<(), StoreError>(())
                })?;
                if changed == 0 {
                    continue;
                }
                let replaced = row
                    .bind(sqlx::query(&update).bind(document.to_string()))
                    .bind(&text)
                    .execute(&mut *tx)
                    .await?;
                if replaced.rows_affected() > 0 {
                    resealed += changed;
                }
            }
            tx.commit().await?;
        }
    }
    Ok(resealed)
}

/// A row's key, integer or text.
enum RowKey {
    Integer(i64),
    Text(String),
}

impl RowKey {
    fn of(row: &sqlx::any::AnyRow, integer: bool) -> Result<RowKey, StoreError> {
        Ok(if integer {
            RowKey::Integer(row.try_get("row_key")?)
        } else {
            RowKey::Text(row.try_get("row_key")?)
        })
    }

    fn bind<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        match self {
            RowKey::Integer(key) => query.bind(*key),
            RowKey::Text(key) => query.bind(key.clone()),
        }
    }
}

impl std::fmt::Display for RowKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowKey::Integer(key) => write!(f, "{key}"),
            RowKey::Text(key) => f.write_str(key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> NamePattern {
        NamePattern::parse(text).expect("valid pattern")
    }

    #[test]
    fn patterns_match_names_ignoring_case_with_stars() {
        assert!(pattern("password").matches("Password"));
        assert!(!pattern("password").matches("passwords"));
        assert!(pattern("*_secret").matches("api_SECRET"));
        assert!(pattern("*_secret").matches("_secret"));
        assert!(!pattern("*_secret").matches("secret"));
        assert!(pattern("card*number").matches("cardNumber"));
        assert!(pattern("card*number").matches("card_holder_number"));
        assert!(!pattern("card*number").matches("cardNumbers"));
        assert!(pattern("*token*").matches("refreshTokenValue"));
        assert!(pattern("*").matches(""));
        assert!(pattern("a*b*c").matches("aXbYbZc"));
        assert!(!pattern("a*b*c").matches("aXbYbZ"));
    }

    #[test]
    fn unusable_patterns_are_refused_naming_the_problem() {
        for (text, problem) in [
            ("", "it is empty"),
            ("pass word", "whitespace"),
            ("a,b", "comma"),
        ] {
            let error = NamePattern::parse(text).expect_err(text);
            assert_eq!(error.pattern, text);
            assert!(error.to_string().contains(problem), "{error}");
        }
        let long = "x".repeat(201);
        assert!(NamePattern::parse(&long).is_err());
        assert!(NamePattern::parse(&"x".repeat(200)).is_ok());
    }

    const BPMN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="other" isExecutable="true">
    <bpmn:extensionElements><zeebe:properties>
      <zeebe:property name="flowdesk:sensitive" value="notMine" />
    </zeebe:properties></bpmn:extensionElements>
  </bpmn:process>
  <bpmn:process id="p" isExecutable="true">
    <bpmn:extensionElements><zeebe:properties>
      <zeebe:property name="owner" value="ops" />
      <zeebe:property name="flowdesk:sensitive" value="password, *_key  iban" />
    </zeebe:properties></bpmn:extensionElements>
    <bpmn:startEvent id="s" />
  </bpmn:process>
</bpmn:definitions>"#;

    #[test]
    fn processes_declare_their_sensitive_names_in_an_extension_property() {
        let names = SensitiveNames::new(declared_patterns(BPMN, "p").expect("declared"));
        assert!(names.matches("password"));
        assert!(names.matches("api_key"));
        assert!(names.matches("IBAN"));
        assert!(!names.matches("notMine"));
        assert!(!names.matches("owner"));
        assert!(declared_patterns(BPMN, "missing").expect("none").is_empty());
        let error = declared_patterns("<not bpmn", "p").expect_err("not XML");
        assert!(error.contains("XML"), "{error}");
    }

    fn keys() -> Keys {
        Keys::new(
            flowdesk_vault::MasterKey::generate(),
            1,
            flowdesk_vault::DataKey::generate(),
        )
    }

    fn sealer(keys: Option<Keys>, patterns: &[&str]) -> Sealer {
        Sealer {
            keys,
            names: Arc::new(SensitiveNames::new(
                patterns.iter().map(|p| pattern(p)).collect(),
            )),
        }
    }

    #[test]
    fn sensitive_members_are_sealed_at_any_depth_and_bound_to_their_place() {
        let keys = keys();
        let sealer = sealer(Some(keys.clone()), &["password", "*_secret"]);
        let document = serde_json::json!({
            "user": "ada",
            "password": "hunter2-plain",
            "nested": {"api_secret": {"a": [1, 2]}, "list": [{"password": 7}]},
            "lookalike": "fdenc:v1:9:abc",
        });
        let text = sealer
            .seal(&INSTANCE_VARIABLES, "row-1", document.clone())
            .expect("sealed");
        assert!(!text.contains("hunter2-plain"), "{text}");
        assert!(text.contains("\"user\":\"ada\""), "{text}");
        let mut stored: Value = serde_json::from_str(&text).expect("JSON");
        assert!(stored["password"].as_str().is_some_and(is_sealed));
        assert!(stored["nested"]["api_secret"]
            .as_str()
            .is_some_and(is_sealed));
        assert!(stored["nested"]["list"][0]["password"]
            .as_str()
            .is_some_and(is_sealed));
        assert_ne!(stored["lookalike"], "fdenc:v1:9:abc");

        let sealed = stored["password"].as_str().expect("sealed").to_string();
        let here = INSTANCE_VARIABLES.context("row-1", "password");
        assert_eq!(
            keys.open_text(&here, &sealed).expect("opens").as_str(),
            "\"hunter2-plain\""
        );
        assert!(keys
            .open(&INSTANCE_VARIABLES.context("row-2", "password"), &sealed)
            .is_err());
        assert!(keys
            .open(&JOB_VARIABLES.context("row-1", "password"), &sealed)
            .is_err());
        assert!(keys
            .open(&INSTANCE_VARIABLES.context("row-1", "user"), &sealed)
            .is_err());

        let mut masked = stored.clone();
        assert!(mask(&mut masked));
        assert_eq!(masked["password"], MASK);
        assert_eq!(masked["nested"]["api_secret"], MASK);
        assert_eq!(masked["user"], "ada");

        let mut opened = 0;
        each_sealed::<()>(&mut stored, "", &mut |name, value| {
            let context = INSTANCE_VARIABLES.context("row-1", name);
            let text = keys
                .open_text(&context, value.as_str().expect("text"))
                .expect("opens");
            *value = serde_json::from_str(&text).expect("JSON");
            opened += 1;
            Ok(())
        })
        .expect("opened");
        assert_eq!(opened, 4);
        assert_eq!(stored, document);
    }

    #[test]
    fn without_data_keys_a_sensitive_value_is_refused_and_others_pass() {
        let sealer = sealer(None, &["password"]);
        let plain = serde_json::json!({"user": "ada"});
        assert_eq!(
            sealer
                .seal(&INSTANCE_VARIABLES, "r", plain.clone())
                .expect("plain"),
            plain.to_string()
        );
        let error = sealer
            .seal(
                &INSTANCE_VARIABLES,
                "r",
                serde_json::json!({"password": "x-secret-x"}),
            )
            .expect_err("refused");
        let message = error.to_string();
        assert!(message.contains("\"password\""), "{message}");
        assert!(message.contains("FLOWDESK_MASTER_KEY"), "{message}");
        assert!(!message.contains("x-secret-x"), "{message}");
    }
}
