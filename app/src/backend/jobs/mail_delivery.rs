//! Delivering the outbox over SMTP (lettre). A background task claims due
//! messages one at a time (an atomic UPDATE, so several instances never
//! send the same one), sends them, and records the outcome: `sent`, or
//! `pending` again with exponential backoff, or `failed` after the last
//! attempt. Message bodies hold tokens: they are never logged, and once a
//! message is sent or failed for good its stored body loses its one-time links.

use crate::backend::service::mail::without_one_time_links;
use crate::backend::store::outbox::{self, DueMessage};
use crate::backend::time::now_ms;
use crate::backend::AppState;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How the sender talks to the SMTP server and retries.
#[derive(Clone, Debug)]
pub struct MailDelivery {
    /// `smtp://host:port`, `smtps://user:pass@host:465`, `smtp://host:587?tls=required`, …
    pub smtp_url: String,
    /// The `From` address, e.g. `Gatehouse <noreply@example.org>`.
    pub from: String,
    /// Wait after the first failure; doubled after each further one.
    pub retry_base: Duration,
    /// Longest wait between attempts.
    pub retry_cap: Duration,
    /// Attempts before a message is marked `failed`.
    pub max_attempts: i64,
    /// How often the outbox is checked for due messages.
    pub poll_every: Duration,
}

/// How long a claimed message stays reserved for its sender.
const LEASE_MS: i64 = 5 * 60 * 1000;

/// The wait before attempt `attempts + 1`, after `attempts` failures (≥ 1).
pub fn retry_delay(base: Duration, cap: Duration, attempts: i64) -> Duration {
    let doublings = (attempts - 1).clamp(0, 30) as u32;
    base.saturating_mul(2u32.saturating_pow(doublings)).min(cap)
}

/// Checks the configuration; the error says what is wrong.
pub fn transport(delivery: &MailDelivery) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    delivery.from.parse::<Mailbox>().map_err(|e| format!("mail_from is not a valid address: {e}"))?;
    let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&delivery.smtp_url)
        .map_err(|e| format!("smtp_url is not valid: {e}"))?;
    Ok(builder.timeout(Some(Duration::from_secs(30))).build())
}

/// Starts the background sender.
pub fn spawn(state: AppState, delivery: MailDelivery, mailer: AsyncSmtpTransport<Tokio1Executor>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(delivery.poll_every);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(err) = deliver_due(&state, &delivery, &mailer).await {
                tracing::warn!(error = %err, "outbox delivery pass failed");
            }
        }
    });
}

/// Sends every message due now; returns how many were sent.
pub async fn deliver_due(
    state: &AppState,
    delivery: &MailDelivery,
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
) -> Result<usize, sqlx::Error> {
    let mut sent = 0;
    for id in outbox::due_ids(&state.db, now_ms(), 20).await? {
        let now = now_ms();
        let Some(message) = outbox::claim(&state.db, id, now, now + LEASE_MS).await? else { continue };
        let stored_body = without_one_time_links(&message.body);
        match send(delivery, mailer, &message).await {
            Ok(()) => {
                outbox::mark_sent(&state.db, id, now_ms(), &stored_body).await?;
                tracing::info!(outbox_id = id, "email sent");
                sent += 1;
            }
            Err(Failure { error, permanent }) => {
                let attempts = message.attempts + 1;
                let retry_at = (!permanent && attempts < delivery.max_attempts)
                    .then(|| now_ms() + retry_delay(delivery.retry_base, delivery.retry_cap, attempts).as_millis() as i64);
                let error: String = error.chars().take(500).collect();
                tracing::warn!(outbox_id = id, attempts, error = %error, gave_up = retry_at.is_none(), "email not sent");
                outbox::mark_failed(&state.db, id, &error, retry_at, &stored_body).await?;
            }
        }
    }
    Ok(sent)
}

struct Failure {
    error: String,
    /// Retrying cannot help (a malformed address).
    permanent: bool,
}

async fn send(delivery: &MailDelivery, mailer: &AsyncSmtpTransport<Tokio1Executor>, m: &DueMessage) -> Result<(), Failure> {
    let permanent = |error: String| Failure { error, permanent: true };
    let from: Mailbox = delivery.from.parse().map_err(|e| permanent(format!("bad From address: {e}")))?;
    let to: Mailbox = m.to_address.parse().map_err(|e| permanent(format!("bad recipient address: {e}")))?;
    let email = Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone())
        .map_err(|e| permanent(format!("cannot build the message: {e}")))?;
    mailer.send(email).await.map(|_| ()).map_err(|e| Failure { permanent: e.is_permanent(), error: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::retry_delay;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let (base, cap) = (Duration::from_secs(60), Duration::from_secs(3600));
        let waits: Vec<u64> = (1..=8).map(|n| retry_delay(base, cap, n).as_secs()).collect();
        assert_eq!(waits, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_delay(base, cap, 1000), cap);
    }
}
