//! `AppState`: what every door hands to the services.

use crate::backend::auth::credentials::at_rest::CredentialKeys;
use crate::backend::auth::jwt::JwtKeys;
use crate::backend::auth::password::PasswordHasher;
use crate::backend::auth::basic_cache::BasicCache;
use crate::backend::db::Db;
use crate::backend::ttl_cache::TtlCache;
use crate::backend::search_plan::SearchUpkeep;
use crate::backend::features::Catalog;
use std::sync::Arc;
use crate::model::{RoleInfo, SiteOverview, SiteStatistics};

/// Site-wide knobs from configuration (SPEC §3–§5).
#[derive(Clone, Debug)]
pub struct SiteSettings {
    pub lockout_threshold: i64,
    pub lockout_minutes: i64,
    pub session_idle_minutes: i64,
    pub session_lifetime_minutes: i64,
    pub password_min_length: usize,
    pub jwt_lifetime_minutes: i64,
    /// Days after its first issue that a refreshed JWT stops (no refresh past it).
    pub jwt_max_lifetime_days: i64,
    /// When on, metadata `maxStorageMB` is a user's storage quota.
    pub storage_limiter: bool,
    /// Failed password checks one client address may make per minute.
    pub login_rate_limit: i64,
    /// The site's name, as emails and pages show it.
    pub site_name: String,
    /// Where users reach the site, without a trailing slash; links in emails start with it.
    pub public_url: String,
    /// Off = anonymous visitors may browse and download public projects.
    pub require_login: bool,
    /// Folder where uploaded files are kept.
    pub data_dir: std::path::PathBuf,
    /// Largest single upload, in MB.
    pub max_upload_mb: i64,
    /// Uploads are refused while the data folder's file system has less free.
    pub min_free_disk_mb: i64,
    /// Anyone may create an account at `/register`.
    pub registration_open: bool,
    /// New accounts must follow an emailed link before they can sign in.
    pub require_email_verification: bool,
    /// New accounts wait for an admin's approval before they can sign in.
    pub require_admin_approval: bool,
    /// Admins get an email for each registration.
    pub notify_admins: bool,
    /// Project owners may invite addresses with no account while registration is closed.
    pub owners_may_invite_new_people: bool,
    /// How long emailed links (verification, reset, email change) work.
    pub email_link_hours: i64,
    /// True when an SMTP server is configured (otherwise mail waits in the outbox).
    pub smtp_configured: bool,
    /// Invitations one user may send in 24 hours.
    pub invitation_daily_cap: i64,
    /// How long an alias token works.
    pub alias_token_hours: i64,
    /// A personal access token may be made without an expiry.
    pub allow_non_expiring_tokens: bool,
    /// Days audit events are kept (0 = forever).
    pub audit_retention_days: i64,
    /// Days a password lasts (0 = forever); `non_expiring` users are exempt.
    pub password_expiry_days: i64,
    /// Accounts with no sign-in for this many days are disabled (0 = never).
    pub inactive_days: i64,
    /// Minutes a sign-in proven with the password (and second factor)
    /// counts as recent for sensitive actions (`policy::require_recent_sign_in`).
    pub reauth_window_minutes: i64,
    /// When set, passwords are checked by this provider and local account management is off.
    pub external_auth_url: Option<String>,
    /// The provider's role name that grants `admin` (`None`: the provider cannot make admins).
    pub external_auth_admin_role: Option<String>,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            lockout_threshold: 5,
            lockout_minutes: 15,
            session_idle_minutes: 120,
            session_lifetime_minutes: 12 * 60,
            password_min_length: 8,
            jwt_lifetime_minutes: 7 * 24 * 60,
            jwt_max_lifetime_days: 30,
            storage_limiter: false,
            login_rate_limit: 20,
            site_name: "Gatehouse".into(),
            public_url: "http://127.0.0.1:3000".into(),
            require_login: true,
            data_dir: "gatehouse-data".into(),
            max_upload_mb: 1024,
            min_free_disk_mb: 1024,
            registration_open: false,
            require_email_verification: true,
            require_admin_approval: true,
            notify_admins: true,
            owners_may_invite_new_people: false,
            email_link_hours: 48,
            smtp_configured: false,
            invitation_daily_cap: 50,
            alias_token_hours: 48,
            allow_non_expiring_tokens: true,
            audit_retention_days: 365,
            password_expiry_days: 0,
            inactive_days: 0,
            reauth_window_minutes: 10,
            external_auth_url: None,
            external_auth_admin_role: None,
        }
    }
}

/// Cloned for every request and by every layer of the router, so a clone
/// is one reference count: the parts live behind one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<SiteParts>);

impl std::ops::Deref for AppState {
    type Target = SiteParts;
    fn deref(&self) -> &SiteParts {
        &self.0
    }
}

/// What an [`AppState`] holds.
pub struct SiteParts {
    pub db: Db,
    pub hasher: PasswordHasher,
    pub settings: Arc<SiteSettings>,
    pub jwt: Arc<JwtKeys>,
    /// Keys for token hashes and service-key encryption.
    pub credential_keys: Arc<CredentialKeys>,
    pub basic_cache: Arc<BasicCache>,
    /// The settings as last read from the database (kept by the settings service).
    pub settings_cache: Arc<TtlCache<Arc<SiteSettings>>>,
    /// The Roles page's roles with holder counts (kept by the roles service).
    pub role_holders: Arc<TtlCache<Vec<RoleInfo>>>,
    /// The admin overview's figures (kept by the admin service).
    pub overview: Arc<TtlCache<SiteOverview>>,
    /// Admin → Statistics' site totals (kept by the statistics service).
    pub statistics: Arc<TtlCache<SiteStatistics>>,
    pub search_upkeep: Arc<SearchUpkeep>,
    /// The feature definitions (built in, plus the features folder's files).
    pub features: Arc<Catalog>,
}

impl AppState {
    /// `site_secret` protects stored credentials (`CredentialKeys`).
    pub fn new(db: Db, settings: SiteSettings, jwt_secret: &[u8], site_secret: &[u8]) -> Self {
        let jwt = JwtKeys::new(jwt_secret, settings.jwt_lifetime_minutes, settings.jwt_max_lifetime_days);
        AppState(Arc::new(SiteParts {
            db,
            hasher: PasswordHasher::new(),
            settings: Arc::new(settings),
            jwt: Arc::new(jwt),
            credential_keys: Arc::new(CredentialKeys::new(site_secret)),
            basic_cache: Arc::default(),
            settings_cache: Arc::default(),
            role_holders: Arc::default(),
            overview: Arc::default(),
            statistics: Arc::default(),
            search_upkeep: Arc::default(),
            features: Arc::default(),
        }))
    }

    /// Whether accounts come from an external provider (`external_auth_url`);
    /// local account management is then off.
    pub fn accounts_external(&self) -> bool {
        self.settings.external_auth_url.is_some()
    }

    /// The same state with `features` as its feature catalog (before it is shared).
    pub fn with_features(mut self, features: Catalog) -> Self {
        Arc::get_mut(&mut self.0).expect("features are set before the state is shared").features = Arc::new(features);
        self
    }
}
