//! SQL, one module per table group. No rules live here: callers decide.

pub mod audit;
pub mod auth_failures;
pub mod credentials;
pub mod data;
pub mod email_tokens;
pub mod feature_rules;
pub mod job_leases;
pub mod outbox;
pub mod project_requests;
pub mod projects;
pub mod roles;
pub mod sessions;
pub mod site_secrets;
pub mod site_settings;
pub mod statistics;
pub mod two_factor;
pub mod user_list;
pub mod user_search;
pub mod users;

/// A list of [`user_list::Arg`]s bound in order, on either backend:
/// `sqlx::query_with(sql, Args(&args))` (or `query_as_with`).
pub struct Args<'a>(pub &'a [user_list::Arg]);

impl<'q, DB: sqlx::Database> sqlx::IntoArguments<'q, DB> for Args<'q>
where
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    fn into_arguments(self) -> DB::Arguments<'q> {
        use sqlx::Arguments;
        let mut arguments = DB::Arguments::default();
        for arg in self.0 {
            let added = match arg {
                user_list::Arg::Int(i) => arguments.add(*i),
                user_list::Arg::Text(t) => arguments.add(t.as_str()),
            };
            // Neither backend can fail to encode an integer or a text.
            added.expect("an integer or a text always encodes");
        }
        arguments
    }
}
