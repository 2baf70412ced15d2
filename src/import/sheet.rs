//! Reading an uploaded file into rows of cells: a CSV file (UTF-8, with or without a byte-order
//! mark) or the first worksheet of an XLSX workbook. Rows are numbered as a spreadsheet shows
//! them, the header being row 1, so that error messages point at the row a person sees.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{DataRef, DataType, Reader, SheetType, Xlsx};
use chrono::NaiveDate;

use crate::error::{ApiError, Code, FieldCode, FieldError, Text};

/// The two file types an import accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

pub const CSV_TYPE: &str = "text/csv";
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl Format {
    /// From a `Content-Type` value. A CSV with a charset other than UTF-8 is refused rather
    /// than read as mojibake.
    pub fn from_content_type(value: &str) -> Option<Format> {
        let mut parts = value.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let charset_ok = parts
            .filter_map(|p| p.split_once('='))
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .all(|(_, v)| {
                let v = v.trim().trim_matches('"');
                v.eq_ignore_ascii_case("utf-8") || v.eq_ignore_ascii_case("utf8")
            });
        match media.as_str() {
            CSV_TYPE if charset_ok => Some(Format::Csv),
            XLSX_TYPE => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// From a file name's extension (`.csv`, `.xlsx`, any case).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// One non-empty cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// A cell Excel stores as a date.
    Date(NaiveDate),
    Bool(bool),
    /// A value that cannot be used, with the reason.
    Bad(Text),
}

impl Cell {
    /// The cell as text, the way a person reads it in the spreadsheet.
    pub fn text(&self) -> Result<String, Text> {
        match self {
            Cell::Text(s) => Ok(s.clone()),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Ok(format!("{}", *n as i64)),
            Cell::Number(n) => Ok(n.to_string()),
            Cell::Date(d) => Ok(d.to_string()),
            Cell::Bool(b) => Ok(b.to_string()),
            Cell::Bad(why) => Err(why.clone()),
        }
    }
}

/// A data row: its number and its non-empty cells by column index (0 is column A).
#[derive(Debug, Clone)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<(usize, Cell)>,
}

impl Row {
    pub fn get(&self, col: usize) -> Option<&Cell> {
        self.cells.iter().find(|(c, _)| *c == col).map(|(_, v)| v)
    }
}

/// A file's header (the first non-empty row) and data rows (the non-empty rows after it).
#[derive(Debug, Clone)]
pub struct Sheet {
    pub header: Row,
    pub rows: Vec<Row>,
}

/// The spreadsheet name of a column: 0 → A, 26 → AA.
pub fn column_letter(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

fn invalid_file(message: Text) -> ApiError {
    ApiError::BadRequest {
        code: Code::InvalidFile,
        message: message.clone(),
        errors: vec![FieldError::new("file", FieldCode::Unreadable, message)],
    }
}

/// Reads a file, refusing more than `max_rows` data rows.
pub fn read(format: Format, bytes: &[u8], max_rows: usize) -> Result<Sheet, ApiError> {
    let mut rows = Rows::new(max_rows);
    match format {
        Format::Csv => read_csv(bytes, &mut rows)?,
        Format::Xlsx => read_xlsx(bytes, &mut rows)?,
    }
    rows.finish()
}

/// Collects rows, skipping empty ones; the first non-empty one is the header.
struct Rows {
    header: Option<Row>,
    rows: Vec<Row>,
    max: usize,
}

impl Rows {
    fn new(max: usize) -> Rows {
        Rows {
            header: None,
            rows: Vec::new(),
            max,
        }
    }

    fn push(&mut self, number: usize, cells: Vec<(usize, Cell)>) -> Result<(), ApiError> {
        if cells.is_empty() {
            return Ok(());
        }
        let row = Row { number, cells };
        if self.header.is_none() {
            self.header = Some(row);
            return Ok(());
        }
        if self.rows.len() == self.max {
            let max = self.max;
            return Err(ApiError::invalid(
                "file",
                FieldCode::TooManyRows,
                crate::text!(
                    "the file has more than {max} data rows; split it into several files",
                    "tệp có hơn {max} dòng dữ liệu; hãy chia thành nhiều tệp"
                ),
            ));
        }
        self.rows.push(row);
        Ok(())
    }

    fn finish(self) -> Result<Sheet, ApiError> {
        let Some(header) = self.header else {
            return Err(ApiError::invalid(
                "file",
                FieldCode::Empty,
                Text::new(
                    "the file is empty; the first row must name the columns",
                    "tệp không có dữ liệu; dòng đầu tiên phải ghi tên các cột",
                ),
            ));
        };
        if self.rows.is_empty() {
            return Err(ApiError::invalid(
                "file",
                FieldCode::Empty,
                Text::new(
                    "the file has a header row but no data rows",
                    "tệp có dòng tiêu đề nhưng không có dòng dữ liệu nào",
                ),
            ));
        }
        Ok(Sheet {
            header,
            rows: self.rows,
        })
    }
}

/// The most text one cell may hold, in bytes of UTF-8: far above any field an import fills
/// (the longest takes a few hundred characters), and low enough that a file of such cells
/// stays small.
pub const CELL_MAX: usize = 32 * 1024;

/// Text with surrounding spaces removed; nothing for blank text. A cell too long or holding a
/// control character is kept as a problem, so that its row and column are named.
fn text(s: &str) -> Option<Cell> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.len() > CELL_MAX {
        let kib = CELL_MAX >> 10;
        return Some(Cell::Bad(crate::text!(
            "holds more than {kib} KiB of text",
            "chứa hơn {kib} KiB văn bản"
        )));
    }
    // The rule every string the API takes follows (NUL and other controls, bidi overrides).
    Some(match crate::domain::text::check_text(s) {
        Err(problem) => Cell::Bad(problem.message()),
        Ok(()) => Cell::Text(s.to_owned()),
    })
}

/// The number of `\n` in `bytes[from..to]`.
fn newlines(bytes: &[u8], from: usize, to: usize) -> usize {
    bytes
        .get(from..to)
        .map_or(0, |b| b.iter().filter(|&&b| b == b'\n').count())
}

/// A cell without the quote a CSV export puts before one that starts like a formula
/// (`'=…`, `'+84…`), so that an export imports back to the same values.
fn undefused(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\0']) => rest,
        _ => s,
    }
}

fn read_csv(bytes: &[u8], rows: &mut Rows) -> Result<(), ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    // A quoted cell may hold line breaks; a spreadsheet still shows its record as one row,
    // so those breaks are taken off the line number (blank lines, which the reader skips,
    // still count, as they do in a spreadsheet). The line is counted from the record's byte
    // offset rather than taken from the reader, whose count lags by one after a CRLF.
    let mut embedded = 0;
    let (mut counted_to, mut lines_before) = (0, 0);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => {
                return Err(invalid_file(crate::text!(
                    "the CSV file cannot be read: {e}",
                    "không đọc được tệp CSV: {e}"
                )));
            }
        }
        let start = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        lines_before += newlines(bytes, counted_to, start);
        counted_to = start.max(counted_to);
        // After a CRLF the record may be said to start at its LF, which ends the line before.
        let at_line_end = usize::from(bytes.get(start) == Some(&b'\n'));
        let line = lines_before + at_line_end + 1;
        let number = line.saturating_sub(embedded).max(1);
        embedded += record
            .iter()
            .map(|f| f.iter().filter(|&&b| b == b'\n').count())
            .sum::<usize>();
        let cells = record
            .iter()
            .enumerate()
            .filter_map(|(col, raw)| match std::str::from_utf8(raw) {
                Ok(s) => text(undefused(s)).map(|c| (col, c)),
                Err(_) => Some((
                    col,
                    Cell::Bad(Text::new(
                        "is not UTF-8 text; save the file as \"CSV UTF-8\"",
                        "không phải văn bản UTF-8; hãy lưu tệp dưới dạng \"CSV UTF-8\"",
                    )),
                )),
            })
            .collect();
        rows.push(number, cells)?;
    }
}

/// The most an XLSX file may unpack to. Its parts are compressed, and a small file can unpack
/// to gigabytes (a "zip bomb"); a real 20 000-row sheet unpacks to a few dozen MiB at most.
/// Reading keeps the sheet's strings and its rows in memory, each at most about this size,
/// so an import's memory stays within a small multiple of it.
pub const XLSX_UNPACKED_MAX: u64 = 48 * 1024 * 1024;

fn too_large(message: Text) -> ApiError {
    ApiError::invalid("file", FieldCode::TooLarge, message)
}

/// Follows the XML of a part as it streams by, measuring the text of each cell (a shared
/// string `<si>`, or a sheet cell `<c>`), so that one huge cell is refused before any of it
/// is kept.
#[derive(Default)]
struct CellScan {
    in_tag: bool,
    name: Vec<u8>,
    naming: bool,
    last: u8,
    in_cell: bool,
    text: usize,
}

impl CellScan {
    /// `false` once a cell holds more than `max` bytes of text.
    fn feed(&mut self, buf: &[u8], max: usize) -> bool {
        for &b in buf {
            if self.in_tag {
                if b == b'>' {
                    self.in_tag = false;
                    self.tag_done();
                } else if self.naming {
                    if b.is_ascii_whitespace() || b == b'/' && !self.name.is_empty() {
                        self.naming = false;
                    } else if self.name.len() < 16 {
                        self.name.push(b);
                    }
                }
                self.last = b;
            } else if b == b'<' {
                (self.in_tag, self.naming) = (true, true);
                self.name.clear();
            } else if self.in_cell {
                self.text += 1;
                if self.text > max {
                    return false;
                }
            }
        }
        true
    }

    fn tag_done(&mut self) {
        let raw = &self.name[..];
        let (closing, raw) = match raw.strip_prefix(b"/") {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        // Namespace prefixes (`x:c`) are allowed.
        let name = match raw.iter().position(|&b| b == b':') {
            Some(i) => &raw[i + 1..],
            None => raw,
        };
        if matches!(name, b"si" | b"c" | b"is") {
            if closing || self.last == b'/' {
                self.in_cell = false;
            } else {
                self.in_cell = true;
                self.text = 0;
            }
        }
    }
}

/// Unpacks every part without keeping it, refusing the file past `max` bytes in all or a cell
/// past `cell_max` bytes of text: the sizes a ZIP declares may lie, so they are counted, not
/// trusted.
fn check_unpacked_size(bytes: &[u8], max: u64, cell_max: usize) -> Result<(), ApiError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        invalid_file(crate::text!(
            "the XLSX file cannot be read: {e}",
            "không đọc được tệp XLSX: {e}"
        ))
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut left = max;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|e| unreadable(&e))?;
        let name = part.name().map_err(|e| unreadable(&e))?.into_owned();
        let xml = name.ends_with(".xml");
        let mut part = part.take(left + 1);
        let mut scan = CellScan::default();
        loop {
            let n = part.read(&mut buf).map_err(|e| unreadable(&e))?;
            if n == 0 {
                break;
            }
            if n as u64 > left {
                let mib = max >> 20;
                return Err(too_large(crate::text!(
                    "the XLSX file unpacks to more than {mib} MiB",
                    "tệp XLSX khi giải nén lớn hơn {mib} MiB"
                )));
            }
            left -= n as u64;
            if xml && !scan.feed(&buf[..n], cell_max) {
                let kib = cell_max >> 10;
                return Err(too_large(crate::text!(
                    "a cell of the XLSX file (in {name}) holds more than {kib} KiB of text",
                    "một ô của tệp XLSX (trong {name}) chứa hơn {kib} KiB văn bản"
                )));
            }
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], rows: &mut Rows) -> Result<(), ApiError> {
    check_unpacked_size(bytes, XLSX_UNPACKED_MAX, CELL_MAX)?;
    let unreadable = |e: calamine::XlsxError| {
        invalid_file(crate::text!(
            "the XLSX file cannot be read: {e}",
            "không đọc được tệp XLSX: {e}"
        ))
    };
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    // The first worksheet, passing over chart sheets and the like.
    let first = book
        .sheets_metadata()
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .ok_or_else(|| {
            invalid_file(Text::new(
                "the workbook has no worksheet",
                "tệp bảng tính không có trang tính nào",
            ))
        })?;
    let mut reader = book.worksheet_cells_reader(&first).map_err(unreadable)?;
    // Cells come row by row; a map keeps them right even if a writer did not sort them, and
    // stops reading once there are more rows than allowed (plus the header).
    let mut by_row: BTreeMap<u32, Vec<(usize, Cell)>> = BTreeMap::new();
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        if let Some(value) = xlsx_cell(cell.get_value()) {
            by_row.entry(row).or_default().push((col as usize, value));
            if by_row.len() > rows.max + 1 {
                break;
            }
        }
    }
    for (row, mut cells) in by_row {
        cells.sort_by_key(|(col, _)| *col);
        rows.push(row as usize + 1, cells)?;
    }
    Ok(())
}

fn xlsx_cell(value: &DataRef<'_>) -> Option<Cell> {
    match value {
        DataRef::Empty => None,
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Int(i) => Some(Cell::Number(*i as f64)),
        DataRef::Float(f) => Some(Cell::Number(*f)),
        DataRef::Bool(b) => Some(Cell::Bool(*b)),
        DataRef::DateTime(_) | DataRef::DateTimeIso(_) => Some(match value.as_date() {
            Some(d) => Cell::Date(d),
            None => Cell::Bad(Text::new(
                "is not a valid date",
                "không phải là ngày hợp lệ",
            )),
        }),
        DataRef::DurationIso(s) => text(s),
        DataRef::Error(e) => Some(Cell::Bad(crate::text!(
            "holds the spreadsheet error {e}",
            "chứa lỗi bảng tính {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_like_a_spreadsheet() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn content_types_are_recognised() {
        assert_eq!(
            Format::from_content_type("text/csv; charset=UTF-8"),
            Some(Format::Csv)
        );
        assert_eq!(Format::from_content_type("Text/CSV"), Some(Format::Csv));
        assert_eq!(
            Format::from_content_type("text/csv; charset=windows-1258"),
            None
        );
        assert_eq!(Format::from_content_type(XLSX_TYPE), Some(Format::Xlsx));
        assert_eq!(Format::from_content_type("application/json"), None);
        assert_eq!(
            Format::from_path(Path::new("don_vi.XLSX")),
            Some(Format::Xlsx)
        );
        assert_eq!(Format::from_path(Path::new("don_vi.xls")), None);
    }

    #[test]
    fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
        let csv = "\u{feff}code,name\nA,\"Sở\nCông thương\"\n\n,\nB,Sở Tư pháp\n";
        let sheet = read(Format::Csv, csv.as_bytes(), 10).unwrap();
        assert_eq!(sheet.header.get(0), Some(&Cell::Text("code".into())));
        let numbers: Vec<usize> = sheet.rows.iter().map(|r| r.number).collect();
        // Row 2 holds a line break; row 3 is blank and row 4 has only empty cells.
        assert_eq!(numbers, [2, 5]);
        assert_eq!(sheet.rows[1].get(1), Some(&Cell::Text("Sở Tư pháp".into())));
    }

    #[test]
    fn a_workbook_that_unpacks_too_far_is_refused() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for row in 0..200 {
            sheet
                .write_string(row, 0, "Sở Công thương tỉnh Điện Biên")
                .unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let err = check_unpacked_size(&bytes, 4096, CELL_MAX).unwrap_err();
        assert!(
            matches!(&err, ApiError::Validation(e) if e[0].code == "too_large"),
            "{err:?}"
        );
        let sheet = read(Format::Xlsx, &bytes, 1000).unwrap();
        assert_eq!(sheet.rows.len(), 199);
    }

    #[test]
    fn crlf_rows_are_numbered_like_lf_rows() {
        let lf = "code,name\nA,\"Sở\nCông thương\"\n\n,\nB,Sở Tư pháp\nC,'+84 215\n";
        let crlf = lf.replace('\n', "\r\n");
        for csv in [lf.to_owned(), crlf] {
            let sheet = read(Format::Csv, csv.as_bytes(), 10).unwrap();
            let numbers: Vec<usize> = sheet.rows.iter().map(|r| r.number).collect();
            assert_eq!(numbers, [2, 5, 6], "{csv:?}");
            assert_eq!(sheet.rows[2].get(1), Some(&Cell::Text("+84 215".into())));
        }
    }

    #[test]
    fn a_huge_cell_is_refused_while_unpacking() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "name").unwrap();
        sheet.write_string(1, 0, "Đ".repeat(20_000)).unwrap();
        sheet.write_string(2, 0, "Sở Tư pháp").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let err = check_unpacked_size(&bytes, 1 << 30, 16 * 1024).unwrap_err();
        assert!(
            matches!(&err, ApiError::Validation(e) if e[0].code == "too_large"),
            "{err:?}"
        );
        check_unpacked_size(&bytes, 1 << 30, 64 * 1024).unwrap();
    }

    #[test]
    fn bad_utf8_marks_the_cell_and_too_many_rows_are_refused() {
        let sheet = read(Format::Csv, b"code,name\nA,\xff\n", 10).unwrap();
        assert!(matches!(sheet.rows[0].get(1), Some(Cell::Bad(_))));
        let err = read(Format::Csv, b"code\nA\nB\nC\n", 2).unwrap_err();
        assert_eq!(err.to_string(), "the request has invalid fields");
        let err = read(Format::Csv, b"code\n", 2).unwrap_err();
        assert!(matches!(err, ApiError::Validation(_)));
        let err = read(Format::Xlsx, b"not a zip", 2).unwrap_err();
        assert_eq!(err.code(), "invalid_file");
    }
}
