//! Storage quotas: a user's quota and the bytes their files use, as
//! `GET /users/storage` and My account's "My storage" show them.

use serde::{Deserialize, Serialize};

/// `GET /users/storage`: quota in bytes (`None` = unlimited) and bytes used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StorageInfo {
    pub total: Option<i64>,
    pub used: i64,
}
