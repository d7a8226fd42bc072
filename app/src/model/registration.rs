//! Registration, email links, account recovery and the profile form.

use serde::{Deserialize, Serialize};

/// The `/register` form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RegisterForm {
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub confirm_password: String,
}

/// What happens next after registering (or following an email link).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NextStep {
    /// Follow the link we emailed.
    CheckEmail,
    /// An admin must approve the account.
    AwaitApproval,
    /// Sign in now.
    SignIn,
}

impl NextStep {
    const ALL: [NextStep; 3] = [NextStep::CheckEmail, NextStep::AwaitApproval, NextStep::SignIn];

    /// The step's name in a page address (`/register?done=…`, after a form
    /// posted without JavaScript).
    pub fn key(self) -> &'static str {
        match self {
            NextStep::CheckEmail => "check_email",
            NextStep::AwaitApproval => "await_approval",
            NextStep::SignIn => "sign_in",
        }
    }

    pub fn from_key(key: &str) -> Option<NextStep> {
        NextStep::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn message(self) -> &'static str {
        match self {
            NextStep::CheckEmail => {
                "Check your email: we sent you a link to confirm your address. The link works once and for a limited time (48 hours unless the site says otherwise)."
            }
            NextStep::AwaitApproval => {
                "Your account is waiting for approval by an administrator. We will email you when it is approved."
            }
            NextStep::SignIn => "Your account is ready. You can sign in now.",
        }
    }
}

/// The one answer of "Forgot login or password?", whatever was entered.
pub const RECOVERY_SENT: &str = "If an account matches what you entered, we have sent an email to its address. \
     It holds your username and a link that works once and for a limited time. Nothing arrived? Check your spam folder, or ask an administrator.";

/// The profile form of My account.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProfileForm {
    pub display_name: String,
    pub email: String,
    /// Needed only when the email address changes.
    pub current_password: String,
}

/// The profile as shown: the current values and an email change waiting for its link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub pending_email: Option<String>,
}

/// One outbox message in Admin → Outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created: String,
    pub sent: Option<String>,
}

/// A page of the outbox, newest first; `next` is the cursor of the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxPage {
    pub items: Vec<OutboxItem>,
    pub next: Option<i64>,
    /// False when no SMTP server is configured and messages only wait here.
    pub smtp_configured: bool,
}
