//! XNAT's two path prefixes: routing a handler (and its documentation)
//! under both, telling whether a path is on them, and the plain-text error
//! every answer under them gives. Below every other REST module but the
//! root's `{"error"}` format, so that the body limit, the guards, the
//! middleware and the document can use it.

use super::error_response;
use app::backend::policy::TWO_FACTOR_REQUIRED;
use app::model::AppError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::Paths;
use utoipa_axum::router::UtoipaMethodRouter;

/// The two prefixes every XNAT path is served under.
pub const XNAT_PREFIXES: [&str; 2] = ["/data", "/REST"];

/// Routes one handler (and documents it) under both XNAT prefixes.
pub fn under_xnat_prefixes<S>((schemas, paths, router): UtoipaMethodRouter<S>) -> UtoipaMethodRouter<S> {
    let mut prefixed = Paths::new();
    for (path, item) in paths.paths {
        for prefix in XNAT_PREFIXES {
            prefixed.paths.insert(format!("{prefix}{path}"), item.clone());
        }
    }
    (schemas, prefixed, router)
}

/// XNAT's paths answer errors in XNAT's own plain-text way.
pub fn is_xnat_path(path: &str) -> bool {
    XNAT_PREFIXES.iter().any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// The only 401 body that makes pyxnat report a wrong password.
pub const XNAT_UNAUTHENTICATED: &str = "The request requires user authentication";

/// An error as XNAT clients expect it: plain text, never HTML, never the
/// words "Not Found" (pyxnat reads those as a broken connection). The
/// two-factor refusal keeps its words (as `{"error"}`): XNAT's one 401 body
/// makes a client report a wrong password, which would send its user the
/// wrong way.
pub fn xnat_error(err: &AppError) -> Response {
    if matches!(err, AppError::Unauthenticated(m) if m == TWO_FACTOR_REQUIRED) {
        return error_response(err);
    }
    let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match err {
        AppError::Unauthenticated(_) => XNAT_UNAUTHENTICATED.to_string(),
        other => other.message().replace("Not Found", "Missing").replace("not found", "missing"),
    };
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}
