//! Admin panel server functions for users and roles.

use crate::model::*;
use leptos::prelude::*;

#[server(endpoint = "admin/users/list")]
pub async fn list_users(query: UserQuery) -> Result<UserListPage, AppError> {
    use super::door::*;
    respond(crate::backend::service::user_admin::list(&state()?, principal().await.as_ref(), &query).await)
}

#[server(endpoint = "admin/users/get")]
pub async fn get_user(username: String) -> Result<(UserEdit, UserFacts), AppError> {
    use super::door::*;
    respond(crate::backend::service::user_admin::edit_form(&state()?, principal().await.as_ref(), &username).await)
}

/// Creates a user; returns the username as stored.
#[server(endpoint = "admin/users/create")]
pub async fn create_user(
    username: String,
    display_name: String,
    email: String,
    password: String,
    roles: Vec<String>,
) -> Result<String, AppError> {
    use super::door::*;
    let request = CreateUserRequest {
        user_name: Some(username),
        password: Some(password),
        email: Some(email),
        display_name: Some(display_name),
        roles: Some(roles),
    };
    let created = crate::backend::service::users::create(&state()?, principal().await.as_ref(), &request).await;
    // The form's fields are snake_case; the shared service names them as the API does.
    respond(created.map(|u| u.user_name).map_err(|e| match e {
        AppError::Validation { field, message } if field == "userName" => AppError::validation("username", message),
        AppError::Conflict(m) if m.starts_with("Username") => AppError::validation("username", m),
        AppError::Conflict(m) if m.starts_with("Email") => AppError::validation("email", m),
        other => other,
    }))
}

#[server(endpoint = "admin/users/save")]
pub async fn save_user(edit: UserEdit) -> Result<(), AppError> {
    use super::door::*;
    respond(crate::backend::service::user_admin::save(&state()?, principal().await.as_ref(), &edit).await)
}

#[server(endpoint = "admin/users/enable")]
pub async fn set_user_enabled(username: String, enabled: bool) -> Result<(), AppError> {
    use super::door::*;
    respond(crate::backend::service::user_admin::set_enabled(&state()?, principal().await.as_ref(), &username, enabled).await)
}

#[server(endpoint = "admin/users/unlock")]
pub async fn unlock_user(username: String) -> Result<(), AppError> {
    use super::door::*;
    respond(crate::backend::service::user_admin::unlock(&state()?, principal().await.as_ref(), &username).await)
}

/// Deletes a user; their datasets and files go to `heir`, or are deleted
/// when `heir` is empty.
#[server(endpoint = "admin/users/delete")]
pub async fn delete_user(username: String, heir: String) -> Result<(), AppError> {
    use super::door::*;
    let heir = Some(heir.trim()).filter(|h| !h.is_empty());
    respond(crate::backend::service::users::delete(&state()?, principal().await.as_ref(), &username, heir).await)
}

#[server(endpoint = "admin/roles/list")]
pub async fn list_roles() -> Result<Vec<RoleInfo>, AppError> {
    use super::door::*;
    respond(crate::backend::service::roles::list_with_holders(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "admin/roles/create")]
pub async fn create_role(role_name: String) -> Result<(), AppError> {
    use super::door::*;
    let created = crate::backend::service::roles::create(&state()?, principal().await.as_ref(), Some(&role_name)).await;
    respond(created.map(|_| ()).map_err(|e| match e {
        AppError::Validation { message, .. } | AppError::Conflict(message) => AppError::validation("role_name", message),
        other => other,
    }))
}

#[server(endpoint = "admin/roles/delete")]
pub async fn delete_role(role_name: String, force: bool) -> Result<(), AppError> {
    use super::door::*;
    respond(crate::backend::service::roles::delete(&state()?, principal().await.as_ref(), &role_name, force).await)
}

/// `action`: `enable`, `disable`, `delete`, `add_role` or `remove_role`
/// (the last two use `role`).
#[server(endpoint = "admin/users/bulk")]
pub async fn bulk_users(action: String, role: String, usernames: Vec<String>) -> Result<Vec<BulkOutcome>, AppError> {
    use super::door::*;
    let action = match action.as_str() {
        "enable" => BulkAction::Enable,
        "disable" => BulkAction::Disable,
        "delete" => BulkAction::Delete,
        "add_role" => BulkAction::AddRole(role),
        "remove_role" => BulkAction::RemoveRole(role),
        other => return respond(Err(AppError::validation("action", format!("Unknown bulk action: {other}")))),
    };
    respond(crate::backend::service::user_admin::bulk(&state()?, principal().await.as_ref(), &action, &usernames).await)
}

/// Checks (`dry_run`) or applies one chunk of a CSV import.
#[server(endpoint = "admin/users/import")]
pub async fn import_users(csv: String, first_line: i64, dry_run: bool) -> Result<ImportReport, AppError> {
    use super::door::*;
    respond(crate::backend::service::user_import::import_chunk(&state()?, principal().await.as_ref(), &csv, first_line, dry_run).await)
}
