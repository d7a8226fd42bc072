//! Server functions for access requests: filing one, deciding one, and
//! the caller's own.

use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::service::access_requests;

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
