//! Configuration: defaults < optional TOML file < `DATABASE_URL` <
//! `GATEHOUSE_*` environment variables. `KEYS` documents every key and is
//! what `--help` prints.

use app::backend::auth::client_addr::TrustedProxies;
use app::backend::backup;
use app::backend::auth::jwt::MIN_SECRET_BYTES;
use app::backend::jobs::mail_delivery::MailDelivery;
use app::backend::lenient as text;
use app::backend::state::SiteSettings;
use app::model::PASSWORD_MAX_LENGTH;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    #[serde(deserialize_with = "text::string")]
    pub database_url: String,
    #[serde(deserialize_with = "text::string")]
    pub bind: String,
    #[serde(deserialize_with = "text::optional")]
    pub public_url: Option<String>,
    #[serde(deserialize_with = "text::list")]
    pub trusted_proxies: Vec<String>,
    #[serde(deserialize_with = "text::string")]
    pub site_root: String,
    #[serde(deserialize_with = "text::string")]
    pub admin_username: String,
    #[serde(deserialize_with = "text::optional")]
    pub admin_password: Option<String>,
    #[serde(deserialize_with = "text::optional")]
    pub admin_email: Option<String>,
    #[serde(deserialize_with = "text::optional")]
    pub jwt_secret: Option<String>,
    #[serde(deserialize_with = "text::optional")]
    pub secret_key: Option<String>,
    #[serde(deserialize_with = "text::optional")]
    pub metrics_token: Option<String>,
    #[serde(deserialize_with = "text::optional")]
    pub features_dir: Option<String>,
    #[serde(deserialize_with = "text::optional")]
    pub smtp_url: Option<String>,
    #[serde(deserialize_with = "text::string")]
    pub mail_from: String,
    pub mail_retry_seconds: u64,
    pub mail_max_attempts: i64,
    pub dev_mode: bool,
    #[serde(deserialize_with = "text::string")]
    pub log_format: String,
    #[serde(deserialize_with = "text::string")]
    pub log_level: String,
    /// The site's settings, as keys of their own (`lockout_threshold`, …):
    /// one definition, with their defaults, in `SiteSettings`.
    #[serde(flatten)]
    pub site: SiteSettings,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://gatehouse.db?mode=rwc".into(),
            bind: "127.0.0.1:3000".into(),
            public_url: None,
            trusted_proxies: Vec::new(),
            site_root: "target/site".into(),
            admin_username: "admin".into(),
            admin_password: None,
            admin_email: None,
            jwt_secret: None,
            secret_key: None,
            metrics_token: None,
            features_dir: None,
            smtp_url: None,
            mail_from: "Gatehouse <gatehouse@localhost>".into(),
            mail_retry_seconds: 60,
            mail_max_attempts: 8,
            dev_mode: false,
            log_format: "text".into(),
            log_level: "info".into(),
            site: SiteSettings::default(),
        }
    }
}

/// Every configuration key with what it does. The environment variable is
/// `GATEHOUSE_` + the key in capitals; the TOML key is the key itself.
pub const KEYS: &[(&str, &str)] = &[
    ("database_url", "sqlite:… (embedded, the default) or postgres://… ; DATABASE_URL also works"),
    ("bind", "address and port to listen on"),
    ("public_url", "URL users reach the site at (default http://<bind>); https makes cookies Secure and __Host- prefixed"),
    ("trusted_proxies", "reverse proxies (CIDRs or addresses, comma-separated) whose X-Forwarded-For names the client; empty = the header is ignored and the peer is the client"),
    ("site_root", "folder with the built site (pkg/ with the wasm, js and css)"),
    ("admin_username", "first-run admin's username, used when no enabled admin exists"),
    ("admin_password", "first-run admin's password; unset = generate a one-time password and print it once"),
    ("admin_email", "first-run admin's email (optional)"),
    ("lockout_threshold", "consecutive failed sign-ins that lock an account"),
    ("lockout_minutes", "how long a locked account stays locked"),
    ("session_idle_minutes", "a session unused this long ends"),
    ("session_lifetime_minutes", "a session ends this long after sign-in, however active"),
    ("password_min_length", "minimum password length (maximum is 128)"),
    ("jwt_secret", "HS256 signing secret for API tokens, at least 32 bytes; unset = generate one and keep it in the database"),
    ("jwt_lifetime_minutes", "how long an API token from /users/authenticate lasts"),
    ("jwt_max_lifetime_days", "days after sign-in that an API token can no longer be refreshed (refreshed tokens expire by then)"),
    ("secret_key", "at least 32 bytes; keys the hashes of alias and access tokens and encrypts service keys; unset = generate one and keep it in the database (set it to keep it out of database backups; changing it ends every token and makes stored service keys unreadable)"),
    ("alias_token_hours", "how long an alias token (/data/services/tokens/issue) works"),
    ("allow_non_expiring_tokens", "default of the site setting: personal access tokens may be made without an expiry"),
    ("audit_retention_days", "default of the site setting: audit events older than this many days are deleted hourly (0 = keep forever, else at least 30)"),
    ("inactive_days", "default of the site setting: accounts with no sign-in for this many days are disabled by the hourly sweep (0 = never)"),
    ("reauth_window_minutes", "default of the site setting: minutes a proven sign-in counts as recent for sensitive actions (1 to 1440)"),
    ("external_auth_url", "unset = local accounts; set = every sign-in (form, Basic, /users/authenticate, /data/JSESSION) is checked by POSTing username and password to this URL, whose 200 JSON answer {userName, email?, roles?, metadata?} creates or updates the account, and local user management (create, edit, delete, passwords, registration, recovery) is off"),
    ("external_auth_admin_role", "unset = the external provider cannot make (or unmake) admins: an admin role in its answer is dropped and admins are made here (gatehouse create-admin); set = the provider role of this name grants admin, and its absence takes admin away"),
    ("metrics_token", "unset = /metrics answers loopback callers only (and not through a proxy); set = /metrics needs Authorization: Bearer <this token> from anywhere"),
    ("password_expiry_days", "default of the site setting: a password older than this many days must be changed at the next sign-in (0 = never; non_expiring users are exempt)"),
    ("storage_limiter", "true = metadata maxStorageMB is each user's storage quota"),
    ("login_rate_limit", "failed password checks one client address may make per minute before 429"),
    ("site_name", "the site's name in page titles and emails"),
    ("require_login", "false = anonymous visitors may browse and download public projects"),
    ("data_dir", "folder where uploaded files are kept (created when missing)"),
    ("features_dir", "folder of *-feature-definition.properties files read at start-up (XNAT's format; missing = only the built-in features); unset = features/ beside the SQLite file, or ./features on PostgreSQL"),
    ("max_upload_mb", "largest file one upload may send, in MB (larger ones are stopped with 413 and nothing is kept)"),
    ("min_free_disk_mb", "uploads are refused (507) while the data_dir's file system has less than this many MB free"),
    ("registration_open", "default of the site setting: anyone may create an account at /register (admins change it in Admin → Settings)"),
    ("require_email_verification", "default of the site setting: new accounts confirm their email address before signing in"),
    ("require_admin_approval", "default of the site setting: new accounts wait for an admin's approval"),
    ("notify_admins", "default of the site setting: admins get an email for each registration"),
    ("owners_may_invite_new_people", "default of the site setting: while registration is closed, an invitation from a project owner (not an admin) may still create an account"),
    ("email_link_hours", "how long verification, password reset and email change links work"),
    ("invitation_daily_cap", "project invitations one user may send in 24 hours (besides at most 10 a minute per user and per address); then 429"),
    ("smtp_url", "SMTP server for outgoing mail; unset = mail waits in Admin → Outbox. smtp://host:25 (plain), smtp://host:587?tls=required (STARTTLS required), smtp://host:587?tls=opportunistic (STARTTLS if offered), smtps://user:pass@host:465 (TLS); user:pass URL-encoded"),
    ("mail_from", "From address of outgoing mail, e.g. Gatehouse <noreply@example.org>"),
    ("mail_retry_seconds", "wait after a failed delivery; doubled after each further failure, at most one hour"),
    ("mail_max_attempts", "delivery attempts before a message is marked failed"),
    ("dev_mode", "true = allow a jwt_secret or secret_key shorter than 32 bytes (development only)"),
    ("log_format", "text or json"),
    ("log_level", "tracing filter, e.g. info or gatehouse=debug,info"),
];

/// The `--help` text listing every key with its default.
pub fn keys_help() -> String {
    let defaults = serde_json::to_value(Config::default()).unwrap_or_default();
    let mut out = String::from(
        "Configuration (defaults < TOML file given by --config < DATABASE_URL < GATEHOUSE_<KEY> variables):\n",
    );
    for (key, what) in KEYS {
        let default = match defaults.get(*key) {
            Some(serde_json::Value::Null) | None => "unset".to_string(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        out.push_str(&format!("  {key:<26} GATEHOUSE_{:<26} {what} [default: {default}]\n", key.to_uppercase()));
    }
    out
}

impl Config {
    /// Loads configuration from `file` (if given) and the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, String> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(format!("configuration file {} does not exist", path.display()));
            }
            figment = figment.merge(Toml::file(path));
        }
        let figment = figment
            .merge(Env::raw().only(&["LEPTOS_SITE_ADDR"]).map(|_| "bind".into()))
            .merge(Env::raw().only(&["LEPTOS_SITE_ROOT"]).map(|_| "site_root".into()))
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(Env::prefixed("GATEHOUSE_").ignore(&["CONFIG"]));
        // The site's settings alone first: read through `flatten`, a bad
        // value's error would not name its key.
        figment.extract::<SiteSettings>().map_err(|e| format!("configuration error: {e}"))?;
        let config: Config = figment.extract().map_err(|e| format!("configuration error: {e}"))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        let site = &self.site;
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(format!("bind must be an address like 127.0.0.1:3000 (got {:?})", self.bind));
        }
        let positive = [
            ("lockout_threshold", site.lockout_threshold),
            ("lockout_minutes", site.lockout_minutes),
            ("session_idle_minutes", site.session_idle_minutes),
            ("session_lifetime_minutes", site.session_lifetime_minutes),
            ("jwt_lifetime_minutes", site.jwt_lifetime_minutes),
            ("jwt_max_lifetime_days", site.jwt_max_lifetime_days),
            ("login_rate_limit", site.login_rate_limit),
            ("email_link_hours", site.email_link_hours),
            ("invitation_daily_cap", site.invitation_daily_cap),
            ("alias_token_hours", site.alias_token_hours),
            ("max_upload_mb", site.max_upload_mb),
            ("mail_max_attempts", self.mail_max_attempts),
            ("mail_retry_seconds", self.mail_retry_seconds.min(i64::MAX as u64) as i64),
        ];
        if !(0..=36_500).contains(&site.inactive_days) {
            return Err(format!("inactive_days must be 0 (never) to 36500 (got {})", site.inactive_days));
        }
        if !(1..=1_440).contains(&site.reauth_window_minutes) {
            return Err(format!("reauth_window_minutes must be 1 to 1440 (got {})", site.reauth_window_minutes));
        }
        if !(0..=36_500).contains(&site.password_expiry_days) {
            return Err(format!("password_expiry_days must be 0 (never) to 36500 (got {})", site.password_expiry_days));
        }
        if !(site.audit_retention_days == 0 || (30..=36_500).contains(&site.audit_retention_days)) {
            return Err(format!("audit_retention_days must be 0 (keep forever) or 30 to 36500 (got {})", site.audit_retention_days));
        }
        if let Some((key, _)) = positive.iter().find(|(_, v)| *v < 1) {
            return Err(format!("{key} must be at least 1"));
        }
        if site.min_free_disk_mb < 0 {
            return Err("min_free_disk_mb must be 0 or more".into());
        }
        if !(1..=PASSWORD_MAX_LENGTH).contains(&site.password_min_length) {
            return Err(format!("password_min_length must be between 1 and {PASSWORD_MAX_LENGTH}"));
        }
        self.trusted_proxies()?;
        if let Some(url) = &site.external_auth_url {
            let parsed = url::Url::parse(url).map_err(|e| format!("external_auth_url must be a URL ({e})"))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err("external_auth_url must start with https:// (or http:// on a trusted network)".into());
            }
        }
        for (key, secret) in [("jwt_secret", &self.jwt_secret), ("secret_key", &self.secret_key)] {
            let short_secret = secret.as_ref().is_some_and(|s| s.len() < MIN_SECRET_BYTES);
            if short_secret && !self.dev_mode {
                return Err(format!("{key} must be at least {MIN_SECRET_BYTES} bytes (or leave it unset to have one generated)"));
            }
        }
        Ok(())
    }

    /// The folder feature definitions are read from.
    pub fn features_dir(&self) -> std::path::PathBuf {
        if let Some(dir) = &self.features_dir {
            return dir.into();
        }
        let file = backup::sqlite_file(&self.database_url);
        match file.as_deref().and_then(std::path::Path::parent) {
            Some(parent) => parent.join("features"),
            None => "features".into(),
        }
    }

    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.bind)).trim_end_matches('/').to_string()
    }

    /// The parsed `trusted_proxies`.
    pub fn trusted_proxies(&self) -> Result<TrustedProxies, String> {
        TrustedProxies::parse(&self.trusted_proxies)
    }

    pub fn is_https(&self) -> bool {
        self.public_url().starts_with("https://")
    }

    /// The settings as the site uses them: the configured ones, with the
    /// public URL and whether mail goes out worked out from the rest.
    pub fn settings(&self) -> SiteSettings {
        SiteSettings { public_url: self.public_url(), smtp_configured: self.mail_delivery().is_some(), ..self.site.clone() }
    }

    /// How outgoing mail is delivered, when an SMTP server is configured.
    pub fn mail_delivery(&self) -> Option<MailDelivery> {
        let retry_base = std::time::Duration::from_secs(self.mail_retry_seconds);
        self.smtp_url.clone().filter(|u| !u.trim().is_empty()).map(|smtp_url| MailDelivery {
            smtp_url,
            from: self.mail_from.clone(),
            retry_base,
            retry_cap: std::time::Duration::from_secs(3600).max(retry_base),
            max_attempts: self.mail_max_attempts,
            poll_every: retry_base.min(std::time::Duration::from_secs(5)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_defaults_file_env() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "gatehouse.toml",
                r#"
                    lockout_threshold = 7
                    lockout_minutes = 30
                    bind = "127.0.0.1:4000"
                    admin_password = "from-the-file"
                "#,
            )?;
            let path = jail.directory().join("gatehouse.toml");
            let from_file = Config::load(Some(&path)).map_err(|e| e.to_string())?;
            assert_eq!(from_file.site.lockout_threshold, 7);
            assert_eq!(from_file.bind, "127.0.0.1:4000");
            assert_eq!(from_file.site.session_idle_minutes, Config::default().site.session_idle_minutes);

            jail.set_env("GATEHOUSE_LOCKOUT_THRESHOLD", "3");
            jail.set_env("GATEHOUSE_ADMIN_PASSWORD", "12345678");
            jail.set_env("DATABASE_URL", "postgres://db/from-env");
            let with_env = Config::load(Some(&path)).map_err(|e| e.to_string())?;
            assert_eq!(with_env.site.lockout_threshold, 3, "env beats file");
            assert_eq!(with_env.site.lockout_minutes, 30, "file beats default");
            assert_eq!(with_env.admin_password.as_deref(), Some("12345678"), "digits stay a string");
            assert_eq!(with_env.database_url, "postgres://db/from-env");

            jail.set_env("GATEHOUSE_DATABASE_URL", "sqlite://x.db");
            assert_eq!(Config::load(Some(&path)).map_err(|e| e.to_string())?.database_url, "sqlite://x.db");
            Ok(())
        });
    }

    #[test]
    fn defaults_and_refusals() {
        figment::Jail::expect_with(|jail| {
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config, Config::default());
            assert_eq!(config.public_url(), "http://127.0.0.1:3000");
            assert!(!config.is_https());
            assert!(Config::load(Some(Path::new("/nonexistent/gatehouse.toml"))).is_err());
            jail.set_env("GATEHOUSE_LOCKOUT_THRESHOLD", "0");
            assert!(Config::load(None).unwrap_err().contains("lockout_threshold"));
            jail.set_env("GATEHOUSE_LOCKOUT_THRESHOLD", "five");
            assert!(Config::load(None).is_err());
            jail.set_env("GATEHOUSE_LOCKOUT_THRESHOLD", "5");
            jail.set_env("GATEHOUSE_JWT_SECRET", "too-short");
            assert!(Config::load(None).unwrap_err().contains("jwt_secret"));
            jail.set_env("GATEHOUSE_JWT_SECRET", "a-secret-that-is-long-enough-0123456789");
            jail.set_env("GATEHOUSE_TRUSTED_PROXIES", "10.0.0.0/8, ::1");
            assert_eq!(Config::load(None).map_err(|e| e.to_string())?.trusted_proxies, ["10.0.0.0/8", "::1"]);
            jail.set_env("GATEHOUSE_TRUSTED_PROXIES", "10.0.0.0/33");
            assert!(Config::load(None).unwrap_err().contains("trusted_proxies"));
            jail.set_env("GATEHOUSE_TRUSTED_PROXIES", "");
            jail.set_env("GATEHOUSE_JWT_SECRET", "too-short");
            jail.set_env("GATEHOUSE_DEV_MODE", "true");
            assert!(Config::load(None).is_ok(), "development mode allows a short secret");
            Ok(())
        });
    }

    /// The keys (and so the environment variables and `--help`) are what
    /// existing files and deployments use: never rename one.
    #[test]
    fn the_keys_are_what_they_were() {
        let keys = "database_url bind public_url trusted_proxies site_root admin_username admin_password admin_email \
            lockout_threshold lockout_minutes session_idle_minutes session_lifetime_minutes password_min_length jwt_secret \
            jwt_lifetime_minutes jwt_max_lifetime_days secret_key alias_token_hours allow_non_expiring_tokens \
            audit_retention_days inactive_days reauth_window_minutes external_auth_url external_auth_admin_role metrics_token password_expiry_days \
            storage_limiter login_rate_limit site_name require_login data_dir features_dir max_upload_mb min_free_disk_mb \
            registration_open require_email_verification require_admin_approval notify_admins owners_may_invite_new_people \
            email_link_hours invitation_daily_cap smtp_url mail_from mail_retry_seconds mail_max_attempts dev_mode \
            log_format log_level";
        let listed: Vec<&str> = KEYS.iter().map(|(key, _)| *key).collect();
        assert_eq!(listed.join(" "), keys.split_whitespace().collect::<Vec<_>>().join(" "), "--help's order");
        let mut expected: Vec<&str> = keys.split_whitespace().collect();
        expected.sort();
        let defaults = serde_json::to_value(Config::default()).unwrap();
        let fields: Vec<&str> = defaults.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(fields, expected, "the keys read from a file and GATEHOUSE_* variables");
    }

    #[test]
    fn help_lists_every_key() {
        let help = keys_help();
        let fields = serde_json::to_value(Config::default()).unwrap();
        for key in fields.as_object().unwrap().keys() {
            assert!(help.contains(&format!("GATEHOUSE_{}", key.to_uppercase())), "{key} missing from --help");
        }
    }
}
