//! Server functions for projects: the Projects pages, a project's
//! settings, and an admin's view of a user's projects. Members, access
//! requests, invitations and data have their own modules.

use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::service::projects;

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

/// The projects `username` is in, with their group in each (admins).
#[server(endpoint = "projects/of_user")]
pub async fn projects_of_user(username: String) -> Result<Vec<ProjectSummary>, AppError> {
    use super::door::*;
    respond(projects::of_user(&state()?, principal().await.as_ref(), &username).await)
}
