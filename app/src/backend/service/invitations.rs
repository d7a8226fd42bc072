//! Invitations (SPEC §2, §3): an owner invites an email address with a
//! role; the emailed link lets its holder join at once — signed in, or by
//! creating an account on the spot. The link proves the address (no
//! verification step), but the registration policy holds: while
//! registration is closed only an admin's invitation creates an account,
//! unless the site lets owners invite new people; and a new account waits
//! for an admin's approval when the site requires it (its membership is
//! kept: it counts once the account is approved). From the home page an
//! account accepts only invitations to an address its mailbox proved.
//! Links are single-use, expire after `INVITATION_DAYS`, can be revoked,
//! and are stored hashed.

use crate::backend::auth::secrets::{random_hex, sha256_hex};
use crate::backend::auth::{external, Principal};
use crate::backend::policy::{authorize, invitation_creates_account, Action, ProjectAction};
use crate::backend::service::mail::{self, Outgoing};
use crate::backend::service::audit::{self, Actor, AuditAction, Target};
use crate::backend::service::{features, registration, settings};
use crate::backend::service::project_access::{load, INVITE_MEMBERS};
use crate::backend::service::home::proven_email;
use crate::backend::auth::rate_limit;
use crate::backend::store::project_requests::{self as store, Capped, InvitationRow, NewInvitation};
use crate::backend::store::users;
use crate::backend::store::audit::NewEvent;
use crate::backend::time::now_ms;
use crate::backend::AppState;
use serde_json::json;
use crate::model::*;

pub const INVITATION_DAYS: i64 = 14;
/// The window of the per-inviter daily cap (`invitation_daily_cap`).
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
pub const INVALID_INVITATION: &str = "This invitation link is not valid: it was used, revoked or has expired. Ask the project's owner for a new one";

fn status_of(row: &InvitationRow) -> InvitationStatus {
    if row.accepted_at.is_some() {
        InvitationStatus::Accepted
    } else if row.revoked_at.is_some() {
        InvitationStatus::Revoked
    } else if row.expires_at <= now_ms() {
        InvitationStatus::Expired
    } else {
        InvitationStatus::Open
    }
}

pub fn info(row: InvitationRow) -> InvitationInfo {
    let status = status_of(&row);
    InvitationInfo {
        id: row.id,
        email: row.email,
        role: ProjectRole::parse(&row.role, "").unwrap_or(ProjectRole::Collaborator),
        invited_by: row.invited_by,
        created_at: row.created_at,
        expires_at: row.expires_at,
        status,
        accepted_by: row.accepted_by,
    }
}

/// Invites `email` into `slug` with `role` and emails the link (owners and
/// admins). Counted before anything is stored: at most
/// [`rate_limit::MAIL_REQUESTS_PER_MINUTE`] a minute per inviter and per
/// address, and `invitation_daily_cap` per inviter in 24 hours (429).
pub async fn invite(
    state: &AppState,
    principal: Option<&Principal>,
    slug: &str,
    email: &str,
    role: ProjectRole,
) -> Result<(), AppError> {
    let project = load(state, principal, slug, ProjectAction::Manage).await?;
    features::require(state, principal, Some(&project), INVITE_MEMBERS).await?;
    let inviter = principal.map_or("", |p| p.username.as_str());
    let email = email.trim();
    if email.is_empty() {
        return Err(AppError::validation("email", "Email is required"));
    }
    check_email(email, "email")?;
    let inviter_id = principal.map_or(0, |p| p.user_id);
    let by_admin = principal.is_some_and(Principal::is_admin);
    rate_limit::spend_mail(state, &format!("mail:user:{inviter_id}"), "You sent too many invitations").await?;
    rate_limit::spend_mail(state, &format!("mail:to:{}", email.to_lowercase()), "Too many emails went to this address").await?;
    let token = random_hex(32);
    let now = now_ms();
    let expires_at = now + INVITATION_DAYS * 24 * 60 * 60 * 1000;
    let row = NewInvitation {
        project: project.id(),
        email,
        role: role.as_str(),
        token_hash: &sha256_hex(&token),
        invited_by: inviter,
        by_admin,
        now,
        expires_at,
    };
    let site = settings::current(state).await?;
    let cap = site.invitation_daily_cap;
    let details = json!({"email": email, "role": role.as_str()});
    let event = audit::event(Actor::of(principal), AuditAction::InvitationSent, Target::project(project.id(), &project.row.slug), details);
    if let Capped::Refused { retry_at } = store::insert_invitation_within_cap(&state.db, &row, inviter_id, cap, DAY_MS, &event).await? {
        let refusal = format!("You sent {cap} invitations in the last 24 hours, the most allowed");
        return Err(rate_limit::too_many(&refusal, retry_at - now));
    }
    let how = match invitation_creates_account(by_admin, site.registration_open, site.owners_may_invite_new_people) {
        true => "Open this link to join; if you have no account yet, you can create one there:",
        false => "Open this link and sign in to join (this site's accounts are made by its administrators):",
    };
    let body = format!(
        "{inviter} invites you to the project {} ({}) as one of its {}.\n\n\
         {how}\n{}\n\n\
         The link works once and expires in {INVITATION_DAYS} days.\n",
        project.row.name,
        project.row.slug,
        role.group(),
        mail::link(state, &format!("/invitations/{token}")),
    );
    let subject = format!("Invitation to {}", project.row.slug);
    mail::queue(state, Outgoing { to: email.to_string(), subject, body }).await
}

pub async fn revoke(state: &AppState, principal: Option<&Principal>, slug: &str, id: i64) -> Result<(), AppError> {
    let project = load(state, principal, slug, ProjectAction::Manage).await?;
    let details = json!({"invitation": id});
    let event = audit::event(Actor::of(principal), AuditAction::InvitationRevoked, Target::project(project.id(), &project.row.slug), details);
    if !store::revoke_invitation(&state.db, project.id(), id, now_ms(), &event).await? {
        return Err(AppError::NotFound("No open invitation with that id".into()));
    }
    Ok(())
}

fn accepted_event(actor: Actor<'_>, row: &InvitationRow, new_account: bool) -> NewEvent {
    let details = json!({"invitation": row.id, "email": row.email, "role": row.role, "new_account": new_account});
    audit::event(actor, AuditAction::InvitationAccepted, Target::project(row.project_id, &row.project_slug), details)
}

async fn open_invitation(state: &AppState, token: &str) -> Result<InvitationRow, AppError> {
    let row = store::find_invitation_by_hash(&state.db, &sha256_hex(token.trim())).await?;
    row.filter(|r| status_of(r) == InvitationStatus::Open).ok_or_else(|| AppError::NotFound(INVALID_INVITATION.into()))
}

/// Whether `row`'s link may create an account under the settings in force.
async fn creates_account(state: &AppState, row: &InvitationRow) -> Result<bool, AppError> {
    let site = settings::current(state).await?;
    Ok(invitation_creates_account(row.by_admin, site.registration_open, site.owners_may_invite_new_people))
}

pub const INVITATION_NEEDS_ACCOUNT: &str =
    "This invitation can be accepted only by signing in: registration is closed on this site. Ask an administrator to create an account for you.";

/// What the invitation page shows to whoever holds the link.
pub async fn preview(state: &AppState, token: &str) -> Result<InvitationPreview, AppError> {
    let row = open_invitation(state, token).await?;
    let creates_account = creates_account(state, &row).await?;
    Ok(InvitationPreview {
        creates_account,
        project_slug: row.project_slug,
        project_name: row.project_name,
        role: ProjectRole::parse(&row.role, "").unwrap_or(ProjectRole::Collaborator),
        email: row.email,
        invited_by: row.invited_by,
        expires_at: row.expires_at,
    })
}

/// The signed-in caller accepts the invitation.
pub async fn accept(state: &AppState, principal: Option<&Principal>, token: &str) -> Result<String, AppError> {
    let p = authorize(principal, Action::UseSite)?;
    join(state, p, open_invitation(state, token).await?).await
}

/// The signed-in caller accepts, from their home page, an open invitation
/// sent to their own address, when their mailbox proved that address
/// (`home::proven_email`), as the emailed link would. Any other id is "not
/// valid", alike.
pub async fn accept_mine(state: &AppState, principal: Option<&Principal>, id: i64) -> Result<String, AppError> {
    let p = authorize(principal, Action::UseSite)?;
    let email = proven_email(state, p).await?;
    let row = store::find_invitation(&state.db, id).await?.filter(|r| {
        status_of(r) == InvitationStatus::Open && email.is_some_and(|e| e.to_lowercase() == r.email.to_lowercase())
    });
    join(state, p, row.ok_or_else(|| AppError::NotFound(INVALID_INVITATION.into()))?).await
}

/// Spends `row` and puts `p` in its project; the project's slug.
async fn join(state: &AppState, p: &Principal, row: InvitationRow) -> Result<String, AppError> {
    let event = accepted_event(Actor::User(p), &row, false);
    if !store::accept_invitation(&state.db, &row, p.user_id, &p.username, now_ms(), &event).await? {
        return Err(AppError::NotFound(INVALID_INVITATION.into()));
    }
    Ok(row.project_slug)
}

/// Creates an account for the invited address (verified: the link proves
/// the address; approved unless the site requires an admin's approval)
/// and joins the project, spending the link in the same transaction:
/// however many use one link at once, one joins. Refused (403) while
/// registration is closed to this invitation ([`invitation_creates_account`]).
/// Returns the new user, for the door to sign in once approved, and the
/// project slug.
pub async fn accept_by_registering(
    state: &AppState,
    token: &str,
    form: &InvitationSignUp,
) -> Result<(users::UserRow, String), AppError> {
    external::refuse_local_management(state)?;
    let row = open_invitation(state, token).await?;
    if !creates_account(state, &row).await? {
        return Err(AppError::Forbidden(INVITATION_NEEDS_ACCOUNT.into()));
    }
    let site = settings::current(state).await?;
    let approved = !site.require_admin_approval;
    let username = form.username.trim();
    check_username(username, "username")?;
    let display_name = validate::display_name(&form.display_name, "display_name")?;
    settings::check_password(state, &form.password, "password").await?;
    if form.password != form.confirm {
        return Err(AppError::validation("confirm", "The two passwords differ"));
    }
    if users::find_by_username(&state.db, username).await?.is_some() {
        return Err(AppError::taken("username", validate::USERNAME_TAKEN));
    }
    if users::email_owner(&state.db, &row.email, 0).await?.is_some() {
        return Err(AppError::validation("email", "This address already has an account: sign in to accept"));
    }
    let hash = state.hasher.hash(&form.password).await?;
    let new = users::NewUser {
        username,
        display_name,
        email: Some(&row.email),
        password_hash: &hash,
        must_change_password: false,
        roles: &["user"],
    };
    let event = accepted_event(Actor::Named(0, username), &row, true);
    let id = store::accept_invitation_as_new_user(&state.db, &row, &new, approved, now_ms(), &event)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => AppError::taken("username", validate::USERNAME_TAKEN),
            _ => e.into(),
        })?
        .ok_or_else(|| AppError::NotFound(INVALID_INVITATION.into()))?;
    let user = users::find_by_id(&state.db, id).await?.ok_or_else(|| AppError::NotFound("No such user".into()))?;
    if site.notify_admins {
        registration::notify_admins(state, username, &row.email, approved).await?;
    }
    Ok((user, row.project_slug))
}
