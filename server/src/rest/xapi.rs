//! XNAT's active-session paths (seed 000, CONTRACTS.md §3). Sessions are
//! named by their public ids, never by cookie values.

use super::{ApiResult, Caller};
use crate::ServerState;
use app::backend::service::sessions;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::{Json, Router};
use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const TAG: &str = "xnat sessions";

/// The routes with their OpenAPI operations (`rest::openapi`).
pub fn api() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new().routes(routes!(all_active)).routes(routes!(user_active, revoke_user))
}

pub fn routes() -> Router<ServerState> {
    api().into()
}

/// One user's live sessions by public id.
#[derive(serde::Serialize, Default, utoipa::ToSchema)]
pub struct ActiveSessions {
    sessions: Vec<String>,
    count: usize,
}

/// Every live session, by username (admins).
#[utoipa::path(get, path = "/xapi/users/active", tag = TAG,
    responses((status = 200, body = BTreeMap<String, ActiveSessions>), (status = 403, description = "Admin access required")))]
async fn all_active(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    let mut by_user: BTreeMap<String, ActiveSessions> = BTreeMap::new();
    for session in sessions::list(&s.app, caller.get(), None, true).await? {
        let entry = by_user.entry(session.username).or_default();
        entry.sessions.push(session.id);
        entry.count = entry.sessions.len();
    }
    Ok(Json(by_user))
}

/// A user's live sessions' public ids (admins, or that user).
#[utoipa::path(get, path = "/xapi/users/active/{username}", tag = TAG, params(("username" = String, Path)),
    responses((status = 200, body = Vec<String>), (status = 403, description = "Not allowed"), (status = 404, description = "No such user")))]
async fn user_active(State(s): State<ServerState>, caller: Caller, Path(username): Path<String>) -> ApiResult<impl IntoResponse> {
    let ids: Vec<String> = sessions::list(&s.app, caller.get(), Some(&username), false).await?.into_iter().map(|s| s.id).collect();
    Ok(Json(ids))
}

/// Ends a user's sessions (admins, or that user); answers the ids ended.
#[utoipa::path(delete, path = "/xapi/users/active/{username}", tag = TAG, params(("username" = String, Path)),
    responses((status = 200, body = Vec<String>), (status = 403, description = "Not allowed"), (status = 404, description = "No such user")))]
async fn revoke_user(State(s): State<ServerState>, caller: Caller, Path(username): Path<String>) -> ApiResult<impl IntoResponse> {
    Ok(Json(sessions::revoke_user(&s.app, caller.get(), Some(&username)).await?))
}
