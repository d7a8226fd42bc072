//! Credentials besides the password, as pages and REST show them (SPEC §4):
//! alias tokens (XNAT), personal access tokens and service keys. A secret
//! appears only in the answer that creates it; listings never carry one.

use serde::{Deserialize, Serialize};
use crate::model::AppError;

/// A newly issued alias token, in XNAT's shape. `secret` is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IssuedAliasToken {
    pub alias: String,
    pub secret: String,
    #[serde(rename = "xdatUserId")]
    pub xdat_user_id: i64,
    /// Unix milliseconds.
    #[serde(rename = "estimatedExpirationTime")]
    pub estimated_expiration_time: i64,
}

/// A live alias token in a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasTokenInfo {
    pub alias: String,
    pub username: String,
    pub created: String,
    pub expires: String,
    pub last_used: Option<String>,
}

/// `POST /api/tokens`. `expires_days`: 30, 90, 365, or none for a token
/// that does not expire (when the site allows it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewAccessToken {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub expires_days: Option<i64>,
}

/// The answer to creating an access token; `token` is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedAccessToken {
    pub id: i64,
    pub name: String,
    pub token: String,
    pub prefix: String,
    pub expires: Option<String>,
}

/// A live access token in a listing (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccessTokenInfo {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub username: String,
    pub created: String,
    pub expires: Option<String>,
    pub last_used: Option<String>,
    pub last_used_ip: Option<String>,
}

/// The lifetimes a new access token may have, in days (`None`: never expires).
pub const ACCESS_TOKEN_LIFETIMES: [Option<i64>; 4] = [Some(30), Some(90), Some(365), None];

/// Where a service key's value comes from for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ServiceKeySource {
    User,
    Site,
}

/// A service key as lists show it: never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ServiceKeyInfo {
    pub name: String,
    pub last4: String,
    pub set_by: String,
    pub updated: String,
    pub last_resolved: Option<String>,
    /// A site key's roles that may read it besides admins (none: admins only).
    #[serde(default)]
    pub readable_by: Vec<String>,
}

/// `GET /api/service-keys/{name}`: the value that counts for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResolvedServiceKey {
    pub name: String,
    pub value: String,
    pub source: ServiceKeySource,
}

/// `PUT /api/service-keys/{name}` and the admin's site-wide form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ServiceKeyValue {
    #[serde(default)]
    pub value: Option<String>,
    /// Site keys only: the roles besides admins that may read it; absent
    /// keeps the stored list (a new key: admins only).
    #[serde(default)]
    pub readable_by: Option<Vec<String>>,
}

/// My account → Service keys: my overrides, and the names the site provides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyServiceKeys {
    pub mine: Vec<ServiceKeyInfo>,
    pub site_names: Vec<String>,
}

/// A page of everyone's access tokens (Admin → API keys); `next` is the
/// cursor of the following page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccessTokenPage {
    pub items: Vec<AccessTokenInfo>,
    pub next: Option<String>,
}

impl NewAccessToken {
    /// From the account page's form, where the lifetime is a select's text:
    /// a number of days, or `never`.
    pub fn from_form(name: String, expires_days: &str) -> Result<NewAccessToken, AppError> {
        let expires_days = match expires_days.trim() {
            "" | "never" => None,
            days => Some(days.parse::<i64>().map_err(|_| AppError::validation("expires_days", "Choose how long the token lasts"))?),
        };
        Ok(NewAccessToken { name: Some(name), expires_days })
    }
}
