//! Admin panel server functions for site roles (service::roles).

use crate::model::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::service::roles;

#[server(endpoint = "admin/roles/list")]
pub async fn list_roles() -> Result<Vec<RoleInfo>, AppError> {
    use super::door::*;
    respond(roles::list_with_holders(&state()?, principal().await.as_ref()).await)
}

/// Role names only, for filters and checklists: no holder counts, so it
/// costs the same at any number of users.
#[server(endpoint = "admin/roles/names")]
pub async fn role_names() -> Result<Vec<String>, AppError> {
    use super::door::*;
    respond(roles::names(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "admin/roles/create")]
pub async fn create_role(role_name: String) -> Result<(), AppError> {
    use super::door::*;
    respond(roles::create(&state()?, principal().await.as_ref(), &role_name).await.map(|_| ()))
        .inspect(|_| on_form_post_go_to("/admin/roles"))
}

#[server(endpoint = "admin/roles/delete")]
pub async fn delete_role(role_name: String, force: bool) -> Result<(), AppError> {
    use super::door::*;
    respond(roles::delete(&state()?, principal().await.as_ref(), &role_name, force).await)
}
