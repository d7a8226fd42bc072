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
    /// Text, so that "abc" gets an inline error rather than a decode failure.
    pub password_min_length: String,
    pub require_login: bool,
    /// Metadata `maxStorageMB` is each user's quota.
    pub storage_limiter: bool,
    /// Personal access tokens may be made without an expiry.
    pub allow_non_expiring_tokens: bool,
    /// Days audit events are kept (0 = forever); text, for an inline error.
    pub audit_retention_days: String,
}

/// What the sign-in and registration pages show before anyone signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicSiteInfo {
    pub site_name: String,
    pub registration_open: bool,
    pub password_min_length: usize,
}
