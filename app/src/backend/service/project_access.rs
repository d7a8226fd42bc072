//! A project as one caller reaches it: [`load`] finds it and checks the
//! caller in one step (every project service starts there), and
//! [`with_features`] adds to a project's rights what its features allow.
//! In the bottom tier, it imports only `settings`.

use crate::backend::auth::Principal;
use crate::backend::features::{decide, Caller};
use crate::backend::policy::{admit_to_projects, authorize_project, ProjectAction, ProjectFacts};
use crate::backend::service::settings;
use crate::backend::store::feature_rules;
use crate::backend::store::projects::{self, ProjectRow};
use crate::backend::AppState;
use crate::model::*;

/// The features that change what a caller may do in a project.
pub const MANAGE_FILES: &str = "manage_files";
pub const DOWNLOAD_FILES: &str = "download_files";
pub const INVITE_MEMBERS: &str = "invite_members";
pub const REQUEST_ACCESS: &str = "request_access";

/// Whether anonymous visitors are kept out (the "require login" setting);
/// when the settings cannot be read, they are kept out.
pub async fn require_login(state: &AppState) -> bool {
    settings::current(state).await.map_or(true, |s| s.require_login)
}

/// A project as loaded for one caller.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub row: ProjectRow,
    pub accessibility: Accessibility,
    pub role: Option<ProjectRole>,
}

impl Loaded {
    pub fn facts(&self) -> ProjectFacts<'_> {
        ProjectFacts { slug: &self.row.slug, accessibility: self.accessibility, role: self.role }
    }

    pub fn id(&self) -> i64 {
        self.row.id
    }

    pub fn summary(&self) -> ProjectSummary {
        let r = &self.row;
        ProjectSummary {
            slug: r.slug.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            accessibility: self.accessibility,
            owner: r.owner.clone(),
            created_at: r.created_at,
            my_role: self.role,
            member_count: r.member_count,
            dataset_count: r.dataset_count,
        }
    }
}

impl From<ProjectRow> for Loaded {
    fn from(row: ProjectRow) -> Loaded {
        let accessibility = Accessibility::parse(&row.accessibility).unwrap_or(Accessibility::Private);
        let role = row.my_role.as_deref().and_then(|r| ProjectRole::parse(r, ""));
        Loaded { row, accessibility, role }
    }
}

pub fn viewer_id(principal: Option<&Principal>) -> i64 {
    principal.map_or(0, |p| p.user_id)
}

/// Finds `slug` and checks that the caller may do `action` there; policy
/// turns a guest away before any lookup when the site requires login.
pub async fn load(state: &AppState, principal: Option<&Principal>, slug: &str, action: ProjectAction) -> Result<Loaded, AppError> {
    let require_login = require_login(state).await;
    admit_to_projects(principal, require_login)?;
    let row = projects::find(&state.db, slug.trim(), viewer_id(principal))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No such project: {}", slug.trim())))?;
    let loaded = Loaded::from(row);
    authorize_project(principal, require_login, &loaded.facts(), action)?;
    Ok(loaded)
}

/// What `features::decide` needs to know of the caller.
pub fn caller_of<'a>(principal: Option<&'a Principal>, project: Option<&'a Loaded>) -> Caller<'a> {
    Caller {
        roles: principal.map_or(&[][..], |p| p.roles.as_slice()),
        project: project.map(|p| (p.row.slug.as_str(), p.role)),
    }
}

/// The keys of every feature on for the caller in `project` (one query).
pub async fn allowed_keys(state: &AppState, principal: Option<&Principal>, project: Option<&Loaded>) -> Result<Vec<String>, AppError> {
    let rules = feature_rules::in_force(&state.db, project.map(Loaded::id)).await?;
    let caller = caller_of(principal, project);
    Ok(state.features.definitions.iter().filter(|d| decide(Some(d), &rules, &caller).0).map(|d| d.key.clone()).collect())
}

/// `rights` with what the project's features allow the caller.
pub async fn with_features(state: &AppState, principal: Option<&Principal>, project: &Loaded, mut rights: ProjectRights) -> Result<ProjectRights, AppError> {
    let keys = allowed_keys(state, principal, Some(project)).await?;
    let on = |key: &str| keys.iter().any(|k| k == key);
    rights.manage_files = on(MANAGE_FILES);
    rights.download_files = on(DOWNLOAD_FILES);
    rights.invite_members = on(INVITE_MEMBERS);
    rights.request_access &= on(REQUEST_ACCESS);
    Ok(rights)
}

