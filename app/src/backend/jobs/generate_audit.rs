//! Generated audit events, for benchmarks and demos (`gatehouse
//! generate-audit N`, `bench/`): a one-off bulk job, not a use case of
//! either door. Events spread over the past year, newest last, from 1,000
//! actors and 5,000 addresses; most are sign-ins. They join the hash chain
//! like any other event.

use crate::backend::db::Db;
use crate::backend::store::audit::{chain_hash, NewEvent};
use crate::backend::time::{now_ms, DAY_MS};
use crate::backend::AppState;
use crate::model::AppError;

/// Rows per INSERT (11 parameters each, under both databases' limits).
const ROWS_PER_STATEMENT: usize = 500;
/// Statements per transaction.
const STATEMENTS_PER_TX: usize = 20;

const ACTIONS: &[(&str, &str)] = &[
    ("sign_in", r#"{"door":"form"}"#),
    ("sign_in", r#"{"door":"basic"}"#),
    ("sign_in", r#"{"door":"jwt"}"#),
    ("sign_in_failed", r#"{"reason":"wrong_password","door":"form"}"#),
    ("sign_out", "{}"),
    ("token_created", r#"{"kind":"access","name":"laptop","by":"owner"}"#),
    ("session_revoked", r#"{"by":"owner"}"#),
    ("user_updated", r#"{"changed":{"email":{"old":"a@example.org","new":"b@example.org"}}}"#),
    ("sign_in", r#"{"door":"form"}"#),
    ("sign_in_failed", r#"{"reason":"unknown_user","door":"basic"}"#),
];

/// Appends `count` generated events.
pub async fn generate_audit(state: &AppState, count: usize) -> Result<(), AppError> {
    let now = now_ms();
    let span = 365 * DAY_MS;
    let mut n = 0;
    while n < count {
        let in_tx = (count - n).min(ROWS_PER_STATEMENT * STATEMENTS_PER_TX);
        insert_batch(&state.db, n, in_tx, count, now, span).await?;
        n += in_tx;
    }
    Ok(())
}

async fn insert_batch(db: &Db, first: usize, rows: usize, count: usize, now: i64, span: i64) -> Result<(), sqlx::Error> {
    crate::with_chain_head!(db, |tx, prev| {
        let mut prev = prev;
        let mut done = 0;
        while done < rows {
            let chunk = (rows - done).min(ROWS_PER_STATEMENT);
            let placeholders: Vec<String> = (0..chunk)
                .map(|r| {
                    let p: Vec<String> = (1..=11).map(|k| format!("${}", r * 11 + k)).collect();
                    format!(
                        "({}, {}, {}, {}, 'user', {}, {}, {}, {}, 'generated', {}, {}, {})",
                        p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10]
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO audit_events (at, actor_id, actor, action, target_kind, target_id, target, details, ip, user_agent, request_id, prev_hash, hash) VALUES {}",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for i in first + done..first + done + chunk {
                let (action, details) = ACTIONS[i % ACTIONS.len()];
                let user = (i * 7919) % 1000;
                let event = NewEvent {
                    at: now - span + (span / count.max(1) as i64) * i as i64,
                    actor_id: (action != "sign_in_failed").then_some(user as i64 + 1000),
                    actor: if action == "sign_in_failed" { "anonymous".to_string() } else { format!("user{user}") },
                    action,
                    target_kind: "user",
                    target_id: (user + 1000).to_string(),
                    target: format!("user{user}"),
                    details: details.to_string(),
                    ip: Some(format!("10.{}.{}.{}", (i * 31) % 20, (i * 17) % 250, (i * 13) % 250 % 12 + 1)),
                    user_agent: Some("generated".to_string()),
                    request_id: Some(format!("{i:016x}")),
                    client_request_id: None,
                };
                let hash = chain_hash(&prev, &event.chain_fields());
                query = query
                    .bind(event.at)
                    .bind(event.actor_id)
                    .bind(event.actor)
                    .bind(event.action)
                    .bind(event.target_id)
                    .bind(event.target)
                    .bind(details)
                    .bind(event.ip)
                    .bind(event.request_id)
                    .bind(std::mem::replace(&mut prev, hash.clone()))
                    .bind(hash);
            }
            query.execute(&mut *tx).await?;
            done += chunk;
        }
        Ok::<_, sqlx::Error>(())
    })
}
