//! Site user administration (SPEC §1, §8), one function per use case for
//! both doors: the admin panel's server functions and the registry's
//! `/users` paths. Every function checks the caller with `policy` first.
//! The rules live here once: nobody disables or deletes themselves, the last
//! enabled admin keeps the role and stays enabled, roles are resolved to
//! their stored names, an email belongs to one account, and disabling or a
//! new password ends every session and token. A change that sets a
//! password, moves an email, makes an admin, creates an account or lifts a
//! lockout asks `policy::admin_change_action`, which refuses tokens.
//!
//! The last-enabled-admin rule is checked by the store inside the change's
//! own write transaction, under a guard that makes such changes take turns
//! (`store::users::role_grants::sole_enabled_admin`): two admins demoting each other at
//! the same instant leave one admin, on both databases.

pub mod listing;

use crate::backend::auth::{external, Principal};
use crate::backend::policy::{admin_change_action, authorize, authorize_account_data, AccountChange, Action};
use crate::backend::service::audit::{self, AuditAction, Changes, Target};
use crate::backend::service::{mail, settings};
use crate::backend::store::users::{self, role_grants, sign_in_counters, UserRow};
use crate::backend::store::{data, projects, roles};
use crate::backend::{disk, time, AppState};
use crate::model::validate::{self, EMAIL_TAKEN, USERNAME_TAKEN};
use crate::model::*;
use serde_json::json;

pub async fn find_user(state: &AppState, username: &str) -> Result<UserRow, AppError> {
    users::find_by_username(&state.db, username)
        .await?
        .ok_or_else(|| no_such_user(username))
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

/// The stored names of `requested` roles, without repeats; an unknown one is
/// an error on `field`.
async fn resolve_roles(state: &AppState, requested: &[String], field: &str) -> Result<Vec<String>, AppError> {
    let mut names: Vec<String> = Vec::new();
    for role in requested {
        let found = roles::find(&state.db, role.trim())
            .await?
            .ok_or_else(|| AppError::validation(field, format!("Unknown role: {role}")))?;
        if !names.contains(&found.name) {
            names.push(found.name);
        }
    }
    Ok(names)
}

/// A valid address that no account but `owner` (0: none) has.
async fn free_email<'a>(state: &AppState, email: &'a str, owner: i64) -> Result<Option<&'a str>, AppError> {
    let email = validate::optional_email(email, "email")?;
    if let Some(e) = email {
        if users::email_owner(&state.db, e, owner).await?.is_some() {
            return Err(AppError::taken("email", EMAIL_TAKEN));
        }
    }
    Ok(email)
}

/// What a refused change would have done to the last enabled admin.
#[derive(Clone, Copy)]
enum AdminAfter {
    LosesRole,
    Disabled,
    Deleted,
}

/// The refusal of a change that would leave the site without an enabled admin.
fn last_admin(after: AdminAfter) -> impl FnOnce(role_grants::LastAdmin) -> AppError {
    move |role_grants::LastAdmin| {
        let what = match after {
            AdminAfter::LosesRole => "lose the admin role",
            AdminAfter::Disabled => "be disabled",
            AdminAfter::Deleted => "be deleted",
        };
        AppError::Conflict(format!("This is the last enabled admin: it cannot {what}"))
    }
}

/// Whether an edit moves `user`'s email to another address (where their
/// reset links would go); removing it moves nothing.
fn moves_email(user: &UserRow, new: Option<&str>) -> bool {
    new.is_some_and(|new| !user.email.as_deref().is_some_and(|old| old.eq_ignore_ascii_case(new)))
}

/// Whether a change of roles from `old` to `new` makes the account an admin.
fn grants_admin(old: &[String], new: &[String]) -> bool {
    let admin = |roles: &[String]| roles.iter().any(|r| r == "admin");
    admin(new) && !admin(old)
}

/// A new password for someone else, checked against the rules in force.
async fn hash_new_password(state: &AppState, password: &str, field: &str) -> Result<String, AppError> {
    settings::check_password(state, password, field).await?;
    state.hasher.hash(password).await
}

/// An admin creates an account (verified and approved).
pub async fn create(state: &AppState, principal: Option<&Principal>, account: &NewAccount) -> Result<UserSummary, AppError> {
    let change = AccountChange { sets_password: true, creates_accounts: true, ..Default::default() };
    let caller = authorize(principal, admin_change_action(change))?;
    settings::require_recent_sign_in(state, caller).await?;
    external::refuse_local_management(state)?;
    let username = account.username.trim();
    validate::check_username(username, "username")?;
    settings::check_password(state, &account.password, "password").await?;
    let display_name = validate::display_name(&account.display_name, "display_name")?;
    let requested = if account.roles.is_empty() { vec!["user".to_string()] } else { account.roles.clone() };
    let role_names = resolve_roles(state, &requested, "roles").await?;
    if users::find_by_username(&state.db, username).await?.is_some() {
        return Err(AppError::taken("username", USERNAME_TAKEN));
    }
    let email = free_email(state, &account.email, 0).await?;
    let hash = state.hasher.hash(&account.password).await?;
    let role_refs: Vec<&str> = role_names.iter().map(String::as_str).collect();
    let new = users::NewUser { username, display_name, email, password_hash: &hash, must_change_password: false, roles: &role_refs };
    let details = json!({"roles": role_names, "email": email});
    let event = audit::event(caller.into(), AuditAction::UserCreated, Target::user(0, username), details);
    let id = match users::insert(&state.db, &new, event).await {
        Ok(id) => id,
        // A concurrent create of the same name or email lost the race to ours.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(AppError::taken("username", USERNAME_TAKEN)),
        Err(e) => return Err(e.into()),
    };
    summary_of(state, id).await
}

/// `PUT /users/{userName}`: a new email (empty removes it) and/or a new
/// set of roles; absent parts stay as they are.
pub async fn update_email_and_roles(
    state: &AppState,
    principal: Option<&Principal>,
    username: &str,
    request: &UpdateUserRequest,
) -> Result<UserSummary, AppError> {
    let caller = authorize(principal, Action::Administer)?;
    external::refuse_local_management(state)?;
    let user = find_user(state, username).await?;
    let email = match &request.email {
        Some(e) => Some(free_email(state, e, user.id).await?),
        None => None,
    };
    let role_names = match &request.roles {
        Some(requested) => Some(resolve_roles(state, requested, "roles").await?),
        None => None,
    };
    let old_roles = users::roles_of(&state.db, user.id).await?;
    let change = AccountChange {
        moves_email: moves_email(&user, email.flatten()),
        grants_admin: role_names.as_deref().is_some_and(|new| grants_admin(&old_roles, new)),
        ..Default::default()
    };
    authorize(principal, admin_change_action(change))?;
    let mut changes = Changes::default();
    if let Some(email) = &email {
        changes.set("email", json!({"old": user.email, "new": email}));
    }
    if let Some(roles) = &role_names {
        changes.set("roles", json!({"new": roles}));
    }
    let event = audit::event(caller.into(), AuditAction::UserUpdated, Target::user(user.id, &user.username), changes.details());
    users::update_email_and_roles(&state.db, user.id, email, role_names.as_deref(), &event)
        .await?
        .map_err(last_admin(AdminAfter::LosesRole))?;
    summary_of(state, user.id).await
}

/// The edit page's current values and the facts beside it.
pub async fn edit_form(state: &AppState, principal: Option<&Principal>, username: &str) -> Result<(UserEdit, UserFacts), AppError> {
    authorize(principal, Action::Administer)?;
    let user = find_user(state, username).await?;
    let mut metadata: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&user.metadata).unwrap_or_default();
    let max_storage_mb = metadata.remove("maxStorageMB").map(|v| v.to_string()).unwrap_or_default();
    let edit = UserEdit {
        username: user.username.clone(),
        version: user.version,
        display_name: user.display_name.clone().unwrap_or_default(),
        email: user.email.clone().unwrap_or_default(),
        roles: users::roles_of(&state.db, user.id).await?,
        enabled: user.enabled,
        verified: user.verified,
        approved: user.approved,
        non_expiring: user.non_expiring,
        password: String::new(),
        max_storage_mb,
        metadata: serde_json::to_string_pretty(&metadata).unwrap_or_else(|_| "{}".into()),
    };
    let now = time::now_ms();
    let facts = UserFacts {
        created: iso8601(user.created_at),
        last_login: user.last_login_at.map(iso8601),
        failed_logins: user.failed_logins,
        locked_until: user.locked_until.filter(|t| *t > now).map(iso8601),
        all_roles: roles::list(&state.db).await?.into_iter().map(|r| r.name).collect(),
    };
    Ok((edit, facts))
}

/// A `maxStorageMB` value as metadata keeps it: whole numbers as integers.
fn storage_mb_value(mb: f64) -> serde_json::Value {
    if mb.fract() == 0.0 {
        serde_json::Value::from(mb as i64)
    } else {
        serde_json::Number::from_f64(mb).map(serde_json::Value::Number).unwrap_or_default()
    }
}

/// The edit page's metadata: the JSON object text plus the quota field.
fn edited_metadata(edit: &UserEdit) -> Result<String, AppError> {
    let mut metadata: serde_json::Map<String, serde_json::Value> = match edit.metadata.trim() {
        "" => serde_json::Map::new(),
        text => serde_json::from_str(text)
            .map_err(|_| AppError::validation("metadata", "Metadata must be a JSON object, like {\"department\": \"Radiology\"}"))?,
    };
    match edit.max_storage_mb.trim() {
        "" => {
            metadata.remove("maxStorageMB");
        }
        text => {
            let mb = validate::check_max_storage_mb(text.parse().ok(), "max_storage_mb")?;
            metadata.insert("maxStorageMB".into(), storage_mb_value(mb));
        }
    }
    Ok(serde_json::Value::Object(metadata).to_string())
}

/// What an edit changes, field by field, with old and new values (never a password).
fn edited_fields(user: &UserRow, old_roles: &[String], edit: &users::AdminEdit<'_>) -> Changes {
    let mut changes = Changes::default();
    changes.note("display_name", &user.display_name, edit.display_name);
    changes.note("email", &user.email, edit.email);
    changes.note("enabled", user.enabled, edit.enabled);
    changes.note("verified", user.verified, edit.verified);
    changes.note("approved", user.approved, edit.approved);
    changes.note("non_expiring", user.non_expiring, edit.non_expiring);
    let metadata = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap_or_default();
    changes.note("metadata", metadata(&user.metadata), metadata(edit.metadata));
    let mut old_roles = old_roles.to_vec();
    let mut new_roles = edit.roles.to_vec();
    old_roles.sort();
    new_roles.sort();
    changes.note("roles", old_roles, new_roles);
    if edit.password_hash.is_some() {
        changes.set("password", json!("changed"));
    }
    changes
}

/// Saves the edit page. A stale `version` changes nothing and says so.
pub async fn save(state: &AppState, principal: Option<&Principal>, edit: &UserEdit) -> Result<(), AppError> {
    let caller = authorize(principal, Action::Administer)?;
    external::refuse_local_management(state)?;
    let user = find_user(state, &edit.username).await?;
    if user.id == caller.user_id && !edit.enabled {
        return Err(AppError::validation("enabled", "You cannot disable your own account"));
    }
    let display_name = validate::display_name(&edit.display_name, "display_name")?;
    let email = free_email(state, &edit.email, user.id).await?;
    let role_names = resolve_roles(state, &edit.roles, "roles").await?;
    let metadata = edited_metadata(edit)?;
    let old_roles = users::roles_of(&state.db, user.id).await?;
    let change = AccountChange {
        sets_password: !edit.password.is_empty(),
        moves_email: moves_email(&user, email),
        grants_admin: grants_admin(&old_roles, &role_names),
        ..Default::default()
    };
    let caller = authorize(principal, admin_change_action(change))?;
    if change.sets_password {
        settings::require_recent_sign_in(state, caller).await?;
    }
    let password_hash = match edit.password.as_str() {
        "" => None,
        password => Some(hash_new_password(state, password, "password").await?),
    };
    let change = users::AdminEdit {
        version: edit.version,
        display_name,
        email,
        enabled: edit.enabled,
        verified: edit.verified,
        approved: edit.approved,
        non_expiring: edit.non_expiring,
        metadata: &metadata,
        roles: &role_names,
        // A new password, disabling, or taking back verification or approval
        // ends every session and token the user holds.
        ends_sessions: password_hash.is_some()
            || !edit.enabled
            || (user.verified && !edit.verified)
            || (user.approved && !edit.approved),
        password_hash: password_hash.as_deref(),
    };
    let after = if edit.enabled { AdminAfter::LosesRole } else { AdminAfter::Disabled };
    let details = edited_fields(&user, &old_roles, &change).details();
    let event = audit::event(caller.into(), AuditAction::UserUpdated, Target::user(user.id, &user.username), details);
    if !users::apply_admin_edit(&state.db, user.id, &change, &event).await?.map_err(last_admin(after))? {
        return Err(AppError::Conflict(STALE_EDIT.into()));
    }
    if edit.approved && !user.approved {
        if let Some(approved) = users::find_by_id(&state.db, user.id).await? {
            mail::send_approved_email(state, &approved).await?;
        }
    }
    Ok(())
}

pub async fn set_enabled(state: &AppState, principal: Option<&Principal>, username: &str, enabled: bool) -> Result<(), AppError> {
    let caller = authorize(principal, Action::Administer)?;
    let user = find_user(state, username).await?;
    if !enabled && user.id == caller.user_id {
        return Err(AppError::Conflict("You cannot disable your own account".into()));
    }
    let action = if enabled { AuditAction::UserEnabled } else { AuditAction::UserDisabled };
    let event = audit::event(caller.into(), action, Target::user(user.id, &user.username), json!({}));
    users::set_enabled(&state.db, user.id, enabled, &event).await?.map_err(last_admin(AdminAfter::Disabled))?;
    Ok(())
}

pub async fn unlock(state: &AppState, principal: Option<&Principal>, username: &str) -> Result<(), AppError> {
    let caller = authorize(principal, admin_change_action(AccountChange { lifts_lockout: true, ..Default::default() }))?;
    let user = find_user(state, username).await?;
    let event = audit::event(caller.into(), AuditAction::UserUnlocked, Target::user(user.id, &user.username), json!({}));
    sign_in_counters::unlock(&state.db, user.id, &event).await?;
    Ok(())
}

/// Grants (`granted`) or removes one role; the last enabled admin keeps `admin`.
pub async fn set_role(state: &AppState, principal: Option<&Principal>, username: &str, role: &str, granted: bool) -> Result<(), AppError> {
    let caller = authorize(principal, Action::Administer)?;
    external::refuse_local_management(state)?;
    let user = find_user(state, username).await?;
    let role = resolve_roles(state, &[role.to_string()], "role").await?.remove(0);
    let grants = granted && grants_admin(&[], std::slice::from_ref(&role));
    authorize(principal, admin_change_action(AccountChange { grants_admin: grants, ..Default::default() }))?;
    let action = if granted { AuditAction::RoleGranted } else { AuditAction::RoleRevoked };
    let event = audit::event(caller.into(), action, Target::user(user.id, &user.username), json!({"role": role}));
    role_grants::set_role(&state.db, user.id, &role, granted, &event).await?.map_err(last_admin(AdminAfter::LosesRole))?;
    Ok(())
}

/// Deletes a user with their sessions, tokens, memberships and requests
/// (the database cascades those). Their datasets and files go to the user
/// named by `heir`, or are deleted when `heir` is `None`; callers that
/// offer no choice (REST, bulk) pass the deleting admin, so nothing is lost.
pub async fn delete(state: &AppState, principal: Option<&Principal>, username: &str, heir: Option<&str>) -> Result<(), AppError> {
    let caller = authorize(principal, Action::Administer)?;
    settings::require_recent_sign_in(state, caller).await?;
    external::refuse_local_management(state)?;
    let user = find_user(state, username).await?;
    if user.id == caller.user_id {
        return Err(AppError::Conflict("You cannot delete your own account".into()));
    }
    let heir_id = match heir.map(str::trim) {
        Some(name) => {
            let heir = users::find_by_username(&state.db, name)
                .await?
                .ok_or_else(|| AppError::validation("heir", format!("No such user to give the data to: {name}")))?;
            if heir.id == user.id {
                return Err(AppError::validation("heir", "Choose someone else to give the data to"));
            }
            Some((heir.id, heir.username))
        }
        None => None,
    };
    let details = json!({"data_given_to": heir_id.as_ref().map(|(_, name)| name)});
    let event = audit::event(caller.into(), AuditAction::UserDeleted, Target::user(user.id, &user.username), details);
    let heir_id = heir_id.map(|(id, _)| id);
    let removed = data::delete_user_with_data(&state.db, user.id, heir_id, &event).await?.map_err(last_admin(AdminAfter::Deleted))?;
    disk::remove_stored(state, &removed).await;
    Ok(())
}

/// An admin sets someone's password; their sessions and tokens end.
pub async fn set_password(state: &AppState, principal: Option<&Principal>, username: &str, new_password: Option<&str>) -> Result<(), AppError> {
    let caller = authorize(principal, Action::AdministerCredentials)?;
    settings::require_recent_sign_in(state, caller).await?;
    external::refuse_local_management(state)?;
    let user = find_user(state, username).await?;
    let new_password = new_password.unwrap_or_default();
    if new_password.is_empty() {
        return Err(AppError::validation("newPassword", "newPassword is required"));
    }
    let hash = hash_new_password(state, new_password, "newPassword").await?;
    let event = audit::event(caller.into(), AuditAction::PasswordReset, Target::user(user.id, &user.username), json!({"by": "admin"}));
    users::set_password(&state.db, user.id, &hash, false, None, &event).await?;
    Ok(())
}

/// Applies `action` to each user separately, through the same rules as one
/// at a time, and reports what happened to each.
pub async fn bulk(state: &AppState, principal: Option<&Principal>, action: &BulkAction, usernames: &[String]) -> Result<Vec<BulkOutcome>, AppError> {
    let caller = authorize(principal, Action::Administer)?;
    if usernames.is_empty() {
        return Err(AppError::validation("selection", "Select at least one user"));
    }
    if matches!(action, BulkAction::Delete) {
        // Asked once for the whole selection, so the page can confirm and retry it.
        settings::require_recent_sign_in(state, caller).await?;
    }
    if usernames.len() > MAX_BULK {
        return Err(AppError::validation("selection", format!("Select at most {MAX_BULK} users at once")));
    }
    if !matches!(action, BulkAction::Enable | BulkAction::Disable) {
        external::refuse_local_management(state)?;
    }
    let mut outcomes = Vec::with_capacity(usernames.len());
    for username in usernames {
        let (result, done_message) = match action {
            BulkAction::Enable => (set_enabled(state, principal, username, true).await, "Enabled".to_string()),
            BulkAction::Disable => (set_enabled(state, principal, username, false).await, "Disabled; sessions ended".to_string()),
            BulkAction::Delete => {
                let heir = principal.map(|p| p.username.as_str());
                (delete(state, principal, username, heir).await, "Deleted; their data went to you".to_string())
            }
            BulkAction::AddRole(role) => (set_role(state, principal, username, role, true).await, format!("Given the role {role}")),
            BulkAction::RemoveRole(role) => (set_role(state, principal, username, role, false).await, format!("Role {role} removed")),
        };
        outcomes.push(match result {
            Ok(()) => BulkOutcome { username: username.clone(), done: true, message: done_message },
            Err(e) => BulkOutcome { username: username.clone(), done: false, message: e.message() },
        });
    }
    if matches!(action, BulkAction::Delete) {
        state.search_upkeep.bulk_write();
    }
    Ok(outcomes)
}

/// Metadata of the caller (`username` = `None`) or, for admins, of anyone.
pub async fn metadata(state: &AppState, principal: Option<&Principal>, username: Option<&str>) -> Result<serde_json::Value, AppError> {
    let caller = authorize_account_data(principal, username.is_some())?;
    let user_id = match username {
        None => caller.user_id,
        Some(name) => find_user(state, name).await?.id,
    };
    Ok(serde_json::from_str(&users::metadata_of(&state.db, user_id).await?).unwrap_or_else(|_| serde_json::json!({})))
}

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
        validate::check_max_storage_mb(v.as_f64(), "maxStorageMB")?;
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
