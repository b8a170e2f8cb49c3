//! PDF and XLSX exports of a report run: the PDF's text is extracted
//! (pdf-extract) and checked for the title, parameters, as-of time and
//! every table value, and compared with a golden text file; the XLSX is read
//! back (calamine) cell for cell. `UPDATE_GOLDEN=1` rewrites the golden
//! files.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::PathBuf;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use flowdesk_insights::render::{self, cell_text, ChartKind, Table, ABOUT_SHEET, TABLE_SHEET};
use flowdesk_insights::reports::{
    utc_time, ChartSpec, Format, Report, ReportDefinition, ReportRun, Source,
};
use serde_json::{json, Value};

/// 2026-01-05 00:00:00 UTC.
const DAY: i64 = 1_767_571_200_000;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn run(rows: usize) -> ReportRun {
    let report = Report {
        id: "0190a000-0000-7000-8000-000000000001".into(),
        name: "Claims per day".into(),
        description: "Started and completed claims, one row per day".into(),
        definition: ReportDefinition {
            source: Source::Daily,
            sql: None,
            schedule: None,
            parameters: BTreeMap::from([("process_id".to_string(), "claims".to_string())]),
            columns: vec![
                "start".into(),
                "started".into(),
                "completed".into(),
                "duration_p90_ms".into(),
            ],
            chart: Some(ChartSpec {
                kind: ChartKind::Line,
                x: "start".into(),
                y: vec!["started".into(), "completed".into()],
            }),
        },
        roles: vec![],
        created_by: "ann".into(),
        created_at: DAY,
        updated_at: DAY,
    };
    let result = Table {
        columns: report.definition.columns.clone(),
        rows: (0..rows as i64)
            .map(|day| {
                let p90 = if day == 2 {
                    Value::Null
                } else {
                    json!(1530.5 + day as f64 * 10.25)
                };
                vec![
                    json!(DAY + day * 86_400_000),
                    json!(480 - day * 7),
                    json!(430 + day * 3),
                    p90,
                ]
            })
            .collect(),
    };
    ReportRun {
        id: "0190a000-0000-7000-8000-0000000000aa".into(),
        report,
        parameters: BTreeMap::from([
            ("process_id".to_string(), "claims".to_string()),
            ("from".to_string(), DAY.to_string()),
        ]),
        as_of: DAY + 5 * 86_400_000 + 45_296_000,
        ran_by: "bob".into(),
        ran_at: DAY + 6 * 86_400_000,
        result,
    }
}

/// Whitespace runs as one space, so layout spacing does not matter.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_golden_text(actual: &str, name: &str) {
    let path = golden(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(normalise(actual), normalise(&expected), "{name}");
}

#[test]
fn pdf_has_the_cover_the_chart_and_every_table_value() {
    let run = run(5);
    let bytes = run.export(Format::Pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_extract::extract_text_from_mem(&bytes).unwrap();
    let flat = normalise(&text);
    for expected in [
        "Claims per day",
        "Started and completed claims, one row per day",
        "Source daily",
        "Parameter from 1767571200000",
        "Parameter process_id claims",
        "As of 2026-01-10 12:34:56 UTC (1768048496000 ms)",
        "Ran 2026-01-11 00:00:00 UTC (1768089600000 ms) by bob",
        "Rows 5",
        "Chart",
        "Table",
        "start started completed duration_p90_ms",
    ] {
        assert!(
            flat.contains(expected),
            "{expected:?} in the PDF text:\n{text}"
        );
    }
    assert_eq!(
        utc_time(run.as_of),
        "2026-01-10 12:34:56 UTC (1768048496000 ms)"
    );
    // Every row, in order, cell for cell (an empty cell for null).
    for row in &run.result.rows {
        let line = row
            .iter()
            .map(cell_text)
            .filter(|cell| !cell.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            flat.contains(&line),
            "row {line:?} in the PDF text:\n{text}"
        );
    }
    // The chart is vector graphics with real text (each glyph placed on its
    // own, so extracted with spaces between): its legend and its days.
    let glyphs: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for label in ["started", "completed", "2026-01-05", "2026-01-09"] {
        assert!(glyphs.contains(label), "{label:?} in the chart:\n{text}");
    }
    assert_golden_text(&text, "report.pdf.txt");
}

#[test]
fn a_long_table_runs_over_pages_with_its_header_on_each() {
    let run = run(80);
    let text = pdf_extract::extract_text_from_mem(&run.export(Format::Pdf).unwrap()).unwrap();
    let flat = normalise(&text);
    assert!(flat.contains("Table (1 of 3)"), "{text}");
    assert!(flat.contains("Table (3 of 3)"), "{text}");
    assert!(!flat.contains("Table (4 of 3)"));
    assert_eq!(
        flat.matches("start started completed duration_p90_ms")
            .count(),
        3
    );
    let last = &run.result.rows[79];
    assert!(flat.contains(&format!("{} {} {}", last[0], last[1], last[2])));
    assert!(flat.contains("page 5"));
}

#[test]
fn a_report_without_a_chart_or_rows_still_makes_a_pdf() {
    let mut run = run(0);
    run.report.definition.chart = None;
    let text = pdf_extract::extract_text_from_mem(&run.export(Format::Pdf).unwrap()).unwrap();
    let flat = normalise(&text);
    assert!(
        flat.contains("Rows 0") && flat.contains("no rows"),
        "{text}"
    );
    assert!(!flat.contains("Chart"));
    assert!(run
        .export(Format::Png)
        .unwrap_err()
        .to_string()
        .contains("export it as pdf, csv, xlsx or json"));
}

fn read_sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(workbook.sheet_names(), [TABLE_SHEET, ABOUT_SHEET]);
    let range = workbook.worksheet_range(name).unwrap();
    range.rows().map(|row| row.to_vec()).collect()
}

#[test]
fn xlsx_reads_back_cell_for_cell() {
    let run = run(5);
    let bytes = run.export(Format::Xlsx).unwrap();
    let rows = read_sheet(&bytes, TABLE_SHEET);
    let header: Vec<Data> = run
        .result
        .columns
        .iter()
        .map(|c| Data::String(c.clone()))
        .collect();
    assert_eq!(rows[0], header);
    assert_eq!(rows.len(), run.result.rows.len() + 1);
    for (read, row) in rows[1..].iter().zip(&run.result.rows) {
        let expected: Vec<Data> = row
            .iter()
            .map(|value| match value {
                Value::Null => Data::Empty,
                Value::Number(n) => Data::Float(n.as_f64().unwrap()),
                other => panic!("unexpected {other}"),
            })
            .collect();
        assert_eq!(read, &expected);
    }

    let about = read_sheet(&bytes, ABOUT_SHEET);
    let pairs: Vec<(String, String)> = about
        .iter()
        .map(|row| (row[0].to_string(), row[1].to_string()))
        .collect();
    let cover = run.cover();
    assert_eq!(pairs[0], ("Title".into(), "Claims per day".into()));
    assert_eq!(pairs[1].1, cover.description);
    assert_eq!(pairs[2..], cover.details[..]);
    assert!(pairs.contains(&("As of".into(), utc_time(run.as_of))));
    assert!(pairs.contains(&("Parameter process_id".into(), "claims".into())));
}

#[test]
fn xlsx_keeps_text_and_booleans_as_they_are() {
    let table = Table {
        columns: vec![
            "element".into(),
            "note".into(),
            "flag".into(),
            "extra".into(),
        ],
        rows: vec![vec![
            json!("check"),
            json!("says \"hi\", twice"),
            json!(true),
            json!({"a": 1}),
        ]],
    };
    let cover = render::Cover {
        title: "Mixed".into(),
        ..render::Cover::default()
    };
    let rows = read_sheet(&render::xlsx(&cover, &table).unwrap(), TABLE_SHEET);
    assert_eq!(
        rows[1],
        [
            Data::String("check".into()),
            Data::String("says \"hi\", twice".into()),
            Data::Bool(true),
            Data::String("{\"a\":1}".into()),
        ]
    );
    let ragged = Table {
        columns: vec!["a".into()],
        rows: vec![vec![json!(1), json!(2)]],
    };
    assert_eq!(
        render::xlsx(&cover, &ragged).unwrap_err().to_string(),
        "cannot render: row 1 has 2 cells for 1 columns"
    );
}

#[test]
fn formats_parse_with_their_media_types() {
    for (name, media) in [
        ("pdf", "application/pdf"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("png", "image/png"),
        ("svg", "image/svg+xml"),
        ("csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
    ] {
        let format: Format = name.parse().unwrap();
        assert_eq!(format.media_type(), media);
        assert_eq!(format.extension(), name);
    }
    assert_eq!(
        "doc".parse::<Format>().unwrap_err().to_string(),
        "invalid query: unknown format \"doc\" (expected pdf, png, svg, csv, xlsx or json)"
    );
}
