//! The HTTP contract every endpoint inherits: request ids, bodies, extractor errors, 404/405,
//! preconditions, idempotency and metrics.

pub mod body;
pub mod csv;
pub mod idempotency;
pub mod metrics;
pub mod preconditions;
pub mod request_id;

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::error::{ApiError, FieldError};

/// Query-string errors become 400 problems naming the parameter where serde says which.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _| {
        let message = err.to_string();
        let message = message
            .trim_start_matches("Query deserialize error: ")
            .to_owned();
        let field = backticked(&message).unwrap_or_else(|| "query".into());
        ApiError::BadRequest {
            code: "invalid_query",
            message: message.clone(),
            errors: vec![FieldError::new(field, "invalid", message)],
        }
        .into()
    })
}

/// Path errors (`/users/abc`) become 400 problems.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _| {
        let message = err.to_string();
        ApiError::BadRequest {
            code: "invalid_path",
            message: message.clone(),
            errors: vec![FieldError::new("path", "invalid", message)],
        }
        .into()
    })
}

/// The first name in backticks in a serde message (`unknown field `x``, `missing field `y``).
fn backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

/// Every route and its methods, taken from the OpenAPI document so that the 405 answer and
/// its `Allow` header always agree with what the API documents.
#[derive(Debug)]
pub struct KnownRoutes(Vec<(ResourceDef, Vec<&'static str>)>);

impl KnownRoutes {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> KnownRoutes {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let ops = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                let methods = ops.iter().filter(|(_, on)| *on).map(|(m, _)| *m).collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        KnownRoutes(routes)
    }

    fn methods_for(&self, path: &str) -> Option<&[&'static str]> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, m)| m.as_slice())
    }
}

/// The fallback for everything no route matched: 405 with `Allow` when the path exists under
/// other methods, else 404 — both as problem documents.
pub async fn fallback(req: HttpRequest, routes: web::Data<KnownRoutes>) -> HttpResponse {
    let error = match routes.methods_for(req.path()) {
        Some(methods) => {
            ApiError::MethodNotAllowed(methods.iter().map(|m| m.to_string()).collect())
        }
        None => ApiError::NotFound("resource"),
    };
    error.error_response()
}
