//! Server functions for a project's members: the Users tab's people, and
//! adding, moving and removing members.

use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::service::project_members;

/// Members, and for owners the request queue and invitations.
#[server(endpoint = "projects/people")]
pub async fn load_project_people(slug: String) -> Result<ProjectPeople, AppError> {
    use super::door::*;
    respond(project_members::people(&state()?, principal().await.as_ref(), &slug).await)
}

/// Adds a user (by username or email) to a group, or moves them there.
#[server(endpoint = "projects/members/set")]
pub async fn set_project_member(slug: String, user: String, role: String) -> Result<String, AppError> {
    use super::door::*;
    respond(
        async {
            let role = ProjectRole::from_field(&role, &slug, "role")?;
            project_members::set_member(&state()?, principal().await.as_ref(), &slug, &user, role).await
        }
        .await,
    )
    .inspect(|_| on_form_post_go_to(&format!("/projects/{slug}/users")))
}

#[server(endpoint = "projects/members/remove")]
pub async fn remove_project_member(slug: String, username: String) -> Result<(), AppError> {
    use super::door::*;
    respond(project_members::remove_member(&state()?, principal().await.as_ref(), &slug, &username).await)
}
