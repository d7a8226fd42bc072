//! The `alias_tokens` and `access_tokens` tables: credentials a user holds
//! besides the password, each stored as a keyed hash of its secret with the
//! user's credential generation at issue. A row is live while it has not
//! expired and its generation is still the user's.

use crate::backend::db::Db;
use crate::backend::store::audit::{append_in, NewEvent};
use crate::{in_tx, in_write_tx, on_db};

/// Which of the two tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// XNAT alias tokens (HTTP Basic `alias:secret`).
    Alias,
    /// Personal access tokens (`Authorization: Bearer gh_pat_…`).
    Access,
}

impl TokenKind {
    fn table(self) -> &'static str {
        match self {
            TokenKind::Alias => "alias_tokens",
            TokenKind::Access => "access_tokens",
        }
    }
}

/// A row of either table; `label` is the alias or the access token's name,
/// `shown` the alias or the access token's display prefix.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub label: String,
    pub shown: String,
    pub secret_hash: String,
    pub generation: i64,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
}

impl TokenRow {
    /// Usable by a user whose credential generation is `generation`, at `now`.
    pub fn is_live(&self, generation: i64, now: i64) -> bool {
        self.generation == generation && self.expires_at.is_none_or(|t| t > now)
    }
}

fn select(kind: TokenKind) -> String {
    let columns = match kind {
        TokenKind::Alias => "t.alias AS label, t.alias AS shown, t.secret_hash",
        TokenKind::Access => "t.name AS label, t.prefix AS shown, t.token_hash AS secret_hash",
    };
    format!(
        "SELECT t.id, t.user_id, u.username, {columns}, t.generation, t.created_at, t.expires_at, \
         t.last_used_at, t.last_used_ip FROM {} t JOIN users u ON u.id = t.user_id",
        kind.table()
    )
}

/// What a new token row holds.
pub struct NewToken<'a> {
    pub user_id: i64,
    pub generation: i64,
    /// The alias, or the access token's name.
    pub label: &'a str,
    /// The access token's display prefix (unused for aliases).
    pub prefix: &'a str,
    pub secret_hash: &'a str,
    pub now: i64,
    pub expires_at: Option<i64>,
}

/// Why a new token was not stored.
#[derive(Debug, PartialEq, Eq)]
pub enum NotStored {
    /// The user already holds `cap` live tokens of this kind.
    Cap,
    /// An access token of that name exists (aliases are random and never clash).
    NameTaken,
}

/// Stores a token unless its user already holds `cap` live ones. The user's
/// row is locked first, so concurrent issues count one after another; dead
/// tokens of the user (expired, older generation) are deleted on the way.
pub async fn insert_capped(db: &Db, kind: TokenKind, new: &NewToken<'_>, cap: i64, event: &NewEvent) -> Result<Result<i64, NotStored>, sqlx::Error> {
    let table = kind.table();
    let prune = format!("DELETE FROM {table} WHERE user_id = $1 AND (generation <> $2 OR expires_at <= $3)");
    let count = format!("SELECT COUNT(*) FROM {table} WHERE user_id = $1");
    in_write_tx!(db, |tx, lock| {
        sqlx::query(&format!("SELECT id FROM users WHERE id = $1{lock}")).bind(new.user_id).execute(&mut *tx).await?;
        sqlx::query(&prune).bind(new.user_id).bind(new.generation).bind(new.now).execute(&mut *tx).await?;
        let held: i64 = sqlx::query_scalar(&count).bind(new.user_id).fetch_one(&mut *tx).await?;
        if held >= cap {
            return Ok(Err(NotStored::Cap));
        }
        let id: Option<i64> = match kind {
            TokenKind::Alias => sqlx::query_scalar(
                "INSERT INTO alias_tokens (alias, secret_hash, user_id, generation, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(new.label)
            .bind(new.secret_hash)
            .bind(new.user_id)
            .bind(new.generation)
            .bind(new.now)
            .bind(new.expires_at)
            .fetch_optional(&mut *tx)
            .await?,
            TokenKind::Access => sqlx::query_scalar(
                "INSERT INTO access_tokens (user_id, name, token_hash, prefix, generation, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, name) DO NOTHING RETURNING id",
            )
            .bind(new.user_id)
            .bind(new.label)
            .bind(new.secret_hash)
            .bind(new.prefix)
            .bind(new.generation)
            .bind(new.now)
            .bind(new.expires_at)
            .fetch_optional(&mut *tx)
            .await?,
        };
        if id.is_some() {
            append_in(&mut *tx, event).await?;
        }
        Ok::<_, sqlx::Error>(id.ok_or(NotStored::NameTaken))
    })
}

/// The alias token with this alias.
pub async fn find_alias(db: &Db, alias: &str) -> Result<Option<TokenRow>, sqlx::Error> {
    let sql = format!("{} WHERE t.alias = $1", select(TokenKind::Alias));
    on_db!(db, |pool| sqlx::query_as::<_, TokenRow>(&sql).bind(alias).fetch_optional(pool).await)
}

/// The access token whose secret hashes to `hash`.
pub async fn find_access(db: &Db, hash: &str) -> Result<Option<TokenRow>, sqlx::Error> {
    let sql = format!("{} WHERE t.token_hash = $1", select(TokenKind::Access));
    on_db!(db, |pool| sqlx::query_as::<_, TokenRow>(&sql).bind(hash).fetch_optional(pool).await)
}

pub async fn find(db: &Db, kind: TokenKind, id: i64) -> Result<Option<TokenRow>, sqlx::Error> {
    let sql = format!("{} WHERE t.id = $1", select(kind));
    on_db!(db, |pool| sqlx::query_as::<_, TokenRow>(&sql).bind(id).fetch_optional(pool).await)
}

/// Live tokens, newest first: one user's (`user`), or everyone's. At most
/// `limit` rows, created before the keyset cursor `before` (created, id).
pub async fn list_live(
    db: &Db,
    kind: TokenKind,
    user: Option<i64>,
    now: i64,
    before: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<TokenRow>, sqlx::Error> {
    let (created, id) = before.unwrap_or((i64::MAX, i64::MAX));
    let sql = format!(
        "{} WHERE t.generation = u.generation AND (t.expires_at IS NULL OR t.expires_at > $1) \
         AND ($2 IS NULL OR t.user_id = $2) AND (t.created_at, t.id) < ($3, $4) \
         ORDER BY t.created_at DESC, t.id DESC LIMIT $5",
        select(kind)
    );
    on_db!(db, |pool| sqlx::query_as::<_, TokenRow>(&sql)
        .bind(now)
        .bind(user)
        .bind(created)
        .bind(id)
        .bind(limit)
        .fetch_all(pool)
        .await)
}

/// Deletes one token; `false` when it was already gone.
pub async fn delete(db: &Db, kind: TokenKind, id: i64, event: impl FnOnce(&TokenRow) -> NewEvent) -> Result<bool, sqlx::Error> {
    let find = format!("{} WHERE t.id = $1", select(kind));
    let sql = format!("DELETE FROM {} WHERE id = $1", kind.table());
    in_tx!(db, |tx| {
        let row = sqlx::query_as::<_, TokenRow>(&find).bind(id).fetch_optional(&mut *tx).await?;
        let mut gone = false;
        if let Some(row) = row {
            gone = sqlx::query(&sql).bind(id).execute(&mut *tx).await?.rows_affected() == 1;
            if gone {
                append_in(&mut *tx, &event(&row)).await?;
            }
        }
        Ok::<_, sqlx::Error>(gone)
    })
}

/// Deletes every token of one user with one event saying how many; returns how many.
pub async fn delete_all_of(db: &Db, kind: TokenKind, user_id: i64, event: impl FnOnce(u64) -> NewEvent) -> Result<u64, sqlx::Error> {
    let sql = format!("DELETE FROM {} WHERE user_id = $1", kind.table());
    in_tx!(db, |tx| {
        let gone = sqlx::query(&sql).bind(user_id).execute(&mut *tx).await?.rows_affected();
        if gone > 0 {
            append_in(&mut *tx, &event(gone)).await?;
        }
        Ok::<_, sqlx::Error>(gone)
    })
}

/// Records a use, unless one was recorded since `not_before` (so a busy
/// token writes at most once a minute).
pub async fn touch(db: &Db, kind: TokenKind, id: i64, now: i64, not_before: i64, ip: Option<&str>) -> Result<(), sqlx::Error> {
    let sql = format!(
        "UPDATE {} SET last_used_at = $2, last_used_ip = $3 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $4)",
        kind.table()
    );
    on_db!(db, |pool| sqlx::query(&sql).bind(id).bind(now).bind(ip).bind(not_before).execute(pool).await.map(|_| ()))
}
