//! Storage quotas over REST: the registry's `/users/storage` paths (seed
//! 004, CONTRACTS.md §2), routed beside `rest::registry`'s and tagged with
//! them.

use super::registry::{TAG, USER};
use super::{ApiResult, Caller};
use crate::ServerState;
use app::backend::service::quota;
use app::model::*;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes with their OpenAPI operations.
pub fn api() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new().routes(routes!(own_storage)).routes(routes!(user_storage))
}

pub fn routes() -> axum::Router<ServerState> {
    api().into()
}

/// The caller's storage quota (`null`: unlimited) and use, in bytes.
#[utoipa::path(get, path = "/users/storage", tag = TAG, responses((status = 200, body = StorageInfo)))]
async fn own_storage(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(quota::storage(&s.app, caller.get(), None).await?))
}

/// A user's storage quota and use (admins).
#[utoipa::path(get, path = "/users/{user}/storage", tag = TAG, params(("user" = String, Path, description = USER)),
    responses((status = 200, body = StorageInfo), (status = 403, description = "Admin access required"), (status = 404, description = "No such user")))]
async fn user_storage(State(s): State<ServerState>, caller: Caller, Path(user): Path<String>) -> ApiResult<impl IntoResponse> {
    Ok(Json(quota::storage(&s.app, caller.get(), Some(&user)).await?))
}
