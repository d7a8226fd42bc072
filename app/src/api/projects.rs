//! Server functions for projects: the Projects pages, a project's Users and
//! Data tabs, access requests, invitations and datasets.

use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::service::{access_requests, data, invitations, project_members, projects};

/// The projects the caller may see, with their role in each.
#[server(endpoint = "projects/list")]
pub async fn list_projects() -> Result<Vec<ProjectSummary>, AppError> {
    use super::door::*;
    respond(projects::list(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "projects/get")]
pub async fn load_project(slug: String) -> Result<ProjectDetail, AppError> {
    use super::door::*;
    respond(projects::detail(&state()?, principal().await.as_ref(), &slug).await)
}

#[server(endpoint = "projects/create")]
pub async fn create_project(slug: String, name: String, description: String, accessibility: String) -> Result<ProjectSummary, AppError> {
    use super::door::*;
    let input = ProjectInput { slug, name, description, accessibility };
    respond(projects::create(&state()?, principal().await.as_ref(), &input, projects::PROJECT_ID).await)
        .inspect(|created| on_form_post_go_to(&format!("/projects/{}", created.slug)))
}

/// Saves the settings form; `version` is what the form was loaded with.
#[server(endpoint = "projects/update")]
pub async fn update_project(
    slug: String,
    name: String,
    description: String,
    accessibility: String,
    version: i64,
) -> Result<ProjectSummary, AppError> {
    use super::door::*;
    respond(
        async {
            let accessibility = parse_accessibility(&accessibility, "accessibility")?;
            let changes = ProjectChanges { name: Some(name), description: Some(description), accessibility: Some(accessibility), version: Some(version) };
            projects::update(&state()?, principal().await.as_ref(), &slug, &changes).await
        }
        .await,
    )
    .inspect(|_| on_form_post_go_to(&format!("/projects/{slug}/settings?saved=1")))
}

#[server(endpoint = "projects/delete")]
pub async fn delete_project(slug: String) -> Result<(), AppError> {
    use super::door::*;
    respond(projects::delete(&state()?, principal().await.as_ref(), &slug).await)
}

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

#[server(endpoint = "projects/requests/file")]
pub async fn request_access(slug: String, message: String) -> Result<(), AppError> {
    use super::door::*;
    respond(access_requests::request(&state()?, principal().await.as_ref(), &slug, Some(&message)).await)
        .inspect(|_| on_form_post_go_to(&format!("/projects/{slug}")))
}

/// Approves a request with `role`, or denies it when `role` is empty.
#[server(endpoint = "projects/requests/decide")]
pub async fn decide_access_request(slug: String, id: i64, role: String, reason: String) -> Result<(), AppError> {
    use super::door::*;
    respond(
        async {
            let approve_as = match role.trim() {
                "" => None,
                text => Some(ProjectRole::from_field(text, &slug, "role")?),
            };
            access_requests::decide(&state()?, principal().await.as_ref(), &slug, id, approve_as, Some(&reason)).await
        }
        .await,
    )
}

#[server(endpoint = "projects/requests/mine")]
pub async fn my_access_requests() -> Result<Vec<AccessRequestInfo>, AppError> {
    use super::door::*;
    respond(access_requests::mine(&state()?, principal().await.as_ref()).await)
}

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
            crate::backend::auth::login::start_session(&state, &session().await?, &user, &client_info().await).await?;
            on_form_post_go_to(&format!("/projects/{slug}"));
            Ok(slug)
        }
        .await,
    )
}

#[server(endpoint = "projects/datasets/list")]
pub async fn list_datasets(slug: String) -> Result<Vec<DatasetInfo>, AppError> {
    use super::door::*;
    respond(data::datasets(&state()?, principal().await.as_ref(), &slug).await)
}

#[server(endpoint = "projects/datasets/create")]
pub async fn create_dataset(slug: String, name: String, description: String) -> Result<DatasetInfo, AppError> {
    use super::door::*;
    respond(data::create_dataset(&state()?, principal().await.as_ref(), &slug, &name, &description).await)
        .inspect(|_| on_form_post_go_to(&format!("/projects/{slug}")))
}

#[server(endpoint = "projects/datasets/delete")]
pub async fn delete_dataset(slug: String, name: String) -> Result<(), AppError> {
    use super::door::*;
    respond(data::delete_dataset(&state()?, principal().await.as_ref(), &slug, &name).await)
}

#[server(endpoint = "projects/datasets/get")]
pub async fn load_dataset(slug: String, name: String) -> Result<DatasetPage, AppError> {
    use super::door::*;
    respond(data::dataset_page(&state()?, principal().await.as_ref(), &slug, &name).await)
}

#[server(endpoint = "projects/files/rename")]
pub async fn rename_file(slug: String, dataset: String, name: String, new_name: String) -> Result<FileInfo, AppError> {
    use super::door::*;
    respond(data::rename_file(&state()?, principal().await.as_ref(), &slug, &dataset, &name, &new_name).await)
}

#[server(endpoint = "projects/files/delete")]
pub async fn delete_file(slug: String, dataset: String, name: String) -> Result<(), AppError> {
    use super::door::*;
    respond(data::delete_file(&state()?, principal().await.as_ref(), &slug, &dataset, &name).await)
}

/// The projects `username` is in, with their group in each (admins).
#[server(endpoint = "projects/of_user")]
pub async fn projects_of_user(username: String) -> Result<Vec<ProjectSummary>, AppError> {
    use super::door::*;
    respond(projects::of_user(&state()?, principal().await.as_ref(), &username).await)
}
