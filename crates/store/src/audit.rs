//! The audit log: an append-only hash chain.
//!
//! Each entry stores the hash of the entry before it and its own hash, the
//! SHA-256 of a canonical encoding of `(prev_hash, seq, at, actor, action,
//! resource, detail)`. `audit_head` holds the last sequence number and hash;
//! appending first increments it (a write, so concurrent appends serialise on
//! both SQLite and PostgreSQL) and then inserts the entry.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Millis, StoreError, Tx};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry<'a> {
    /// When it happened.
    pub at: Millis,
    /// Who did it (username, or a system actor such as `demo`).
    pub actor: &'a str,
    /// What was done, e.g. `user.create`, `access.denied`.
    pub action: &'a str,
    /// What it was done to, e.g. `user:0190…`.
    pub resource: &'a str,
    /// Free text or JSON detail (never a secret).
    pub detail: &'a str,
}

/// An entry of the chain as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When it happened.
    pub at: Millis,
    /// Who did it.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub resource: String,
    /// Detail.
    pub detail: String,
    /// Hash of the previous entry ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// Hash of this entry.
    pub hash: String,
}

/// Where verification of the chain failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// An entry's stored hash does not match its content.
    #[error("audit entry {seq}: hash does not match its content")]
    HashMismatch {
        /// The entry.
        seq: i64,
    },
    /// An entry does not point at the hash of the entry before it.
    #[error("audit entry {seq}: does not link to the entry before it")]
    BrokenLink {
        /// The entry.
        seq: i64,
    },
    /// Sequence numbers are not contiguous (an entry was removed).
    #[error("audit entry {expected} is missing")]
    Missing {
        /// The sequence number expected next.
        expected: i64,
    },
    /// The head does not point at the last entry (entries were cut off the end).
    #[error("audit head does not match the last entry")]
    HeadMismatch,
}

/// The canonical hash of an entry: SHA-256 hex over length-prefixed fields.
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: Millis,
    actor: &str,
    action: &str,
    resource: &str,
    detail: &str,
) -> String {
    let mut encoded = Vec::new();
    let seq = seq.to_string();
    let at = at.to_string();
    for field in [
        prev_hash,
        seq.as_str(),
        at.as_str(),
        actor,
        action,
        resource,
        detail,
    ] {
        encoded.extend_from_slice(field.len().to_string().as_bytes());
        encoded.push(b':');
        encoded.extend_from_slice(field.as_bytes());
        encoded.push(b'\n');
    }
    crate::sha256_hex(&encoded)
}

/// Appends an entry in the caller's transaction and returns it.
pub async fn append(tx: &mut Tx<'_>, entry: &NewAuditEntry<'_>) -> Result<AuditEntry, StoreError> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;
    let hash = entry_hash(
        &prev_hash,
        seq,
        entry.at,
        entry.actor,
        entry.action,
        entry.resource,
        entry.detail,
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, resource, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq)
    .bind(entry.at)
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.resource)
    .bind(entry.detail)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(AuditEntry {
        seq,
        at: entry.at,
        actor: entry.actor.to_string(),
        action: entry.action.to_string(),
        resource: entry.resource.to_string(),
        detail: entry.detail.to_string(),
        prev_hash,
        hash,
    })
}

const COLUMNS: &str = "seq, at, actor, action, resource, detail, prev_hash, hash";

fn from_row(row: &AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        resource: row.try_get("resource")?,
        detail: row.try_get("detail")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// A page of entries, newest first.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(executor)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Which entries to read: each field that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Exactly this actor.
    pub actor: Option<String>,
    /// Actions starting with this, e.g. `auth.` or `access.denied`.
    pub action_prefix: Option<String>,
    /// At or after this time.
    pub since: Option<Millis>,
    /// Before this time.
    pub until: Option<Millis>,
}

fn filter_sql(filter: &AuditFilter) -> (String, Vec<FilterValue>) {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    if let Some(actor) = &filter.actor {
        values.push(FilterValue::Text(actor.clone()));
        clauses.push(format!("actor = ${}", values.len()));
    }
    if let Some(prefix) = &filter.action_prefix {
        // substr instead of LIKE: no wildcard escaping, same on both dialects.
        values.push(FilterValue::Text(prefix.clone()));
        let n = values.len();
        clauses.push(format!("substr(action, 1, length(${n})) = ${n}"));
    }
    if let Some(since) = filter.since {
        values.push(FilterValue::Int(since));
        clauses.push(format!("at >= ${}", values.len()));
    }
    if let Some(until) = filter.until {
        values.push(FilterValue::Int(until));
        clauses.push(format!("at < ${}", values.len()));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, values)
}

enum FilterValue {
    Text(String),
    Int(i64),
}

/// A page of the entries matching `filter`, newest first, and how many match in all.
pub async fn list_filtered(
    pool: &sqlx::AnyPool,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditEntry>, i64), StoreError> {
    let (clause, values) = filter_sql(filter);
    let n = values.len();
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log{clause} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut query = sqlx::query(&sql);
    for value in &values {
        query = match value {
            FilterValue::Text(text) => query.bind(text.clone()),
            FilterValue::Int(int) => query.bind(*int),
        };
    }
    let rows = query.bind(limit).bind(offset).fetch_all(pool).await?;
    let entries = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    let count_sql = format!("SELECT COUNT(*) AS n FROM audit_log{clause}");
    let mut count = sqlx::query(&count_sql);
    for value in &values {
        count = match value {
            FilterValue::Text(text) => count.bind(text.clone()),
            FilterValue::Int(int) => count.bind(*int),
        };
    }
    let total: i64 = count.fetch_one(pool).await?.try_get("n")?;
    Ok((entries, total))
}

/// Number of entries.
pub async fn count<'e, E: Executor<'e, Database = Any>>(executor: E) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log")
        .fetch_one(executor)
        .await?;
    Ok(row.try_get("n")?)
}

/// Checks a sequence of entries, oldest first, against each other and the head.
pub fn verify_entries(
    entries: &[AuditEntry],
    head_seq: i64,
    head_hash: &str,
) -> Result<u64, ChainError> {
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut expected_seq = 1;
    for entry in entries {
        if entry.seq != expected_seq {
            return Err(ChainError::Missing {
                expected: expected_seq,
            });
        }
        if entry.prev_hash != expected_prev {
            return Err(ChainError::BrokenLink { seq: entry.seq });
        }
        let hash = entry_hash(
            &entry.prev_hash,
            entry.seq,
            entry.at,
            &entry.actor,
            &entry.action,
            &entry.resource,
            &entry.detail,
        );
        if hash != entry.hash {
            return Err(ChainError::HashMismatch { seq: entry.seq });
        }
        expected_prev = hash;
        expected_seq += 1;
    }
    if head_seq != expected_seq - 1 || head_hash != expected_prev {
        return Err(ChainError::HeadMismatch);
    }
    Ok(entries.len() as u64)
}

/// Reads the whole chain and verifies it; returns the number of entries.
///
/// The outer error is a database failure; the inner one a broken chain.
pub async fn verify(store: &crate::Store) -> Result<Result<u64, ChainError>, StoreError> {
    let mut tx = store.begin().await?;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))
        .fetch_all(&mut *tx)
        .await?;
    tx.rollback().await?;
    let entries = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    let head_seq: i64 = head.try_get("seq")?;
    let head_hash: String = head.try_get("hash")?;
    Ok(verify_entries(&entries, head_seq, &head_hash))
}
