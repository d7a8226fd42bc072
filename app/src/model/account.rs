//! Types describing the signed-in user and their account forms.

use serde::{Deserialize, Serialize};

/// What the page chrome needs to know about whoever is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub is_admin: bool,
    pub roles: Vec<String>,
    /// True while a one-time password must be replaced before anything else.
    pub must_change_password: bool,
}

/// Limits on passwords, also shown next to the password fields.
pub const PASSWORD_MAX_LENGTH: usize = 128;

/// SPEC §1 username rule: 3–50 characters of `[A-Za-z0-9._-]`, starting with
/// a letter or digit.
pub fn check_username(username: &str) -> Result<(), super::AppError> {
    let length = username.chars().count();
    let invalid = |m: &str| Err(super::AppError::validation("username", m));
    if !(3..=50).contains(&length) {
        return invalid("Username must be 3 to 50 characters long");
    }
    if !username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return invalid("Username may only contain letters, digits, dots, underscores and hyphens");
    }
    if !username.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return invalid("Username must start with a letter or digit");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_username;

    #[test]
    fn username_rules() {
        for ok in ["abc", "Alice.Smith", "u_1-2", "9lives", &"a".repeat(50)] {
            assert!(check_username(ok).is_ok(), "{ok}");
        }
        for bad in ["ab", "", "-abc", ".abc", "a b c", "ülrich", "a/b", &"a".repeat(51)] {
            assert_eq!(check_username(bad).unwrap_err().field(), Some("username"), "{bad}");
        }
    }
}

/// Figures on the admin panel's front page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteOverview {
    pub users: i64,
    pub enabled_admins: i64,
    pub live_sessions: i64,
    pub database: String,
}
