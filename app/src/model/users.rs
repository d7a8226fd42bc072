//! The users area's wire types: users, roles and tokens as the
//! registry API (seed 004) shapes them (camelCase JSON, ISO 8601 UTC times,
//! byte counts as integers), and the admin panel's user list and edit form.

use serde::{Deserialize, Serialize};

/// A user in lists: `GET /users`, and what create and update return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserSummary {
    pub user_name: String,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub organizations: Vec<String>,
}

/// `GET /users/detailed`: the summary plus storage and counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserDetailed {
    #[serde(flatten)]
    pub summary: UserSummary,
    pub storage_quota: Option<i64>,
    pub storage_used: i64,
    pub organization_count: i64,
    pub dataset_count: i64,
    pub created_date: String,
}

/// `POST /users` body.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreateUserRequest {
    pub user_name: Option<String>,
    pub password: Option<String>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub roles: Option<Vec<String>>,
}

/// The answer for a username that names nobody.
pub fn no_such_user(username: &str) -> super::AppError {
    super::AppError::NotFound(format!("No such user: {username}"))
}

/// A new account as an admin creates it, through either door.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub username: String,
    pub password: String,
    /// Blank = none.
    pub email: String,
    /// Blank = none.
    pub display_name: String,
    /// Empty = the `user` role.
    pub roles: Vec<String>,
}

impl CreateUserRequest {
    /// The account this body asks for; a missing required field is named
    /// as the body names it.
    pub fn into_account(self) -> Result<NewAccount, super::AppError> {
        use super::validate::required;
        Ok(NewAccount {
            username: required(self.user_name, "userName")?,
            password: required(self.password, "password")?,
            email: self.email.unwrap_or_default(),
            display_name: self.display_name.unwrap_or_default(),
            roles: self.roles.unwrap_or_default(),
        })
    }
}

/// `PUT /users/{userName}` body: absent fields stay as they are; an empty
/// email removes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserRequest {
    pub email: Option<String>,
    pub roles: Option<Vec<String>>,
}

/// `POST /users/authenticate` body.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuthenticateRequest {
    pub username: Option<String>,
    pub password: Option<String>,
    /// The second step, for an account with two-factor sign-in: a code from
    /// the authenticator app, or a recovery code.
    pub otp: Option<String>,
}

/// What `POST /users/authenticate` and its refresh return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthToken {
    pub token: String,
    pub expires: String,
    pub user_name: String,
    pub email: Option<String>,
    pub roles: Vec<String>,
}

/// `POST /users/changepwd` and `PUT /users/{userName}/changepwd` bodies.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    pub old_password: Option<String>,
    pub new_password: Option<String>,
}

/// `POST /users/roles` body and response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RoleRequest {
    pub role_name: Option<String>,
}

impl RoleRequest {
    pub fn into_name(self) -> Result<String, super::AppError> {
        super::validate::required(self.role_name, "roleName")
    }
}

/// ISO 8601 UTC with `Z`, to the second, from Unix milliseconds.
pub fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::iso8601;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_705_314_600_000), "2024-01-15T10:30:00Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00Z");
    }
}

/// A role as the admin Roles page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInfo {
    pub name: String,
    pub builtin: bool,
    pub holders: i64,
}

/// Filters, sort and position of the admin user list (all from the URL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(default)]
pub struct UserQuery {
    /// Case-insensitive substring of username, display name or email.
    pub search: String,
    /// A site role name, or empty for any.
    pub role: String,
    /// `enabled`, `disabled`, `unverified`, `awaiting`, `locked`, or empty.
    pub status: String,
    /// `created` (newest first, the default), `username`, `last_login`, `storage`.
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
    &[("created", "Newest first"), ("username", "Username"), ("last_login", "Last sign-in"), ("storage", "Storage used")];

/// The window, in days, of the lists' "failed sign-ins" figure.
pub const FAILED_SIGN_IN_DAYS: i64 = 30;

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
    pub files: i64,
    pub storage_used: i64,
    /// Bytes the user may store; `None` = no quota applies.
    pub storage_quota: Option<i64>,
    pub projects_owned: i64,
    /// Projects the user is in as member or collaborator.
    pub projects_joined: i64,
    /// Refused sign-ins to the account in the last [`FAILED_SIGN_IN_DAYS`].
    pub failed_sign_ins: i64,
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
