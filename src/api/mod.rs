//! The HTTP API: every resource's routes, and the OpenAPI document they generate.

pub mod audit;
pub mod auth;
pub mod bloc_types;
pub mod blocs;
pub mod covenant_types;
pub mod covenants;
pub mod goal_types;
pub mod goals;
pub mod health;
pub mod imports;
pub mod movement_types;
pub mod movements;
pub mod person_types;
pub mod persons;
pub mod ranking;
pub mod responses;
pub mod review_types;
pub mod reviews;
pub mod score_sheet_types;
pub mod score_sheets;
pub mod spec;
pub mod transitions;
pub mod unit_types;
pub mod units;
pub mod user_types;
pub mod users;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::{AppExt, scope, service_config::ServiceConfig};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "thidua",
        description = "Records and queries of the emulation and commendation cycle (thi đua – khen thưởng) \
            of a Vietnamese province: blocs and clusters, covenants, scores, reviews, proposals and awards.\n\n\
            Errors are RFC 9457 problem documents whose `code` (one of `ProblemCode`, and for each \
            field one of `FieldCode`) is stable; their `title`, `detail` and field messages are in \
            Vietnamese when `Accept-Language` prefers `vi` (`vi`, `vi-VN`, `vi-VN,vi;q=0.9,en;q=0.8`) and in \
            English otherwise, as `Content-Language` says. Lists are paginated with `page_size` and `page_token`. \
            Single resources carry an `ETag`; PATCH, PUT and DELETE need `If-Match`. POSTs accept an \
            `Idempotency-Key`.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    servers((url = "/", description = "This server")),
    modifiers(&BearerAuth),
    // Referred to by the shared problem answers (`responses.rs`), which utoipa does not scan.
    components(schemas(crate::error::Problem)),
    tags(
        (name = "auth", description = "Logging in and out, tokens, one's own account"),
        (name = "users", description = "User accounts (admins only)"),
        (name = "units", description = "Agencies and localities (đơn vị), as a tree with validity periods"),
        (name = "persons", description = "People (cá nhân) of the units, with minimal personal data"),
        (name = "blocs", description = "Emulation blocs and clusters (khối, cụm thi đua) and their yearly members"),
        (name = "covenants", description = "Covenants (giao ước thi đua) of a bloc-year: signatories, criteria and classification bands"),
        (name = "score-sheets", description = "Score sheets (bảng chấm điểm): self, cross and board assessments, their entries and workflow"),
        (name = "movements", description = "Emulation movements (phong trào thi đua) and unit registrations"),
        (name = "goals", description = "Units' goals (chỉ tiêu) per period, with their progress, and a bloc's side by side"),
        (name = "reviews", description = "Review meetings of blocs (hội nghị ký kết, sơ kết, tổng kết): attendees, results, focus tasks, resolutions, awards handed over"),
        (name = "imports", description = "Bulk import of units and persons from CSV or XLSX"),
        (name = "audit", description = "The audit trail of every write (admins only)"),
        (name = "operations", description = "Health probes"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /api/v1/auth/login"))
                    .build(),
            ),
        );
    }
}

/// Registers every route: probes at the root, the API under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(health::configure);
    cfg.service(
        scope::scope("/api/v1")
            .configure(auth::configure)
            .configure(users::configure)
            .configure(audit::configure)
            .configure(units::configure)
            .configure(persons::configure)
            .configure(blocs::configure)
            .configure(covenants::configure)
            .configure(score_sheets::configure)
            .configure(ranking::configure)
            .configure(movements::configure)
            .configure(goals::configure)
            .configure(reviews::configure)
            .configure(imports::configure),
    );
}

/// The OpenAPI document, as served at `/api/v1/openapi.json` and committed in `openapi/`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(configure)
        .split_for_parts();
    spec::harmonise_all(api)
}
