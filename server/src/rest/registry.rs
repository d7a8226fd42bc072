//! The dataset registry's `/users` paths (seed 004, CONTRACTS.md §2). Each
//! handler parses, calls one service function and shapes the answer.

use super::body::{Body, JsonOnly};
use super::{ApiResult, Caller, Client, Query};
use crate::ServerState;
use app::backend::service::{account, roles, users};
use app::model::*;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) const TAG: &str = "registry users";

/// The routes with their OpenAPI operations (`rest::openapi`).
pub fn api() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(list_users_detailed))
        .routes(routes!(authenticate))
        .routes(routes!(refresh))
        .routes(routes!(management_enabled))
        .routes(routes!(change_own_password))
        .routes(routes!(list_roles, create_role))
        .routes(routes!(delete_role))
        .routes(routes!(own_metadata))
        .routes(routes!(update_user, delete_user))
        .routes(routes!(set_password))
        .routes(routes!(user_metadata, merge_metadata))
}

pub fn routes() -> Router<ServerState> {
    api().into()
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Paging {
    /// Start after this username (the previous page's last).
    after: Option<String>,
    /// Most users to return.
    limit: Option<i64>,
}

/// `{userName}` in a path: matched in any letter case.
pub(super) const USER: &str = "Username (any letter case)";

/// Every user, ordered by username case-insensitively (admins).
#[utoipa::path(get, path = "/users", tag = TAG, params(Paging),
    responses((status = 200, body = Vec<UserSummary>), (status = 400, description = "Bad paging"), (status = 403, description = "Admin access required")))]
async fn list_users(State(s): State<ServerState>, caller: Caller, Query(q): Query<Paging>) -> ApiResult<impl IntoResponse> {
    let list = users::listing::by_username(&s.app, caller.get(), q.after.as_deref(), q.limit).await?;
    Ok(Json(list.into_iter().map(|u| u.summary).collect::<Vec<_>>()))
}

/// Every user with storage and counts, in the same order (admins).
#[utoipa::path(get, path = "/users/detailed", tag = TAG, params(Paging),
    responses((status = 200, body = Vec<UserDetailed>), (status = 400, description = "Bad paging"), (status = 403, description = "Admin access required")))]
async fn list_users_detailed(State(s): State<ServerState>, caller: Caller, Query(q): Query<Paging>) -> ApiResult<impl IntoResponse> {
    Ok(Json(users::listing::by_username(&s.app, caller.get(), q.after.as_deref(), q.limit).await?))
}

/// Creates a user (admins); no roles given = `user`.
#[utoipa::path(post, path = "/users", tag = TAG,
    request_body(content((CreateUserRequest = "application/json"), (CreateUserRequest = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = UserSummary), (status = 400, description = "Invalid field (named)"),
        (status = 403, description = "Admin access required, with the password's credentials (not a token)"), (status = 409, description = "Username or email taken")))]
async fn create_user(State(s): State<ServerState>, caller: Caller, Body(req): Body<CreateUserRequest>) -> ApiResult<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(users::create(&s.app, caller.get(), &req.into_account()?).await?)))
}

/// Changes a user's email and/or roles (admins); absent fields stay. A new
/// email or the `admin` role needs the password's credentials (not a token).
#[utoipa::path(put, path = "/users/{user}", tag = TAG, params(("user" = String, Path, description = USER)),
    request_body(content((UpdateUserRequest = "application/json"), (UpdateUserRequest = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = UserSummary), (status = 400, description = "Invalid field (named)"),
        (status = 403, description = "Admin access required (a new email or `admin` not through a token)"), (status = 404, description = "No such user"),
        (status = 409, description = "Email taken, or the last admin would lose `admin`")))]
async fn update_user(
    State(s): State<ServerState>,
    caller: Caller,
    Path(user): Path<String>,
    Body(req): Body<UpdateUserRequest>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(users::update_email_and_roles(&s.app, caller.get(), &user, &req).await?))
}

/// Deletes a user; their datasets and files go to the caller (admins).
#[utoipa::path(delete, path = "/users/{user}", tag = TAG, params(("user" = String, Path, description = USER)),
    responses((status = 204, description = "Deleted"), (status = 403, description = "Admin access required"),
        (status = 404, description = "No such user"), (status = 409, description = "You cannot delete your own account")))]
async fn delete_user(State(s): State<ServerState>, caller: Caller, Path(user): Path<String>) -> ApiResult<impl IntoResponse> {
    // Scripts get no choice: the user's datasets and files go to the caller.
    let heir = caller.get().map(|p| p.username.clone());
    users::delete(&s.app, caller.get(), &user, heir.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Signs in with username and password and returns a JWT. An
/// `Authorization` header is ignored here. An account with two-factor
/// sign-in also sends `otp`: a code from its app, or a recovery code.
#[utoipa::path(post, path = "/users/authenticate", tag = TAG, security(()),
    request_body(content((AuthenticateRequest = "application/json"), (AuthenticateRequest = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = AuthToken), (status = 400, description = "Missing field (named)"),
        (status = 401, description = "Invalid username or password; a wrong `otp`; or, without `otp`, an account with two-factor sign-in (after a correct password)"),
        (status = 403, description = "Disabled, unverified or unapproved account (after a correct password)")))]
async fn authenticate(
    State(s): State<ServerState>,
    Client(client): Client,
    Body(req): Body<AuthenticateRequest>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(account::issue_token(&s.app, &req, client.ip.as_deref()).await?))
}

/// A new JWT for the caller's (the old one keeps its own expiry).
#[utoipa::path(post, path = "/users/authenticate/refresh", tag = TAG,
    responses((status = 200, body = AuthToken),
        (status = 401, description = "Not signed in, or the token was first issued more than `jwt_max_lifetime_days` ago"),
        (status = 403, description = "Not through an alias or access token")))]
async fn refresh(State(s): State<ServerState>, caller: Caller, headers: axum::http::HeaderMap) -> ApiResult<impl IntoResponse> {
    let bearer = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| {
        let (scheme, token) = v.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    });
    Ok(Json(account::refresh_token(&s.app, caller.get(), bearer).await?))
}

/// Whether local user management is on (`false` with external authentication).
#[utoipa::path(get, path = "/users/management-enabled", tag = TAG,
    security((), ("basic" = []), ("bearer" = []), ("session" = [])),
    responses((status = 200, body = bool, content_type = "application/json")))]
async fn management_enabled(State(s): State<ServerState>) -> impl IntoResponse {
    Json(!s.app.accounts_external())
}

/// Changes the caller's password; their other sessions and earlier JWTs end.
#[utoipa::path(post, path = "/users/changepwd", tag = TAG,
    request_body(content((ChangePasswordRequest = "application/json"), (ChangePasswordRequest = "application/x-www-form-urlencoded"))),
    responses((status = 204, description = "Changed"), (status = 400, description = "Wrong old password or a refused new one"),
        (status = 403, description = "Not through an alias or access token")))]
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

/// Sets a user's password (admins; `currentPassword` is ignored) and ends their sessions and tokens.
#[utoipa::path(put, path = "/users/{user}/changepwd", tag = TAG, params(("user" = String, Path, description = USER)),
    request_body(content((ChangePasswordRequest = "application/json"), (ChangePasswordRequest = "application/x-www-form-urlencoded"))),
    responses((status = 204, description = "Changed"), (status = 400, description = "A refused new password"),
        (status = 403, description = "Admin access required (not through an alias or access token)"), (status = 404, description = "No such user")))]
async fn set_password(
    State(s): State<ServerState>,
    caller: Caller,
    Path(user): Path<String>,
    Body(req): Body<ChangePasswordRequest>,
) -> ApiResult<impl IntoResponse> {
    users::set_password(&s.app, caller.get(), &user, req.new_password.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every site role's name.
#[utoipa::path(get, path = "/users/roles", tag = TAG, responses((status = 200, body = Vec<String>)))]
async fn list_roles(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(roles::list(&s.app, caller.get()).await?))
}

/// Creates a site role (admins).
#[utoipa::path(post, path = "/users/roles", tag = TAG,
    request_body(content((RoleRequest = "application/json"), (RoleRequest = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = RoleRequest), (status = 400, description = "Invalid role name"),
        (status = 403, description = "Admin access required"), (status = 409, description = "The role exists")))]
async fn create_role(State(s): State<ServerState>, caller: Caller, Body(req): Body<RoleRequest>) -> ApiResult<impl IntoResponse> {
    let name = roles::create(&s.app, caller.get(), &req.into_name()?).await?;
    Ok((StatusCode::CREATED, Json(RoleRequest { role_name: Some(name) })))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Force {
    /// Take the role from the users who hold it first.
    force: Option<bool>,
}

/// Deletes a custom role (admins); `force=true` takes it from its holders first.
#[utoipa::path(delete, path = "/users/roles/{role}", tag = TAG, params(("role" = String, Path), Force),
    responses((status = 204, description = "Deleted"), (status = 400, description = "A built-in role"),
        (status = 403, description = "Admin access required"), (status = 404, description = "No such role"),
        (status = 409, description = "Role is assigned to N users")))]
async fn delete_role(
    State(s): State<ServerState>,
    caller: Caller,
    Path(role): Path<String>,
    Query(q): Query<Force>,
) -> ApiResult<impl IntoResponse> {
    roles::delete(&s.app, caller.get(), &role, q.force.unwrap_or(false)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's metadata object.
#[utoipa::path(get, path = "/users/meta", tag = TAG, responses((status = 200, body = Object)))]
async fn own_metadata(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(users::metadata(&s.app, caller.get(), None).await?))
}

/// A user's metadata object (admins).
#[utoipa::path(get, path = "/users/{user}/meta", tag = TAG, params(("user" = String, Path, description = USER)),
    responses((status = 200, body = Object), (status = 403, description = "Admin access required"), (status = 404, description = "No such user")))]
async fn user_metadata(State(s): State<ServerState>, caller: Caller, Path(user): Path<String>) -> ApiResult<impl IntoResponse> {
    Ok(Json(users::metadata(&s.app, caller.get(), Some(&user)).await?))
}

/// Merges keys into a user's metadata (admins): a `null` value deletes its
/// key; `maxStorageMB` is a number 0–8,000,000,000, `roles` an array of strings.
#[utoipa::path(post, path = "/users/{user}/meta", tag = TAG, params(("user" = String, Path, description = USER)),
    request_body(content = Object, content_type = "application/json"),
    responses((status = 200, body = Object, description = "The whole object after the change"), (status = 400, description = "Invalid value (named)"),
        (status = 403, description = "Admin access required"), (status = 404, description = "No such user")))]
async fn merge_metadata(
    State(s): State<ServerState>,
    caller: Caller,
    Path(user): Path<String>,
    JsonOnly(patch): JsonOnly,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(users::merge_metadata(&s.app, caller.get(), &user, &patch).await?))
}
