//! The HTML shell, the root component and the route table.

use crate::components::header::Header;
use crate::components::plain_forms::PlainFormsScript;
use crate::components::session_user::provide_session_user;
use crate::pages::admin::{projects::AdminProjectsPage, roles::AdminRolesPage, sessions::AdminSessionsPage, user_edit::*, user_import::ImportUsersPage, users::AdminUsersPage, AdminPage};
use crate::pages::admin::{audit::AdminAuditPage, keys::AdminKeysPage, security::AdminSecurityPage, statistics::AdminStatisticsPage, features::AdminFeaturesPage, outbox::AdminOutboxPage, settings::AdminSettingsPage};
use crate::pages::account_keys::AccountKeysPage;
use crate::pages::account_activity::SecurityActivityPage;
use crate::pages::projects::{dataset::DatasetPage, people::ProjectUsersPage, project::ProjectPage, settings::ProjectSettingsPage, features::ProjectFeaturesPage, ProjectsPage};
use crate::pages::recovery::{ForgotPage, ResetPage, VerifyPage};
use crate::pages::{account::*, home::HomePage, invitation::InvitationPage, login::LoginPage, not_found::NotFoundPage, register::RegisterPage};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The CSP nonce the server's security-headers layer chose for this request.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let request = use_context::<http::request::Parts>();
    #[cfg(feature = "ssr")]
    if let Some(nonce) = request.as_ref().and_then(|p| p.extensions.get::<CspNonce>().cloned()) {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
    #[cfg(feature = "ssr")]
    let plain = request.is_some_and(|p| crate::components::plain_forms::is_plain_page(p.uri.path()));
    #[cfg(not(feature = "ssr"))]
    let plain = false;
    let scripts = if plain {
        Either::Left(view! { <PlainFormsScript/> })
    } else {
        Either::Right(view! { <HydrationScripts options=options.clone()/> })
    };
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                {scripts}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session_user();
    mark_hydrated();
    view! {
        <Title text="Gatehouse"/>
        <Router>
            <Header/>
            <main id="main" tabindex="-1">
                // Every page is rendered whole on the server (Async: data is
                // loaded before the first byte), so it reads right without
                // JavaScript; the browser app then hydrates it.
                <Routes fallback=|| view! { <NotFoundPage/> }>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async/>
                    <Route path=path!("/forgot") view=ForgotPage ssr=SsrMode::Async/>
                    <Route path=path!("/reset") view=ResetPage ssr=SsrMode::Async/>
                    <Route path=path!("/verify") view=VerifyPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/password") view=ForcedPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/keys") view=AccountKeysPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/activity") view=SecurityActivityPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=AdminUsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users/new") view=NewUserPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users/import") view=ImportUsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users/:username") view=EditUserPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/roles") view=AdminRolesPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/sessions") view=AdminSessionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/projects") view=AdminProjectsPage ssr=SsrMode::Async/>
                    <Route path=path!("/projects") view=ProjectsPage ssr=SsrMode::Async/>
                    <Route path=path!("/projects/:slug") view=ProjectPage ssr=SsrMode::Async/>
                    <Route path=path!("/projects/:slug/users") view=ProjectUsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/projects/:slug/settings") view=ProjectSettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/projects/:slug/features") view=ProjectFeaturesPage ssr=SsrMode::Async/>
                    <Route path=path!("/projects/:slug/datasets/:dataset") view=DatasetPage ssr=SsrMode::Async/>
                    <Route path=path!("/invitations/:token") view=InvitationPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/settings") view=AdminSettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/outbox") view=AdminOutboxPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/keys") view=AdminKeysPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=AdminAuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/statistics") view=AdminStatisticsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/features") view=AdminFeaturesPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/security") view=AdminSecurityPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// Sets `data-hydrated` on `<body>` once the browser app has taken over the
/// server-rendered page, so tests (and styles) can tell that forms now run
/// through the app rather than as plain HTML posts.
fn mark_hydrated() {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
