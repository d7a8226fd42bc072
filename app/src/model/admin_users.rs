//! The admin panel's user list and edit form.

use serde::{Deserialize, Serialize};

/// Filters, sort and position of the admin user list (all from the URL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserQuery {
    /// Case-insensitive substring of username, display name or email.
    pub search: String,
    /// A site role name, or empty for any.
    pub role: String,
    /// `enabled`, `disabled`, `unverified`, `awaiting`, `locked`, or empty.
    pub status: String,
    /// `created` (newest first, the default), `username`, `last_login`.
    pub sort: String,
    /// Cursor of the page's start, from the previous page's `next`.
    pub after: String,
}

pub const USER_STATUSES: &[(&str, &str)] = &[
    ("", "Any status"),
    ("enabled", "Enabled"),
    ("disabled", "Disabled"),
    ("unverified", "Unverified"),
    ("awaiting", "Awaiting approval"),
    ("locked", "Locked"),
];

pub const USER_SORTS: &[(&str, &str)] =
    &[("created", "Newest first"), ("username", "Username"), ("last_login", "Last sign-in")];

/// One row of the admin user list, with its figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserListItem {
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub enabled: bool,
    pub verified: bool,
    pub approved: bool,
    pub locked: bool,
    pub created: String,
    pub last_login: Option<String>,
    pub active_sessions: i64,
    pub api_keys: i64,
    pub datasets: i64,
    pub storage_used: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserListPage {
    pub items: Vec<UserListItem>,
    /// Cursor for the next page, when there is one.
    pub next: Option<String>,
}

/// Everything the admin edit page shows and sends back. `version` makes a
/// stale save fail instead of overwriting someone else's change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEdit {
    pub username: String,
    pub version: i64,
    pub display_name: String,
    pub email: String,
    pub roles: Vec<String>,
    pub enabled: bool,
    pub verified: bool,
    pub approved: bool,
    pub non_expiring: bool,
    /// Blank keeps the current password.
    pub password: String,
    /// Blank = no quota.
    pub max_storage_mb: String,
    /// Other metadata as a JSON object.
    pub metadata: String,
}

/// Read-only facts shown beside the edit form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFacts {
    pub created: String,
    pub last_login: Option<String>,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub all_roles: Vec<String>,
}

pub const STALE_EDIT: &str = "This user was changed by someone else; reload and try again";

/// What a bulk action does to each selected user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    Enable,
    Disable,
    Delete,
    AddRole(String),
    RemoveRole(String),
}

/// The result of a bulk action for one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub username: String,
    pub done: bool,
    /// What was done, or why it was refused.
    pub message: String,
}

/// Most users one bulk action may name.
pub const MAX_BULK: usize = 1000;
