//! `/projects/:slug/users`: the project's groups; for its owners also
//! adding, moving and removing users, the access-request queue and invitations.

use super::project::WithProject;
use crate::api::{project_members::*, access_requests::*, invitations::*};
use crate::components::forms::{day_of, field_error, form_error, posts_to, BoundField, FormError, Select, GROUP_OPTIONS};
use crate::components::loaded::load;
use crate::model::*;
use leptos::prelude::*;

#[component]
pub fn ProjectUsersPage() -> impl IntoView {
    view! { <WithProject tab="users" body=|d| view! { <People detail=d/> }/> }
}

/// Every action on this tab, so one version counter reloads the lists.
/// A row's group change (`set`) and the "Add a user" form (`add`) call the
/// same server function but keep their refusals apart; `set` is a plain
/// action, so a refusal that a form posted without JavaScript carries back
/// in the address shows only in the form.
#[derive(Clone, Copy)]
struct Actions {
    set: Action<SetProjectMember, Result<String, AppError>>,
    add: ServerAction<SetProjectMember>,
    remove: ServerAction<RemoveProjectMember>,
    decide: ServerAction<DecideAccessRequest>,
    invite: ServerAction<InviteToProject>,
    revoke: ServerAction<RevokeInvitation>,
}

impl Actions {
    fn version(&self) -> usize {
        self.set.version().get() + self.add.version().get() + self.remove.version().get() + self.decide.version().get() + self.invite.version().get() + self.revoke.version().get()
    }

    /// The latest refusal of the row actions, shown above the lists.
    fn row_error(&self) -> Option<AppError> {
        [self.remove.value().get(), self.decide.value().get().map(|r| r.map(|_| ())), self.revoke.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
    }
}

#[component]
fn People(detail: ProjectDetail) -> impl IntoView {
    let actions = Actions {
        set: Action::new(|input: &SetProjectMember| {
            let SetProjectMember { slug, user, role } = input.clone();
            set_project_member(slug, user, role)
        }),
        add: ServerAction::new(),
        remove: ServerAction::new(),
        decide: ServerAction::new(),
        invite: ServerAction::new(),
        revoke: ServerAction::new(),
    };
    let slug = detail.summary.slug.clone();
    let people = load(move || (slug.clone(), actions.version()), |(slug, _)| load_project_people(slug));
    let manage = detail.rights.manage;
    let slug = detail.summary.slug.clone();
    view! {
        {move || actions.row_error().map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })}
        <Transition fallback=|| view! { <p>"Loading users…"</p> }>
            {move || {
                let slug = slug.clone();
                Suspend::new(async move {
                    match people.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                        Ok(p) => view! {
                            {manage.then(|| view! { <RequestQueue slug=slug.clone() requests=p.requests.clone() actions/> })}
                            <Members slug=slug.clone() members=p.members manage actions/>
                            {manage.then(|| view! { <Invitations slug=slug.clone() invitations=p.invitations actions/> })}
                        }.into_any(),
                    }
                })
            }}
        </Transition>
        {manage.then(|| view! { <AddMember slug=detail.summary.slug.clone() actions/> {detail.rights.invite_members.then(|| view! { <InviteForm slug=detail.summary.slug.clone() actions/> })} })}
    }
}

#[component]
fn Members(slug: String, members: Vec<ProjectMember>, manage: bool, actions: Actions) -> impl IntoView {
    view! {
        <h2>"Users"</h2>
        <table class="members">
            <caption class="visually-hidden">"Project users"</caption>
            <thead><tr>
                <th scope="col">"User"</th><th scope="col">"Email"</th><th scope="col">"Group"</th><th scope="col">"Since"</th>
                {manage.then(|| view! { <th scope="col">"Actions"</th> })}
            </tr></thead>
            <tbody>
                {members.into_iter().map(|m| {
                    let (slug, slug2, user, user2) = (slug.clone(), slug.clone(), m.username.clone(), m.username.clone());
                    let group = RwSignal::new(m.role.as_str().to_string());
                    let label = format!("Group of {}", m.username);
                    view! {
                        <tr>
                            <td>{m.username.clone()}{m.display_name.clone().map(|d| view! { <span class="muted">{format!(" ({d})")}</span> })}</td>
                            <td>{m.email.clone().unwrap_or_default()}</td>
                            <td>{if manage {
                                view! {
                                    <select aria-label=label prop:value=move || group.get() on:change=move |ev| {
                                        let role = event_target_value(&ev);
                                        group.set(role.clone());
                                        actions.set.dispatch(SetProjectMember { slug: slug.clone(), user: user.clone(), role });
                                    }>
                                        {GROUP_OPTIONS.map(|(v, l)| view! { <option value=v selected=m.role.as_str() == v>{l}</option> }).collect_view()}
                                    </select>
                                }.into_any()
                            } else {
                                m.role.group().into_any()
                            }}</td>
                            <td>{day_of(m.since)}</td>
                            {manage.then(|| view! {
                                <td><button type="button" class="plain" on:click=move |_| {
                                    actions.remove.dispatch(RemoveProjectMember { slug: slug2.clone(), username: user2.clone() });
                                }>{format!("Remove {}", m.username)}</button></td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || actions.set.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })}
    }
}

#[component]
fn RequestQueue(slug: String, requests: Vec<AccessRequestInfo>, actions: Actions) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="queue-title">
            <h2 id="queue-title">{format!("Access requests ({})", requests.len())}</h2>
            {requests.is_empty().then(|| view! { <p class="empty">"No one is waiting. Requests from people who ask to join appear here, and you get an email for each."</p> })}
            <ul class="requests">
                {requests.into_iter().map(|r| {
                    let (slug_a, slug_d) = (slug.clone(), slug.clone());
                    let role = RwSignal::new("member".to_string());
                    let reason = RwSignal::new(String::new());
                    let id = r.id;
                    let who = match &r.display_name { Some(d) => format!("{d} ({})", r.username), None => r.username.clone() };
                    view! {
                        <li class="request">
                            <p><strong>{who.clone()}</strong>{format!(" asked on {}", day_of(r.created_at))}</p>
                            {(!r.message.is_empty()).then(|| view! { <blockquote>{r.message.clone()}</blockquote> })}
                            <div class="inline-form">
                                <Select label="Group" id=format!("request-{id}-role") value=role options=GROUP_OPTIONS.to_vec()/>
                                <button type="button" on:click=move |_| {
                                    actions.decide.dispatch(DecideAccessRequest { slug: slug_a.clone(), id, role: role.get_untracked(), reason: String::new() });
                                }>{format!("Approve {}", r.username)}</button>
                            </div>
                            <div class="inline-form">
                                <div class="field">
                                    <label for=format!("request-{id}-reason")>"Reason (optional)"</label>
                                    <input id=format!("request-{id}-reason") bind:value=reason/>
                                </div>
                                <button type="button" class="secondary" on:click=move |_| {
                                    actions.decide.dispatch(DecideAccessRequest { slug: slug_d.clone(), id, role: String::new(), reason: reason.get_untracked() });
                                }>{format!("Deny {}", r.username)}</button>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn AddMember(slug: String, actions: Actions) -> impl IntoView {
    let (user, role) = (RwSignal::new(String::new()), RwSignal::new("member".to_string()));
    let error = Signal::derive(move || actions.add.value().get().and_then(Result::err));
    let submit = {
        let slug = slug.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            actions.add.dispatch(SetProjectMember { slug: slug.clone(), user: user.get_untracked(), role: role.get_untracked() });
        }
    };
    view! {
        <form class="card" action={posts_to::<SetProjectMember>()} method="post" on:submit=submit novalidate aria-labelledby="add-title">
            <h2 id="add-title">"Add a user"</h2>
            <input type="hidden" name="slug" value=slug/>
            <FormError message=form_error(error, &["user", "role"])/>
            <BoundField label="Username or email" id="member_user" name="user" value=user required=true error=field_error(error, "user")/>
            <Select label="Group" id="member_role".to_string() name="role" value=role options=GROUP_OPTIONS.to_vec() error=field_error(error, "role")/>
            <button type="submit" disabled=move || actions.add.pending().get()>"Add user"</button>
        </form>
    }
}

#[component]
fn InviteForm(slug: String, actions: Actions) -> impl IntoView {
    let (email, role) = (RwSignal::new(String::new()), RwSignal::new("member".to_string()));
    let error = Signal::derive(move || actions.invite.value().get().and_then(Result::err));
    let sent = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(())) = actions.invite.value().get() {
            sent.set(Some(email.get_untracked()));
            email.set(String::new());
        }
    });
    let submit = {
        let slug = slug.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            actions.invite.dispatch(InviteToProject { slug: slug.clone(), email: email.get_untracked(), role: role.get_untracked() });
        }
    };
    view! {
        <form class="card" action={posts_to::<InviteToProject>()} method="post" on:submit=submit novalidate aria-labelledby="invite-title">
            <h2 id="invite-title">"Invite by email"</h2>
            <input type="hidden" name="slug" value=slug/>
            <p class="muted">"The link lets them join at once, creating an account if they have none."</p>
            {move || sent.get().map(|to| view! { <p class="notice" role="status">{format!("Invitation sent to {to}.")}</p> })}
            <FormError message=form_error(error, &["email", "role"])/>
            <BoundField label="Email" id="invite_email" name="email" kind="email" value=email required=true error=field_error(error, "email")/>
            <Select label="Group" id="invite_role".to_string() name="role" value=role options=GROUP_OPTIONS.to_vec() error=field_error(error, "role")/>
            <button type="submit" disabled=move || actions.invite.pending().get()>"Send invitation"</button>
        </form>
    }
}

#[component]
fn Invitations(slug: String, invitations: Vec<InvitationInfo>, actions: Actions) -> impl IntoView {
    (!invitations.is_empty()).then(|| view! {
        <h2>"Invitations"</h2>
        <table>
            <caption class="visually-hidden">"Invitations"</caption>
            <thead><tr><th scope="col">"Email"</th><th scope="col">"Group"</th><th scope="col">"Sent by"</th><th scope="col">"Status"</th><th scope="col">"Actions"</th></tr></thead>
            <tbody>
                {invitations.into_iter().map(|i| {
                    let slug = slug.clone();
                    let status = match (i.status, &i.accepted_by) {
                        (InvitationStatus::Accepted, Some(by)) => format!("accepted by {by}"),
                        (InvitationStatus::Open, _) => format!("open until {}", day_of(i.expires_at)),
                        (s, _) => format!("{s:?}").to_lowercase(),
                    };
                    view! {
                        <tr>
                            <td>{i.email.clone()}</td>
                            <td>{i.role.group()}</td>
                            <td>{i.invited_by.clone()}</td>
                            <td>{status}</td>
                            <td>{(i.status == InvitationStatus::Open).then(|| view! {
                                <button type="button" class="plain" on:click=move |_| {
                                    actions.revoke.dispatch(RevokeInvitation { slug: slug.clone(), id: i.id });
                                }>{format!("Revoke invitation for {}", i.email)}</button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    })
}
