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
//!
//! [`Bundle`] is the one list of bundles. The other places that must name
//! them (the cargo features in `app/Cargo.toml` and `frontend/Cargo.toml`,
//! the route groups in `app.rs`, `release_build`'s list) are checked
//! against it by a test below.

use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use crate::model::url::local_path_or_home;

/// A set of pages whose code ships in one wasm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// Home, the user's account pages and projects: the main wasm.
    Mine,
    /// The admin overview and the pages about people: users, roles, sessions.
    AdminPeople,
    /// The admin pages about the site: projects, settings, security, keys,
    /// audit, statistics, features, outbox.
    AdminSite,
}

impl Bundle {
    /// Every bundle.
    pub const ALL: [Bundle; 3] = [Bundle::Mine, Bundle::AdminPeople, Bundle::AdminSite];

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

    /// Whether this build carries the bundle's pages (its cargo feature is on).
    pub const fn in_this_build(self) -> bool {
        match self {
            Bundle::Mine => cfg!(feature = "pages-mine"),
            Bundle::AdminPeople => cfg!(feature = "pages-admin-people"),
            Bundle::AdminSite => cfg!(feature = "pages-admin-site"),
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
const HAS_EVERY_PAGE: bool = {
    let mut every = true;
    let mut i = 0;
    while i < Bundle::ALL.len() {
        every &= Bundle::ALL[i].in_this_build();
        i += 1;
    }
    every
};

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
        let target = local_path_or_home(&target).to_string();
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

    /// The bundle names in a text's `pages-<name>` words.
    fn features_named(text: &str) -> std::collections::BTreeSet<&str> {
        text.match_indices("pages-")
            .map(|(at, _)| {
                let name = &text[at + "pages-".len()..];
                &name[..name.find(|c: char| !(c.is_ascii_lowercase() || c == '-')).unwrap_or(name.len())]
            })
            .filter(|name| !name.is_empty())
            .collect()
    }

    fn names(bundles: &[Bundle]) -> std::collections::BTreeSet<&'static str> {
        bundles.iter().map(|bundle| bundle.name()).collect()
    }

    /// The line of `text` that starts with `start`.
    fn line_at<'a>(text: &'a str, start: &str) -> &'a str {
        text.lines().find(|line| line.trim_start().starts_with(start)).unwrap_or_else(|| panic!("no line starts with {start}"))
    }

    #[test]
    fn every_place_that_names_the_bundles_names_these() {
        let every = names(&Bundle::ALL);
        let app_cargo = include_str!("../Cargo.toml");
        let frontend_cargo = include_str!("../../frontend/Cargo.toml");
        let route_table = include_str!("app.rs");
        let build = include_str!("../../scripts/env.sh");
        for (file, text) in [("app/Cargo.toml", app_cargo), ("frontend/Cargo.toml", frontend_cargo), ("app/src/app.rs", route_table)] {
            assert_eq!(features_named(text), every, "the pages-<name> features in {file}");
        }
        for bundle in Bundle::ALL {
            let (name, feature) = (bundle.name(), format!("pages-{}", bundle.name()));
            assert!(bundle.in_this_build(), "{name}: the server carries every bundle");
            assert_eq!(line_at(app_cargo, &format!("{feature} =")).trim(), format!("{feature} = []"), "app/Cargo.toml");
            assert!(line_at(app_cargo, "\"pages-").contains(&format!("\"{feature}\"")), "app/Cargo.toml: ssr has {feature}");
            assert_eq!(line_at(frontend_cargo, &format!("{feature} =")).trim(), format!("{feature} = [\"app/{feature}\"]"), "frontend/Cargo.toml");
            assert!(line_at(frontend_cargo, "all-pages =").contains(&format!("\"{feature}\"")), "frontend/Cargo.toml: all-pages has {feature}");
            assert!(route_table.contains(&format!("route_group!(\"{feature}\"")), "app.rs: a route group for {feature}");
        }
        // release_build: one build per separate bundle, then the main wasm's.
        let separate = line_at(build, "local bundles=\"").split('"').nth(1).unwrap_or_default();
        assert_eq!(separate.split_whitespace().collect::<Vec<_>>(), Bundle::SEPARATE.map(Bundle::name), "scripts/env.sh's bundles");
        let main: Vec<_> = Bundle::ALL.into_iter().filter(|bundle| !Bundle::SEPARATE.contains(bundle)).collect();
        assert_eq!(main, vec![Bundle::Mine]);
        assert_eq!(features_named(build), names(&main), "scripts/env.sh builds the main wasm last");
    }

    #[test]
    fn only_bundles_listed_in_the_hash_file_are_used() {
        assert_eq!(listed_bundles("js: a\nwasm: b\ncss: c\n"), vec![]);
        assert_eq!(listed_bundles("js: a\nbundles: admin-people admin-site\n"), vec![Bundle::AdminPeople, Bundle::AdminSite]);
        assert_eq!(listed_bundles("bundles: admin-site mine unknown\n"), vec![Bundle::AdminSite]);
    }
}
