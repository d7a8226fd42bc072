//! The `Principal`: who is calling, found once per request from the session,
//! a JWT, a personal access token or HTTP Basic (password or alias token),
//! and used by every door. Whether the account may act is one answer for
//! all of them (`policy::may_act`); each credential adds its own binding:
//! the credential generation (a password change or disabling ends every
//! one), and for a JWT its username. Basic is a password sign-in on every
//! request, so a Basic login also stops while the account is locked, as the
//! sign-in form does. A token's principal carries `Credential::AliasToken`
//! or `AccessToken`, which `policy` keeps away from managing credentials.

use crate::backend::auth::api_tokens::{self, AliasCheck};
use crate::backend::auth::jwt::INVALID_TOKEN;
use crate::backend::auth::login::{authenticate, INVALID_CREDENTIALS};
use crate::backend::policy::may_act;
use crate::backend::store::users::UserRow;
use crate::backend::store::tokens::TokenKind;
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
    /// When the password expires under the site's rule (`None`: never).
    pub password_expires_at: Option<i64>,
    /// At-rest key of the browser session this request came with, if any.
    pub session_key: Option<String>,
    /// What the caller signed in with.
    pub credential: Credential,
    /// The caller's metadata and stored bytes as read with the account, so
    /// that their own storage needs no second query (`None`: not read).
    pub own_storage: Option<OwnStorage>,
}

/// What the answer about a caller's own storage is made from.
#[derive(Clone, Debug)]
pub struct OwnStorage {
    /// The account's metadata (JSON text), which holds the quota.
    pub metadata: String,
    pub used: i64,
}

/// The credential a request came with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A browser session from signing in with the password.
    Session,
    /// A JWT from `POST /users/authenticate`.
    Jwt,
    /// HTTP Basic with the password.
    Password,
    /// HTTP Basic with an alias token (or a session opened with one); the id is its row.
    AliasToken(i64),
    /// A personal access token (or a session opened with one); the id is its row.
    AccessToken(i64),
}

impl Credential {
    /// A token standing in for the password: it may act as its user but not
    /// make, change or end credentials (`policy`).
    pub fn is_delegated(self) -> bool {
        matches!(self, Credential::AliasToken(_) | Credential::AccessToken(_))
    }
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
            password_expired: self.password_expires_at.is_some_and(|at| at <= now_ms()),
            password_expires_in_days: self
                .password_expires_at
                .map(|at| (at - now_ms()).div_euclid(crate::backend::time::DAY_MS))
                .filter(|days| (0..14).contains(days)),
        }
    }
}

/// The request extension the server's auth layer stores for every request.
#[derive(Clone, Debug, Default)]
pub struct CurrentPrincipal(pub Option<Principal>);

/// How often a session's "last seen" time is written back.
const TOUCH_INTERVAL_MS: i64 = MINUTE_MS;

/// The session key naming the token a session was opened with (`/data/JSESSION`
/// called with a token): `["alias" | "access", id]`.
pub const SESSION_VIA: &str = "via";

impl Credential {
    /// The token row behind a delegated credential.
    pub fn token(self) -> Option<(TokenKind, i64)> {
        match self {
            Credential::AliasToken(id) => Some((TokenKind::Alias, id)),
            Credential::AccessToken(id) => Some((TokenKind::Access, id)),
            _ => None,
        }
    }

    fn from_via(via: Option<(String, i64)>) -> Option<Credential> {
        match via {
            None => Some(Credential::Session),
            Some((kind, id)) if kind == "alias" => Some(Credential::AliasToken(id)),
            Some((kind, id)) if kind == "access" => Some(Credential::AccessToken(id)),
            Some(_) => None,
        }
    }

    /// What a session opened with this credential stores under [`SESSION_VIA`].
    pub fn via(self) -> Option<(&'static str, i64)> {
        match self {
            Credential::AliasToken(id) => Some(("alias", id)),
            Credential::AccessToken(id) => Some(("access", id)),
            _ => None,
        }
    }
}

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
        if !api_tokens::still_counts(state, kind, id, &user).await? {
            session.flush().await.map_err(internal)?;
            return Ok(None);
        }
    }
    let session_key = session.id().map(|id| super::session_store::session_key(&id));
    let last_seen = session.get::<i64>("_seen").await.map_err(internal)?.unwrap_or(0);
    let now = now_ms();
    if let (Some(key), true) = (&session_key, now - last_seen > TOUCH_INTERVAL_MS) {
        sessions::touch(&state.db, key, now).await?;
    }
    let mut principal = principal_of(state, user, roles, session_key, credential).await?;
    // An expired password may sign in only to choose a new one.
    principal.must_change_password |= password_expired(&principal);
    Ok(Some(principal))
}

fn password_expired(p: &Principal) -> bool {
    p.password_expires_at.is_some_and(|at| at <= now_ms())
}

async fn principal_of(state: &AppState, user: UserRow, roles: Vec<String>, session_key: Option<String>, credential: Credential) -> Result<Principal, AppError> {
    let password_expires_at = crate::backend::auth::login::password_expires_at(state, &user).await?;
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
        "bearer" if api_tokens::is_access_token(value) => from_access_token(state, value, ip).await,
        "bearer" => from_jwt(state, value).await,
        "basic" => from_basic(state, value, ip).await,
        _ => Err(AppError::Unauthenticated("Unsupported Authorization scheme: use Bearer or Basic".into())),
    }?;
    if password_expired(&principal) {
        return Err(AppError::Unauthenticated(crate::backend::policy::PASSWORD_EXPIRED.into()));
    }
    Ok(principal)
}

async fn from_jwt(state: &AppState, token: &str) -> Result<Principal, AppError> {
    let claims = state.jwt.verify(token)?;
    match users::find_with_roles(&state.db, claims.uid).await? {
        Some((user, roles)) if may_act(user.standing()) && user.generation == claims.gen && user.username == claims.sub => {
            principal_of(state, user, roles, None, Credential::Jwt).await
        }
        _ => Err(AppError::Unauthenticated(INVALID_TOKEN.into())),
    }
}

async fn from_access_token(state: &AppState, token: &str, ip: Option<&str>) -> Result<Principal, AppError> {
    match api_tokens::verify_access(state, token, ip).await? {
        Some(found) => principal_of(state, found.user, found.roles, None, Credential::AccessToken(found.token_id)).await,
        None => Err(AppError::Unauthenticated(INVALID_TOKEN.into())),
    }
}

async fn from_basic(state: &AppState, encoded: &str, ip: Option<&str>) -> Result<Principal, AppError> {
    use base64::Engine as _;
    let invalid = || AppError::Unauthenticated(INVALID_CREDENTIALS.into());
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| invalid())?;
    let text = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (username, password) = text.split_once(':').ok_or_else(invalid)?;
    if api_tokens::looks_like_alias(username) {
        match api_tokens::verify_alias(state, username, password, ip).await? {
            AliasCheck::Accepted(found) => {
                return principal_of(state, found.user, found.roles, None, Credential::AliasToken(found.token_id)).await
            }
            AliasCheck::Refused => return Err(invalid()),
            AliasCheck::Unknown => {}
        }
    }
    if let Some((user_id, generation)) = state.basic_cache.get(username, password) {
        match users::find_with_roles(&state.db, user_id).await? {
            Some((user, roles))
                if may_act(user.standing())
                    && user.generation == generation
                    && user.username.to_lowercase() == username.to_lowercase()
                    && !user.is_locked(now_ms())
                    && !crate::backend::store::two_factor::has_second_factor(&state.db, user.id).await? =>
            {
                return principal_of(state, user, roles, None, Credential::Password).await;
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
    principal_of(state, user, roles, None, Credential::Password).await
}
