//! One module per route.

pub mod account;
pub mod account_activity;
pub mod account_credentials;
pub mod account_security;
pub mod admin;
pub mod home;
pub mod invitation;
pub mod login;
pub mod not_found;
pub mod projects;
pub mod reauth;
pub mod recovery;
pub mod register;
