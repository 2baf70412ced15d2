//! Bulk import of units and persons from a CSV or XLSX file, shared by
//! `POST /api/v1/imports/{units,persons}` and `thidua import`.
//!
//! An import runs in three steps, so that a big file never holds the database's write lock
//! while it is being read or checked:
//!
//! 1. [`prepare`] reads the file (no database), refusing a file or cell that is too big.
//! 2. [`check`] checks every row as the API would check a create, with reads only: a dry run
//!    stops here and takes no write lock at all.
//! 3. [`write`] creates the checked rows in ONE write transaction, each through the API's own
//!    create path (`ops::units::create`), so an imported unit is checked again, indexed for search
//!    and audited exactly like one created with `POST /units`.
//!
//! The guarantee is all or nothing: if any row has a problem — found by the check, or by the
//! write because the database changed in between — nothing is written, and every problem is
//! reported as `row N: column`. The write transaction holds no parsing and no lookups by code,
//! so it is short; imports take their write turns one at a time ([`Slots`]), so ordinary writes
//! queue behind at most one import and wait instead of failing.
pub mod columns;
mod rows;
pub mod sheet;

use diesel::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use self::columns::{Column, PERSON_COLUMNS, UNIT_COLUMNS};
use self::rows::PlannedRow;
use self::sheet::{Format, Sheet};
use crate::auth::Actor;
use crate::db::AnyConnection;
use crate::db::audit::{self, Change};
use crate::error::{ApiError, FieldCode, FieldError, FieldErrorBody};

/// The most data rows one file may have.
pub const MAX_ROWS: usize = 20_000;
/// The most row problems reported; a file with more gets a last entry counting the rest.
pub const MAX_ERRORS: usize = 1_000;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Units,
    Persons,
}

impl Target {
    pub fn columns(self) -> &'static [Column] {
        match self {
            Target::Units => UNIT_COLUMNS,
            Target::Persons => PERSON_COLUMNS,
        }
    }

    /// The plural noun, as in the URL and the audit action.
    pub fn plural(self) -> &'static str {
        match self {
            Target::Units => "units",
            Target::Persons => "persons",
        }
    }

    fn action(self) -> &'static str {
        match self {
            Target::Units => "import.units",
            Target::Persons => "import.persons",
        }
    }

    fn resource_type(self) -> &'static str {
        match self {
            Target::Units => "unit",
            Target::Persons => "person",
        }
    }
}

/// A file read and its header understood, ready to check.
#[derive(Debug)]
pub struct Prepared {
    pub target: Target,
    pub format: Format,
    columns: Vec<(usize, &'static Column)>,
    sheet: Sheet,
}

impl Prepared {
    /// The number of data rows.
    pub fn rows(&self) -> usize {
        self.sheet.rows.len()
    }
}

/// Reads the file and matches its header; file-level problems (unreadable, empty, too many
/// rows, unknown or missing columns) come out here, before any database work.
pub fn prepare(target: Target, format: Format, bytes: &[u8]) -> Result<Prepared, ApiError> {
    let sheet = sheet::read(format, bytes, MAX_ROWS)?;
    let columns = columns::match_header(target.columns(), &sheet.header)?;
    Ok(Prepared {
        target,
        format,
        columns,
        sheet,
    })
}

/// The outcome of an import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    /// `true` when the file was only checked, as a real run checks it; nothing was written.
    #[schema(example = false)]
    pub dry_run: bool,
    /// Data rows in the file (blank rows are skipped and not counted).
    #[schema(example = 3, minimum = 1, maximum = 20000)]
    pub rows: usize,
    /// Units or persons created; 0 on a dry run.
    #[schema(example = 3, minimum = 0, maximum = 20000)]
    pub created: usize,
    /// On a dry run: how many a real run would create.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 3, minimum = 0, maximum = 20000)]
    pub would_create: Option<usize>,
    /// The ids of the new units or persons, in the order of the rows; empty on a dry run.
    #[schema(example = json!([21, 22, 23]), max_items = 20000)]
    pub ids: Vec<i64>,
    /// Always empty here: a file with problems is refused as a whole with 422, whose
    /// `errors` name each one as `row N: column`.
    #[schema(max_items = 0)]
    pub errors: Vec<FieldErrorBody>,
}

/// The checked rows of a file, in file order, ready to be written.
#[derive(Debug)]
pub struct Plan {
    rows: Vec<PlannedRow>,
}

/// Row problems as one 422, each named `row N: column`, at most [`MAX_ERRORS`] of them.
fn refusal(mut errors: Vec<FieldError>) -> ApiError {
    if errors.len() > MAX_ERRORS {
        let more = errors.len() - MAX_ERRORS;
        errors.truncate(MAX_ERRORS);
        errors.push(FieldError::new(
            "file",
            FieldCode::TooManyErrors,
            crate::text!(
                "{more} more problems are not listed",
                "còn {more} lỗi khác chưa được liệt kê"
            ),
        ));
    }
    ApiError::Validation(errors)
}

fn at_row(number: usize, problems: Vec<FieldError>) -> impl Iterator<Item = FieldError> {
    problems.into_iter().map(move |e| FieldError {
        field: format!("row {number}: {}", e.field),
        ..e
    })
}

/// Checks every row with reads only, calling `progress` with the number of rows done.
/// Problems are collected over the whole file and returned as one 422.
pub fn check(
    c: &mut AnyConnection,
    p: &Prepared,
    progress: &dyn Fn(usize),
) -> Result<Plan, ApiError> {
    let mut ctx = rows::Context::new(c, p.target, &p.columns, &p.sheet)?;
    let mut planned = Vec::with_capacity(p.rows());
    let mut errors = Vec::new();
    for (done, row) in p.sheet.rows.iter().enumerate() {
        match rows::plan_row(c, p.target, &mut ctx, &p.columns, row)? {
            Ok(data) => planned.push(PlannedRow {
                number: row.number,
                data,
            }),
            Err(problems) => errors.extend(at_row(row.number, problems)),
        }
        progress(done + 1);
    }
    if !errors.is_empty() {
        return Err(refusal(errors));
    }
    Ok(Plan { rows: planned })
}

/// The report of a dry run: the file passed [`check`].
pub fn dry_run_report(p: &Prepared, plan: &Plan) -> ImportReport {
    ImportReport {
        dry_run: true,
        rows: p.rows(),
        created: 0,
        would_create: Some(plan.rows.len()),
        ids: vec![],
        errors: vec![],
    }
}

/// Creates the checked rows inside the caller's write transaction, calling `progress` with
/// the number of rows done, and audits the import as a whole. A row the database now refuses
/// (a code taken since the check) fails the whole import with a 422 naming it.
pub fn write(
    c: &mut AnyConnection,
    actor: &Actor,
    p: &Prepared,
    plan: &Plan,
    progress: &dyn Fn(usize),
) -> Result<ImportReport, ApiError> {
    lock_tables(c, p.target)?;
    let mut ids = Vec::with_capacity(plan.rows.len());
    for (done, row) in plan.rows.iter().enumerate() {
        match rows::create(c, actor, p.target, row, &ids)? {
            Ok(id) => ids.push(id),
            Err(problems) => return Err(refusal(at_row(row.number, problems).collect())),
        }
        progress(done + 1);
    }
    let created = ids.len();
    audit::record(
        c,
        actor,
        Change {
            action: p.target.action(),
            resource_type: p.target.resource_type(),
            resource_id: None,
            before: None,
            after: Some(serde_json::json!({
                "format": p.format.as_str(),
                "rows": p.rows(),
                "created": created,
            })),
        },
    )?;
    Ok(ImportReport {
        dry_run: false,
        rows: p.rows(),
        created,
        would_create: None,
        ids,
        errors: vec![],
    })
}

/// On PostgreSQL, keeps other writers of the imported table out until the import commits.
/// A SERIALIZABLE transaction that reads thousands of rows has its read locks widened to the
/// whole table, so without this any concurrent create would make the import fail its
/// serialization check again and again. With the lock, the import wins and those writers wait
/// (and retry once, if their own reads went stale). SQLite has one writer anyway.
fn lock_tables(c: &mut AnyConnection, target: Target) -> Result<(), ApiError> {
    if let AnyConnection::Postgresql(_) = c {
        let sql = match target {
            Target::Units => "LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE",
            Target::Persons => "LOCK TABLE persons IN SHARE ROW EXCLUSIVE MODE",
        };
        diesel::sql_query(sql).execute(c)?;
    }
    Ok(())
}

/// How many imports may run at once, reading or checking; each holds its file and its rows
/// in memory, so this bounds the memory imports take as a whole.
pub const MAX_CONCURRENT: usize = 2;

/// The server's import slots: a bound on imports running at once, and the turn to write.
pub struct Slots {
    running: tokio::sync::Semaphore,
    writing: tokio::sync::Mutex<()>,
}

impl Default for Slots {
    fn default() -> Self {
        Slots {
            running: tokio::sync::Semaphore::new(MAX_CONCURRENT),
            writing: tokio::sync::Mutex::new(()),
        }
    }
}

impl Slots {
    /// A slot to run an import in, or a 503 (with `Retry-After`) when all are taken: an
    /// import refused at once costs nothing, one queued would hold its upload in memory.
    pub fn start(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
        self.running.try_acquire().map_err(|_| {
            ApiError::Unavailable(format!(
                "{MAX_CONCURRENT} imports are already running; retry when one has finished"
            ))
        })
    }

    /// The turn to write, one import at a time: two imports queued on the database's write
    /// lock together would make ordinary writes behind them wait for both.
    pub async fn write_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writing.lock().await
    }
}
