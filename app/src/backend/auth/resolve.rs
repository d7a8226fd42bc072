//! Finding a request's [`Principal`]: from the browser session, or from an
//! `Authorization` header (a JWT, a personal access token, or HTTP Basic
//! with a password or an alias token). See `auth::principal` for the rules
//! every credential follows.

use crate::backend::auth::credentials::tokens::{self, AliasCheck};
use crate::backend::auth::jwt::INVALID_TOKEN;
use crate::backend::auth::login::{authenticate, password_expires_at, INVALID_CREDENTIALS};
use crate::backend::auth::principal::{Credential, OwnStorage, Principal, SESSION_PROVEN, SESSION_VIA};
use crate::backend::auth::session_store;
use crate::backend::policy::{may_act, PASSWORD_EXPIRED};
use crate::backend::store::users::UserRow;
use crate::backend::store::{sessions, users};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::{internal, AppState};
use crate::model::AppError;
use tower_sessions::Session;

/// How often a session's "last seen" time is written back.
const TOUCH_INTERVAL_MS: i64 = MINUTE_MS;

/// Resolves the browser session to a principal. A session whose user is gone,
/// disabled, or whose credentials changed since login is deleted on the spot;
/// so is one opened with a token that no longer counts.
pub async fn from_session(state: &AppState, session: &Session) -> Result<Option<Principal>, AppError> {
    let Some(user_id) = session.get::<i64>("uid").await.map_err(internal)? else {
        return Ok(None);
    };
    let generation = session.get::<i64>("gen").await.map_err(internal)?;
    let via = session.get::<(String, i64)>(SESSION_VIA).await.map_err(internal)?;
    let found = users::find_with_roles(&state.db, user_id).await?;
    let credential = Credential::from_via(via);
    let (user, roles, credential) = match (found, credential) {
        (Some((u, roles)), Some(credential)) if may_act(u.standing()) && Some(u.generation) == generation => (u, roles, credential),
        _ => {
            session.flush().await.map_err(internal)?;
            return Ok(None);
        }
    };
    if let Some((kind, id)) = credential.token() {
        if !tokens::still_counts(state, kind, id, &user).await? {
            session.flush().await.map_err(internal)?;
            return Ok(None);
        }
    }
    let session_key = session.id().map(|id| session_store::session_key(&id));
    let last_seen = session.get::<i64>("_seen").await.map_err(internal)?.unwrap_or(0);
    let now = now_ms();
    if let (Some(key), true) = (&session_key, now - last_seen > TOUCH_INTERVAL_MS) {
        sessions::touch(&state.db, key, now).await?;
    }
    // Only a session opened by signing in counts as proven, never one opened with a token.
    let proven_at = match credential {
        Credential::Session => session.get::<i64>(SESSION_PROVEN).await.map_err(internal)?,
        _ => None,
    };
    let mut principal = principal_of(state, user, roles, session_key, credential, proven_at).await?;
    // An expired password may sign in only to choose a new one.
    principal.must_change_password |= password_expired(&principal);
    Ok(Some(principal))
}

fn password_expired(p: &Principal) -> bool {
    p.password_expires_at.is_some_and(|at| at <= now_ms())
}

async fn principal_of(
    state: &AppState,
    user: UserRow,
    roles: Vec<String>,
    session_key: Option<String>,
    credential: Credential,
    proven_at: Option<i64>,
) -> Result<Principal, AppError> {
    let password_expires_at = password_expires_at(state, &user).await?;
    Ok(Principal {
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        email: user.email,
        roles,
        must_change_password: user.must_change_password,
        password_expires_at,
        session_key,
        credential,
        proven_at,
        own_storage: Some(OwnStorage { metadata: user.metadata, used: user.storage_used }),
    })
}

/// Resolves an `Authorization` header: `Bearer <jwt>`, `Bearer gh_pat_…`,
/// `Basic <user:password>` or `Basic <alias:secret>`. A credential that
/// does not check out is an error, never an anonymous caller.
/// Every credential of an account whose password expired is refused with
/// one message, until the password is changed on the web page.
pub async fn from_authorization(state: &AppState, header: &str, ip: Option<&str>) -> Result<Principal, AppError> {
    let (scheme, value) = header.trim().split_once(' ').unwrap_or((header, ""));
    let value = value.trim();
    let principal = match scheme.to_ascii_lowercase().as_str() {
        "bearer" if tokens::is_access_token(value) => from_access_token(state, value, ip).await,
        "bearer" => from_jwt(state, value).await,
        "basic" => from_basic(state, value, ip).await,
        _ => Err(AppError::Unauthenticated("Unsupported Authorization scheme: use Bearer or Basic".into())),
    }?;
    if password_expired(&principal) {
        return Err(AppError::Unauthenticated(PASSWORD_EXPIRED.into()));
    }
    Ok(principal)
}

async fn from_jwt(state: &AppState, token: &str) -> Result<Principal, AppError> {
    let claims = state.jwt.verify(token)?;
    match users::find_with_roles(&state.db, claims.uid).await? {
        Some((user, roles)) if may_act(user.standing()) && user.generation == claims.gen && user.username == claims.sub => {
            // The registry's sign-in (seed 004: /users/authenticate, then
            // act with the JWT) proves the password when its chain began;
            // a refreshed JWT keeps that time, so it ages like a session.
            let proven_at = claims.orig_iat.unwrap_or(claims.iat).saturating_mul(1000);
            principal_of(state, user, roles, None, Credential::Jwt, Some(proven_at)).await
        }
        _ => Err(AppError::Unauthenticated(INVALID_TOKEN.into())),
    }
}

async fn from_access_token(state: &AppState, token: &str, ip: Option<&str>) -> Result<Principal, AppError> {
    match tokens::verify_access(state, token, ip).await? {
        Some(found) => principal_of(state, found.user, found.roles, None, Credential::AccessToken(found.token_id), None).await,
        None => Err(AppError::Unauthenticated(INVALID_TOKEN.into())),
    }
}

async fn from_basic(state: &AppState, encoded: &str, ip: Option<&str>) -> Result<Principal, AppError> {
    use base64::Engine as _;
    let invalid = || AppError::Unauthenticated(INVALID_CREDENTIALS.into());
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| invalid())?;
    let text = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (username, password) = text.split_once(':').ok_or_else(invalid)?;
    if tokens::looks_like_alias(username) {
        match tokens::verify_alias(state, username, password, ip).await? {
            AliasCheck::Accepted(found) => {
                return principal_of(state, found.user, found.roles, None, Credential::AliasToken(found.token_id), None).await
            }
            AliasCheck::Refused => return Err(invalid()),
            AliasCheck::Unknown => {}
        }
    }
    if let Some((user_id, generation)) = state.basic_cache.get(username, password) {
        match users::find_with_roles_and_second_factor(&state.db, user_id).await? {
            Some((user, roles, second_factor))
                if may_act(user.standing())
                    && user.generation == generation
                    && user.username.to_lowercase() == username.to_lowercase()
                    && !user.is_locked(now_ms())
                    && !second_factor =>
            {
                return principal_of(state, user, roles, None, Credential::Password, Some(now_ms())).await;
            }
            _ => state.basic_cache.forget(username, password),
        }
    }
    let user = authenticate(state, username, password, ip, "basic").await.map_err(|e| match e {
        AppError::Validation { .. } => invalid(),
        other => other,
    })?;
    state.basic_cache.remember(username, password, user.id, user.generation);
    let roles = users::roles_of(&state.db, user.id).await?;
    principal_of(state, user, roles, None, Credential::Password, Some(now_ms())).await
}
