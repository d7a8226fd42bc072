//! Server functions for registration: signing up, following a verification
//! or email-change link, and the admin's approval of new accounts.

use crate::model::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::service::registration;

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
    let step = respond(registration::register(&state()?, principal().await.as_ref(), &form, ip.as_deref()).await)?;
    on_form_post_go_to(&format!("/register?done={}", step.key()));
    Ok(step)
}

/// Follows a verification or email-change link.
#[server(endpoint = "verify_email")]
pub async fn verify_email(token: String) -> Result<NextStep, AppError> {
    use super::door::*;
    let step = respond(registration::verify(&state()?, principal().await.as_ref(), &token).await)?;
    on_form_post_go_to(&format!("/verify?done={}", step.key()));
    Ok(step)
}

#[server(endpoint = "admin/users/approve")]
pub async fn approve_user(username: String) -> Result<(), AppError> {
    use super::door::*;
    respond(registration::approve(&state()?, principal().await.as_ref(), &username).await)
}
