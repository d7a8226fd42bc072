//! Server functions for site settings: what the public pages need, and the
//! admin's settings form.

use crate::model::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::service::{security, settings};

/// What the public pages need: is registration open, the password rule.
#[server(endpoint = "site_info")]
pub async fn site_info() -> Result<PublicSiteInfo, AppError> {
    use super::door::*;
    respond(settings::public_info(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "admin/settings/get")]
pub async fn get_settings() -> Result<SettingsForm, AppError> {
    use super::door::*;
    respond(settings::form(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "admin/settings/save")]
pub async fn save_settings(form: SettingsForm) -> Result<(), AppError> {
    use super::door::*;
    respond(settings::save(&state()?, principal().await.as_ref(), &form).await)
}

#[server(endpoint = "admin/security/get")]
pub async fn get_security() -> Result<SecurityForm, AppError> {
    use super::door::*;
    respond(security::form(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "admin/security/save")]
pub async fn save_security(form: SecurityForm) -> Result<(), AppError> {
    use super::door::*;
    respond(security::save(&state()?, principal().await.as_ref(), &form).await)
}

#[server(endpoint = "admin/security/locked")]
pub async fn locked_accounts() -> Result<Vec<LockedAccount>, AppError> {
    use super::door::*;
    respond(security::locked_accounts(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "admin/security/preview_inactive")]
pub async fn preview_inactive(days: String) -> Result<InactivePreview, AppError> {
    use super::door::*;
    respond(security::preview_inactive(&state()?, principal().await.as_ref(), &days).await)
}
