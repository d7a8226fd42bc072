//! The page header: site name, navigation, who is signed in, and sign-out.

use crate::api::account::Logout;
use crate::components::forms::reload_to;
use crate::components::session_user::use_session_user;
use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    let user = use_session_user();
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            reload_to("/login");
        }
    });
    view! {
        <header class="site-header">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <a class="brand" href="/">"Gatehouse"</a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) => view! {
                            <nav aria-label="Main" hidden=u.must_change_password>
                                <ul>
                                    <li><a href="/">"Home"</a></li>
                                    <li><a href="/projects">"Projects"</a></li>
                                    <li><a href="/account">"My account"</a></li>
                                    {u.is_admin.then(|| view! { <li><a href="/admin">"Admin"</a></li> })}
                                </ul>
                            </nav>
                            <div class="whoami">
                                <span>"Signed in as "<strong>{u.username.clone()}</strong></span>
                                <ActionForm action=logout>
                                    <button type="submit" class="secondary">"Log out"</button>
                                </ActionForm>
                            </div>
                        }.into_any(),
                        _ => view! { <a class="sign-in" href="/login">"Sign in"</a> }.into_any(),
                    }
                })}
            </Transition>
        </header>
    }
}
