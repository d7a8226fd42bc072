//! `AppState`: what every door hands to the services.

use crate::backend::auth::basic_cache::BasicCache;
use crate::backend::auth::credentials::at_rest::CredentialKeys;
use crate::backend::features::Catalog;
use crate::model::{RoleInfo, SiteOverview, SiteStatistics};
use crate::backend::auth::jwt::JwtKeys;
use crate::backend::auth::password::PasswordHasher;
use crate::backend::db::Db;
use crate::backend::ttl_cache::TtlCache;
use crate::backend::search_plan::SearchUpkeep;
use std::sync::Arc;

pub use crate::backend::site_settings::SiteSettings;

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
