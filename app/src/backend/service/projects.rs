//! Projects (SPEC §3; the registry's organizations, XNAT's projects): list,
//! show, create, edit, create-or-update (XNAT's `PUT`) and delete. Every
//! check is a `policy` call; `project_access::load` finds a project and
//! checks the caller in one step.
//!
//! Decisions: a new project is `private` unless asked otherwise (XNAT's
//! default; the registry's `isPublic=false` means private too); a missing
//! name defaults to the slug; the project's `owner` is its earliest owner.

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, project_list_scope, project_rights, Action, ProjectAction};
use crate::backend::store::projects::{self, NewProject, ProjectEdit};
use crate::backend::store::project_requests;
use crate::backend::service::audit::{self, Actor, AuditAction, Changes, Target};
use crate::backend::service::project_access::{load, require_login, viewer_id, with_features, Loaded};
use crate::backend::service::users;
use crate::backend::store::audit::NewEvent;
use crate::backend::time::now_ms;
use crate::backend::{disk, AppState};
use crate::model::*;
use serde_json::json;

pub const STALE_PROJECT: &str = "This project was changed by someone else; reload and try again";

/// The projects the caller may see, by slug, with their role in each.
pub async fn list(state: &AppState, principal: Option<&Principal>) -> Result<Vec<ProjectSummary>, AppError> {
    let scope = project_list_scope(principal, require_login(state).await)?;
    let rows = projects::list_visible(&state.db, viewer_id(principal), scope).await?;
    Ok(rows.into_iter().map(|row| Loaded::from(row).summary()).collect())
}

/// One project's page for the caller.
pub async fn detail(state: &AppState, principal: Option<&Principal>, slug: &str) -> Result<ProjectDetail, AppError> {
    let project = load(state, principal, slug, ProjectAction::See).await?;
    let rights = project_rights(principal, require_login(state).await, &project.facts());
    let rights = with_features(state, principal, &project, rights).await?;
    let pending_request = match principal {
        Some(p) if rights.request_access => project_requests::for_user(&state.db, p.user_id)
            .await?
            .iter()
            .any(|r| r.project_id == project.id() && r.status == "pending"),
        _ => false,
    };
    Ok(ProjectDetail { summary: project.summary(), rights, version: project.row.version, pending_request })
}

fn check_text(value: &str, field: &str, label: &str, max: usize) -> Result<(), AppError> {
    if value.chars().count() > max {
        return Err(AppError::validation(field, format!("{label} must be at most {max} characters")));
    }
    Ok(())
}

/// The page's and XNAT's name for a project's slug in messages.
pub const PROJECT_ID: &str = "Project id";

/// A new project's fields, checked: a missing name is the slug, a missing
/// accessibility `private`.
fn new_project<'a>(
    owner: &Principal,
    slug: &'a str,
    name: &'a str,
    description: &'a str,
    accessibility: Option<Accessibility>,
    slug_label: &str,
) -> Result<NewProject<'a>, AppError> {
    let slug = slug.trim();
    if slug.is_empty() {
        return Err(AppError::validation("slug", format!("{slug_label} is required")));
    }
    check_slug(slug, "slug", slug_label)?;
    let name = match name.trim() {
        "" => slug,
        name => name,
    };
    check_text(name, "name", "Name", 200)?;
    let description = description.trim();
    check_text(description, "description", "Description", 2000)?;
    let accessibility = accessibility.unwrap_or(Accessibility::Private).as_str();
    Ok(NewProject { slug, name, description, accessibility, owner: owner.user_id, now: now_ms() })
}

fn created_event(caller: &Principal, new: &NewProject<'_>) -> NewEvent {
    let details = json!({"name": new.name, "accessibility": new.accessibility});
    audit::event(caller.into(), AuditAction::ProjectCreated, Target::project(0, new.slug), details)
}

fn slug_taken(slug: &str) -> AppError {
    AppError::Conflict(format!("Project id already taken: {slug}"))
}

/// Creates a project with the caller as its owner. `slug_label` is what
/// the caller's request calls the slug, for the messages about it.
pub async fn create(state: &AppState, principal: Option<&Principal>, input: &ProjectInput, slug_label: &str) -> Result<ProjectSummary, AppError> {
    let p = authorize(principal, Action::UseSite)?;
    let accessibility = match input.accessibility.trim() {
        "" => None,
        text => Some(parse_accessibility(text, "accessibility")?),
    };
    let new = new_project(p, &input.slug, &input.name, &input.description, accessibility, slug_label)?;
    if projects::insert(&state.db, &new, created_event(p, &new)).await?.is_none() {
        return Err(slug_taken(new.slug));
    }
    Ok(load(state, principal, new.slug, ProjectAction::See).await?.summary())
}

/// What [`put`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Put {
    Created,
    Updated,
}

/// XNAT's `PUT /data/projects/{ID}`: creates the project with the caller as
/// its owner, or, when the id is taken, updates the given fields of a
/// project the caller manages. A taken id the caller cannot see is a
/// conflict; one they see but do not manage is refused.
pub async fn put(state: &AppState, principal: Option<&Principal>, slug: &str, fields: &ProjectChanges) -> Result<Put, AppError> {
    let p = authorize(principal, Action::UseSite)?;
    let (name, description) = (fields.name.as_deref().unwrap_or_default(), fields.description.as_deref().unwrap_or_default());
    let new = new_project(p, slug, name, description, fields.accessibility, PROJECT_ID)?;
    if projects::insert(&state.db, &new, created_event(p, &new)).await?.is_some() {
        return Ok(Put::Created);
    }
    match update(state, principal, new.slug, fields).await {
        Ok(_) => Ok(Put::Updated),
        Err(AppError::NotFound(_)) => Err(slug_taken(new.slug)),
        Err(other) => Err(other),
    }
}

/// Changes name, description or accessibility (owners and admins); only
/// the fields given are written, so concurrent edits of different fields
/// all land.
pub async fn update(
    state: &AppState,
    principal: Option<&Principal>,
    slug: &str,
    changes: &ProjectChanges,
) -> Result<ProjectSummary, AppError> {
    let project = load(state, principal, slug, ProjectAction::Manage).await?;
    let name = changes.name.as_deref().map(str::trim);
    if name == Some("") {
        return Err(AppError::validation("name", "Name is required"));
    }
    if let Some(name) = name {
        check_text(name, "name", "Name", 200)?;
    }
    let description = changes.description.as_deref().map(str::trim);
    if let Some(description) = description {
        check_text(description, "description", "Description", 2000)?;
    }
    let edit = ProjectEdit { name, description, accessibility: changes.accessibility.map(Accessibility::as_str) };
    let mut changed = Changes::default();
    let fields = [("name", edit.name, &project.row.name), ("description", edit.description, &project.row.description), ("accessibility", edit.accessibility, &project.row.accessibility)];
    for (field, new, old) in fields {
        if let Some(new) = new {
            changed.note(field, old, new);
        }
    }
    let caller = authorize(principal, Action::UseSite)?;
    let event = audit::event(caller.into(), AuditAction::ProjectUpdated, Target::project(project.id(), &project.row.slug), changed.details());
    if !projects::update(&state.db, project.id(), edit, changes.version, now_ms(), &event).await? {
        return Err(AppError::Conflict(STALE_PROJECT.into()));
    }
    Ok(load(state, principal, slug, ProjectAction::See).await?.summary())
}

/// Deletes a project with its datasets and files (owners and admins).
pub async fn delete(state: &AppState, principal: Option<&Principal>, slug: &str) -> Result<(), AppError> {
    let project = load(state, principal, slug, ProjectAction::Manage).await?;
    let details = json!({"name": project.row.name});
    let event = audit::event(Actor::of(principal), AuditAction::ProjectDeleted, Target::project(project.id(), &project.row.slug), details);
    let keys = projects::delete(&state.db, project.id(), &event).await?;
    disk::remove_stored(state, &keys).await;
    Ok(())
}

/// What `isPublic` means on the registry paths: `true` makes a project
/// public; `false` makes a public one private and leaves the others alone.
pub fn accessibility_from_is_public(is_public: bool, current: Accessibility) -> Accessibility {
    match (is_public, current) {
        (true, _) => Accessibility::Public,
        (false, Accessibility::Public) => Accessibility::Private,
        (false, other) => other,
    }
}

/// The projects `username` is in (admins; the registry's `/users/{u}/orgs`).
pub async fn of_user(state: &AppState, principal: Option<&Principal>, username: &str) -> Result<Vec<ProjectSummary>, AppError> {
    authorize(principal, Action::Administer)?;
    let user = users::find_user(state, username).await?;
    let rows = projects::list_for_member(&state.db, user.id).await?;
    Ok(rows.into_iter().map(|row| Loaded::from(row).summary()).collect())
}
