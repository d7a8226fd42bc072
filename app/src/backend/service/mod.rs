//! Use-cases, one module per area. Doors call these; these call `policy` and `store`.

pub mod account;
pub mod admin;
pub mod bootstrap;
pub mod fixtures;
pub mod mail;
pub mod roles;
pub mod sessions;
pub mod user_admin;
pub mod user_import;
pub mod users;
