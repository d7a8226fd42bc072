//! Alias tokens (XNAT's `/data/services/tokens`, also under `/REST`) and
//! personal access tokens (`/api/tokens`, `/api/admin/tokens`), CONTRACTS.md
//! §3 and §5. Answers are JSON, errors `{"error"}`.

use super::body::Body;
use super::{ApiResult, Caller};
use crate::ServerState;
use app::backend::service::tokens;
use app::model::*;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

/// The alias-token paths, under both XNAT prefixes. They are routed at the
/// top level (not inside the nested XNAT router) so that the request log
/// sees their `{secret}` template rather than the path holding the secret.
pub fn alias_routes() -> Router<ServerState> {
    let mut router = Router::new();
    for prefix in ["/data", "/REST"] {
        router = router
            .route(&format!("{prefix}/services/tokens/issue"), get(issue))
            .route(&format!("{prefix}/services/tokens/issue/user/{{username}}"), get(issue_for))
            .route(&format!("{prefix}/services/tokens/validate/{{alias}}/{{secret}}"), get(validate))
            .route(&format!("{prefix}/services/tokens/invalidate/{{alias}}/{{secret}}"), get(invalidate).delete(invalidate));
    }
    router
}

/// The personal-access-token paths.
pub fn access_routes() -> Router<ServerState> {
    Router::new()
        .route("/api/tokens", get(my_tokens).post(create))
        .route("/api/tokens/{id}", delete(revoke_mine))
        .route("/api/admin/tokens", get(all_tokens).delete(revoke_all_of))
        .route("/api/admin/tokens/{id}", delete(revoke))
}

async fn issue(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(tokens::issue_alias(&s.app, caller.get(), None).await?))
}

async fn issue_for(State(s): State<ServerState>, caller: Caller, Path(username): Path<String>) -> ApiResult<impl IntoResponse> {
    Ok(Json(tokens::issue_alias(&s.app, caller.get(), Some(&username)).await?))
}

async fn validate(State(s): State<ServerState>, caller: Caller, Path((alias, secret)): Path<(String, String)>) -> ApiResult<impl IntoResponse> {
    let username = tokens::validate_alias(&s.app, caller.get(), &alias, &secret).await?;
    Ok(Json(json!({ "valid": username })))
}

async fn invalidate(State(s): State<ServerState>, caller: Caller, Path((alias, secret)): Path<(String, String)>) -> ApiResult<impl IntoResponse> {
    tokens::invalidate_alias(&s.app, caller.get(), &alias, Some(&secret)).await?;
    Ok(Json(json!({ "result": "OK" })))
}

async fn my_tokens(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(tokens::my_access_tokens(&s.app, caller.get()).await?))
}

async fn create(State(s): State<ServerState>, caller: Caller, Body(request): Body<NewAccessToken>) -> ApiResult<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(tokens::create_access(&s.app, caller.get(), &request).await?)))
}

/// A token id from the path: a number, else "no such token" (never a 400
/// that would tell ids and other text apart).
fn token_id(text: &str) -> Result<i64, AppError> {
    text.parse().map_err(|_| AppError::NotFound("No such access token".into()))
}

async fn revoke_mine(State(s): State<ServerState>, caller: Caller, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    tokens::revoke_my_access(&s.app, caller.get(), token_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct AdminQuery {
    user: Option<String>,
    after: Option<String>,
}

async fn all_tokens(State(s): State<ServerState>, caller: Caller, Query(q): Query<AdminQuery>) -> ApiResult<impl IntoResponse> {
    Ok(Json(tokens::all_access_tokens(&s.app, caller.get(), q.user.as_deref(), q.after.as_deref()).await?))
}

/// `DELETE /api/admin/tokens?user=`: every access token of one user.
async fn revoke_all_of(State(s): State<ServerState>, caller: Caller, Query(q): Query<AdminQuery>) -> ApiResult<impl IntoResponse> {
    let revoked = tokens::revoke_all_access_of(&s.app, caller.get(), q.user.as_deref()).await?;
    Ok(Json(json!({ "revoked": revoked })))
}

async fn revoke(State(s): State<ServerState>, caller: Caller, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    tokens::revoke_access(&s.app, caller.get(), token_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
