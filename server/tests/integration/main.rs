//! Every integration test of the server, in one test binary: each module
//! is one area's tests (they were separate binaries, each linking the whole
//! server again — over a gigabyte apiece). `common` is the shared harness.
//! Run one area with `cargo test -p server --test integration audit::`.

mod common;

mod access_requests;
mod admin_users;
mod audit;
mod backup;
mod cli;
mod concurrent_writes;
mod credentials;
mod delivery;
mod docs_links;
mod door_refusals;
mod email_changes;
mod external_auth;
mod features;
mod forms_without_js;
mod foundation;
mod home;
mod identity;
mod invitation_limits;
mod invitations;
mod metrics;
mod module_tiers;
mod openapi;
mod orgs;
mod plain_pages;
mod project_members;
mod projects;
mod pyxnat;
mod quota;
mod redirects;
mod registration;
mod reauth;
mod registry_users;
mod security_settings;
mod services;
mod session_cookies;
mod sessions;
mod sign_in_limits;
mod statistics;
mod two_factor;
mod two_factor_pyotp;
mod two_instances;
mod uploads_privacy;
mod xnat_projects;
