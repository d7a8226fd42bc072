//! Feature permissions' REST paths (CONTRACTS.md §3 and §5, seed 002):
//! XNAT's `/data/services/features` (also under `/REST`) in the seed's
//! exact JSON shapes, and Gatehouse's `/api/features/effective` and
//! `/api/features/check` for platforms.

use super::body::{bool_like, Body};
use super::{ApiResult, Caller};
use crate::ServerState;
use app::backend::service::features;
use app::model::{AppError, FeatureChange, FeatureGroup, FeatureScope};
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<ServerState> {
    let mut router = Router::new()
        .route("/api/features/effective", get(effective))
        .route("/api/features/check", get(check));
    for prefix in ["/data", "/REST"] {
        router = router.route(&format!("{prefix}/services/features"), get(list).post(change));
    }
    router
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
    tag: Option<String>,
}

/// One group as the seed shows it: `isRole` only on roles, the inherited
/// lists only in a project.
fn group_json(group: &FeatureGroup, in_project: bool) -> Value {
    let mut out = json!({"features": group.features, "blocked": group.blocked, "display": group.display, "id": group.id});
    if group.is_role {
        out["isRole"] = json!(true);
    }
    if in_project {
        out["inherited_features"] = json!(group.inherited_features);
        out["inherited_banned"] = json!(group.inherited_banned);
    }
    out
}

fn scope_json(scope: &FeatureScope, in_project: bool) -> Value {
    let groups: Vec<Value> = scope.groups.iter().map(|g| group_json(g, in_project)).collect();
    json!([{"groups": groups, "id": scope.id, "banned": scope.banned, "onByDefault": scope.on_by_default}])
}

async fn list(State(s): State<ServerState>, caller: Caller, Query(q): Query<ListQuery>) -> ApiResult<impl IntoResponse> {
    match (q.tag.as_deref().filter(|t| !t.is_empty()), q.kind.as_deref()) {
        (Some(tag), _) => Ok(Json(scope_json(&features::project_scope(&s.app, caller.get(), tag).await?, true))),
        (None, Some("admin")) => Ok(Json(scope_json(&features::site_scope(&s.app, caller.get()).await?, false))),
        _ => Err(AppError::validation("type", "Ask for type=admin (the site-wide rules) or tag={project ID}").into()),
    }
}

#[derive(Deserialize, Default)]
struct GroupQuery {
    #[serde(default)]
    group: String,
}

#[derive(Deserialize, Default)]
struct ChangeBody {
    #[serde(default)]
    key: String,
    #[serde(default, deserialize_with = "bool_like::option")]
    banned: Option<bool>,
    #[serde(default, deserialize_with = "bool_like::option")]
    enabled: Option<bool>,
}

async fn change(State(s): State<ServerState>, caller: Caller, Query(q): Query<GroupQuery>, Body(body): Body<ChangeBody>) -> ApiResult<impl IntoResponse> {
    if q.group.trim().is_empty() {
        return Err(AppError::validation("group", "Give the group: ?group=_SITE_WIDE, Owners, role:<name>, a project ID or {ID}_member").into());
    }
    if body.key.trim().is_empty() {
        return Err(AppError::validation("key", "Give the feature's key").into());
    }
    let change = FeatureChange { group: q.group, key: body.key, banned: body.banned, enabled: body.enabled };
    features::set(&s.app, caller.get(), &change).await?;
    Ok(Json(json!({"group": change.group, "key": change.key, "banned": change.banned, "enabled": change.enabled})))
}

#[derive(Deserialize, Default)]
struct EffectiveQuery {
    project: Option<String>,
}

async fn effective(State(s): State<ServerState>, caller: Caller, Query(q): Query<EffectiveQuery>) -> ApiResult<impl IntoResponse> {
    let keys = features::effective(&s.app, caller.get(), q.project.as_deref()).await?;
    Ok(Json(json!({"project": q.project.filter(|p| !p.is_empty()), "features": keys})))
}

#[derive(Deserialize, Default)]
struct CheckQuery {
    #[serde(default)]
    user: String,
    project: Option<String>,
    #[serde(default)]
    feature: String,
}

async fn check(State(s): State<ServerState>, caller: Caller, Query(q): Query<CheckQuery>) -> ApiResult<impl IntoResponse> {
    if q.user.trim().is_empty() || q.feature.trim().is_empty() {
        let field = if q.user.trim().is_empty() { "user" } else { "feature" };
        app::backend::policy::authorize(caller.get(), app::backend::policy::Action::Administer)?;
        return Err(AppError::validation(field, format!("Give ?{field}=")).into());
    }
    Ok(Json(features::check(&s.app, caller.get(), &q.user, q.project.as_deref(), q.feature.trim()).await?))
}
