//! XLSX workbooks with rust_xlsxwriter: the table on a sheet "Table"
//! (header row in bold and frozen, numbers as numbers, booleans as
//! booleans, empty cells for null) and the cover's details on a sheet
//! "About".

use rust_xlsxwriter::{ColNum, DocProperties, Format, RowNum, Workbook, Worksheet, XlsxError};
use serde_json::Value;

use super::{Cover, RenderError, Table};

/// The sheet holding the table.
pub const TABLE_SHEET: &str = "Table";
/// The sheet holding the title, description and details.
pub const ABOUT_SHEET: &str = "About";

fn xlsx_error(error: XlsxError) -> RenderError {
    RenderError::Encode {
        format: "xlsx",
        message: error.to_string(),
    }
}

fn write_cell(
    sheet: &mut Worksheet,
    row: RowNum,
    column: ColNum,
    value: &Value,
) -> Result<(), XlsxError> {
    match value {
        Value::Null => {}
        Value::Bool(flag) => {
            sheet.write_boolean(row, column, *flag)?;
        }
        Value::Number(number) => match number.as_f64() {
            Some(number) => {
                sheet.write_number(row, column, number)?;
            }
            None => {
                sheet.write_string(row, column, number.to_string())?;
            }
        },
        Value::String(text) => {
            sheet.write_string(row, column, text)?;
        }
        other => {
            sheet.write_string(row, column, other.to_string())?;
        }
    }
    Ok(())
}

fn table_sheet(sheet: &mut Worksheet, table: &Table, bold: &Format) -> Result<(), XlsxError> {
    sheet.set_name(TABLE_SHEET)?;
    for (column, name) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, column as ColNum, name, bold)?;
    }
    for (index, row) in table.rows.iter().enumerate() {
        for (column, value) in row.iter().enumerate() {
            write_cell(sheet, index as RowNum + 1, column as ColNum, value)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    Ok(())
}

fn about_sheet(sheet: &mut Worksheet, cover: &Cover, bold: &Format) -> Result<(), XlsxError> {
    sheet.set_name(ABOUT_SHEET)?;
    sheet.write_string_with_format(0, 0, "Title", bold)?;
    sheet.write_string(0, 1, &cover.title)?;
    sheet.write_string_with_format(1, 0, "Description", bold)?;
    sheet.write_string(1, 1, &cover.description)?;
    for (index, (label, value)) in cover.details.iter().enumerate() {
        sheet.write_string_with_format(index as RowNum + 2, 0, label, bold)?;
        sheet.write_string(index as RowNum + 2, 1, value)?;
    }
    sheet.autofit();
    Ok(())
}

/// The workbook: the table first, then the cover's details.
pub(super) fn workbook(cover: &Cover, table: &Table) -> Result<Vec<u8>, RenderError> {
    table.check()?;
    // The sheet's limits: 1,048,576 rows (one is the header) and 16,384 columns.
    if table.rows.len() >= 1_048_576 || table.columns.len() > 16_384 {
        return Err(RenderError::Invalid(format!(
            "a table of {} rows and {} columns does not fit an XLSX sheet \
             (at most 1,048,575 rows and 16,384 columns)",
            table.rows.len(),
            table.columns.len()
        )));
    }
    let bold = Format::new().set_bold();
    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(&cover.title));
    table_sheet(workbook.add_worksheet(), table, &bold).map_err(xlsx_error)?;
    about_sheet(workbook.add_worksheet(), cover, &bold).map_err(xlsx_error)?;
    workbook.save_to_buffer().map_err(xlsx_error)
}
