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

/// Admin → Statistics' site totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteStatistics {
    pub users: UsersByStatus,
    /// Successful sign-ins per UTC day, oldest first: one entry for every
    /// day of the window, today last, days without a sign-in included.
    pub sign_ins: Vec<DayCount>,
    /// Bytes every user's files take.
    pub storage_total: i64,
    /// The projects storing the most bytes, most first (at most 20).
    pub storage_by_project: Vec<ProjectBytes>,
    /// When the figures were read (they are reused for a few seconds).
    pub as_of: String,
}

/// Users by status. A user can be in several (disabled and locked, say);
/// `total` counts each once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersByStatus {
    pub total: i64,
    pub enabled: i64,
    pub disabled: i64,
    pub locked: i64,
    pub unverified: i64,
    pub awaiting_approval: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectBytes {
    pub project: String,
    pub bytes: i64,
}
