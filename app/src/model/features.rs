//! Feature permissions as the pages and the XNAT paths show them (SPEC §6).

use serde::{Deserialize, Serialize};

/// A feature definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureInfo {
    pub key: String,
    pub name: String,
    pub description: String,
    pub on_by_default: bool,
    /// The definition file it came from, or "built in (…)".
    pub source: String,
}

/// One group's rules in a scope. In a project, `inherited_*` are the
/// site-wide rules for the same group (and the site's bans), shown but
/// set on Admin → Features.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureGroup {
    pub id: String,
    pub display: String,
    pub is_role: bool,
    /// Keys enabled for the group.
    pub features: Vec<String>,
    /// Keys blocked for the group.
    pub blocked: Vec<String>,
    pub inherited_features: Vec<String>,
    pub inherited_banned: Vec<String>,
}

/// The site's (`id` = `_SITE_WIDE`) or one project's (`id` = its ID) rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureScope {
    pub id: String,
    /// Keys banned in this scope.
    pub banned: Vec<String>,
    pub on_by_default: Vec<String>,
    pub groups: Vec<FeatureGroup>,
    pub definitions: Vec<FeatureInfo>,
    /// In a project: the keys banned site-wide (set on Admin → Features).
    pub site_banned: Vec<String>,
}

/// One change: set `banned` (a ban or block) or `enabled` for `key` and
/// `group` (an XNAT group id: `_SITE_WIDE`, `Owners`, `role:<name>`, a
/// project ID, or `{ID}_member` and the like).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureChange {
    pub group: String,
    pub key: String,
    pub banned: Option<bool>,
    pub enabled: Option<bool>,
}

/// The effective answer for one (user, project, feature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FeatureCheck {
    pub allowed: bool,
    pub reason: String,
}
