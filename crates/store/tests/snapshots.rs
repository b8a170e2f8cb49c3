//! Offline report snapshots on SQLite and PostgreSQL.

use flowdesk_store::dual_test;
use flowdesk_store::snapshots::{self, Snapshot, SnapshotSummary};

fn snapshot(id: &str, title: &str, saved_at: i64, document: &str) -> Snapshot {
    Snapshot {
        summary: SnapshotSummary {
            id: id.into(),
            kind: "report".into(),
            source_id: format!("source-{id}"),
            title: title.into(),
            cluster_name: "Production".into(),
            cluster_url: "https://flowdesk.example.com".into(),
            as_of: saved_at - 500,
            saved_at,
        },
        document: document.into(),
    }
}

dual_test!(async fn snapshots_are_listed_newest_first_and_replaced_by_id(store) {
    let first = snapshot("a", "Throughput", 1_000, r#"{"n":1}"#);
    let second = snapshot("b", "Durations", 2_000, r#"{"n":2}"#);
    snapshots::upsert(store.pool(), &first).await.unwrap();
    snapshots::upsert(store.pool(), &second).await.unwrap();

    let listed = snapshots::list(store.pool()).await.unwrap();
    assert_eq!(
        listed.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["b", "a"]
    );
    assert_eq!(listed[1], first.summary);

    let refreshed = snapshot("a", "Throughput (renamed)", 3_000, r#"{"n":3}"#);
    snapshots::upsert(store.pool(), &refreshed).await.unwrap();
    let got = snapshots::get(store.pool(), "a").await.unwrap().expect("kept");
    assert_eq!(got, refreshed);
    assert_eq!(snapshots::list(store.pool()).await.unwrap().len(), 2);
    assert_eq!(
        snapshots::list(store.pool()).await.unwrap()[0].id,
        "a",
        "the refreshed one is now the newest"
    );

    assert!(snapshots::delete(store.pool(), "a").await.unwrap());
    assert!(!snapshots::delete(store.pool(), "a").await.unwrap());
    assert_eq!(snapshots::get(store.pool(), "a").await.unwrap(), None);
    assert_eq!(snapshots::list(store.pool()).await.unwrap(), [second.summary]);
});
