//! XNAT's paths are served under two prefixes; a handler routed (and
//! documented) once is served under both.

use utoipa::openapi::path::Paths;
use utoipa_axum::router::UtoipaMethodRouter;

/// The two prefixes every XNAT path is served under.
pub const XNAT_PREFIXES: [&str; 2] = ["/data", "/REST"];

/// Routes one handler (and documents it) under both XNAT prefixes.
pub fn under_xnat_prefixes<S>((schemas, paths, router): UtoipaMethodRouter<S>) -> UtoipaMethodRouter<S> {
    let mut prefixed = Paths::new();
    for (path, item) in paths.paths {
        for prefix in XNAT_PREFIXES {
            prefixed.paths.insert(format!("{prefix}{path}"), item.clone());
        }
    }
    (schemas, prefixed, router)
}
