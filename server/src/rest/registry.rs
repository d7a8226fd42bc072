//! The dataset registry's `/users` paths (seed 004, CONTRACTS.md §2). Each
//! handler parses, calls one service function and shapes the answer.

use super::body::{Body, JsonOnly};
use super::{ApiResult, Caller, Client};
use crate::ServerState;
use app::backend::service::{account, roles, storage, users};
use app::model::*;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/detailed", get(list_users_detailed))
        .route("/users/authenticate", post(authenticate))
        .route("/users/authenticate/refresh", post(refresh))
        .route("/users/management-enabled", get(management_enabled))
        .route("/users/changepwd", post(change_own_password))
        .route("/users/roles", get(list_roles).post(create_role))
        .route("/users/roles/{role}", axum::routing::delete(delete_role))
        .route("/users/storage", get(own_storage))
        .route("/users/meta", get(own_metadata))
        .route("/users/{user}", put(update_user).delete(delete_user))
        .route("/users/{user}/changepwd", put(set_password))
        .route("/users/{user}/storage", get(user_storage))
        .route("/users/{user}/meta", get(user_metadata).post(merge_metadata))
}

#[derive(Deserialize)]
struct Paging {
    after: Option<String>,
    limit: Option<i64>,
}

async fn list_users(State(s): State<ServerState>, caller: Caller, Query(q): Query<Paging>) -> ApiResult<impl IntoResponse> {
    let list = users::listing::by_username(&s.app, caller.get(), q.after.as_deref(), q.limit).await?;
    Ok(Json(list.into_iter().map(|u| u.summary).collect::<Vec<_>>()))
}

async fn list_users_detailed(State(s): State<ServerState>, caller: Caller, Query(q): Query<Paging>) -> ApiResult<impl IntoResponse> {
    Ok(Json(users::listing::by_username(&s.app, caller.get(), q.after.as_deref(), q.limit).await?))
}

async fn create_user(State(s): State<ServerState>, caller: Caller, Body(req): Body<CreateUserRequest>) -> ApiResult<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(users::create(&s.app, caller.get(), &req.into_account()?).await?)))
}

async fn update_user(
    State(s): State<ServerState>,
    caller: Caller,
    Path(user): Path<String>,
    Body(req): Body<UpdateUserRequest>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(users::update_email_and_roles(&s.app, caller.get(), &user, &req).await?))
}

async fn delete_user(State(s): State<ServerState>, caller: Caller, Path(user): Path<String>) -> ApiResult<impl IntoResponse> {
    // Scripts get no choice: the user's datasets and files go to the caller.
    let heir = caller.get().map(|p| p.username.clone());
    users::delete(&s.app, caller.get(), &user, heir.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn authenticate(
    State(s): State<ServerState>,
    Client(client): Client,
    Body(req): Body<AuthenticateRequest>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(account::issue_token(&s.app, &req, client.ip.as_deref()).await?))
}

async fn refresh(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(account::refresh_token(&s.app, caller.get()).await?))
}

async fn management_enabled(State(s): State<ServerState>) -> impl IntoResponse {
    Json(!app::backend::auth::external::is_on(&s.app))
}

async fn change_own_password(
    State(s): State<ServerState>,
    caller: Caller,
    Client(client): Client,
    Body(req): Body<ChangePasswordRequest>,
) -> ApiResult<impl IntoResponse> {
    let change = account::PasswordChange {
        current_password: req.old_password.as_deref().unwrap_or_default(),
        new_password: req.new_password.as_deref().unwrap_or_default(),
        confirm_password: None,
    };
    account::change_own_password(&s.app, caller.get(), None, client.ip.as_deref(), &change).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_password(
    State(s): State<ServerState>,
    caller: Caller,
    Path(user): Path<String>,
    Body(req): Body<ChangePasswordRequest>,
) -> ApiResult<impl IntoResponse> {
    users::set_password(&s.app, caller.get(), &user, req.new_password.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_roles(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(roles::list(&s.app, caller.get()).await?))
}

async fn create_role(State(s): State<ServerState>, caller: Caller, Body(req): Body<RoleRequest>) -> ApiResult<impl IntoResponse> {
    let name = roles::create(&s.app, caller.get(), &req.into_name()?).await?;
    Ok((StatusCode::CREATED, Json(RoleRequest { role_name: Some(name) })))
}

#[derive(Deserialize)]
struct Force {
    force: Option<bool>,
}

async fn delete_role(
    State(s): State<ServerState>,
    caller: Caller,
    Path(role): Path<String>,
    Query(q): Query<Force>,
) -> ApiResult<impl IntoResponse> {
    roles::delete(&s.app, caller.get(), &role, q.force.unwrap_or(false)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn own_storage(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(storage::storage(&s.app, caller.get(), None).await?))
}

async fn user_storage(State(s): State<ServerState>, caller: Caller, Path(user): Path<String>) -> ApiResult<impl IntoResponse> {
    Ok(Json(storage::storage(&s.app, caller.get(), Some(&user)).await?))
}

async fn own_metadata(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(users::metadata(&s.app, caller.get(), None).await?))
}

async fn user_metadata(State(s): State<ServerState>, caller: Caller, Path(user): Path<String>) -> ApiResult<impl IntoResponse> {
    Ok(Json(users::metadata(&s.app, caller.get(), Some(&user)).await?))
}

async fn merge_metadata(
    State(s): State<ServerState>,
    caller: Caller,
    Path(user): Path<String>,
    JsonOnly(patch): JsonOnly,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(users::merge_metadata(&s.app, caller.get(), &user, &patch).await?))
}
