//! The `job_leases` table: which instance runs a background job now.

use crate::backend::db::Db;
use crate::on_db;

/// Takes (or renews) the lease on job `name` for `holder` until
/// `expires_at`, unless another holder's lease is still running at `now`.
/// One statement, so of two instances asking at once exactly one wins.
pub async fn take(db: &Db, name: &str, holder: &str, now: i64, expires_at: i64) -> Result<bool, sqlx::Error> {
    let sql = "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3) \
               ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
               WHERE job_leases.expires_at <= $4 OR job_leases.holder = excluded.holder";
    on_db!(db, |pool| sqlx::query(sql)
        .bind(name)
        .bind(holder)
        .bind(expires_at)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1))
}
