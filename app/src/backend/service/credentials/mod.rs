//! Credentials besides the password (SPEC §4): alias tokens and personal
//! access tokens (`tokens`), and service keys (`service_keys`). Checking a
//! token a request presents is `auth::credentials`.

pub mod service_keys;
pub mod tokens;
