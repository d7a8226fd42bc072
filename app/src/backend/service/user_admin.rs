//! The admin panel's user management: the searchable list, the edit page,
//! enable/disable, unlock (SPEC §1, §8). Same rules as the REST door:
//! nobody disables or deletes themselves, the last enabled admin keeps the
//! role and stays enabled, and disabling ends every session and token.

use crate::backend::auth::Principal;
use crate::backend::csv_writer::CsvWriter;
use crate::backend::policy::{authorize, Action};
use crate::backend::service::users::find_user;
use crate::backend::store::user_list::{self, Arg, ListFilter, Sort};
use crate::backend::store::{roles, users};
use crate::backend::time::now_ms;
use crate::backend::AppState;
use crate::model::*;

/// Rows per page of the admin list.
pub const PAGE_SIZE: i64 = 50;

fn sort_of(name: &str) -> Sort {
    match name {
        "username" => Sort::Username,
        "last_login" => Sort::LastLogin,
        _ => Sort::NewestFirst,
    }
}

/// Cursor text `<key>~<id>`; the key is text for the username sort.
fn parse_cursor(sort: Sort, cursor: &str) -> Option<(Arg, i64)> {
    let (key, id) = cursor.rsplit_once('~')?;
    let id = id.parse().ok()?;
    let key = match sort {
        Sort::Username => Arg::Text(key.to_string()),
        _ => Arg::Int(key.parse().ok()?),
    };
    Some((key, id))
}

fn cursor_of(sort: Sort, row: &user_list::ListRow) -> String {
    let key = match sort {
        Sort::Username => row.username_lower.clone(),
        Sort::NewestFirst => row.created_at.to_string(),
        Sort::LastLogin => row.last_login_at.unwrap_or(0).to_string(),
    };
    format!("{key}~{}", row.id)
}

/// The store's filter for `query`; `search` is its lower-cased search text.
fn list_filter<'a>(state: &AppState, query: &'a UserQuery, search: &'a str, after: Option<(Arg, i64)>, limit: i64) -> ListFilter<'a> {
    ListFilter {
        search: (!search.is_empty()).then_some(search),
        search_by: state.search_upkeep.search_by(search),
        role: (!query.role.is_empty()).then_some(query.role.as_str()),
        status: (!query.status.is_empty()).then_some(query.status.as_str()),
        sort: sort_of(&query.sort),
        after,
        now: now_ms(),
        limit,
    }
}

pub async fn list(state: &AppState, principal: Option<&Principal>, query: &UserQuery) -> Result<UserListPage, AppError> {
    authorize(principal, Action::Administer)?;
    let sort = sort_of(&query.sort);
    let search = query.search.trim().to_lowercase();
    let now = now_ms();
    let filter = list_filter(state, query, &search, parse_cursor(sort, &query.after), PAGE_SIZE + 1);
    let (mut rows, grants) = user_list::page(&state.db, &filter).await?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| cursor_of(sort, r))
    } else {
        None
    };
    let mut roles = users::group_by_user(grants);
    let items = rows
        .into_iter()
        .map(|r| UserListItem {
            roles: roles.remove(&r.id).unwrap_or_default(),
            username: r.username,
            display_name: r.display_name,
            email: r.email,
            enabled: r.enabled,
            verified: r.verified,
            approved: r.approved,
            locked: r.locked_until.is_some_and(|t| t > now),
            created: iso8601(r.created_at),
            last_login: r.last_login_at.map(iso8601),
            active_sessions: r.active_sessions,
            api_keys: 0,
            datasets: r.datasets,
            storage_used: r.storage_used,
        })
        .collect();
    Ok(UserListPage { items, next })
}

/// The edit form's current values and the facts beside it.
pub async fn edit_form(state: &AppState, principal: Option<&Principal>, username: &str) -> Result<(UserEdit, UserFacts), AppError> {
    authorize(principal, Action::Administer)?;
    let user = find_user(state, username).await?;
    let mut metadata: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&user.metadata).unwrap_or_default();
    let max_storage_mb = metadata.remove("maxStorageMB").map(|v| v.to_string()).unwrap_or_default();
    let edit = UserEdit {
        username: user.username.clone(),
        version: user.version,
        display_name: user.display_name.clone().unwrap_or_default(),
        email: user.email.clone().unwrap_or_default(),
        roles: users::roles_of(&state.db, user.id).await?,
        enabled: user.enabled,
        verified: user.verified,
        approved: user.approved,
        non_expiring: user.non_expiring,
        password: String::new(),
        max_storage_mb,
        metadata: serde_json::to_string_pretty(&metadata).unwrap_or_else(|_| "{}".into()),
    };
    let now = now_ms();
    let facts = UserFacts {
        created: iso8601(user.created_at),
        last_login: user.last_login_at.map(iso8601),
        failed_logins: user.failed_logins,
        locked_until: user.locked_until.filter(|t| *t > now).map(iso8601),
        all_roles: roles::list(&state.db).await?.into_iter().map(|r| r.name).collect(),
    };
    Ok((edit, facts))
}

async fn refuse_losing_last_admin(state: &AppState, user: &users::UserRow, keeps_admin: bool, stays_enabled: bool) -> Result<(), AppError> {
    if keeps_admin && stays_enabled {
        return Ok(());
    }
    let is_admin = users::roles_of(&state.db, user.id).await?.iter().any(|r| r == "admin");
    if user.enabled && is_admin && users::count_enabled_admins(&state.db).await? <= 1 {
        let what = if stays_enabled { "lose the admin role" } else { "be disabled" };
        return Err(AppError::Conflict(format!("This is the last enabled admin: it cannot {what}")));
    }
    Ok(())
}

/// Saves the edit page. A stale `version` changes nothing and says so.
pub async fn save(state: &AppState, principal: Option<&Principal>, edit: &UserEdit) -> Result<(), AppError> {
    let caller = authorize(principal, Action::Administer)?;
    let user = find_user(state, &edit.username).await?;
    if user.id == caller.user_id && !edit.enabled {
        return Err(AppError::validation("enabled", "You cannot disable your own account"));
    }
    let display_name = edit.display_name.trim();
    if display_name.chars().count() > 100 {
        return Err(AppError::validation("display_name", "Display name must be at most 100 characters"));
    }
    let email = edit.email.trim();
    if !email.is_empty() {
        check_email(email, "email")?;
        if users::email_owner(&state.db, email, user.id).await?.is_some() {
            return Err(AppError::validation("email", "Email already in use"));
        }
    }
    let mut role_names = Vec::new();
    for role in &edit.roles {
        let found = roles::find(&state.db, role).await?.ok_or_else(|| AppError::validation("roles", format!("Unknown role: {role}")))?;
        if !role_names.contains(&found.name) {
            role_names.push(found.name);
        }
    }
    let mut metadata: serde_json::Map<String, serde_json::Value> = match edit.metadata.trim() {
        "" => serde_json::Map::new(),
        text => serde_json::from_str(text)
            .map_err(|_| AppError::validation("metadata", "Metadata must be a JSON object, like {\"department\": \"Radiology\"}"))?,
    };
    match edit.max_storage_mb.trim() {
        "" => {
            metadata.remove("maxStorageMB");
        }
        text => {
            let mb: f64 = text
                .parse()
                .ok()
                .filter(|mb: &f64| (0.0..=8_000_000_000.0).contains(mb))
                .ok_or_else(|| AppError::validation("max_storage_mb", "Storage quota must be a number of MB from 0 to 8000000000"))?;
            let value = if mb.fract() == 0.0 {
                serde_json::Value::from(mb as i64)
            } else {
                serde_json::Number::from_f64(mb).map(serde_json::Value::Number).unwrap_or_default()
            };
            metadata.insert("maxStorageMB".into(), value);
        }
    }
    let password_hash = match edit.password.as_str() {
        "" => None,
        password => {
            crate::backend::service::settings::check_password(state, password, "password").await?;
            Some(state.hasher.hash(password).await?)
        }
    };
    refuse_losing_last_admin(state, &user, role_names.iter().any(|r| r == "admin"), edit.enabled).await?;
    let metadata = serde_json::Value::Object(metadata).to_string();
    let change = users::AdminEdit {
        version: edit.version,
        display_name: (!display_name.is_empty()).then_some(display_name),
        email: (!email.is_empty()).then_some(email),
        enabled: edit.enabled,
        verified: edit.verified,
        approved: edit.approved,
        non_expiring: edit.non_expiring,
        metadata: &metadata,
        roles: &role_names,
        // A new password, disabling, or taking back verification or approval
        // ends every session and token the user holds.
        ends_sessions: password_hash.is_some()
            || !edit.enabled
            || (user.verified && !edit.verified)
            || (user.approved && !edit.approved),
        password_hash: password_hash.as_deref(),
    };
    if !users::apply_admin_edit(&state.db, user.id, &change).await? {
        return Err(AppError::Conflict(STALE_EDIT.into()));
    }
    if edit.approved && !user.approved {
        if let Some(approved) = users::find_by_id(&state.db, user.id).await? {
            super::registration::send_approved_email(state, &approved).await?;
        }
    }
    Ok(())
}

pub async fn set_enabled(state: &AppState, principal: Option<&Principal>, username: &str, enabled: bool) -> Result<(), AppError> {
    let caller = authorize(principal, Action::Administer)?;
    let user = find_user(state, username).await?;
    if !enabled && user.id == caller.user_id {
        return Err(AppError::Conflict("You cannot disable your own account".into()));
    }
    if !enabled {
        refuse_losing_last_admin(state, &user, true, false).await?;
    }
    users::set_enabled(&state.db, user.id, enabled).await?;
    Ok(())
}

pub async fn unlock(state: &AppState, principal: Option<&Principal>, username: &str) -> Result<(), AppError> {
    authorize(principal, Action::Administer)?;
    let user = find_user(state, username).await?;
    users::unlock(&state.db, user.id).await?;
    Ok(())
}

/// Grants (`granted`) or removes one role; the last enabled admin keeps `admin`.
pub async fn set_role(state: &AppState, principal: Option<&Principal>, username: &str, role: &str, granted: bool) -> Result<(), AppError> {
    authorize(principal, Action::Administer)?;
    let user = find_user(state, username).await?;
    let role = roles::find(&state.db, role).await?.ok_or_else(|| AppError::validation("role", format!("Unknown role: {role}")))?;
    if !granted && role.name == "admin" {
        refuse_losing_last_admin(state, &user, false, user.enabled).await?;
    }
    users::set_role(&state.db, user.id, &role.name, granted).await?;
    Ok(())
}

/// Applies `action` to each user separately, through the same rules as one
/// at a time, and reports what happened to each.
pub async fn bulk(
    state: &AppState,
    principal: Option<&Principal>,
    action: &BulkAction,
    usernames: &[String],
) -> Result<Vec<BulkOutcome>, AppError> {
    authorize(principal, Action::Administer)?;
    if usernames.is_empty() {
        return Err(AppError::validation("selection", "Select at least one user"));
    }
    if usernames.len() > MAX_BULK {
        return Err(AppError::validation("selection", format!("Select at most {MAX_BULK} users at once")));
    }
    let mut outcomes = Vec::with_capacity(usernames.len());
    for username in usernames {
        let (result, done_message) = match action {
            BulkAction::Enable => (set_enabled(state, principal, username, true).await, "Enabled".to_string()),
            BulkAction::Disable => (set_enabled(state, principal, username, false).await, "Disabled; sessions ended".to_string()),
            BulkAction::Delete => {
                let heir = principal.map(|p| p.username.as_str());
                (super::users::delete(state, principal, username, heir).await, "Deleted; their data went to you".to_string())
            }
            BulkAction::AddRole(role) => (set_role(state, principal, username, role, true).await, format!("Given the role {role}")),
            BulkAction::RemoveRole(role) => (set_role(state, principal, username, role, false).await, format!("Role {role} removed")),
        };
        outcomes.push(match result {
            Ok(()) => BulkOutcome { username: username.clone(), done: true, message: done_message },
            Err(e) => BulkOutcome { username: username.clone(), done: false, message: e.message() },
        });
    }
    if matches!(action, BulkAction::Delete) {
        state.search_upkeep.bulk_write();
    }
    Ok(outcomes)
}

/// Rows fetched per query when exporting.
const EXPORT_PAGE: i64 = 1000;

/// The filtered list as CSV (RFC 4180): every matching user, not one page.
/// Columns match what the import reads, plus read-only facts.
pub async fn export_csv(state: &AppState, principal: Option<&Principal>, query: &UserQuery) -> Result<String, AppError> {
    authorize(principal, Action::Administer)?;
    let sort = sort_of(&query.sort);
    let search = query.search.trim().to_lowercase();
    let header = ["username", "display_name", "email", "roles", "enabled", "verified", "approved", "created", "last_login"];
    let mut out = CsvWriter::with_header(&header, "\r\n");
    let mut after = None;
    loop {
        let filter = list_filter(state, query, &search, after.take(), EXPORT_PAGE);
        let (rows, grants) = user_list::page(&state.db, &filter).await?;
        let mut roles = users::group_by_user(grants);
        for r in &rows {
            let fields = [
                r.username.clone(),
                r.display_name.clone().unwrap_or_default(),
                r.email.clone().unwrap_or_default(),
                roles.remove(&r.id).unwrap_or_default().join(" "),
                r.enabled.to_string(),
                r.verified.to_string(),
                r.approved.to_string(),
                iso8601(r.created_at),
                r.last_login_at.map(iso8601).unwrap_or_default(),
            ];
            out.row(&fields);
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == EXPORT_PAGE => after = parse_cursor(sort, &cursor_of(sort, last)),
            _ => break,
        }
    }
    Ok(out.finish())
}
