//! `flowdesk report run NAME --format F --out FILE [--param k=v]` on the
//! database of `--db`: every format is written, the run is kept, a bad
//! format or report is refused naming it.

mod common;

use std::collections::BTreeMap;

use common::*;
use flowdesk_insights::render::ChartKind;
use flowdesk_insights::reports::{ChartSpec, ReportDefinition, ReportInput, Source};
use flowdesk_insights::Insights;
use flowdesk_store::dual_test;

const ORDER: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="order" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

dual_test!(async fn report_run_writes_every_format(store) {
    let url = db_url(&store).await;
    let dir = TempDir::new("report-cli");
    let model = dir.write("order.bpmn", ORDER);
    flowdesk(&["deploy", &model, "--db", &url]);
    for _ in 0..3 {
        flowdesk(&["start", "order", "--db", &url]);
    }
    let insights = Insights::new(store.clone());
    let definition = ReportDefinition {
        source: Source::Daily,
        sql: None,
        schedule: None,
        parameters: BTreeMap::new(),
        columns: vec!["start".into(), "started".into(), "completed".into()],
        chart: Some(ChartSpec { kind: ChartKind::Bar, x: "start".into(), y: vec!["started".into()] }),
    };
    let report = insights.create_report(&ReportInput { name: "Orders per day".into(), description: "".into(), roles: vec![], definition }, "ann", 1).await.unwrap();

    let magic: [(&str, &[u8]); 6] = [
        ("pdf", b"%PDF-"),
        ("png", b"\x89PNG"),
        ("svg", b"<svg"),
        ("csv", b"start,started,completed\n"),
        ("xlsx", b"PK"),
        ("json", b"{"),
    ];
    for (format, start) in magic {
        let out = dir.path().join(format!("orders.{format}"));
        let out = out.to_str().unwrap();
        let output = flowdesk(&[
            "report", "run", "Orders per day", "--format", format, "--out", out,
            "--param", "process_id=order", "--db", &url,
        ]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.starts_with(&format!("{out}: 1 rows, as of ")), "{format}: {stdout}");
        let bytes = std::fs::read(out).unwrap();
        assert!(bytes.starts_with(start), "{format} starts with {start:?}");
    }
    let csv = std::fs::read_to_string(dir.path().join("orders.csv")).unwrap();
    assert!(csv.lines().nth(1).unwrap().ends_with(",3,3"), "{csv}");
    let runs = insights.list_runs(&report, 100).await.unwrap();
    assert_eq!(runs.len(), 6);
    assert!(runs.iter().all(|run| run.ran_by == "cli" && run.parameters["process_id"] == "order"));

    let out = dir.path().join("never.doc");
    let out = out.to_str().unwrap();
    let (_, stderr) = flowdesk_fails(&["report", "run", "Orders per day", "--format", "doc", "--out", out, "--db", &url]);
    assert!(stderr.contains("unknown format \"doc\" (expected pdf, png, svg, csv, xlsx or json)"), "{stderr}");
    let (_, stderr) = flowdesk_fails(&["report", "run", "Nothing", "--format", "pdf", "--out", out, "--db", &url]);
    assert!(stderr.contains("no report named \"Nothing\""), "{stderr}");
    assert!(!std::path::Path::new(out).exists());

    // A SQL-source report: its $name parameters come from --param.
    let sql = ReportDefinition {
        source: Source::Sql,
        sql: Some(
            "SELECT process_id, CAST(SUM(started) AS BIGINT) AS started FROM insights_process_hour \
             WHERE process_id = $process GROUP BY process_id"
                .into(),
        ),
        schedule: None,
        parameters: BTreeMap::new(),
        columns: vec![],
        chart: Some(ChartSpec { kind: ChartKind::Pie, x: "process_id".into(), y: vec!["started".into()] }),
    };
    insights.create_report(&ReportInput { name: "Started by SQL".into(), description: "".into(), roles: vec![], definition: sql }, "ann", 2).await.unwrap();
    for (format, start) in [("csv", &b"process_id,started\norder,3\n"[..]), ("png", b"\x89PNG"), ("pdf", b"%PDF-")] {
        let out = dir.path().join(format!("sql.{format}"));
        let out = out.to_str().unwrap();
        let output = flowdesk(&[
            "report", "run", "Started by SQL", "--format", format, "--out", out, "--param", "process=order", "--db", &url,
        ]);
        assert!(String::from_utf8_lossy(&output.stdout).starts_with(&format!("{out}: 1 rows")));
        assert!(std::fs::read(out).unwrap().starts_with(start), "{format}");
    }
    let (_, stderr) = flowdesk_fails(&["report", "run", "Started by SQL", "--format", "csv", "--out", out, "--db", &url]);
    assert!(stderr.contains("parameter \"process\" has no value"), "{stderr}");
});
