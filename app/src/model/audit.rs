//! The audit log as pages and REST show it (SPEC §7): filters, events, pages.

use serde::{Deserialize, Serialize};

/// `GET /api/audit` and the Admin → Audit log filters. Every field is
/// optional text, as typed: `from`/`to` are dates (`2026-12-01`), times
/// (`2026-12-01T10:00:00Z`) or Unix milliseconds; `to` is exclusive, and a
/// bare date means the whole day. `after` is the previous page's `next`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(default)]
pub struct AuditQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub q: Option<String>,
    pub after: Option<String>,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// ISO 8601 UTC.
    pub at: String,
    /// The username that acted, `anonymous` or `system`.
    pub actor: String,
    pub action: String,
    /// `user`, `project`, `setting`, `token`, `service_key`, `role`, `session`, … or empty.
    pub target_kind: String,
    pub target_id: String,
    /// The target as people know it (a username, a project id, a setting's name).
    pub target: String,
    /// The event's particulars, a JSON object.
    pub details: serde_json::Value,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The server's own id of the request that caused the event.
    pub request_id: Option<String>,
    /// The `X-Request-Id` the client sent, if any (the client chose it).
    pub client_request_id: Option<String>,
}

/// One page, newest first; `next` continues it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub next: Option<String>,
}

/// Every action name the log records, for filters (the backend's
/// `AuditAction` names, in the same order; a test keeps them equal).
pub const AUDIT_ACTIONS: &[&str] = &[
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "session_revoked",
    "password_changed",
    "token_created",
    "token_revoked",
    "service_key_set",
    "service_key_deleted",
    "service_key_read",
    "user_created",
    "user_updated",
    "user_enabled",
    "user_disabled",
    "user_deleted",
    "user_unlocked",
    "password_reset",
    "role_created",
    "role_deleted",
    "role_granted",
    "role_revoked",
    "project_created",
    "project_updated",
    "project_deleted",
    "member_added",
    "member_changed",
    "member_removed",
    "access_requested",
    "access_approved",
    "access_denied",
    "invitation_sent",
    "invitation_accepted",
    "invitation_revoked",
    "users_imported",
    "settings_changed",
    "audit_purged",
    "feature_changed",
    "totp_enabled",
    "totp_disabled",
    "recovery_codes_created",
    "recovery_code_used",
];

impl AuditQuery {
    /// The filters as URL query pairs (without the cursor).
    pub fn filter_pairs(&self) -> Vec<(&'static str, String)> {
        let value = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            ("from", value(&self.from)),
            ("to", value(&self.to)),
            ("actor", value(&self.actor)),
            ("action", value(&self.action)),
            ("target", value(&self.target)),
            ("ip", value(&self.ip)),
            ("q", value(&self.q)),
        ]
    }
}
