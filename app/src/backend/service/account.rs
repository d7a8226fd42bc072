//! The user's own account: signing in, and changing the password.

use crate::backend::auth::login::{self, ClientInfo};
use crate::backend::auth::{external, second_step, Credential, Principal};
use crate::backend::service::audit::{self, AuditAction, Target};
use crate::backend::service::settings;
use crate::backend::policy::{authorize, Action, CHANGE_PASSWORD_PATH};
use crate::backend::store::{two_factor, users};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::{internal, policy, AppState};
use crate::model::{iso8601, AppError, AuthToken, AuthenticateRequest};
use tower_sessions::Session;

/// How a sign-in with a password went.
pub enum SignedIn {
    /// Signed in: go to this path.
    Done(String),
    /// The password was right and the account has a second factor: the
    /// client keeps `step_id` (a cookie) and goes to `path` for the code.
    SecondStep { step_id: String, path: String },
}

/// Signs in with a username and password and binds the browser session to
/// the user; returns where to go next (the forced password change first).
/// An account with a second factor gets no session yet: a second step.
pub async fn sign_in(
    state: &AppState,
    session: &Session,
    username: &str,
    password: &str,
    next: &str,
    client: &ClientInfo,
) -> Result<SignedIn, AppError> {
    let passed = login::check_first_factor(state, username, password, client.ip.as_deref(), "form").await?;
    if two_factor::has_second_factor(&state.db, passed.user.id).await? {
        let step_id = second_step::begin(state, &passed).await?;
        let next = login::safe_next_path(next, &state.settings.public_url);
        let path = format!("/login?step=code&next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
        return Ok(SignedIn::SecondStep { step_id, path });
    }
    let user = login::complete_sign_in(state, passed).await?;
    Ok(SignedIn::Done(begin_session(state, session, &user, next, client).await?))
}

/// Finishes a sign-in's second step with `code` and binds the browser
/// session to the user; returns where to go next.
pub async fn sign_in_second_step(
    state: &AppState,
    session: &Session,
    step_id: &str,
    code: &str,
    next: &str,
    client: &ClientInfo,
) -> Result<String, AppError> {
    let user = second_step::finish(state, step_id, code, client.ip.as_deref()).await?;
    begin_session(state, session, &user, next, client).await
}

async fn begin_session(state: &AppState, session: &Session, user: &users::UserRow, next: &str, client: &ClientInfo) -> Result<String, AppError> {
    login::start_session(state, session, user, client).await?;
    login::mark_proven(session).await?;
    Ok(if user.must_change_password || login::password_expired(state, user).await? {
        CHANGE_PASSWORD_PATH.to_string()
    } else {
        login::safe_next_path(next, &state.settings.public_url)
    })
}

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
    ip: Option<&str>,
    change: &PasswordChange<'_>,
) -> Result<(), AppError> {
    let principal = authorize(principal, Action::ChangeOwnPassword)?;
    external::refuse_local_management(state)?;
    let user = users::find_by_id(&state.db, principal.user_id)
        .await?
        .ok_or_else(policy::sign_in_required)?;
    settings::check_password(state, change.new_password, "new_password").await?;
    if change.confirm_password.is_some_and(|c| c != change.new_password) {
        return Err(AppError::validation("confirm_password", "The two new passwords do not match"));
    }
    // The same per-address limit and lockout as signing in.
    let charge = login::charge_password_check(state, ip, "change_password").await?;
    let now = now_ms();
    if user.is_locked(now) {
        let minutes = (user.locked_until.unwrap_or(now) - now + MINUTE_MS - 1) / MINUTE_MS;
        return Err(AppError::validation(
            "current_password",
            format!("Too many wrong passwords: try again in {minutes} minute(s)"),
        ));
    }
    if !login::check_password(state, Some(&user), change.current_password).await? {
        return Err(AppError::validation("current_password", "Current password is incorrect"));
    }
    login::refund(state, charge).await?;
    if change.new_password == change.current_password {
        return Err(AppError::validation("new_password", "New password must be different from the current one"));
    }
    let hash = state.hasher.hash(change.new_password).await?;
    let event = audit::event(principal.into(), AuditAction::PasswordChanged, Target::user(user.id, &user.username), serde_json::json!({}));
    let generation =
        users::set_password(&state.db, user.id, &hash, false, principal.session_key.as_deref(), &event).await?;
    if let Some(session) = session {
        session.insert("gen", generation).await.map_err(internal)?;
    }
    Ok(())
}

/// A token for a username and password (`POST /users/authenticate`).
pub async fn issue_token(state: &AppState, request: &AuthenticateRequest, ip: Option<&str>) -> Result<AuthToken, AppError> {
    let (username, password) = (request.username.as_deref().unwrap_or_default(), request.password.as_deref().unwrap_or_default());
    let user = match request.otp.as_deref().filter(|otp| !otp.trim().is_empty()) {
        None => login::authenticate(state, username, password, ip, "jwt").await?,
        // With `otp`, the second step comes with the password.
        Some(otp) => {
            let passed = login::check_first_factor(state, username, password, ip, "jwt").await?;
            match two_factor::has_second_factor(&state.db, passed.user.id).await? {
                true => second_step::complete_with_code(state, passed, otp, ip).await?,
                false => login::complete_sign_in(state, passed).await?,
            }
        }
    };
    token_for(state, &user, None).await
}

/// A fresh token for the caller (`POST /users/authenticate/refresh`). A
/// caller signed in with a JWT (`bearer`, the token it sent) gets one that
/// keeps that token's first issue time, and none past the maximum
/// lifetime; a password or session caller starts a new chain.
pub async fn refresh_token(state: &AppState, principal: Option<&Principal>, bearer: Option<&str>) -> Result<AuthToken, AppError> {
    let p = authorize(principal, Action::ChangeOwnPassword)?;
    let first_issued = match (p.credential, bearer) {
        (Credential::Jwt, Some(token)) => Some(state.jwt.refreshable(token)?),
        (Credential::Jwt, None) => return Err(policy::sign_in_required()),
        // A new chain of tokens from a session or password: a token issued.
        _ => {
            settings::require_recent_sign_in(state, p).await?;
            None
        }
    };
    let user = users::find_by_id(&state.db, p.user_id).await?.ok_or_else(policy::sign_in_required)?;
    token_for(state, &user, first_issued).await
}

async fn token_for(state: &AppState, user: &users::UserRow, first_issued: Option<i64>) -> Result<AuthToken, AppError> {
    let (token, expires) = state.jwt.issue(user, first_issued)?;
    Ok(AuthToken {
        token,
        expires: iso8601(expires),
        user_name: user.username.clone(),
        email: user.email.clone(),
        roles: users::roles_of(&state.db, user.id).await?,
    })
}

/// What the re-authentication form says to a wrong password (or a locked
/// account: the same words, as at sign-in).
pub const WRONG_PASSWORD: &str = "That password is not right";
/// What it says to a browser that is not a signed-in session.
pub const REAUTH_SESSIONS_ONLY: &str = "Confirming your password is for a browser signed in with it";

/// Re-authentication ("sudo mode"): the caller's password, and a code when
/// the account has a second factor, checked by the code paths of signing
/// in (the per-address limit, the lockout, failures audited, no account
/// named); on success the session's sign-in counts as proven now, so
/// sensitive actions pass for the re-authentication window. Errors name
/// the form field (`password`, `code`). Only a session opened by signing
/// in can be re-authenticated: a token or a JWT never counts.
pub async fn confirm_sign_in(
    state: &AppState,
    principal: Option<&Principal>,
    session: &Session,
    password: &str,
    code: &str,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let caller = authorize(principal, Action::ManageOwnCredentials)?;
    if caller.credential != Credential::Session || caller.session_key.is_none() {
        return Err(AppError::Forbidden(REAUTH_SESSIONS_ONLY.into()));
    }
    let passed = login::check_first_factor(state, &caller.username, password, ip, "reauth").await.map_err(|e| match e {
        AppError::Unauthenticated(_) => AppError::validation("password", WRONG_PASSWORD),
        other => other,
    })?;
    if passed.user.id != caller.user_id {
        return Err(AppError::validation("password", WRONG_PASSWORD));
    }
    if two_factor::has_second_factor(&state.db, caller.user_id).await? {
        if code.trim().is_empty() {
            return Err(AppError::validation("code", "Enter the code from your authenticator app, or a recovery code"));
        }
        let charge = login::charge_password_check(state, ip, "reauth").await?;
        if !second_step::check_code(state, &passed.user, code, "reauth").await? {
            return Err(AppError::validation("code", second_step::WRONG_CODE));
        }
        login::refund(state, charge).await?;
    }
    login::mark_proven(session).await
}
