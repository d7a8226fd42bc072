//! Text no request may carry: a NUL (which PostgreSQL refuses, so it must
//! never reach a query) anywhere in the query string, in a server
//! function's form or JSON body, or in a field a REST body reader reads
//! ([`nul_in_read_fields`], called by `rest::body`) is a 400 naming its
//! field, and a control character in the path is a 404 (no name Gatehouse
//! stores can hold one). The sign-in doors take the body as it is:
//! `login::authenticate` treats such a username as unknown, so the answer
//! is the wrong-password one and the rate limit counts it.

use super::refusals::door_error;
use super::BODY_TOO_LARGE;
use crate::MAX_BODY_BYTES;
use app::model::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::header::CONTENT_TYPE;
use serde_json::Value;

/// Bodies read by `login::authenticate`, whose answer to a NUL is "Invalid username or password".
const SIGN_IN_PATHS: [&str; 2] = ["/users/authenticate", "/api/login"];

/// Whether percent-encoded `text` decodes to a byte below 0x20 or 0x7F
/// (`nul_only`: to a NUL). A raw control byte cannot be in a parsed URI.
fn encodes_control(text: &str, nul_only: bool) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(3).any(|w| {
        let hex = |b: u8| (b as char).to_digit(16);
        match (w[0], hex(w[1]), hex(w[2])) {
            (b'%', Some(hi), Some(lo)) => {
                let byte = hi * 16 + lo;
                if nul_only { byte == 0 } else { byte < 0x20 || byte == 0x7f }
            }
            _ => false,
        }
    })
}

/// The first field of a form (or query string) among those `read` names
/// whose name or value holds a NUL.
fn nul_form_field(bytes: &[u8], read: impl Fn(&str) -> bool) -> Option<String> {
    url::form_urlencoded::parse(bytes)
        .find(|(key, value)| read(key) && (key.contains('\0') || value.contains('\0')))
        .map(|(key, _)| key.replace('\0', ""))
}

/// The first query parameter whose name or value holds a NUL.
fn nul_query_field(query: &str) -> Option<String> {
    nul_form_field(query.as_bytes(), |_| true)
}

/// The first field (as `a.b[2]`) of a JSON value whose name or text holds a NUL.
fn nul_json_field(value: &Value, at: &str) -> Option<String> {
    match value {
        Value::String(text) if text.contains('\0') => Some(at.to_string()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| nul_json_field(v, &format!("{at}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, v)| {
            let name = if at.is_empty() { key.replace('\0', "") } else { format!("{at}.{}", key.replace('\0', "")) };
            if key.contains('\0') { Some(name) } else { nul_json_field(v, &name) }
        }),
        _ => None,
    }
}

/// Whether the body of a request to `path` is checked for NUL (all but the sign-in doors').
pub fn checks_body(path: &str) -> bool {
    !SIGN_IN_PATHS.contains(&path)
}

/// The 400 for the first field among `fields` (all, when `None`) of a form
/// or JSON body that holds a NUL; a field the reader ignores never reaches
/// the database, so it may hold anything.
pub fn nul_in_read_fields(bytes: &[u8], is_form: bool, fields: Option<&[&str]>) -> Option<AppError> {
    let read = |key: &str| fields.is_none_or(|f| f.contains(&key));
    let field = if is_form {
        nul_form_field(bytes, read)
    } else {
        match (serde_json::from_slice::<Value>(bytes).ok()?, fields) {
            (Value::Object(map), Some(_)) => map.iter().filter(|(key, _)| read(key)).find_map(|(key, v)| nul_json_field(v, key)),
            (value, _) => nul_json_field(&value, ""),
        }
    };
    field.map(|f| refused_field(&f))
}

fn refused_field(field: &str) -> AppError {
    let field = if field.is_empty() { "body" } else { field };
    AppError::validation(field, format!("{field} must not contain a NUL character"))
}

/// Refuses a path that decodes to a control character (404) and a query
/// string holding a NUL (400 naming the parameter).
pub async fn refuse_control_in_url(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if encodes_control(path, false) {
        return door_error(path, &AppError::NotFound("No such resource: the path holds a control character".into()));
    }
    if let Some(field) = req.uri().query().filter(|q| encodes_control(q, true)).and_then(nul_query_field) {
        return door_error(path, &refused_field(&field));
    }
    next.run(req).await
}

/// Refuses a server function's form or JSON body holding a NUL: 400 naming
/// the field. Other bodies (uploads, malformed JSON, which its reader
/// refuses) pass as they came; the REST readers check their own fields.
pub async fn refuse_nul_in_body(req: Request, next: Next) -> Response {
    let kind = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let is_form = kind.as_deref() == Some("application/x-www-form-urlencoded");
    let is_json = kind.as_deref().is_some_and(|k| k == "application/json" || k.ends_with("+json"));
    let path = req.uri().path();
    let server_fn = path.starts_with("/api/") && leptos::server_fn::axum::server_fn_paths().any(|(p, _)| p == path);
    if !(is_form || is_json) || !server_fn || !checks_body(path) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return door_error(parts.uri.path(), &AppError::TooLarge(BODY_TOO_LARGE.into()));
    };
    if let Some(err) = nul_in_read_fields(&bytes, is_form, None) {
        return door_error(parts.uri.path(), &err);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn control_characters_are_found_where_they_hide() {
        assert!(encodes_control("/users/ab%00cd/meta", false));
        assert!(encodes_control("/orgs/a%0Ab", false));
        assert!(encodes_control("/orgs/a%7f", false));
        assert!(!encodes_control("/orgs/a%20b%2F%25", false));
        assert!(!encodes_control("/x/%2500", false), "an escaped percent sign is text");
        assert!(encodes_control("q=a%00", true) && !encodes_control("q=a%0A", true));
        assert_eq!(nul_query_field("a=1&actor=x%00y").as_deref(), Some("actor"));
        assert_eq!(nul_query_field("a=1&b=%0A"), None);
        assert_eq!(nul_json_field(&json!({"userName": "ok", "meta": {"k": ["a", "b\u{0}"]}}), "").as_deref(), Some("meta.k[1]"));
        assert_eq!(nul_json_field(&json!({"slug": "a\u{0}b"}), "").as_deref(), Some("slug"));
        assert_eq!(nul_json_field(&json!({"slug": "ab"}), ""), None);
        let body = br#"{"slug": "a\u0000", "junk": {"x": "\u0000"}}"#;
        assert!(nul_in_read_fields(body, false, Some(&["name"])).is_none(), "an ignored field may hold a NUL");
        assert!(nul_in_read_fields(body, false, Some(&["slug"])).is_some());
        assert!(nul_in_read_fields(b"slug=ok&junk=%00", true, Some(&["slug"])).is_none());
        assert!(nul_in_read_fields(b"slug=ok&junk=%00", true, None).is_some());
    }
}
