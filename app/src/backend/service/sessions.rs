//! Seeing and revoking browser sessions (SPEC §4): admins see and end
//! anyone's; every user sees and ends their own. A revoked session fails on
//! its next request, on every instance (the row is gone).

use crate::backend::auth::{login, Credential, Principal};
use crate::backend::auth::credentials::tokens;
use crate::backend::auth::login::ClientInfo;
use crate::backend::policy::{authorize, Action};
use crate::backend::service::settings;
use crate::backend::service::users::find_user;
use crate::backend::store::sessions::{self, LiveSession};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::service::audit::{self, AuditAction, Target};
use crate::backend::store::audit::NewEvent;
use crate::backend::store::users;
use crate::backend::{internal, policy, AppState};
use serde_json::json;
use crate::model::*;

async fn live(state: &AppState, user_id: Option<i64>) -> Result<Vec<LiveSession>, AppError> {
    let now = now_ms();
    let idle_since = now - settings::current(state).await?.session_idle_minutes * MINUTE_MS;
    Ok(sessions::list_live(&state.db, now, idle_since, user_id).await?)
}

fn info(caller: &Principal, s: LiveSession) -> SessionInfo {
    SessionInfo {
        this_device: caller.session_key.as_deref() == Some(s.id_hash.as_str()),
        id: s.public_id,
        username: s.username,
        created: iso8601(s.created_at),
        last_seen: iso8601(s.last_seen_at),
        ip: s.ip,
        user_agent: s.user_agent,
    }
}

/// The caller and the user id whose sessions they asked for (`username`
/// None: their own), as policy allows.
async fn target_user<'p>(state: &AppState, principal: Option<&'p Principal>, username: Option<&str>) -> Result<(&'p Principal, i64), AppError> {
    match (policy::authorize_sessions_of(principal, username)?, username) {
        ((caller, false), Some(name)) => Ok((caller, find_user(state, name).await?.id)),
        ((caller, _), _) => Ok((caller, caller.user_id)),
    }
}

/// Sessions of one user (`None`: the caller), or of everyone (`all`, admins).
pub async fn list(state: &AppState, principal: Option<&Principal>, username: Option<&str>, all: bool) -> Result<Vec<SessionInfo>, AppError> {
    let (caller, user_id) = if all {
        (authorize(principal, Action::Administer)?, None)
    } else {
        let (caller, user_id) = target_user(state, principal, username).await?;
        (caller, Some(user_id))
    };
    Ok(live(state, user_id).await?.into_iter().map(|s| info(caller, s)).collect())
}

/// Ends sessions by public id: any for admins, only their own for others.
/// Returns the ids that were ended.
pub async fn revoke(state: &AppState, principal: Option<&Principal>, ids: &[String]) -> Result<Vec<String>, AppError> {
    let caller = authorize(principal, Action::ViewOwnAccount)?;
    let only_user = policy::session_revoke_scope(caller);
    Ok(sessions::delete_by_public_ids(&state.db, ids, only_user, revoked_by(caller)).await?)
}

/// Ends every session of `username` (the caller's own: all but this one).
pub async fn revoke_user(state: &AppState, principal: Option<&Principal>, username: Option<&str>) -> Result<Vec<String>, AppError> {
    let (caller, user_id) = target_user(state, principal, username).await?;
    let ids: Vec<String> = live(state, Some(user_id))
        .await?
        .into_iter()
        .filter(|s| username.is_some() || caller.session_key.as_deref() != Some(s.id_hash.as_str()))
        .map(|s| s.public_id)
        .collect();
    Ok(sessions::delete_by_public_ids(&state.db, &ids, Some(user_id), revoked_by(caller)).await?)
}

/// The audit event for `caller` ending a session of (owner id, owner's username).
fn revoked_by(caller: &Principal) -> impl Fn(i64, &str, &str) -> NewEvent + '_ {
    move |owner, username, public_id| {
        let by = if owner == caller.user_id { "owner" } else { "admin" };
        audit::event(caller.into(), AuditAction::SessionRevoked, Target::user(owner, username), json!({"session": public_id, "by": by}))
    }
}

/// Signs out: deletes the server-side session (so a copied cookie dies too).
pub async fn sign_out(principal: Option<&Principal>, session: &tower_sessions::Session, state: &AppState) -> Result<(), AppError> {
    session.flush().await.map_err(internal)?;
    if let Some(p) = principal {
        let event = audit::event(p.into(), AuditAction::SignOut, Target::user(p.user_id, &p.username), json!({}));
        audit::record(state, &event).await?;
    }
    Ok(())
}

/// XNAT's `/data/JSESSION`: for a caller who came with a credential
/// (an `Authorization` header), opens a browser-style session and returns
/// its cookie value, which only that caller receives. A caller who came
/// with a session cookie gets that session's id back and nothing changes:
/// a GET must not renew a session (a stolen cookie would never expire).
pub async fn open_for_caller(
    state: &AppState,
    principal: Option<&Principal>,
    session: &tower_sessions::Session,
    client: &ClientInfo,
) -> Result<String, AppError> {
    let caller = authorize(principal, Action::ViewOwnAccount)?;
    if caller.session_key.is_some() {
        if let Some(id) = session.id() {
            return Ok(id.to_string());
        }
    }
    let user = users::find_by_id(&state.db, caller.user_id)
        .await?
        .ok_or_else(policy::sign_in_required)?;
    login::start_session(state, session, &user, client).await?;
    // HTTP Basic with the password proves the sign-in; a JWT or a token does not.
    if caller.credential == Credential::Password {
        login::mark_proven(session).await?;
    }
    tokens::bind_session(state, session, caller.credential).await?;
    session.save().await.map_err(internal)?;
    session.id().map(|id| id.to_string()).ok_or_else(|| internal("session has no id after save"))
}
