//! SQL, one module per table group. No rules live here: callers decide.

pub mod sessions;
pub mod users;
