//! The registry's organization paths (seed 004, CONTRACTS.md §2):
//! organizations are projects, and `/users/{userName}/orgs` is a user's
//! project membership seen the registry's way.

use super::body::{bool_like, Body, SlugList};
use super::{ApiResult, Caller};
use crate::ServerState;
use app::backend::service::{project_members, projects};
use app::model::*;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/orgs", get(list).post(create))
        .route("/orgs/{slug}", get(show).put(update).delete(remove))
        .route("/users/{user}/orgs", get(user_orgs).put(set_user_orgs))
}

/// `POST /orgs` and `PUT /orgs/{slug}` bodies.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct OrgRequest {
    slug: Option<String>,
    name: Option<String>,
    description: Option<String>,
    #[serde(default, deserialize_with = "bool_like::option")]
    is_public: Option<bool>,
    accessibility: Option<String>,
}

fn orgs(list: &[ProjectSummary]) -> Json<Vec<Org>> {
    Json(list.iter().map(Org::from).collect())
}

async fn list(State(s): State<ServerState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(orgs(&projects::list(&s.app, caller.get()).await?))
}

async fn show(State(s): State<ServerState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<impl IntoResponse> {
    let detail = projects::detail(&s.app, caller.get(), &slug).await?;
    Ok(Json(Org::from(&detail.summary)))
}

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

async fn remove(State(s): State<ServerState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<impl IntoResponse> {
    projects::delete(&s.app, caller.get(), &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn user_orgs(State(s): State<ServerState>, caller: Caller, Path(user): Path<String>) -> ApiResult<impl IntoResponse> {
    Ok(orgs(&projects::of_user(&s.app, caller.get(), &user).await?))
}

async fn set_user_orgs(
    State(s): State<ServerState>,
    caller: Caller,
    Path(user): Path<String>,
    SlugList(slugs): SlugList,
) -> ApiResult<impl IntoResponse> {
    Ok(orgs(&project_members::set_user_projects(&s.app, caller.get(), &user, &slugs).await?))
}
