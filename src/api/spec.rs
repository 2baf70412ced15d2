//! Rules the whole API document follows, applied to every operation after generation so that
//! no handler can forget them: the problem answers the shared mechanisms can give (a body,
//! path or query can be malformed, a body too large or of the wrong type; If-Match can be
//! missing, malformed or stale; a token can be missing), the exact form of the `If-Match` and
//! `Idempotency-Key` headers, and the CSV representation of every list that offers `format`.

use serde_json::{Map, Value, json};

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

fn ensure(responses: &mut Map<String, Value>, status: &str, description: &str) {
    responses
        .entry(status)
        .or_insert_with(|| problem(description));
}

fn header<'a>(op: &'a mut Value, name: &str) -> Option<&'a mut Value> {
    op.get_mut("parameters")?
        .as_array_mut()?
        .iter_mut()
        .find(|p| {
            p["in"] == "header"
                && p["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
}

fn has_query(op: &Value, name: &str) -> bool {
    op["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query" && p["name"] == name))
}

fn secured(op: &Value) -> bool {
    op["security"].as_array().is_some_and(|reqs| {
        reqs.iter()
            .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
    })
}

fn harmonise(op: &mut Value) {
    if let Some(h) = header(op, "If-Match") {
        h["schema"]["pattern"] = json!(r#"^(\*|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)$"#);
    }
    if let Some(h) = header(op, "Idempotency-Key") {
        h["schema"]["pattern"] = json!("^[!-~]{1,255}$");
        h["schema"]["minLength"] = json!(1);
    }
    let has_if_match = header(op, "If-Match").is_some();
    let has_body = op.get("requestBody").is_some();
    // Path and query values can fail to parse (an id beyond 64 bits, a date that is no date).
    let has_params = op["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "path" || p["in"] == "query"));
    let is_secured = secured(op);
    let csv = has_query(op, "format");
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    if has_body || has_if_match || has_params {
        ensure(
            responses,
            "400",
            "Malformed request: body, parameters or headers",
        );
    }
    if has_body {
        ensure(responses, "413", "The request body is too large");
        ensure(responses, "415", "Unsupported content type");
    }
    if has_if_match {
        ensure(responses, "412", "The resource changed since it was read");
        ensure(responses, "428", "If-Match is missing");
    }
    if is_secured {
        ensure(responses, "401", "Not authenticated");
    }
    if csv
        && let Some(content) = responses
            .get_mut("200")
            .and_then(|r| r.get_mut("content"))
            .and_then(Value::as_object_mut)
    {
        content
            .entry("text/csv")
            .or_insert_with(|| json!({"schema": {"type": "string"}}));
    }
}

/// Applies the rules to every operation of the document.
pub fn harmonise_all(api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut doc) = serde_json::to_value(&api) else {
        return api;
    };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in ["get", "post", "put", "patch", "delete"] {
                if let Some(op) = item.get_mut(method) {
                    harmonise(op);
                }
            }
        }
    }
    serde_json::from_value(doc).unwrap_or(api)
}
