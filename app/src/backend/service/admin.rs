//! The admin panel's overview figures. Counting every user grows with the
//! site, so an instance reuses the figures for [`OVERVIEW_CACHE_FOR`].

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, Action};
use crate::backend::service::settings;
use crate::backend::store::users::role_grants;
use crate::backend::store::{sessions, users};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::AppState;
use crate::model::{AppError, SiteOverview};

/// How old the overview's figures may be.
pub const OVERVIEW_CACHE_FOR: std::time::Duration = std::time::Duration::from_secs(5);

pub async fn overview(state: &AppState, principal: Option<&Principal>) -> Result<SiteOverview, AppError> {
    authorize(principal, Action::Administer)?;
    if let Some(figures) = state.overview.get(OVERVIEW_CACHE_FOR) {
        return Ok(figures);
    }
    let now = now_ms();
    let idle_since = now - settings::current(state).await?.session_idle_minutes * MINUTE_MS;
    let figures = SiteOverview {
        users: users::count_all(&state.db).await?,
        enabled_admins: role_grants::count_enabled_admins(&state.db).await?,
        live_sessions: sessions::count_live(&state.db, now, idle_since).await?,
        database: state.db.backend_name().to_string(),
    };
    state.overview.put(figures.clone());
    Ok(figures)
}
