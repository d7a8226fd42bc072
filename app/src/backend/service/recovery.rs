//! "Forgot login or password?": reset links with a username reminder,
//! resending verification links, and resetting a password with a link.
//!
//! The answer never says whether an account matched: the request is
//! looked up, and the token and email are made on a background task, so
//! the response is the same text after about the same work either way.

use crate::backend::auth::{external, rate_limit, Principal};
use crate::backend::service::audit::{self, Actor, AuditAction, Target};
use crate::backend::policy::{authorize_public, Action};
use crate::backend::service::mail::{self, Outgoing};
use crate::backend::service::{email_links, registration, settings};
use crate::backend::store::email_tokens::Purpose;
use crate::backend::store::users::{self, UserRow};
use crate::backend::AppState;
use crate::model::{AppError, RECOVERY_SENT};

/// What the person asked for on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryKind {
    /// A reset link and a username reminder.
    ResetPassword,
    /// A new verification link (only for accounts not verified yet).
    ResendVerification,
}

/// Answers [`RECOVERY_SENT`] whatever `identifier` (username or email) is.
pub async fn request(
    state: &AppState,
    principal: Option<&Principal>,
    identifier: &str,
    kind: RecoveryKind,
    ip: Option<&str>,
) -> Result<String, AppError> {
    authorize_public(principal, Action::RecoverAccount)?;
    external::refuse_local_management(state)?;
    rate_limit::spend_mail_request(state, ip).await?;
    let identifier = identifier.trim();
    if identifier.is_empty() {
        return Err(AppError::validation("identifier", "Enter your username or email address"));
    }
    let user = match identifier.len() {
        n if n > 254 => None,
        _ if identifier.contains('@') => users::find_by_email(&state.db, identifier).await?,
        _ => users::find_by_username(&state.db, identifier).await?,
    };
    if let Some(user) = user.filter(|u| u.enabled && u.email.is_some()) {
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(err) = send_recovery(&state, &user, kind).await {
                tracing::warn!(user_id = user.id, error = %err, "could not queue a recovery email");
            }
        });
    }
    Ok(RECOVERY_SENT.to_string())
}

/// Sends nothing (the caller logs why) once the address had its share of
/// mail this minute, so many client addresses cannot flood one inbox; the
/// page's answer stays the same.
async fn send_recovery(state: &AppState, user: &UserRow, kind: RecoveryKind) -> Result<(), AppError> {
    let email = user.email.clone().unwrap_or_default();
    let to_key = format!("mail:to:{}", email.to_lowercase());
    rate_limit::spend_mail(state, &to_key, "Too many emails went to this address").await?;
    match kind {
        RecoveryKind::ResendVerification if !user.verified => {
            registration::send_verification(state, user.id, &user.username, &email).await
        }
        RecoveryKind::ResendVerification => Ok(()),
        RecoveryKind::ResetPassword => {
            let link = email_links::issue(state, user.id, Purpose::Reset, None, "/reset").await?;
            let verify_note = if user.verified {
                ""
            } else {
                "\n\nYour email address is not confirmed yet: ask for a new confirmation link on the same page."
            };
            mail::queue(state, Outgoing {
                to: email,
                subject: "Your username and a password reset link".into(),
                body: format!(
                    "Someone (hopefully you) asked for help signing in.\n\nYour username: {}\n\n\
                     To choose a new password, open this link (it works once):\n{link}\n\n\
                     If you did not ask, ignore this email: your password stays as it is.{verify_note}",
                    user.username
                ),
            })
            .await
        }
    }
}

/// Sets a new password with a reset link. Every session and API token of
/// the user ends; the link cannot be used again.
pub async fn reset_password(
    state: &AppState,
    principal: Option<&Principal>,
    token: &str,
    new_password: &str,
    confirm_password: &str,
) -> Result<(), AppError> {
    authorize_public(principal, Action::RecoverAccount)?;
    external::refuse_local_management(state)?;
    settings::check_password(state, new_password, "new_password").await?;
    if new_password != confirm_password {
        return Err(AppError::validation("confirm_password", "The two passwords do not match"));
    }
    let row = email_links::redeem(state, token, &[Purpose::Reset]).await?;
    let hash = state.hasher.hash(new_password).await?;
    let username = users::find_by_id(&state.db, row.user_id).await?.map(|u| u.username).unwrap_or_default();
    let event = audit::event(Actor::Anonymous, AuditAction::PasswordReset, Target::user(row.user_id, &username), serde_json::json!({"by": "reset_link"}));
    users::set_password(&state.db, row.user_id, &hash, false, None, &event).await?;
    Ok(())
}
