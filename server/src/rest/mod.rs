//! REST handlers: the scripts' door. Errors become `{"error": "..."}` with
//! their status here, in one place.

pub mod admin_export;
pub mod audit;
pub mod body;
pub mod credentials;
pub mod features;
pub mod files;
pub mod health;
pub mod openapi;
pub mod orgs;
pub mod quota;
pub mod refusals;
pub mod registry;
pub mod text_guard;
pub mod xapi;
pub mod xnat;
pub mod xnat_prefixes;

use app::backend::auth::login::{client_info_from, ClientInfo};
use app::backend::auth::principal::{CurrentPrincipal, Principal};
use app::model::AppError;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::request::Parts;
use http::StatusCode;

/// The body of every JSON error answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Plain words; a validation error names its field.
    pub error: String,
    /// On 5xx answers only: the request's `X-Request-Id`, to quote when reporting it
    /// (added by `middleware::request_id_in_server_errors`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

pub fn error_response(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if err.is_reauth() {
        // `{"error": "...", "reauth": true}`: the page asks for the password and retries.
        return (status, Json(err)).into_response();
    }
    let mut res = (status, Json(ErrorBody { error: err.message(), request_id: None })).into_response();
    if let AppError::RateLimited { retry_after_secs, .. } = err {
        if let Ok(v) = http::HeaderValue::from_str(&retry_after_secs.to_string()) {
            res.headers_mut().insert(http::header::RETRY_AFTER, v);
        }
    }
    res
}

/// What a body over the limit is told, by every reader of a body.
pub const BODY_TOO_LARGE: &str = "Request body too large (limit 1 MiB)";

/// An `AppError` on its way out of a REST handler.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        ApiError(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(&self.0)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A query string read as `axum::extract::Query` reads it, but refused as
/// 400 `{"error"}` like every other bad input.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(|e| ApiError(AppError::validation("query", format!("Malformed query string: {}", e.body_text()))))
    }
}

/// Whoever the auth layer found for this request (`None`: anonymous).
pub struct Caller(pub Option<Principal>);

impl Caller {
    pub fn get(&self) -> Option<&Principal> {
        self.0.as_ref()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller(parts.extensions.get::<CurrentPrincipal>().and_then(|c| c.0.clone())))
    }
}

/// The caller's address (as `auth::client_addr` judged it) and user agent.
pub struct Client(pub ClientInfo);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(client_info_from(parts)))
    }
}
