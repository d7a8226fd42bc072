//! Feature permissions (SPEC §6) for the doors: the effective answer for a
//! caller (`features::decide` decides; this reads the rules it needs, one
//! query), refusing a gated action, the site's and a project's rules as the
//! pages and XNAT's `/data/services/features` show them, and changing one.
//!
//! Who may change what: site-wide bans and site-wide groups need an admin;
//! a project's ban and groups need that project's owner (or an admin).
//! Anyone signed in may ask for their own effective features; only admins
//! ask about someone else (`check`). XNAT's POST carries `banned` (a ban of
//! `_SITE_WIDE` or a project ID, else a block of the group) or `enabled`;
//! a whole site or project can only be banned, not enabled.

use crate::backend::auth::Principal;
use crate::backend::features::{self, decide, role_group, site_wide_group, Caller, Reason, ADMIN_DISPLAY, ADMIN_GROUP, SITE_WIDE};
use crate::backend::policy::{authorize, Action, ProjectAction};
use crate::backend::service::audit::{self, Actor, AuditAction, Target};
use crate::backend::service::project_access::{allowed_keys, caller_of, load, Loaded};
use crate::backend::store::feature_rules::{self, RuleRow, Switch};
use crate::backend::store::{projects, roles, users};
use crate::backend::time::now_ms;
use crate::backend::AppState;
use crate::model::*;
use serde_json::json;

pub const EXPORT_CSV: &str = "export_csv";

const PROJECT_ROLES: [ProjectRole; 3] = [ProjectRole::Owner, ProjectRole::Member, ProjectRole::Collaborator];

/// The effective answer for the caller (a guest has no groups) in
/// `project`, or site-wide without one.
pub async fn answer(state: &AppState, principal: Option<&Principal>, project: Option<&Loaded>, key: &str) -> Result<(bool, Reason), AppError> {
    let rules = feature_rules::in_force(&state.db, project.map(Loaded::id)).await?;
    Ok(decide(state.features.find(key), &rules, &caller_of(principal, project)))
}

/// Refuses the action unless feature `key` is on for the caller.
pub async fn require(state: &AppState, principal: Option<&Principal>, project: Option<&Loaded>, key: &str) -> Result<(), AppError> {
    if answer(state, principal, project, key).await?.0 {
        return Ok(());
    }
    let name = state.features.find(key).map_or(key.to_string(), |d| d.name.clone());
    Err(AppError::Forbidden(match project {
        Some(_) => format!("This feature is not enabled for you in this project: {name}"),
        None => format!("This feature is not enabled for you: {name}"),
    }))
}

/// `GET /api/features/effective[?project=]`: the caller's feature keys.
pub async fn effective(state: &AppState, principal: Option<&Principal>, slug: Option<&str>) -> Result<Vec<String>, AppError> {
    authorize(principal, Action::UseSite)?;
    let project = match slug.filter(|s| !s.trim().is_empty()) {
        Some(slug) => Some(load(state, principal, slug, ProjectAction::See).await?),
        None => None,
    };
    allowed_keys(state, principal, project.as_ref()).await
}

/// `GET /api/features/check`: an admin asks about any user.
pub async fn check(state: &AppState, principal: Option<&Principal>, username: &str, slug: Option<&str>, key: &str) -> Result<FeatureCheck, AppError> {
    authorize(principal, Action::Administer)?;
    let user = users::find_by_username(&state.db, username.trim())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No such user: {}", username.trim())))?;
    let roles = users::roles_of(&state.db, user.id).await?;
    let project = match slug.filter(|s| !s.trim().is_empty()) {
        Some(slug) => Some(Loaded::from(
            projects::find(&state.db, slug.trim(), user.id).await?.ok_or_else(|| AppError::NotFound(format!("No such project: {}", slug.trim())))?,
        )),
        None => None,
    };
    let rules = feature_rules::in_force(&state.db, project.as_ref().map(Loaded::id)).await?;
    let caller = Caller { roles: &roles, project: project.as_ref().map(|p| (p.row.slug.as_str(), p.role)) };
    let (allowed, reason) = decide(state.features.find(key), &rules, &caller);
    Ok(FeatureCheck { allowed, reason: reason.text() })
}

fn infos(state: &AppState) -> Vec<FeatureInfo> {
    state
        .features
        .definitions
        .iter()
        .map(|d| FeatureInfo { key: d.key.clone(), name: d.name.clone(), description: d.description.clone(), on_by_default: d.on_by_default, source: d.source.clone() })
        .collect()
}

/// The keys whose rule in `rules` for `grp` has `switch` on.
fn keys_where(rules: &[RuleRow], site: bool, grp: &str, switch: Switch) -> Vec<String> {
    rules
        .iter()
        .filter(|r| r.project_id.is_none() == site && r.grp == grp)
        .filter(|r| match switch {
            Switch::Blocked => r.blocked,
            Switch::Enabled => r.enabled,
        })
        .map(|r| r.feature.clone())
        .collect()
}

fn scope(state: &AppState, id: String, banned: Vec<String>, groups: Vec<FeatureGroup>) -> FeatureScope {
    let definitions = infos(state);
    let on_by_default = definitions.iter().filter(|d| d.on_by_default).map(|d| d.key.clone()).collect();
    FeatureScope { id, banned, on_by_default, groups, definitions, site_banned: Vec::new() }
}

/// The site-wide rules (`GET /data/services/features?type=admin`): the three
/// site-wide project groups, then every site role.
pub async fn site_scope(state: &AppState, principal: Option<&Principal>) -> Result<FeatureScope, AppError> {
    authorize(principal, Action::Administer)?;
    let rules = feature_rules::in_force(&state.db, None).await?;
    let mut role_names: Vec<String> = roles::list(&state.db).await?.into_iter().map(|r| r.name).collect();
    role_names.sort_by_key(|r| (r != "admin", r.clone()));
    let group = |id: String, display: String, is_role: bool| FeatureGroup {
        features: keys_where(&rules, true, &id, Switch::Enabled),
        blocked: keys_where(&rules, true, &id, Switch::Blocked),
        id,
        display,
        is_role,
        ..FeatureGroup::default()
    };
    let mut groups: Vec<FeatureGroup> = PROJECT_ROLES.iter().map(|r| group(site_wide_group(*r).into(), site_wide_group(*r).into(), false)).collect();
    for name in role_names {
        let display = if name == "admin" { ADMIN_DISPLAY.to_string() } else { format!("Role: {name}") };
        groups.push(group(role_group(&name), display, true));
    }
    Ok(scope(state, SITE_WIDE.into(), keys_where(&rules, true, "", Switch::Blocked), groups))
}

/// One project's rules (`GET /data/services/features?tag={ID}`), for its
/// owners and admins, with the site-wide rules each group inherits.
pub async fn project_scope(state: &AppState, principal: Option<&Principal>, slug: &str) -> Result<FeatureScope, AppError> {
    let project = load(state, principal, slug, ProjectAction::Manage).await?;
    let rules = feature_rules::in_force(&state.db, Some(project.id())).await?;
    let site_bans = keys_where(&rules, true, "", Switch::Blocked);
    let groups: Vec<FeatureGroup> = PROJECT_ROLES
        .iter()
        .map(|role| {
            let site_group = site_wide_group(*role);
            let mut inherited_banned = site_bans.clone();
            inherited_banned.extend(keys_where(&rules, true, site_group, Switch::Blocked));
            FeatureGroup {
                id: features::project_group(&project.row.slug, *role),
                display: site_group.into(),
                is_role: false,
                features: keys_where(&rules, false, role.as_str(), Switch::Enabled),
                blocked: keys_where(&rules, false, role.as_str(), Switch::Blocked),
                inherited_features: keys_where(&rules, true, site_group, Switch::Enabled),
                inherited_banned,
            }
        })
        .collect();
    let mut out = scope(state, project.row.slug.clone(), keys_where(&rules, false, "", Switch::Blocked), groups);
    out.site_banned = site_bans;
    Ok(out)
}

/// Where a change applies, once the caller may make it.
enum Scope {
    Site { grp: String },
    Project { project: Loaded, grp: String },
}

fn no_such_group(group: &str) -> AppError {
    AppError::NotFound(format!("No such group: {group}"))
}

/// Resolves an XNAT group id and checks that the caller may change it.
async fn resolve(state: &AppState, principal: Option<&Principal>, group: &str) -> Result<Scope, AppError> {
    let site = |grp: &str| Scope::Site { grp: grp.to_string() };
    match group {
        SITE_WIDE => return authorize(principal, Action::Administer).map(|_| site("")),
        "Owners" | "Members" | "Collaborators" => return authorize(principal, Action::Administer).map(|_| site(group)),
        _ => {}
    }
    if let Some(role) = group.strip_prefix("role:") {
        authorize(principal, Action::Administer)?;
        let name = if group == ADMIN_GROUP { "admin" } else { role };
        return match roles::find(&state.db, name).await? {
            Some(found) if role_group(&found.name) == group => Ok(site(group)),
            _ => Err(no_such_group(group)),
        };
    }
    authorize(principal, Action::UseSite)?;
    let viewer = principal.map_or(0, |p| p.user_id);
    if projects::find(&state.db, group, viewer).await?.is_some() {
        let project = load(state, principal, group, ProjectAction::Manage).await?;
        return Ok(Scope::Project { project, grp: String::new() });
    }
    let Some((slug, role)) = group.rsplit_once('_') else {
        return Err(no_such_group(group));
    };
    let Some(role) = PROJECT_ROLES.iter().find(|r| r.as_str() == role) else {
        return Err(no_such_group(group));
    };
    match load(state, principal, slug, ProjectAction::Manage).await {
        Ok(project) => Ok(Scope::Project { project, grp: role.as_str().to_string() }),
        Err(AppError::NotFound(_)) => Err(no_such_group(group)),
        Err(other) => Err(other),
    }
}

/// Sets `banned` or `enabled` of one feature for one group (audited).
pub async fn set(state: &AppState, principal: Option<&Principal>, change: &FeatureChange) -> Result<(), AppError> {
    let (switch, on) = match (change.banned, change.enabled) {
        (Some(banned), None) => (Switch::Blocked, banned),
        (None, Some(enabled)) => (Switch::Enabled, enabled),
        _ => return Err(AppError::validation("banned", "Send exactly one of banned and enabled, as true or false")),
    };
    let group = change.group.trim();
    let scope = resolve(state, principal, group).await?;
    let key = change.key.trim();
    let definition = state.features.find(key).ok_or_else(|| AppError::NotFound(format!("No such feature: {key}")))?;
    let (project_id, grp) = match &scope {
        Scope::Site { grp } => (None, grp.as_str()),
        Scope::Project { project, grp } => (Some(project.id()), grp.as_str()),
    };
    if grp.is_empty() && switch == Switch::Enabled {
        return Err(AppError::validation("enabled", "A whole site or project can only be banned from a feature; enable it for a group instead"));
    }
    let p = authorize(principal, Action::UseSite)?;
    let field = if switch == Switch::Blocked { "banned" } else { "enabled" };
    let event = audit::event(Actor::User(p), AuditAction::FeatureChanged, Target::feature(&definition.key), json!({"group": group, field: on}));
    feature_rules::set(&state.db, project_id, grp, &definition.key, switch, on, &p.username, now_ms(), &event).await?;
    Ok(())
}
