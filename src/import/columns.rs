//! The columns each import takes, and matching a file's header row against them.

use std::collections::HashSet;
use std::str::FromStr;

use strum::VariantArray;

use super::sheet::{Row, column_letter};
use crate::domain::{AdminLevel, Gender, UnitKind};
use crate::error::{ApiError, FieldCode, FieldError, Text};

/// How a column's text becomes a field of the create request.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    /// One of an enum's names; returns the canonical name or what is allowed.
    Choice(fn(&str) -> Result<String, Text>),
    /// A whole number (a year).
    Year,
    /// A day, as `YYYY-MM-DD` text or a spreadsheet date cell.
    Date,
    /// The code of a unit, looked up and sent as its id.
    UnitCode,
    /// The `id` of another row of the same file, as an export writes `parent_id`: resolved
    /// through that row's code, never taken as an id of the database (ids differ between
    /// databases).
    FileUnitId,
    /// The id of a unit of the database (a persons export's `unit_id`).
    UnitId,
    /// Read but not used: an export's own `id` (the database gives new ones).
    Ignored,
}

/// One column: its header name, the request field it fills and whether a value is needed.
#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub field: &'static str,
    pub kind: Kind,
    pub required: bool,
}

const fn col(name: &'static str, kind: Kind, required: bool) -> Column {
    Column {
        name,
        field: name,
        kind,
        required,
    }
}

const fn code_of(name: &'static str, field: &'static str, required: bool) -> Column {
    Column {
        name,
        field,
        kind: Kind::UnitCode,
        required,
    }
}

/// The names of an enum, case and spaces forgiven (`Public service` is `public_service`).
fn choice<E>(value: &str) -> Result<String, Text>
where
    E: FromStr + VariantArray + Copy + Into<&'static str>,
{
    let v = value.trim().to_lowercase().replace([' ', '-'], "_");
    if v.parse::<E>().is_ok() {
        Ok(v)
    } else {
        let names: Vec<&'static str> = E::VARIANTS.iter().map(|e| (*e).into()).collect();
        let names = names.join(", ");
        Err(crate::text!(
            "must be one of {names}",
            "phải là một trong các giá trị {names}"
        ))
    }
}

const fn id_of(name: &'static str, field: &'static str, kind: Kind) -> Column {
    Column {
        name,
        field,
        kind,
        required: false,
    }
}

/// The columns of a units file: those of `POST /units`, references by code, and what a CSV
/// export of `GET /units` writes (`id`, `parent_id`, `successor_id`), so an export imports back.
pub const UNIT_COLUMNS: &[Column] = &[
    col("id", Kind::Ignored, false),
    col("code", Kind::Text, true),
    col("name", Kind::Text, true),
    col("short_name", Kind::Text, false),
    col("kind", Kind::Choice(choice::<UnitKind>), true),
    col("admin_level", Kind::Choice(choice::<AdminLevel>), false),
    code_of("parent_code", "parent_id", false),
    col("valid_from", Kind::Date, true),
    col("valid_to", Kind::Date, false),
    code_of("successor_code", "successor_id", false),
    id_of("parent_id", "parent_id", Kind::FileUnitId),
    id_of("successor_id", "successor_id", Kind::FileUnitId),
    col("address", Kind::Text, false),
    col("phone", Kind::Text, false),
    col("email", Kind::Text, false),
];

/// The columns of a persons file: those of `POST /persons` with the unit by code, or, as a CSV
/// export of `GET /persons` writes it, by `unit_id` (an id of this database).
pub const PERSON_COLUMNS: &[Column] = &[
    col("id", Kind::Ignored, false),
    col("full_name", Kind::Text, true),
    col("gender", Kind::Choice(choice::<Gender>), false),
    col("birth_year", Kind::Year, false),
    col("position", Kind::Text, false),
    code_of("unit_code", "unit_id", true),
    id_of("unit_id", "unit_id", Kind::UnitId),
    col("civil_servant_code", Kind::Text, false),
];

/// The column a request field comes from (`parent_id` → `parent_code`), for error messages.
pub fn column_of(columns: &[Column], field: &str) -> String {
    columns
        .iter()
        .find(|c| c.field == field)
        .map_or(field, |c| c.name)
        .to_owned()
}

/// A header name as compared: case, surrounding spaces and inner spaces or dashes forgiven.
fn normalise(name: &str) -> String {
    name.trim().to_lowercase().replace([' ', '-'], "_")
}

/// Finds each header cell's column. Unknown, repeated and missing required columns are all
/// reported at once, as errors on row 1 (the header's row).
pub fn match_header(
    columns: &'static [Column],
    header: &Row,
) -> Result<Vec<(usize, &'static Column)>, ApiError> {
    let row = header.number;
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let mut errors = Vec::new();
    let expected: Vec<&str> = columns.iter().map(|c| c.name).collect();
    for (col, cell) in &header.cells {
        let name = match cell.text() {
            Ok(name) => name,
            Err(why) => {
                let at = format!("row {row}: column {}", column_letter(*col));
                errors.push(FieldError::new(at, FieldCode::InvalidColumn, why));
                continue;
            }
        };
        let at = format!("row {row}: {name}");
        match columns.iter().find(|c| c.name == normalise(&name)) {
            Some(c) if !seen.insert(c.name) => errors.push(FieldError::new(
                at,
                FieldCode::DuplicateColumn,
                crate::text!(
                    "the column {0} appears more than once",
                    "cột {0} xuất hiện nhiều lần",
                    c.name
                ),
            )),
            Some(c) => found.push((*col, c)),
            None => {
                let expected = expected.join(", ");
                errors.push(FieldError::new(
                    at,
                    FieldCode::UnknownColumn,
                    crate::text!(
                        "unknown column {name:?}; the columns are {expected}",
                        "không có cột {name:?}; các cột là {expected}"
                    ),
                ))
            }
        }
    }
    // A required field may come from another column (`unit_id` for `unit_code`).
    for c in columns
        .iter()
        .filter(|c| c.required && !found.iter().any(|(_, f)| f.field == c.field))
    {
        errors.push(FieldError::new(
            format!("row {row}: {}", c.name),
            FieldCode::MissingColumn,
            crate::text!(
                "the file needs a column named {0}",
                "tệp cần có cột tên là {0}",
                c.name
            ),
        ));
    }
    ApiError::unless_any(errors)?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::sheet::Cell;

    fn header(names: &[&str]) -> Row {
        Row {
            number: 1,
            cells: names
                .iter()
                .enumerate()
                .map(|(i, n)| (i, Cell::Text((*n).into())))
                .collect(),
        }
    }

    #[test]
    fn headers_match_in_any_order_and_case() {
        let found = match_header(
            UNIT_COLUMNS,
            &header(&["Valid From", "CODE", "name", "kind", "Parent_Code"]),
        )
        .unwrap();
        let names: Vec<&str> = found.iter().map(|(_, c)| c.name).collect();
        assert_eq!(names, ["valid_from", "code", "name", "kind", "parent_code"]);
    }

    #[test]
    fn unknown_repeated_and_missing_columns_are_all_named() {
        let Err(ApiError::Validation(errors)) =
            match_header(UNIT_COLUMNS, &header(&["code", "ten", "code", "kind"]))
        else {
            panic!("expected a validation error")
        };
        let fields: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("row 1: ten", "unknown_column"),
                ("row 1: code", "duplicate_column"),
                ("row 1: name", "missing_column"),
                ("row 1: valid_from", "missing_column"),
            ]
        );
    }

    #[test]
    fn choices_forgive_case_and_spaces() {
        assert_eq!(
            choice::<UnitKind>("Public service").as_deref(),
            Ok("public_service")
        );
        let err = choice::<Gender>("nam").unwrap_err();
        assert_eq!(err.en(), "must be one of male, female");
    }
}
