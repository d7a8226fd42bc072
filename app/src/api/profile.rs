//! Server functions for the caller's profile: display name and email.

use crate::model::*;
use leptos::prelude::*;

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
