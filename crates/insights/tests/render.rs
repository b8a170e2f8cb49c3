//! Golden files for the exports: PNG compared pixel by pixel with a
//! tolerance, SVG compared as normalised text (whitespace runs as one
//! space, numbers to one decimal), CSV read back. `UPDATE_GOLDEN=1`
//! rewrites the reference files (check the images before committing).

use std::path::PathBuf;

use flowdesk_insights::render::{Chart, ChartKind, RenderError, Series, Table};
use serde_json::json;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some()
}

fn throughput() -> Chart {
    Chart {
        title: "Claims per day".into(),
        kind: ChartKind::Line,
        categories: ["01-05", "01-06", "01-07", "01-08", "01-09"]
            .map(String::from)
            .to_vec(),
        series: vec![
            Series {
                name: "started".into(),
                values: vec![480.0, 475.0, 490.0, 300.0, 120.0],
            },
            Series {
                name: "completed".into(),
                values: vec![430.0, 470.0, 480.0, 350.0, 180.0],
            },
        ],
    }
}

fn incidents() -> Chart {
    Chart {
        title: "Incidents by element".into(),
        kind: ChartKind::Bar,
        categories: ["check", "approve", "notify"].map(String::from).to_vec(),
        series: vec![Series {
            name: "incidents".into(),
            values: vec![42.0, 3.0, 17.0],
        }],
    }
}

/// Decodes a PNG into (width, height, RGB pixels).
fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

/// Fails when more than 0.5 % of the pixels differ by more than 24 in a channel.
fn assert_png_close(actual: &[u8], name: &str) {
    let path = golden(name);
    if updating() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (w1, h1, a) = decode(actual);
    let (w2, h2, b) = decode(&expected);
    assert_eq!((w1, h1), (w2, h2), "{name}: size");
    let differing = a
        .chunks(3)
        .zip(b.chunks(3))
        .filter(|(p, q)| p.iter().zip(q.iter()).any(|(x, y)| x.abs_diff(*y) > 24))
        .count();
    let allowed = (w1 * h1) as usize / 200;
    assert!(
        differing <= allowed,
        "{name}: {differing} pixels differ (at most {allowed})"
    );
}

fn assert_text_equal(actual: &str, name: &str) {
    let path = golden(name);
    if updating() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(actual, expected, "{name}");
}

/// The SVG with whitespace runs as one space and every number rounded to
/// one decimal, so sub-pixel float noise does not count as a change.
fn normalise_svg(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut number = String::new();
    let flush = |number: &mut String, out: &mut String| {
        if number.is_empty() {
            return;
        }
        match number.parse::<f64>() {
            Ok(value) if number.contains('.') => out.push_str(&format!("{value:.1}")),
            _ => out.push_str(number),
        }
        number.clear();
    };
    for c in svg.split_whitespace().collect::<Vec<_>>().join(" ").chars() {
        if c.is_ascii_digit() || (c == '.' && !number.is_empty()) {
            number.push(c);
        } else {
            flush(&mut number, &mut out);
            out.push(c);
        }
    }
    flush(&mut number, &mut out);
    out
}

fn assert_svg_equal(actual: &str, name: &str) {
    let path = golden(name);
    if updating() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(normalise_svg(actual), normalise_svg(&expected), "{name}");
}

#[test]
fn svg_normalising_ignores_float_noise_and_layout_only() {
    assert_eq!(
        normalise_svg("<line x1=\"10.04\"\n   y1=\"3\"/>"),
        normalise_svg("<line x1=\"10.0\" y1=\"3\"/>")
    );
    assert_ne!(
        normalise_svg("<line x1=\"10.2\"/>"),
        normalise_svg("<line x1=\"10.0\"/>")
    );
    assert_ne!(
        normalise_svg("<text>started</text>"),
        normalise_svg("<text>start</text>")
    );
}

#[test]
fn line_and_bar_charts_match_their_reference_images() {
    let png = throughput().to_png(640, 360).unwrap();
    assert_png_close(&png, "throughput.png");
    let png = incidents().to_png(480, 320).unwrap();
    assert_png_close(&png, "incidents.png");
    // Something was drawn: not a blank image.
    let (_, _, pixels) = decode(&png);
    assert!(pixels.chunks(3).filter(|p| p != &[255, 255, 255]).count() > 1000);
}

#[test]
fn svg_charts_match_their_reference_and_carry_their_text() {
    let svg = throughput().to_svg(640, 360).unwrap();
    assert!(svg.starts_with("<svg"));
    for text in ["Claims per day", "01-05", "01-09", "started", "completed"] {
        assert!(svg.contains(text), "{text} in the SVG");
    }
    assert_svg_equal(&svg, "throughput.svg");
    assert_svg_equal(&incidents().to_svg(480, 320).unwrap(), "incidents.svg");
}

#[test]
fn pie_charts_match_their_reference_and_skip_empty_slices() {
    let mut pie = incidents();
    pie.kind = ChartKind::Pie;
    pie.categories.push("archive".into());
    pie.series[0].values.push(0.0);
    let png = pie.to_png(480, 320).unwrap();
    assert_png_close(&png, "incidents-pie.png");
    let svg = pie.to_svg(480, 320).unwrap();
    for text in ["Incidents by element", "check", "approve", "notify"] {
        assert!(svg.contains(text), "{text} in the SVG");
    }
    assert!(!svg.contains("archive"), "a zero value has no slice");
    assert_svg_equal(&svg, "incidents-pie.svg");
    pie.series[0].values = vec![0.0; 4];
    let error = pie.to_svg(480, 320).unwrap_err().to_string();
    assert_eq!(
        error,
        "cannot render: pie chart \"Incidents by element\" has no positive value to draw"
    );
}

#[test]
fn a_png_that_differs_is_caught() {
    let mut chart = throughput();
    chart.series[0].values[2] = 10.0;
    let changed = chart.to_png(640, 360).unwrap();
    let (_, _, a) = decode(&changed);
    let (_, _, b) = decode(&std::fs::read(golden("throughput.png")).unwrap());
    let differing = a.chunks(3).zip(b.chunks(3)).filter(|(p, q)| p != q).count();
    assert!(differing > 640 * 360 / 200, "{differing} pixels differ");
}

#[test]
fn bad_charts_are_refused_with_what_is_wrong() {
    let mut chart = throughput();
    chart.series[1].values.pop();
    let error = chart.to_svg(100, 100).unwrap_err();
    assert!(matches!(error, RenderError::Invalid(_)));
    assert_eq!(
        error.to_string(),
        "cannot render: series \"completed\" has 4 values for 5 categories"
    );
    chart.series[1].values.push(f64::NAN);
    assert!(chart.to_png(100, 100).is_err());
    let empty = Chart {
        title: "nothing".into(),
        ..Chart::default()
    };
    assert!(empty
        .to_svg(100, 100)
        .unwrap_err()
        .to_string()
        .contains("no categories"));
}

#[test]
fn csv_reads_back_cell_for_cell() {
    let table = Table {
        columns: vec![
            "element".into(),
            "count".into(),
            "p90 ms".into(),
            "note".into(),
        ],
        rows: vec![
            vec![
                json!("check"),
                json!(1200),
                json!(1530.5),
                json!("has, a comma"),
            ],
            vec![
                json!("approve"),
                json!(800),
                json!(null),
                json!("says \"hi\"\nand more"),
            ],
        ],
    };
    let bytes = table.to_csv().unwrap();
    assert_text_equal(std::str::from_utf8(&bytes).unwrap(), "elements.csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["element", "count", "p90 ms", "note"]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(
        rows,
        vec![
            vec!["check", "1200", "1530.5", "has, a comma"],
            vec!["approve", "800", "", "says \"hi\"\nand more"],
        ]
    );
    let ragged = Table {
        columns: vec!["a".into()],
        rows: vec![vec![json!(1), json!(2)]],
    };
    assert_eq!(
        ragged.to_csv().unwrap_err().to_string(),
        "cannot render: row 1 has 2 cells for 1 columns"
    );
}
