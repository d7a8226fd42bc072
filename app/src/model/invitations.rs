//! Project invitations: as owners list them, as the link's holder sees
//! one, and the form that signs up from one.

use crate::model::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    Open,
    Accepted,
    Expired,
    Revoked,
}

/// An invitation as the project's owners see it (never its token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationInfo {
    pub id: i64,
    pub email: String,
    pub role: ProjectRole,
    pub invited_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub status: InvitationStatus,
    pub accepted_by: Option<String>,
}

/// What the invitation page shows the person holding the link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub project_slug: String,
    pub project_name: String,
    pub role: ProjectRole,
    pub email: String,
    pub invited_by: String,
    pub expires_at: i64,
    /// The link may create an account (otherwise only an existing account
    /// can accept it: registration is closed to this invitation).
    #[serde(default)]
    pub creates_account: bool,
}

/// The form that creates an account from an invitation link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationSignUp {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub confirm: String,
}
