//! The HTML shell, the root component and the route table.

use crate::bundles::page_elsewhere_or;
use crate::components::header::Header;
use crate::components::plain_forms::PlainFormsScript;
use crate::components::reauth::ReauthDialog;
use crate::components::session_user::provide_session_user;
use crate::pages::not_found::NotFoundPage;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    any_nested_route::{AnyNestedRoute, IntoAnyNestedRoute},
    components::{Route, Router, Routes},
    path, GeneratedRouteData, MatchNestedRoutes, RouteMatchId, SsrMode,
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
    let plain = request.as_ref().is_some_and(|p| crate::components::plain_forms::is_plain_page(p.uri.path()));
    #[cfg(not(feature = "ssr"))]
    let plain = false;
    let scripts = if plain {
        Either::Left(view! { <PlainFormsScript/> })
    } else {
        // The wasm of the page's bundle (crate::bundles).
        #[cfg(feature = "ssr")]
        let bundle_options = request.as_ref().map_or(options.clone(), |p| crate::bundles::hydration_options(&options, p.uri.path()));
        #[cfg(not(feature = "ssr"))]
        let bundle_options = options.clone();
        Either::Right(view! { <HydrationScripts options=bundle_options/> })
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
    crate::components::reauth::provide_reauth();
    mark_hydrated();
    view! {
        <Title text="Gatehouse"/>
        <Router>
            <Header/>
            <main id="main" tabindex="-1">
                // Every page is rendered whole on the server (Async: data is
                // loaded before the first byte), so it reads right without
                // JavaScript; the browser app then hydrates it.
                <Routes fallback=page_elsewhere_or(|| view! { <NotFoundPage/> })>
                    <SignedOutPages/>
                    <MyPages/>
                    <AdminPeoplePages/>
                    <AdminSitePages/>
                </Routes>
            </main>
            <ReauthDialog/>
        </Router>
    }
}

// The route table in four groups: the plain pages, in every build, and
// one group per bundle of the browser app (crate::bundles), each written
// inside `route_group!`, so a wasm built without a bundle's feature has no
// routes for it. Each group's paths are the ones `Bundle::for_path` gives it.

/// Sign-in, registration, recovery, invitations and confirming the
/// password before a sensitive action: plain pages, whose
/// views stay on the server, in every build.
#[component(transparent)]
fn SignedOutPages() -> AnyNestedRoute {
    use crate::pages::recovery::{ForgotPage, ResetPage, VerifyPage};
    use crate::pages::{invitation::InvitationPage, login::LoginPage, reauth::ReauthPage, register::RegisterPage};
    view! {
        <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
        <Route path=path!("/reauth") view=ReauthPage ssr=SsrMode::Async/>
        <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async/>
        <Route path=path!("/forgot") view=ForgotPage ssr=SsrMode::Async/>
        <Route path=path!("/reset") view=ResetPage ssr=SsrMode::Async/>
        <Route path=path!("/verify") view=VerifyPage ssr=SsrMode::Async/>
        <Route path=path!("/invitations/:token") view=InvitationPage ssr=SsrMode::Async/>
    }
    .into_inner()
    .into_any_nested_route()
}

/// A bundle's route group: the routes `$routes` makes (its `use` lines and
/// its `view!`) in a build with the bundle's cargo feature (`pages-<name>`),
/// and none in another, where dead-code elimination then drops the pages.
macro_rules! route_group {
    ($feature:literal, $routes:block) => {{
        #[cfg(feature = $feature)]
        let routes = $routes.into_inner().into_any_nested_route();
        #[cfg(not(feature = $feature))]
        let routes = NoPages.into_any_nested_route();
        routes
    }};
}

/// Home, the user's account pages and projects (`Bundle::Mine`).
#[component(transparent)]
fn MyPages() -> AnyNestedRoute {
    route_group!("pages-mine", {
        use crate::pages::account_activity::SecurityActivityPage;
        use crate::pages::account_credentials::AccountCredentialsPage;
        use crate::pages::account_security::AccountSecurityPage;
        use crate::pages::projects::{dataset::DatasetPage, features::ProjectFeaturesPage, people::ProjectUsersPage, project::ProjectPage, settings::ProjectSettingsPage, ProjectsPage};
        use crate::pages::{account::*, home::HomePage};
        view! {
            <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
            <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
            <Route path=path!("/account/password") view=ForcedPasswordPage ssr=SsrMode::Async/>
            <Route path=path!("/account/keys") view=AccountCredentialsPage ssr=SsrMode::Async/>
            <Route path=path!("/account/activity") view=SecurityActivityPage ssr=SsrMode::Async/>
            <Route path=path!("/account/security") view=AccountSecurityPage ssr=SsrMode::Async/>
            <Route path=path!("/projects") view=ProjectsPage ssr=SsrMode::Async/>
            <Route path=path!("/projects/:slug") view=ProjectPage ssr=SsrMode::Async/>
            <Route path=path!("/projects/:slug/users") view=ProjectUsersPage ssr=SsrMode::Async/>
            <Route path=path!("/projects/:slug/settings") view=ProjectSettingsPage ssr=SsrMode::Async/>
            <Route path=path!("/projects/:slug/features") view=ProjectFeaturesPage ssr=SsrMode::Async/>
            <Route path=path!("/projects/:slug/datasets/:dataset") view=DatasetPage ssr=SsrMode::Async/>
        }
    })
}

/// The admin overview, users, roles and sessions (`Bundle::AdminPeople`).
#[component(transparent)]
fn AdminPeoplePages() -> AnyNestedRoute {
    route_group!("pages-admin-people", {
        use crate::pages::admin::{roles::AdminRolesPage, sessions::AdminSessionsPage, user_edit::*, user_import::ImportUsersPage, users::AdminUsersPage, AdminPage};
        view! {
            <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/users") view=AdminUsersPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/users/new") view=NewUserPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/users/import") view=ImportUsersPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/users/:username") view=EditUserPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/roles") view=AdminRolesPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/sessions") view=AdminSessionsPage ssr=SsrMode::Async/>
        }
    })
}

/// The admin pages about the site: projects, settings, security, keys,
/// audit, statistics, features, outbox (`Bundle::AdminSite`).
#[component(transparent)]
fn AdminSitePages() -> AnyNestedRoute {
    route_group!("pages-admin-site", {
        use crate::pages::admin::{audit::AdminAuditPage, features::AdminFeaturesPage, credentials::AdminCredentialsPage, outbox::AdminOutboxPage, projects::AdminProjectsPage};
        use crate::pages::admin::{security::AdminSecurityPage, settings::AdminSettingsPage, statistics::AdminStatisticsPage};
        view! {
            <Route path=path!("/admin/projects") view=AdminProjectsPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/settings") view=AdminSettingsPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/outbox") view=AdminOutboxPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/keys") view=AdminCredentialsPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/audit") view=AdminAuditPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/statistics") view=AdminStatisticsPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/features") view=AdminFeaturesPage ssr=SsrMode::Async/>
            <Route path=path!("/admin/security") view=AdminSecurityPage ssr=SsrMode::Async/>
        }
    })
}

/// The routes of a group left out of this build: they match no address
/// (where `()`, a route with no children, would match every one).
#[derive(Clone)]
#[cfg_attr(feature = "ssr", allow(dead_code))] // the server has every group
struct NoPages;

impl MatchNestedRoutes for NoPages {
    type Data = ();
    type Match = ();

    fn optional(&self) -> bool {
        false
    }

    fn match_nested<'a>(&self, path: &'a str) -> (Option<(RouteMatchId, ())>, &'a str) {
        (None, path)
    }

    fn generate_routes(&self) -> impl IntoIterator<Item = GeneratedRouteData> + '_ {
        std::iter::empty()
    }
}

/// Sets `data-hydrated` on `<body>` once the browser app has taken over the
/// server-rendered page, so tests (and styles) can tell that forms now run
/// through the app rather than as plain HTML posts.
fn mark_hydrated() {
    Effect::new(move |_| {
        crate::bundles::mark_taken_over();
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::bundles::Bundle;
    use crate::components::plain_forms::is_plain_page;
    use leptos_router::PathSegment;

    /// The route group of each bundle (a new bundle needs one).
    fn group_of(bundle: Bundle) -> AnyNestedRoute {
        match bundle {
            Bundle::Mine => MyPages(),
            Bundle::AdminPeople => AdminPeoplePages(),
            Bundle::AdminSite => AdminSitePages(),
        }
    }

    /// Each route's address, with a sample value for each parameter.
    fn addresses(routes: AnyNestedRoute) -> Vec<String> {
        let routes: Vec<_> = routes.generate_routes().into_iter().collect();
        routes
            .iter()
            .map(|route| {
                let segments = route.segments.iter().map(|segment| match segment {
                    PathSegment::Static(text) => text.trim_matches('/').to_string(),
                    PathSegment::Unit => String::new(),
                    _ => "sample".to_string(),
                });
                let address: String = segments.filter(|s| !s.is_empty()).map(|s| format!("/{s}")).collect();
                if address.is_empty() { "/".to_string() } else { address }
            })
            .collect()
    }

    #[test]
    fn every_route_is_in_the_group_of_the_bundle_its_address_loads() {
        let signed_out = addresses(SignedOutPages());
        assert_eq!(signed_out.len(), 7);
        for address in signed_out {
            assert!(is_plain_page(&address), "{address} loads no wasm, so it may sit in every build");
        }
        for bundle in Bundle::ALL {
            let group = addresses(group_of(bundle));
            assert!(group.len() >= 5, "{bundle:?}: {group:?}");
            for address in group {
                assert_eq!(Bundle::for_path(&address), bundle, "{address}");
            }
        }
    }

    #[test]
    fn a_group_left_out_of_a_build_matches_no_address() {
        for address in ["/", "/admin", "/admin/users/bob"] {
            assert!(NoPages.match_nested(address).0.is_none(), "{address}");
        }
    }
}
