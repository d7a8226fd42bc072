//! Registration, email links, account recovery, the profile form, and the
//! admin's approval, settings and outbox.

use crate::model::*;
use leptos::prelude::*;

/// What the public pages need: is registration open, the password rule.
#[server(endpoint = "site_info")]
pub async fn site_info() -> Result<PublicSiteInfo, AppError> {
    use super::door::*;
    respond(crate::backend::service::settings::public_info(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "register")]
pub async fn register(
    username: String,
    email: String,
    display_name: String,
    password: String,
    confirm_password: String,
) -> Result<NextStep, AppError> {
    use super::door::*;
    let form = RegisterForm { username, email, display_name, password, confirm_password };
    let ip = client_info().await.ip;
    respond(crate::backend::service::registration::register(&state()?, principal().await.as_ref(), &form, ip.as_deref()).await)
}

/// Follows a verification or email-change link.
#[server(endpoint = "verify_email")]
pub async fn verify_email(token: String) -> Result<NextStep, AppError> {
    use super::door::*;
    respond(crate::backend::service::registration::verify(&state()?, principal().await.as_ref(), &token).await)
}

/// `kind`: `reset` (reset link and username) or `verify` (a new verification link).
#[server(endpoint = "recover")]
pub async fn request_recovery(identifier: String, kind: String) -> Result<String, AppError> {
    use super::door::*;
    use crate::backend::service::recovery::{request, RecoveryKind};
    let kind = if kind == "verify" { RecoveryKind::ResendVerification } else { RecoveryKind::ResetPassword };
    let ip = client_info().await.ip;
    respond(request(&state()?, principal().await.as_ref(), &identifier, kind, ip.as_deref()).await)
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, new_password: String, confirm_password: String) -> Result<(), AppError> {
    use super::door::*;
    let state = state()?;
    let p = principal().await;
    respond(crate::backend::service::recovery::reset_password(&state, p.as_ref(), &token, &new_password, &confirm_password).await)
}

#[server(endpoint = "profile/get")]
pub async fn get_profile() -> Result<Profile, AppError> {
    use super::door::*;
    respond(crate::backend::service::profile::get(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "profile/save")]
pub async fn save_profile(display_name: String, email: String, #[server(default)] current_password: String) -> Result<Profile, AppError> {
    use super::door::*;
    let form = ProfileForm { display_name, email, current_password };
    let ip = client_info().await.ip;
    respond(crate::backend::service::profile::save(&state()?, principal().await.as_ref(), ip.as_deref(), &form).await)
}

#[server(endpoint = "admin/users/approve")]
pub async fn approve_user(username: String) -> Result<(), AppError> {
    use super::door::*;
    respond(crate::backend::service::registration::approve(&state()?, principal().await.as_ref(), &username).await)
}

#[server(endpoint = "admin/settings/get")]
pub async fn get_settings() -> Result<SettingsForm, AppError> {
    use super::door::*;
    respond(crate::backend::service::settings::form(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "admin/settings/save")]
pub async fn save_settings(form: SettingsForm) -> Result<(), AppError> {
    use super::door::*;
    respond(crate::backend::service::settings::save(&state()?, principal().await.as_ref(), &form).await)
}

#[server(endpoint = "admin/outbox/list")]
pub async fn list_outbox(before: Option<i64>) -> Result<OutboxPage, AppError> {
    use super::door::*;
    respond(crate::backend::service::outbox::list(&state()?, principal().await.as_ref(), before).await)
}

#[server(endpoint = "admin/outbox/body")]
pub async fn outbox_body(id: i64) -> Result<String, AppError> {
    use super::door::*;
    respond(crate::backend::service::outbox::body(&state()?, principal().await.as_ref(), id).await)
}
