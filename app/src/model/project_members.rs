//! A project's members and everything its Users tab shows.

use crate::model::*;
use serde::{Deserialize, Serialize};

/// One user in a project's groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectMember {
    pub user_id: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub role: ProjectRole,
    pub enabled: bool,
    pub since: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectPeople {
    pub members: Vec<ProjectMember>,
    pub requests: Vec<AccessRequestInfo>,
    pub invitations: Vec<InvitationInfo>,
}
