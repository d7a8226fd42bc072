//! The home page's "what needs me": the caller's projects, requests and
//! invitations, what waits on the projects they own, and for admins what
//! waits on the site.

use crate::model::{AccessRequestInfo, ProjectRole};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeSummary {
    /// The first few projects the caller is in, owned ones first.
    pub projects: Vec<MyProject>,
    /// How many projects the caller is in, in all.
    pub project_count: i64,
    /// The caller's pending requests and those decided in the last 30 days.
    pub requests: Vec<AccessRequestInfo>,
    /// Open invitations sent to the caller's address.
    pub invitations: Vec<WaitingInvitation>,
    /// Projects the caller owns with access requests waiting.
    pub waiting_on_me: Vec<ProjectWaiting>,
    /// What waits on the site's admins; `None` for everyone else.
    pub admin: Option<AdminAttention>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyProject {
    pub slug: String,
    pub name: String,
    pub role: ProjectRole,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingInvitation {
    pub id: i64,
    pub project_slug: String,
    pub project_name: String,
    pub role: ProjectRole,
    pub invited_by: String,
    pub expires_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectWaiting {
    pub slug: String,
    pub name: String,
    pub pending: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminAttention {
    pub awaiting_approval: i64,
    pub locked: i64,
    /// Email not yet delivered: still being retried, and given up on.
    pub outbox_pending: i64,
    pub outbox_failed: i64,
}
