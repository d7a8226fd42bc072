//! The `projects` and `memberships` tables: projects with their figures, and
//! who is in which group.

use crate::backend::db::Db;
use crate::backend::policy::{ProjectListScope, JOINED_ADMIN, JOINED_CREATED, JOINS_SHARING_EMAIL};
use crate::backend::store::audit::{append_in, NewEvent};
use crate::{in_tx, in_write_tx, on_db};

/// A project with the viewer's group and its figures, from one query.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub accessibility: String,
    pub created_at: i64,
    pub version: i64,
    pub owner: Option<String>,
    pub my_role: Option<String>,
    pub member_count: i64,
    pub dataset_count: i64,
}

/// `$1` is the viewer's user id (0 for a guest).
const SELECT_PROJECT: &str = "SELECT p.id, p.slug, p.name, p.description, p.accessibility, p.created_at, p.version, \
     (SELECT u.username FROM memberships o JOIN users u ON u.id = o.user_id \
       WHERE o.project_id = p.id AND o.role = 'owner' ORDER BY o.created_at, o.user_id LIMIT 1) AS owner, \
     m.role AS my_role, \
     (SELECT COUNT(*) FROM memberships c WHERE c.project_id = p.id) AS member_count, \
     (SELECT COUNT(*) FROM datasets d WHERE d.project_id = p.id) AS dataset_count \
     FROM projects p LEFT JOIN memberships m ON m.project_id = p.id AND m.user_id = $1";

pub async fn find(db: &Db, slug: &str, viewer: i64) -> Result<Option<ProjectRow>, sqlx::Error> {
    let sql = format!("{SELECT_PROJECT} WHERE p.slug_lower = $2");
    let key = slug.to_lowercase();
    on_db!(db, |pool| sqlx::query_as::<_, ProjectRow>(&sql).bind(viewer).bind(&key).fetch_optional(pool).await)
}

/// The projects `scope` shows `viewer`, by slug; projects they are in always.
pub async fn list_visible(db: &Db, viewer: i64, scope: ProjectListScope) -> Result<Vec<ProjectRow>, sqlx::Error> {
    let sql = format!(
        "{SELECT_PROJECT} WHERE $2 OR ($3 AND p.accessibility = 'public') \
         OR ($4 AND p.accessibility = 'protected') OR m.role IS NOT NULL ORDER BY p.slug_lower"
    );
    on_db!(db, |pool| sqlx::query_as::<_, ProjectRow>(&sql)
        .bind(viewer)
        .bind(scope.all)
        .bind(scope.public)
        .bind(scope.protected)
        .fetch_all(pool)
        .await)
}

/// The projects `user` is in, in any group.
pub async fn list_for_member(db: &Db, user: i64) -> Result<Vec<ProjectRow>, sqlx::Error> {
    let sql = format!("{SELECT_PROJECT} WHERE m.role IS NOT NULL ORDER BY p.slug_lower");
    on_db!(db, |pool| sqlx::query_as::<_, ProjectRow>(&sql).bind(user).fetch_all(pool).await)
}

/// The first `limit` projects `user` is in (slug, name, group), owned ones
/// first, and how many they are in all.
pub async fn memberships_of(db: &Db, user: i64, limit: i64) -> Result<(Vec<(String, String, String)>, i64), sqlx::Error> {
    let list = "SELECT p.slug, p.name, m.role FROM memberships m JOIN projects p ON p.id = m.project_id WHERE m.user_id = $1 \
                ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, p.slug_lower LIMIT $2";
    let count = "SELECT COUNT(*) FROM memberships WHERE user_id = $1";
    on_db!(db, |pool| {
        let rows = sqlx::query_as::<_, (String, String, String)>(list).bind(user).bind(limit).fetch_all(pool).await?;
        let total = sqlx::query_scalar::<_, i64>(count).bind(user).fetch_one(pool).await?;
        Ok((rows, total))
    })
}

pub struct NewProject<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub accessibility: &'a str,
    pub owner: i64,
    pub now: i64,
}

/// Inserts a project with `owner` in its Owners group; `None` when the slug
/// is taken in any letter case.
pub async fn insert(db: &Db, p: &NewProject<'_>, event: NewEvent) -> Result<Option<i64>, sqlx::Error> {
    in_tx!(db, |tx| {
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO projects (slug, slug_lower, name, description, accessibility, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(p.slug)
        .bind(p.slug.to_lowercase())
        .bind(p.name)
        .bind(p.description)
        .bind(p.accessibility)
        .bind(p.owner)
        .bind(p.now)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = id {
            sqlx::query("INSERT INTO memberships (project_id, user_id, role, created_at, joined_by) VALUES ($1, $2, 'owner', $3, $4)")
                .bind(id)
                .bind(p.owner)
                .bind(p.now)
                .bind(JOINED_CREATED)
                .execute(&mut *tx)
                .await?;
            append_in(&mut *tx, &NewEvent { target_id: id.to_string(), ..event.clone() }).await?;
        }
        Ok::<_, sqlx::Error>(id)
    })
}

/// The fields of an edit; `None` keeps what is stored.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProjectEdit<'a> {
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub accessibility: Option<&'a str>,
}

/// Writes the fields `edit` gives when the version still matches (`None`
/// skips the check); `false` when it did not. One statement, so edits of
/// different fields at the same time all land.
pub async fn update(db: &Db, id: i64, edit: ProjectEdit<'_>, version: Option<i64>, now: i64, event: &NewEvent) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE projects SET name = COALESCE($2, name), description = COALESCE($3, description), \
               accessibility = COALESCE($4, accessibility), updated_at = $5, version = version + 1 \
               WHERE id = $1 AND ($6 OR version = $7)";
    in_tx!(db, |tx| {
        let updated = sqlx::query(sql)
            .bind(id)
            .bind(edit.name)
            .bind(edit.description)
            .bind(edit.accessibility)
            .bind(now)
            .bind(version.is_none())
            .bind(version.unwrap_or(0))
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if updated {
            append_in(&mut *tx, event).await?;
        }
        Ok::<_, sqlx::Error>(updated)
    })
}

/// Deletes a project and everything in it, giving each uploader back the
/// bytes their files took. Returns the storage keys of the removed files.
pub async fn delete(db: &Db, id: i64, event: &NewEvent) -> Result<Vec<String>, sqlx::Error> {
    let files_of_project = "SELECT f.storage_key FROM files f JOIN datasets d ON d.id = f.dataset_id WHERE d.project_id = $1";
    let release = "UPDATE users SET storage_used = storage_used - COALESCE((SELECT SUM(f.size) FROM files f \
                   JOIN datasets d ON d.id = f.dataset_id WHERE d.project_id = $1 AND f.uploaded_by = users.id), 0) \
                   WHERE id IN (SELECT f.uploaded_by FROM files f JOIN datasets d ON d.id = f.dataset_id WHERE d.project_id = $1)";
    in_tx!(db, |tx| {
        let keys = sqlx::query_scalar::<_, String>(files_of_project).bind(id).fetch_all(&mut *tx).await?;
        sqlx::query(release).bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM projects WHERE id = $1").bind(id).execute(&mut *tx).await?;
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(keys)
    })
}

/// One row of a project's groups.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub role: String,
    pub enabled: bool,
    pub since: i64,
    /// How the membership began (`policy::JOINED_*`).
    pub joined_by: String,
}

pub async fn members(db: &Db, project: i64) -> Result<Vec<MemberRow>, sqlx::Error> {
    let sql = "SELECT u.id AS user_id, u.username, u.display_name, u.email, m.role, u.enabled, m.created_at AS since, m.joined_by \
               FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.project_id = $1 ORDER BY u.username_lower";
    on_db!(db, |pool| sqlx::query_as::<_, MemberRow>(sql).bind(project).fetch_all(pool).await)
}

pub async fn role_of(db: &Db, project: i64, user: i64) -> Result<Option<String>, sqlx::Error> {
    let sql = "SELECT role FROM memberships WHERE project_id = $1 AND user_id = $2";
    on_db!(db, |pool| sqlx::query_scalar::<_, String>(sql).bind(project).bind(user).fetch_optional(pool).await)
}

/// Closes `$2`'s pending request for project `$1` as approved with role `$3`.
pub(crate) const APPROVE_PENDING: &str = "UPDATE access_requests SET status = 'approved', role = $3, decided_at = $4, \
     decided_by = $5 WHERE project_id = $1 AND user_id = $2 AND status = 'pending'";

/// Puts user `$2` in project `$1` with role `$3` (since `$4`), joined by
/// `$5` (an invitation or a request: the member's own step, so it also
/// replaces how an earlier membership began); someone already in it keeps
/// the stronger of their role and `$3`. Returns the role.
pub(crate) const JOIN_KEEPING_THE_STRONGER_ROLE: &str = "INSERT INTO memberships (project_id, user_id, role, created_at, joined_by) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, user_id) DO UPDATE SET joined_by = excluded.joined_by, role = CASE \
     WHEN memberships.role = 'owner' OR excluded.role = 'owner' THEN 'owner' \
     WHEN memberships.role = 'member' OR excluded.role = 'member' THEN 'member' \
     ELSE 'collaborator' END RETURNING role";

/// Puts `user` in `role`'s group (moving them if they are in another; a
/// new membership begins as `joined_by`) and closes their pending access
/// request as approved.
#[allow(clippy::too_many_arguments)]
pub async fn set_role(db: &Db, project: i64, user: i64, role: &str, joined_by: &str, decided_by: &str, now: i64, event: &NewEvent) -> Result<(), sqlx::Error> {
    in_tx!(db, |tx| {
        sqlx::query(
            "INSERT INTO memberships (project_id, user_id, role, created_at, joined_by) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(project)
        .bind(user)
        .bind(role)
        .bind(now)
        .bind(joined_by)
        .execute(&mut *tx)
        .await?;
        sqlx::query(APPROVE_PENDING).bind(project).bind(user).bind(role).bind(now).bind(decided_by).execute(&mut *tx).await?;
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(())
    })
}

/// Sets which projects `user` is in, the registry's way, in one write
/// transaction (the user's row locked): joins each of `wanted` they are not
/// in as a Member, and leaves every other project where they are not an
/// owner. Concurrent calls apply one after the other.
/// Each project joined or left is audited with `event(project id, joined)`.
pub async fn set_member_projects(
    db: &Db,
    user: i64,
    wanted: &[i64],
    decided_by: &str,
    now: i64,
    event: impl Fn(i64, bool) -> NewEvent,
) -> Result<(), sqlx::Error> {
    in_write_tx!(db, |tx, lock| {
        sqlx::query(&format!("SELECT id FROM users WHERE id = $1{lock}")).bind(user).execute(&mut *tx).await?;
        for &project in wanted {
            let joined = sqlx::query(
                "INSERT INTO memberships (project_id, user_id, role, created_at, joined_by) VALUES ($1, $2, 'member', $3, $4) \
                 ON CONFLICT (project_id, user_id) DO NOTHING",
            )
            .bind(project)
            .bind(user)
            .bind(now)
            .bind(JOINED_ADMIN)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if joined == 1 {
                sqlx::query(APPROVE_PENDING).bind(project).bind(user).bind("member").bind(now).bind(decided_by).execute(&mut *tx).await?;
                append_in(&mut *tx, &event(project, true)).await?;
            }
        }
        let current: Vec<i64> = sqlx::query_scalar("SELECT project_id FROM memberships WHERE user_id = $1 AND role <> 'owner'")
            .bind(user)
            .fetch_all(&mut *tx)
            .await?;
        for project in current.into_iter().filter(|p| !wanted.contains(p)) {
            sqlx::query("DELETE FROM memberships WHERE project_id = $1 AND user_id = $2").bind(project).bind(user).execute(&mut *tx).await?;
            append_in(&mut *tx, &event(project, false)).await?;
        }
        Ok::<_, sqlx::Error>(())
    })
}

/// Runs `change` (a statement on `user`'s membership that must keep an
/// owner, with `role` as `$3` when given) after locking the project's
/// owner rows, so two owners moved at once cannot both pass the count.
/// `false` when it changed nothing.
async fn keeping_an_owner(db: &Db, project: i64, user: i64, change: &str, role: Option<&str>, event: &NewEvent) -> Result<bool, sqlx::Error> {
    in_write_tx!(db, |tx, lock| {
        sqlx::query(&format!("SELECT user_id FROM memberships WHERE project_id = $1 AND role = 'owner'{lock}"))
            .bind(project)
            .fetch_all(&mut *tx)
            .await?;
        let mut query = sqlx::query(change).bind(project).bind(user);
        if let Some(role) = role {
            query = query.bind(role);
        }
        let changed = query.execute(&mut *tx).await?.rows_affected() == 1;
        if changed {
            append_in(&mut *tx, event).await?;
        }
        Ok::<_, sqlx::Error>(changed)
    })
}

/// Changes `user`'s group unless that would leave the project without an
/// owner; `false` when it would.
pub async fn change_role_keeping_an_owner(db: &Db, project: i64, user: i64, role: &str, event: &NewEvent) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE memberships SET role = $3 WHERE project_id = $1 AND user_id = $2 \
               AND (role <> 'owner' OR $3 = 'owner' OR \
                    (SELECT COUNT(*) FROM memberships o WHERE o.project_id = $1 AND o.role = 'owner') > 1)";
    keeping_an_owner(db, project, user, sql, Some(role), event).await
}

/// Removes `user` from the project unless they are its last owner; `false`
/// when they are (or were not in it).
pub async fn remove_keeping_an_owner(db: &Db, project: i64, user: i64, event: &NewEvent) -> Result<bool, sqlx::Error> {
    let sql = "DELETE FROM memberships WHERE project_id = $1 AND user_id = $2 \
               AND (role <> 'owner' OR (SELECT COUNT(*) FROM memberships o WHERE o.project_id = $1 AND o.role = 'owner') > 1)";
    keeping_an_owner(db, project, user, sql, None, event).await
}

/// Email addresses of a project's enabled owners.
pub async fn owner_emails(db: &Db, project: i64) -> Result<Vec<String>, sqlx::Error> {
    let sql = "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id \
               WHERE m.project_id = $1 AND m.role = 'owner' AND u.enabled AND u.email IS NOT NULL";
    on_db!(db, |pool| sqlx::query_scalar::<_, String>(sql).bind(project).fetch_all(pool).await)
}

/// Project slugs per user, for user listings (one query for a page of users).
pub async fn slugs_by_user(db: &Db, users: &[i64]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let ids = users.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT m.user_id, p.slug FROM memberships m JOIN projects p ON p.id = m.project_id \
         WHERE m.user_id IN ({ids}) ORDER BY m.user_id, p.slug_lower"
    );
    on_db!(db, |pool| sqlx::query_as::<_, (i64, String)>(&sql).fetch_all(pool).await)
}

/// A user as XNAT's `/data/users` lists them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub enabled: bool,
    /// The viewer owns a project this user joined by invitation or
    /// request (`policy::JOINS_SHARING_EMAIL`): the user's address is shared with them.
    pub email_shared_with_viewer: bool,
}

/// SQL true when membership `o` shows its member's email to that project's
/// owners (`policy::JOINS_SHARING_EMAIL`).
fn shares_email(o: &str) -> String {
    let joins = JOINS_SHARING_EMAIL.map(|j| format!("'{j}'")).join(", ");
    format!("{o}.joined_by IN ({joins})")
}

/// Whether `person`'s email is shared with `viewer`: they joined a project
/// `viewer` owns by invitation or request.
pub async fn email_shared_with(db: &Db, person: i64, viewer: i64) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM memberships o JOIN memberships mine ON mine.project_id = o.project_id \
         WHERE o.user_id = $1 AND mine.user_id = $2 AND mine.role = 'owner' AND {})",
        shares_email("o")
    );
    on_db!(db, |pool| sqlx::query_scalar::<_, bool>(&sql).bind(person).bind(viewer).fetch_one(pool).await)
}

/// Every user (`everyone`), or `viewer` and the users sharing a project with them.
pub async fn people_visible_to(db: &Db, viewer: i64, everyone: bool) -> Result<Vec<PersonRow>, sqlx::Error> {
    let sql = format!(
        "SELECT u.id, u.username, u.display_name, u.email, u.enabled, \
         EXISTS (SELECT 1 FROM memberships o JOIN memberships mine ON mine.project_id = o.project_id \
                 WHERE o.user_id = u.id AND mine.user_id = $1 AND mine.role = 'owner' AND {}) AS email_shared_with_viewer \
         FROM users u WHERE $2 OR u.id = $1 \
         OR u.id IN (SELECT o.user_id FROM memberships o JOIN memberships mine ON mine.project_id = o.project_id \
                     WHERE mine.user_id = $1) ORDER BY u.username_lower",
        shares_email("o")
    );
    on_db!(db, |pool| sqlx::query_as::<_, PersonRow>(&sql).bind(viewer).bind(everyone).fetch_all(pool).await)
}
