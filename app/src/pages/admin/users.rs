//! `/admin/users`: search, filter, sort and page through users.

use super::AdminNav;
use crate::components::loaded::load;
use crate::components::local_accounts::LocalAccountsOnly;
use crate::api::roles::role_names;
use crate::api::users::{list_users, BulkUsers};
use crate::api::registration::ApproveUser;
use crate::components::data_table::DataTable;
use crate::components::forms::{human_bytes, select_names, Pager};
use crate::model::url::query_string;
use crate::model::*;
use crate::components::reauth::sensitive;
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

pub(super) fn short_date(iso: &str) -> String {
    iso.get(..10).unwrap_or(iso).to_string()
}

/// The list's search, filters, sort and position, read from the URL.
pub(super) fn use_user_query() -> Memo<UserQuery> {
    let params = use_query_map();
    Memo::new(move |_| {
        let q = params.read();
        UserQuery {
            search: q.get("search").unwrap_or_default(),
            role: q.get("role").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
            sort: q.get("sort").unwrap_or_default(),
            after: q.get("after").unwrap_or_default(),
        }
    })
}

/// The address of a list page (`page` is its path) at `cursor`.
pub(super) fn list_href(page: &str, q: &UserQuery, cursor: &str) -> String {
    format!(
        "{page}?{}",
        query_string(&[("search", &q.search), ("role", &q.role), ("status", &q.status), ("sort", &q.sort), ("after", cursor)])
    )
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let query = use_user_query();
    let bulk = sensitive(ServerAction::<BulkUsers>::new());
    let approve = ServerAction::<ApproveUser>::new();
    let page = load(move || (query.get(), bulk.version().get(), approve.version().get()), |(q, _, _)| list_users(q));
    let roles = load(|| (), |_| role_names());
    let selected: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = bulk.value().get() {
            selected.set(Vec::new());
        }
    });
    let next_href = move |cursor: String| list_href("/admin/users", &query.get(), &cursor);
    view! {
        <Title text="Users · Admin · Gatehouse"/>
        <AdminNav current="/admin/users"/>
        <div class="page-head">
            <h1>"Users"</h1>
            <div class="actions">
                <a href=move || {
                    let q = query.get();
                    format!(
                        "/admin/users/export.csv?{}",
                        query_string(&[("search", &q.search), ("role", &q.role), ("status", &q.status), ("sort", &q.sort)])
                    )
                } download="gatehouse-users.csv" rel="external">"Export CSV"</a>
                <LocalAccountsOnly quiet=true>
                    <a href="/admin/users/import">"Import CSV"</a>
                    <a class="button" href="/admin/users/new">"New user"</a>
                </LocalAccountsOnly>
            </div>
        </div>
        <LocalAccountsOnly>{()}</LocalAccountsOnly>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let role_names: Vec<String> = roles.await.unwrap_or_default();
                view! {
                    <UserFilters query role_names=role_names.clone() action="/admin/users"/>
                    <BulkBar selected bulk role_names/>
                }
            })}
        </Transition>
        {move || approve.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })}
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
                            <UserTable items=p.items selected approve/>
                            <Pager start=first_page.then(|| next_href(String::new())) start_label="First page"
                                next=p.next.map(next_href) next_label="Next page"/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// A page of users, each with a checkbox for the bulk actions.
#[component]
fn UserTable(items: Vec<UserListItem>, selected: RwSignal<Vec<String>>, approve: ServerAction<ApproveUser>) -> impl IntoView {
    let on_page: Vec<String> = items.iter().map(|u| u.username.clone()).collect();
    let all_on_page = on_page.clone();
    let head = view! {
        <th scope="col">
            <input type="checkbox" aria-label="Select all users on this page"
                prop:checked=move || !all_on_page.is_empty() && selected.with(|s| all_on_page.iter().all(|u| s.contains(u)))
                on:change=move |ev| select_names(selected, &on_page, event_target_checked(&ev))/>
        </th>
        <th scope="col">"Username"</th>
        <th scope="col">"Name and email"</th>
        <th scope="col">"Roles"</th>
        <th scope="col">"Status"</th>
        <th scope="col" class="num">"Sessions"</th>
        <th scope="col" class="num">"API keys"</th>
        <th scope="col" class="num">"Datasets"</th>
        <th scope="col" class="num">"Storage"</th>
        <th scope="col" class="num">"Projects owned / joined"</th>
        <th scope="col" class="num">{format!("Failed sign-ins ({FAILED_SIGN_IN_DAYS} d)")}</th>
        <th scope="col">"Created"</th>
        <th scope="col">"Last sign-in"</th>
    };
    view! {
        <DataTable class="users" caption="Users" head>
            {items.into_iter().map(|user| view! { <UserRow user selected approve/> }).collect_view()}
        </DataTable>
    }
}

#[component]
fn UserRow(user: UserListItem, selected: RwSignal<Vec<String>>, approve: ServerAction<ApproveUser>) -> impl IntoView {
    let u = user;
    let badges = status_badges(&u);
    let (check_name, toggle_name) = (u.username.clone(), u.username.clone());
    let approve_button = (!u.approved).then(|| {
        let name = u.username.clone();
        view! {
            <button type="button" class="plain" aria-label=format!("Approve {}", u.username)
                on:click=move |_| { approve.dispatch(ApproveUser { username: name.clone() }); }>
                "Approve"
            </button>
        }
    });
    view! {
        <tr>
            <td>
                <input type="checkbox" aria-label=format!("Select {}", u.username)
                    prop:checked=move || selected.with(|s| s.contains(&check_name))
                    on:change=move |ev| select_names(selected, std::slice::from_ref(&toggle_name), event_target_checked(&ev))/>
            </td>
            <td><a href=format!("/admin/users/{}", u.username)>{u.username.clone()}</a></td>
            <td>
                <div>{u.display_name.clone().unwrap_or_default()}</div>
                <div class="muted">{u.email.clone().unwrap_or_default()}</div>
            </td>
            <td>{u.roles.join(", ")}</td>
            <td>
                {badges.into_iter().map(|(kind, text)| view! { <span class=format!("badge {kind}")>{text}</span> }).collect_view()}
                {approve_button}
            </td>
            <td class="num">{u.active_sessions}</td>
            <td class="num">{u.api_keys}</td>
            <td class="num">{u.datasets}</td>
            <td class="num">{human_bytes(u.storage_used)}</td>
            <td class="num">{format!("{} / {}", u.projects_owned, u.projects_joined)}</td>
            <td class="num">{u.failed_sign_ins}</td>
            <td class="date">{short_date(&u.created)}</td>
            <td class="date">{u.last_login.as_deref().map(short_date).unwrap_or_else(|| "never".into())}</td>
        </tr>
    }
}

/// The search, role, status and sort controls; they submit as a GET form to
/// `action` so the URL holds the list's state.
#[component]
pub(super) fn UserFilters(query: Memo<UserQuery>, role_names: Vec<String>, action: &'static str) -> impl IntoView {
    view! {
    <Form method="GET" action=action>
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

const BULK_ACTIONS: &[(&str, &str)] = &[
    ("disable", "Disable"),
    ("enable", "Enable"),
    ("add_role", "Add role"),
    ("remove_role", "Remove role"),
    ("delete", "Delete"),
];

/// Acts on the selected users and reports, user by user, what was done and
/// what was refused.
#[component]
fn BulkBar(selected: RwSignal<Vec<String>>, bulk: ServerAction<BulkUsers>, role_names: Vec<String>) -> impl IntoView {
    let action = RwSignal::new("disable".to_string());
    let role = RwSignal::new(role_names.first().cloned().unwrap_or_default());
    let confirming = RwSignal::new(false);
    let count = move || selected.with(Vec::len);
    let needs_role = move || action.with(|a| a.ends_with("_role"));
    let run = move || {
        confirming.set(false);
        bulk.dispatch(BulkUsers { action: action.get_untracked(), role: role.get_untracked(), usernames: selected.get_untracked() });
    };
    view! {
        <div class="bulk" role="group" aria-label="Bulk actions">
            <span class="count">{move || format!("{} selected", count())}</span>
            <label for="bulk-action">"Action"</label>
            <select id="bulk-action" on:change=move |ev| action.set(event_target_value(&ev))>
                {BULK_ACTIONS.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
            </select>
            <Show when=needs_role>
                <label for="bulk-role">"Role"</label>
                <select id="bulk-role" on:change=move |ev| role.set(event_target_value(&ev))>
                    {role_names.iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
                </select>
            </Show>
            <button type="button" disabled=move || count() == 0 || bulk.pending().get()
                on:click=move |_| if action.get_untracked() == "delete" { confirming.set(true) } else { run() }>
                "Apply to selected"
            </button>
        </div>
        <Show when=move || confirming.get()>
            <div class="confirm" role="alertdialog" aria-labelledby="bulk-confirm">
                <p id="bulk-confirm"><strong>{move || format!("Delete {} users?", count())}</strong>
                    " Their accounts, sessions, tokens and role grants are removed. This cannot be undone."</p>
                <div class="actions">
                    <button type="button" class="danger" on:click=move |_| run()>{move || format!("Delete {} users", count())}</button>
                    <button type="button" class="plain" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </div>
            </div>
        </Show>
        {move || bulk.value().get().map(|result| match result {
            Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
            Ok(outcomes) => {
                let refused = outcomes.iter().filter(|o| !o.done).count();
                view! {
                    <section class="bulk-report card" role="status" aria-labelledby="bulk-report-title">
                        <h2 id="bulk-report-title">{format!("Done for {}, refused for {}", outcomes.len() - refused, refused)}</h2>
                        <ul>
                            {outcomes.into_iter().map(|o| view! {
                                <li class=if o.done { "done" } else { "refused" }>
                                    <strong>{o.username}</strong>": "{if o.done { "" } else { "refused — " }}{o.message}
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                }.into_any()
            }
        })}
    }
}
