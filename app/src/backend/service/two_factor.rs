//! My account → Sign-in security: setting up an authenticator app (TOTP),
//! removing it (with the current password), and recovery codes. Every
//! change is audited and mailed to the user. Signing in with a second
//! factor is `auth::second_step`.

use crate::backend::auth::login;
use crate::backend::auth::second_step::{new_recovery_code, normalise_recovery_code, open_secret, totp_context};
use crate::backend::auth::totp;
use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, Action};
use crate::backend::service::audit::{self, Actor, AuditAction, Target};
use crate::backend::service::mail;
use crate::backend::service::settings;
use crate::backend::store::two_factor;
use crate::backend::store::users::{self, UserRow};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::{internal, policy, AppState};
use crate::model::{AppError, RecoveryCodes, TotpEnrolment, TwoFactorStatus};

/// Recovery codes in a set.
pub const RECOVERY_CODES: usize = 10;
/// A fresh set of codes and their keyed hashes.
fn recovery_code_set(state: &AppState) -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes = codes
        .iter()
        .map(|c| state.credential_keys.mac(&normalise_recovery_code(c).expect("a code we made")))
        .collect();
    (codes, hashes)
}

async fn caller(state: &AppState, principal: Option<&Principal>) -> Result<UserRow, AppError> {
    let p = authorize(principal, Action::ManageOwnCredentials)?;
    users::find_by_id(&state.db, p.user_id).await?.ok_or_else(policy::sign_in_required)
}

/// The caller, for a change of their second factor: it needs a recent
/// sign-in (removing the app asks for the password in its own form instead).
async fn recently_proven_caller(state: &AppState, principal: Option<&Principal>) -> Result<UserRow, AppError> {
    let user = caller(state, principal).await?;
    if let Some(p) = principal {
        settings::require_recent_sign_in(state, p).await?;
    }
    Ok(user)
}

/// The caller's second factors.
pub async fn status(state: &AppState, principal: Option<&Principal>) -> Result<TwoFactorStatus, AppError> {
    let p = authorize(principal, Action::ViewOwnAccount)?;
    Ok(TwoFactorStatus {
        totp_enabled: two_factor::has_second_factor(&state.db, p.user_id).await?,
        recovery_codes_left: two_factor::recovery_codes_left(&state.db, p.user_id).await?,
    })
}

/// Starts setting up an authenticator app: a new secret (replacing one not
/// yet confirmed), shown as a QR code and as text. Nothing changes for
/// signing in until [`confirm_totp`].
pub async fn begin_totp(state: &AppState, principal: Option<&Principal>) -> Result<TotpEnrolment, AppError> {
    let user = recently_proven_caller(state, principal).await?;
    let secret = totp::new_secret();
    let text = totp::base32_encode(&secret);
    let sealed = state.credential_keys.encrypt(&text, &totp_context(user.id));
    if !two_factor::begin_totp(&state.db, user.id, &sealed, now_ms()).await? {
        return Err(AppError::Conflict("An authenticator app is already set up: remove it first".into()));
    }
    let uri = totp::otpauth_uri(&state.settings.site_name, &user.username, &secret);
    Ok(TotpEnrolment { qr_svg: qr_svg(&uri)?, secret: text, uri })
}

/// Confirms the app being set up with one valid code. The first time (no
/// unused recovery codes) the answer carries a new set, shown once.
pub async fn confirm_totp(state: &AppState, principal: Option<&Principal>, code: &str) -> Result<RecoveryCodes, AppError> {
    let user = recently_proven_caller(state, principal).await?;
    let Some(row) = two_factor::totp_of(&state.db, user.id).await?.filter(|r| r.confirmed_at.is_none()) else {
        return Err(AppError::validation("code", "Start again: no authenticator app is waiting to be confirmed"));
    };
    if totp::normalise(code).is_none() {
        return Err(AppError::validation("code", "Enter the 6-digit code your app shows"));
    }
    let secret = open_secret(state, user.id, &row.secret_sealed)?;
    let Some(step) = totp::matching_step(&secret, code, totp::step_at(now_ms() / 1000)) else {
        return Err(AppError::validation("code", "That code is not right: check the app's clock, and try the newest code"));
    };
    let first_set = two_factor::recovery_codes_left(&state.db, user.id).await? == 0;
    let (codes, hashes) = if first_set { recovery_code_set(state) } else { (Vec::new(), Vec::new()) };
    let details = serde_json::json!({"recovery_codes": codes.len()});
    let event = audit::event(Actor::Named(user.id, &user.username), AuditAction::TotpEnabled, Target::user(user.id, &user.username), details);
    let hashes = first_set.then_some(hashes.as_slice());
    if !two_factor::confirm_totp(&state.db, user.id, &row.secret_sealed, step, now_ms(), hashes, &event).await? {
        return Err(AppError::validation("code", "Start again: no authenticator app is waiting to be confirmed"));
    }
    mail::security_notice(state, &user, "Two-factor sign-in is on", "an authenticator app was set up for signing in to your account: from now on, signing in asks for a code from it after your password.").await?;
    Ok(RecoveryCodes { codes })
}

/// Removes the authenticator app after checking the current password (the
/// same per-address limit and lockout as signing in); the recovery codes
/// go with it.
pub async fn disable_totp(state: &AppState, principal: Option<&Principal>, password: &str, ip: Option<&str>) -> Result<(), AppError> {
    let user = caller(state, principal).await?;
    if password.is_empty() {
        return Err(AppError::validation("password", "Enter your current password"));
    }
    let charge = login::charge_password_check(state, ip, "disable_totp").await?;
    let now = now_ms();
    if user.is_locked(now) {
        let minutes = (user.locked_until.unwrap_or(now) - now + MINUTE_MS - 1) / MINUTE_MS;
        return Err(AppError::validation("password", format!("Too many wrong passwords: try again in {minutes} minute(s)")));
    }
    if !login::check_password(state, Some(&user), password).await? {
        return Err(AppError::validation("password", "Current password is incorrect"));
    }
    login::refund(state, charge).await?;
    let event = audit::event(Actor::Named(user.id, &user.username), AuditAction::TotpDisabled, Target::user(user.id, &user.username), serde_json::json!({}));
    if !two_factor::disable_totp(&state.db, user.id, &event).await? {
        return Err(AppError::Conflict("No authenticator app is set up".into()));
    }
    mail::security_notice(state, &user, "Two-factor sign-in is off", "the authenticator app was removed from your account, with its recovery codes: signing in now asks for your password only.").await
}

/// A new set of recovery codes, shown once; the old set stops working.
pub async fn new_recovery_codes(state: &AppState, principal: Option<&Principal>) -> Result<RecoveryCodes, AppError> {
    let user = recently_proven_caller(state, principal).await?;
    if !two_factor::has_second_factor(&state.db, user.id).await? {
        return Err(AppError::Conflict("Set up an authenticator app first".into()));
    }
    let (codes, hashes) = recovery_code_set(state);
    let details = serde_json::json!({"recovery_codes": codes.len()});
    let event = audit::event(Actor::Named(user.id, &user.username), AuditAction::RecoveryCodesCreated, Target::user(user.id, &user.username), details);
    two_factor::replace_recovery_codes(&state.db, user.id, &hashes, now_ms(), &event).await?;
    mail::security_notice(state, &user, "New recovery codes", "a new set of recovery codes was made for your account; the earlier codes no longer work.").await?;
    Ok(RecoveryCodes { codes })
}

/// `text` as a QR code in an SVG document (one path of dark modules, a
/// four-module quiet zone), drawn here rather than by an image crate.
pub fn qr_svg(text: &str) -> Result<String, AppError> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).map_err(|_| internal("the otpauth URI is too long for a QR code"))?;
    let border = 4;
    let size = qr.size() + 2 * border;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"{px}\" height=\"{px}\" \
         role=\"img\" aria-label=\"QR code for your authenticator app\" shape-rendering=\"crispEdges\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>",
        px = size * 5
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_read_as_typed() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        let plain = normalise_recovery_code(&code).unwrap();
        assert_eq!(normalise_recovery_code(&code.to_uppercase()).as_deref(), Some(plain.as_str()));
        assert_eq!(normalise_recovery_code(&plain.replace('-', " ")).as_deref(), Some(plain.as_str()));
        assert!(normalise_recovery_code("123456").is_none());
        assert!(normalise_recovery_code("abcde-fghi1").is_none(), "1 is not in the alphabet");
    }

    #[test]
    fn the_qr_code_is_an_svg() {
        let svg = qr_svg("otpauth://totp/Gatehouse:ada?secret=MZXW6YTBOI&issuer=Gatehouse").unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("h1v1h-1z"));
    }
}
