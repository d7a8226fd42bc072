//! Use-cases, one module per area. Doors call these; these call `policy` and `store`.

pub mod access_requests;
pub mod account;
pub mod admin;
pub mod audit;
pub mod bootstrap;
pub mod data;
pub mod email_links;
pub mod features;
pub mod invitations;
pub mod mail;
pub mod project_members;
pub mod projects;
pub mod outbox;
pub mod profile;
pub mod recovery;
pub mod registration;
pub mod roles;
pub mod security;
pub mod service_keys;
pub mod sessions;
pub mod settings;
pub mod statistics;
pub mod storage;
pub mod tokens;
pub mod user_import;
pub mod users;
