//! The `users` table: finding, creating and changing accounts. Role
//! grants, sign-in counters, bulk creation and inactivity each have their
//! own file beside this one.

pub mod import;
pub mod inactivity;
pub mod role_grants;
pub mod sign_in_counters;

use crate::backend::db::{Conn, Db};
use crate::backend::store::audit::{append_in, NewEvent};
use crate::backend::store::two_factor::HAS_SECOND_FACTOR;
use crate::backend::store::users::role_grants::{grant_roles, sole_enabled_admin, LastAdmin};
use crate::backend::time::now_ms;
use crate::backend::policy::Standing;
use crate::{in_tx, in_write_tx, on_conn, on_db};

/// One row of `users`. Holds the password hash, so it never crosses the wire.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub password_hash: String,
    pub enabled: bool,
    pub verified: bool,
    pub approved: bool,
    pub must_change_password: bool,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub generation: i64,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    pub non_expiring: bool,
    pub metadata: String,
    pub version: i64,
    pub password_changed_at: i64,
    /// Bytes of the user's stored files.
    pub storage_used: i64,
}

impl UserRow {
    /// Whether failed sign-ins have locked the account at time `now`.
    pub fn is_locked(&self, now: i64) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    /// The facts policy judges the account by.
    pub fn standing(&self) -> Standing {
        Standing { enabled: self.enabled, verified: self.verified, approved: self.approved }
    }
}

const USER_COLUMNS: &str = "id, username, display_name, email, password_hash, enabled, verified, \
     approved, must_change_password, failed_logins, locked_until, generation, created_at, last_login_at, \
     non_expiring, metadata, version, password_changed_at, storage_used";

/// Fields of a user about to be created.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    pub roles: &'a [&'a str],
}

/// Inserts `new` with its roles inside the caller's transaction `conn`;
/// returns the new id.
pub(crate) async fn insert_user<'c>(conn: impl Into<Conn<'c>>, new: &NewUser<'_>, verified: bool, approved: bool, now: i64) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO users (username, username_lower, display_name, email, email_lower, \
               password_hash, must_change_password, created_at, updated_at, password_changed_at, verified, approved) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8, $9, $10) RETURNING id";
    on_conn!(conn, |c| {
        let id: i64 = sqlx::query_scalar(sql)
            .bind(new.username)
            .bind(new.username.to_lowercase())
            .bind(new.display_name)
            .bind(new.email)
            .bind(new.email.map(str::to_lowercase))
            .bind(new.password_hash)
            .bind(new.must_change_password)
            .bind(now)
            .bind(verified)
            .bind(approved)
            .fetch_one(&mut *c)
            .await?;
        grant_roles(&mut *c, id, new.roles).await?;
        Ok(id)
    })
}

pub async fn find_by_username(db: &Db, username: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username_lower = $1");
    let key = username.to_lowercase();
    on_db!(db, |pool| sqlx::query_as::<_, UserRow>(&sql).bind(&key).fetch_optional(pool).await)
}

pub async fn find_by_id(db: &Db, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(pool).await)
}

/// `(user_id, value)` pairs (role grants, project slugs) gathered per user.
pub fn group_by_user(grants: Vec<(i64, String)>) -> std::collections::HashMap<i64, Vec<String>> {
    let mut roles: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    for (user_id, role) in grants {
        roles.entry(user_id).or_default().push(role);
    }
    roles
}

/// One row of a user joined with one of their role grants, and whether
/// the user has a confirmed second factor.
#[derive(sqlx::FromRow)]
struct UserWithRole {
    #[sqlx(flatten)]
    user: UserRow,
    granted_role: Option<String>,
    second_factor: bool,
}

/// A user with their roles (sorted), in one round trip: what every
/// authenticated request needs to know about its caller.
pub async fn find_with_roles(db: &Db, id: i64) -> Result<Option<(UserRow, Vec<String>)>, sqlx::Error> {
    Ok(find_with_roles_and_second_factor(db, id).await?.map(|(user, roles, _)| (user, roles)))
}

/// [`find_with_roles`], and whether the user has a confirmed second factor
/// ([`HAS_SECOND_FACTOR`], the test `store::two_factor::has_second_factor` makes), in the same round
/// trip: what a remembered HTTP Basic sign-in checks on each request.
pub async fn find_with_roles_and_second_factor(db: &Db, id: i64) -> Result<Option<(UserRow, Vec<String>, bool)>, sqlx::Error> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, user_roles.role AS granted_role, \
         {HAS_SECOND_FACTOR} AS second_factor \
         FROM users LEFT JOIN user_roles ON user_roles.user_id = users.id WHERE users.id = $1 ORDER BY user_roles.role"
    );
    let rows = on_db!(db, |pool| sqlx::query_as::<_, UserWithRole>(&sql).bind(id).fetch_all(pool).await)?;
    let roles = rows.iter().filter_map(|r| r.granted_role.clone()).collect();
    Ok(rows.into_iter().next().map(|r| (r.user, roles, r.second_factor)))
}

pub async fn roles_of(db: &Db, user_id: i64) -> Result<Vec<String>, sqlx::Error> {
    let sql = "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role";
    on_db!(db, |pool| sqlx::query_scalar::<_, String>(sql).bind(user_id).fetch_all(pool).await)
}

/// Inserts the user and their roles in one transaction with `event`
/// (whose target id becomes the new user's); returns the new id.
pub async fn insert(db: &Db, new: &NewUser<'_>, event: NewEvent) -> Result<i64, sqlx::Error> {
    insert_with_flags(db, new, true, true, event).await
}

/// Like [`insert`], with the `verified` and `approved` flags given (self-registration).
pub async fn insert_with_flags(db: &Db, new: &NewUser<'_>, verified: bool, approved: bool, event: NewEvent) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    in_tx!(db, |tx| {
        let id = insert_user(&mut *tx, new, verified, approved, now).await?;
        let event = NewEvent { target_id: id.to_string(), ..event.clone() };
        append_in(&mut *tx, &event).await?;
        Ok::<i64, sqlx::Error>(id)
    })
}

pub async fn count_all(db: &Db) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users").fetch_one(pool).await)
}

/// Replaces the password hash, clears any lockout, bumps the credential
/// generation (which ends every session and token issued before) and
/// deletes the user's sessions except `keep_session` (a session id hash).
pub async fn set_password(
    db: &Db,
    user_id: i64,
    password_hash: &str,
    must_change_password: bool,
    keep_session: Option<&str>,
    event: &NewEvent,
) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    let keep = keep_session.unwrap_or("");
    in_tx!(db, |tx| {
        let generation: i64 = sqlx::query_scalar(
            "UPDATE users SET password_hash = $2, must_change_password = $3, password_changed_at = $4, \
             updated_at = $4, failed_logins = 0, locked_until = NULL, generation = generation + 1, \
             version = version + 1 WHERE id = $1 RETURNING generation",
        )
        .bind(user_id)
        .bind(password_hash)
        .bind(must_change_password)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(&mut *tx)
            .await?;
        append_in(&mut *tx, event).await?;
        Ok::<i64, sqlx::Error>(generation)
    })
}

/// A user as lists show them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedUser {
    pub id: i64,
    pub username: String,
    pub email: Option<String>,
    pub metadata: String,
    pub created_at: i64,
    pub storage_used: i64,
}

const PAGE_BY_USERNAME: &str =
    "SELECT id FROM users WHERE username_lower > $1 ORDER BY username_lower LIMIT $2";

/// One page of users ordered by username (case-insensitively) after
/// `after` (a lower-cased username; "" for the first page), with each
/// user's roles: two queries, whatever the page size.
pub async fn page_by_username(
    db: &Db,
    after: &str,
    limit: i64,
) -> Result<(Vec<ListedUser>, Vec<(i64, String)>), sqlx::Error> {
    let users_sql = format!(
        "SELECT id, username, email, metadata, created_at, storage_used FROM users WHERE id IN ({PAGE_BY_USERNAME}) ORDER BY username_lower"
    );
    let roles_sql = format!("SELECT user_id, role FROM user_roles WHERE user_id IN ({PAGE_BY_USERNAME}) ORDER BY role");
    on_db!(db, |pool| {
        let users = sqlx::query_as::<_, ListedUser>(&users_sql).bind(after).bind(limit).fetch_all(pool).await?;
        let roles = sqlx::query_as::<_, (i64, String)>(&roles_sql).bind(after).bind(limit).fetch_all(pool).await?;
        Ok((users, roles))
    })
}

pub async fn metadata_of(db: &Db, user_id: i64) -> Result<String, sqlx::Error> {
    let sql = "SELECT metadata FROM users WHERE id = $1";
    on_db!(db, |pool| sqlx::query_scalar::<_, String>(sql).bind(user_id).fetch_one(pool).await)
}

/// A user's metadata (JSON text) and stored bytes, in one read.
pub async fn metadata_and_storage(db: &Db, user_id: i64) -> Result<Option<(String, i64)>, sqlx::Error> {
    let sql = "SELECT metadata, storage_used FROM users WHERE id = $1";
    on_db!(db, |pool| sqlx::query_as::<_, (String, i64)>(sql).bind(user_id).fetch_optional(pool).await)
}

/// Replaces the user's metadata with `change(current)` in one write
/// transaction, so concurrent changes all land; returns what was written.
pub async fn update_metadata(db: &Db, user_id: i64, change: impl FnOnce(&str) -> String) -> Result<String, sqlx::Error> {
    let now = now_ms();
    in_write_tx!(db, |tx, lock| {
        let current: String = sqlx::query_scalar(&format!("SELECT metadata FROM users WHERE id = $1{lock}"))
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        let updated = change(&current);
        sqlx::query("UPDATE users SET metadata = $2, updated_at = $3, version = version + 1 WHERE id = $1")
            .bind(user_id)
            .bind(&updated)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        Ok::<String, sqlx::Error>(updated)
    })
}

/// Id of the user other than `except` whose email is `email` (any case).
pub async fn email_owner(db: &Db, email: &str, except: i64) -> Result<Option<i64>, sqlx::Error> {
    let sql = "SELECT id FROM users WHERE email_lower = $1 AND id <> $2";
    let key = email.to_lowercase();
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).bind(&key).bind(except).fetch_optional(pool).await)
}

/// Sets the email (when `email` is `Some`; `Some(None)` removes it) and
/// replaces the roles (when `roles` is `Some`), in one transaction.
pub async fn update_email_and_roles(
    db: &Db,
    user_id: i64,
    email: Option<Option<&str>>,
    roles: Option<&[String]>,
    event: &NewEvent,
) -> Result<Result<(), LastAdmin>, sqlx::Error> {
    let now = now_ms();
    let loses_admin = roles.is_some_and(|r| !r.iter().any(|r| r == "admin"));
    in_write_tx!(db, |tx, lock| {
        if loses_admin && sole_enabled_admin(&mut *tx, lock, user_id).await? {
            return Ok(Err(LastAdmin));
        }
        if let Some(email) = email {
            sqlx::query("UPDATE users SET email = $2, email_lower = $3 WHERE id = $1")
                .bind(user_id)
                .bind(email)
                .bind(email.map(str::to_lowercase))
                .execute(&mut *tx)
                .await?;
        }
        if let Some(roles) = roles {
            sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            grant_roles(&mut *tx, user_id, roles).await?;
        }
        sqlx::query("UPDATE users SET updated_at = $2, version = version + 1 WHERE id = $1")
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(Ok(()))
    })
}

/// Deletes the user; sessions and role grants go with them (foreign keys).
pub async fn delete(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
    let sql = "DELETE FROM users WHERE id = $1";
    on_db!(db, |pool| sqlx::query(sql).bind(user_id).execute(pool).await.map(|_| ()))
}

/// An admin's edit of a user, applied only if `version` is still current.
pub struct AdminEdit<'a> {
    pub version: i64,
    pub display_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub enabled: bool,
    pub verified: bool,
    pub approved: bool,
    pub non_expiring: bool,
    pub metadata: &'a str,
    pub roles: &'a [String],
    /// A new password hash, when the password changes.
    pub password_hash: Option<&'a str>,
    /// Bump the credential generation and delete the user's sessions.
    pub ends_sessions: bool,
}

/// Applies `edit` in one transaction. Returns `false` (changing nothing)
/// when the user's version moved on. With `ends_sessions` it bumps the
/// credential generation and deletes the user's sessions.
/// Saves the edit unless it is stale (`Ok(Ok(false))`) or would leave no
/// enabled admin.
pub async fn apply_admin_edit(db: &Db, user_id: i64, edit: &AdminEdit<'_>, event: &NewEvent) -> Result<Result<bool, LastAdmin>, sqlx::Error> {
    let now = now_ms();
    let revoke = edit.ends_sessions;
    let loses_admin = !edit.enabled || !edit.roles.iter().any(|r| r == "admin");
    in_write_tx!(db, |tx, lock| {
        if loses_admin && sole_enabled_admin(&mut *tx, lock, user_id).await? {
            return Ok(Err(LastAdmin));
        }
        let updated = sqlx::query(
            "UPDATE users SET display_name = $3, email = $4, email_lower = $5, enabled = $6, verified = $7, \
             approved = $8, non_expiring = $9, metadata = $10, \
             password_hash = COALESCE($11, password_hash), \
             password_changed_at = CASE WHEN $11 IS NULL THEN password_changed_at ELSE $12 END, \
             generation = generation + $13, version = version + 1, updated_at = $12 \
             WHERE id = $1 AND version = $2",
        )
        .bind(user_id)
        .bind(edit.version)
        .bind(edit.display_name)
        .bind(edit.email)
        .bind(edit.email.map(str::to_lowercase))
        .bind(edit.enabled)
        .bind(edit.verified)
        .bind(edit.approved)
        .bind(edit.non_expiring)
        .bind(edit.metadata)
        .bind(edit.password_hash)
        .bind(now)
        .bind(i64::from(revoke))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(Ok(false));
        }
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        grant_roles(&mut *tx, user_id, edit.roles).await?;
        if revoke {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        }
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(Ok(true))
    })
}

/// Enables or disables; disabling also ends every session and token.
pub async fn set_enabled(db: &Db, user_id: i64, enabled: bool, event: &NewEvent) -> Result<Result<(), LastAdmin>, sqlx::Error> {
    let now = now_ms();
    in_write_tx!(db, |tx, lock| {
        if !enabled && sole_enabled_admin(&mut *tx, lock, user_id).await? {
            return Ok(Err(LastAdmin));
        }
        sqlx::query(
            "UPDATE users SET enabled = $2, generation = generation + CASE WHEN $2 THEN 0 ELSE 1 END, \
             version = version + 1, updated_at = $3 WHERE id = $1",
        )
        .bind(user_id)
        .bind(enabled)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if !enabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        }
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(Ok(()))
    })
}

/// Ends every session and token of `user_id` (bumps the credential
/// generation and deletes its sessions) and appends `event`, as disabling does.
pub async fn end_credentials(db: &Db, user_id: i64, event: &NewEvent) -> Result<(), sqlx::Error> {
    let now = now_ms();
    in_tx!(db, |tx| {
        sqlx::query("UPDATE users SET generation = generation + 1, version = version + 1, updated_at = $2 WHERE id = $1")
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        append_in(&mut *tx, event).await
    })
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email_lower = $1");
    let key = email.to_lowercase();
    on_db!(db, |pool| sqlx::query_as::<_, UserRow>(&sql).bind(&key).fetch_optional(pool).await)
}

/// Sets one of the account-state flags `verified` or `approved`.
pub async fn set_flag(db: &Db, user_id: i64, flag: AccountFlag, value: bool) -> Result<(), sqlx::Error> {
    let column = match flag {
        AccountFlag::Verified => "verified",
        AccountFlag::Approved => "approved",
    };
    let sql = format!("UPDATE users SET {column} = $2, version = version + 1, updated_at = $3 WHERE id = $1");
    let now = now_ms();
    on_db!(db, |pool| sqlx::query(&sql).bind(user_id).bind(value).bind(now).execute(pool).await.map(|_| ()))
}

#[derive(Debug, Clone, Copy)]
pub enum AccountFlag {
    Verified,
    Approved,
}

/// Sets the display name (`None` clears it).
pub async fn set_display_name(db: &Db, user_id: i64, display_name: Option<&str>) -> Result<(), sqlx::Error> {
    let sql = "UPDATE users SET display_name = $2, version = version + 1, updated_at = $3 WHERE id = $1";
    let now = now_ms();
    on_db!(db, |pool| sqlx::query(sql).bind(user_id).bind(display_name).bind(now).execute(pool).await.map(|_| ()))
}

/// Replaces the email address and marks it verified (after an email-change link).
pub async fn set_verified_email(db: &Db, user_id: i64, email: &str) -> Result<(), sqlx::Error> {
    let sql = "UPDATE users SET email = $2, email_lower = $3, verified = TRUE, email_unproven = FALSE, version = version + 1, updated_at = $4 \
               WHERE id = $1";
    let now = now_ms();
    on_db!(db, |pool| sqlx::query(sql).bind(user_id).bind(email).bind(email.to_lowercase()).bind(now).execute(pool).await.map(|_| ()))
}

/// Marks `user_id`'s address as typed but never proven by its mailbox
/// (`true`: registered while email verification was off) or as proven.
pub async fn set_email_unproven(db: &Db, user_id: i64, unproven: bool) -> Result<(), sqlx::Error> {
    let sql = "UPDATE users SET email_unproven = $2 WHERE id = $1";
    on_db!(db, |pool| sqlx::query(sql).bind(user_id).bind(unproven).execute(pool).await.map(|_| ()))
}

/// Whether `user_id`'s address was never proven by its mailbox.
pub async fn email_unproven(db: &Db, user_id: i64) -> Result<bool, sqlx::Error> {
    let sql = "SELECT email_unproven FROM users WHERE id = $1";
    on_db!(db, |pool| sqlx::query_scalar::<_, bool>(sql).bind(user_id).fetch_optional(pool).await.map(|v| v.unwrap_or(true)))
}
