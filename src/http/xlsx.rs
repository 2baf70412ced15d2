//! XLSX reports: one sheet with two header rows, Vietnamese above English, then the rows.
//! Cells are written as text, or as numbers in the columns said to be numeric, so a
//! spreadsheet can sum them; text is never written as a formula.

use actix_web::HttpResponse;
use actix_web::http::header;
use rust_xlsxwriter::{Format, Workbook};

use crate::error::ApiError;

/// The media type of an XLSX workbook.
pub const MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A report's columns: (English name, Vietnamese name, numeric).
pub type Column = (&'static str, &'static str, bool);

/// Writes `rows` under the two header rows as the attachment `<name>.xlsx`, on a sheet named
/// `sheet`.
pub fn response(
    name: &str,
    sheet: &str,
    columns: &[Column],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<HttpResponse, ApiError> {
    let fail =
        |e: rust_xlsxwriter::XlsxError| ApiError::Internal(anyhow::anyhow!("writing XLSX: {e}"));
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(fail)?;
    let bold = Format::new().set_bold();
    for (col, (en, vi, _)) in columns.iter().enumerate() {
        let col = u16::try_from(col)
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("too many columns")))?;
        ws.write_string_with_format(0, col, *vi, &bold)
            .map_err(fail)?;
        ws.write_string_with_format(1, col, *en, &bold)
            .map_err(fail)?;
    }
    for (i, row) in rows.into_iter().enumerate() {
        let r = u32::try_from(i + 2)
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("too many rows")))?;
        for (col, cell) in row.iter().enumerate() {
            let numeric = columns.get(col).is_some_and(|c| c.2);
            let col = u16::try_from(col)
                .map_err(|_| ApiError::Internal(anyhow::anyhow!("too many columns")))?;
            match cell.parse::<f64>() {
                Ok(n) if numeric => ws.write_number(r, col, n).map(|_| ()),
                _ if cell.is_empty() => Ok(()),
                _ => ws.write_string(r, col, cell).map(|_| ()),
            }
            .map_err(fail)?;
        }
    }
    let body = book.save_to_buffer().map_err(fail)?;
    Ok(HttpResponse::Ok()
        .content_type(MEDIA_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.xlsx\""),
        ))
        .body(body))
}
