//! Service keys over REST (CONTRACTS.md §5): resolving the value that
//! counts for a user, a user's own overrides, and the site's keys.

use super::body::Body;
use super::{ApiResult, Caller};
use crate::ServerState;
use app::backend::service::service_keys;
use app::model::*;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/api/service-keys/{name}", get(resolve).put(set_mine).delete(delete_mine))
        .route("/api/admin/service-keys", get(site_keys))
        .route("/api/admin/service-keys/{name}", axum::routing::put(set_site).delete(delete_site))
}

#[derive(Deserialize)]
struct ForUser {
    user: Option<String>,
}

async fn resolve(State(s): State<ServerState>, caller: Caller, Path(name): Path<String>, Query(q): Query<ForUser>) -> ApiResult<impl IntoResponse> {
    Ok(Json(service_keys::resolve(&s.app, caller.get(), &name, q.user.as_deref()).await?))
}

async fn set_mine(State(s): State<ServerState>, caller: Caller, Path(name): Path<String>, Body(body): Body<ServiceKeyValue>) -> ApiResult<impl IntoResponse> {
    service_keys::set_mine(&s.app, caller.get(), &name, body.value.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_mine(State(s): State<ServerState>, caller: Caller, Path(name): Path<String>) -> ApiResult<impl IntoResponse> {
    service_keys::delete_mine(&s.app, caller.get(), &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn site_keys(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(service_keys::site_keys(&s.app, caller.get()).await?))
}

async fn set_site(State(s): State<ServerState>, caller: Caller, Path(name): Path<String>, Body(body): Body<ServiceKeyValue>) -> ApiResult<impl IntoResponse> {
    service_keys::set_site(&s.app, caller.get(), &name, body.value.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_site(State(s): State<ServerState>, caller: Caller, Path(name): Path<String>) -> ApiResult<impl IntoResponse> {
    service_keys::delete_site(&s.app, caller.get(), &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
