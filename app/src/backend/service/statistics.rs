//! Admin → Statistics: the site totals (users by status, sign-ins per day,
//! storage by project). They come from one statement whose cost grows with
//! the site, so an instance reuses them for [`STATISTICS_CACHE_FOR`]. The
//! per-user table below them is the admin user list (`users::listing`).
//!
//! Sign-ins and failed sign-ins are read from the audit log, so a retention
//! shorter than the window (30 days) shortens what the figures can show.

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, Action};
use crate::backend::store::statistics::{self, FigureRow, APPROVED, ENABLED, LOCKED, VERIFIED};
use crate::backend::time::{now_ms, DAY_MS};
use crate::backend::AppState;
use crate::model::{iso8601, AppError, DayCount, ProjectBytes, SiteStatistics, UsersByStatus};

/// How old the site totals may be.
pub const STATISTICS_CACHE_FOR: std::time::Duration = std::time::Duration::from_secs(5);
/// Days of the sign-in chart, today included.
pub const SIGN_IN_DAYS: i64 = 30;
/// Projects listed under "storage by project".
pub const TOP_PROJECTS: i64 = 20;

pub async fn site(state: &AppState, principal: Option<&Principal>) -> Result<SiteStatistics, AppError> {
    authorize(principal, Action::Administer)?;
    if let Some(figures) = state.statistics.get(STATISTICS_CACHE_FOR) {
        return Ok(figures);
    }
    let now = now_ms();
    let first_day = now.div_euclid(DAY_MS) - (SIGN_IN_DAYS - 1);
    let rows = statistics::site_figures(&state.db, now, first_day * DAY_MS, TOP_PROJECTS).await?;
    let figures = assemble(&rows, first_day, now);
    state.statistics.put(figures.clone());
    Ok(figures)
}

/// The page's figures from the statement's rows.
fn assemble(rows: &[FigureRow], first_day: i64, now: i64) -> SiteStatistics {
    let mut users = UsersByStatus::default();
    let mut per_day = vec![0; SIGN_IN_DAYS as usize];
    let mut out = SiteStatistics { as_of: iso8601(now), ..SiteStatistics::default() };
    for row in rows {
        match row.kind.as_str() {
            "users" => {
                let has = |flag: i64| if row.key & flag != 0 { row.value } else { 0 };
                users.total += row.value;
                users.enabled += has(ENABLED);
                users.disabled += row.value - has(ENABLED);
                users.unverified += row.value - has(VERIFIED);
                users.awaiting_approval += row.value - has(APPROVED);
                users.locked += has(LOCKED);
            }
            "sign_ins" => {
                if let Some(slot) = usize::try_from(row.key - first_day).ok().and_then(|i| per_day.get_mut(i)) {
                    *slot += row.value;
                }
            }
            "storage_total" => out.storage_total = row.value,
            "storage" => out.storage_by_project.push(ProjectBytes { project: row.label.clone(), bytes: row.value }),
            _ => {}
        }
    }
    out.users = users;
    out.sign_ins = per_day
        .into_iter()
        .enumerate()
        .map(|(i, count)| DayCount { day: iso8601((first_day + i as i64) * DAY_MS)[..10].to_string(), count })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, key: i64, label: &str, value: i64) -> FigureRow {
        FigureRow { kind: kind.into(), key, label: label.into(), value }
    }

    #[test]
    fn flags_become_statuses_and_days_are_filled() {
        let first_day = 20_000;
        let rows = [
            row("users", ENABLED | VERIFIED | APPROVED, "", 10),
            row("users", VERIFIED | APPROVED | LOCKED, "", 2),
            row("users", ENABLED, "", 3),
            row("sign_ins", first_day, "", 4),
            row("sign_ins", first_day + 29, "", 1),
            row("sign_ins", first_day - 1, "", 99),
            row("storage_total", 0, "", 500),
            row("storage", 7, "big", 400),
            row("storage", 8, "small", 100),
        ];
        let s = assemble(&rows, first_day, (first_day + 29) * DAY_MS + 5);
        assert_eq!(
            s.users,
            UsersByStatus { total: 15, enabled: 13, disabled: 2, locked: 2, unverified: 3, awaiting_approval: 3 }
        );
        assert_eq!(s.sign_ins.len(), 30);
        assert_eq!((s.sign_ins[0].count, s.sign_ins[29].count), (4, 1));
        assert_eq!(s.sign_ins.iter().map(|d| d.count).sum::<i64>(), 5, "a day before the window is not shown");
        assert_eq!(s.sign_ins[0].day, "2024-10-04");
        assert_eq!(s.storage_total, 500);
        assert_eq!(s.storage_by_project[0], ProjectBytes { project: "big".into(), bytes: 400 });
    }
}
