//! Types describing the signed-in user and their account forms.

use serde::{Deserialize, Serialize};

/// What the page chrome needs to know about whoever is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub is_admin: bool,
    pub roles: Vec<String>,
    /// True while a one-time password must be replaced before anything else.
    pub must_change_password: bool,
    /// The password is past the site's expiry (and must be replaced first).
    #[serde(default)]
    pub password_expired: bool,
    /// Days left before the password expires, when under two weeks.
    #[serde(default)]
    pub password_expires_in_days: Option<i64>,
}

/// Limits on passwords, also shown next to the password fields.
pub const PASSWORD_MAX_LENGTH: usize = 128;

/// Figures on the admin panel's front page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteOverview {
    pub users: i64,
    pub enabled_admins: i64,
    pub live_sessions: i64,
    pub database: String,
}
