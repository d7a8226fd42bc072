//! XNAT's active-session paths (seed 000, CONTRACTS.md §3). Sessions are
//! named by their public ids, never by cookie values.

use super::{ApiResult, Caller};
use crate::ServerState;
use app::backend::service::sessions;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/xapi/users/active", get(all_active))
        .route("/xapi/users/active/{username}", get(user_active).delete(revoke_user))
}

async fn all_active(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    let mut by_user: Map<String, Value> = Map::new();
    for session in sessions::list(&s.app, caller.get(), None, true).await? {
        let entry = by_user.entry(session.username.clone()).or_insert_with(|| json!({"sessions": [], "count": 0}));
        entry["sessions"].as_array_mut().map(|ids| ids.push(Value::String(session.id)));
        entry["count"] = json!(entry["sessions"].as_array().map_or(0, Vec::len));
    }
    Ok(Json(Value::Object(by_user)))
}

async fn user_active(State(s): State<ServerState>, caller: Caller, Path(username): Path<String>) -> ApiResult<impl IntoResponse> {
    let ids: Vec<String> = sessions::list(&s.app, caller.get(), Some(&username), false).await?.into_iter().map(|s| s.id).collect();
    Ok(Json(ids))
}

async fn revoke_user(State(s): State<ServerState>, caller: Caller, Path(username): Path<String>) -> ApiResult<impl IntoResponse> {
    Ok(Json(sessions::revoke_user(&s.app, caller.get(), Some(&username)).await?))
}
