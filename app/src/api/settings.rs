//! Server functions for site settings: what the public pages need, and the
//! admin's settings form.

use crate::model::*;
use leptos::prelude::*;

/// What the public pages need: is registration open, the password rule.
#[server(endpoint = "site_info")]
pub async fn site_info() -> Result<PublicSiteInfo, AppError> {
    use super::door::*;
    respond(crate::backend::service::settings::public_info(&state()?, principal().await.as_ref()).await)
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
