//! The browser app in bundles: which pages' code each wasm carries, and
//! which wasm the server names for a page.
//!
//! One wasm with every page is about 490 KB brotli, most of it page code
//! spread thin over many pages. The release build (`release_build` in
//! `scripts/env.sh`) makes one wasm per [`Bundle`] instead, each built with
//! only its pages (cargo features `pages-<name>`): the main wasm carries the
//! signed-in user's own pages, and each admin bundle has a hash file of its
//! own beside the server (`hash-<name>.txt`), listed in `hash.txt`
//! (`bundles: …`). A page loads the wasm of its bundle
//! ([`Bundle::for_path`]); following a link within the app to a page of
//! another bundle loads that page from the server ([`load_from_server`]), as
//! a plain link would.
//!
//! A `cargo leptos build` on its own writes a `hash.txt` without that list:
//! its one wasm has every page and serves them all.

use leptos::prelude::*;

/// A set of pages whose code ships in one wasm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// Home, the user's account pages and projects: the main wasm.
    Mine,
    /// The admin overview and the pages about people: users, roles, sessions.
    AdminPeople,
    /// Every other admin page (roles, sessions, settings, security, …).
    AdminSite,
}

impl Bundle {
    /// The bundles that have a wasm of their own (the main wasm is `Mine`'s).
    pub const SEPARATE: [Bundle; 2] = [Bundle::AdminPeople, Bundle::AdminSite];

    /// The name in its cargo feature (`pages-<name>`) and hash file.
    pub const fn name(self) -> &'static str {
        match self {
            Bundle::Mine => "mine",
            Bundle::AdminPeople => "admin-people",
            Bundle::AdminSite => "admin-site",
        }
    }

    /// The bundle that carries the page at `path`. The route groups in
    /// `app.rs` follow this rule (a test checks every route against it).
    pub fn for_path(path: &str) -> Bundle {
        // The router matches `/admin/` as `/admin`.
        let path = path.trim_end_matches('/');
        let at_or_under = |prefix: &str| path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        if path == "/admin" || ["/admin/users", "/admin/roles", "/admin/sessions"].into_iter().any(at_or_under) {
            Bundle::AdminPeople
        } else if at_or_under("/admin") {
            Bundle::AdminSite
        } else {
            Bundle::Mine
        }
    }
}

/// Whether this build carries every page (the server does; so does a wasm
/// from a plain `cargo leptos build`).
const HAS_EVERY_PAGE: bool = cfg!(all(feature = "pages-mine", feature = "pages-admin-people", feature = "pages-admin-site"));

/// The router's fallback: for an address this wasm has no page for, when
/// the app follows a link there, the page of another bundle, loaded from the
/// server; when the server rendered it (an unknown address), `not_found`.
/// Made inside the router (it reads the router's address).
pub fn page_elsewhere_or<V: IntoView + 'static>(not_found: fn() -> V) -> impl Fn() -> AnyView + Send + Clone + 'static {
    let address = leptos_router::hooks::use_url();
    move || {
        if !HAS_EVERY_PAGE && app_has_taken_over() {
            load_address_from_server(address);
            return ().into_any();
        }
        not_found().into_any()
    }
}

thread_local! {
    static TAKEN_OVER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Records that the browser app has hydrated the page the server sent: from
/// now on the router renders pages itself.
pub fn mark_taken_over() {
    TAKEN_OVER.with(|taken| taken.set(true));
}

fn app_has_taken_over() -> bool {
    TAKEN_OVER.with(|taken| taken.get())
}

/// Loads the router's current address from the server, as a whole page.
pub fn load_from_server() {
    load_address_from_server(leptos_router::hooks::use_url());
}

/// Loads `address` (the router's) from the server, as a whole page. The
/// router changes the address bar only once the new page is rendered, so
/// the address comes from the router, not the window; once the router has
/// put it in the history, the page from the server takes that entry, so
/// Back returns to the page before. The page is loaded from this site's
/// origin, and an address that is not a plain path here
/// ([`is_local_path`](crate::model::url::is_local_path): `//host`, `/\host`)
/// loads the home page instead, so no link can send the browser elsewhere.
fn load_address_from_server(address: ReadSignal<leptos_router::location::Url>) {
    #[cfg(feature = "hydrate")]
    {
        let target = address.with_untracked(|url| {
            let search = if url.search().is_empty() { String::new() } else { format!("?{}", url.search()) };
            let hash = if url.hash().is_empty() || url.hash().starts_with('#') { url.hash().to_string() } else { format!("#{}", url.hash()) };
            format!("{}{search}{hash}", url.path())
        });
        let target = crate::model::url::local_path_or_home(&target).to_string();
        set_timeout(
            move || {
                let location = window().location();
                let here = [location.pathname(), location.search(), location.hash()].map(Result::unwrap_or_default).concat();
                let absolute = format!("{}{target}", location.origin().unwrap_or_default());
                let _ = if here == target { location.replace(&absolute) } else { location.set_href(&absolute) };
            },
            std::time::Duration::ZERO,
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = address;
}

/// The hydration settings for the page at `path`: its bundle's hash file
/// when the release build made that bundle, else the main wasm's.
#[cfg(feature = "ssr")]
pub fn hydration_options(options: &LeptosOptions, path: &str) -> LeptosOptions {
    let bundle = Bundle::for_path(path);
    let mut options = options.clone();
    if options.hash_files && built_bundles(&options).contains(&bundle) {
        options.hash_file = format!("hash-{}.txt", bundle.name()).into();
    }
    options
}

/// The bundles the release build listed in the hash file beside the server.
#[cfg(feature = "ssr")]
fn built_bundles(options: &LeptosOptions) -> &'static [Bundle] {
    static BUILT: std::sync::OnceLock<Vec<Bundle>> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let hash_file = std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())));
        let listed = hash_file.and_then(|file| std::fs::read_to_string(file).ok()).unwrap_or_default();
        listed_bundles(&listed)
    })
}

/// The bundles named on the `bundles:` line of a hash file.
#[cfg(feature = "ssr")]
fn listed_bundles(hash_file: &str) -> Vec<Bundle> {
    let names = hash_file.lines().find_map(|line| line.trim().strip_prefix("bundles:")).unwrap_or_default();
    names.split_whitespace().filter_map(|name| Bundle::SEPARATE.into_iter().find(|bundle| bundle.name() == name)).collect()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn admin_pages_split_into_people_and_site_and_the_rest_is_mine() {
        for path in ["/admin", "/admin/", "/admin/users", "/admin/users/", "/admin/users/new", "/admin/users/bob", "/admin/roles", "/admin/sessions"] {
            assert_eq!(Bundle::for_path(path), Bundle::AdminPeople, "{path}");
        }
        for path in ["/admin/settings", "/admin/security", "/admin/usersx", "/admin/rolesx", "/admin/nowhere"] {
            assert_eq!(Bundle::for_path(path), Bundle::AdminSite, "{path}");
        }
        for path in ["/", "", "/account", "/projects/a/users", "/adminx", "/login", "/nowhere"] {
            assert_eq!(Bundle::for_path(path), Bundle::Mine, "{path}");
        }
    }

    #[test]
    fn only_bundles_listed_in_the_hash_file_are_used() {
        assert_eq!(listed_bundles("js: a\nwasm: b\ncss: c\n"), vec![]);
        assert_eq!(listed_bundles("js: a\nbundles: admin-people admin-site\n"), vec![Bundle::AdminPeople, Bundle::AdminSite]);
        assert_eq!(listed_bundles("bundles: admin-site mine unknown\n"), vec![Bundle::AdminSite]);
    }
}
