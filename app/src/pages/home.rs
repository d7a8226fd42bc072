//! `/`: the signed-in user's start page — what needs them: their projects
//! and requests, invitations waiting for them, requests waiting on the
//! projects they own, and for admins what waits on the site.

use crate::api::home::load_home;
use crate::api::invitations::AcceptMyInvitation;
use crate::components::forms::{day_of, failure, reload_to, FormError};
use crate::components::loaded::load;
use crate::components::session_user::use_session_user;
use crate::model::*;
use crate::pages::projects::MyRequests;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let user = use_session_user();
    view! {
        <Title text="Home · Gatehouse"/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(u)) => {
                        let name = u.display_name.clone().unwrap_or_else(|| u.username.clone());
                        view! {
                            <h1 id="home-title">"Welcome, " {name}</h1>
                            <Summary/>
                        }.into_any()
                    }
                    _ => view! {
                        <section class="card">
                            <h1>"Welcome to Gatehouse"</h1>
                            <p>"Gatehouse manages your account and your access to research projects."</p>
                            <p><a href="/login">"Sign in"</a>" to continue."</p>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Summary() -> impl IntoView {
    let summary = load(|| (), |_| load_home());
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(s) => view! {
                        {s.admin.map(|a| view! { <SiteAttention a/> })}
                        {(!s.waiting_on_me.is_empty()).then(|| view! { <WaitingOnMe list=s.waiting_on_me/> })}
                        {(!s.invitations.is_empty()).then(|| view! { <Invitations list=s.invitations/> })}
                        <MyProjects list=s.projects total=s.project_count/>
                        {(!s.requests.is_empty()).then(|| view! { <MyRequests list=s.requests/> })}
                        <section class="card" aria-labelledby="account-links">
                            <h2 id="account-links">"Your account"</h2>
                            <ul class="links">
                                <li><a href="/account">"My account"</a>": your profile, password and sessions."</li>
                                <li><a href="/account/keys">"API keys and tokens"</a>" for your scripts."</li>
                            </ul>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One line of the admin's list: a count, what it counts, and where to act.
fn attention_item(count: i64, one: &'static str, many: &'static str, href: &'static str, act: &'static str) -> impl IntoView {
    let text = format!("{count} {}", if count == 1 { one } else { many });
    let class = if count > 0 { "needs" } else { "calm" };
    view! {
        <li class=class>
            <span class="count">{text}</span>" · "<a href=href>{act}</a>
        </li>
    }
}

#[component]
fn SiteAttention(a: AdminAttention) -> impl IntoView {
    let undelivered = a.outbox_pending + a.outbox_failed;
    let all_clear = a.awaiting_approval == 0 && a.locked == 0 && undelivered == 0;
    view! {
        <section class="card" aria-labelledby="site-attention">
            <h2 id="site-attention">"Waiting on the site's admins"</h2>
            {all_clear.then(|| view! { <p>"Nothing waits: no registrations to approve, no locked accounts, every email delivered."</p> })}
            {(!all_clear).then(|| view! {
                <ul class="attention">
                    {attention_item(a.awaiting_approval, "registration awaiting approval", "registrations awaiting approval",
                        "/admin/users?status=awaiting", "review them")}
                    {attention_item(a.locked, "locked account", "locked accounts", "/admin/security", "see and unlock")}
                    {attention_item(undelivered, "email not delivered", "emails not delivered", "/admin/outbox", "open the outbox")}
                </ul>
            })}
            {(a.outbox_failed > 0).then(|| view! {
                <p class="muted">{format!("{} of them failed for good; the rest are being retried.", a.outbox_failed)}</p>
            })}
        </section>
    }
}

#[component]
fn WaitingOnMe(list: Vec<ProjectWaiting>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="waiting-on-me">
            <h2 id="waiting-on-me">"Access requests waiting on your projects"</h2>
            <ul class="attention">
                {list.into_iter().map(|p| {
                    let text = format!("{} waiting", p.pending);
                    view! {
                        <li class="needs">
                            <a href=format!("/projects/{}/users", p.slug)>{p.name}</a>": "<span class="count">{text}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Invitations(list: Vec<WaitingInvitation>) -> impl IntoView {
    let accept = ServerAction::<AcceptMyInvitation>::new();
    Effect::new(move |_| {
        if let Some(Ok(slug)) = accept.value().get() {
            reload_to(&format!("/projects/{slug}"));
        }
    });
    view! {
        <section class="card" aria-labelledby="invitations-title">
            <h2 id="invitations-title">"Invitations for you"</h2>
            <FormError message=failure(accept.value())/>
            <ul class="invitations">
                {list.into_iter().map(|i| {
                    let text = format!("{} invited you to join as {} (until {}).", i.invited_by, i.role.group(), day_of(i.expires_at));
                    view! {
                        <li>
                            <strong>{i.project_name}</strong>" — "{text}
                            <ActionForm action=accept attr:class="inline">
                                <input type="hidden" name="id" value=i.id.to_string()/>
                                <button type="submit" disabled=move || accept.pending().get()>"Accept"</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn MyProjects(list: Vec<MyProject>, total: i64) -> impl IntoView {
    let more = total - list.len() as i64;
    view! {
        <section class="card" aria-labelledby="my-projects">
            <h2 id="my-projects">"Your projects"</h2>
            {list.is_empty().then(|| view! {
                <p class="empty">"You are not in any project yet. "<a href="/projects">"Browse the projects"</a>" and ask for access, or start your own."</p>
            })}
            <ul class="links">
                {list.into_iter().map(|p| view! {
                    <li><a href=format!("/projects/{}", p.slug)>{p.name}</a>" — "{p.role.group()}</li>
                }).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p><a href="/projects">{format!("All your projects ({total})")}</a></p> })}
        </section>
    }
}
