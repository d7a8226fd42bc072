//! Browser sessions as the session pages and the XNAT paths show them. A
//! session is named by its public id; no page or response shows a cookie.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: String,
    pub username: String,
    pub created: String,
    pub last_seen: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session this request came with.
    pub this_device: bool,
}
