//! REST handlers: the scripts' door. Errors become `{"error": "..."}` with
//! their status here, in one place.

pub mod health;

use app::model::AppError;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;

pub fn error_response(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = (status, Json(serde_json::json!({ "error": err.message() }))).into_response();
    if let AppError::RateLimited { retry_after_secs, .. } = err {
        if let Ok(v) = http::HeaderValue::from_str(&retry_after_secs.to_string()) {
            res.headers_mut().insert(http::header::RETRY_AFTER, v);
        }
    }
    res
}
