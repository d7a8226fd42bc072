//! Feature permissions' REST paths (CONTRACTS.md §3 and §5, seed 002):
//! XNAT's `/data/services/features` (also under `/REST`) in the seed's
//! exact JSON shapes, and Gatehouse's `/api/features/effective` and
//! `/api/features/check` for platforms.

use super::body::{bool_like, Body};
use super::{ApiResult, Caller, Query};
use super::xnat_prefixes::under_xnat_prefixes;
use crate::ServerState;
use app::backend::service::features;
use app::backend::policy::{self, Action};
use app::model::{AppError, FeatureChange, FeatureCheck, FeatureGroup, FeatureScope};
use axum::extract::State;
use axum::response::IntoResponse;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const TAG: &str = "features";

/// The routes with their OpenAPI operations (`rest::openapi`).
pub fn api() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(effective))
        .routes(routes!(check))
        .routes(under_xnat_prefixes(routes!(list, change)))
}

pub fn routes() -> Router<ServerState> {
    api().into()
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// `admin`: the site-wide rules.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// A project ID: that project's rules (wins over `type`).
    tag: Option<String>,
}

/// One group as the seed shows it: `isRole` only on roles, the inherited
/// lists only in a project.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GroupJson {
    features: Vec<String>,
    blocked: Vec<String>,
    display: String,
    id: String,
    #[serde(rename = "isRole", skip_serializing_if = "Option::is_none")]
    is_role: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inherited_features: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inherited_banned: Option<Vec<String>>,
}

/// A scope's rules as the seed shows them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScopeJson {
    groups: Vec<GroupJson>,
    id: String,
    banned: Vec<String>,
    #[serde(rename = "onByDefault")]
    on_by_default: Vec<String>,
}

fn group_json(group: &FeatureGroup, in_project: bool) -> GroupJson {
    GroupJson {
        features: group.features.clone(),
        blocked: group.blocked.clone(),
        display: group.display.clone(),
        id: group.id.clone(),
        is_role: group.is_role.then_some(true),
        inherited_features: in_project.then(|| group.inherited_features.clone()),
        inherited_banned: in_project.then(|| group.inherited_banned.clone()),
    }
}

fn scope_json(scope: &FeatureScope, in_project: bool) -> Vec<ScopeJson> {
    let groups = scope.groups.iter().map(|g| group_json(g, in_project)).collect();
    vec![ScopeJson { groups, id: scope.id.clone(), banned: scope.banned.clone(), on_by_default: scope.on_by_default.clone() }]
}

/// The site-wide rules (`type=admin`, admins) or one project's (`tag=`, its owners and admins), in the seed's shape.
#[utoipa::path(get, path = "/services/features", tag = TAG, params(ListQuery),
    responses((status = 200, body = Vec<ScopeJson>), (status = 400, description = "Neither `type=admin` nor `tag`"),
        (status = 403, description = "Not allowed"), (status = 404, description = "No such project")))]
async fn list(State(s): State<ServerState>, caller: Caller, Query(q): Query<ListQuery>) -> ApiResult<impl IntoResponse> {
    match (q.tag.as_deref().filter(|t| !t.is_empty()), q.kind.as_deref()) {
        (Some(tag), _) => Ok(Json(scope_json(&features::project_scope(&s.app, caller.get(), tag).await?, true))),
        (None, Some("admin")) => Ok(Json(scope_json(&features::site_scope(&s.app, caller.get()).await?, false))),
        _ => Err(AppError::validation("type", "Ask for type=admin (the site-wide rules) or tag={project ID}").into()),
    }
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct GroupQuery {
    /// `_SITE_WIDE`, `Owners`, `role:<name>`, a project ID or `{ID}_member` and the like.
    #[serde(default)]
    group: String,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
struct ChangeBody {
    #[serde(default)]
    key: String,
    #[serde(default, deserialize_with = "bool_like::option")]
    #[schema(schema_with = bool_like::schema)]
    banned: Option<bool>,
    #[serde(default, deserialize_with = "bool_like::option")]
    #[schema(schema_with = bool_like::schema)]
    enabled: Option<bool>,
}

/// The change as made.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FeatureChanged {
    group: String,
    key: String,
    banned: Option<bool>,
    enabled: Option<bool>,
}

/// Bans, blocks or enables a feature for a group (site-wide: admins; a project's group: its owners).
#[utoipa::path(post, path = "/services/features", tag = TAG, params(GroupQuery),
    request_body(content((ChangeBody = "application/json"), (ChangeBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = FeatureChanged), (status = 400, description = "Invalid field (named)"),
        (status = 403, description = "Not allowed"), (status = 404, description = "No such project or feature")))]
async fn change(State(s): State<ServerState>, caller: Caller, Query(q): Query<GroupQuery>, Body(body): Body<ChangeBody>) -> ApiResult<impl IntoResponse> {
    if q.group.trim().is_empty() {
        return Err(AppError::validation("group", "Give the group: ?group=_SITE_WIDE, Owners, role:<name>, a project ID or {ID}_member").into());
    }
    if body.key.trim().is_empty() {
        return Err(AppError::validation("key", "Give the feature's key").into());
    }
    let change = FeatureChange { group: q.group, key: body.key, banned: body.banned, enabled: body.enabled };
    features::set(&s.app, caller.get(), &change).await?;
    Ok(Json(FeatureChanged { group: change.group, key: change.key, banned: change.banned, enabled: change.enabled }))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct EffectiveQuery {
    /// A project ID (none: the site's answer).
    project: Option<String>,
}

/// The features in effect for the caller.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Effective {
    project: Option<String>,
    features: Vec<String>,
}

/// The feature keys in effect for the caller, site-wide or in `project`.
#[utoipa::path(get, path = "/api/features/effective", tag = TAG, params(EffectiveQuery),
    responses((status = 200, body = Effective), (status = 404, description = "No such project (or not visible)")))]
async fn effective(State(s): State<ServerState>, caller: Caller, Query(q): Query<EffectiveQuery>) -> ApiResult<impl IntoResponse> {
    let keys = features::effective(&s.app, caller.get(), q.project.as_deref()).await?;
    Ok(Json(Effective { project: q.project.filter(|p| !p.is_empty()), features: keys }))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct CheckQuery {
    #[serde(default)]
    user: String,
    project: Option<String>,
    #[serde(default)]
    feature: String,
}

/// Whether `user` may use `feature` (in `project`), and why (admins).
#[utoipa::path(get, path = "/api/features/check", tag = TAG, params(CheckQuery),
    responses((status = 200, body = FeatureCheck), (status = 400, description = "`user` or `feature` missing"),
        (status = 403, description = "Admin access required"), (status = 404, description = "No such user, project or feature")))]
async fn check(State(s): State<ServerState>, caller: Caller, Query(q): Query<CheckQuery>) -> ApiResult<impl IntoResponse> {
    if q.user.trim().is_empty() || q.feature.trim().is_empty() {
        let field = if q.user.trim().is_empty() { "user" } else { "feature" };
        policy::authorize(caller.get(), Action::Administer)?;
        return Err(AppError::validation(field, format!("Give ?{field}=")).into());
    }
    Ok(Json(features::check(&s.app, caller.get(), &q.user, q.project.as_deref(), q.feature.trim()).await?))
}
