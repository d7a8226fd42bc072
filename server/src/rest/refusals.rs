//! Answers no handler wrote, in the format of the door a path belongs to:
//! XNAT's plain text, a server function's own encoding, or `{"error"}`
//! ([`door_error`]); and the router's own refusals (an unknown API path, a
//! method a route does not take) given that format.

use super::xnat_prefixes::{is_xnat_path, xnat_error};
use super::{error_response, ErrorBody};
use app::model::AppError;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::CONTENT_TYPE;
use http::StatusCode;

/// The error in the format of the door `path` belongs to: XNAT's plain
/// text, a server function's own encoding (so the page shows it by its
/// field), or `{"error"}`.
pub fn door_error(path: &str, err: &AppError) -> Response {
    if is_xnat_path(path) {
        return xnat_error(err);
    }
    if path.starts_with("/api/") && leptos::server_fn::axum::server_fn_paths().any(|(p, _)| p == path) {
        let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
        let body = serde_json::to_string(err).unwrap_or_default();
        return (status, [(CONTENT_TYPE, "application/json")], body).into_response();
    }
    error_response(err)
}

/// First path segments that belong to the JSON API only (no page lives there).
const JSON_API_PREFIXES: [&str; 5] = ["/api", "/api-docs", "/users", "/orgs", "/xapi"];

/// Whether `path` is on the JSON API or XNAT's paths, where no answer is the HTML app page.
fn is_api_path(path: &str) -> bool {
    is_xnat_path(path)
        || JSON_API_PREFIXES.iter().any(|p| path == *p || path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')))
}

/// Gives the router's own refusals the door's error format: an unknown path
/// on the API (which would otherwise get the HTML app page) is a 404, and a
/// method the route does not take (axum's empty 405, whose `Allow` header is
/// kept) a 405, each as `{"error"}` (plain text on XNAT's paths).
pub async fn api_router_refusals(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let res = next.run(req).await;
    let is_html = res
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let err = match res.status() {
        StatusCode::NOT_FOUND if is_html && is_api_path(&path) => AppError::NotFound(format!("No such API path: {path}")),
        StatusCode::METHOD_NOT_ALLOWED if !res.headers().contains_key(http::header::CONTENT_TYPE) => {
            let allow = res.headers().get(http::header::ALLOW).cloned();
            let error = format!("Method {method} is not allowed on {path}");
            let mut refusal = match is_xnat_path(&path) {
                true => (StatusCode::METHOD_NOT_ALLOWED, [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], error).into_response(),
                false => (StatusCode::METHOD_NOT_ALLOWED, Json(ErrorBody { error, request_id: None })).into_response(),
            };
            if let Some(allow) = allow {
                refusal.headers_mut().insert(http::header::ALLOW, allow);
            }
            return refusal;
        }
        _ => return res,
    };
    door_error(&path, &err)
}
