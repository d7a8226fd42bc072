//! Credentials besides the password over REST: alias and personal access
//! tokens (`tokens`) and service keys (`service_keys`).

pub mod service_keys;
pub mod tokens;
