//! Bulk import of units and persons from a CSV or XLSX file, shared by
//! `POST /api/v1/imports/{units,persons}` and `thidua import`.
//!
//! Every row goes through the API's own create path (`Create*::into_data`, then
//! `ops::*::create`), so an imported unit is checked, indexed for search and audited exactly
//! like one created with `POST /units`. The whole file is one transaction: if any row has a
//! problem, nothing is written and every problem is reported as `row N: column`.

pub mod columns;
mod rows;
pub mod sheet;

use serde::Serialize;
use utoipa::ToSchema;

use self::columns::{Column, PERSON_COLUMNS, UNIT_COLUMNS};
use self::sheet::{Format, Sheet};
use crate::auth::Actor;
use crate::db::AnyConnection;
use crate::db::audit::{self, Change};
use crate::error::{ApiError, FieldError};

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

/// A file read and its header understood, ready to run (possibly more than once: a
/// PostgreSQL serialization failure retries the whole transaction).
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
    /// `true` when the file was only checked: everything was done, then rolled back.
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
    pub errors: Vec<FieldError>,
}

/// Carries a dry run's report out of the transaction closure: returning an error is what
/// makes the transaction roll back.
#[derive(Debug, thiserror::Error)]
#[error("dry run finished; rolled back on purpose")]
struct RolledBack(ImportReport);

/// The report of a dry run that `execute` ended with its rollback sentinel; any other error
/// is passed on.
pub fn dry_run_report(e: ApiError) -> Result<ImportReport, ApiError> {
    match e {
        ApiError::Internal(inner) => inner
            .downcast::<RolledBack>()
            .map(|r| r.0)
            .map_err(ApiError::Internal),
        other => Err(other),
    }
}

/// Imports every row inside the caller's write transaction, calling `progress` with the
/// number of rows done. Problems in rows are collected over the whole file and returned as
/// one 422; a dry run returns its report inside an error (see [`dry_run_report`]) so that
/// the transaction rolls back.
pub fn execute(
    c: &mut AnyConnection,
    actor: &Actor,
    p: &Prepared,
    dry_run: bool,
    progress: &dyn Fn(usize),
) -> Result<ImportReport, ApiError> {
    let mut ctx = rows::Context::new(p.target, &p.columns, &p.sheet);
    let mut ids = Vec::with_capacity(p.rows());
    let mut errors = Vec::new();
    for (done, row) in p.sheet.rows.iter().enumerate() {
        match rows::import_row(c, actor, p.target, &mut ctx, &p.columns, row)? {
            Ok(id) => ids.push(id),
            Err(problems) => errors.extend(problems.into_iter().map(|e| FieldError {
                field: format!("row {}: {}", row.number, e.field),
                ..e
            })),
        }
        progress(done + 1);
    }
    if !errors.is_empty() {
        if errors.len() > MAX_ERRORS {
            let more = errors.len() - MAX_ERRORS;
            errors.truncate(MAX_ERRORS);
            errors.push(FieldError::new(
                "file",
                "too_many_errors",
                format!("{more} more problems are not listed"),
            ));
        }
        return Err(ApiError::Validation(errors));
    }
    let created = ids.len();
    if dry_run {
        return Err(ApiError::Internal(anyhow::Error::new(RolledBack(
            ImportReport {
                dry_run: true,
                rows: p.rows(),
                created: 0,
                would_create: Some(created),
                ids: vec![],
                errors: vec![],
            },
        ))));
    }
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
