//! CSV exports of lists (`GET …/export`, beside each list that offers one): RFC 4180 with CRLF
//! line ends, UTF-8 with a byte-order mark so spreadsheet programs read Vietnamese correctly,
//! and cells that a spreadsheet would run as a formula defused with a leading `'` (OWASP CSV
//! injection).

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::{Deserialize, Serialize};

use crate::db::{AnyConnection, Db};
use crate::error::ApiError;
use crate::pagination::{Page, PageRequest, export_all};

/// The representation of a list: a JSON page from the list operation, CSV from its export. The
/// list answers JSON whatever `Accept` says, so that its one documented answer is the one it
/// gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListFormat {
    /// One page of JSON (the default).
    Json,
    /// Every matching row (up to the export limit) as CSV.
    Csv,
}

/// A row of a CSV export.
pub trait CsvRow {
    /// The column names.
    const HEADER: &'static [&'static str];
    /// The cells, in `HEADER` order.
    fn cells(&self) -> Vec<String>;
}

/// Whether the list was asked for as CSV: by its export operation only.
pub fn wanted(format: Option<ListFormat>) -> bool {
    format == Some(ListFormat::Csv)
}

/// Prefixes with `'` a cell that a spreadsheet could take for a formula (OWASP CSV injection):
/// one starting with `=`, `+`, `-`, `@`, `|` (DDE) or their full-width forms — also after
/// leading spaces, which Excel and LibreOffice skip (a no-break space included) — or with a tab,
/// carriage return or NUL.
pub fn defuse(cell: &str) -> String {
    const TRIGGERS: [char; 9] = [
        '=', '+', '-', '@', '|', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
    ];
    let risky = cell.starts_with(['\t', '\r', '\n', '\0'])
        || cell
            .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
            .starts_with(TRIGGERS);
    if risky {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// Writes the rows as a CSV attachment named `<name>.csv`.
pub fn response<T: CsvRow>(
    name: &str,
    rows: impl IntoIterator<Item = T>,
) -> Result<HttpResponse, ApiError> {
    table(name, T::HEADER, rows.into_iter().map(|r| r.cells()))
}

/// Writes a header and rows of cells as a CSV attachment named `<name>.csv`: for exports whose
/// columns are put together at run time (a report joining two resources).
pub fn table(
    name: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<HttpResponse, ApiError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| ApiError::Internal(anyhow::anyhow!("writing CSV: {e}"));
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        writer
            .write_record(row.iter().map(|c| defuse(c)))
            .map_err(fail)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("writing CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .body(body))
}

/// Answers a list request: one JSON page, or — when `csv` — every matching row (up to the
/// export limit) as `<name>.csv`. `fetch` runs one page of the list on a connection.
pub async fn list<S, T, R, F>(
    db: &Db,
    csv: bool,
    name: &str,
    page: PageRequest<S>,
    fetch: F,
) -> Result<HttpResponse, ApiError>
where
    S: crate::pagination::SortField + Send + 'static,
    T: Send + 'static,
    R: From<T> + Serialize + CsvRow,
    F: Fn(&mut AnyConnection, &PageRequest<S>) -> Result<Page<T>, ApiError> + Send + 'static,
{
    let rows = db
        .read(move |c| {
            if csv {
                let items = export_all(page.for_export(), |p| fetch(c, p))?;
                Ok(Page {
                    items,
                    next_page_token: None,
                    next: None,
                })
            } else {
                fetch(c, &page)
            }
        })
        .await?;
    if csv {
        response(name, rows.items.into_iter().map(R::from))
    } else {
        Ok(HttpResponse::Ok().json(rows.map(R::from)))
    }
}

/// Helpers to turn optional values into cells.
pub fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_text_is_kept() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("-1+2"), "'-1+2");
        assert_eq!(defuse("Sở Công thương"), "Sở Công thương");
    }
}
