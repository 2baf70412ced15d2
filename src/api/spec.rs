//! Rules the whole API document follows, applied to every operation after generation so that
//! no handler can forget them: the problem answers the shared mechanisms can give (a body,
//! path or query can be malformed, a body too large or of the wrong type; If-Match can be
//! missing, malformed or stale; a token can be missing; the database can be saturated), each a
//! `$ref` to one shared answer with its example (`responses.rs`); an example for every other
//! problem answer; and both media types of a merge patch.

use serde_json::{Map, Value, json};

use super::responses::{self, name};
use crate::error::{Code, Lang, Problem, Text};
use crate::http::body::{JSON, MERGE_PATCH};

fn shared(name: &str) -> Value {
    json!({"$ref": format!("#/components/responses/{name}")})
}

fn ensure(responses: &mut Map<String, Value>, status: &str, name: &str) {
    responses.entry(status).or_insert_with(|| shared(name));
}

fn has_param(op: &Value, location: &str, name: Option<&str>) -> bool {
    op["parameters"].as_array().is_some_and(|ps| {
        ps.iter().any(|p| {
            p["in"] == location
                && name.is_none_or(|n| {
                    p["name"]
                        .as_str()
                        .is_some_and(|pn| pn.eq_ignore_ascii_case(n))
                })
        })
    })
}

fn secured(op: &Value) -> bool {
    op["security"].as_array().is_some_and(|reqs| {
        reqs.iter()
            .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
    })
}

/// The first code of the catalogue a description names in backticks, e.g. `movement_not_open`.
fn named_code(description: &str) -> Option<Code> {
    description
        .split('`')
        .skip(1)
        .step_by(2)
        .find_map(|word| word.parse().ok())
}

/// An example for an operation's own problem answer, from its status and description.
fn own_example(status: u16, description: &str, path: &str) -> Value {
    let code = named_code(description).unwrap_or(match status {
        400 => Code::InvalidQuery,
        401 => Code::Unauthorized,
        403 => Code::Forbidden,
        404 => Code::NotFound,
        409 => Code::Conflict,
        413 => Code::PayloadTooLarge,
        415 => Code::UnsupportedMediaType,
        422 => Code::ValidationFailed,
        429 => Code::QuotaExceeded,
        503 => Code::ServiceUnavailable,
        _ => Code::InternalError,
    });
    let instance = path
        .replace("{id}", "42")
        .replace("{rid}", "7")
        .replace("{year}", "2025");
    let detail = Text::owned(description, description);
    let problem = Problem {
        instance: Some(instance),
        request_id: Some(responses::EXAMPLE_REQUEST_ID.to_owned()),
        ..Problem::new(code, status, &detail, Lang::En)
    };
    serde_json::to_value(problem).unwrap_or_default()
}

fn harmonise(path: &str, op: &mut Value) {
    let has_if_match = has_param(op, "header", Some("If-Match"));
    let has_body = op.get("requestBody").is_some();
    // Path and query values can fail to parse (an id beyond 64 bits, a date that is no date),
    // and so can headers such as Idempotency-Key.
    let has_params = ["path", "query", "header"]
        .iter()
        .any(|l| has_param(op, l, None));
    let is_list = has_param(op, "query", Some("order_by"));
    let is_secured = secured(op);
    // Everything under /api/ reads or writes the database, if only to authenticate.
    let uses_db = path.starts_with("/api/");
    // A merge patch is also accepted as plain JSON, which is what generated clients send.
    if let Some(content) = op
        .pointer_mut("/requestBody/content")
        .and_then(Value::as_object_mut)
        && let Some(patch) = content.get(MERGE_PATCH).cloned()
    {
        content.entry(JSON).or_insert(patch);
    }
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    if is_list {
        ensure(responses, "400", name::BAD_LIST_QUERY);
    } else if has_body || has_params {
        ensure(responses, "400", name::BAD_REQUEST);
    }
    if has_body {
        ensure(responses, "413", name::PAYLOAD_TOO_LARGE);
        ensure(responses, "415", name::UNSUPPORTED_MEDIA_TYPE);
    }
    if has_if_match {
        ensure(responses, "412", name::PRECONDITION_FAILED);
        ensure(responses, "428", name::PRECONDITION_REQUIRED);
    }
    if is_secured {
        ensure(responses, "401", name::UNAUTHORIZED);
    }
    if uses_db {
        ensure(responses, "503", name::UNAVAILABLE);
    }
    for (status, response) in responses.iter_mut() {
        let Ok(status) = status.parse::<u16>() else {
            continue;
        };
        if status == 503
            && response.get("$ref").is_none()
            && response.pointer("/headers/Retry-After").is_none()
        {
            response["headers"]["Retry-After"] = json!({
                "description": "Seconds to wait before retrying",
                "schema": {"type": "integer", "minimum": 0},
            });
        }
        // An operation's own problem answers carry a problem document like every other error;
        // only the HTTP layer's bare 431 has no body.
        if status >= 400
            && status != 431
            && response.get("$ref").is_none()
            && response
                .pointer("/content/application~1problem+json")
                .is_none()
        {
            response["content"]["application/problem+json"] =
                json!({"schema": {"$ref": "#/components/schemas/Problem"}});
        }
        let description = response["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if let Some(content) = response
            .pointer_mut("/content/application~1problem+json")
            .and_then(Value::as_object_mut)
        {
            content
                .entry("example")
                .or_insert_with(|| own_example(status, &description, path));
        }
    }
}

/// Applies the rules to every operation of the document, and adds the shared answers.
pub fn harmonise_all(api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut doc) = serde_json::to_value(&api) else {
        return api;
    };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in ["get", "post", "put", "patch", "delete"] {
                if let Some(op) = item.get_mut(method) {
                    harmonise(path, op);
                }
            }
        }
    }
    let shared = &mut doc["components"]["responses"];
    for (name, response) in responses::components() {
        shared[name] = response;
    }
    text_rules(&mut doc);
    serde_json::from_value(doc).unwrap_or(api)
}

/// What every string a client sends may hold, as the request edge checks it
/// (`domain::text`): no C0 or C1 control but tab, line feed and carriage return, no bidi
/// override. Names may refuse more (line breaks, nothing but blanks) with a 422.
const TEXT_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$";
/// A date as `Date` reads it: `YYYY-MM-DD` from 1900 to 2100.
const DATE_PATTERN: &str = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$";

fn is_string(schema: &Value) -> bool {
    match &schema["type"] {
        Value::String(t) => t == "string",
        Value::Array(ts) => ts.iter().any(|t| t == "string"),
        _ => false,
    }
}

/// Gives a string schema the pattern of what the server accepts, unless it has a stricter form.
fn constrain(schema: &mut Value, refs: &mut Vec<String>) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        refs.push(r.rsplit('/').next().unwrap_or_default().to_owned());
    }
    if is_string(&Value::Object(obj.clone()))
        && !obj.contains_key("pattern")
        && !obj.contains_key("enum")
    {
        match obj.get("format").and_then(Value::as_str) {
            None | Some("password") => {
                obj.insert("pattern".into(), json!(TEXT_PATTERN));
            }
            Some("date") => {
                obj.insert("pattern".into(), json!(DATE_PATTERN));
            }
            Some(_) => {}
        }
    }
    for key in ["properties"] {
        if let Some(props) = obj.get_mut(key).and_then(Value::as_object_mut) {
            for prop in props.values_mut() {
                constrain(prop, refs);
            }
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = obj.get_mut(key)
            && inner.is_object()
        {
            constrain(inner, refs);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            for inner in list {
                constrain(inner, refs);
            }
        }
    }
}

/// Applies the text and date patterns to everything a request carries: query and path
/// parameters, and the schemas request bodies use (responses are left as they are).
fn text_rules(doc: &mut Value) {
    let mut refs = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in ["get", "post", "put", "patch", "delete"] {
                let Some(op) = item.get_mut(method) else {
                    continue;
                };
                if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                    for p in params.iter_mut().filter(|p| p["in"] != "header") {
                        if let Some(schema) = p.get_mut("schema") {
                            constrain(schema, &mut refs);
                        }
                    }
                }
                if let Some(content) = op
                    .pointer_mut("/requestBody/content")
                    .and_then(Value::as_object_mut)
                {
                    for media in content.values_mut() {
                        if let Some(schema) = media.get_mut("schema") {
                            constrain(schema, &mut refs);
                        }
                    }
                }
            }
        }
    }
    let mut done = std::collections::BTreeSet::new();
    while let Some(name) = refs.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            constrain(schema, &mut refs);
        }
    }
}
