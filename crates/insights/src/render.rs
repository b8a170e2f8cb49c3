//! Rendering: charts as SVG and PNG (plotters, with the bundled DejaVu Sans
//! so text looks the same everywhere and PNG output does not depend on the
//! fonts of the machine), tables as CSV and XLSX, and whole documents
//! (cover, chart, table) as PDF.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod pdf;
mod xlsx;

pub use xlsx::{ABOUT_SHEET, TABLE_SHEET};

/// Text sizes in pixels: charts are drawn at about 960 x 540 and shown
/// scaled down to half that in a dashboard tile or a PDF column, where
/// labels must still read.
const TITLE_SIZE: u32 = 28;
const LABEL_SIZE: u32 = 20;

/// The font every chart uses (Bitstream Vera licence, see fonts/).
static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// The family name charts ask for.
const FAMILY: &str = "sans-serif";

/// Series colours, in order.
const PALETTE: [RGBColor; 6] = [
    RGBColor(0x25, 0x63, 0xeb),
    RGBColor(0xf5, 0x9e, 0x0b),
    RGBColor(0x10, 0xb9, 0x81),
    RGBColor(0xef, 0x44, 0x44),
    RGBColor(0x8b, 0x5c, 0xf6),
    RGBColor(0x64, 0x74, 0x8b),
];

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The chart or table cannot be drawn as given.
    #[error("cannot render: {0}")]
    Invalid(String),
    /// The drawing backend failed.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// Encoding the output failed.
    #[error("encoding {format} failed: {message}")]
    Encode {
        /// The output format.
        format: &'static str,
        /// What went wrong.
        message: String,
    },
}

/// How a chart draws its series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// Lines through the points (time series).
    #[default]
    Line,
    /// Grouped bars per category.
    Bar,
    /// Slices of the first series, one per category with a positive value.
    Pie,
}

/// One named row of values, one per category.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// One value per category.
    pub values: Vec<f64>,
}

/// A chart: categories along the x axis, one or more series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Chart {
    /// Caption.
    pub title: String,
    /// Line or bar.
    pub kind: ChartKind,
    /// x-axis labels.
    pub categories: Vec<String>,
    /// The series drawn.
    pub series: Vec<Series>,
}

/// A table of results: column names and rows of JSON values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each with one value per column.
    #[schema(value_type = Vec<Vec<Object>>)]
    pub rows: Vec<Vec<Value>>,
}

/// What a document says about itself: its title, a line of description and
/// labelled details (source, parameters, as-of time, …), in order. The PDF
/// shows it on its cover page, the XLSX workbook on its "About" sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cover {
    /// The title.
    pub title: String,
    /// One line under the title; may be empty.
    pub description: String,
    /// (label, value) pairs.
    pub details: Vec<(String, String)>,
}

/// A PDF document (A4 landscape): the cover page, the chart drawn as vector
/// graphics when there is one, then the table over as many pages as it takes.
pub fn pdf(cover: &Cover, chart: Option<&Chart>, table: &Table) -> Result<Vec<u8>, RenderError> {
    pdf::document(cover, chart, table)
}

/// An XLSX workbook: the table on the sheet [`TABLE_SHEET`], the cover's
/// title, description and details on [`ABOUT_SHEET`].
pub fn xlsx(cover: &Cover, table: &Table) -> Result<Vec<u8>, RenderError> {
    xlsx::workbook(cover, table)
}

fn register_font() -> Result<(), RenderError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(RenderError::Draw(
            "the bundled font could not be loaded".into(),
        ))
    }
}

fn draw_error<E: std::fmt::Debug>(error: E) -> RenderError {
    RenderError::Draw(format!("{error:?}"))
}

impl Chart {
    fn check(&self) -> Result<(), RenderError> {
        if self.categories.is_empty() {
            return Err(RenderError::Invalid(format!(
                "chart {:?} has no categories",
                self.title
            )));
        }
        for series in &self.series {
            if series.values.len() != self.categories.len() {
                return Err(RenderError::Invalid(format!(
                    "series {:?} has {} values for {} categories",
                    series.name,
                    series.values.len(),
                    self.categories.len()
                )));
            }
            if series.values.iter().any(|v| !v.is_finite()) {
                return Err(RenderError::Invalid(format!(
                    "series {:?} has a value that is not a finite number",
                    series.name
                )));
            }
        }
        let positive = |series: &Series| series.values.iter().any(|v| *v > 0.0);
        if self.kind == ChartKind::Pie && !self.series.first().is_some_and(positive) {
            return Err(RenderError::Invalid(format!(
                "pie chart {:?} has no positive value to draw",
                self.title
            )));
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), RenderError> {
        root.fill(&WHITE).map_err(draw_error)?;
        if self.kind == ChartKind::Pie {
            return self.draw_pie(root);
        }
        let n = self.categories.len();
        let values = self.series.iter().flat_map(|s| s.values.iter().copied());
        let max = values.clone().fold(0.0f64, f64::max);
        let min = values.fold(0.0f64, f64::min);
        let top = if max > 0.0 { max * 1.1 } else { 1.0 };
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FAMILY, TITLE_SIZE))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(76)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), (min * 1.1)..top)
            .map_err(draw_error)?;
        let categories = &self.categories;
        let label = |x: &f64| {
            let index = x.round();
            if (x - index).abs() < 1e-6 && index >= 0.0 {
                categories.get(index as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .y_labels(6)
            .x_labels(n.min(12))
            .x_label_formatter(&label)
            .label_style((FAMILY, LABEL_SIZE))
            .draw()
            .map_err(draw_error)?;
        let count = self.series.len().max(1) as f64;
        for (number, series) in self.series.iter().enumerate() {
            let colour = PALETTE[number % PALETTE.len()];
            let drawn = match self.kind {
                ChartKind::Line => chart
                    .draw_series(LineSeries::new(
                        series
                            .values
                            .iter()
                            .enumerate()
                            .map(|(i, v)| (i as f64, *v)),
                        colour.stroke_width(2),
                    ))
                    .map_err(draw_error)?,
                ChartKind::Bar => {
                    let width = 0.8 / count;
                    chart
                        .draw_series(series.values.iter().enumerate().map(|(i, v)| {
                            let left = i as f64 - 0.4 + width * number as f64;
                            Rectangle::new([(left, 0.0), (left + width, *v)], colour.filled())
                        }))
                        .map_err(draw_error)?
                }
                ChartKind::Pie => unreachable!("pie charts are drawn by draw_pie"),
            };
            drawn.label(series.name.clone()).legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled())
            });
        }
        if self.series.len() > 1 {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK.mix(0.3))
                .label_font((FAMILY, LABEL_SIZE))
                .draw()
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)
    }

    /// A pie of the first series: a slice per category with a positive
    /// value, labelled with the category and its percentage.
    fn draw_pie<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), RenderError> {
        let area = root
            .titled(&self.title, (FAMILY, TITLE_SIZE))
            .map_err(draw_error)?;
        // The pie is drawn in the backend's coordinates, not the titled area's.
        let (x, y) = area.get_pixel_range();
        let (width, height) = ((x.end - x.start) as u32, (y.end - y.start) as u32);
        let slices: Vec<(String, f64)> = self
            .series
            .first()
            .map(|series| {
                self.categories
                    .iter()
                    .cloned()
                    .zip(series.values.iter().copied())
                    .filter(|(_, value)| *value > 0.0)
                    .collect()
            })
            .unwrap_or_default();
        let labels: Vec<String> = slices.iter().map(|(label, _)| label.clone()).collect();
        let sizes: Vec<f64> = slices.iter().map(|(_, value)| *value).collect();
        let colours: Vec<RGBColor> = (0..sizes.len())
            .map(|i| PALETTE[i % PALETTE.len()])
            .collect();
        let centre = ((x.start + x.end) / 2, (y.start + y.end) / 2);
        let radius = f64::from(width.min(height)) * 0.35;
        let mut pie = Pie::new(&centre, &radius, &sizes, &colours, &labels);
        pie.start_angle(-90.0);
        pie.label_style((FAMILY, LABEL_SIZE).into_font().color(&BLACK));
        pie.percentages((FAMILY, LABEL_SIZE).into_font().color(&WHITE));
        area.draw(&pie).map_err(draw_error)?;
        root.present().map_err(draw_error)
    }

    /// The chart as an SVG document of `width` x `height` pixels.
    pub fn to_svg(&self, width: u32, height: u32) -> Result<String, RenderError> {
        self.check()?;
        register_font()?;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            self.draw(&root)?;
        }
        Ok(svg)
    }

    /// The chart as a PNG image of `width` x `height` pixels (RGB, 8 bits).
    pub fn to_png(&self, width: u32, height: u32) -> Result<Vec<u8>, RenderError> {
        self.check()?;
        register_font()?;
        let mut pixels = vec![0u8; width as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
            self.draw(&root)?;
        }
        let encode = |message: String| RenderError::Encode {
            format: "png",
            message,
        };
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| encode(e.to_string()))?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| encode(e.to_string()))?;
        writer.finish().map_err(|e| encode(e.to_string()))?;
        Ok(out)
    }
}

/// A cell as text: strings as they are, null as empty, the rest as JSON.
pub fn cell_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

impl Table {
    fn check(&self) -> Result<(), RenderError> {
        for (number, row) in self.rows.iter().enumerate() {
            if row.len() != self.columns.len() {
                return Err(RenderError::Invalid(format!(
                    "row {} has {} cells for {} columns",
                    number + 1,
                    row.len(),
                    self.columns.len()
                )));
            }
        }
        Ok(())
    }

    /// The table as CSV (RFC 4180, header row first, UTF-8).
    pub fn to_csv(&self) -> Result<Vec<u8>, RenderError> {
        self.check()?;
        let encode = |message: String| RenderError::Encode {
            format: "csv",
            message,
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer
            .write_record(&self.columns)
            .map_err(|e| encode(e.to_string()))?;
        for row in &self.rows {
            writer
                .write_record(row.iter().map(cell_text))
                .map_err(|e| encode(e.to_string()))?;
        }
        writer.into_inner().map_err(|e| encode(e.to_string()))
    }
}
