//! Generated audit events, for benchmarks and demos (`gatehouse
//! generate-audit N`, `bench/`): a one-off bulk job, not a use case of
//! either door. Events spread over the past year, newest last, from 1,000
//! actors and 5,000 addresses; most are sign-ins. They join the hash chain
//! like any other event.

use crate::backend::store::audit::{self, NewEvent};
use crate::backend::time::{now_ms, DAY_MS};
use crate::backend::AppState;
use crate::model::AppError;

/// Events per transaction.
const EVENTS_PER_TX: usize = 10_000;

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
        let in_tx = (count - n).min(EVENTS_PER_TX);
        let events: Vec<NewEvent> = (n..n + in_tx).map(|i| generated(i, count, now, span)).collect();
        audit::append_many(&state.db, &events).await?;
        n += in_tx;
    }
    Ok(())
}

/// The `i`th of `count` generated events, spread over the `span` before `now`.
fn generated(i: usize, count: usize, now: i64, span: i64) -> NewEvent {
    let (action, details) = ACTIONS[i % ACTIONS.len()];
    let user = (i * 7919) % 1000;
    NewEvent {
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
    }
}
