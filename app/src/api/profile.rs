//! Server functions for the caller's profile: display name and email.

use crate::model::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::service::profile;

#[server(endpoint = "profile/get")]
pub async fn get_profile() -> Result<Profile, AppError> {
    use super::door::*;
    respond(profile::get(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "profile/save")]
pub async fn save_profile(display_name: String, email: String, #[server(default)] current_password: String) -> Result<Profile, AppError> {
    use super::door::*;
    let form = ProfileForm { display_name, email, current_password };
    let ip = client_info().await.ip;
    respond(profile::save(&state()?, principal().await.as_ref(), ip.as_deref(), &form).await)
}
