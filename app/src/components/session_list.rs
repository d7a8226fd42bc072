//! A table of live sessions with revoke buttons, for "My sessions" and
//! Admin → Sessions.

use crate::api::sessions::{list_sessions, RevokeSession, RevokeUserSessions};
use crate::components::data_table::{DataTable, LoadedList};
use crate::components::loaded::load;
use crate::model::SessionInfo;
use leptos::prelude::*;

/// `username`: that user's sessions (admins); `all`: everyone's (admins);
/// neither: the caller's own.
#[component]
pub fn SessionList(username: Option<String>, #[prop(optional)] all: bool) -> impl IntoView {
    let revoke = ServerAction::<RevokeSession>::new();
    let revoke_user = ServerAction::<RevokeUserSessions>::new();
    let show_user = all;
    let target = username.clone();
    let sessions = load(
        move || (revoke.version().get(), revoke_user.version().get()),
        move |_| list_sessions(target.clone(), all),
    );
    let failure = Signal::derive(move || {
        revoke.value().get().and_then(Result::err).or_else(|| revoke_user.value().get().and_then(Result::err)).map(|e| e.message())
    });
    let bulk_label = match &username {
        Some(name) => format!("Revoke all sessions of {name}"),
        None => "Sign out all other sessions".to_string(),
    };
    let bulk_target = username.clone();
    view! {
        {move || failure.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
        <LoadedList list=sessions loading="Loading sessions…" empty="No active sessions." let:list>
            <SessionTable list show_user revoke/>
        </LoadedList>
        {(!all).then(|| view! {
            <div class="actions">
                <button type="button" class="plain" on:click=move |_| {
                    revoke_user.dispatch(RevokeUserSessions { username: bulk_target.clone() });
                }>{bulk_label.clone()}</button>
            </div>
        })}
    }
}

#[component]
fn SessionTable(list: Vec<SessionInfo>, show_user: bool, revoke: ServerAction<RevokeSession>) -> impl IntoView {
    let head = view! {
        {show_user.then(|| view! { <th scope="col">"User"</th> })}
        <th scope="col">"Browser"</th>
        <th scope="col">"Address"</th>
        <th scope="col">"Signed in"</th>
        <th scope="col">"Last seen"</th>
        <th scope="col">"Actions"</th>
    };
    view! {
        <DataTable class="sessions" caption="Active sessions" head>
            {list.into_iter().map(|session| view! { <SessionRow session show_user revoke/> }).collect_view()}
        </DataTable>
    }
}

#[component]
fn SessionRow(session: SessionInfo, show_user: bool, revoke: ServerAction<RevokeSession>) -> impl IntoView {
    let s = session;
    let id = s.id.clone();
    let action = if s.this_device {
        view! { <strong>"This device"</strong> }.into_any()
    } else {
        view! {
            <button type="button" class="plain" aria-label=format!("Revoke session {}", s.id)
                on:click=move |_| { revoke.dispatch(RevokeSession { id: id.clone() }); }>
                "Revoke"
            </button>
        }
        .into_any()
    };
    view! {
        <tr>
            {show_user.then(|| view! { <td>{s.username.clone()}</td> })}
            <td class="ua">{s.user_agent.clone().unwrap_or_else(|| "unknown".into())}</td>
            <td>{s.ip.clone().unwrap_or_else(|| "unknown".into())}</td>
            <td class="date">{s.created.replace('T', " ").replace('Z', " UTC")}</td>
            <td class="date">{s.last_seen.replace('T', " ").replace('Z', " UTC")}</td>
            <td>{action}</td>
        </tr>
    }
}
