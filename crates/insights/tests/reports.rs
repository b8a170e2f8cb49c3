//! Saved reports: definitions checked against their source's columns, runs
//! kept with parameters and as-of time, exports of a run.

#[allow(dead_code)] // each test binary uses part of the shared workload
mod workload;

use std::collections::BTreeMap;

use flowdesk_insights::render::ChartKind;
use flowdesk_insights::reports::{
    ChartSpec, Format, ReportDefinition, ReportInput, ReportRun, Source,
};
use flowdesk_insights::Insights;
use flowdesk_store::dual_test;
use serde_json::json;

fn daily() -> ReportDefinition {
    ReportDefinition {
        source: Source::Daily,
        sql: None,
        schedule: None,
        parameters: BTreeMap::from([("process_id".to_string(), "claims".to_string())]),
        columns: vec![
            "start".into(),
            "started".into(),
            "completed".into(),
            "active".into(),
        ],
        chart: Some(ChartSpec {
            kind: ChartKind::Line,
            x: "start".into(),
            y: vec!["started".into(), "completed".into()],
        }),
    }
}

dual_test!(async fn reports_run_with_parameters_and_export(store) {
    let definitions = [workload::deploy(&store, "Claims", workload::T0).await];
    workload::run(&store, &definitions, 0..60).await;
    let insights = Insights::new(store.clone());
    insights.catch_up(500).await.unwrap();

    let report = insights.create_report(&ReportInput { name: "Claims per day".into(), description: "Throughput".into(), roles: vec![], definition: daily() }, "ann", 5).await.unwrap();
    assert_eq!(insights.find_report("Claims per day").await.unwrap(), Some(report.clone()));
    assert_eq!(insights.find_report(&report.id).await.unwrap(), Some(report.clone()));
    assert!(insights.create_report(&ReportInput { name: "Claims per day".into(), description: "".into(), roles: vec![], definition: daily() }, "ann", 6).await.is_err(), "names are unique");

    // Bad definitions say what is wrong.
    let mut bad = daily();
    bad.columns.push("colour".into());
    let error = insights.create_report(&ReportInput { name: "Bad".into(), description: "".into(), roles: vec![], definition: bad }, "ann", 7).await.unwrap_err().to_string();
    assert!(error.contains("\"colour\" is not a column of Daily"), "{error}");
    let mut bad = daily();
    bad.parameters.insert("version".into(), "two".into());
    let error = insights.create_report(&ReportInput { name: "Bad".into(), description: "".into(), roles: vec![], definition: bad }, "ann", 7).await.unwrap_err().to_string();
    assert!(error.contains("parameter version must be a whole number, not \"two\""), "{error}");

    let kpis = insights.kpis(&flowdesk_insights::Filter::default()).await.unwrap();
    let run = insights.run_report(&report, &BTreeMap::new(), "bob", 10).await.unwrap();
    assert_eq!(run.result.columns, ["start", "started", "completed", "active"]);
    let started: i64 = run.result.rows.iter().map(|r| r[1].as_i64().unwrap()).sum();
    assert_eq!(started, 60);
    assert_eq!(run.result.rows.last().unwrap()[3], json!(kpis.active));
    assert_eq!(run.as_of, insights.status().await.unwrap().as_of);
    assert_eq!(run.parameters["process_id"], "claims");

    // Parameters of a run override the defaults and are kept with it.
    let other = BTreeMap::from([("process_id".to_string(), "nothing".to_string())]);
    let empty = insights.run_report(&report, &other, "bob", 11).await.unwrap();
    assert!(empty.result.rows.is_empty());
    let runs = insights.list_runs(&report, 10).await.unwrap();
    assert_eq!(runs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [empty.id.as_str(), run.id.as_str()]);
    assert_eq!(runs[0].parameters["process_id"], "nothing");
    assert_eq!(insights.find_run(&report, &run.id).await.unwrap(), Some(run.clone()));

    // Exports: the snapshot document round-trips; CSV, SVG, PNG, PDF and XLSX carry the data.
    let snapshot: ReportRun = serde_json::from_slice(&run.export(Format::Json).unwrap()).unwrap();
    assert_eq!(snapshot, run);
    let csv = String::from_utf8(run.export(Format::Csv).unwrap()).unwrap();
    assert!(csv.starts_with("start,started,completed,active\n"));
    assert_eq!(csv.lines().count(), run.result.rows.len() + 1);
    let svg = String::from_utf8(run.export(Format::Svg).unwrap()).unwrap();
    assert!(svg.contains("Claims per day") && svg.contains("completed"));
    assert!(run.export(Format::Png).unwrap().starts_with(b"\x89PNG"));
    let pdf = pdf_extract::extract_text_from_mem(&run.export(Format::Pdf).unwrap()).unwrap();
    assert!(pdf.contains("Claims per day") && pdf.contains("claims"), "{pdf}");
    assert!(pdf.contains(&flowdesk_insights::reports::utc_time(run.as_of)), "{pdf}");
    let xlsx = run.export(Format::Xlsx).unwrap();
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut workbook, "Table").unwrap();
    assert_eq!(sheet.height(), run.result.rows.len() + 1);
    let started_read: f64 = sheet.rows().skip(1).map(|row| calamine::DataType::as_f64(&row[1]).unwrap()).sum();
    assert_eq!(started_read, 60.0);
    assert!("doc".parse::<Format>().unwrap_err().to_string().contains("expected pdf, png, svg, csv, xlsx or json"));

    assert!(insights.delete_report(&report.id).await.unwrap());
    assert!(insights.find_report(&report.id).await.unwrap().is_none());
    assert!(insights.find_run(&report, &run.id).await.unwrap().is_none());
});
