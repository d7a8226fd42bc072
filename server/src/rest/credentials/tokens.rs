//! Alias tokens (XNAT's `/data/services/tokens`, also under `/REST`) and
//! personal access tokens (`/api/tokens`, `/api/admin/tokens`), CONTRACTS.md
//! §3 and §5. Answers are JSON, errors `{"error"}`.

use crate::middleware::sent_by_another_site;
use crate::rest::body::Body;
use crate::rest::{ApiResult, Caller, Query};
use crate::ServerState;
use app::backend::service::credentials::tokens;
use app::model::*;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use crate::rest::xnat_prefixes::under_xnat_prefixes;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const ALIAS: &str = "alias tokens";
const ACCESS: &str = "access tokens";

/// The alias-token paths, under both XNAT prefixes, with their OpenAPI
/// operations. They are routed at the top level (not inside the nested
/// XNAT router) so that the request log sees their `{secret}` template
/// rather than the path holding the secret.
pub fn alias_api() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(under_xnat_prefixes(routes!(issue)))
        .routes(under_xnat_prefixes(routes!(issue_for)))
        .routes(under_xnat_prefixes(routes!(validate)))
        .routes(under_xnat_prefixes(routes!(invalidate)))
}

pub fn alias_routes() -> Router<ServerState> {
    alias_api().into()
}

/// The personal-access-token paths with their OpenAPI operations.
pub fn access_api() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(my_tokens, create))
        .routes(routes!(revoke_mine))
        .routes(routes!(all_tokens, revoke_all_of))
        .routes(routes!(revoke))
}

pub fn access_routes() -> Router<ServerState> {
    access_api().into()
}

/// A live alias token's owner.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AliasValid {
    /// The username.
    valid: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AliasInvalidated {
    /// Always `OK`.
    result: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokensRevoked {
    /// How many access tokens ended.
    revoked: u64,
}

/// Why a GET that issues or ends an alias token is refused.
const CROSS_SITE_GET: &str = "Cross-site request refused: alias tokens are issued and ended from this site's pages or by scripts";

/// Refuses a GET that issues or ends an alias token when a browser says a
/// page of another site sent it (`middleware::sent_by_another_site`: the
/// CSRF guard's rule), so a link or `<img>` elsewhere cannot fill the
/// user's token cap or end their tokens with their cookie (our session, or
/// XNAT's `JSESSIONID`). The paths stay GET (XNAT's contract).
fn refuse_cross_site_get(state: &ServerState, headers: &HeaderMap) -> Result<(), AppError> {
    match sent_by_another_site(headers, &state.public_url) {
        true => Err(AppError::Forbidden(CROSS_SITE_GET.into())),
        false => Ok(()),
    }
}

/// Issues an alias token for the caller (`secret` is shown this once).
#[utoipa::path(get, path = "/services/tokens/issue", tag = ALIAS,
    responses((status = 200, body = IssuedAliasToken),
        (status = 403, description = "Not through an alias or access token, or a cookie caller's browser says another site sent it"),
        (status = 409, description = "Too many live alias tokens: end some first")))]
async fn issue(State(s): State<ServerState>, caller: Caller, headers: HeaderMap) -> ApiResult<impl IntoResponse> {
    refuse_cross_site_get(&s, &headers)?;
    Ok(Json(tokens::issue_alias(&s.app, caller.get(), None).await?))
}

/// Issues an alias token for a user (admins).
#[utoipa::path(get, path = "/services/tokens/issue/user/{username}", tag = ALIAS, params(("username" = String, Path)),
    responses((status = 200, body = IssuedAliasToken), (status = 403, description = "Admin access required (not through a token), or a cross-site browser request"),
        (status = 404, description = "No such user"),
        (status = 409, description = "Too many live alias tokens, or the user cannot sign in")))]
async fn issue_for(State(s): State<ServerState>, caller: Caller, headers: HeaderMap, Path(username): Path<String>) -> ApiResult<impl IntoResponse> {
    refuse_cross_site_get(&s, &headers)?;
    Ok(Json(tokens::issue_alias(&s.app, caller.get(), Some(&username)).await?))
}

/// Whose a live alias token is.
#[utoipa::path(get, path = "/services/tokens/validate/{alias}/{secret}", tag = ALIAS, params(("alias" = String, Path), ("secret" = String, Path)),
    responses((status = 200, body = AliasValid), (status = 404, description = "Invalid or expired token")))]
async fn validate(State(s): State<ServerState>, caller: Caller, Path((alias, secret)): Path<(String, String)>) -> ApiResult<impl IntoResponse> {
    let username = tokens::validate_alias(&s.app, caller.get(), &alias, &secret).await?;
    Ok(Json(AliasValid { valid: username }))
}

/// Ends an alias token (its owner or an admin).
#[utoipa::path(method(get, delete), path = "/services/tokens/invalidate/{alias}/{secret}", tag = ALIAS,
    params(("alias" = String, Path), ("secret" = String, Path)),
    responses((status = 200, body = AliasInvalidated), (status = 403, description = "Not allowed, or a cross-site browser request"), (status = 404, description = "Invalid or expired token")))]
async fn invalidate(State(s): State<ServerState>, caller: Caller, headers: HeaderMap, Path((alias, secret)): Path<(String, String)>) -> ApiResult<impl IntoResponse> {
    refuse_cross_site_get(&s, &headers)?;
    tokens::invalidate_alias(&s.app, caller.get(), &alias, Some(&secret)).await?;
    Ok(Json(AliasInvalidated { result: "OK" }))
}

/// The caller's live personal access tokens (never their secrets).
#[utoipa::path(get, path = "/api/tokens", tag = ACCESS, responses((status = 200, body = Vec<AccessTokenInfo>)))]
async fn my_tokens(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(tokens::my_access_tokens(&s.app, caller.get()).await?))
}

/// Creates a personal access token (`token` is shown this once).
#[utoipa::path(post, path = "/api/tokens", tag = ACCESS,
    request_body(content((NewAccessToken = "application/json"), (NewAccessToken = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = CreatedAccessToken), (status = 400, description = "Invalid field (named)"),
        (status = 403, description = "Not through an alias or access token"), (status = 409, description = "Name in use, or too many live access tokens")))]
async fn create(State(s): State<ServerState>, caller: Caller, Body(request): Body<NewAccessToken>) -> ApiResult<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(tokens::create_access(&s.app, caller.get(), &request).await?)))
}

/// A token id from the path: a number, else "no such token" (never a 400
/// that would tell ids and other text apart).
fn token_id(text: &str) -> Result<i64, AppError> {
    text.parse().map_err(|_| AppError::NotFound("No such access token".into()))
}

/// Revokes one of the caller's access tokens.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = ACCESS, params(("id" = String, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked"), (status = 403, description = "Not through an alias or access token"),
        (status = 404, description = "No such access token")))]
async fn revoke_mine(State(s): State<ServerState>, caller: Caller, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    tokens::revoke_my_access(&s.app, caller.get(), token_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AdminQuery {
    /// One user's tokens only (required to revoke).
    user: Option<String>,
    /// The previous page's `next`.
    after: Option<String>,
}

/// Everyone's live access tokens, a page at a time (admins).
#[utoipa::path(get, path = "/api/admin/tokens", tag = ACCESS, params(AdminQuery),
    responses((status = 200, body = AccessTokenPage), (status = 400, description = "Bad cursor"),
        (status = 403, description = "Admin access required"), (status = 404, description = "No such user")))]
async fn all_tokens(State(s): State<ServerState>, caller: Caller, Query(q): Query<AdminQuery>) -> ApiResult<impl IntoResponse> {
    Ok(Json(tokens::all_access_tokens(&s.app, caller.get(), q.user.as_deref(), q.after.as_deref()).await?))
}

/// `DELETE /api/admin/tokens?user=`: every access token of one user.
/// Revokes every access token of `user` (admins).
#[utoipa::path(delete, path = "/api/admin/tokens", tag = ACCESS, params(AdminQuery),
    responses((status = 200, body = TokensRevoked), (status = 400, description = "`user` missing"),
        (status = 403, description = "Admin access required (not through a token), or a cross-site browser request"), (status = 404, description = "No such user")))]
async fn revoke_all_of(State(s): State<ServerState>, caller: Caller, Query(q): Query<AdminQuery>) -> ApiResult<impl IntoResponse> {
    let revoked = tokens::revoke_all_access_of(&s.app, caller.get(), q.user.as_deref()).await?;
    Ok(Json(TokensRevoked { revoked }))
}

/// Revokes any access token (admins).
#[utoipa::path(delete, path = "/api/admin/tokens/{id}", tag = ACCESS, params(("id" = String, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked"), (status = 403, description = "Admin access required (not through a token), or a cross-site browser request"),
        (status = 404, description = "No such access token")))]
async fn revoke(State(s): State<ServerState>, caller: Caller, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    tokens::revoke_access(&s.app, caller.get(), token_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
