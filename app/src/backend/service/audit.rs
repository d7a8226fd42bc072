//! The audit log (SPEC §7): the closed list of actions, events built from
//! who acted on what (with the request's address, user agent and id), and
//! reading the log — admins all of it, each user their own security events.
//!
//! Writing: a change and its event go in one transaction — the store
//! function making the change takes the `NewEvent` and appends it with
//! `append_in` before committing, so a change never lands without its
//! event and a failed event write rolls the change back. Events that record
//! no change (a refused sign-in) are appended alone with [`record`].
//!
//! Tamper evidence: every event is chained to the one before it by a
//! SHA-256 hash (store/audit.rs defines the encoding); the retention purge
//! records where the chain goes on; [`verify_chain`] walks it for
//! `gatehouse audit verify`.

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, Action};
use crate::backend::store::audit::{self, EventRow, Filter, NewEvent};
use crate::backend::time::{now_ms, DAY_MS};
use crate::backend::{csv_writer, time, AppState};
use crate::backend::csv_writer::CsvWriter;
use crate::backend::db::Db;
use crate::model::{iso8601, validate, AppError, AuditEntry, AuditPage, AuditQuery};

/// Declares the actions once: the enum, the list of all, and their names.
macro_rules! audit_actions {
    ($($variant:ident => $name:literal,)*) => {
        /// What happened. The names are stable: scripts filter on them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum AuditAction { $($variant,)* }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(AuditAction::$variant => $name,)* }
            }
        }
    };
}

audit_actions! {
    SignIn => "sign_in",
    SignInFailed => "sign_in_failed",
    SignOut => "sign_out",
    SessionRevoked => "session_revoked",
    PasswordChanged => "password_changed",
    TokenCreated => "token_created",
    TokenRevoked => "token_revoked",
    ServiceKeySet => "service_key_set",
    ServiceKeyDeleted => "service_key_deleted",
    ServiceKeyRead => "service_key_read",
    UserCreated => "user_created",
    UserUpdated => "user_updated",
    UserEnabled => "user_enabled",
    UserDisabled => "user_disabled",
    UserDeleted => "user_deleted",
    UserUnlocked => "user_unlocked",
    PasswordReset => "password_reset",
    RoleCreated => "role_created",
    RoleDeleted => "role_deleted",
    RoleGranted => "role_granted",
    RoleRevoked => "role_revoked",
    ProjectCreated => "project_created",
    ProjectUpdated => "project_updated",
    ProjectDeleted => "project_deleted",
    MemberAdded => "member_added",
    MemberChanged => "member_changed",
    MemberRemoved => "member_removed",
    AccessRequested => "access_requested",
    AccessApproved => "access_approved",
    AccessDenied => "access_denied",
    InvitationSent => "invitation_sent",
    InvitationAccepted => "invitation_accepted",
    InvitationRevoked => "invitation_revoked",
    UsersImported => "users_imported",
    SettingsChanged => "settings_changed",
    AuditPurged => "audit_purged",
    FeatureChanged => "feature_changed",
    TotpEnabled => "totp_enabled",
    TotpDisabled => "totp_disabled",
    RecoveryCodesCreated => "recovery_codes_created",
    RecoveryCodeUsed => "recovery_code_used",
}

impl AuditAction {
    pub fn from_name(name: &str) -> Option<AuditAction> {
        AuditAction::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// The events a user sees about their own account ("Security activity").
    fn is_own_security_event(self) -> bool {
        matches!(
            self,
            AuditAction::SignIn
                | AuditAction::SignInFailed
                | AuditAction::SignOut
                | AuditAction::SessionRevoked
                | AuditAction::PasswordChanged
                | AuditAction::PasswordReset
                | AuditAction::TokenCreated
                | AuditAction::TokenRevoked
                | AuditAction::ServiceKeySet
                | AuditAction::ServiceKeyDeleted
                | AuditAction::UserUnlocked
                | AuditAction::TotpEnabled
                | AuditAction::TotpDisabled
                | AuditAction::RecoveryCodesCreated
                | AuditAction::RecoveryCodeUsed
        )
    }
}

/// What an event is about.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub kind: &'static str,
    pub id: String,
    pub text: String,
}

impl Target {
    pub fn user(id: i64, username: &str) -> Target {
        Target { kind: "user", id: id.to_string(), text: username.to_string() }
    }
    pub fn setting(name: &str) -> Target {
        Target { kind: "setting", id: String::new(), text: name.to_string() }
    }
    pub fn service_key(owner: Option<i64>, name: &str) -> Target {
        let id = owner.map(|o| o.to_string()).unwrap_or_default();
        Target { kind: "service_key", id, text: name.to_string() }
    }
    pub fn feature(key: &str) -> Target {
        Target { kind: "feature", id: String::new(), text: key.to_string() }
    }
    pub fn role(name: &str) -> Target {
        Target { kind: "role", id: String::new(), text: name.to_string() }
    }
    pub fn project(id: i64, slug: &str) -> Target {
        Target { kind: "project", id: id.to_string(), text: slug.to_string() }
    }
}

/// What an update changed, field by field (its event's `changed` details).
#[derive(Debug, Default)]
pub struct Changes(serde_json::Map<String, serde_json::Value>);

impl Changes {
    /// Notes `field` with its old and new value when the two differ.
    pub fn note(&mut self, field: &str, old: impl serde::Serialize, new: impl serde::Serialize) {
        let (old, new) = (serde_json::json!(old), serde_json::json!(new));
        if old != new {
            self.0.insert(field.into(), serde_json::json!({"old": old, "new": new}));
        }
    }

    /// Notes `field` as `value` whatever it was (a password: only "changed").
    pub fn set(&mut self, field: &str, value: serde_json::Value) {
        self.0.insert(field.into(), value);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The event's details: `{"changed": {field: {"old", "new"}, …}}`.
    pub fn details(self) -> serde_json::Value {
        serde_json::json!({"changed": self.0})
    }
}

/// The request being served: where it came from, set once per request by
/// the server's request layer, read when an event is built.
#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The server's own id of the request.
    pub request_id: Option<String>,
    /// The `X-Request-Id` the client sent (checked safe), kept apart from ours.
    pub client_request_id: Option<String>,
}

tokio::task_local! {
    pub static REQUEST: RequestContext;
}

fn current_request() -> RequestContext {
    REQUEST.try_with(|c| c.clone()).unwrap_or_default()
}

/// Who acted: a signed-in caller, or `None` for an anonymous one.
pub enum Actor<'a> {
    User(&'a Principal),
    /// A user known by id and name who is not a principal yet (signing in).
    Named(i64, &'a str),
    Anonymous,
    System,
}

impl<'a> Actor<'a> {
    /// The caller, or the system when there is none (background work).
    pub fn of(principal: Option<&'a Principal>) -> Actor<'a> {
        principal.map_or(Actor::System, Actor::User)
    }
}

impl<'a> From<&'a Principal> for Actor<'a> {
    fn from(p: &'a Principal) -> Actor<'a> {
        Actor::User(p)
    }
}

/// An event to append, stamped with the time and the request's origin.
pub fn event(actor: Actor<'_>, action: AuditAction, target: Target, details: serde_json::Value) -> NewEvent {
    let (actor_id, actor) = match actor {
        Actor::User(p) => (Some(p.user_id), p.username.clone()),
        Actor::Named(id, name) => (Some(id), name.to_string()),
        Actor::Anonymous => (None, "anonymous".to_string()),
        Actor::System => (None, "system".to_string()),
    };
    let request = current_request();
    let details = if details.is_null() { serde_json::json!({}) } else { details };
    NewEvent {
        at: now_ms(),
        actor_id,
        actor,
        action: action.name(),
        target_kind: target.kind,
        target_id: target.id,
        target: target.text,
        details: details.to_string(),
        ip: request.ip,
        user_agent: request.user_agent.map(|ua| ua.chars().take(512).collect()),
        request_id: request.request_id,
        client_request_id: request.client_request_id,
    }
}

/// What a refused sign-in records of the username typed: the text when it
/// could be a username (valid, at most [`MAX_LOGGED_USERNAME`] characters),
/// else [`INVALID_USERNAME`] — what was typed there is often a password.
pub fn typed_username(typed: &str) -> String {
    let plausible = typed.chars().count() <= MAX_LOGGED_USERNAME && validate::check_username(typed, "username").is_ok();
    if plausible { typed.to_string() } else { INVALID_USERNAME.to_string() }
}

pub const MAX_LOGGED_USERNAME: usize = 64;
pub const INVALID_USERNAME: &str = "(invalid username)";

/// Deletes up to `batch` of the oldest events written before `cutoff`,
/// appending in the same transaction an `audit_purged` event with how many
/// went, their time range and the hash the chain now starts from.
pub async fn purge_older_than(state: &AppState, cutoff: i64, batch: i64) -> Result<u64, AppError> {
    let record = |purge: &audit::Purge| {
        let mut details = serde_json::to_value(purge).unwrap_or_default();
        details["oldest"] = iso8601(purge.oldest_at).into();
        details["newest"] = iso8601(purge.newest_at).into();
        details["cutoff"] = iso8601(cutoff).into();
        event(Actor::System, AuditAction::AuditPurged, Target { kind: "audit_log", ..Default::default() }, details)
    };
    Ok(audit::purge_older_than(&state.db, cutoff, batch, &record).await?)
}

/// What `gatehouse audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every chained event follows its predecessor and matches its hash.
    Intact {
        events: u64,
        /// Events written before the chain began (before the upgrade that added it).
        unchained: u64,
        /// The last event's hash: note it elsewhere to detect a later rewrite.
        head: String,
    },
    /// The first event where the chain breaks, and what is wrong there.
    Broken { id: i64, problem: String },
}

/// Walks the chain in id order: each event's `prev_hash` must be its
/// predecessor's hash — or, for the first event and for one whose
/// predecessors the retention purge deleted, what the purge recorded — and
/// its `hash` must be what its fields give.
pub async fn verify_chain(db: &Db) -> Result<ChainCheck, AppError> {
    let purges: Vec<audit::Purge> =
        audit::purge_records(db).await?.iter().filter_map(|d| serde_json::from_str(d).ok()).collect();
    let start = purges.last().map(|p| p.start_hash.clone()).unwrap_or_default();
    let resumes: std::collections::HashMap<i64, String> =
        purges.into_iter().flat_map(|p| p.resumes).map(|r| (r.id, r.prev_hash)).collect();
    let (mut events, mut unchained, mut last, mut after) = (0u64, 0u64, None::<(i64, String)>, 0i64);
    loop {
        let rows = audit::chain_page(db, after, 1000).await?;
        let Some(end) = rows.last().map(|r| r.event.id) else { break };
        for row in rows {
            let id = row.event.id;
            let Some(hash) = row.hash.clone() else {
                match &last {
                    Some((before, _)) => {
                        let problem = format!("it has no hash, though event {before} before it has one (written around the chain)");
                        return Ok(ChainCheck::Broken { id, problem });
                    }
                    None => {
                        unchained += 1;
                        continue;
                    }
                }
            };
            let prev = row.prev_hash.clone().unwrap_or_default();
            let expected = last.as_ref().map_or(start.as_str(), |(_, h)| h.as_str());
            if prev != expected && resumes.get(&id) != Some(&prev) {
                let problem = match &last {
                    Some((before, _)) => format!(
                        "its previous hash does not match event {before}'s hash: an event between them was deleted, or event {before} was replaced"
                    ),
                    None => "its previous hash is not where the chain starts: earlier events were deleted outside the retention sweep".into(),
                };
                return Ok(ChainCheck::Broken { id, problem });
            }
            if row.recomputed_hash() != hash {
                return Ok(ChainCheck::Broken { id, problem: "its contents do not match its hash: it was changed after it was written".into() });
            }
            events += 1;
            last = Some((id, hash));
        }
        after = end;
    }
    Ok(ChainCheck::Intact { events, unchained, head: last.map(|(_, h)| h).unwrap_or_default() })
}

/// Appends an event that records no change (the refusals of sign-in).
pub async fn record(state: &AppState, event: &NewEvent) -> Result<(), AppError> {
    Ok(audit::append(&state.db, event).await?)
}

/// Events per page.
pub const PAGE: i64 = 50;
/// Events per query while exporting.
const EXPORT_BATCH: i64 = 1000;
/// Longest free-text filter.
const MAX_FILTER_CHARS: usize = 200;

/// The admin filters, checked: a clear error names the field.
pub fn parse_query(query: &AuditQuery) -> Result<(Filter, Option<i64>), AppError> {
    let text = |value: &Option<String>, field: &str| -> Result<Option<String>, AppError> {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) if v.chars().count() > MAX_FILTER_CHARS => {
                Err(AppError::validation(field, format!("{field}: at most {MAX_FILTER_CHARS} characters")))
            }
            Some(v) => Ok(Some(v.to_string())),
        }
    };
    let action = text(&query.action, "action")?;
    if let Some(a) = &action {
        if AuditAction::from_name(a).is_none() {
            return Err(AppError::validation("action", format!("action: no such action {a:?}")));
        }
    }
    let from = text(&query.from, "from")?.map(|v| parse_time(&v, false, "from")).transpose()?;
    let to = text(&query.to, "to")?.map(|v| parse_time(&v, true, "to")).transpose()?;
    let after = text(&query.after, "after")?
        .map(|v| v.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| AppError::validation("after", "after: not a page cursor from this list")))
        .transpose()?;
    let filter = Filter {
        from,
        to,
        actor: text(&query.actor, "actor")?,
        action,
        target: text(&query.target, "target")?,
        ip: text(&query.ip, "ip")?,
        text: text(&query.q, "q")?.map(|q| q.to_lowercase()),
        ..Default::default()
    };
    Ok((filter, after))
}

/// A date (`2026-12-01`, the whole day when `end`), a UTC time
/// (`2026-12-01T10:00:00Z`, `…T10:00`) or Unix milliseconds.
fn parse_time(text: &str, end: bool, field: &str) -> Result<i64, AppError> {
    if let Ok(ms) = text.parse::<i64>() {
        return Ok(ms);
    }
    match time::parse_utc(text) {
        Some((ms, true)) if end => Ok(ms + DAY_MS),
        Some((ms, _)) => Ok(ms),
        None => Err(AppError::validation(field, format!("{field}: use a date like 2026-12-01, a time like 2026-12-01T10:00:00Z, or Unix milliseconds"))),
    }
}

fn entry(row: EventRow) -> AuditEntry {
    AuditEntry {
        id: row.id,
        at: iso8601(row.at),
        actor: row.actor,
        action: row.action,
        target_kind: row.target_kind,
        target_id: row.target_id,
        target: row.target,
        details: serde_json::from_str(&row.details).unwrap_or(serde_json::Value::Null),
        ip: row.ip,
        user_agent: row.user_agent,
        request_id: row.request_id,
        client_request_id: row.client_request_id,
    }
}

async fn page_of(state: &AppState, filter: &Filter, after: Option<i64>) -> Result<AuditPage, AppError> {
    let mut rows = audit::page(&state.db, filter, after, PAGE + 1).await?;
    let next = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| r.id.to_string())
    } else {
        None
    };
    Ok(AuditPage { items: rows.into_iter().map(entry).collect(), next })
}

/// Admin → Audit log and `GET /api/audit`: one page, newest first.
pub async fn list(state: &AppState, principal: Option<&Principal>, query: &AuditQuery) -> Result<AuditPage, AppError> {
    authorize(principal, Action::Administer)?;
    let (filter, after) = parse_query(query)?;
    page_of(state, &filter, after).await
}

/// My account → Security activity: sign-ins, sessions, passwords, tokens
/// and keys, by the user or about their account.
pub async fn my_activity(state: &AppState, principal: Option<&Principal>, after: Option<String>) -> Result<AuditPage, AppError> {
    let p = authorize(principal, Action::ViewOwnAccount)?;
    let (_, after) = parse_query(&AuditQuery { after, ..Default::default() })?;
    let actions = AuditAction::ALL.iter().filter(|a| a.is_own_security_event()).map(|a| a.name()).collect();
    let filter = Filter { concerning_user: Some(p.user_id), actions: Some(actions), ..Default::default() };
    page_of(state, &filter, after).await
}

pub const CSV_HEADER: [&str; 12] =
    ["id", "time", "actor", "action", "target_kind", "target_id", "target", "details", "ip", "user_agent", "request_id", "client_request_id"];

/// The filtered log as CSV, produced a batch at a time while it is sent,
/// so its size does not matter; the caller is checked before the first byte
/// (the door asks for the `export_csv` feature).
pub async fn export_csv(
    state: &AppState,
    principal: Option<&Principal>,
    query: &AuditQuery,
) -> Result<impl futures_util::Stream<Item = Result<String, AppError>> + Send + 'static, AppError> {
    authorize(principal, Action::Administer)?;
    let (filter, after) = parse_query(query)?;
    let state = state.clone();
    enum Step {
        Header(Option<i64>),
        Rows(Option<i64>),
        Done,
    }
    Ok(futures_util::stream::unfold(Step::Header(after), move |step| {
        let (state, filter) = (state.clone(), filter.clone());
        async move {
            let before = match step {
                Step::Done => return None,
                Step::Header(before) => {
                    let header = CsvWriter::with_header(&CSV_HEADER, "\r\n").finish();
                    return Some((Ok(header), Step::Rows(before)));
                }
                Step::Rows(before) => before,
            };
            match audit::page(&state.db, &filter, before, EXPORT_BATCH).await {
                Err(e) => Some((Err(AppError::from(e)), Step::Done)),
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let last = rows.last().map(|r| r.id);
                    let more = rows.len() as i64 == EXPORT_BATCH;
                    let mut out = String::new();
                    for row in rows {
                        let cells = [
                            row.id.to_string(),
                            iso8601(row.at),
                            row.actor,
                            row.action,
                            row.target_kind,
                            row.target_id,
                            row.target,
                            row.details,
                            row.ip.unwrap_or_default(),
                            row.user_agent.unwrap_or_default(),
                            row.request_id.unwrap_or_default(),
                            row.client_request_id.unwrap_or_default(),
                        ];
                        let line: Vec<String> = cells.iter().map(|c| csv_writer::field(c)).collect();
                        out.push_str(&line.join(","));
                        out.push_str("\r\n");
                    }
                    Some((Ok(out), if more { Step::Rows(last) } else { Step::Done }))
                }
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AUDIT_ACTIONS;

    #[test]
    fn action_names_are_unique_and_round_trip() {
        let names: std::collections::HashSet<_> = AuditAction::ALL.iter().map(|a| a.name()).collect();
        assert_eq!(names.len(), AuditAction::ALL.len());
        for &a in AuditAction::ALL {
            assert_eq!(AuditAction::from_name(a.name()), Some(a));
        }
    }

    #[test]
    fn the_shared_list_names_every_action() {
        let names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.name()).collect();
        assert_eq!(names, AUDIT_ACTIONS);
    }

    #[test]
    fn only_a_plausible_username_is_logged() {
        assert_eq!(typed_username("nobody-here"), "nobody-here");
        for typed in ["correct horse battery", "Tr0ub4dor&3", "", "ab", &"a".repeat(65)] {
            assert_eq!(typed_username(typed), INVALID_USERNAME, "{typed}");
        }
    }

    #[test]
    fn times_parse_as_typed() {
        assert_eq!(parse_time("2024-01-15", false, "from").unwrap(), 1_705_276_800_000);
        assert_eq!(parse_time("2024-01-15", true, "to").unwrap(), 1_705_276_800_000 + 86_400_000);
        assert_eq!(parse_time("2024-01-15T10:30:00Z", false, "from").unwrap(), 1_705_314_600_000);
        assert_eq!(parse_time("2024-01-15T10:30", false, "from").unwrap(), 1_705_314_600_000);
        assert_eq!(parse_time("1705314600000", false, "from").unwrap(), 1_705_314_600_000);
        assert_eq!(parse_time("yesterday", false, "from").unwrap_err().field(), Some("from"));
    }

    #[test]
    fn bad_filters_name_their_field() {
        let bad = AuditQuery { action: Some("drop_tables".into()), ..Default::default() };
        assert_eq!(parse_query(&bad).unwrap_err().field(), Some("action"));
        let bad = AuditQuery { after: Some("x".into()), ..Default::default() };
        assert_eq!(parse_query(&bad).unwrap_err().field(), Some("after"));
        let bad = AuditQuery { q: Some("a".repeat(201)), ..Default::default() };
        assert_eq!(parse_query(&bad).unwrap_err().field(), Some("q"));
        let (filter, _) = parse_query(&AuditQuery { q: Some(" Alice ".into()), ..Default::default() }).unwrap();
        assert_eq!(filter.text.as_deref(), Some("alice"));
    }
}
