//! One data row: from cells to the API's own create request, through the API's own checks
//! (`into_data`, then the `ops` create), into the database. A row's problems are collected,
//! not returned at the first, so that a person can fix the whole row at once.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Target;
use super::columns::{Column, Kind, column_of};
use super::sheet::{Cell, Row, Sheet, column_letter};
use crate::auth::Actor;
use crate::db::{self, AnyConnection};
use crate::error::{ApiError, FieldError};
use crate::ops::{self, persons::CreatePerson, units::CreateUnit};

/// What a run learns as it goes: the ids of unit codes, and in which row a unit code of the
/// file is declared (to explain a reference that cannot be resolved).
pub struct Context {
    known: HashMap<String, i64>,
    declared: HashMap<String, usize>,
}

impl Context {
    pub fn new(target: Target, columns: &[(usize, &'static Column)], sheet: &Sheet) -> Context {
        let mut declared = HashMap::new();
        let code_col = columns
            .iter()
            .find(|(_, c)| c.name == "code")
            .map(|(i, _)| *i);
        if let (Target::Units, Some(col)) = (target, code_col) {
            for row in &sheet.rows {
                if let Some(Ok(code)) = row.get(col).map(Cell::text) {
                    declared.entry(code).or_insert(row.number);
                }
            }
        }
        Context {
            known: HashMap::new(),
            declared,
        }
    }

    /// The id of the unit with this code: in the database, or created by an earlier row.
    fn unit_id(
        &mut self,
        c: &mut AnyConnection,
        code: &str,
        row: usize,
    ) -> Result<Result<i64, String>, ApiError> {
        if let Some(id) = self.known.get(code) {
            return Ok(Ok(*id));
        }
        if let Some(unit) = db::units::find_by_code(c, code)? {
            self.known.insert(code.to_owned(), unit.id);
            return Ok(Ok(unit.id));
        }
        Ok(Err(match self.declared.get(code) {
            Some(&at) if at < row => format!("the unit {code:?} of row {at} has errors"),
            Some(&at) if at == row => "a unit cannot refer to itself".to_owned(),
            Some(&at) => format!(
                "the unit {code:?} comes later, in row {at}; put it before the rows that refer to it"
            ),
            None => format!("no unit has the code {code:?}, in the database or in an earlier row"),
        }))
    }
}

/// Imports one row: its new id, or its problems (fields named by column).
pub fn import_row(
    c: &mut AnyConnection,
    actor: &Actor,
    target: Target,
    ctx: &mut Context,
    columns: &[(usize, &'static Column)],
    row: &Row,
) -> Result<Result<i64, Vec<FieldError>>, ApiError> {
    let mut errors = Vec::new();
    let request = request(c, ctx, columns, row, &mut errors)?;
    let all = target.columns();
    let id = match target {
        Target::Units => {
            let Some(data) = checked(request, all, &mut errors, CreateUnit::into_data)? else {
                return Ok(Err(errors));
            };
            match savepoint(c, |c| ops::units::create(c, actor, &data)) {
                Ok(res) => {
                    ctx.known.insert(data.code, res.unit.id);
                    res.unit.id
                }
                Err(e) => return refused(e, all, "code", errors).map(Err),
            }
        }
        Target::Persons => {
            let Some(data) = checked(request, all, &mut errors, CreatePerson::into_data)? else {
                return Ok(Err(errors));
            };
            match savepoint(c, |c| ops::persons::create(c, actor, &data)) {
                Ok(person) => person.id,
                Err(e) => return refused(e, all, "civil_servant_code", errors).map(Err),
            }
        }
    };
    Ok(Ok(id))
}

/// Runs a row's write in a savepoint: a refused row (a code taken, say) must leave the file's
/// transaction usable for the rows after it, and PostgreSQL aborts a transaction at the first
/// failed statement unless it is rolled back to a savepoint.
fn savepoint<T>(
    c: &mut AnyConnection,
    write: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    use diesel::Connection;
    c.transaction(write)
}

/// The row as the JSON object the API's create endpoint takes.
fn request(
    c: &mut AnyConnection,
    ctx: &mut Context,
    columns: &[(usize, &'static Column)],
    row: &Row,
    errors: &mut Vec<FieldError>,
) -> Result<Map<String, Value>, ApiError> {
    for (col, _) in &row.cells {
        if !columns.iter().any(|(c, _)| c == col) {
            errors.push(FieldError::new(
                format!("column {}", column_letter(*col)),
                "unnamed_column",
                "this cell is in a column without a name in the header row",
            ));
        }
    }
    let mut map = Map::new();
    for (col, column) in columns {
        let Some(cell) = row.get(*col) else {
            if column.required {
                errors.push(FieldError::new(column.name, "required", "is required"));
            }
            continue;
        };
        match value(c, ctx, column, cell, row.number)? {
            Ok(v) => {
                map.insert(column.field.to_owned(), v);
            }
            Err((code, message)) => errors.push(FieldError::new(column.name, code, message)),
        }
    }
    Ok(map)
}

/// One cell as a request field, or the problem with it.
fn value(
    c: &mut AnyConnection,
    ctx: &mut Context,
    column: &Column,
    cell: &Cell,
    row: usize,
) -> Result<Result<Value, (&'static str, String)>, ApiError> {
    let text = match cell.text() {
        Ok(text) => text,
        Err(why) => return Ok(Err(("invalid", why))),
    };
    Ok(match column.kind {
        Kind::Text => Ok(Value::String(text)),
        Kind::Choice(check) => check(&text).map(Value::String).map_err(|m| ("choice", m)),
        Kind::Year => match cell {
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e6 => Some(*n as i64),
            Cell::Text(s) => s.parse::<i32>().ok().map(i64::from),
            _ => None,
        }
        .map(Value::from)
        .ok_or(("integer", "must be a year, such as 1978".to_owned())),
        Kind::Date => match cell {
            Cell::Date(d) => Some(*d),
            Cell::Text(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
            _ => None,
        }
        .map(|d| Value::String(d.to_string()))
        .ok_or((
            "date",
            "must be a date written YYYY-MM-DD, such as 2008-04-01 (or a date cell)".to_owned(),
        )),
        Kind::UnitCode => ctx
            .unit_id(c, &text, row)?
            .map(Value::from)
            .map_err(|m| ("unknown", m)),
    })
}

/// Parses the request like the API does, then runs its checks (`into_data`). `None` when the
/// row has problems, which are added to `errors`.
fn checked<T: DeserializeOwned, D>(
    request: Map<String, Value>,
    all: &[Column],
    errors: &mut Vec<FieldError>,
    into_data: fn(T) -> Result<D, ApiError>,
) -> Result<Option<D>, ApiError> {
    let parsed = match serde_path_to_error::deserialize::<_, T>(Value::Object(request)) {
        Ok(parsed) => parsed,
        Err(e) => {
            // A missing required value is already reported by its column; anything else the
            // cell checks above let through is reported here.
            if errors.is_empty() {
                let path = e.path().to_string();
                errors.push(FieldError::new(
                    column_of(all, &path),
                    "invalid",
                    e.into_inner().to_string(),
                ));
            }
            return Ok(None);
        }
    };
    match into_data(parsed) {
        Ok(data) if errors.is_empty() => Ok(Some(data)),
        Ok(_) => Ok(None),
        Err(e) => {
            *errors = refused(e, all, "", std::mem::take(errors))?;
            Ok(None)
        }
    }
}

/// A refusal by the API's checks, as row problems; other errors (the database failing)
/// abort the whole import.
fn refused(
    e: ApiError,
    all: &[Column],
    conflict_column: &str,
    mut errors: Vec<FieldError>,
) -> Result<Vec<FieldError>, ApiError> {
    match e {
        ApiError::Validation(list) => errors.extend(list.into_iter().map(|f| FieldError {
            field: column_of(all, &f.field),
            ..f
        })),
        ApiError::Conflict { code, message } => {
            errors.push(FieldError::new(conflict_column, code, message))
        }
        other => return Err(other),
    }
    Ok(errors)
}
