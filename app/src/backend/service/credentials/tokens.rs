//! Alias tokens and personal access tokens (SPEC §4): issuing, listing and
//! ending them. Checking one that a request presents is `auth::credentials::tokens`.
//!
//! Decisions:
//! - A token never makes, changes or ends credentials (`policy`): not another
//!   token, not a password, not a service key, not even itself. Sign in with
//!   the password (or use a JWT) for that.
//! - A user holds at most [`MAX_LIVE_TOKENS`] live tokens of each kind;
//!   dead ones (expired, or from before a password change) are deleted
//!   whenever the user is issued a new one, and never listed.
//! - Access token names are unique per user, so lists and scripts can tell
//!   them apart.

use crate::backend::auth::credentials::tokens::{new_access_token, new_alias, new_alias_secret};
use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, Action};
use crate::backend::service::audit::{self, AuditAction, Target};
use crate::backend::service::users::find_user;
use crate::backend::service::settings;
use crate::backend::store::credentials::tokens::{self, NewToken, NotStored, TokenKind, TokenRow};
use crate::backend::store::users::{self, UserRow};
use crate::backend::time::{now_ms, DAY_MS, HOUR_MS};
use crate::backend::{policy, AppState};
use crate::model::*;
use serde_json::json;

/// Live tokens of one kind a user may hold at once.
pub const MAX_LIVE_TOKENS: i64 = 100;

/// Rows per page of the admin's list of everyone's access tokens.
pub const ADMIN_PAGE: i64 = 100;

pub const INVALID_ALIAS: &str = "Invalid or expired token";

fn cap_reached(kind: &str) -> AppError {
    AppError::Conflict(format!("You already hold {MAX_LIVE_TOKENS} live {kind}: end some before making more"))
}

async fn stored(state: &AppState, caller: &Principal, holder: &UserRow, kind: TokenKind, new: &NewToken<'_>) -> Result<i64, AppError> {
    let details = json!({"kind": kind_name(kind), "name": new.label, "expires": new.expires_at.map(iso8601), "by": by(caller, holder.id)});
    let event = audit::event(caller.into(), AuditAction::TokenCreated, Target::user(holder.id, &holder.username), details);
    match tokens::insert_capped(&state.db, kind, new, MAX_LIVE_TOKENS, &event).await? {
        Ok(id) => Ok(id),
        Err(NotStored::Cap) => Err(cap_reached(if kind == TokenKind::Alias { "alias tokens" } else { "access tokens" })),
        Err(NotStored::NameTaken) => Err(AppError::taken("name", "You already have an access token with this name")),
    }
}

fn kind_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Alias => "alias",
        TokenKind::Access => "access",
    }
}

/// Whether the caller acted on their own credentials or as an admin.
fn by(caller: &Principal, owner: i64) -> &'static str {
    if caller.user_id == owner { "owner" } else { "admin" }
}

/// Deletes one token, auditing it as revoked by `caller`.
async fn revoke(state: &AppState, caller: &Principal, kind: TokenKind, id: i64) -> Result<bool, AppError> {
    Ok(tokens::delete(&state.db, kind, id, |row| {
        let details = json!({"kind": kind_name(kind), "name": row.label, "token_id": row.id, "by": by(caller, row.user_id)});
        audit::event(caller.into(), AuditAction::TokenRevoked, Target::user(row.user_id, &row.username), details)
    })
    .await?)
}

/// The account a credential is issued to: the caller's own, or for an
/// admin any account that may sign in.
async fn holder(state: &AppState, principal: Option<&Principal>, username: Option<&str>) -> Result<UserRow, AppError> {
    let caller = authorize(principal, Action::ManageOwnCredentials)?;
    let user = match username {
        Some(name) if !name.eq_ignore_ascii_case(&caller.username) => {
            authorize(principal, Action::AdministerCredentials)?;
            find_user(state, name).await?
        }
        _ => users::find_by_id(&state.db, caller.user_id).await?.ok_or_else(policy::sign_in_required)?,
    };
    if !policy::may_act(user.standing()) {
        return Err(AppError::Conflict(format!("{} cannot sign in, so a token would not work", user.username)));
    }
    Ok(user)
}

// ---- alias tokens ----

/// `GET /data/services/tokens/issue[/user/{username}]`: a new alias token
/// for the caller (or, for an admin, for `username`).
pub async fn issue_alias(state: &AppState, principal: Option<&Principal>, username: Option<&str>) -> Result<IssuedAliasToken, AppError> {
    let user = holder(state, principal, username).await?;
    let caller = authorize(principal, Action::ManageOwnCredentials)?;
    settings::require_recent_sign_in(state, caller).await?;
    let (alias, secret) = (new_alias(), new_alias_secret());
    let now = now_ms();
    let expires_at = now + state.settings.alias_token_hours * HOUR_MS;
    let hash = state.credential_keys.mac(&secret);
    let new = NewToken { user_id: user.id, generation: user.generation, label: &alias, prefix: "", secret_hash: &hash, now, expires_at: Some(expires_at) };
    stored(state, caller, &user, TokenKind::Alias, &new).await?;
    Ok(IssuedAliasToken { alias, secret, xdat_user_id: user.id, estimated_expiration_time: expires_at })
}

/// The alias token `alias` if it is live and `secret` is its secret.
async fn live_alias(state: &AppState, alias: &str, secret: Option<&str>) -> Result<TokenRow, AppError> {
    let invalid = || AppError::NotFound(INVALID_ALIAS.into());
    let row = tokens::find_alias(&state.db, alias).await?.ok_or_else(invalid)?;
    if secret.is_some_and(|s| !state.credential_keys.mac_matches(s, &row.secret_hash)) {
        return Err(invalid());
    }
    let user = users::find_by_id(&state.db, row.user_id).await?.ok_or_else(invalid)?;
    if !row.is_live(user.generation, now_ms()) || !policy::may_act(user.standing()) {
        return Err(invalid());
    }
    Ok(row)
}

/// `GET /data/services/tokens/validate/{alias}/{secret}`: whose token it is.
pub async fn validate_alias(state: &AppState, principal: Option<&Principal>, alias: &str, secret: &str) -> Result<String, AppError> {
    authorize(principal, Action::UseSite)?;
    Ok(live_alias(state, alias, Some(secret)).await?.username)
}

/// Ends an alias token: by alias and secret (the XNAT path), or by alias
/// alone from the account page (`secret` None). The owner or an admin.
pub async fn invalidate_alias(state: &AppState, principal: Option<&Principal>, alias: &str, secret: Option<&str>) -> Result<(), AppError> {
    let caller = authorize(principal, Action::ManageOwnCredentials)?;
    let row = live_alias(state, alias, secret).await?;
    if row.user_id != caller.user_id {
        authorize(principal, Action::AdministerCredentials).map_err(|_| AppError::NotFound(INVALID_ALIAS.into()))?;
    }
    revoke(state, caller, TokenKind::Alias, row.id).await?;
    Ok(())
}

/// My account → Alias tokens: the caller's live ones, newest first.
pub async fn my_aliases(state: &AppState, principal: Option<&Principal>) -> Result<Vec<AliasTokenInfo>, AppError> {
    let caller = authorize(principal, Action::ViewOwnAccount)?;
    let rows = tokens::list_live(&state.db, TokenKind::Alias, Some(caller.user_id), now_ms(), None, MAX_LIVE_TOKENS).await?;
    Ok(rows
        .into_iter()
        .map(|r| AliasTokenInfo {
            created: iso8601(r.created_at),
            expires: r.expires_at.map(iso8601).unwrap_or_default(),
            last_used: r.last_used_at.map(iso8601),
            alias: r.label,
            username: r.username,
        })
        .collect())
}

// ---- personal access tokens ----

fn access_info(r: TokenRow) -> AccessTokenInfo {
    AccessTokenInfo {
        id: r.id,
        name: r.label,
        prefix: format!("{}…", r.shown),
        username: r.username,
        created: iso8601(r.created_at),
        expires: r.expires_at.map(iso8601),
        last_used: r.last_used_at.map(iso8601),
        last_used_ip: r.last_used_ip,
    }
}

/// `POST /api/tokens` and My account → Access tokens: a new token for the
/// caller, shown once.
pub async fn create_access(state: &AppState, principal: Option<&Principal>, request: &NewAccessToken) -> Result<CreatedAccessToken, AppError> {
    let user = holder(state, principal, None).await?;
    let caller = authorize(principal, Action::ManageOwnCredentials)?;
    settings::require_recent_sign_in(state, caller).await?;
    let name = check_token_name(request.name.as_deref().unwrap_or_default(), "name")?;
    if !ACCESS_TOKEN_LIFETIMES.contains(&request.expires_days) {
        return Err(AppError::validation("expires_days", "expires_days must be 30, 90, 365, or null for no expiry"));
    }
    if request.expires_days.is_none() && !settings::current(state).await?.allow_non_expiring_tokens {
        return Err(AppError::validation("expires_days", "This site requires access tokens to expire: choose 30, 90 or 365 days"));
    }
    let now = now_ms();
    let expires_at = request.expires_days.map(|days| now + days * DAY_MS);
    let (token, shown) = new_access_token();
    let hash = state.credential_keys.mac(&token);
    let new = NewToken { user_id: user.id, generation: user.generation, label: name, prefix: &shown, secret_hash: &hash, now, expires_at };
    let id = stored(state, caller, &user, TokenKind::Access, &new).await?;
    Ok(CreatedAccessToken { id, name: name.to_string(), token, prefix: format!("{shown}…"), expires: expires_at.map(iso8601) })
}

/// `GET /api/tokens`: the caller's live access tokens, without secrets.
pub async fn my_access_tokens(state: &AppState, principal: Option<&Principal>) -> Result<Vec<AccessTokenInfo>, AppError> {
    let caller = authorize(principal, Action::ViewOwnAccount)?;
    let rows = tokens::list_live(&state.db, TokenKind::Access, Some(caller.user_id), now_ms(), None, MAX_LIVE_TOKENS).await?;
    Ok(rows.into_iter().map(access_info).collect())
}

fn no_such_token() -> AppError {
    AppError::NotFound("No such access token".into())
}

/// `DELETE /api/tokens/{id}`: the owner ends one of their tokens. Another
/// user's token is "no such token", so ids reveal nothing.
pub async fn revoke_my_access(state: &AppState, principal: Option<&Principal>, id: i64) -> Result<(), AppError> {
    let caller = authorize(principal, Action::ManageOwnCredentials)?;
    match tokens::find(&state.db, TokenKind::Access, id).await? {
        Some(row) if row.user_id == caller.user_id => {
            revoke(state, caller, TokenKind::Access, id).await?;
            Ok(())
        }
        _ => Err(no_such_token()),
    }
}

/// One page of everyone's live access tokens (or one user's), newest first.
pub async fn all_access_tokens(
    state: &AppState,
    principal: Option<&Principal>,
    username: Option<&str>,
    after: Option<&str>,
) -> Result<AccessTokenPage, AppError> {
    authorize(principal, Action::Administer)?;
    let user = match username.map(str::trim).filter(|u| !u.is_empty()) {
        Some(name) => Some(find_user(state, name).await?.id),
        None => None,
    };
    let before = match after.filter(|a| !a.is_empty()) {
        Some(cursor) => Some(parse_cursor(cursor)?),
        None => None,
    };
    let mut rows = tokens::list_live(&state.db, TokenKind::Access, user, now_ms(), before, ADMIN_PAGE + 1).await?;
    let next = if rows.len() as i64 > ADMIN_PAGE {
        rows.truncate(ADMIN_PAGE as usize);
        rows.last().map(|r| format!("{}~{}", r.created_at, r.id))
    } else {
        None
    };
    Ok(AccessTokenPage { items: rows.into_iter().map(access_info).collect(), next })
}

fn parse_cursor(cursor: &str) -> Result<(i64, i64), AppError> {
    cursor
        .split_once('~')
        .and_then(|(c, i)| Some((c.parse().ok()?, i.parse().ok()?)))
        .ok_or_else(|| AppError::validation("after", "after must be a cursor from the previous page"))
}

/// `DELETE /api/admin/tokens/{id}`: an admin ends anyone's token.
pub async fn revoke_access(state: &AppState, principal: Option<&Principal>, id: i64) -> Result<(), AppError> {
    let caller = authorize(principal, Action::AdministerCredentials)?;
    if revoke(state, caller, TokenKind::Access, id).await? {
        Ok(())
    } else {
        Err(no_such_token())
    }
}

/// An admin ends all of one user's access tokens; returns how many.
pub async fn revoke_all_access_of(state: &AppState, principal: Option<&Principal>, username: Option<&str>) -> Result<u64, AppError> {
    let caller = authorize(principal, Action::AdministerCredentials)?;
    let username = username.map(str::trim).filter(|u| !u.is_empty()).ok_or_else(|| AppError::validation("user", "user is required"))?;
    let user = find_user(state, username).await?;
    Ok(tokens::delete_all_of(&state.db, TokenKind::Access, user.id, |count| {
        let details = json!({"kind": "access", "all": true, "count": count, "by": by(caller, user.id)});
        audit::event(caller.into(), AuditAction::TokenRevoked, Target::user(user.id, &user.username), details)
    })
    .await?)
}
