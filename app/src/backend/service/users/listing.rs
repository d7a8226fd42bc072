//! User lists: the registry's `GET /users` (every user by username, keyset
//! paging), the admin panel's searchable, filtered page, and its CSV export.

use crate::backend::auth::Principal;
use crate::backend::csv_writer::CsvWriter;
use crate::backend::policy::{authorize, Action};
use crate::backend::service::{features, quota, settings};
use crate::backend::service::features::EXPORT_CSV;
use crate::backend::store::user_list::{self, Arg, ListFilter, Sort};
use crate::backend::store::users::{self, ListedUser};
use crate::backend::store::{data, projects};
use crate::backend::time::{now_ms, DAY_MS};
use crate::backend::AppState;
use crate::model::*;

/// Largest page the registry list returns at once.
pub const MAX_PAGE: i64 = 1000;

/// One page of users by username; `after` is the last username of the
/// previous page. Without `limit`, every user (the registry contract).
pub async fn by_username(
    state: &AppState,
    principal: Option<&Principal>,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Vec<UserDetailed>, AppError> {
    authorize(principal, Action::Administer)?;
    let explicit_limit = limit.is_some();
    let limit = limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let mut cursor = after.unwrap_or_default().to_lowercase();
    let mut out = Vec::new();
    let limiter = settings::current(state).await?.storage_limiter;
    loop {
        let (page, grants) = users::page_by_username(&state.db, &cursor, limit).await?;
        let full_page = page.len() as i64 == limit;
        cursor = page.last().map(|u| u.username.to_lowercase()).unwrap_or_default();
        let ids: Vec<i64> = page.iter().map(|u| u.id).collect();
        let mut roles = users::group_by_user(grants);
        let mut orgs = users::group_by_user(projects::slugs_by_user(&state.db, &ids).await?);
        let datasets: std::collections::HashMap<i64, i64> = data::dataset_counts(&state.db, &ids).await?.into_iter().collect();
        out.extend(page.into_iter().map(|u| {
            let figures = Figures {
                roles: roles.remove(&u.id).unwrap_or_default(),
                organizations: orgs.remove(&u.id).unwrap_or_default(),
                datasets: datasets.get(&u.id).copied().unwrap_or_default(),
            };
            detailed(limiter, u, figures)
        }));
        if !full_page || explicit_limit {
            break;
        }
    }
    Ok(out)
}

/// What a listing gathers about each user of a page, in one query each.
struct Figures {
    roles: Vec<String>,
    organizations: Vec<String>,
    datasets: i64,
}

fn detailed(limiter: bool, user: ListedUser, facts: Figures) -> UserDetailed {
    UserDetailed {
        storage_quota: quota::quota_of_stored(limiter, &user.metadata),
        storage_used: user.storage_used,
        organization_count: facts.organizations.len() as i64,
        dataset_count: facts.datasets,
        created_date: iso8601(user.created_at),
        summary: UserSummary { user_name: user.username, email: user.email, roles: facts.roles, organizations: facts.organizations },
    }
}

/// Rows per page of the admin list.
pub const PAGE_SIZE: i64 = 50;

fn sort_of(name: &str) -> Sort {
    match name {
        "username" => Sort::Username,
        "last_login" => Sort::LastLogin,
        "storage" => Sort::StorageUsed,
        _ => Sort::NewestFirst,
    }
}

/// Cursor text `<key>~<id>`; the key is text for the username sort.
fn parse_cursor(sort: Sort, cursor: &str) -> Option<(Arg, i64)> {
    let (key, id) = cursor.rsplit_once('~')?;
    let id = id.parse().ok()?;
    let key = match sort {
        Sort::Username => Arg::Text(key.to_string()),
        _ => Arg::Int(key.parse().ok()?),
    };
    Some((key, id))
}

fn cursor_of(sort: Sort, row: &user_list::ListRow) -> String {
    let key = match sort {
        Sort::Username => row.username_lower.clone(),
        Sort::NewestFirst => row.created_at.to_string(),
        Sort::LastLogin => row.last_login_at.unwrap_or(0).to_string(),
        Sort::StorageUsed => row.storage_used.to_string(),
    };
    format!("{key}~{}", row.id)
}

/// The store's filter for `query`; `search` is its lower-cased search text.
fn list_filter<'a>(state: &AppState, query: &'a UserQuery, search: &'a str, after: Option<(Arg, i64)>, limit: i64) -> ListFilter<'a> {
    let now = now_ms();
    ListFilter {
        search: (!search.is_empty()).then_some(search),
        search_by: state.search_upkeep.search_by(search),
        role: (!query.role.is_empty()).then_some(query.role.as_str()),
        status: (!query.status.is_empty()).then_some(query.status.as_str()),
        sort: sort_of(&query.sort),
        after,
        now,
        failures_since: now - FAILED_SIGN_IN_DAYS * DAY_MS,
        limit,
    }
}

/// One page of the admin panel's list.
pub async fn page(state: &AppState, principal: Option<&Principal>, query: &UserQuery) -> Result<UserListPage, AppError> {
    authorize(principal, Action::Administer)?;
    let sort = sort_of(&query.sort);
    let search = query.search.trim().to_lowercase();
    let now = now_ms();
    let filter = list_filter(state, query, &search, parse_cursor(sort, &query.after), PAGE_SIZE + 1);
    let (mut rows, grants) = user_list::page(&state.db, &filter).await?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| cursor_of(sort, r))
    } else {
        None
    };
    let mut roles = users::group_by_user(grants);
    let limiter = settings::current(state).await?.storage_limiter;
    let items = rows
        .into_iter()
        .map(|r| UserListItem {
            roles: roles.remove(&r.id).unwrap_or_default(),
            username: r.username,
            display_name: r.display_name,
            email: r.email,
            enabled: r.enabled,
            verified: r.verified,
            approved: r.approved,
            locked: r.locked_until.is_some_and(|t| t > now),
            created: iso8601(r.created_at),
            last_login: r.last_login_at.map(iso8601),
            active_sessions: r.active_sessions,
            api_keys: r.api_keys,
            datasets: r.datasets,
            files: r.files,
            storage_used: r.storage_used,
            storage_quota: quota::quota_of_stored(limiter, &r.metadata),
            projects_owned: r.projects_owned,
            projects_joined: r.projects_joined,
            failed_sign_ins: r.failed_sign_ins,
        })
        .collect();
    Ok(UserListPage { items, next })
}

/// Rows fetched per query when exporting.
const EXPORT_PAGE: i64 = 1000;

/// The filtered list as CSV (RFC 4180): every matching user, not one page.
/// Columns match what the import reads, plus read-only facts.
pub async fn export_csv(state: &AppState, principal: Option<&Principal>, query: &UserQuery) -> Result<String, AppError> {
    authorize(principal, Action::Administer)?;
    features::require(state, principal, None, EXPORT_CSV).await?;
    let sort = sort_of(&query.sort);
    let search = query.search.trim().to_lowercase();
    let header = ["username", "display_name", "email", "roles", "enabled", "verified", "approved", "created", "last_login"];
    let mut out = CsvWriter::with_header(&header, "\r\n");
    let mut after = None;
    loop {
        let filter = list_filter(state, query, &search, after.take(), EXPORT_PAGE);
        let (rows, grants) = user_list::page(&state.db, &filter).await?;
        let mut roles = users::group_by_user(grants);
        for r in &rows {
            let fields = [
                r.username.clone(),
                r.display_name.clone().unwrap_or_default(),
                r.email.clone().unwrap_or_default(),
                roles.remove(&r.id).unwrap_or_default().join(" "),
                r.enabled.to_string(),
                r.verified.to_string(),
                r.approved.to_string(),
                iso8601(r.created_at),
                r.last_login_at.map(iso8601).unwrap_or_default(),
            ];
            out.row(&fields);
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == EXPORT_PAGE => after = parse_cursor(sort, &cursor_of(sort, last)),
            _ => break,
        }
    }
    Ok(out.finish())
}
