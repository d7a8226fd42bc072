//! The home page's summary: what needs the caller. Every figure is an
//! index range over the caller's own rows or a partial index, so the page
//! costs the same at 100,000 users as at 100.

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, Action};
use crate::backend::service::access_requests;
use crate::backend::store::users::sign_in_counters;
use crate::backend::store::{outbox, project_requests, projects, users};
use crate::backend::time::{now_ms, DAY_MS};
use crate::backend::AppState;
use crate::model::*;

/// How many of each list the page shows; each list links to the whole.
const SHOWN: i64 = 8;
/// A decided request stays on the home page this long.
const DECIDED_SHOWN_FOR_MS: i64 = 30 * DAY_MS;

pub async fn summary(state: &AppState, principal: Option<&Principal>) -> Result<HomeSummary, AppError> {
    let p = authorize(principal, Action::UseSite)?;
    let now = now_ms();
    let (rows, project_count) = projects::memberships_of(&state.db, p.user_id, SHOWN).await?;
    let projects = rows
        .into_iter()
        .filter_map(|(slug, name, role)| Some(MyProject { role: ProjectRole::parse(&role, "")?, slug, name }))
        .collect();
    let requests = access_requests::mine(state, principal)
        .await?
        .into_iter()
        .filter(|r| r.status == RequestStatus::Pending || r.decided_at.is_some_and(|at| at > now - DECIDED_SHOWN_FOR_MS))
        .take(SHOWN as usize)
        .collect();
    let waiting_on_me = project_requests::pending_on_owned_projects(&state.db, p.user_id, SHOWN)
        .await?
        .into_iter()
        .map(|(slug, name, pending)| ProjectWaiting { slug, name, pending })
        .collect();
    let admin = match authorize(principal, Action::Administer) {
        Ok(_) => Some(admin_attention(state, now).await?),
        Err(_) => None,
    };
    Ok(HomeSummary { projects, project_count, requests, invitations: invitations_for(state, p, now).await?, waiting_on_me, admin })
}

/// Open invitations to the caller's address, when its mailbox proved it:
/// the address is what an invitation names, so it proves the invitee as
/// the emailed link does.
async fn invitations_for(state: &AppState, p: &Principal, now: i64) -> Result<Vec<WaitingInvitation>, AppError> {
    let Some(email) = proven_email(state, p).await? else {
        return Ok(Vec::new());
    };
    let rows = project_requests::open_invitations_to(&state.db, email, now, SHOWN).await?;
    Ok(rows
        .into_iter()
        .map(|r| WaitingInvitation {
            id: r.id,
            role: ProjectRole::parse(&r.role, "").unwrap_or(ProjectRole::Collaborator),
            project_slug: r.project_slug,
            project_name: r.project_name,
            invited_by: r.invited_by,
            expires_at: r.expires_at,
        })
        .collect())
}

/// The caller's email address, as this request read it with the account,
/// when its mailbox proved it: a verification, email-change or invitation
/// link was followed, or an admin set it. An address typed at `/register`
/// while verification was off (`users.email_unproven`) proves nothing.
pub async fn proven_email<'p>(state: &AppState, p: &'p Principal) -> Result<Option<&'p str>, AppError> {
    match p.email.as_deref() {
        Some(email) if !users::email_unproven(&state.db, p.user_id).await? => Ok(Some(email)),
        _ => Ok(None),
    }
}

async fn admin_attention(state: &AppState, now: i64) -> Result<AdminAttention, AppError> {
    let (locked, awaiting_approval) = sign_in_counters::count_locked_and_awaiting(&state.db, now).await?;
    let (outbox_pending, outbox_failed) = outbox::pending_and_failed(&state.db).await?;
    Ok(AdminAttention { awaiting_approval, locked, outbox_pending, outbox_failed })
}
