//! PostgreSQL hands out history seqs when rows are inserted, not when they
//! commit: a command can commit after a later one. The read model waits for
//! such gaps, folds them once when they appear, and forgets a gap left by a
//! rolled-back command after the grace period.

#[allow(dead_code)] // each test binary uses part of the shared workload
mod workload;

use flowdesk_insights::{Filter, Insights, GAP_GRACE_MS};
use flowdesk_store::workflow::Workflow;
use flowdesk_store::{jobs, test_support, Dialect, Store};

async fn worker_job(store: &Store, instance_id: &str) -> i64 {
    jobs::list_for_instance(store.pool(), instance_id)
        .await
        .unwrap()
        .into_iter()
        .find(|job| job.kind == "worker")
        .unwrap()
        .key
}

fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_committing_after_a_later_one_is_folded_once() {
    test_support::run(Dialect::Postgres, |store| async move {
        let definition = workload::deploy(&store, "Claims", workload::T0).await;
        let workflow = Workflow::new(store.clone());
        let insights = Insights::new(store.clone());
        let mut started = Vec::new();
        for n in 0..3 {
            let mut tx = workflow.begin().await.unwrap();
            let instance = workflow
                .start_instance(
                    &mut tx,
                    &definition,
                    Default::default(),
                    "test",
                    workload::T0 + n,
                )
                .await
                .unwrap();
            tx.commit().await.unwrap();
            started.push(instance);
        }
        let (a, b, c) = (&started[0], &started[1], &started[2]);
        insights.catch_up(100).await.unwrap();

        // A's job completion takes its seqs first but commits last.
        let mut late = workflow.begin().await.unwrap();
        let job_a = worker_job(&store, &a.id).await;
        workflow
            .complete_job(&mut late, job_a, Default::default(), workload::T0 + 10)
            .await
            .unwrap();
        let mut tx = workflow.begin().await.unwrap();
        let job_b = worker_job(&store, &b.id).await;
        workflow
            .complete_job(&mut tx, job_b, Default::default(), workload::T0 + 11)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        insights.catch_up(100).await.unwrap();
        let status = insights.status().await.unwrap();
        assert_eq!(status.high_water, status.history_head);
        assert!(status.awaited_gaps > 0, "A's seqs are awaited: {status:?}");
        let check = |stats: &[flowdesk_insights::ElementStats]| {
            stats
                .iter()
                .find(|e| e.element_id == "check")
                .unwrap()
                .completed
        };
        assert_eq!(
            check(&insights.element_stats(&Filter::default()).await.unwrap()),
            1
        );

        late.commit().await.unwrap();
        insights.catch_up(100).await.unwrap();
        assert_eq!(insights.status().await.unwrap().awaited_gaps, 0);
        assert_eq!(
            check(&insights.element_stats(&Filter::default()).await.unwrap()),
            2
        );
        // Folding again changes nothing.
        assert_eq!(insights.catch_up(100).await.unwrap(), 0);
        assert_eq!(
            check(&insights.element_stats(&Filter::default()).await.unwrap()),
            2
        );

        // A rolled-back command leaves a gap that is forgotten after the grace.
        let mut rolled_back = workflow.begin().await.unwrap();
        let job_c = worker_job(&store, &c.id).await;
        workflow
            .complete_job(
                &mut rolled_back,
                job_c,
                Default::default(),
                workload::T0 + 20,
            )
            .await
            .unwrap();
        drop(rolled_back);
        let mut tx = workflow.begin().await.unwrap();
        workflow
            .cancel_instance(&mut tx, &c.id, workload::T0 + 21)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        insights.catch_up(100).await.unwrap();
        assert!(insights.status().await.unwrap().awaited_gaps > 0);
        let mut tx = insights.begin().await.unwrap();
        insights
            .fold_batch(&mut tx, 100, wall_clock() + GAP_GRACE_MS + 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(insights.status().await.unwrap().awaited_gaps, 0);

        let kpis = insights.kpis(&Filter::default()).await.unwrap();
        assert_eq!((kpis.started, kpis.cancelled, kpis.active), (3, 1, 2));
        assert_eq!(
            check(&insights.element_stats(&Filter::default()).await.unwrap()),
            2
        );
        insights.rebuild(100).await.unwrap();
        assert_eq!(insights.kpis(&Filter::default()).await.unwrap(), kpis);
    })
    .await;
}
