//! `/admin/statistics`: site totals (users by status, sign-ins per day as an
//! SVG bar chart, storage by project) and every user's figures, filtered,
//! sorted and paged like the user list.

use super::users::{list_href, short_date, use_user_query, UserFilters};
use super::AdminNav;
use crate::api::admin::admin_statistics;
use crate::api::roles::role_names;
use crate::api::users::list_users;
use crate::components::data_table::DataTable;
use crate::components::forms::{human_bytes, Pager};
use crate::components::loaded::load;
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminStatisticsPage() -> impl IntoView {
    let totals = load(|| (), |_| admin_statistics());
    view! {
        <Title text="Statistics · Admin · Gatehouse"/>
        <AdminNav current="/admin/statistics"/>
        <h1>"Statistics"</h1>
        <Transition fallback=|| view! { <p>"Loading figures…"</p> }>
            {move || Suspend::new(async move {
                match totals.await {
                    Ok(s) => view! {
                        <UserTotals users=s.users.clone()/>
                        <SignInChart days=s.sign_ins.clone()/>
                        <StorageByProject total=s.storage_total projects=s.storage_by_project.clone()/>
                        <p class="muted">{format!("Site totals as of {} (refreshed every few seconds).", s.as_of)}</p>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                }
            })}
        </Transition>
        <PerUserFigures/>
    }
}

#[component]
fn UserTotals(users: UsersByStatus) -> impl IntoView {
    let figures = [
        ("Users", users.total, ""),
        ("Enabled", users.enabled, "enabled"),
        ("Disabled", users.disabled, "disabled"),
        ("Locked now", users.locked, "locked"),
        ("Unverified email", users.unverified, "unverified"),
        ("Awaiting approval", users.awaiting_approval, "awaiting"),
    ];
    view! {
        <section class="card" aria-labelledby="users-by-status">
            <h2 id="users-by-status">"Users by status"</h2>
            <dl class="figures">
                {figures.into_iter().map(|(label, count, status)| view! {
                    <div>
                        <dt>{label}</dt>
                        <dd><a href=format!("/admin/users?status={status}")>{count}</a></dd>
                    </div>
                }).collect_view()}
            </dl>
        </section>
    }
}

/// Chart size in SVG units; the bars share the width.
const CHART_WIDTH: f64 = 600.0;
const CHART_HEIGHT: f64 = 120.0;

/// One bar per day, scaled to the busiest day, with the figures also in a
/// table for screen readers and exact reading.
#[component]
fn SignInChart(days: Vec<DayCount>) -> impl IntoView {
    let total: i64 = days.iter().map(|d| d.count).sum();
    let busiest = days.iter().max_by_key(|d| d.count).cloned();
    let peak = busiest.as_ref().map_or(0, |d| d.count).max(1) as f64;
    let slot = CHART_WIDTH / days.len().max(1) as f64;
    let (first, last) = (days.first().map(|d| d.day.clone()), days.last().map(|d| d.day.clone()));
    let summary = match &busiest {
        Some(b) if total > 0 => format!("{total} sign-ins in the last {} days; the busiest day was {} with {}.", days.len(), b.day, b.count),
        _ => format!("No sign-ins in the last {} days.", days.len()),
    };
    let bars = days
        .iter()
        .enumerate()
        .filter(|(_, d)| d.count > 0)
        .map(|(i, d)| {
            let height = (d.count as f64 / peak * CHART_HEIGHT).max(1.0);
            view! {
                <rect class="bar" x=format!("{:.1}", i as f64 * slot + slot * 0.15) y=format!("{:.1}", CHART_HEIGHT - height)
                    width=format!("{:.1}", slot * 0.7) height=format!("{height:.1}")/>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="sign-ins-title">
            <h2 id="sign-ins-title">"Sign-ins per day"</h2>
            <p id="sign-ins-summary">{summary.clone()}</p>
            <svg class="chart" viewBox=format!("0 -16 {CHART_WIDTH} {}", CHART_HEIGHT + 36.0) role="img" aria-labelledby="sign-ins-title sign-ins-summary">
                <line class="axis" x1="0" y1=CHART_HEIGHT.to_string() x2=CHART_WIDTH.to_string() y2=CHART_HEIGHT.to_string()/>
                {bars}
                <text class="label" x="0" y="-4">{format!("{} a day at most", peak as i64)}</text>
                <text class="label" x="0" y=(CHART_HEIGHT + 16.0).to_string()>{first.unwrap_or_default()}</text>
                <text class="label" x=CHART_WIDTH.to_string() y=(CHART_HEIGHT + 16.0).to_string() text-anchor="end">{last.unwrap_or_default()}</text>
            </svg>
            <details>
                <summary>"Sign-ins per day as a table"</summary>
                <table class="compact">
                    <thead><tr><th scope="col">"Day (UTC)"</th><th scope="col" class="num">"Sign-ins"</th></tr></thead>
                    <tbody>
                        {days.into_iter().rev().map(|d| view! {
                            <tr><td class="date">{d.day}</td><td class="num">{d.count}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}

#[component]
fn StorageByProject(total: i64, projects: Vec<ProjectBytes>) -> impl IntoView {
    let listed = projects.len();
    view! {
        <section class="card" aria-labelledby="storage-title">
            <h2 id="storage-title">"Storage by project"</h2>
            <p>{format!("Files take {} in all.", human_bytes(total))}</p>
            {if projects.is_empty() {
                view! {
                    <p class="empty">"No project stores files yet. Files uploaded to a project's datasets are counted here."</p>
                }.into_any()
            } else {
                view! {
                    <table class="compact">
                        <caption class="visually-hidden">{format!("The {listed} projects storing the most")}</caption>
                        <thead><tr><th scope="col">"Project"</th><th scope="col" class="num">"Storage"</th><th scope="col" class="num">"Share"</th></tr></thead>
                        <tbody>
                            {projects.into_iter().map(|p| {
                                let share = if total > 0 { p.bytes as f64 / total as f64 * 100.0 } else { 0.0 };
                                view! {
                                    <tr>
                                        <td><a href=format!("/projects/{}", p.project)>{p.project.clone()}</a></td>
                                        <td class="num">{human_bytes(p.bytes)}</td>
                                        <td class="num">{format!("{share:.0}%")}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// "used of quota", or just "used" when no quota applies.
fn storage_of(u: &UserListItem) -> String {
    match u.storage_quota {
        Some(quota) => format!("{} of {}", human_bytes(u.storage_used), human_bytes(quota)),
        None => human_bytes(u.storage_used),
    }
}

/// Every user's figures, one list query per page.
#[component]
fn PerUserFigures() -> impl IntoView {
    let query = use_user_query();
    let page = load(move || query.get(), list_users);
    let roles = load(|| (), |_| role_names());
    let href = move |cursor: String| list_href("/admin/statistics", &query.get(), &cursor);
    view! {
        <section aria-labelledby="per-user-title">
            <h2 id="per-user-title">"Per user"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let role_names: Vec<String> = roles.await.unwrap_or_default();
                    view! { <UserFilters query role_names action="/admin/statistics"/> }
                })}
            </Transition>
            <Transition fallback=|| view! { <p>"Loading users…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                        Ok(p) if p.items.is_empty() => view! {
                            <div class="empty card">
                                <p><strong>"No users match these filters."</strong></p>
                                <p><a href="/admin/statistics">"Clear the filters"</a>"."</p>
                            </div>
                        }.into_any(),
                        Ok(p) => {
                            let later_page = !query.get_untracked().after.is_empty();
                            view! {
                                <FiguresTable items=p.items/>
                                <Pager start=later_page.then(|| href(String::new())) start_label="First page"
                                    next=p.next.map(href) next_label="Next page"/>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn FiguresTable(items: Vec<UserListItem>) -> impl IntoView {
    let head = view! {
        <th scope="col">"User"</th>
        <th scope="col" class="num">"Datasets"</th>
        <th scope="col" class="num">"Files"</th>
        <th scope="col" class="num">"Storage"</th>
        <th scope="col" class="num">"Active sessions"</th>
        <th scope="col" class="num">"API keys"</th>
        <th scope="col" class="num">"Projects owned"</th>
        <th scope="col" class="num">"Projects joined"</th>
        <th scope="col">"Last sign-in"</th>
        <th scope="col" class="num">{format!("Failed sign-ins ({FAILED_SIGN_IN_DAYS} d)")}</th>
    };
    let row = |u: UserListItem| {
        view! {
            <tr>
                <td><a href=format!("/admin/users/{}", u.username)>{u.username.clone()}</a></td>
                <td class="num">{u.datasets}</td>
                <td class="num">{u.files}</td>
                <td class="num">{storage_of(&u)}</td>
                <td class="num">{u.active_sessions}</td>
                <td class="num">{u.api_keys}</td>
                <td class="num">{u.projects_owned}</td>
                <td class="num">{u.projects_joined}</td>
                <td class="date">{u.last_login.as_deref().map(short_date).unwrap_or_else(|| "never".into())}</td>
                <td class="num">{u.failed_sign_ins}</td>
            </tr>
        }
    };
    view! {
        <DataTable class="users" caption="Figures per user" head>
            {items.into_iter().map(row).collect_view()}
        </DataTable>
    }
}
