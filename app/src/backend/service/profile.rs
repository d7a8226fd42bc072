//! My account → Profile: the display name, and changing the email address,
//! which takes effect only when the link sent to the new address is
//! followed (the old address stays until then). Changing it asks for the
//! current password (under the sign-in limits) and tells the old address.

use crate::backend::auth::rate_limit::spend_mail;
use crate::backend::auth::{external, login, Principal};
use crate::backend::policy::{authorize, Action};
use crate::backend::service::email_links;
use crate::backend::service::mail::{self, Outgoing};
use crate::backend::store::email_tokens::{self, Purpose};
use crate::backend::store::users::{self, UserRow};
use crate::backend::time::now_ms;
use crate::backend::{policy, AppState};
use crate::model::validate::{self, check_email};
use crate::model::{AppError, Profile, ProfileForm};

async fn own_user(state: &AppState, principal: Option<&Principal>) -> Result<UserRow, AppError> {
    let p = authorize(principal, Action::ViewOwnAccount)?;
    users::find_by_id(&state.db, p.user_id).await?.ok_or_else(policy::sign_in_required)
}

pub async fn get(state: &AppState, principal: Option<&Principal>) -> Result<Profile, AppError> {
    let user = own_user(state, principal).await?;
    Ok(Profile {
        pending_email: email_tokens::pending_email(&state.db, user.id, now_ms()).await?,
        username: user.username,
        display_name: user.display_name.unwrap_or_default(),
        email: user.email.unwrap_or_default(),
    })
}

/// Saves the display name; a new email address gets a confirmation link.
/// Whether the new address belongs to another account is not said here:
/// following the link reports it.
pub async fn save(state: &AppState, principal: Option<&Principal>, ip: Option<&str>, form: &ProfileForm) -> Result<Profile, AppError> {
    let user = own_user(state, principal).await?;
    external::refuse_local_management(state)?;
    let display_name = validate::display_name(&form.display_name, "display_name")?;
    let email = form.email.trim();
    let changes_email = !email.eq_ignore_ascii_case(user.email.as_deref().unwrap_or_default());
    if changes_email {
        if email.is_empty() {
            return Err(AppError::validation("email", "Enter an email address: your account needs one to recover access"));
        }
        check_email(email, "email")?;
        confirm_password(state, &user, ip, &form.current_password).await?;
        spend_change_mail(state, user.id, email).await?;
    }
    if user.display_name.as_deref() != display_name {
        users::set_display_name(&state.db, user.id, display_name).await?;
    }
    if changes_email {
        let link = email_links::issue(state, user.id, Purpose::EmailChange, Some(email), "/verify").await?;
        mail::queue(state, Outgoing {
            to: email.to_string(),
            subject: "Confirm your new email address".into(),
            body: format!(
                "Hello {},\n\nto make this your account's email address, open this link (it works once):\n{link}\n\n\
                 Until then your account keeps its current address. If you did not ask for this, ignore this email.",
                user.username
            ),
        })
        .await?;
        if let Some(old) = user.email.as_deref().filter(|old| !old.is_empty()) {
            mail::queue(state, Outgoing {
                to: old.to_string(),
                subject: "Your email address is being changed".into(),
                body: format!(
                    "Hello {},\n\nsomeone signed in to your account asked to change its email address to {email}. \
                     It changes once the link sent there is followed.\n\n\
                     If this was not you, change your password now and tell an administrator.",
                    user.username
                ),
            })
            .await?;
        }
    }
    get(state, principal).await
}

/// Charges the confirmation and notice an email change sends to the
/// limits invitations use: per requesting user and per new address
/// (`rate_limit::spend_mail`), before anything is stored or queued.
async fn spend_change_mail(state: &AppState, user_id: i64, email: &str) -> Result<(), AppError> {
    spend_mail(state, &format!("mail:user:{user_id}"), "You asked for too many emails").await?;
    spend_mail(state, &format!("mail:to:{}", email.to_lowercase()), "Too many emails went to this address").await
}

/// The current password, checked under the same per-address limit and
/// lockout as signing in.
async fn confirm_password(state: &AppState, user: &UserRow, ip: Option<&str>, password: &str) -> Result<(), AppError> {
    const FIELD: &str = "current_password";
    if password.is_empty() {
        return Err(AppError::validation(FIELD, "Enter your current password to change your email address"));
    }
    let charge = login::charge_password_check(state, ip, "change_email").await?;
    if !login::check_password(state, Some(user), password).await? {
        return Err(AppError::validation(FIELD, "Current password is incorrect"));
    }
    login::refund(state, charge).await
}
