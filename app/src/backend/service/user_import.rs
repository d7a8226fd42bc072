//! CSV user import (SPEC §8): `username, display_name, email, roles,
//! enabled`, no passwords. Imported users cannot sign in until an admin
//! sets a password (or, once email exists, they set one from an emailed
//! link). A dry run checks everything and changes nothing; a real run
//! creates each valid row with its roles, or nothing of it.

use crate::backend::auth::{external, Principal};
use crate::backend::policy::{admin_change_action, authorize, AccountChange};
use crate::backend::service::audit::{self, AuditAction, Target};
use crate::backend::store::users::import::{self, ImportedUser};
use crate::backend::store::roles;
use crate::backend::service::settings;
use crate::backend::AppState;
use crate::model::*;
use std::collections::{HashMap, HashSet};

/// Checks (and unless `dry_run`, applies) one chunk of a CSV file. `csv`
/// starts with the header row; `first_line` is the file line number of the
/// chunk's first data row.
pub async fn import_chunk(
    state: &AppState,
    principal: Option<&Principal>,
    csv: &str,
    first_line: i64,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    let change = AccountChange { creates_accounts: !dry_run, ..Default::default() };
    let caller = authorize(principal, admin_change_action(change))?;
    if !dry_run {
        settings::require_recent_sign_in(state, caller).await?;
    }
    external::refuse_local_management(state)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(csv.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::validation("file", format!("The header row cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let Some(username_at) = column("username") else {
        return Err(AppError::validation("file", format!("The header row must name a username column (columns: {})", IMPORT_COLUMNS.join(", "))));
    };
    let known_roles: HashMap<String, String> =
        roles::list(&state.db).await?.into_iter().map(|r| (r.name.to_lowercase(), r.name)).collect();

    let mut report = ImportReport::default();
    let mut candidates: Vec<ImportedUser> = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = first_line + index as i64;
        report.rows += 1;
        if report.rows as usize > IMPORT_CHUNK_ROWS {
            return Err(AppError::TooLarge(format!("Send at most {IMPORT_CHUNK_ROWS} rows at once")));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                report.problems.push(ImportProblem { line, message: format!("Unreadable row: {e}") });
                continue;
            }
        };
        let field = |name: &str| column(name).and_then(|i| record.get(i)).unwrap_or("").to_string();
        match parse_row(line, record.get(username_at).unwrap_or(""), &field, &known_roles) {
            Ok(user) => candidates.push(user),
            Err(message) => report.problems.push(ImportProblem { line, message }),
        }
    }

    // Duplicates inside the chunk, then against the database.
    let mut seen_names = HashSet::new();
    let mut seen_emails = HashSet::new();
    let names: Vec<String> = candidates.iter().map(|u| u.username.to_lowercase()).collect();
    let emails: Vec<String> = candidates.iter().filter_map(|u| u.email.as_ref().map(|e| e.to_lowercase())).collect();
    let taken_names: HashSet<String> = import::taken_usernames(&state.db, &names).await?.into_iter().collect();
    let taken_emails: HashSet<String> = import::taken_emails(&state.db, &emails).await?.into_iter().collect();
    let mut valid = Vec::new();
    for user in candidates {
        let name = user.username.to_lowercase();
        let email = user.email.as_ref().map(|e| e.to_lowercase());
        let problem = if taken_names.contains(&name) || !seen_names.insert(name) {
            Some(USERNAME_TAKEN)
        } else if email.as_ref().is_some_and(|e| taken_emails.contains(e) || !seen_emails.insert(e.clone())) {
            Some(EMAIL_TAKEN)
        } else {
            None
        };
        match problem {
            Some(message) => report.problems.push(ImportProblem { line: user.line, message: message.into() }),
            None => valid.push(user),
        }
    }
    report.created = valid.len() as i64;
    if !dry_run && !valid.is_empty() {
        let (rows, problems, created) = (report.rows, report.problems.len(), valid.len());
        let event = |skipped: &[i64]| {
            let details = serde_json::json!({
                "rows": rows, "created": created - skipped.len(), "refused": problems + skipped.len(), "first_line": first_line,
            });
            audit::event(caller.into(), AuditAction::UsersImported, Target::default(), details)
        };
        for line in import::insert_imported(&state.db, &valid, event).await? {
            report.created -= 1;
            report.problems.push(ImportProblem { line, message: "Username or email was taken meanwhile".into() });
        }
        state.search_upkeep.bulk_write();
    }
    report.problems.sort_by_key(|p| p.line);
    Ok(report)
}

fn parse_row(
    line: i64,
    username: &str,
    field: &dyn Fn(&str) -> String,
    known_roles: &HashMap<String, String>,
) -> Result<ImportedUser, String> {
    check_username(username, "username").map_err(|e| e.message())?;
    let display_name = validate::display_name(&field("display_name"), "display_name").map_err(|e| e.message())?.map(String::from);
    let email = validate::optional_email(&field("email"), "email").map_err(|e| e.message())?.map(String::from);
    let mut role_names = Vec::new();
    for role in field("roles").split([' ', ';', '|']).filter(|r| !r.is_empty()) {
        let name = known_roles.get(&role.to_lowercase()).ok_or_else(|| format!("Unknown role: {role}"))?;
        if !role_names.contains(name) {
            role_names.push(name.clone());
        }
    }
    if role_names.is_empty() {
        role_names.push("user".into());
    }
    let enabled = match field("enabled").to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "1" => true,
        "false" | "no" | "0" => false,
        other => return Err(format!("enabled must be true or false (got {other})")),
    };
    Ok(ImportedUser { line, username: username.to_string(), display_name, email, roles: role_names, enabled })
}
