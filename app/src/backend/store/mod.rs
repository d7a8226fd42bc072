//! SQL, one module per table group. No rules live here: callers decide.

pub mod auth_failures;
pub mod data;
pub mod email_tokens;
pub mod outbox;
pub mod project_requests;
pub mod projects;
pub mod roles;
pub mod service_keys;
pub mod sessions;
pub mod site_secrets;
pub mod site_settings;
pub mod tokens;
pub mod user_list;
pub mod user_search;
pub mod users;
