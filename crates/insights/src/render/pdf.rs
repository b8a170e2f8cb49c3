//! PDF documents with krilla: a cover page, the chart as vector graphics
//! (the SVG the chart renders, placed with krilla-svg) and the table over as
//! many pages as it needs, all in the bundled DejaVu Sans (embedded,
//! subset, with its Unicode mapping, so the text can be searched and copied).

use std::sync::Arc;

use ab_glyph::{Font as _, FontRef, ScaleFont as _};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use krilla_svg::{SurfaceExt, SvgSettings};
use serde_json::Value;

use super::{cell_text, Chart, Cover, RenderError, Table, FONT};

/// A4 landscape, in points.
const PAGE_WIDTH: f32 = 842.0;
const PAGE_HEIGHT: f32 = 595.0;
const MARGIN: f32 = 40.0;
/// Table text size and row height, in points.
const TABLE_SIZE: f32 = 8.0;
const ROW_HEIGHT: f32 = 14.0;
/// Padding either side of a cell's text.
const CELL_PADDING: f32 = 4.0;
/// The chart's pixel size as drawn into the SVG.
const CHART_PIXELS: (u32, u32) = (960, 540);

/// Colours (red, green, blue).
type Colour = (u8, u8, u8);
const TEXT: Colour = (0x11, 0x18, 0x27);
const MUTED: Colour = (0x4b, 0x55, 0x63);
const RULE: Colour = (0xd1, 0xd5, 0xdb);
const HEADER_FILL: Colour = (0xf3, 0xf4, 0xf6);

fn rgb_of((red, green, blue): Colour) -> rgb::Color {
    rgb::Color::new(red, green, blue)
}

fn pdf_error(message: impl Into<String>) -> RenderError {
    RenderError::Encode {
        format: "pdf",
        message: message.into(),
    }
}

/// Text measured and drawn in the bundled font.
struct Typeface {
    font: Font,
    metrics: FontRef<'static>,
}

impl Typeface {
    fn new() -> Result<Typeface, RenderError> {
        let font = Font::new(FONT.into(), 0)
            .ok_or_else(|| pdf_error("the bundled font could not be loaded"))?;
        let metrics = FontRef::try_from_slice(FONT)
            .map_err(|e| pdf_error(format!("the bundled font could not be measured: {e}")))?;
        Ok(Typeface { font, metrics })
    }

    /// Width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let scaled = self.metrics.as_scaled(size);
        text.chars()
            .map(|c| scaled.h_advance(self.metrics.glyph_id(c)))
            .sum()
    }

    /// `text` cut (with an ellipsis) to fit `width` at `size`.
    fn fit(&self, text: &str, size: f32, width: f32) -> String {
        if self.width(text, size) <= width {
            return text.to_string();
        }
        let mut cut: String = text.to_string();
        while !cut.is_empty() && self.width(&format!("{cut}…"), size) > width {
            cut.pop();
        }
        format!("{cut}…")
    }

    fn draw(
        &self,
        surface: &mut Surface,
        (x, y): (f32, f32),
        size: f32,
        colour: Colour,
        text: &str,
    ) {
        if text.is_empty() {
            return;
        }
        surface.set_fill(Some(fill(colour)));
        surface.draw_text(
            Point::from_xy(x, y),
            self.font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }
}

fn fill(colour: Colour) -> Fill {
    Fill {
        paint: rgb_of(colour).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn rectangle(surface: &mut Surface, (x, y, w, h): (f32, f32, f32, f32), colour: Colour) {
    let Some(rect) = Rect::from_xywh(x, y, w, h) else {
        return;
    };
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    if let Some(path) = path.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(fill(colour)));
        surface.draw_path(&path);
    }
}

fn rule(surface: &mut Surface, y: f32, from: f32, to: f32) {
    let mut path = PathBuilder::new();
    path.move_to(from, y);
    path.line_to(to, y);
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: rgb_of(RULE).into(),
            width: 0.5,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

fn page_settings() -> Result<PageSettings, RenderError> {
    PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| pdf_error("bad page size"))
}

/// The footer of every page: the title and the page number.
fn footer(face: &Typeface, surface: &mut Surface, title: &str, number: usize) {
    let y = PAGE_HEIGHT - MARGIN / 2.0;
    face.draw(
        surface,
        (MARGIN, y),
        8.0,
        MUTED,
        &face.fit(title, 8.0, 500.0),
    );
    let label = format!("page {number}");
    let x = PAGE_WIDTH - MARGIN - face.width(&label, 8.0);
    face.draw(surface, (x, y), 8.0, MUTED, &label);
}

fn cover_page(face: &Typeface, surface: &mut Surface, cover: &Cover) {
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    let mut y = MARGIN + 60.0;
    face.draw(
        surface,
        (MARGIN, y),
        26.0,
        TEXT,
        &face.fit(&cover.title, 26.0, width),
    );
    y += 28.0;
    if !cover.description.is_empty() {
        face.draw(
            surface,
            (MARGIN, y),
            12.0,
            MUTED,
            &face.fit(&cover.description, 12.0, width),
        );
        y += 18.0;
    }
    y += 12.0;
    rule(surface, y, MARGIN, PAGE_WIDTH - MARGIN);
    y += 26.0;
    let label_width = cover
        .details
        .iter()
        .map(|(label, _)| face.width(label, 11.0))
        .fold(0.0, f32::max)
        + 16.0;
    for (label, value) in &cover.details {
        face.draw(surface, (MARGIN, y), 11.0, MUTED, label);
        face.draw(
            surface,
            (MARGIN + label_width, y),
            11.0,
            TEXT,
            &face.fit(value, 11.0, width - label_width),
        );
        y += 18.0;
    }
}

fn chart_page(
    face: &Typeface,
    surface: &mut Surface,
    chart: &Chart,
    fonts: &Arc<usvg::fontdb::Database>,
) -> Result<(), RenderError> {
    let svg = chart.to_svg(CHART_PIXELS.0, CHART_PIXELS.1)?;
    let options = usvg::Options {
        fontdb: fonts.clone(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(&svg, &options)
        .map_err(|e| pdf_error(format!("the chart's SVG could not be read: {e}")))?;
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    let height = width * CHART_PIXELS.1 as f32 / CHART_PIXELS.0 as f32;
    let size = Size::from_wh(width, height).ok_or_else(|| pdf_error("bad chart size"))?;
    face.draw(surface, (MARGIN, MARGIN + 14.0), 14.0, TEXT, "Chart");
    surface.push_transform(&krilla::geom::Transform::from_translate(
        MARGIN,
        MARGIN + 30.0,
    ));
    let drawn = surface.draw_svg(&tree, size, SvgSettings::default());
    surface.pop();
    drawn.ok_or_else(|| pdf_error("the chart's SVG could not be drawn"))
}

/// Column widths for the table: each column as wide as its widest text,
/// scaled down to the page when they do not fit.
fn column_widths(face: &Typeface, table: &Table) -> Vec<f32> {
    let available = PAGE_WIDTH - 2.0 * MARGIN;
    let mut widths: Vec<f32> = table
        .columns
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let widest = table
                .rows
                .iter()
                .map(|row| face.width(&cell_text(&row[index]), TABLE_SIZE))
                .fold(face.width(name, TABLE_SIZE), f32::max);
            // One point of slack: a width measured again must still fit.
            widest + 2.0 * CELL_PADDING + 1.0
        })
        .collect();
    let total: f32 = widths.iter().sum();
    if total > available {
        for width in &mut widths {
            *width *= available / total;
        }
    }
    widths
}

/// Draws one row; numbers right-aligned, text cut to its column.
fn table_row(
    face: &Typeface,
    surface: &mut Surface,
    y: f32,
    widths: &[f32],
    cells: &[(String, bool)],
    colour: Colour,
) {
    let mut x = MARGIN;
    for ((text, numeric), width) in cells.iter().zip(widths) {
        let text = face.fit(text, TABLE_SIZE, width - 2.0 * CELL_PADDING);
        let left = if *numeric {
            x + width - CELL_PADDING - face.width(&text, TABLE_SIZE)
        } else {
            x + CELL_PADDING
        };
        face.draw(
            surface,
            (left, y + ROW_HEIGHT - 4.0),
            TABLE_SIZE,
            colour,
            &text,
        );
        x += width;
    }
}

/// Rows per table page under the heading and the header row.
fn rows_per_page() -> usize {
    ((PAGE_HEIGHT - 2.0 * MARGIN - 40.0 - ROW_HEIGHT) / ROW_HEIGHT).floor() as usize
}

fn table_page(
    face: &Typeface,
    surface: &mut Surface,
    table: &Table,
    widths: &[f32],
    rows: &[Vec<Value>],
    heading: &str,
) {
    face.draw(surface, (MARGIN, MARGIN + 14.0), 14.0, TEXT, heading);
    let mut y = MARGIN + 30.0;
    let total: f32 = widths.iter().sum();
    rectangle(surface, (MARGIN, y, total, ROW_HEIGHT), HEADER_FILL);
    let header: Vec<(String, bool)> = table
        .columns
        .iter()
        .enumerate()
        .map(|(index, name)| {
            (
                name.clone(),
                table.rows.iter().all(|r| r[index].is_number()),
            )
        })
        .collect();
    table_row(face, surface, y, widths, &header, TEXT);
    y += ROW_HEIGHT;
    for row in rows {
        let cells: Vec<(String, bool)> =
            row.iter().map(|v| (cell_text(v), v.is_number())).collect();
        table_row(face, surface, y, widths, &cells, TEXT);
        y += ROW_HEIGHT;
        rule(surface, y, MARGIN, MARGIN + total);
    }
    if table.rows.is_empty() {
        face.draw(
            surface,
            (MARGIN + CELL_PADDING, y + ROW_HEIGHT - 4.0),
            TABLE_SIZE,
            MUTED,
            "no rows",
        );
    }
}

/// The document: cover, chart (when there is one), table.
pub(super) fn document(
    cover: &Cover,
    chart: Option<&Chart>,
    table: &Table,
) -> Result<Vec<u8>, RenderError> {
    table.check()?;
    if let Some(chart) = chart {
        chart.check()?;
    }
    super::register_font()?;
    let face = Typeface::new()?;
    let mut fonts = usvg::fontdb::Database::new();
    fonts.load_font_data(FONT.to_vec());
    fonts.set_sans_serif_family("DejaVu Sans");
    let fonts = Arc::new(fonts);

    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(cover.title.clone()));
    let mut number = 1;
    {
        let mut page = document.start_page_with(page_settings()?);
        let mut surface = page.surface();
        cover_page(&face, &mut surface, cover);
        footer(&face, &mut surface, &cover.title, number);
        surface.finish();
        page.finish();
    }
    if let Some(chart) = chart {
        number += 1;
        let mut page = document.start_page_with(page_settings()?);
        let mut surface = page.surface();
        chart_page(&face, &mut surface, chart, &fonts)?;
        footer(&face, &mut surface, &cover.title, number);
        surface.finish();
        page.finish();
    }
    let widths = column_widths(&face, table);
    let per_page = rows_per_page();
    let pages: Vec<&[Vec<Value>]> = if table.rows.is_empty() {
        vec![&[]]
    } else {
        table.rows.chunks(per_page).collect()
    };
    let count = pages.len();
    for (index, rows) in pages.into_iter().enumerate() {
        number += 1;
        let heading = if count > 1 {
            format!("Table ({} of {count})", index + 1)
        } else {
            "Table".to_string()
        };
        let mut page = document.start_page_with(page_settings()?);
        let mut surface = page.surface();
        table_page(&face, &mut surface, table, &widths, rows, &heading);
        footer(&face, &mut surface, &cover.title, number);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| pdf_error(format!("{e:?}")))
}
