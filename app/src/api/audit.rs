//! Server functions for the audit log: Admin → Audit log, and each user's
//! My account → Security activity.

use crate::model::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::service::audit;

#[server(endpoint = "admin/audit")]
pub async fn audit_log(query: AuditQuery) -> Result<AuditPage, AppError> {
    use super::door::*;
    respond(audit::list(&state()?, principal().await.as_ref(), &query).await)
}

#[server(endpoint = "account/activity")]
pub async fn security_activity(after: Option<String>) -> Result<AuditPage, AppError> {
    use super::door::*;
    respond(audit::my_activity(&state()?, principal().await.as_ref(), after).await)
}
