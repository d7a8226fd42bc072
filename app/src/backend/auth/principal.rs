//! The `Principal`: who is calling, found once per request from the session,
//! a JWT, a personal access token or HTTP Basic (password or alias token),
//! and used by every door. Whether the account may act is one answer for
//! all of them (`policy::may_act`); each credential adds its own binding:
//! the credential generation (a password change or disabling ends every
//! one), and for a JWT its username. Basic is a password sign-in on every
//! request, so a Basic login also stops while the account is locked, as the
//! sign-in form does. A token's principal carries `Credential::AliasToken`
//! or `AccessToken`, which `policy` keeps away from managing credentials.
//! Finding the principal of a request is `auth::resolve`; this file holds
//! what every layer may import: the types, and no service.

use crate::backend::store::credentials::tokens::TokenKind;
use crate::backend::time::{now_ms, DAY_MS};
use crate::model::CurrentUser;

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
    /// When the caller last proved the sign-in (the password, and the
    /// second factor when the account has one): set at sign-in and on
    /// re-authentication for a session, now for HTTP Basic with the
    /// password; never for a token or a JWT. Sensitive actions ask
    /// `policy::require_recent_sign_in`.
    pub proven_at: Option<i64>,
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
                .map(|at| (at - now_ms()).div_euclid(DAY_MS))
                .filter(|days| (0..14).contains(days)),
        }
    }
}

/// The request extension the server's auth layer stores for every request.
#[derive(Clone, Debug, Default)]
pub struct CurrentPrincipal(pub Option<Principal>);

/// The session key naming the token a session was opened with (`/data/JSESSION`
/// called with a token): `["alias" | "access", id]`.
pub const SESSION_VIA: &str = "via";

/// The session key holding when its sign-in was last proven (Unix ms).
pub const SESSION_PROVEN: &str = "proven";

impl Credential {
    /// The token row behind a delegated credential.
    pub fn token(self) -> Option<(TokenKind, i64)> {
        match self {
            Credential::AliasToken(id) => Some((TokenKind::Alias, id)),
            Credential::AccessToken(id) => Some((TokenKind::Access, id)),
            _ => None,
        }
    }

    pub(super) fn from_via(via: Option<(String, i64)>) -> Option<Credential> {
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
