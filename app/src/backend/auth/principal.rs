//! The `Principal`: who is calling, found once per request from the session,
//! a JWT or HTTP Basic, and used by every door. Whether the account may act
//! is one answer for all three (`policy::may_act`); each credential adds its
//! own binding: the credential generation (a password change or disabling
//! ends every one), and for a JWT its username. Basic is a password sign-in
//! on every request, so a Basic login also stops while the account is
//! locked, as the sign-in form does.

use crate::backend::auth::jwt::INVALID_TOKEN;
use crate::backend::auth::login::{authenticate, INVALID_CREDENTIALS};
use crate::backend::policy::may_act;
use crate::backend::store::users::UserRow;
use crate::backend::store::{sessions, users};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::{internal, AppState};
use crate::model::{AppError, CurrentUser};
use tower_sessions::Session;

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub must_change_password: bool,
    /// At-rest key of the browser session this request came with, if any.
    pub session_key: Option<String>,
}

impl Principal {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    pub fn is_admin(&self) -> bool {
        self.has_role("admin")
    }

    pub fn to_current_user(&self) -> CurrentUser {
        CurrentUser {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            is_admin: self.is_admin(),
            roles: self.roles.clone(),
            must_change_password: self.must_change_password,
        }
    }
}

/// The request extension the server's auth layer stores for every request.
#[derive(Clone, Debug, Default)]
pub struct CurrentPrincipal(pub Option<Principal>);

/// How often a session's "last seen" time is written back.
const TOUCH_INTERVAL_MS: i64 = MINUTE_MS;

/// Resolves the browser session to a principal. A session whose user is gone,
/// disabled, or whose credentials changed since login is deleted on the spot.
pub async fn from_session(state: &AppState, session: &Session) -> Result<Option<Principal>, AppError> {
    let Some(user_id) = session.get::<i64>("uid").await.map_err(internal)? else {
        return Ok(None);
    };
    let generation = session.get::<i64>("gen").await.map_err(internal)?;
    let found = users::find_with_roles(&state.db, user_id).await?;
    let (user, roles) = match found {
        Some((u, roles)) if may_act(u.standing()) && Some(u.generation) == generation => (u, roles),
        _ => {
            session.flush().await.map_err(internal)?;
            return Ok(None);
        }
    };
    let session_key = session.id().map(|id| super::session_store::session_key(&id));
    let last_seen = session.get::<i64>("_seen").await.map_err(internal)?.unwrap_or(0);
    let now = now_ms();
    if let (Some(key), true) = (&session_key, now - last_seen > TOUCH_INTERVAL_MS) {
        sessions::touch(&state.db, key, now).await?;
    }
    Ok(Some(principal_of(user, roles, session_key)))
}

async fn principal_for(state: &AppState, user: UserRow, session_key: Option<String>) -> Result<Principal, AppError> {
    let roles = users::roles_of(&state.db, user.id).await?;
    Ok(principal_of(user, roles, session_key))
}

fn principal_of(user: UserRow, roles: Vec<String>, session_key: Option<String>) -> Principal {
    Principal {
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        email: user.email,
        roles,
        must_change_password: user.must_change_password,
        session_key,
    }
}

/// Resolves an `Authorization` header: `Bearer <jwt>` or `Basic <user:password>`.
/// A credential that does not check out is an error, never an anonymous caller.
pub async fn from_authorization(state: &AppState, header: &str, ip: Option<&str>) -> Result<Principal, AppError> {
    let (scheme, value) = header.trim().split_once(' ').unwrap_or((header, ""));
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" => from_jwt(state, value.trim()).await,
        "basic" => from_basic(state, value.trim(), ip).await,
        _ => Err(AppError::Unauthenticated("Unsupported Authorization scheme: use Bearer or Basic".into())),
    }
}

async fn from_jwt(state: &AppState, token: &str) -> Result<Principal, AppError> {
    let claims = state.jwt.verify(token)?;
    match users::find_with_roles(&state.db, claims.uid).await? {
        Some((user, roles)) if may_act(user.standing()) && user.generation == claims.gen && user.username == claims.sub => {
            Ok(principal_of(user, roles, None))
        }
        _ => Err(AppError::Unauthenticated(INVALID_TOKEN.into())),
    }
}

async fn from_basic(state: &AppState, encoded: &str, ip: Option<&str>) -> Result<Principal, AppError> {
    use base64::Engine as _;
    let invalid = || AppError::Unauthenticated(INVALID_CREDENTIALS.into());
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| invalid())?;
    let text = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (username, password) = text.split_once(':').ok_or_else(invalid)?;
    if let Some((user_id, generation)) = state.basic_cache.get(username, password) {
        match users::find_with_roles(&state.db, user_id).await? {
            Some((user, roles))
                if may_act(user.standing())
                    && user.generation == generation
                    && user.username.to_lowercase() == username.to_lowercase()
                    && !user.is_locked(now_ms()) =>
            {
                return Ok(principal_of(user, roles, None));
            }
            _ => state.basic_cache.forget(username, password),
        }
    }
    let user = authenticate(state, username, password, ip).await.map_err(|e| match e {
        AppError::Validation { .. } => invalid(),
        other => other,
    })?;
    state.basic_cache.remember(username, password, user.id, user.generation);
    principal_for(state, user, None).await
}
