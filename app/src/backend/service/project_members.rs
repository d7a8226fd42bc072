//! Who is in a project's Owners, Members and Collaborators groups: listing,
//! adding (by username or email), moving and removing, the last-owner rule,
//! and the registry's `/users/{userName}/orgs` view of the same data.
//!
//! Email addresses: a member's shows to themselves, to admins, and to the
//! project's owners only when the member joined by invitation or request
//! (`policy::JOINS_SHARING_EMAIL`; how each membership began is stored).
//! Adding by email is no oracle: a non-admin may add by email only someone
//! whose address they already see, and hears the same "cannot be added"
//! for anyone else as for an address with no account.

use crate::backend::auth::Principal;
use crate::backend::policy::{adds_by_email, authorize, joined_by_adding, member_view, people_scope, sees_person_email, Action, MemberView, ProjectAction};
use crate::backend::service::audit::{self, Actor, AuditAction, Target};
use crate::backend::service::project_access::{load, require_login, Loaded};
use crate::backend::service::{access_requests, invitations, projects};
use crate::backend::service::users::find_user;
use crate::backend::store::projects::{self as store, MemberRow};
use crate::backend::store::users::{self, UserRow};
use crate::backend::store::project_requests;
use crate::backend::time::now_ms;
use crate::backend::AppState;
use crate::model::*;
use serde_json::json;

pub const LAST_OWNER: &str = "A project needs at least one owner; add another owner first";

impl From<MemberRow> for ProjectMember {
    fn from(m: MemberRow) -> ProjectMember {
        ProjectMember {
            user_id: m.user_id,
            username: m.username,
            display_name: m.display_name,
            email: m.email,
            role: ProjectRole::parse(&m.role, "").unwrap_or(ProjectRole::Collaborator),
            enabled: m.enabled,
            since: m.since,
        }
    }
}

/// Everyone in the project's groups, as policy lets the caller see them.
pub async fn members(state: &AppState, principal: Option<&Principal>, slug: &str) -> Result<Vec<ProjectMember>, AppError> {
    let (project, view) = load_for_people(state, principal, slug).await?;
    group_list(state, &project, view).await
}

/// Finds the project and asks policy what the caller sees of its people.
async fn load_for_people(state: &AppState, principal: Option<&Principal>, slug: &str) -> Result<(Loaded, MemberView), AppError> {
    let project = load(state, principal, slug, ProjectAction::See).await?;
    let view = member_view(principal, require_login(state).await, &project.facts())?;
    Ok((project, view))
}

async fn group_list(state: &AppState, project: &Loaded, view: MemberView) -> Result<Vec<ProjectMember>, AppError> {
    let shown = |row: MemberRow| {
        let shows_email = view.shows_email_of(row.user_id, &row.joined_by);
        let mut m = ProjectMember::from(row);
        if !shows_email {
            m.email = None;
        }
        m
    };
    Ok(store::members(&state.db, project.id()).await?.into_iter().map(shown).collect())
}

/// The Users tab: members, and for those who manage it the pending access
/// requests and the invitations.
pub async fn people(state: &AppState, principal: Option<&Principal>, slug: &str) -> Result<ProjectPeople, AppError> {
    let (project, view) = load_for_people(state, principal, slug).await?;
    let members = group_list(state, &project, view).await?;
    if !view.manages {
        return Ok(ProjectPeople { members, ..Default::default() });
    }
    let requests = project_requests::pending_for_project(&state.db, project.id()).await?;
    let invitations = project_requests::invitations_for_project(&state.db, project.id()).await?;
    Ok(ProjectPeople {
        members,
        requests: requests.into_iter().map(access_requests::info).collect(),
        invitations: invitations.into_iter().map(invitations::info).collect(),
    })
}

pub const CANNOT_BE_ADDED: &str = "No user with that username or email can be added";

/// Finds a user by email when `who` has an `@` (usernames never do),
/// otherwise by username. An admin hears "No such user" for a miss; anyone
/// else hears [`CANNOT_BE_ADDED`] alike for a miss and for an address they
/// may not look up ([`adds_by_email`]), so the answer reveals no account.
async fn find_person(state: &AppState, principal: Option<&Principal>, who: &str) -> Result<UserRow, AppError> {
    let who = who.trim();
    if who.is_empty() {
        return Err(AppError::validation("user", "Enter a username or email"));
    }
    let admin = principal.is_some_and(Principal::is_admin);
    let miss = || match admin {
        true => AppError::NotFound(format!("No such user: {who}")),
        false => AppError::NotFound(CANNOT_BE_ADDED.into()),
    };
    let found = match who.contains('@') {
        true => match users::email_owner(&state.db, who, 0).await? {
            Some(id) => {
                let caller = principal.map_or(0, |p| p.user_id);
                let shared = !admin && store::email_shared_with(&state.db, id, caller).await?;
                match adds_by_email(principal, id, shared) {
                    true => users::find_by_id(&state.db, id).await?,
                    false => None,
                }
            }
            None => None,
        },
        false => users::find_by_username(&state.db, who).await?,
    };
    found.ok_or_else(miss)
}

/// Puts a user in `role`'s group, moving them if they are in another group
/// (owners and admins). Returns the user's username.
pub async fn set_member(
    state: &AppState,
    principal: Option<&Principal>,
    slug: &str,
    who: &str,
    role: ProjectRole,
) -> Result<String, AppError> {
    let project = load(state, principal, slug, ProjectAction::Manage).await?;
    let user = find_person(state, principal, who).await?;
    put_in_group(state, principal, &project, &user, role).await?;
    Ok(user.username)
}

async fn put_in_group(
    state: &AppState,
    principal: Option<&Principal>,
    project: &Loaded,
    user: &UserRow,
    role: ProjectRole,
) -> Result<(), AppError> {
    let actor = principal.map_or("", |p| p.username.as_str());
    let event = |action, old: Option<&str>| {
        let details = json!({"user": user.username, "role": role.as_str(), "old_role": old});
        audit::event(Actor::of(principal), action, Target::project(project.id(), &project.row.slug), details)
    };
    match store::role_of(&state.db, project.id(), user.id).await? {
        Some(old) => {
            let event = event(AuditAction::MemberChanged, Some(&old));
            if !store::change_role_keeping_an_owner(&state.db, project.id(), user.id, role.as_str(), &event).await? {
                return Err(AppError::Conflict(LAST_OWNER.into()));
            }
        }
        None => {
            let event = event(AuditAction::MemberAdded, None);
            let joined_by = joined_by_adding(principal);
            store::set_role(&state.db, project.id(), user.id, role.as_str(), joined_by, actor, now_ms(), &event).await?
        }
    }
    Ok(())
}

/// Takes a user out of the project (owners and admins); never its last owner.
pub async fn remove_member(state: &AppState, principal: Option<&Principal>, slug: &str, username: &str) -> Result<(), AppError> {
    let project = load(state, principal, slug, ProjectAction::Manage).await?;
    let user = find_person(state, principal, username).await?;
    if store::role_of(&state.db, project.id(), user.id).await?.is_none() {
        return Err(AppError::NotFound(format!("{} is not in project {}", user.username, project.row.slug)));
    }
    let details = json!({"user": user.username});
    let event = audit::event(Actor::of(principal), AuditAction::MemberRemoved, Target::project(project.id(), &project.row.slug), details);
    if !store::remove_keeping_an_owner(&state.db, project.id(), user.id, &event).await? {
        return Err(AppError::Conflict(LAST_OWNER.into()));
    }
    Ok(())
}

/// Sets which projects `username` is in, the registry's way: listed
/// projects they are not in are joined as Members; unlisted projects where
/// they are Member or Collaborator are left; projects they own never change.
/// An unknown slug is refused before anything changes; concurrent calls
/// apply one after the other.
pub async fn set_user_projects(
    state: &AppState,
    principal: Option<&Principal>,
    username: &str,
    slugs: &[String],
) -> Result<Vec<ProjectSummary>, AppError> {
    let caller = authorize(principal, Action::Administer)?;
    let user = find_user(state, username).await?;
    let mut slugs_by_id: std::collections::HashMap<i64, String> =
        store::list_for_member(&state.db, user.id).await?.into_iter().map(|p| (p.id, p.slug)).collect();
    let mut wanted = Vec::new();
    for slug in slugs {
        let project = load(state, principal, slug, ProjectAction::Manage)
            .await
            .map_err(|_| AppError::validation("orgSlugs", format!("Unknown organization: {slug}")))?;
        slugs_by_id.insert(project.id(), project.row.slug.clone());
        wanted.push(project.id());
    }
    let event = |project: i64, joined: bool| {
        let slug = slugs_by_id.get(&project).cloned().unwrap_or_else(|| project.to_string());
        let (action, details) = match joined {
            true => (AuditAction::MemberAdded, json!({"user": user.username, "role": "member"})),
            false => (AuditAction::MemberRemoved, json!({"user": user.username})),
        };
        audit::event(caller.into(), action, Target::project(project, &slug), details)
    };
    store::set_member_projects(&state.db, user.id, &wanted, &caller.username, now_ms(), event).await?;
    projects::of_user(state, principal, username).await
}

/// The users the caller may list: everyone for admins, otherwise the
/// caller and whoever shares a project with them (XNAT's `/data/users`);
/// email addresses only as policy allows.
pub async fn visible_people(state: &AppState, principal: Option<&Principal>) -> Result<Vec<store::PersonRow>, AppError> {
    let scope = people_scope(principal)?;
    let mut people = store::people_visible_to(&state.db, scope.viewer, scope.everyone).await?;
    for person in &mut people {
        if !sees_person_email(principal, person.id, person.email_shared_with_viewer) {
            person.email = None;
        }
    }
    Ok(people)
}
