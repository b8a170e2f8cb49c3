//! Instance numbers handed out in blocks.
//!
//! Every instance gets a number from the one `engine_keys` row (see
//! [`crate::workflow`] for how numbers become engine keys). Taking it with an
//! `UPDATE … RETURNING` inside each start costs a statement per instance, so
//! a [`Store`] reserves [`BLOCK`] numbers at a time in a transaction of its
//! own, committed before the command's transaction begins, and hands them
//! out from memory. A reserved block belongs to this process alone even when
//! other processes or nodes share the database; numbers of a block that is
//! never used up (the process stops) are skipped, which leaves gaps and
//! nothing else. When a command starts more instances than the block has
//! left, the rest come from the row inside the command's transaction.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use sqlx::Row;

use crate::{Store, StoreError, Tx};

/// Numbers reserved at a time.
pub const BLOCK: i64 = 64;

/// The numbers this process reserved and has not handed out yet.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reserved(Arc<Mutex<Range<i64>>>);

impl Reserved {
    fn take(&self) -> Option<i64> {
        let mut range = self.0.lock().unwrap_or_else(|p| p.into_inner());
        range.next()
    }

    fn is_empty(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).is_empty()
    }

    fn set(&self, numbers: Range<i64>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = numbers;
    }
}

/// Reserves a new block when this store has no number left. Call it
/// outside any transaction of this store: on SQLite the reservation needs
/// the write lock a running transaction would hold.
pub async fn refill(store: &Store) -> Result<(), StoreError> {
    if !store.numbers.is_empty() {
        return Ok(());
    }
    let row = sqlx::query(
        "UPDATE engine_keys SET next_instance = next_instance + $1 WHERE id = 1 \
         RETURNING next_instance",
    )
    .bind(BLOCK)
    .fetch_one(store.pool())
    .await?;
    let end: i64 = row.try_get("next_instance")?;
    store.numbers.set(end - BLOCK..end);
    Ok(())
}

/// The next instance number: from the reserved block, or when that is used
/// up from the `engine_keys` row in `tx`.
pub async fn next(store: &Store, tx: &mut Tx<'_>) -> Result<i64, StoreError> {
    if let Some(number) = store.numbers.take() {
        return Ok(number);
    }
    let row = sqlx::query(
        "UPDATE engine_keys SET next_instance = next_instance + 1 WHERE id = 1 \
         RETURNING next_instance",
    )
    .fetch_one(&mut **tx)
    .await?;
    let end: i64 = row.try_get("next_instance")?;
    Ok(end - 1)
}
