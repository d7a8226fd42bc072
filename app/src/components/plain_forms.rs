//! The pages served without the browser app, and the small script they get
//! instead (`plain_forms.js`).
//!
//! Sign-in, registration, recovery and invitation pages are what a new or
//! signed-out visitor opens first. They are rendered whole on the server
//! and their forms work as plain HTML posts (with the error beside its
//! field), so they load no wasm: a few kilobytes of script post their
//! forms in the background to keep what was typed when a form is refused.
//! Signed-in pages hydrate the browser app as before.

use leptos::prelude::*;

/// Path prefixes of the pages served without the browser app (a prefix
/// ending in `/` covers the pages under it).
pub const PLAIN_PAGES: &[&str] = &["/login", "/reauth", "/register", "/forgot", "/reset", "/verify", "/invitations/"];

/// Whether the page at `path` is one of the [`PLAIN_PAGES`].
pub fn is_plain_page(path: &str) -> bool {
    PLAIN_PAGES.iter().any(|page| if page.ends_with('/') { path.starts_with(page) } else { path == *page })
}

/// A plain page's view: rendered on the server; in the browser app (which
/// reaches a plain page only by following a link within the app) the page
/// is loaded from the server instead, so the view's code stays out of the wasm.
pub fn plain_page<V: IntoView>(page: impl FnOnce() -> V) -> impl IntoView {
    #[cfg(feature = "ssr")]
    return page();
    #[cfg(not(feature = "ssr"))]
    {
        let _ = page;
        crate::bundles::load_from_server();
    }
}

/// The script of the plain pages, inline (allowed by the page's CSP nonce).
#[component]
pub fn PlainFormsScript() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let script = include_str!("plain_forms.js");
    #[cfg(not(feature = "ssr"))]
    let script = "";
    view! { <script nonce=leptos::nonce::use_nonce() inner_html=script></script> }
}

#[cfg(test)]
mod tests {
    use super::is_plain_page;

    #[test]
    fn plain_pages_are_the_signed_out_visitors_pages() {
        for path in ["/login", "/reauth", "/register", "/forgot", "/reset", "/verify", "/invitations/abc"] {
            assert!(is_plain_page(path), "{path}");
        }
        for path in ["/", "/loginx", "/admin", "/account/password", "/invitations", "/projects/a"] {
            assert!(!is_plain_page(path), "{path}");
        }
    }
}
