//! `/imports`: bulk creation of units and persons from a CSV or XLSX file (admins). The work
//! itself is in [`crate::import`], shared with `thidua import`.

use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::api::responses::AdminCreate;
use crate::auth::AuthUser;
use crate::db;
use crate::domain::Permission;
use crate::error::{ApiError, Code};
use crate::http::idempotency::{IdempotencyKey, Reply};
use crate::import::sheet::Format;
use crate::import::{self, ImportReport, Target};
use crate::state::AppState;

/// How to run an import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check the whole file as a real run would, then roll back: nothing is written.
    #[serde(default)]
    #[param(default = false)]
    pub dry_run: bool,
}

/// A CSV file: UTF-8 (a byte-order mark is allowed), comma-separated, with a header row. At
/// most `THIDUA_IMPORT_LIMIT_BYTES` bytes: 10 MiB unless configured otherwise.
#[derive(ToSchema)]
#[schema(value_type = String, content_media_type = "text/csv", max_length = 10485760)]
pub struct CsvFile(pub String);

/// An XLSX workbook, as raw bytes; the first worksheet is read, its first row naming the
/// columns. At most `THIDUA_IMPORT_LIMIT_BYTES` bytes: 10 MiB unless configured otherwise.
#[derive(ToSchema)]
#[schema(
    value_type = String,
    format = Binary,
    content_media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)]
pub struct XlsxFile(pub Vec<u8>);

/// What a retry must repeat to replay the first answer: the file and the mode.
#[derive(Serialize)]
struct Fingerprint {
    dry_run: bool,
    sha256: String,
}

const EXPECTED: &str =
    "text/csv (UTF-8) or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Reads the body up to the import limit (`THIDUA_IMPORT_LIMIT_BYTES`, not the general body
/// limit: spreadsheets are bigger than JSON requests).
async fn read_file(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge);
    }
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(ApiError::bad_request(
            Code::UnreadableBody,
            crate::http::body::UNREADABLE,
        )),
        Err(_) => Err(ApiError::PayloadTooLarge),
    }
}

async fn run(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    query: ImportQuery,
    idempotency: IdempotencyKey,
    payload: web::Payload,
    target: Target,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ImportRegistry)?;
    let format = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(Format::from_content_type)
        .ok_or(ApiError::UnsupportedMediaType(EXPECTED))?;
    // Before the body is read: a refused import must not hold its upload in memory.
    let _slot = state.imports.start()?;
    let bytes = read_file(&req, payload, state.import_limit).await?;
    let fingerprint = Fingerprint {
        dry_run: query.dry_run,
        sha256: format!("{:x}", Sha256::digest(&bytes)),
    };
    // Parsing a large workbook is CPU work: off the executor, like database work.
    let prepared = Arc::new(db::run(move || import::prepare(target, format, &bytes)).await?);
    // Checking only reads, so it takes no write lock: a dry run never holds up other writers.
    let p = prepared.clone();
    let plan = Arc::new(
        state
            .db
            .read(move |c| import::check(c, &p, &|_| {}))
            .await?,
    );
    if query.dry_run {
        return Ok(HttpResponse::Ok().json(import::dry_run_report(&prepared, &plan)));
    }
    let _turn = state.imports.write_turn().await;
    let actor = user.actor();
    idempotency
        .run(&state.db, &user, &fingerprint, move |c| {
            let report = import::write(c, &actor, &prepared, &plan, &|_| {})?;
            Ok(Reply {
                status: StatusCode::CREATED,
                body: serde_json::to_value(report).map_err(|e| ApiError::Internal(e.into()))?,
                location: None,
                etag: None,
            })
        })
        .await
}

/// Import units (admins).
///
/// The body is the file itself: CSV (UTF-8, with or without a byte-order mark, comma-separated)
/// or XLSX (the first worksheet). The first row names the columns, in any order and case:
/// `code`, `name`, `kind` and `valid_from` are required; `short_name`, `admin_level`,
/// `parent_code`, `valid_to`, `successor_code`, `address`, `phone` and `email` are optional.
/// Values follow `POST /units`; `valid_from` and `valid_to` are `YYYY-MM-DD` (or date cells),
/// `parent_code` and `successor_code` are codes of units in the database or in an earlier row.
///
/// A CSV export of `GET /units` imports back as it is: its `id` column is read only so that
/// `parent_id` and `successor_id` can name other rows of the same file (never units of the
/// database, whose ids differ); a code column, when a row has one, wins over its id column.
///
/// Each row is checked and created exactly like `POST /units` (and audited `unit.create`),
/// all in one transaction, plus one `import.units` audit event. If any row has a problem,
/// nothing is written and the 422 problem lists every problem of every row, each `field`
/// being `row N: column` with N the row number a spreadsheet shows (the header is row 1).
/// At most 20 000 data rows; an XLSX file may unpack to at most 48 MiB and a cell hold at
/// most 32 KiB of text (else 422 `too_large`); no cell may hold a control character other
/// than tab or a line break. A dry run checks every row with reads only. At most two
/// imports run at once; another gets 503 with `Retry-After`.
#[utoipa::path(
    tag = "imports",
    params(
        ImportQuery,
        IdempotencyKey,
    ),
    request_body(
        description = "The file: CSV or XLSX, with a header row",
        content((CsvFile = "text/csv", example = "code,name,kind,admin_level,parent_code,valid_from\nUBND-DB,Ủy ban nhân dân tỉnh Điện Biên,administrative,province,,2004-01-01\nSCT,Sở Công thương,administrative,province,UBND-DB,2008-04-01\n"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    ),
    security(("bearer" = [])),
    responses(
        AdminCreate,
        (status = 200, description = "Dry run: the file is valid; nothing was written", body = ImportReport),
        (status = 201, description = "Every row was created", body = ImportReport),
        (status = 400, description = "Unreadable file or bad query"),
        (status = 413, description = "The file is larger than THIDUA_IMPORT_LIMIT_BYTES"),
        (status = 415, description = "Neither CSV nor XLSX"),
        (status = 422, description = "Problems in the header or rows (`row N: column`), too many rows, a file or cell too large, or an Idempotency-Key reused with another file; nothing was written"),
        (status = 503, description = "Too many imports are running; retry after `Retry-After` seconds"),
    )
)]
#[post("/imports/units")]
pub async fn import_units(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ImportQuery>,
    idempotency: IdempotencyKey,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    run(req, user, state, query, idempotency, payload, Target::Units).await
}

/// Import persons (admins).
///
/// The body is the file itself, as for units. Columns: `full_name` and `unit_code` (the code
/// of a unit in the database) are required; `gender` (`male`, `female`), `birth_year`,
/// `position` and `civil_servant_code` are optional. A CSV export of `GET /persons` imports
/// back as it is: `id` is ignored and `unit_id` names a unit of this database by its id
/// (between databases, give `unit_code` instead). The limits are those of units. Each row is checked and created exactly
/// like `POST /persons` (audited `person.create`), all in one transaction, plus one
/// `import.persons` audit event; any problem and nothing is written, the 422 listing every
/// problem as `row N: column`. At most 20 000 data rows.
#[utoipa::path(
    tag = "imports",
    params(
        ImportQuery,
        IdempotencyKey,
    ),
    request_body(
        description = "The file: CSV or XLSX, with a header row",
        content((CsvFile = "text/csv", example = "full_name,gender,birth_year,position,unit_code,civil_servant_code\nNguyễn Văn An,male,1978,Giám đốc,SCT,CC-2019-00123\nLò Thị Hoa,female,1985,Phó Giám đốc,SCT,\n"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    ),
    security(("bearer" = [])),
    responses(
        AdminCreate,
        (status = 200, description = "Dry run: the file is valid; nothing was written", body = ImportReport),
        (status = 201, description = "Every row was created", body = ImportReport),
        (status = 400, description = "Unreadable file or bad query"),
        (status = 413, description = "The file is larger than THIDUA_IMPORT_LIMIT_BYTES"),
        (status = 415, description = "Neither CSV nor XLSX"),
        (status = 422, description = "Problems in the header or rows (`row N: column`), too many rows, a file or cell too large, or an Idempotency-Key reused with another file; nothing was written"),
        (status = 503, description = "Too many imports are running; retry after `Retry-After` seconds"),
    )
)]
#[post("/imports/persons")]
pub async fn import_persons(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ImportQuery>,
    idempotency: IdempotencyKey,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    run(
        req,
        user,
        state,
        query,
        idempotency,
        payload,
        Target::Persons,
    )
    .await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(import_units).service(import_persons);
}
