//! The background worker folds new history when notified.

#[allow(dead_code)] // each test binary uses part of the shared workload
mod workload;

use std::time::{Duration, Instant};

use flowdesk_insights::{spawn_worker, Filter, Insights};
use flowdesk_store::dual_test;
use flowdesk_store::workflow::Workflow;

dual_test!(async fn the_worker_catches_up_when_notified(store) {
    let definition = workload::deploy(&store, "Claims", workload::T0).await;
    let insights = Insights::new(store.clone());
    // A long interval: only the notification can wake it in time.
    let worker = spawn_worker(insights.clone(), Duration::from_secs(3600));
    let workflow = Workflow::new(store.clone());
    let mut tx = workflow.begin().await.unwrap();
    workflow
        .start_instance(&mut tx, &definition, Default::default(), "test", workload::T0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    worker.notify();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if insights.kpis(&Filter::default()).await.unwrap().started == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the worker did not fold the new instance");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(worker);
});
