//! The background worker that keeps the read model caught up.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::Insights;

/// Events folded per transaction by the worker.
const WORKER_BATCH: usize = 2_000;

/// A running worker: wake it with [`WorkerHandle::notify`]; it stops (a
/// batch in flight is rolled back) when the handle is dropped.
#[derive(Debug)]
pub struct WorkerHandle {
    notify: Arc<Notify>,
    task: JoinHandle<()>,
}

impl WorkerHandle {
    /// Asks for a catch-up now (e.g. after a burst of commands).
    pub fn notify(&self) {
        self.notify.notify_one();
    }

    /// A notifier that can be handed to other tasks.
    pub fn notifier(&self) -> Arc<Notify> {
        self.notify.clone()
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Spawns a task that catches the read model up every `interval` and
/// whenever notified. Errors are logged and retried at the next tick.
pub fn spawn_worker(insights: Insights, interval: Duration) -> WorkerHandle {
    let notify = Arc::new(Notify::new());
    let wake = notify.clone();
    let task = tokio::spawn(async move {
        loop {
            match insights.catch_up(WORKER_BATCH).await {
                Ok(0) => {}
                Ok(events) => tracing::debug!(events, "insights caught up"),
                Err(error) => tracing::warn!(%error, "insights catch-up"),
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = wake.notified() => {}
            }
        }
    });
    WorkerHandle { notify, task }
}
