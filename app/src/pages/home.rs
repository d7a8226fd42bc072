//! `/`: the signed-in user's start page.

use crate::components::session_user::use_session_user;
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
                            <section class="card" aria-labelledby="home-title">
                                <h1 id="home-title">"Welcome, " {name}</h1>
                                <p>"Gatehouse manages your account and your access to research projects."</p>
                                <ul class="links">
                                    <li><a href="/account">"My account"</a>": your profile and password."</li>
                                    {u.is_admin.then(|| view! {
                                        <li><a href="/admin">"Admin"</a>": users, sessions and site settings."</li>
                                    })}
                                </ul>
                            </section>
                        }.into_any()
                    }
                    _ => view! {
                        <section class="card">
                            <h1>"Welcome to Gatehouse"</h1>
                            <p><a href="/login">"Sign in"</a>" to continue."</p>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
