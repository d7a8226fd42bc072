//! The formats of alias tokens and personal access tokens, and checking one
//! that a request presents. A token counts while it exists, has not
//! expired, its generation is still its user's (a password change or
//! disabling ends it) and the account may act (`policy::may_act`).
//!
//! - Alias token: the alias looks like a UUID (what XNAT clients expect);
//!   the secret is 64 hex characters (256 bits), kept as an HMAC.
//! - Access token: `gh_pat_` and 40 letters and digits (≈ 238 bits), kept
//!   as an HMAC; its first 11 characters are kept in clear for display.
//!   The prefix tells it apart from a JWT, which starts with `eyJ`.

use crate::backend::auth::secrets::random_hex;
use crate::backend::policy::may_act;
use crate::backend::store::credentials::tokens::{self, TokenKind, TokenRow};
use crate::backend::store::users::{self, UserRow};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::auth::principal::{Credential, SESSION_VIA};
use crate::backend::{internal, AppState};
use crate::model::AppError;
use rand::{distributions::Alphanumeric, Rng};

/// How every personal access token starts.
pub const ACCESS_TOKEN_PREFIX: &str = "gh_pat_";

/// Characters of an access token kept in clear (`gh_pat_` and 4 more).
const SHOWN_CHARS: usize = ACCESS_TOKEN_PREFIX.len() + 4;

/// A token's last use is written at most this often.
const TOUCH_INTERVAL_MS: i64 = MINUTE_MS;

/// A new alias, UUID-shaped (8-4-4-4-12 hex digits).
pub fn new_alias() -> String {
    let h = random_hex(16);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// A new alias token secret: 64 hex characters.
pub fn new_alias_secret() -> String {
    random_hex(32)
}

/// Whether a Basic user name has the shape of an alias. A username could
/// too, so the caller falls back to a password check when no alias matches.
pub fn looks_like_alias(name: &str) -> bool {
    let groups: Vec<&str> = name.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]) && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A new access token and the part of it shown in lists (`gh_pat_AbCd`).
pub fn new_access_token() -> (String, String) {
    let body: String = rand::thread_rng().sample_iter(&Alphanumeric).take(40).map(char::from).collect();
    let token = format!("{ACCESS_TOKEN_PREFIX}{body}");
    let shown = token[..SHOWN_CHARS].to_string();
    (token, shown)
}

pub fn is_access_token(bearer: &str) -> bool {
    bearer.starts_with(ACCESS_TOKEN_PREFIX)
}

/// The account a token stands for.
pub struct TokenUser {
    pub user: UserRow,
    pub roles: Vec<String>,
    pub token_id: i64,
}

/// What an alias and secret turned out to be.
pub enum AliasCheck {
    /// No alias token has that alias: the name may be a username.
    Unknown,
    /// The alias exists, but the secret is wrong or the token or its account does not count.
    Refused,
    Accepted(TokenUser),
}

/// The account behind a token, if the token and the account both count now.
/// The use is recorded (at most once a minute).
async fn check(state: &AppState, kind: TokenKind, row: TokenRow, ip: Option<&str>) -> Result<Option<TokenUser>, sqlx::Error> {
    let now = now_ms();
    let Some((user, roles)) = users::find_with_roles(&state.db, row.user_id).await? else {
        return Ok(None);
    };
    if !row.is_live(user.generation, now) || !may_act(user.standing()) || user.username != row.username {
        return Ok(None);
    }
    if row.last_used_at.is_none_or(|t| now - t >= TOUCH_INTERVAL_MS) {
        tokens::touch(&state.db, kind, row.id, now, now - TOUCH_INTERVAL_MS, ip).await?;
    }
    Ok(Some(TokenUser { user, roles, token_id: row.id }))
}

/// The account an alias token stands for.
pub async fn verify_alias(state: &AppState, alias: &str, secret: &str, ip: Option<&str>) -> Result<AliasCheck, sqlx::Error> {
    let Some(row) = tokens::find_alias(&state.db, alias).await? else {
        return Ok(AliasCheck::Unknown);
    };
    if !state.credential_keys.mac_matches(secret, &row.secret_hash) {
        return Ok(AliasCheck::Refused);
    }
    Ok(match check(state, TokenKind::Alias, row, ip).await? {
        Some(found) => AliasCheck::Accepted(found),
        None => AliasCheck::Refused,
    })
}

/// The account a personal access token stands for, if it counts.
pub async fn verify_access(state: &AppState, token: &str, ip: Option<&str>) -> Result<Option<TokenUser>, sqlx::Error> {
    let hash = state.credential_keys.mac(token);
    match tokens::find_access(&state.db, &hash).await? {
        Some(row) => check(state, TokenKind::Access, row, ip).await,
        None => Ok(None),
    }
}

/// Whether the token a session was opened with still counts for `user`.
pub async fn still_counts(state: &AppState, kind: TokenKind, id: i64, user: &UserRow) -> Result<bool, sqlx::Error> {
    Ok(tokens::find(&state.db, kind, id).await?.is_some_and(|row| row.user_id == user.id && row.is_live(user.generation, now_ms())))
}

/// Binds a session opened with a token (`/data/JSESSION`) to that token:
/// the session counts only while the token does (`resolve::from_session`)
/// and ends by the token's expiry, and it carries the token's limits.
pub async fn bind_session(state: &AppState, session: &tower_sessions::Session, credential: Credential) -> Result<(), AppError> {
    let (Some((kind, id)), Some(via)) = (credential.token(), credential.via()) else {
        return Ok(());
    };
    session.insert(SESSION_VIA, via).await.map_err(internal)?;
    let expires_at = tokens::find(&state.db, kind, id).await?.and_then(|row| row.expires_at);
    if let Some(expires) = expires_at.and_then(|ms| time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).ok()) {
        if expires < session.expiry_date() {
            session.set_expiry(Some(tower_sessions::Expiry::AtDateTime(expires)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let alias = new_alias();
        assert!(looks_like_alias(&alias), "{alias}");
        assert!(!looks_like_alias("alice"));
        assert!(!looks_like_alias("0123456z-0123-0123-0123-0123456789ab"));
        assert_eq!(new_alias_secret().len(), 64);
        let (token, shown) = new_access_token();
        assert!(is_access_token(&token) && token.len() == 47);
        assert_eq!(shown, &token[..11]);
        assert!(!is_access_token("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }
}
