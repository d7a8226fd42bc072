//! The tables of credentials besides the password: `alias_tokens` and
//! `access_tokens` (`tokens`), and `service_keys` (`service_keys`).

pub mod service_keys;
pub mod tokens;
