//! Changes: the history log read in `seq` order, for live updates.
//!
//! History is append-only, shared by every node of a cluster and written in
//! the transaction of each command, so tailing it gives every change with an
//! increasing id and no extra write per command (an outbox table would add
//! one). [`read`] is the one place that reads history for this purpose.
//!
//! On PostgreSQL a sequence hands out `seq` when a row is inserted, not when
//! its transaction commits: a command that took seq 10 can commit after one
//! that took seq 11. [`Tail`] therefore remembers the seqs it skipped below
//! its high-water mark and asks for them again until they appear or
//! [`GAP_GRACE_MS`] has passed (then they were rolled back), as the
//! analytics fold does. On SQLite, with its single writer, seqs commit in
//! order and no gap is ever awaited long.

use std::collections::BTreeMap;

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Millis, Store, StoreError};

/// How long a skipped seq is awaited before it is taken for a rolled-back
/// insert. Waiting longer only delays [`Tail::resume_point`]; it never
/// delays the delivery of the seqs after it.
pub const GAP_GRACE_MS: Millis = 60 * 1000;

/// A jump in seq larger than this is not awaited seq by seq (a sequence
/// cache jump or restart, not transactions in flight).
const MAX_TRACKED_GAP: i64 = 1_000;

/// Bind parameters per statement for awaited seqs (under SQLite's oldest
/// limit of 999).
const MAX_AWAITED: usize = 900;

/// One history row with what a live subscriber needs to know about its
/// instance at the time it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Position in the whole history.
    pub seq: i64,
    /// The process instance (row id).
    pub instance_id: String,
    /// Its BPMN process id.
    pub process_id: String,
    /// Its state when read: `active`, `completed`, `cancelled`, or
    /// `incident` (active with an open incident).
    pub instance_state: String,
    /// When the event happened.
    pub at: Millis,
    /// What happened, e.g. `elementActivated`, `jobCreated`, `taskClaimed`.
    pub kind: String,
    /// The element concerned, if any.
    pub element_id: Option<String>,
    /// The event's detail as JSON text.
    pub detail: String,
}

const COLUMNS: &str = "h.seq, h.instance_id, h.at, h.kind, h.element_id, h.detail, \
    i.process_id, CASE WHEN i.state = 'active' AND EXISTS (SELECT 1 FROM incidents n \
    WHERE n.instance_id = i.id AND n.state = 'open') THEN 'incident' ELSE i.state END \
    AS instance_state FROM history h JOIN instances i ON i.id = h.instance_id";

fn from_row(row: &AnyRow) -> Result<Change, StoreError> {
    Ok(Change {
        seq: row.try_get("seq")?,
        instance_id: row.try_get("instance_id")?,
        process_id: row.try_get("process_id")?,
        instance_state: row.try_get("instance_state")?,
        at: row.try_get("at")?,
        kind: row.try_get("kind")?,
        element_id: row.try_get("element_id")?,
        detail: row.try_get("detail")?,
    })
}

/// The history rows with a seq above `after` (at most `limit`) and those
/// with one of the `awaited` seqs, in seq order.
pub async fn read(
    store: &Store,
    after: i64,
    awaited: &[i64],
    limit: i64,
) -> Result<Vec<Change>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} WHERE h.seq > $1 ORDER BY h.seq LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let mut changes = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    for chunk in awaited.chunks(MAX_AWAITED) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT {COLUMNS} WHERE h.seq IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for seq in chunk {
            query = query.bind(*seq);
        }
        for row in query.fetch_all(store.pool()).await? {
            changes.push(from_row(&row)?);
        }
    }
    changes.sort_by_key(|change| change.seq);
    changes.dedup_by_key(|change| change.seq);
    Ok(changes)
}

/// The highest seq in history (0 when empty).
pub async fn latest_seq(store: &Store) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM history")
        .fetch_one(store.pool())
        .await?;
    Ok(row.try_get("seq")?)
}

/// A reader that follows history from a seq on, delivering every row once,
/// including rows whose transactions commit after higher seqs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tail {
    high_water: i64,
    /// Skipped seqs below the high-water mark and when each was first missed.
    awaited: BTreeMap<i64, Millis>,
}

impl Tail {
    /// Follows history after `seq` (nothing up to it is delivered).
    pub fn after(seq: i64) -> Tail {
        Tail {
            high_water: seq,
            awaited: BTreeMap::new(),
        }
    }

    /// The highest seq delivered so far.
    pub fn high_water(&self) -> i64 {
        self.high_water
    }

    /// A seq every row up to which has been delivered or given up: a new
    /// [`Tail::after`] it delivers everything this one has not, and may
    /// repeat rows this one delivered above it.
    pub fn resume_point(&self) -> i64 {
        self.awaited
            .keys()
            .next()
            .map_or(self.high_water, |first| first - 1)
    }

    /// Reads the rows committed since the last poll (at most `limit` new
    /// ones, plus awaited seqs that have appeared), in seq order. `now` is
    /// the wall clock, for [`GAP_GRACE_MS`].
    pub async fn poll(
        &mut self,
        store: &Store,
        limit: i64,
        now: Millis,
    ) -> Result<Vec<Change>, StoreError> {
        let awaited: Vec<i64> = self.awaited.keys().copied().collect();
        let changes = read(store, self.high_water, &awaited, limit).await?;
        self.advance(&changes, now);
        Ok(changes)
    }

    /// The bookkeeping of [`Tail::poll`] for rows read at `now`.
    fn advance(&mut self, changes: &[Change], now: Millis) {
        let mut expected = self.high_water + 1;
        for change in changes {
            if self.awaited.remove(&change.seq).is_some() || change.seq <= self.high_water {
                continue;
            }
            if change.seq > expected && change.seq - expected <= MAX_TRACKED_GAP {
                for seq in expected..change.seq {
                    self.awaited.insert(seq, now);
                }
            }
            expected = change.seq + 1;
            self.high_water = change.seq;
        }
        self.awaited
            .retain(|_, first_missed| now.saturating_sub(*first_missed) <= GAP_GRACE_MS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(seq: i64) -> Change {
        Change {
            seq,
            instance_id: "i".into(),
            process_id: "p".into(),
            instance_state: "active".into(),
            at: 0,
            kind: "elementActivated".into(),
            element_id: None,
            detail: "{}".into(),
        }
    }

    #[test]
    fn skipped_seqs_are_awaited_until_they_appear_or_expire() {
        let mut tail = Tail::after(10);
        tail.advance(&[change(11), change(14)], 1_000);
        assert_eq!(tail.high_water(), 14);
        assert_eq!(tail.resume_point(), 11, "12 and 13 are awaited");

        tail.advance(&[change(12), change(15)], 2_000);
        assert_eq!(tail.high_water(), 15);
        assert_eq!(tail.resume_point(), 12, "13 is still awaited");

        tail.advance(&[], 1_000 + GAP_GRACE_MS + 1);
        assert_eq!(tail.resume_point(), 15, "13 was rolled back");
    }

    #[test]
    fn large_jumps_are_not_awaited_seq_by_seq() {
        let mut tail = Tail::after(0);
        tail.advance(&[change(1), change(5_000)], 0);
        assert_eq!(tail.resume_point(), 5_000);
    }
}
