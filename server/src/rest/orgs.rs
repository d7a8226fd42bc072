//! The registry's organization paths (seed 004, CONTRACTS.md §2):
//! organizations are projects, and `/users/{userName}/orgs` is a user's
//! project membership seen the registry's way.

use super::body::{bool_like, Body, SlugJson, SlugList, SlugObject};
use super::{ApiResult, Caller};
use crate::ServerState;
use app::backend::service::{project_members, projects};
use app::model::*;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const TAG: &str = "organizations";
const SLUG: &str = "Project id (any letter case)";

/// The routes with their OpenAPI operations (`rest::openapi`).
pub fn api() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(user_orgs, set_user_orgs))
}

pub fn routes() -> Router<ServerState> {
    api().into()
}

/// `POST /orgs` and `PUT /orgs/{slug}` bodies.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct OrgRequest {
    slug: Option<String>,
    name: Option<String>,
    description: Option<String>,
    /// `false` makes a public project private and leaves others as they are.
    #[serde(default, deserialize_with = "bool_like::option")]
    #[schema(schema_with = bool_like::schema)]
    is_public: Option<bool>,
    /// `public`, `protected` or `private` (wins over `isPublic`).
    accessibility: Option<String>,
}

fn orgs(list: &[ProjectSummary]) -> Json<Vec<Org>> {
    Json(list.iter().map(Org::from).collect())
}

/// The projects the caller may see (anonymous callers: public ones, when the site lets guests browse).
#[utoipa::path(get, path = "/orgs", tag = TAG, security((), ("basic" = []), ("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<Org>)))]
async fn list(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(orgs(&projects::list(&s.app, caller.get()).await?))
}

/// One project, when the caller may see it.
#[utoipa::path(get, path = "/orgs/{slug}", tag = TAG, params(("slug" = String, Path, description = SLUG)),
    security((), ("basic" = []), ("bearer" = []), ("session" = [])),
    responses((status = 200, body = Org), (status = 404, description = "No such project (or not visible)")))]
async fn show(State(s): State<ServerState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<impl IntoResponse> {
    let detail = projects::detail(&s.app, caller.get(), &slug).await?;
    Ok(Json(Org::from(&detail.summary)))
}

/// Creates a project; the caller becomes its owner.
#[utoipa::path(post, path = "/orgs", tag = TAG,
    request_body(content((OrgRequest = "application/json"), (OrgRequest = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = Org, headers(("location" = String, description = "`/orgs/{slug}`"))),
        (status = 400, description = "Invalid field (named)"), (status = 403, description = "Not allowed"),
        (status = 409, description = "Slug taken")))]
async fn create(State(s): State<ServerState>, caller: Caller, Body(req): Body<OrgRequest>) -> ApiResult<impl IntoResponse> {
    let accessibility = match (&req.accessibility, req.is_public) {
        (Some(text), _) => parse_accessibility(text, "accessibility")?.as_str().to_string(),
        (None, Some(true)) => "public".into(),
        (None, _) => "private".into(),
    };
    let input = ProjectInput {
        slug: req.slug.unwrap_or_default(),
        name: req.name.unwrap_or_default(),
        description: req.description.unwrap_or_default(),
        accessibility,
    };
    let created = projects::create(&s.app, caller.get(), &input, "slug").await?;
    let location = format!("/orgs/{}", created.slug);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(Org::from(&created))))
}

/// Changes a project's name, description or accessibility (owner or admin).
#[utoipa::path(put, path = "/orgs/{slug}", tag = TAG, params(("slug" = String, Path, description = SLUG)),
    request_body(content((OrgRequest = "application/json"), (OrgRequest = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = Org), (status = 400, description = "Invalid field (named)"),
        (status = 403, description = "Project owner access required"), (status = 404, description = "No such project (or not visible)"),
        (status = 409, description = "Changed meanwhile")))]
async fn update(
    State(s): State<ServerState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(req): Body<OrgRequest>,
) -> ApiResult<impl IntoResponse> {
    let current = projects::detail(&s.app, caller.get(), &slug).await?.summary.accessibility;
    let accessibility = match (&req.accessibility, req.is_public) {
        (Some(text), _) => Some(parse_accessibility(text, "accessibility")?),
        (None, Some(is_public)) => Some(projects::accessibility_from_is_public(is_public, current)),
        (None, None) => None,
    };
    let changes = ProjectChanges { name: req.name, description: req.description, accessibility, version: None };
    Ok(Json(Org::from(&projects::update(&s.app, caller.get(), &slug, &changes).await?)))
}

/// Deletes a project with its datasets and files (owner or admin).
#[utoipa::path(delete, path = "/orgs/{slug}", tag = TAG, params(("slug" = String, Path, description = SLUG)),
    responses((status = 204, description = "Deleted"), (status = 403, description = "Project owner access required"),
        (status = 404, description = "No such project (or not visible)")))]
async fn remove(State(s): State<ServerState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<impl IntoResponse> {
    projects::delete(&s.app, caller.get(), &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every project a user belongs to (admins).
#[utoipa::path(get, path = "/users/{user}/orgs", tag = TAG, params(("user" = String, Path, description = "Username (any letter case)")),
    responses((status = 200, body = Vec<Org>), (status = 403, description = "Admin access required"), (status = 404, description = "No such user")))]
async fn user_orgs(State(s): State<ServerState>, caller: Caller, Path(user): Path<String>) -> ApiResult<impl IntoResponse> {
    Ok(orgs(&projects::of_user(&s.app, caller.get(), &user).await?))
}

/// Sets a user's projects (admins): listed ones join as Members, unlisted
/// ones where the user is Member or Collaborator are left; owned ones never change.
#[utoipa::path(put, path = "/users/{user}/orgs", tag = TAG, params(("user" = String, Path, description = "Username (any letter case)")),
    request_body(content((SlugJson = "application/json"), (SlugObject = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = Vec<Org>), (status = 400, description = "Unknown slug"),
        (status = 403, description = "Admin access required"), (status = 404, description = "No such user")))]
async fn set_user_orgs(
    State(s): State<ServerState>,
    caller: Caller,
    Path(user): Path<String>,
    SlugList(slugs): SlugList,
) -> ApiResult<impl IntoResponse> {
    Ok(orgs(&project_members::set_user_projects(&s.app, caller.get(), &user, &slugs).await?))
}
