//! `SiteSettings`: each site setting's one definition — its name (the
//! configuration key, `GATEHOUSE_` + the name in capitals for its
//! environment variable, and the `site_settings` column when admins may
//! change it), its type and its default. The configuration reads these keys
//! as they are (`#[serde(flatten)]` in `server/src/config.rs`); the stored
//! values are laid over them by name (`service::settings::current`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Defines [`SiteSettings`], its `Default`, and reading and writing one
/// setting by name, from one list of `name: type = default`.
macro_rules! site_settings {
    ($( $(#[$attr:meta])* $name:ident : $ty:ty = $default:expr, )*) => {
        /// Site-wide knobs (SPEC §3–§5).
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct SiteSettings {
            $( $(#[$attr])* pub $name: $ty, )*
        }

        impl Default for SiteSettings {
            fn default() -> Self {
                SiteSettings { $( $name: $default, )* }
            }
        }

        impl SiteSettings {
            /// Every setting's name, in definition order.
            pub const NAMES: &'static [&'static str] = &[$( stringify!($name), )*];

            /// The setting `name`'s value (`None`: no such setting).
            pub fn get(&self, name: &str) -> Option<Value> {
                match name {
                    $( stringify!($name) => serde_json::to_value(&self.$name).ok(), )*
                    _ => None,
                }
            }

            /// Sets the setting `name` from `value`: `Ok(false)` when there is
            /// no such setting, `Err` (nothing changed) when `value` does not
            /// fit its type.
            pub fn set(&mut self, name: &str, value: &Value) -> Result<bool, serde_json::Error> {
                match name {
                    $( stringify!($name) => self.$name = <$ty>::deserialize(value)?, )*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }
    };
}

site_settings! {
    lockout_threshold: i64 = 5,
    lockout_minutes: i64 = 15,
    session_idle_minutes: i64 = 120,
    session_lifetime_minutes: i64 = 12 * 60,
    password_min_length: usize = 8,
    jwt_lifetime_minutes: i64 = 7 * 24 * 60,
    /// Days after its first issue that a refreshed JWT stops (no refresh past it).
    jwt_max_lifetime_days: i64 = 30,
    /// When on, metadata `maxStorageMB` is a user's storage quota.
    storage_limiter: bool = false,
    /// Failed password checks one client address may make per minute.
    login_rate_limit: i64 = 20,
    /// The site's name, as emails and pages show it.
    #[serde(deserialize_with = "crate::backend::lenient::string")]
    site_name: String = "Gatehouse".into(),
    /// Where users reach the site, without a trailing slash; links in emails
    /// start with it. Not a key of its own: worked out from `public_url` and
    /// `bind` (`Config::settings`).
    #[serde(skip)]
    public_url: String = "http://127.0.0.1:3000".into(),
    /// Off = anonymous visitors may browse and download public projects.
    require_login: bool = true,
    /// Folder where uploaded files are kept.
    #[serde(deserialize_with = "crate::backend::lenient::path")]
    data_dir: std::path::PathBuf = "gatehouse-data".into(),
    /// Largest single upload, in MB.
    max_upload_mb: i64 = 1024,
    /// Uploads are refused while the data folder's file system has less free.
    min_free_disk_mb: i64 = 1024,
    /// Anyone may create an account at `/register`.
    registration_open: bool = false,
    /// New accounts must follow an emailed link before they can sign in.
    require_email_verification: bool = true,
    /// New accounts wait for an admin's approval before they can sign in.
    require_admin_approval: bool = true,
    /// Admins get an email for each registration.
    notify_admins: bool = true,
    /// Project owners may invite addresses with no account while registration is closed.
    owners_may_invite_new_people: bool = false,
    /// How long emailed links (verification, reset, email change) work.
    email_link_hours: i64 = 48,
    /// True when an SMTP server is configured (otherwise mail waits in the
    /// outbox). Not a key of its own: worked out from `smtp_url`.
    #[serde(skip)]
    smtp_configured: bool = false,
    /// Invitations one user may send in 24 hours.
    invitation_daily_cap: i64 = 50,
    /// How long an alias token works.
    alias_token_hours: i64 = 48,
    /// A personal access token may be made without an expiry.
    allow_non_expiring_tokens: bool = true,
    /// Days audit events are kept (0 = forever).
    audit_retention_days: i64 = 365,
    /// Days a password lasts (0 = forever); `non_expiring` users are exempt.
    password_expiry_days: i64 = 0,
    /// Accounts with no sign-in for this many days are disabled (0 = never).
    inactive_days: i64 = 0,
    /// Minutes a sign-in proven with the password (and second factor)
    /// counts as recent for sensitive actions (`policy::require_recent_sign_in`).
    reauth_window_minutes: i64 = 10,
    /// When set, passwords are checked by this provider and local account management is off.
    #[serde(deserialize_with = "crate::backend::lenient::optional")]
    external_auth_url: Option<String> = None,
    /// The provider's role name that grants `admin` (`None`: the provider cannot make admins).
    #[serde(deserialize_with = "crate::backend::lenient::optional")]
    external_auth_admin_role: Option<String> = None,
}

impl SiteSettings {
    /// `self` with each of `stored`'s values that names a setting laid over
    /// it. A value that does not fit its setting's type (written by hand,
    /// or before a rule existed) is logged and the setting keeps its value.
    pub fn overlaid(&self, stored: &serde_json::Map<String, Value>) -> SiteSettings {
        let mut settings = self.clone();
        for (name, value) in stored {
            if let Err(err) = settings.set(name, value) {
                tracing::warn!(setting = %name, stored = %value, error = %err, "stored setting ignored: the default is used");
            }
        }
        settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_is_read_and_written_by_its_name() {
        let mut s = SiteSettings::default();
        for name in SiteSettings::NAMES {
            let value = s.get(name).unwrap();
            assert!(s.set(name, &value).unwrap(), "{name}");
        }
        assert_eq!(s, SiteSettings::default());
        assert!(!s.set("no_such_setting", &Value::Bool(true)).unwrap());
        assert_eq!(s.get("no_such_setting"), None);
    }

    #[test]
    fn a_stored_value_that_does_not_fit_keeps_the_default() {
        let stored = serde_json::json!({"password_min_length": -3, "registration_open": true, "lockout_threshold": "x"});
        let s = SiteSettings::default().overlaid(stored.as_object().unwrap());
        assert_eq!(s.password_min_length, 8);
        assert_eq!(s.lockout_threshold, 5);
        assert!(s.registration_open);
    }
}
