//! Admin panel server functions for the users area (service::users).

use crate::model::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::service::{user_import, users};
#[cfg(feature = "ssr")]
use crate::backend::service::users::listing;

#[server(endpoint = "admin/users/list")]
pub async fn list_users(query: UserQuery) -> Result<UserListPage, AppError> {
    use super::door::*;
    respond(listing::page(&state()?, principal().await.as_ref(), &query).await)
}

#[server(endpoint = "admin/users/get")]
pub async fn get_user(username: String) -> Result<(UserEdit, UserFacts), AppError> {
    use super::door::*;
    respond(users::edit_form(&state()?, principal().await.as_ref(), &username).await)
}

/// Creates a user; returns the username as stored.
#[server(endpoint = "admin/users/create")]
pub async fn create_user(
    username: String,
    display_name: String,
    email: String,
    password: String,
    /// A form without JavaScript sends `roles[]` per ticked box, or none.
    #[server(default)]
    roles: Vec<String>,
) -> Result<String, AppError> {
    use super::door::*;
    let account = NewAccount { username, password, email, display_name, roles };
    let created = users::create(&state()?, principal().await.as_ref(), &account).await;
    let name = respond(created.map(|u| u.user_name))?;
    on_form_post_go_to(&format!("/admin/users/{name}?created=1"));
    Ok(name)
}

#[server(endpoint = "admin/users/save")]
pub async fn save_user(edit: UserEdit) -> Result<(), AppError> {
    use super::door::*;
    respond(users::save(&state()?, principal().await.as_ref(), &edit).await)
}

#[server(endpoint = "admin/users/enable")]
pub async fn set_user_enabled(username: String, enabled: bool) -> Result<(), AppError> {
    use super::door::*;
    respond(users::set_enabled(&state()?, principal().await.as_ref(), &username, enabled).await)
}

#[server(endpoint = "admin/users/unlock")]
pub async fn unlock_user(username: String) -> Result<(), AppError> {
    use super::door::*;
    respond(users::unlock(&state()?, principal().await.as_ref(), &username).await)
}

/// Deletes a user; their datasets and files go to `heir`, or are deleted
/// when `heir` is empty.
#[server(endpoint = "admin/users/delete")]
pub async fn delete_user(username: String, heir: String) -> Result<(), AppError> {
    use super::door::*;
    let heir = Some(heir.trim()).filter(|h| !h.is_empty());
    respond(users::delete(&state()?, principal().await.as_ref(), &username, heir).await)
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
    respond(users::bulk(&state()?, principal().await.as_ref(), &action, &usernames).await)
}

/// Checks (`dry_run`) or applies one chunk of a CSV import.
#[server(endpoint = "admin/users/import")]
pub async fn import_users(csv: String, first_line: i64, dry_run: bool) -> Result<ImportReport, AppError> {
    use super::door::*;
    respond(user_import::import_chunk(&state()?, principal().await.as_ref(), &csv, first_line, dry_run).await)
}
