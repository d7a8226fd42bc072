//! Access requests to a project, as its owners and its requester see them.

use crate::model::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    Pending,
    Approved,
    Denied,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Denied => "denied",
        }
    }

    pub fn parse(text: &str) -> RequestStatus {
        match text {
            "approved" => RequestStatus::Approved,
            "denied" => RequestStatus::Denied,
            _ => RequestStatus::Pending,
        }
    }
}

/// An access request, as its project's owners and its requester see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequestInfo {
    pub id: i64,
    pub project_slug: String,
    pub project_name: String,
    pub username: String,
    pub display_name: Option<String>,
    pub message: String,
    pub status: RequestStatus,
    pub role: Option<ProjectRole>,
    pub reason: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}
