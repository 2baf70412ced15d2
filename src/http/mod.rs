//! The HTTP contract every endpoint inherits: request ids, bodies, extractor errors, 404/405,
//! preconditions, idempotency and metrics.

pub mod body;
pub mod csv;
pub mod edge;
pub mod idempotency;
pub mod metrics;
pub mod preconditions;
pub mod request_id;

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::error::{ApiError, Code, FieldCode, FieldError, Text, noun};

/// Query-string errors become 400 problems naming the parameter and the form it must take.
///
/// serde_urlencoded says what went wrong but not where ("invalid digit found in string"), so
/// the parameter is found again by checking each value, in order, against its schema in the API
/// document: the first one that does not fit is the one serde stopped at.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, req| {
        let message = err.to_string();
        let message = message.trim_start_matches("Query deserialize error: ");
        let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
            .map(web::Query::into_inner)
            .unwrap_or_default();
        let named = ["unknown field `", "missing field `", "duplicate field `"]
            .iter()
            .any(|p| message.starts_with(p))
            .then(|| backticked(message))
            .flatten();
        let (field, detail) = match named {
            Some(name) => (name, expected_form(message)),
            None => req
                .app_data::<web::Data<KnownRoutes>>()
                .and_then(|routes| routes.misfit(req.path(), "query", pairs.iter()))
                .unwrap_or_else(|| ("query".into(), expected_form(message))),
        };
        ApiError::BadRequest {
            code: Code::InvalidQuery,
            message: detail.map(|m| format!("{field}: {m}")),
            errors: vec![FieldError::new(field, FieldCode::Invalid, detail)],
        }
        .into()
    })
}

/// Path errors (`/users/abc`) become 400 problems naming the segment and its form.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, req| {
        let routes = req.app_data::<web::Data<KnownRoutes>>();
        if let Some(methods) =
            routes.and_then(|r| r.literal_without(req.path(), req.method().as_str()))
        {
            return ApiError::MethodNotAllowed(methods.iter().map(|m| m.to_string()).collect())
                .into();
        }
        let segments: Vec<(String, String)> = req
            .match_info()
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let (field, detail) = req
            .app_data::<web::Data<KnownRoutes>>()
            .and_then(|routes| routes.misfit(req.path(), "path", segments.iter()))
            .unwrap_or_else(|| ("path".into(), expected_form(&err.to_string())));
        ApiError::BadRequest {
            code: Code::InvalidPath,
            message: detail.map(|m| format!("{field}: {m}")),
            errors: vec![FieldError::new(field, FieldCode::Invalid, detail)],
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

/// A serde or chrono message in the API's terms: Rust type names become the JSON forms, and a
/// date that chrono could not read says which form it wants. serde speaks English only; the
/// Vietnamese says the same for the messages serde gives, and the general case for others.
fn expected_form(message: &str) -> Text {
    let mut out = message.to_owned();
    for (rust, form) in [
        ("expected i64", "expected an integer"),
        ("expected i32", "expected an integer"),
        ("expected u64", "expected a non-negative integer"),
        ("expected u32", "expected a non-negative integer"),
        ("expected f64", "expected a number"),
        ("to a i64", "to an integer"),
        ("to a i32", "to an integer"),
    ] {
        out = out.replace(rust, form);
    }
    const CHRONO: [&str; 6] = [
        "input contains invalid characters",
        "premature end of input",
        "trailing input",
        "input is out of range",
        "no possible date and time matching input",
        "input is not enough for unique date and time",
    ];
    if CHRONO.iter().any(|m| out.starts_with(m)) {
        out.push_str(": expected a date as YYYY-MM-DD");
        return Text::owned(out, "phải là ngày viết theo dạng YYYY-MM-DD");
    }
    let vi = in_vietnamese(&out);
    Text::owned(out, vi)
}

/// serde's data errors, as `expected_form` leaves them, in Vietnamese. A message of a shape
/// serde does not usually give keeps its English in parentheses.
fn in_vietnamese(en: &str) -> String {
    let general = || format!("{} ({en})", FieldCode::InvalidField.text().vi());
    // What follows "expected" in serde's messages.
    let wanted = en.rsplit_once("expected ").map_or("", |(_, w)| w);
    let listed = wanted.strip_prefix("one of ");
    let kind = [
        ("an integer", "một số nguyên"),
        ("a non-negative integer", "một số nguyên không âm"),
        ("a number", "một số"),
        ("a string", "một chuỗi ký tự"),
        ("a boolean", "giá trị true hoặc false"),
        ("a sequence", "một mảng"),
        ("a map", "một đối tượng JSON"),
        ("struct", "một đối tượng JSON"),
        ("a date", "một ngày viết theo dạng YYYY-MM-DD"),
    ]
    .iter()
    .find(|(e, _)| wanted.starts_with(e))
    .map(|(_, vi)| *vi);
    let name = backticked(en).unwrap_or_default();
    if en.starts_with("missing field") {
        format!("thiếu trường bắt buộc `{name}`")
    } else if en.starts_with("unknown field") {
        match listed {
            Some(list) => {
                format!("`{name}` không phải là trường của yêu cầu này; các trường là {list}")
            }
            None => format!("`{name}` không phải là trường của yêu cầu này"),
        }
    } else if en.starts_with("duplicate field") {
        format!("trường `{name}` xuất hiện nhiều lần")
    } else if en.starts_with("unknown variant") {
        match listed {
            Some(list) => {
                format!("giá trị `{name}` không được phép; hãy dùng một trong các giá trị {list}")
            }
            None => format!("giá trị `{name}` không được phép"),
        }
    } else if en.starts_with("invalid type") || en.starts_with("invalid value") {
        match kind {
            Some(kind) => format!("sai kiểu dữ liệu: cần {kind}"),
            None => general(),
        }
    } else if en.starts_with("cannot be null") {
        "không được là null: bỏ trường này đi để giữ nguyên giá trị".to_owned()
    } else if en.contains("invalid digit") || en.contains("number too") {
        "phải là một số nguyên".to_owned()
    } else {
        general()
    }
}

/// The form a parameter's value must take, read from its schema in the API document.
#[derive(Debug, Clone, PartialEq)]
enum Form {
    Integer { min: Option<i64>, max: Option<i64> },
    Boolean,
    Date,
    DateTime,
    OneOf(Vec<String>),
    Text,
}

impl Form {
    fn from_schema(schema: &serde_json::Value, api: &serde_json::Value) -> Form {
        let schema = match schema.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => r
                .strip_prefix("#/")
                .map(|p| format!("/{p}"))
                .and_then(|p| api.pointer(&p))
                .unwrap_or(schema),
            None => schema,
        };
        if let Some(values) = schema.get("enum").and_then(|e| e.as_array()) {
            return Form::OneOf(
                values
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            );
        }
        let format = schema.get("format").and_then(|f| f.as_str());
        match (schema.get("type").and_then(|t| t.as_str()), format) {
            (Some("integer"), _) => Form::Integer {
                min: schema.get("minimum").and_then(|v| v.as_i64()),
                max: schema.get("maximum").and_then(|v| v.as_i64()),
            },
            (Some("boolean"), _) => Form::Boolean,
            (Some("string"), Some("date")) => Form::Date,
            (Some("string"), Some("date-time")) => Form::DateTime,
            _ => Form::Text,
        }
    }

    /// Whether serde could read `value` in this form (bounds are checked later, by validation).
    fn fits(&self, value: &str) -> bool {
        match self {
            Form::Integer { .. } => value.parse::<i64>().is_ok(),
            Form::Boolean => matches!(value, "true" | "false"),
            Form::Date => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok(),
            Form::DateTime => chrono::DateTime::parse_from_rfc3339(value).is_ok(),
            Form::OneOf(values) => values.iter().any(|v| v == value),
            Form::Text => true,
        }
    }

    fn describe(&self) -> Text {
        match self {
            Form::Integer {
                min: Some(min),
                max: Some(max),
            } => crate::text!(
                "must be an integer from {min} to {max}",
                "phải là số nguyên từ {min} đến {max}"
            ),
            Form::Integer { min: Some(min), .. } => crate::text!(
                "must be an integer of at least {min}",
                "phải là số nguyên lớn hơn hoặc bằng {min}"
            ),
            Form::Integer { .. } => Text::new("must be an integer", "phải là số nguyên"),
            Form::Boolean => Text::new("must be `true` or `false`", "phải là `true` hoặc `false`"),
            Form::Date => Text::new(
                "must be a date as YYYY-MM-DD",
                "phải là ngày viết theo dạng YYYY-MM-DD",
            ),
            Form::DateTime => Text::new(
                "must be an RFC 3339 date and time, e.g. 2026-11-25T08:00:00Z",
                "phải là ngày giờ theo RFC 3339, ví dụ 2026-11-25T08:00:00Z",
            ),
            Form::OneOf(values) => {
                let list = values
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                crate::text!(
                    "must be one of {list}",
                    "phải là một trong các giá trị {list}"
                )
            }
            Form::Text => FieldCode::Invalid.text(),
        }
    }
}

/// One documented path: its methods and the forms of its path and query parameters.
#[derive(Debug)]
struct Route {
    def: ResourceDef,
    methods: Vec<&'static str>,
    /// `(in, name, form)`, `in` being `path` or `query`.
    params: Vec<(String, String, Form)>,
}

/// Every route, its methods and its parameters, taken from the OpenAPI document so that the 405
/// answer, its `Allow` header and the parameter errors always agree with what the API documents.
#[derive(Debug)]
pub struct KnownRoutes(Vec<Route>);

impl KnownRoutes {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> KnownRoutes {
        let json = serde_json::to_value(api).unwrap_or_default();
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
                let mut params: Vec<(String, String, Form)> = Vec::new();
                let item_json = json.get("paths").and_then(|p| p.get(path));
                let operations = item_json.and_then(|i| i.as_object()).into_iter().flatten();
                for (_, op) in operations {
                    let list = op.get("parameters").and_then(|p| p.as_array());
                    for param in list.into_iter().flatten() {
                        let text = |k: &str| param.get(k).and_then(|v| v.as_str());
                        let (Some(place), Some(name)) = (text("in"), text("name")) else {
                            continue;
                        };
                        if params.iter().any(|(p, n, _)| p == place && n == name) {
                            continue;
                        }
                        let schema = param.get("schema").cloned().unwrap_or_default();
                        let form = Form::from_schema(&schema, &json);
                        params.push((place.to_owned(), name.to_owned(), form));
                    }
                }
                Route {
                    def: ResourceDef::new(path.as_str()),
                    methods,
                    params,
                }
            })
            .collect();
        KnownRoutes(routes)
    }

    fn route(&self, path: &str) -> Option<&Route> {
        self.0.iter().find(|r| r.def.is_match(path))
    }

    /// The methods of a path whose last segment is written out (`/blocs/export`), when
    /// `method` is not one of them: such a path also fits a templated one (`/blocs/{id}`), whose
    /// handler would otherwise answer with a 400 about the id instead of a 405.
    fn literal_without(&self, path: &str, method: &str) -> Option<&[&'static str]> {
        self.0
            .iter()
            .find(|r| r.def.is_match(path) && !r.def.pattern().unwrap_or_default().ends_with('}'))
            .map(|r| r.methods.as_slice())
            .filter(|methods| !methods.contains(&method))
    }

    fn methods_for(&self, path: &str) -> Option<&[&'static str]> {
        self.route(path).map(|r| r.methods.as_slice())
    }

    /// The first of `values` (`name`, `value`) that does not fit its documented form, with what
    /// the form is.
    fn misfit<'a>(
        &self,
        path: &str,
        place: &str,
        mut values: impl Iterator<Item = &'a (String, String)>,
    ) -> Option<(String, Text)> {
        let route = self.route(path)?;
        values.find_map(|(name, value)| {
            let (_, _, form) = route
                .params
                .iter()
                .find(|(p, n, _)| p == place && n == name)?;
            (!form.fits(value)).then(|| (name.clone(), form.describe()))
        })
    }
}

/// The fallback for everything no route matched: 405 with `Allow` when the path exists under
/// other methods, else 404 — both as problem documents.
pub async fn fallback(req: HttpRequest, routes: web::Data<KnownRoutes>) -> HttpResponse {
    let error = match routes.methods_for(req.path()) {
        Some(methods) => {
            ApiError::MethodNotAllowed(methods.iter().map(|m| m.to_string()).collect())
        }
        None => ApiError::NotFound(noun::RESOURCE),
    };
    error.error_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_read_in_vietnamese() {
        let vi = |en: &str| expected_form(en).vi().to_owned();
        assert_eq!(
            vi("invalid type: integer `5`, expected a string"),
            "sai kiểu dữ liệu: cần một chuỗi ký tự"
        );
        assert_eq!(
            vi("invalid value: string \"x\", expected i64"),
            "sai kiểu dữ liệu: cần một số nguyên"
        );
        assert_eq!(vi("missing field `name`"), "thiếu trường bắt buộc `name`");
        assert_eq!(
            vi("unknown field `nme`, expected one of `name`, `code`"),
            "`nme` không phải là trường của yêu cầu này; các trường là `name`, `code`"
        );
        assert_eq!(
            vi("unknown variant `x`, expected one of `json`, `csv`"),
            "giá trị `x` không được phép; hãy dùng một trong các giá trị `json`, `csv`"
        );
        assert_eq!(
            vi("premature end of input"),
            "phải là ngày viết theo dạng YYYY-MM-DD"
        );
        assert!(vi("something new").ends_with("(something new)"));
    }
}
