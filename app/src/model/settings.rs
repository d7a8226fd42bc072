//! Site settings as the admin form edits them, and what public pages may know.

use serde::{Deserialize, Serialize};

/// The Admin → Settings form. `version` makes a save from a stale page fail.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SettingsForm {
    pub version: i64,
    pub registration_open: bool,
    pub require_email_verification: bool,
    pub require_admin_approval: bool,
    pub notify_admins: bool,
    /// Project owners may invite addresses with no account while registration is closed.
    #[serde(default)]
    pub owners_may_invite_new_people: bool,
    /// Text, so that "abc" gets an inline error rather than a decode failure.
    pub password_min_length: String,
    pub require_login: bool,
    /// Metadata `maxStorageMB` is each user's quota.
    pub storage_limiter: bool,
    /// Personal access tokens may be made without an expiry.
    pub allow_non_expiring_tokens: bool,
    /// Days audit events are kept (0 = forever); text, for an inline error.
    pub audit_retention_days: String,
    /// While a lowered retention waits: "Lowered to N days: takes effect on DATE".
    /// Shown only; a save ignores it.
    #[serde(default)]
    pub audit_retention_note: Option<String>,
}

/// What the sign-in and registration pages show before anyone signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicSiteInfo {
    pub site_name: String,
    pub registration_open: bool,
    pub password_min_length: usize,
    /// Accounts come from an external authentication provider (local management is off).
    pub accounts_external: bool,
}

/// The Admin → Security form: numbers as typed, so that a bad one gets an
/// inline error rather than a decode failure. `version` is the settings
/// row's, shared with Admin → Settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SecurityForm {
    pub version: i64,
    pub password_expiry_days: String,
    pub lockout_threshold: String,
    pub lockout_minutes: String,
    pub session_idle_minutes: String,
    pub session_lifetime_minutes: String,
    /// Disable accounts with no sign-in for this many days (0 = never).
    pub inactive_days: String,
    /// Minutes a proven sign-in counts as recent for sensitive actions.
    pub reauth_window_minutes: String,
}

/// What the inactivity rule would disable now, shown before it is saved.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InactivePreview {
    pub count: i64,
    /// The first of them, by username.
    pub usernames: Vec<String>,
}

/// An account locked by failed sign-ins, as Admin → Security lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedAccount {
    pub username: String,
    pub failed_logins: i64,
    /// ISO 8601 UTC.
    pub locked_until: String,
}
