//! Site user administration and API tokens (SPEC §1, §4; the registry's
//! `/users` paths). Every function checks the caller with `policy` first.
//!
//! The last-enabled-admin rule is checked before the change, not under a
//! lock: two admins demoting each other at the same instant could both pass.

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, Action};
use crate::backend::store::users::{self, ListedUser, UserRow};
use crate::backend::store::{data, projects, roles};
use crate::backend::AppState;
use crate::model::*;

/// Largest page `list` returns at once.
pub const MAX_PAGE: i64 = 1000;

pub async fn find_user(state: &AppState, username: &str) -> Result<UserRow, AppError> {
    users::find_by_username(&state.db, username)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No such user: {username}")))
}

/// A token for a username and password (`POST /users/authenticate`).
pub async fn issue_token(state: &AppState, request: &AuthenticateRequest, ip: Option<&str>) -> Result<AuthToken, AppError> {
    let user = crate::backend::auth::login::authenticate(
        state,
        request.username.as_deref().unwrap_or_default(),
        request.password.as_deref().unwrap_or_default(),
        ip,
    )
    .await?;
    token_for(state, &user).await
}

/// A fresh token for the caller (`POST /users/authenticate/refresh`).
pub async fn refresh_token(state: &AppState, principal: Option<&Principal>) -> Result<AuthToken, AppError> {
    let p = authorize(principal, Action::ChangeOwnPassword)?;
    let user = users::find_by_id(&state.db, p.user_id).await?.ok_or_else(crate::backend::policy::sign_in_required)?;
    token_for(state, &user).await
}

async fn token_for(state: &AppState, user: &UserRow) -> Result<AuthToken, AppError> {
    let (token, expires) = state.jwt.issue(user)?;
    Ok(AuthToken {
        token,
        expires: iso8601(expires),
        user_name: user.username.clone(),
        email: user.email.clone(),
        roles: users::roles_of(&state.db, user.id).await?,
    })
}

/// One page of users by username; `after` is the last username of the previous page.
pub async fn list(
    state: &AppState,
    principal: Option<&Principal>,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Vec<UserDetailed>, AppError> {
    authorize(principal, Action::Administer)?;
    let explicit_limit = limit.is_some();
    let limit = limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let after = after.unwrap_or_default().to_lowercase();
    let mut out = Vec::new();
    let mut cursor = after;
    let limiter = crate::backend::service::settings::current(state).await?.storage_limiter;
    // Without an explicit limit the registry contract wants every user: page through.
    loop {
        let (page, grants) = users::page_by_username(&state.db, &cursor, limit).await?;
        let full_page = page.len() as i64 == limit;
        cursor = page.last().map(|u| u.username.to_lowercase()).unwrap_or_default();
        let ids: Vec<i64> = page.iter().map(|u| u.id).collect();
        let mut roles = users::group_by_user(grants);
        let mut orgs = users::group_by_user(projects::slugs_by_user(&state.db, &ids).await?);
        let datasets: std::collections::HashMap<i64, i64> = data::dataset_counts(&state.db, &ids).await?.into_iter().collect();
        out.extend(page.into_iter().map(|u| {
            let facts = Figures {
                roles: roles.remove(&u.id).unwrap_or_default(),
                organizations: orgs.remove(&u.id).unwrap_or_default(),
                datasets: datasets.get(&u.id).copied().unwrap_or_default(),
            };
            detailed(limiter, u, facts)
        }));
        if !full_page || explicit_limit {
            break;
        }
    }
    Ok(out)
}

/// What a listing gathers about each user of a page in one query each.
struct Figures {
    roles: Vec<String>,
    organizations: Vec<String>,
    datasets: i64,
}

fn detailed(limiter: bool, user: ListedUser, facts: Figures) -> UserDetailed {
    let metadata: serde_json::Value = serde_json::from_str(&user.metadata).unwrap_or_default();
    let organization_count = facts.organizations.len() as i64;
    UserDetailed {
        summary: UserSummary { user_name: user.username, email: user.email, roles: facts.roles, organizations: facts.organizations },
        storage_quota: quota_if(limiter, &metadata),
        storage_used: user.storage_used,
        organization_count,
        dataset_count: facts.datasets,
        created_date: iso8601(user.created_at),
    }
}

/// The caller's quota in bytes under the settings in force (`None`: unlimited).
pub(crate) async fn quota_bytes(state: &AppState, metadata: &serde_json::Value) -> Result<Option<i64>, AppError> {
    let limiter = crate::backend::service::settings::current(state).await?.storage_limiter;
    Ok(quota_if(limiter, metadata))
}

/// The quota in bytes when the limiter is on: metadata `maxStorageMB` × 1 MiB.
fn quota_if(limiter: bool, metadata: &serde_json::Value) -> Option<i64> {
    match limiter {
        true => metadata.get("maxStorageMB").and_then(|v| v.as_f64()).map(|mb| (mb * 1_048_576.0).floor() as i64),
        false => None,
    }
}

async fn summary_of(state: &AppState, user_id: i64) -> Result<UserSummary, AppError> {
    let user = users::find_by_id(&state.db, user_id).await?.ok_or_else(|| AppError::NotFound("No such user".into()))?;
    Ok(UserSummary {
        user_name: user.username,
        email: user.email,
        roles: users::roles_of(&state.db, user_id).await?,
        organizations: projects::slugs_by_user(&state.db, &[user_id]).await?.into_iter().map(|(_, slug)| slug).collect(),
    })
}

/// The canonical names of `requested` roles; an unknown one is an error.
async fn resolve_roles(state: &AppState, requested: &[String]) -> Result<Vec<String>, AppError> {
    let mut names: Vec<String> = Vec::new();
    for role in requested {
        let found = roles::find(&state.db, role.trim())
            .await?
            .ok_or_else(|| AppError::validation("roles", format!("Unknown role: {role}")))?;
        if !names.contains(&found.name) {
            names.push(found.name);
        }
    }
    Ok(names)
}

fn normalized_email(email: Option<&str>) -> Result<Option<String>, AppError> {
    match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => check_email(e, "email").map(|_| Some(e.to_string())),
        None => Ok(None),
    }
}

pub async fn create(
    state: &AppState,
    principal: Option<&Principal>,
    request: &CreateUserRequest,
) -> Result<UserSummary, AppError> {
    authorize(principal, Action::Administer)?;
    let username = request.user_name.as_deref().map(str::trim).unwrap_or_default();
    if username.is_empty() {
        return Err(AppError::validation("userName", "userName is required"));
    }
    check_username(username, "userName")?;
    let password = request.password.as_deref().unwrap_or_default();
    if password.is_empty() {
        return Err(AppError::validation("password", "password is required"));
    }
    crate::backend::service::settings::check_password(state, password, "password").await?;
    let email = normalized_email(request.email.as_deref())?;
    let display_name = request.display_name.as_deref().map(str::trim).filter(|d| !d.is_empty());
    if display_name.is_some_and(|d| d.chars().count() > 100) {
        return Err(AppError::validation("displayName", "Display name must be at most 100 characters"));
    }
    let requested = request.roles.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| vec!["user".into()]);
    let role_names = resolve_roles(state, &requested).await?;
    if users::find_by_username(&state.db, username).await?.is_some() {
        return Err(AppError::Conflict("Username already exists".into()));
    }
    if let Some(e) = &email {
        if users::email_owner(&state.db, e, 0).await?.is_some() {
            return Err(AppError::Conflict("Email already in use".into()));
        }
    }
    let hash = state.hasher.hash(password).await?;
    let role_refs: Vec<&str> = role_names.iter().map(String::as_str).collect();
    let new = users::NewUser {
        username,
        display_name,
        email: email.as_deref(),
        password_hash: &hash,
        must_change_password: false,
        roles: &role_refs,
    };
    let id = match users::insert(&state.db, &new).await {
        Ok(id) => id,
        // A concurrent create of the same name or email lost the race to ours.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(AppError::Conflict("Username already exists".into()))
        }
        Err(e) => return Err(e.into()),
    };
    summary_of(state, id).await
}

async fn is_last_enabled_admin(state: &AppState, user: &UserRow) -> Result<bool, AppError> {
    if !user.enabled || !users::roles_of(&state.db, user.id).await?.iter().any(|r| r == "admin") {
        return Ok(false);
    }
    Ok(users::count_enabled_admins(&state.db).await? <= 1)
}

pub async fn update(
    state: &AppState,
    principal: Option<&Principal>,
    username: &str,
    request: &UpdateUserRequest,
) -> Result<UserSummary, AppError> {
    authorize(principal, Action::Administer)?;
    let user = find_user(state, username).await?;
    let email = match &request.email {
        Some(e) => Some(normalized_email(Some(e))?),
        None => None,
    };
    if let Some(Some(e)) = &email {
        if users::email_owner(&state.db, e, user.id).await?.is_some() {
            return Err(AppError::Conflict("Email already in use".into()));
        }
    }
    let role_names = match &request.roles {
        Some(requested) => Some(resolve_roles(state, requested).await?),
        None => None,
    };
    if let Some(names) = &role_names {
        if !names.iter().any(|r| r == "admin") && is_last_enabled_admin(state, &user).await? {
            return Err(AppError::Conflict(
                "This is the last enabled admin: the admin role cannot be removed".into(),
            ));
        }
    }
    users::update_email_and_roles(&state.db, user.id, email.as_ref().map(|e| e.as_deref()), role_names.as_deref())
        .await?;
    summary_of(state, user.id).await
}

/// Deletes a user with their sessions, tokens, memberships and requests
/// (the database cascades those). Their datasets and files go to the user
/// named by `heir`, or are deleted when `heir` is `None`; callers that
/// offer no choice (REST, bulk) pass the deleting admin, so nothing is lost.
pub async fn delete(state: &AppState, principal: Option<&Principal>, username: &str, heir: Option<&str>) -> Result<(), AppError> {
    let caller = authorize(principal, Action::Administer)?;
    let user = find_user(state, username).await?;
    if user.id == caller.user_id {
        return Err(AppError::Conflict("You cannot delete your own account".into()));
    }
    if is_last_enabled_admin(state, &user).await? {
        return Err(AppError::Conflict("This is the last enabled admin and cannot be deleted".into()));
    }
    let heir_id = match heir.map(str::trim) {
        Some(name) => {
            let heir = users::find_by_username(&state.db, name)
                .await?
                .ok_or_else(|| AppError::validation("heir", format!("No such user to give the data to: {name}")))?;
            if heir.id == user.id {
                return Err(AppError::validation("heir", "Choose someone else to give the data to"));
            }
            Some(heir.id)
        }
        None => None,
    };
    let removed = data::delete_user_with_data(&state.db, user.id, heir_id).await?;
    crate::backend::service::data::remove_stored(state, &removed).await;
    Ok(())
}

/// An admin sets someone's password; their sessions and tokens end.
pub async fn set_password(
    state: &AppState,
    principal: Option<&Principal>,
    username: &str,
    new_password: Option<&str>,
) -> Result<(), AppError> {
    authorize(principal, Action::Administer)?;
    let user = find_user(state, username).await?;
    let new_password = new_password.unwrap_or_default();
    if new_password.is_empty() {
        return Err(AppError::validation("newPassword", "newPassword is required"));
    }
    crate::backend::service::settings::check_password(state, new_password, "newPassword").await?;
    let hash = state.hasher.hash(new_password).await?;
    users::set_password(&state.db, user.id, &hash, false, None).await?;
    Ok(())
}

/// Storage of the caller (`username` = `None`) or, for admins, of anyone.
pub async fn storage(state: &AppState, principal: Option<&Principal>, username: Option<&str>) -> Result<StorageInfo, AppError> {
    let user_id = target_user_id(state, principal, username).await?;
    crate::backend::service::data::storage_of(state, user_id).await
}

/// The caller's id (`username` = `None`) or, for admins, that user's.
async fn target_user_id(state: &AppState, principal: Option<&Principal>, username: Option<&str>) -> Result<i64, AppError> {
    match username {
        None => Ok(authorize(principal, Action::UseSite)?.user_id),
        Some(name) => {
            authorize(principal, Action::Administer)?;
            Ok(find_user(state, name).await?.id)
        }
    }
}

/// Metadata of the caller (`username` = `None`) or, for admins, of anyone.
pub async fn metadata(
    state: &AppState,
    principal: Option<&Principal>,
    username: Option<&str>,
) -> Result<serde_json::Value, AppError> {
    let user_id = target_user_id(state, principal, username).await?;
    Ok(serde_json::from_str(&users::metadata_of(&state.db, user_id).await?).unwrap_or_else(|_| serde_json::json!({})))
}

/// Largest accepted `maxStorageMB`.
const MAX_STORAGE_MB: f64 = 8_000_000_000.0;

/// Merges `patch` into a user's metadata: keys merge, a `null` deletes its
/// key; concurrent merges all land (one write transaction each).
pub async fn merge_metadata(
    state: &AppState,
    principal: Option<&Principal>,
    username: &str,
    patch: &serde_json::Value,
) -> Result<serde_json::Value, AppError> {
    authorize(principal, Action::Administer)?;
    let user = find_user(state, username).await?;
    let patch = patch.as_object().ok_or_else(|| AppError::validation("body", "Metadata must be a JSON object"))?;
    if let Some(v) = patch.get("maxStorageMB").filter(|v| !v.is_null()) {
        if !v.as_f64().is_some_and(|mb| (0.0..=MAX_STORAGE_MB).contains(&mb)) {
            return Err(AppError::validation("maxStorageMB", "maxStorageMB must be a number from 0 to 8000000000"));
        }
    }
    if let Some(v) = patch.get("roles").filter(|v| !v.is_null()) {
        if !v.as_array().is_some_and(|a| a.iter().all(|r| r.is_string())) {
            return Err(AppError::validation("roles", "roles must be an array of strings"));
        }
    }
    let merged = users::update_metadata(&state.db, user.id, |current| {
        let mut current: serde_json::Map<String, serde_json::Value> = serde_json::from_str(current).unwrap_or_default();
        for (key, value) in patch {
            if value.is_null() {
                current.remove(key);
            } else {
                current.insert(key.clone(), value.clone());
            }
        }
        serde_json::Value::Object(current).to_string()
    })
    .await?;
    Ok(serde_json::from_str(&merged).unwrap_or_default())
}
