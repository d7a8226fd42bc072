//! Sign-in, sign-out, who am I, and changing one's own password.

use crate::model::{AppError, CurrentUser};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::auth::login::safe_next_path;
#[cfg(feature = "ssr")]
use crate::backend::auth::second_step::{STEP_COOKIE, STEP_LIFETIME_MS};
#[cfg(feature = "ssr")]
use crate::backend::service::account::{change_own_password, sign_in, sign_in_second_step, PasswordChange, SignedIn};
#[cfg(feature = "ssr")]
use crate::backend::service::sessions;
#[cfg(feature = "ssr")]
use crate::backend::AppState;

/// Signs in; returns the path to go to next. For an account with two-factor
/// sign-in, that is the sign-in page's code form (`/login?step=code`), and
/// the answer sets the second step's cookie.
#[server(endpoint = "login")]
pub async fn login(username: String, password: String, next: String) -> Result<String, AppError> {
    use super::door::*;
    let signed_in = respond(async { sign_in(&state()?, &session().await?, &username, &password, &next, &client_info().await).await }.await)?;
    let path = match signed_in {
        SignedIn::Done(path) => path,
        SignedIn::SecondStep { step_id, path } => {
            second_step_cookie(&state()?, &step_id, STEP_LIFETIME_MS / 1000);
            path
        }
    };
    on_form_post_go_to(&path);
    Ok(path)
}

/// The second step of signing in: a code from the authenticator app, or a
/// recovery code, for the sign-in whose cookie the browser holds.
#[server(endpoint = "login_code")]
pub async fn login_code(code: String, next: String) -> Result<String, AppError> {
    use super::door::*;
    let step_id = step_cookie().await.unwrap_or_default();
    let path = respond(
        async { sign_in_second_step(&state()?, &session().await?, &step_id, &code, &next, &client_info().await).await }.await,
    )?;
    second_step_cookie(&state()?, "", 0);
    on_form_post_go_to(&path);
    Ok(path)
}

/// Sets (or, with `max_age` 0, clears) the second step's cookie: sent only
/// to `login_code`, never readable by scripts.
#[cfg(feature = "ssr")]
fn second_step_cookie(state: &AppState, step_id: &str, max_age: i64) {
    let secure = if state.settings.public_url.starts_with("https://") { "; Secure" } else { "" };
    let cookie = format!("{STEP_COOKIE}={step_id}; Path=/api/login_code; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
    if let (Some(options), Ok(value)) = (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&cookie)) {
        options.append_header(http::header::SET_COOKIE, value);
    }
}

/// The second step's id from the request's cookie.
#[cfg(feature = "ssr")]
async fn step_cookie() -> Option<String> {
    let parts = leptos_axum::extract::<http::request::Parts>().await.ok()?;
    parts.headers.get_all(http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == STEP_COOKIE && !value.is_empty()).then(|| value.to_string())
    })
}

/// Re-authentication for sensitive actions: the password (and, for an
/// account with a second factor, a code) proves the sign-in again; returns
/// the path to go back to (`next`, when it is a path on this site). A plain
/// form post goes there; the browser app retries the action it was doing.
#[server(endpoint = "reauth")]
pub async fn reauthenticate(
    password: String,
    #[server(default)] code: String,
    #[server(default)] next: String,
) -> Result<String, AppError> {
    use super::door::*;
    use crate::backend::service::account::confirm_sign_in;
    let state = state()?;
    respond(async { confirm_sign_in(&state, principal().await.as_ref(), &session().await?, &password, &code, client_info().await.ip.as_deref()).await }.await)?;
    let path = safe_next_path(&next, &state.settings.public_url);
    on_form_post_go_to(&path);
    Ok(path)
}

/// Signs out: the server-side session is deleted, so a copied cookie dies too.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::door::*;
    respond(async { sessions::sign_out(principal().await.as_ref(), &session().await?, &state()?).await }.await)?;
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
