//! The admin panel's overview figures.

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, Action};
use crate::backend::store::{sessions, users};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::AppState;
use crate::model::{AppError, SiteOverview};

pub async fn overview(state: &AppState, principal: Option<&Principal>) -> Result<SiteOverview, AppError> {
    authorize(principal, Action::Administer)?;
    let now = now_ms();
    let idle_since = now - state.settings.session_idle_minutes * MINUTE_MS;
    Ok(SiteOverview {
        users: users::count_all(&state.db).await?,
        enabled_admins: users::count_enabled_admins(&state.db).await?,
        live_sessions: sessions::count_live(&state.db, now, idle_since).await?,
        database: state.db.backend_name().to_string(),
    })
}
