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

/// A plausible email address: one `@`, something before it, a dotted domain
/// after it, no spaces, at most 254 characters.
pub fn check_email(email: &str, field: &str) -> Result<(), super::AppError> {
    let ok = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok { Ok(()) } else { Err(super::AppError::validation(field, "Enter a valid email address, like name@example.org")) }
}

/// Role names: 2–50 characters of `[A-Za-z0-9._-]`.
pub fn check_role_name(name: &str) -> Result<(), super::AppError> {
    let length = name.chars().count();
    if (2..=50).contains(&length) && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        Ok(())
    } else {
        Err(super::AppError::validation(
            "roleName",
            "Role name must be 2 to 50 letters, digits, dots, underscores or hyphens",
        ))
    }
}

#[cfg(test)]
mod email_and_role_tests {
    use super::{check_email, check_role_name};

    #[test]
    fn emails() {
        for ok in ["a@b.org", "first.last+tag@lab.example.ac.uk"] {
            assert!(check_email(ok, "email").is_ok(), "{ok}");
        }
        for bad in ["", "a", "a@b", "@b.org", "a@.org", "a@b.org.", "a b@c.org", "a@b@c.org"] {
            assert!(check_email(bad, "email").is_err(), "{bad}");
        }
    }

    #[test]
    fn role_names() {
        assert!(check_role_name("editor").is_ok());
        assert!(check_role_name("data.steward_2").is_ok());
        assert!(check_role_name("x").is_err());
        assert!(check_role_name("has space").is_err());
        assert!(check_role_name(&"r".repeat(51)).is_err());
    }
}
