//! Server functions for project invitations: sending and revoking them,
//! and the invitation page's preview, accept and sign-up.

use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::service::invitations;
#[cfg(feature = "ssr")]
use crate::backend::auth::login;

#[server(endpoint = "projects/invitations/send")]
pub async fn invite_to_project(slug: String, email: String, role: String) -> Result<(), AppError> {
    use super::door::*;
    respond(
        async {
            let role = ProjectRole::from_field(&role, &slug, "role")?;
            invitations::invite(&state()?, principal().await.as_ref(), &slug, &email, role).await
        }
        .await,
    )
    .inspect(|_| on_form_post_go_to(&format!("/projects/{slug}/users")))
}

#[server(endpoint = "projects/invitations/revoke")]
pub async fn revoke_invitation(slug: String, id: i64) -> Result<(), AppError> {
    use super::door::*;
    respond(invitations::revoke(&state()?, principal().await.as_ref(), &slug, id).await)
}

#[server(endpoint = "invitations/preview")]
pub async fn preview_invitation(token: String) -> Result<InvitationPreview, AppError> {
    use super::door::*;
    respond(invitations::preview(&state()?, &token).await)
}

/// The signed-in caller joins; returns the project's slug.
#[server(endpoint = "invitations/accept")]
pub async fn accept_invitation(token: String) -> Result<String, AppError> {
    use super::door::*;
    let slug = respond(invitations::accept(&state()?, principal().await.as_ref(), &token).await)?;
    on_form_post_go_to(&format!("/projects/{slug}"));
    Ok(slug)
}

/// Accepts, from the home page, an invitation sent to the caller's own
/// address; the project's slug.
#[server(endpoint = "invitations/accept_mine")]
pub async fn accept_my_invitation(id: i64) -> Result<String, AppError> {
    use super::door::*;
    let slug = respond(invitations::accept_mine(&state()?, principal().await.as_ref(), id).await)?;
    on_form_post_go_to(&format!("/projects/{slug}"));
    Ok(slug)
}

/// Creates an account from the invitation and joins; signs it in unless it
/// waits for an admin's approval. Returns the project's slug.
#[server(endpoint = "invitations/sign_up")]
pub async fn sign_up_from_invitation(
    token: String,
    username: String,
    display_name: String,
    password: String,
    confirm: String,
) -> Result<String, AppError> {
    use super::door::*;
    respond(
        async {
            let state = state()?;
            let form = InvitationSignUp { username, display_name, password, confirm };
            let (user, slug) = invitations::accept_by_registering(&state, &token, &form).await?;
            if !user.approved {
                // The account waits for an admin: no session until then.
                on_form_post_go_to(&format!("/invitations/{}?done={}", token.trim(), NextStep::AwaitApproval.key()));
                return Ok(slug);
            }
            login::start_session(&state, &session().await?, &user, &client_info().await).await?;
            on_form_post_go_to(&format!("/projects/{slug}"));
            Ok(slug)
        }
        .await,
    )
}
