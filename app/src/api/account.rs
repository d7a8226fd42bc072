//! Sign-in, sign-out, who am I, and changing one's own password.

use crate::model::{AppError, CurrentUser};
use leptos::prelude::*;

/// Signs in; returns the path to go to next.
#[server(endpoint = "login")]
pub async fn login(username: String, password: String, next: String) -> Result<String, AppError> {
    use super::door::*;
    use crate::backend::service::account::sign_in;
    let path = respond(async { sign_in(&state()?, &session().await?, &username, &password, &next, &client_info().await).await }.await)?;
    on_form_post_go_to(&path);
    Ok(path)
}

/// Signs out: the server-side session is deleted, so a copied cookie dies too.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::door::*;
    respond(async { crate::backend::service::sessions::sign_out(principal().await.as_ref(), &session().await?, &state()?).await }.await)?;
    on_form_post_go_to("/login");
    Ok(())
}

/// The signed-in user, or `None`.
#[server(endpoint = "whoami")]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    Ok(super::door::principal().await.map(|p| p.to_current_user()))
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use super::door::*;
    use crate::backend::service::account::{change_own_password, PasswordChange};
    respond(async {
        let change = PasswordChange {
            current_password: &current_password,
            new_password: &new_password,
            confirm_password: Some(&confirm_password),
        };
        let session = session().await?;
        let caller = principal().await;
        change_own_password(&state()?, caller.as_ref(), Some(&session), client_info().await.ip.as_deref(), &change).await?;
        // The forced change (a one-time or expired password: the principal
        // marks both) leads home; a change from My account comes back to
        // it, saying so.
        let forced = caller.is_some_and(|p| p.must_change_password);
        on_form_post_go_to(if forced { "/" } else { "/account?changed=password" });
        Ok(())
    }
    .await)
}
