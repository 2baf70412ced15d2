//! One data row: from cells to the API's own create request and its checks (`into_data`),
//! then, in the write phase, through the write operations every create goes through (`ops::units::create`). A row's
//! problems are collected, not returned at the first, so that a person can fix the whole row
//! at once.
//!
//! The check phase only reads. A row referring to an earlier row of the same file (a parent
//! declared above it) gets a placeholder id, [`FILE_ROW`] plus the row's place in the plan,
//! which the write phase replaces with the id the earlier row was given.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Target;
use super::columns::{Column, Kind, column_of};
use super::sheet::{Cell, Row, Sheet, column_letter};
use crate::auth::Actor;
use crate::db::persons::PersonData;
use crate::db::units::UnitData;
use crate::db::{self, AnyConnection};
use crate::error::{ApiError, FieldCode, FieldError, Text};
use crate::ops::{self, persons::CreatePerson, units::CreateUnit};

/// Placeholder ids start here: far above any id a database hands out, and still a valid id
/// for the API's checks (which want a positive number).
pub const FILE_ROW: i64 = 1 << 52;

/// A checked row, ready to be created.
#[derive(Debug, Clone)]
pub enum Planned {
    Unit(UnitData),
    Person(PersonData),
}

/// A checked row and its number in the file.
#[derive(Debug, Clone)]
pub struct PlannedRow {
    pub number: usize,
    pub data: Planned,
}

/// What the check phase learns as it goes: the ids of unit codes (placeholders for the rows
/// of the file), in which row a unit code of the file is declared (to explain a reference
/// that cannot be resolved), the code each `id` of the file stands for (an exported file
/// refers to its own rows by id), and the codes the file already takes.
pub struct Context {
    known: HashMap<String, i64>,
    declared: HashMap<String, usize>,
    file_ids: HashMap<i64, String>,
    taken: HashSet<String>,
    planned: usize,
    /// Unit codes and civil servant codes of the file found in the database, looked up a
    /// chunk at a time before the rows are checked (one query per row would make a big file
    /// slow where every query is a round trip).
    db_units: HashMap<String, i64>,
    db_persons: HashSet<String>,
    db_unit_ids: HashMap<i64, bool>,
}

/// Codes per lookup query: well below SQLite's limit on bound values.
const LOOKUP_CHUNK: usize = 500;

/// The values of the named columns' cells, once each.
fn cell_texts(columns: &[(usize, &'static Column)], sheet: &Sheet, names: &[&str]) -> Vec<String> {
    let cols: Vec<usize> = columns
        .iter()
        .filter(|(_, c)| names.contains(&c.name))
        .map(|(i, _)| *i)
        .collect();
    let mut seen = HashSet::new();
    for row in &sheet.rows {
        for col in &cols {
            if let Some(Ok(text)) = row.get(*col).map(Cell::text) {
                seen.insert(text);
            }
        }
    }
    seen.into_iter().collect()
}

fn lookup(
    c: &mut AnyConnection,
    target: Target,
    columns: &[(usize, &'static Column)],
    sheet: &Sheet,
) -> Result<(HashMap<String, i64>, HashSet<String>), ApiError> {
    use crate::db::schema::{persons, units};
    use diesel::prelude::*;
    let unit_codes = cell_texts(
        columns,
        sheet,
        &["code", "parent_code", "successor_code", "unit_code"],
    );
    let mut found = HashMap::new();
    for chunk in unit_codes.chunks(LOOKUP_CHUNK) {
        let rows: Vec<(String, i64)> = units::table
            .filter(units::code.eq_any(chunk))
            .select((units::code, units::id))
            .load(c)?;
        found.extend(rows);
    }
    let mut taken = HashSet::new();
    if target == Target::Persons {
        let codes = cell_texts(columns, sheet, &["civil_servant_code"]);
        for chunk in codes.chunks(LOOKUP_CHUNK) {
            let rows: Vec<Option<String>> = persons::table
                .filter(persons::civil_servant_code.eq_any(chunk))
                .select(persons::civil_servant_code)
                .load(c)?;
            taken.extend(rows.into_iter().flatten());
        }
    }
    Ok((found, taken))
}

fn column_index(columns: &[(usize, &'static Column)], name: &str) -> Option<usize> {
    columns
        .iter()
        .find(|(_, c)| c.name == name)
        .map(|(i, _)| *i)
}

impl Context {
    pub fn new(
        c: &mut AnyConnection,
        target: Target,
        columns: &[(usize, &'static Column)],
        sheet: &Sheet,
    ) -> Result<Context, ApiError> {
        let mut declared = HashMap::new();
        let mut file_ids = HashMap::new();
        let code_col = column_index(columns, "code");
        let id_col = column_index(columns, "id");
        if let (Target::Units, Some(col)) = (target, code_col) {
            for row in &sheet.rows {
                if let Some(Ok(code)) = row.get(col).map(Cell::text) {
                    declared.entry(code.clone()).or_insert(row.number);
                    if let Some(Ok(id)) = id_col.and_then(|i| row.get(i)).map(Cell::text)
                        && let Ok(id) = id.parse::<i64>()
                    {
                        file_ids.entry(id).or_insert(code);
                    }
                }
            }
        }
        let (db_units, db_persons) = lookup(c, target, columns, sheet)?;
        Ok(Context {
            known: HashMap::new(),
            declared,
            file_ids,
            taken: HashSet::new(),
            planned: 0,
            db_units,
            db_persons,
            db_unit_ids: HashMap::new(),
        })
    }

    /// Whether a unit of the database has this id, asked once per id.
    fn unit_exists(&mut self, c: &mut AnyConnection, id: i64) -> Result<bool, ApiError> {
        if let Some(found) = self.db_unit_ids.get(&id) {
            return Ok(*found);
        }
        let found = id > 0 && db::units::find(c, id)?.is_some();
        self.db_unit_ids.insert(id, found);
        Ok(found)
    }

    /// The id of the unit with this code: in the database, or a placeholder for an earlier
    /// row of the file.
    fn unit_id(&self, code: &str, row: usize) -> Result<i64, Text> {
        if let Some(id) = self.known.get(code).or_else(|| self.db_units.get(code)) {
            return Ok(*id);
        }
        Err(match self.declared.get(code) {
            Some(&at) if at < row => crate::text!(
                "the unit {code:?} of row {at} has errors",
                "đơn vị {code:?} ở dòng {at} có lỗi"
            ),
            Some(&at) if at == row => Text::new(
                "a unit cannot refer to itself",
                "một đơn vị không thể tham chiếu đến chính nó",
            ),
            Some(&at) => crate::text!(
                "the unit {code:?} comes later, in row {at}; put it before the rows that refer to it",
                "đơn vị {code:?} nằm ở dòng {at}, phía sau; hãy đặt nó trước các dòng tham chiếu đến nó"
            ),
            None => crate::text!(
                "no unit has the code {code:?}, in the database or in an earlier row",
                "không có đơn vị nào mang mã {code:?}, trong cơ sở dữ liệu hay ở một dòng phía trước"
            ),
        })
    }

    /// A unit named by the `id` another row of the file has (an exported file's `parent_id`).
    fn file_unit(&self, id: i64, row: usize) -> Result<i64, Text> {
        match self.file_ids.get(&id) {
            Some(code) => self.unit_id(code, row),
            None => Err(crate::text!(
                "no row of this file has the id {id}; refer to a unit of the database by its code instead",
                "không có dòng nào của tệp mang mã {id}; hãy tham chiếu đơn vị trong cơ sở dữ liệu bằng mã đơn vị (code)"
            )),
        }
    }
}

/// Checks one row: the data to create, or its problems (fields named by column).
pub fn plan_row(
    c: &mut AnyConnection,
    target: Target,
    ctx: &mut Context,
    columns: &[(usize, &'static Column)],
    row: &Row,
) -> Result<Result<Planned, Vec<FieldError>>, ApiError> {
    let mut errors = Vec::new();
    let all = target.columns();
    let request = request(c, ctx, all, columns, row, &mut errors)?;
    let planned = match target {
        Target::Units => {
            let Some(data) = checked(request, all, &mut errors, CreateUnit::into_data)? else {
                return Ok(Err(errors));
            };
            // The rules `create_in_txn` checks on a new unit: its links exist (resolved
            // above) and its code is free, in the database and in the file.
            if !ctx.taken.insert(data.code.clone()) || ctx.db_units.contains_key(&data.code) {
                let code = &data.code;
                errors.push(FieldError::new(
                    "code",
                    FieldCode::CodeTaken,
                    crate::text!(
                        "another unit has the code {code:?}",
                        "mã {code:?} đã được dùng cho một đơn vị khác"
                    ),
                ));
                return Ok(Err(errors));
            }
            ctx.known
                .insert(data.code.clone(), FILE_ROW + ctx.planned as i64);
            Planned::Unit(data)
        }
        Target::Persons => {
            let Some(data) = checked(request, all, &mut errors, CreatePerson::into_data)? else {
                return Ok(Err(errors));
            };
            if let Some(code) = &data.civil_servant_code
                && (!ctx.taken.insert(code.clone()) || ctx.db_persons.contains(code))
            {
                errors.push(FieldError::new(
                    "civil_servant_code",
                    FieldCode::CivilServantCodeTaken,
                    crate::text!(
                        "another person has the civil servant code {code:?}",
                        "mã số công chức {code:?} đã được dùng cho một người khác"
                    ),
                ));
                return Ok(Err(errors));
            }
            Planned::Person(data)
        }
    };
    ctx.planned += 1;
    Ok(Ok(planned))
}

/// Creates a checked row through the API's own create path, `ids` being the ids given to the
/// rows before it. Its problems (the database changed since the check) are returned by column.
pub fn create(
    c: &mut AnyConnection,
    actor: &Actor,
    target: Target,
    row: &PlannedRow,
    ids: &[i64],
) -> Result<Result<i64, Vec<FieldError>>, ApiError> {
    let real = |id: i64| {
        usize::try_from(id - FILE_ROW)
            .ok()
            .and_then(|i| ids.get(i).copied())
            .unwrap_or(id)
    };
    let all = target.columns();
    match &row.data {
        Planned::Unit(data) => {
            let data = UnitData {
                parent_id: data.parent_id.map(real),
                successor_id: data.successor_id.map(real),
                ..data.clone()
            };
            match crate::ops::units::create(c, actor, &data) {
                Ok(res) => Ok(Ok(res.unit.id)),
                Err(e) => refused(e, all, "code", vec![]).map(Err),
            }
        }
        Planned::Person(data) => match ops::persons::create(c, actor, data) {
            Ok(res) => Ok(Ok(res.id)),
            Err(e) => refused(e, all, "civil_servant_code", vec![]).map(Err),
        },
    }
}

/// The row as the JSON object the API's create endpoint takes.
fn request(
    c: &mut AnyConnection,
    ctx: &mut Context,
    all: &[Column],
    columns: &[(usize, &'static Column)],
    row: &Row,
    errors: &mut Vec<FieldError>,
) -> Result<Map<String, Value>, ApiError> {
    for (col, _) in &row.cells {
        if !columns.iter().any(|(c, _)| c == col) {
            errors.push(FieldError::of(
                format!("column {}", column_letter(*col)),
                FieldCode::UnnamedColumn,
            ));
        }
    }
    // A reference by code wins over one by id (a file may carry both, as an export with
    // codes would): the code means the same in every database.
    let by_code: HashSet<&str> = columns
        .iter()
        .filter(|(i, c)| matches!(c.kind, Kind::UnitCode) && row.get(*i).is_some())
        .map(|(_, c)| c.field)
        .collect();
    let mut map = Map::new();
    let mut failed = HashSet::new();
    for (col, column) in columns {
        if matches!(column.kind, Kind::Ignored)
            || (matches!(column.kind, Kind::FileUnitId | Kind::UnitId)
                && by_code.contains(column.field))
        {
            continue;
        }
        let Some(cell) = row.get(*col) else {
            continue;
        };
        match value(c, ctx, column, cell, row.number)? {
            Ok(v) => {
                map.insert(column.field.to_owned(), v);
            }
            Err((code, message)) => {
                failed.insert(column.field);
                errors.push(FieldError::new(column.name, code, message));
            }
        }
    }
    // A required field may come from either of its columns (`unit_code` or `unit_id`).
    for column in all.iter().filter(|c| c.required) {
        if !map.contains_key(column.field) && !failed.contains(column.field) {
            failed.insert(column.field);
            errors.push(FieldError::of(column.name, FieldCode::Required));
        }
    }
    Ok(map)
}

/// A whole number in a cell.
fn integer(cell: &Cell) -> Option<i64> {
    match cell {
        Cell::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => Some(*n as i64),
        Cell::Text(s) => s.parse::<i64>().ok(),
        _ => None,
    }
}

/// One cell as a request field, or the problem with it.
fn value(
    c: &mut AnyConnection,
    ctx: &mut Context,
    column: &Column,
    cell: &Cell,
    row: usize,
) -> Result<Result<Value, (FieldCode, Text)>, ApiError> {
    let text = match cell.text() {
        Ok(text) => text,
        Err(why) => return Ok(Err((FieldCode::Invalid, why))),
    };
    Ok(match column.kind {
        Kind::Text => Ok(Value::String(text)),
        Kind::Choice(check) => check(&text)
            .map(Value::String)
            .map_err(|m| (FieldCode::Choice, m)),
        Kind::Year => integer(cell)
            .filter(|n| n.abs() < 1_000_000)
            .map(Value::from)
            .ok_or((
                FieldCode::Integer,
                Text::new(
                    "must be a year, such as 1978",
                    "phải là một năm, ví dụ 1978",
                ),
            )),
        Kind::Date => match cell {
            Cell::Date(d) => Some(*d),
            Cell::Text(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
            _ => None,
        }
        .map(|d| Value::String(d.to_string()))
        .ok_or((
            FieldCode::Date,
            Text::new(
                "must be a date written YYYY-MM-DD, such as 2008-04-01 (or a date cell)",
                "phải là ngày viết theo dạng YYYY-MM-DD, ví dụ 2008-04-01 (hoặc một ô kiểu ngày)",
            ),
        )),
        Kind::UnitCode => ctx
            .unit_id(&text, row)
            .map(Value::from)
            .map_err(|m| (FieldCode::Unknown, m)),
        Kind::FileUnitId => match integer(cell) {
            Some(id) => ctx
                .file_unit(id, row)
                .map(Value::from)
                .map_err(|m| (FieldCode::Unknown, m)),
            None => Err((
                FieldCode::Integer,
                Text::new(
                    "must be the id of another row",
                    "phải là mã (id) của một dòng khác",
                ),
            )),
        },
        Kind::UnitId => match integer(cell) {
            Some(id) if ctx.unit_exists(c, id)? => Ok(Value::from(id)),
            _ => Err((
                FieldCode::Unknown,
                crate::text!(
                    "no unit of the database has the id {text:?}; give its code in unit_code instead",
                    "không có đơn vị nào trong cơ sở dữ liệu mang mã {text:?}; hãy ghi mã đơn vị vào cột unit_code"
                ),
            )),
        },
        Kind::Ignored => Ok(Value::Null),
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
                let en = e.into_inner().to_string();
                let vi = format!("{} ({en})", FieldCode::Invalid.text().vi());
                errors.push(FieldError::new(
                    column_of(all, &path),
                    FieldCode::Invalid,
                    Text::owned(en, vi),
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
        ApiError::Conflict { code, message } => errors.push(FieldError::new(
            conflict_column,
            FieldCode::of_problem(code),
            message,
        )),
        other => return Err(other),
    }
    Ok(errors)
}
