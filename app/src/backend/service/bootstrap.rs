//! Creating admins outside the browser: the first-run admin and the
//! `create-admin` / `reset-password` subcommands.

use crate::backend::auth::secrets::random_password;
use crate::backend::store::users::{self, role_grants};
use crate::backend::service::audit::{self, Actor, AuditAction, Target};
use crate::backend::service::settings;
use serde_json::json;
use crate::backend::AppState;
use crate::model::{check_username, AppError};
use crate::model::validate::USERNAME_TAKEN;

/// Length of generated one-time passwords.
const ONE_TIME_PASSWORD_LENGTH: usize = 20;

/// Who was created at first run, and the one-time password when we generated it.
#[derive(Debug)]
pub struct FirstAdmin {
    pub username: String,
    pub generated_password: Option<String>,
}

/// When no enabled admin exists, creates one (or promotes and re-enables an
/// existing account of that name) with `password`, or with a generated
/// one-time password that must be changed at first login.
pub async fn ensure_first_admin(
    state: &AppState,
    username: &str,
    password: Option<&str>,
    email: Option<&str>,
) -> Result<Option<FirstAdmin>, AppError> {
    if role_grants::count_enabled_admins(&state.db).await? > 0 {
        return Ok(None);
    }
    check_username(username, "username")?;
    let generated = password.is_none().then(|| random_password(ONE_TIME_PASSWORD_LENGTH));
    let password = password.or(generated.as_deref()).unwrap_or_default();
    settings::check_password(state, password, "admin_password").await?;
    let hash = state.hasher.hash(password).await?;
    let must_change = generated.is_some();
    match users::find_by_username(&state.db, username).await? {
        Some(existing) => {
            role_grants::make_enabled_admin(&state.db, existing.id).await?;
            let event = audit::event(Actor::System, AuditAction::PasswordReset, Target::user(existing.id, username), json!({"by": "first_run"}));
            users::set_password(&state.db, existing.id, &hash, must_change, None, &event).await?;
        }
        None => {
            let new = users::NewUser {
                username,
                display_name: Some("Site administrator"),
                email,
                password_hash: &hash,
                must_change_password: must_change,
                roles: &["admin"],
            };
            let event = audit::event(Actor::System, AuditAction::UserCreated, Target::user(0, username), json!({"roles": ["admin"], "by": "first_run"}));
            if let Err(err) = users::insert(&state.db, &new, event).await {
                // Another instance sharing the database may have won the race.
                if role_grants::count_enabled_admins(&state.db).await? > 0 {
                    return Ok(None);
                }
                return Err(err.into());
            }
        }
    }
    Ok(Some(FirstAdmin { username: username.to_string(), generated_password: generated }))
}

/// Creates another admin with a one-time password, which is returned (to be
/// changed at first sign-in, unless the external provider owns passwords).
pub async fn create_admin(state: &AppState, username: &str, email: Option<&str>) -> Result<String, AppError> {
    check_username(username, "username")?;
    if users::find_by_username(&state.db, username).await?.is_some() {
        return Err(AppError::taken("username", USERNAME_TAKEN));
    }
    let password = random_password(ONE_TIME_PASSWORD_LENGTH);
    let hash = state.hasher.hash(&password).await?;
    let new = users::NewUser {
        username,
        display_name: None,
        email,
        password_hash: &hash,
        must_change_password: !state.accounts_external(),
        roles: &["admin"],
    };
    let event = audit::event(Actor::System, AuditAction::UserCreated, Target::user(0, username), json!({"roles": ["admin"], "by": "command_line"}));
    users::insert(&state.db, &new, event).await?;
    Ok(password)
}

/// Gives `username` a new one-time password (returned), clears any lockout
/// and ends all of their sessions.
pub async fn reset_password(state: &AppState, username: &str) -> Result<String, AppError> {
    let user = users::find_by_username(&state.db, username)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No such user: {username}")))?;
    let password = random_password(ONE_TIME_PASSWORD_LENGTH);
    let hash = state.hasher.hash(&password).await?;
    // With no session to keep, this also deletes every session of the user.
    let event = audit::event(Actor::System, AuditAction::PasswordReset, Target::user(user.id, &user.username), json!({"by": "command_line"}));
    users::set_password(&state.db, user.id, &hash, true, None, &event).await?;
    Ok(password)
}
