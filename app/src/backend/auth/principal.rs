//! The `Principal`: who is calling, found once per request from the session
//! (and, in later doors, from API credentials), and used by every door.

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
    let user = users::find_by_id(&state.db, user_id).await?;
    let user = match user {
        Some(u) if u.enabled && Some(u.generation) == generation => u,
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
    let roles = users::roles_of(&state.db, user.id).await?;
    Ok(Some(Principal {
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        email: user.email,
        roles,
        must_change_password: user.must_change_password,
        session_key,
    }))
}
