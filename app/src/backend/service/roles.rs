//! Site roles: the built-in `admin`, `user` and `all_data_access`, and
//! custom roles that admins create and delete.

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, Action};
use crate::backend::service::audit::{self, AuditAction, Target};
use crate::backend::store::roles;
use crate::backend::AppState;
use crate::model::{check_role_name, AppError, RoleInfo};

pub async fn list(state: &AppState, principal: Option<&Principal>) -> Result<Vec<String>, AppError> {
    authorize(principal, Action::UseSite)?;
    Ok(roles::list(&state.db).await?.into_iter().map(|r| r.name).collect())
}

pub async fn create(state: &AppState, principal: Option<&Principal>, name: &str) -> Result<String, AppError> {
    let caller = authorize(principal, Action::Administer)?;
    let name = name.trim();
    check_role_name(name, "role_name")?;
    let event = audit::event(caller.into(), AuditAction::RoleCreated, Target::role(name), serde_json::json!({}));
    if !roles::create(&state.db, name, &event).await? {
        return Err(AppError::taken("role_name", format!("Role already exists: {name}")));
    }
    state.role_holders.clear();
    Ok(name.to_string())
}

/// Deletes a custom role. One still held by users needs `force`, which
/// takes it from them.
pub async fn delete(state: &AppState, principal: Option<&Principal>, name: &str, force: bool) -> Result<(), AppError> {
    let caller = authorize(principal, Action::Administer)?;
    let role = roles::find(&state.db, name).await?.ok_or_else(|| AppError::NotFound(format!("No such role: {name}")))?;
    if role.builtin {
        return Err(AppError::validation("role_name", format!("The built-in role {} cannot be deleted", role.name)));
    }
    let holders = roles::count_holders(&state.db, &role.name).await?;
    if holders > 0 && !force {
        return Err(AppError::Conflict(format!("Role is assigned to {holders} users")));
    }
    let event = audit::event(caller.into(), AuditAction::RoleDeleted, Target::role(&role.name), serde_json::json!({"holders": holders}));
    roles::delete(&state.db, &role.name, &event).await?;
    state.role_holders.clear();
    Ok(())
}

/// Every role's name, for admins (the user list's filter, the new-user form).
pub async fn names(state: &AppState, principal: Option<&Principal>) -> Result<Vec<String>, AppError> {
    authorize(principal, Action::Administer)?;
    Ok(roles::list(&state.db).await?.into_iter().map(|r| r.name).collect())
}

/// How long the Roles page may show holder counts before counting again:
/// counting grants is the one cost of that page that grows with the users.
pub const HOLDERS_CACHE_FOR: std::time::Duration = std::time::Duration::from_secs(5);

/// Every role with how many users hold it, for the admin Roles page. The
/// counts may be up to [`HOLDERS_CACHE_FOR`] old; creating or deleting a
/// role shows at once on this instance.
pub async fn list_with_holders(state: &AppState, principal: Option<&Principal>) -> Result<Vec<RoleInfo>, AppError> {
    authorize(principal, Action::Administer)?;
    if let Some(roles) = state.role_holders.get(HOLDERS_CACHE_FOR) {
        return Ok(roles);
    }
    let rows = roles::list_with_holders(&state.db).await?;
    let roles: Vec<_> = rows.into_iter().map(|(name, builtin, holders)| RoleInfo { name, builtin, holders }).collect();
    state.role_holders.put(roles.clone());
    Ok(roles)
}
