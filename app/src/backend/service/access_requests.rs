//! Access requests (SPEC §3): a signed-in user asks for a role in a
//! protected project; its owners are emailed, and approve with a role or
//! deny with an optional reason; the requester is emailed the outcome and
//! sees it under My projects.

use crate::backend::auth::{rate_limit, Principal};
use crate::backend::policy::{authorize, Action, ProjectAction};
use crate::backend::service::mail::{self, Outgoing};
use crate::backend::service::audit::{self, Actor, AuditAction, Target};
use crate::backend::service::features;
use crate::backend::service::project_access::{load, REQUEST_ACCESS};
use crate::backend::store::project_requests::{self as store, RequestRow};
use crate::backend::store::projects;
use crate::backend::time::now_ms;
use crate::backend::AppState;
use crate::model::*;
use serde_json::json;

pub const ALREADY_PENDING: &str = "You already have a pending request for this project";
pub const ALREADY_DECIDED: &str = "This request was already decided";

pub fn info(r: RequestRow) -> AccessRequestInfo {
    AccessRequestInfo {
        id: r.id,
        project_slug: r.project_slug,
        project_name: r.project_name,
        username: r.username,
        display_name: r.display_name,
        message: r.message,
        status: RequestStatus::parse(&r.status),
        role: r.role.as_deref().and_then(|role| ProjectRole::parse(role, "")),
        reason: r.reason,
        created_at: r.created_at,
        decided_at: r.decided_at,
    }
}

fn optional_text(text: Option<&str>, field: &str, max: usize) -> Result<Option<String>, AppError> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.chars().count() > max) {
        return Err(AppError::validation(field, format!("Keep it under {max} characters")));
    }
    Ok(text.map(str::to_string))
}

/// Files a request for a role in `slug` and emails its owners.
pub async fn request(state: &AppState, principal: Option<&Principal>, slug: &str, message: Option<&str>) -> Result<(), AppError> {
    let p = authorize(principal, Action::UseSite)?;
    let project = load(state, principal, slug, ProjectAction::RequestAccess).await?;
    features::require(state, principal, Some(&project), REQUEST_ACCESS).await?;
    let message = optional_text(message, "message", 1000)?.unwrap_or_default();
    rate_limit::spend_mail(state, &format!("mail:user:{}", p.user_id), "You asked for too many emails").await?;
    let event = audit::event(p.into(), AuditAction::AccessRequested, Target::project(project.id(), &project.row.slug), json!({"message": message}));
    if store::insert_request(&state.db, project.id(), p.user_id, &message, now_ms(), &event).await?.is_none() {
        return Err(AppError::Conflict(ALREADY_PENDING.into()));
    }
    let who = match &p.display_name {
        Some(name) => format!("{name} ({})", p.username),
        None => p.username.clone(),
    };
    let said = match message.is_empty() {
        true => String::new(),
        false => format!("\nTheir message:\n\n{message}\n"),
    };
    let body = format!(
        "{who} asks for access to your project {} ({}).\n{said}\nApprove or deny the request on the project's Users tab:\n{}\n",
        project.row.name,
        project.row.slug,
        mail::link(state, &format!("/projects/{}/users", project.row.slug)),
    );
    for to in projects::owner_emails(&state.db, project.id()).await? {
        let subject = format!("Access request for {}", project.row.slug);
        mail::queue(state, Outgoing { to, subject, body: body.clone() }).await?;
    }
    Ok(())
}

/// Approves (with `role`) or denies (with an optional reason) a pending
/// request of `slug`, and emails the requester. Approval never lowers the
/// group of someone already in the project (an owner stays an owner).
pub async fn decide(
    state: &AppState,
    principal: Option<&Principal>,
    slug: &str,
    request_id: i64,
    approve_as: Option<ProjectRole>,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let project = load(state, principal, slug, ProjectAction::Manage).await?;
    let actor = principal.map_or("", |p| p.username.as_str());
    let request = store::find_request(&state.db, request_id)
        .await?
        .filter(|r| r.project_id == project.id())
        .ok_or_else(|| AppError::NotFound(format!("No such request: {request_id}")))?;
    if request.status != "pending" {
        return Err(AppError::Conflict(ALREADY_DECIDED.into()));
    }
    let reason = optional_text(reason, "reason", 1000)?;
    let now = now_ms();
    let outcome = match approve_as {
        Some(asked) => {
            let details = json!({"request": request.id, "user": request.username, "role": asked.as_str()});
            let event = audit::event(Actor::of(principal), AuditAction::AccessApproved, Target::project(project.id(), &project.row.slug), details);
            let now_in = store::approve(&state.db, &request, asked.as_str(), actor, now, &event).await?;
            let role = now_in.and_then(|r| ProjectRole::parse(&r, "")).ok_or_else(|| AppError::Conflict(ALREADY_DECIDED.into()))?;
            format!("was approved: you are now in its {} group.\n\nOpen it here:\n{}", role.group(), mail::link(state, &format!("/projects/{}", project.row.slug)))
        }
        None => {
            let details = json!({"request": request.id, "user": request.username, "reason": reason});
            let event = audit::event(Actor::of(principal), AuditAction::AccessDenied, Target::project(project.id(), &project.row.slug), details);
            if !store::deny(&state.db, request_id, reason.as_deref(), actor, now, &event).await? {
                return Err(AppError::Conflict(ALREADY_DECIDED.into()));
            }
            match &reason {
                Some(reason) => format!("was declined. The owner said:\n\n{reason}"),
                None => "was declined.".to_string(),
            }
        }
    };
    if let Some(to) = request.email {
        let subject = format!("Your access request for {}", project.row.slug);
        let body = format!("Your request for access to the project {} ({}) {outcome}\n", project.row.name, project.row.slug);
        mail::queue(state, Outgoing { to, subject, body }).await?;
    }
    Ok(())
}

/// The caller's requests, newest first (My projects); a guest has none.
pub async fn mine(state: &AppState, principal: Option<&Principal>) -> Result<Vec<AccessRequestInfo>, AppError> {
    if principal.is_none() {
        return Ok(Vec::new());
    }
    let p = authorize(principal, Action::UseSite)?;
    Ok(store::for_user(&state.db, p.user_id).await?.into_iter().map(info).collect())
}
