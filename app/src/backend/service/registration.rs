//! Self-registration at `/register`, email verification, and admin approval
//! (SPEC §2).
//!
//! Account existence: a taken username must be reported (the user has to
//! pick another). A taken email is not reported when email verification
//! is on: the answer is the same "check your email" as for a new account
//! (after the same password hashing), no account is created, and the
//! address's owner gets a note saying someone tried to register with it.
//! When verification is off the account would be usable at once, so a
//! taken address is refused on the field, as the admin's create form does.

use crate::backend::auth::{external, rate_limit, Principal};
use crate::backend::service::audit::{self, Actor, AuditAction, Target};
use crate::backend::policy::{authorize, authorize_public, Action};
use crate::backend::service::email_links;
use crate::backend::service::mail::{self, Outgoing};
use crate::backend::service::settings;
use crate::backend::store::email_tokens::Purpose;
use crate::backend::store::users::{self, role_grants, AccountFlag, NewUser};
use crate::backend::AppState;
use crate::model::validate::{self, check_email, check_username, EMAIL_TAKEN, USERNAME_TAKEN};
use crate::model::{no_such_user, AppError, NextStep, RegisterForm};

pub const REGISTRATION_CLOSED: &str =
    "Registration is closed on this site. Ask an administrator to create an account for you.";

/// Checks every field of the form, in the order the page shows them.
fn check_form(form: &RegisterForm) -> Result<(), AppError> {
    check_username(form.username.trim(), "username")?;
    let email = form.email.trim();
    if email.is_empty() {
        return Err(AppError::validation("email", "Enter your email address: we send a link to it"));
    }
    check_email(email, "email")?;
    validate::display_name(&form.display_name, "display_name")?;
    Ok(())
}

/// `ip`: the client's address, for the limit on email-sending requests.
pub async fn register(state: &AppState, principal: Option<&Principal>, form: &RegisterForm, ip: Option<&str>) -> Result<NextStep, AppError> {
    authorize_public(principal, Action::Register)?;
    external::refuse_local_management(state)?;
    rate_limit::spend_mail_request(state, ip).await?;
    let site = settings::current(state).await?;
    if !site.registration_open {
        return Err(AppError::Forbidden(REGISTRATION_CLOSED.into()));
    }
    check_form(form)?;
    settings::check_password(state, &form.password, "password").await?;
    if form.confirm_password != form.password {
        return Err(AppError::validation("confirm_password", "The two passwords do not match"));
    }
    let username = form.username.trim();
    let email = form.email.trim();
    if users::find_by_username(&state.db, username).await?.is_some() {
        return Err(AppError::taken("username", USERNAME_TAKEN));
    }
    if site.require_email_verification {
        // Either answer below mails this address: the limit applies to both alike.
        let to_key = format!("mail:to:{}", email.to_lowercase());
        rate_limit::spend_mail(state, &to_key, "Too many emails went to this address").await?;
    }
    let hash = state.hasher.hash(&form.password).await?;
    let email_taken = users::email_owner(&state.db, email, 0).await?.is_some();
    if email_taken && !site.require_email_verification {
        return Err(AppError::taken("email", EMAIL_TAKEN));
    }
    if email_taken {
        warn_address_owner(state, email).await?;
        return Ok(NextStep::CheckEmail);
    }
    let display_name = validate::display_name(&form.display_name, "display_name")?;
    let new = NewUser { username, display_name, email: Some(email), password_hash: &hash, must_change_password: false, roles: &["user"] };
    let verified = !site.require_email_verification;
    let approved = !site.require_admin_approval;
    let details = serde_json::json!({"by": "registration", "verified": verified, "approved": approved});
    let event = audit::event(Actor::Anonymous, AuditAction::UserCreated, Target::user(0, username), details);
    let id = match users::insert_with_flags(&state.db, &new, verified, approved, event).await {
        Ok(id) => id,
        // A concurrent registration took the name (or the address) first.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(AppError::taken("username", USERNAME_TAKEN))
        }
        Err(e) => return Err(e.into()),
    };
    if verified {
        // Typed, not proven: it accepts no invitation by itself (`invitations::proven_email`).
        users::set_email_unproven(&state.db, id, true).await?;
    }
    if site.notify_admins {
        notify_admins(state, username, email, approved).await?;
    }
    if !verified {
        send_verification(state, id, username, email).await?;
        return Ok(NextStep::CheckEmail);
    }
    Ok(if approved { NextStep::SignIn } else { NextStep::AwaitApproval })
}

async fn warn_address_owner(state: &AppState, email: &str) -> Result<(), AppError> {
    let forgot = mail::link(state, "/forgot");
    mail::queue(state, Outgoing {
        to: email.to_string(),
        subject: "Someone tried to register with your address".into(),
        body: format!(
            "Someone (maybe you) tried to create a new account with this email address, which already belongs to an account.\n\n\
             No new account was created. If you forgot your username or password, go to\n{forgot}\n\n\
             If it was not you, you can ignore this email."
        ),
    })
    .await
}

pub(crate) async fn notify_admins(state: &AppState, username: &str, email: &str, approved: bool) -> Result<(), AppError> {
    let what_next = if approved {
        "The account can be used as soon as its email address is verified.".to_string()
    } else {
        format!("It needs your approval: {}", mail::link(state, "/admin/users?status=awaiting"))
    };
    for admin in role_grants::admin_emails(&state.db).await? {
        mail::queue(state, Outgoing {
            to: admin,
            subject: format!("New registration: {username}"),
            body: format!("A new account was registered.\n\nUsername: {username}\nEmail: {email}\n\n{what_next}"),
        })
        .await?;
    }
    Ok(())
}

/// Emails a fresh verification link (older ones stop working).
pub async fn send_verification(state: &AppState, user_id: i64, username: &str, email: &str) -> Result<(), AppError> {
    let link = email_links::issue(state, user_id, Purpose::Verify, None, "/verify").await?;
    mail::queue(state, Outgoing {
        to: email.to_string(),
        subject: "Confirm your email address".into(),
        body: format!(
            "Hello {username},\n\nplease confirm your email address by opening this link:\n{link}\n\n\
             The link works once. If you did not register, ignore this email."
        ),
    })
    .await
}

/// Follows a verification or email-change link.
pub async fn verify(state: &AppState, principal: Option<&Principal>, token: &str) -> Result<NextStep, AppError> {
    authorize_public(principal, Action::RecoverAccount)?;
    let row = email_links::redeem(state, token, &[Purpose::Verify, Purpose::EmailChange]).await?;
    let user = users::find_by_id(&state.db, row.user_id).await?.ok_or_else(|| AppError::validation("token", email_links::LINK_INVALID))?;
    match row.new_email.as_deref() {
        Some(new_email) => {
            if users::email_owner(&state.db, new_email, user.id).await?.is_some() {
                return Err(AppError::Conflict(
                    "This address now belongs to another account, so it cannot become yours. Your email is unchanged.".into(),
                ));
            }
            users::set_verified_email(&state.db, user.id, new_email).await?;
        }
        None => {
            users::set_flag(&state.db, user.id, AccountFlag::Verified, true).await?;
            users::set_email_unproven(&state.db, user.id, false).await?;
        }
    }
    Ok(if user.approved { NextStep::SignIn } else { NextStep::AwaitApproval })
}

/// An admin approves an account; its owner gets an email.
pub async fn approve(state: &AppState, principal: Option<&Principal>, username: &str) -> Result<(), AppError> {
    authorize(principal, Action::Administer)?;
    let user = users::find_by_username(&state.db, username).await?.ok_or_else(|| no_such_user(username))?;
    if user.approved {
        return Ok(());
    }
    users::set_flag(&state.db, user.id, AccountFlag::Approved, true).await?;
    mail::send_approved_email(state, &user).await
}
