//! The signed-in user's own account: password changes.

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, Action};
use crate::backend::store::users;
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::{internal, AppState};
use crate::model::AppError;
use tower_sessions::Session;

/// A password change request, as the forms and the API send it.
pub struct PasswordChange<'a> {
    pub current_password: &'a str,
    pub new_password: &'a str,
    /// The form's confirmation field; `None` for API callers, which have none.
    pub confirm_password: Option<&'a str>,
}

/// Changes the caller's own password after checking the current one. Every
/// other session of the user ends; `session` (the caller's) stays signed in.
pub async fn change_own_password(
    state: &AppState,
    principal: Option<&Principal>,
    session: Option<&Session>,
    change: &PasswordChange<'_>,
) -> Result<(), AppError> {
    let principal = authorize(principal, Action::ChangeOwnPassword)?;
    let user = users::find_by_id(&state.db, principal.user_id)
        .await?
        .ok_or_else(|| AppError::Unauthenticated("Please sign in".into()))?;
    crate::backend::service::settings::check_password(state, change.new_password, "new_password").await?;
    if change.confirm_password.is_some_and(|c| c != change.new_password) {
        return Err(AppError::validation("confirm_password", "The two new passwords do not match"));
    }
    if !state.hasher.verify(change.current_password, Some(&user.password_hash)).await? {
        let lock_until = now_ms() + state.settings.lockout_minutes * MINUTE_MS;
        users::record_failed_login(&state.db, user.id, state.settings.lockout_threshold, lock_until).await?;
        return Err(AppError::validation("current_password", "Current password is incorrect"));
    }
    if change.new_password == change.current_password {
        return Err(AppError::validation("new_password", "New password must be different from the current one"));
    }
    let hash = state.hasher.hash(change.new_password).await?;
    let generation =
        users::set_password(&state.db, user.id, &hash, false, principal.session_key.as_deref()).await?;
    if let Some(session) = session {
        session.insert("gen", generation).await.map_err(internal)?;
    }
    Ok(())
}
