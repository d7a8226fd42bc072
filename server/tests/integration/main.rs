//! Every integration test of the server, in one test binary: each module
//! is one area's tests (they were separate binaries, each linking the whole
//! server again — over a gigabyte apiece). `common` is the shared harness.
//! Run one area with `cargo test -p server --test integration audit::`.

mod common;

mod admin_users;
mod audit;
mod backup;
mod cli;
mod concurrent_writes;
mod credentials;
mod delivery;
mod docs_links;
mod external_auth;
mod features;
mod forms_without_js;
mod foundation;
mod hardening;
mod invitation_limits;
mod metrics;
mod openapi;
mod plain_pages;
mod projects;
mod pyxnat;
mod redirects;
mod registration;
mod registry_users;
mod security_settings;
mod services;
mod sessions;
mod statistics;
mod two_factor;
mod two_instances;
mod uploads_privacy;
