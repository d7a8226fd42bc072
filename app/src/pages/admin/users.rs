//! `/admin/users`: search, filter, sort and page through users.

use super::AdminNav;
use crate::api::admin_users::{list_roles, list_users};
use crate::model::url::query_string;
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

fn status_badges(u: &UserListItem) -> Vec<(&'static str, &'static str)> {
    let mut badges = Vec::new();
    badges.push(if u.enabled { ("ok", "Enabled") } else { ("off", "Disabled") });
    if u.locked {
        badges.push(("warn", "Locked"));
    }
    if !u.verified {
        badges.push(("warn", "Unverified"));
    }
    if !u.approved {
        badges.push(("warn", "Awaiting approval"));
    }
    badges
}

fn short_date(iso: &str) -> String {
    iso.get(..10).unwrap_or(iso).to_string()
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let q = params.read();
        UserQuery {
            search: q.get("search").unwrap_or_default(),
            role: q.get("role").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
            sort: q.get("sort").unwrap_or_default(),
            after: q.get("after").unwrap_or_default(),
        }
    });
    let page = Resource::new(move || query.get(), list_users);
    let roles = Resource::new(|| (), |_| list_roles());
    let next_href = move |cursor: String| {
        let q = query.get();
        format!(
            "/admin/users?{}",
            query_string(&[("search", &q.search), ("role", &q.role), ("status", &q.status), ("sort", &q.sort), ("after", &cursor)])
        )
    };
    view! {
        <Title text="Users · Admin · Gatehouse"/>
        <AdminNav current="/admin/users"/>
        <div class="page-head">
            <h1>"Users"</h1>
            <a class="button" href="/admin/users/new">"New user"</a>
        </div>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let role_names: Vec<String> = roles.await.map(|r| r.into_iter().map(|r| r.name).collect()).unwrap_or_default();
                view! { <UserFilters query role_names/> }
            })}
        </Transition>
        <Transition fallback=|| view! { <p>"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <div class="empty card">
                            <p><strong>"No users match these filters."</strong></p>
                            <p><a href="/admin/users">"Clear the filters"</a>" or "<a href="/admin/users/new">"create a user"</a>"."</p>
                        </div>
                    }.into_any(),
                    Ok(p) => {
                        let first_page = !query.get_untracked().after.is_empty();
                        view! {
                            <div class="table-wrap">
                                <table class="users">
                                    <caption class="visually-hidden">"Users"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Username"</th>
                                            <th scope="col">"Name and email"</th>
                                            <th scope="col">"Roles"</th>
                                            <th scope="col">"Status"</th>
                                            <th scope="col" class="num">"Sessions"</th>
                                            <th scope="col" class="num">"API keys"</th>
                                            <th scope="col" class="num">"Datasets"</th>
                                            <th scope="col" class="num">"Storage"</th>
                                            <th scope="col">"Created"</th>
                                            <th scope="col">"Last sign-in"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p.items.into_iter().map(|u| {
                                            let badges = status_badges(&u);
                                            view! {
                                                <tr>
                                                    <td><a href=format!("/admin/users/{}", u.username)>{u.username.clone()}</a></td>
                                                    <td>
                                                        <div>{u.display_name.clone().unwrap_or_default()}</div>
                                                        <div class="muted">{u.email.clone().unwrap_or_default()}</div>
                                                    </td>
                                                    <td>{u.roles.join(", ")}</td>
                                                    <td>{badges.into_iter().map(|(kind, text)| view! {
                                                        <span class=format!("badge {kind}")>{text}</span>
                                                    }).collect_view()}</td>
                                                    <td class="num">{u.active_sessions}</td>
                                                    <td class="num">{u.api_keys}</td>
                                                    <td class="num">{u.datasets}</td>
                                                    <td class="num">{format!("{} B", u.storage_used)}</td>
                                                    <td class="date">{short_date(&u.created)}</td>
                                                    <td class="date">{u.last_login.as_deref().map(short_date).unwrap_or_else(|| "never".into())}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <nav class="pager" aria-label="Pages">
                                {first_page.then(|| view! { <a href=next_href(String::new())>"First page"</a> })}
                                {p.next.map(|cursor| view! { <a href=next_href(cursor) rel="next">"Next page"</a> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The search, role, status and sort controls; they submit as a GET form so
/// the URL holds the list's state.
#[component]
fn UserFilters(query: Memo<UserQuery>, role_names: Vec<String>) -> impl IntoView {
    view! {
    <Form method="GET" action="/admin/users">
        <div class="filters" role="search">
            <div class="field">
                <label for="filter-search">"Search"</label>
                <input id="filter-search" type="search" name="search" placeholder="Username, name or email"
                    prop:value=move || query.get().search/>
            </div>
            <div class="field">
                <label for="filter-role">"Role"</label>
                <select id="filter-role" name="role">
                    <option value="">"Any role"</option>
                    {role_names.into_iter().map(|role| {
                        let (value, label, selected_if) = (role.clone(), role.clone(), role);
                        view! { <option value=value selected=move || query.get().role == selected_if>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-status">"Status"</label>
                <select id="filter-status" name="status">
                    {USER_STATUSES.iter().map(|(value, label)| view! {
                        <option value=*value selected=move || query.get().status == *value>{*label}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-sort">"Sort by"</label>
                <select id="filter-sort" name="sort">
                    {USER_SORTS.iter().map(|(value, label)| view! {
                        <option value=*value selected=move || query.get().sort == *value>{*label}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit">"Apply"</button>
        </div>
    </Form>
    }
}
