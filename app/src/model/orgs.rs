//! The registry's organization object: a project as `/orgs` shows it.

use crate::model::*;
use crate::model::iso8601;
use serde::{Deserialize, Serialize};

/// The registry's organization object (CONTRACTS §2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Org {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub owner: Option<String>,
    pub is_public: bool,
    pub accessibility: Accessibility,
    pub creation_date: String,
}

impl From<&ProjectSummary> for Org {
    fn from(p: &ProjectSummary) -> Org {
        Org {
            slug: p.slug.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            owner: p.owner.clone(),
            is_public: p.accessibility == Accessibility::Public,
            accessibility: p.accessibility,
            creation_date: iso8601(p.created_at),
        }
    }
}
