//! Service keys over REST (CONTRACTS.md §5): resolving the value that
//! counts for a user, a user's own overrides, and the site's keys.

use crate::rest::body::Body;
use crate::rest::{ApiResult, Caller, Query};
use crate::ServerState;
use app::backend::service::credentials::service_keys;
use app::model::*;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const TAG: &str = "service keys";

/// The routes with their OpenAPI operations (`rest::openapi`).
pub fn api() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(resolve, set_mine, delete_mine))
        .routes(routes!(site_keys))
        .routes(routes!(set_site, delete_site))
}

pub fn routes() -> Router<ServerState> {
    api().into()
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ForUser {
    /// Resolve for this user instead (admins).
    user: Option<String>,
}

/// The value of a service key that counts for the caller (or, for admins, `user`).
/// A site key resolves only for admins and the roles named on it; a read of
/// a site key or of another person's key is audited (`service_key_read`).
#[utoipa::path(get, path = "/api/service-keys/{name}", tag = TAG, params(("name" = String, Path), ForUser),
    responses((status = 200, body = ResolvedServiceKey), (status = 400, description = "Invalid name"),
        (status = 403, description = "Not allowed"), (status = 404, description = "No such key (or user)")))]
async fn resolve(State(s): State<ServerState>, caller: Caller, Path(name): Path<String>, Query(q): Query<ForUser>) -> ApiResult<impl IntoResponse> {
    Ok(Json(service_keys::resolve(&s.app, caller.get(), &name, q.user.as_deref()).await?))
}

/// Sets the caller's own value of a service key.
#[utoipa::path(put, path = "/api/service-keys/{name}", tag = TAG, params(("name" = String, Path)), request_body(content((ServiceKeyValue = "application/json"), (ServiceKeyValue = "application/x-www-form-urlencoded"))),
    responses((status = 204, description = "Set"), (status = 400, description = "Invalid name or value"),
        (status = 403, description = "Not through an alias or access token"), (status = 409, description = "Too many service keys: delete one first")))]
async fn set_mine(State(s): State<ServerState>, caller: Caller, Path(name): Path<String>, Body(body): Body<ServiceKeyValue>) -> ApiResult<impl IntoResponse> {
    service_keys::set_mine(&s.app, caller.get(), &name, body.value.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes the caller's own value of a service key.
#[utoipa::path(delete, path = "/api/service-keys/{name}", tag = TAG, params(("name" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 400, description = "Invalid name"),
        (status = 403, description = "Not through an alias or access token"), (status = 404, description = "No such key")))]
async fn delete_mine(State(s): State<ServerState>, caller: Caller, Path(name): Path<String>) -> ApiResult<impl IntoResponse> {
    service_keys::delete_mine(&s.app, caller.get(), &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The site's service keys (admins; never their values).
#[utoipa::path(get, path = "/api/admin/service-keys", tag = TAG,
    responses((status = 200, body = Vec<ServiceKeyInfo>), (status = 403, description = "Admin access required")))]
async fn site_keys(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(service_keys::site_keys(&s.app, caller.get()).await?))
}

/// Sets a site-wide service key and who besides admins may read it (admins).
#[utoipa::path(put, path = "/api/admin/service-keys/{name}", tag = TAG, params(("name" = String, Path)), request_body(content((ServiceKeyValue = "application/json"), (ServiceKeyValue = "application/x-www-form-urlencoded"))),
    responses((status = 204, description = "Set"), (status = 400, description = "Invalid name or value"),
        (status = 403, description = "Admin access required (not through a token)"), (status = 409, description = "Too many service keys: delete one first")))]
async fn set_site(State(s): State<ServerState>, caller: Caller, Path(name): Path<String>, Body(body): Body<ServiceKeyValue>) -> ApiResult<impl IntoResponse> {
    service_keys::set_site(&s.app, caller.get(), &name, body.value.as_deref(), body.readable_by.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a site-wide service key (admins).
#[utoipa::path(delete, path = "/api/admin/service-keys/{name}", tag = TAG, params(("name" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 400, description = "Invalid name"),
        (status = 403, description = "Admin access required (not through a token)"), (status = 404, description = "No such key")))]
async fn delete_site(State(s): State<ServerState>, caller: Caller, Path(name): Path<String>) -> ApiResult<impl IntoResponse> {
    service_keys::delete_site(&s.app, caller.get(), &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
