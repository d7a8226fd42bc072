//! SQL, one module per table group. No rules live here: callers decide.

pub mod audit;
pub mod auth_failures;
pub mod data;
pub mod email_tokens;
pub mod feature_rules;
pub mod job_leases;
pub mod outbox;
pub mod project_requests;
pub mod projects;
pub mod roles;
pub mod service_keys;
pub mod sessions;
pub mod site_secrets;
pub mod site_settings;
pub mod statistics;
pub mod tokens;
pub mod two_factor;
pub mod user_list;
pub mod user_search;
pub mod users;

/// Binds each of `$args` (a slice of [`user_list::Arg`]) to `$query` in order.
#[macro_export]
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                $crate::backend::store::user_list::Arg::Int(i) => query.bind(*i),
                $crate::backend::store::user_list::Arg::Text(t) => query.bind(t.clone()),
            };
        }
        query
    }};
}
