//! The `site_secrets` table.

use crate::backend::db::Db;
use crate::backend::time::now_ms;
use crate::on_db;

/// The stored secret `name`, storing `candidate` first if there is none.
/// Every instance sharing the database ends up with the same value.
pub async fn get_or_insert(db: &Db, name: &str, candidate: &str) -> Result<String, sqlx::Error> {
    let now = now_ms();
    on_db!(db, |pool| {
        sqlx::query("INSERT INTO site_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(name)
            .bind(candidate)
            .bind(now)
            .execute(pool)
            .await?;
        sqlx::query_scalar::<_, String>("SELECT value FROM site_secrets WHERE name = $1").bind(name).fetch_one(pool).await
    })
}
