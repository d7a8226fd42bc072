//! Input rules, each written once with its one message (SPEC §1, §2). Each
//! takes the `field` the error belongs to, because the doors name fields
//! differently (`display_name` on a form, `displayName` in a JSON body).

use super::{Accessibility, AppError};

/// Longest display name, in characters.
pub const DISPLAY_NAME_MAX: usize = 100;

/// Largest `maxStorageMB` a user's metadata may hold.
pub const MAX_STORAGE_MB: f64 = 8_000_000_000.0;

/// A username someone already has, in any letter case.
pub const USERNAME_TAKEN: &str = "Username already exists";

/// An email address another account already has.
pub const EMAIL_TAKEN: &str = "Email already in use";

/// A field a request body must carry, not blank; the message names it as
/// the body does ("userName is required").
pub fn required(value: Option<String>, field: &str) -> Result<String, AppError> {
    value.filter(|v| !v.trim().is_empty()).ok_or_else(|| AppError::validation(field, format!("{field} is required")))
}

/// SPEC §1 username rule: 3–50 characters of `[A-Za-z0-9._-]`, starting with
/// a letter or digit.
pub fn check_username(username: &str, field: &str) -> Result<(), AppError> {
    let length = username.chars().count();
    let invalid = |m: &str| Err(AppError::validation(field, m));
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

/// A display name, trimmed; empty means none. No control characters (a
/// NUL could not even be stored on PostgreSQL).
pub fn display_name<'a>(text: &'a str, field: &str) -> Result<Option<&'a str>, AppError> {
    let text = text.trim();
    if text.chars().count() > DISPLAY_NAME_MAX {
        return Err(AppError::validation(field, format!("Display name must be at most {DISPLAY_NAME_MAX} characters")));
    }
    if text.chars().any(char::is_control) {
        return Err(AppError::validation(field, "Display name must not contain control characters"));
    }
    Ok(Some(text).filter(|t| !t.is_empty()))
}

/// A plausible email address: one `@`, something before it, a dotted domain
/// after it, no spaces, at most 254 characters.
pub fn check_email(email: &str, field: &str) -> Result<(), AppError> {
    let ok = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok { Ok(()) } else { Err(AppError::validation(field, "Enter a valid email address, like name@example.org")) }
}

/// An optional email, trimmed: empty means none, anything else must be valid.
pub fn optional_email<'a>(text: &'a str, field: &str) -> Result<Option<&'a str>, AppError> {
    match text.trim() {
        "" => Ok(None),
        email => check_email(email, field).map(|_| Some(email)),
    }
}

/// Role names: 2–50 characters of `[A-Za-z0-9._-]`.
pub fn check_role_name(name: &str, field: &str) -> Result<(), AppError> {
    let length = name.chars().count();
    if (2..=50).contains(&length) && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        Ok(())
    } else {
        Err(AppError::validation(field, "Role name must be 2 to 50 letters, digits, dots, underscores or hyphens"))
    }
}

/// Slugs (= XNAT project ids): 2–64 chars `[A-Za-z0-9_-]`, starting with a
/// letter or digit. `label` is what the message calls the field (the
/// registry's `slug`, the page's "Project id").
pub fn check_slug(slug: &str, field: &str, label: &str) -> Result<(), AppError> {
    let ok_chars = slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let ok_start = slug.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !(2..=64).contains(&slug.len()) || !ok_chars || !ok_start {
        return Err(AppError::validation(
            field,
            format!("{label} must be 2–64 letters, digits, _ or -, starting with a letter or digit"),
        ));
    }
    Ok(())
}

/// Dataset and file names: 1–200 chars, no slash or control characters, not `.` or `..`.
pub fn check_item_name(name: &str, field: &str, what: &str) -> Result<(), AppError> {
    let bad = name.is_empty()
        || name.chars().count() > 200
        || name == "."
        || name == ".."
        || name.chars().any(|c| c == '/' || c == '\\' || c.is_control());
    if bad {
        return Err(AppError::validation(field, format!("{what} must be 1–200 characters without / or \\")));
    }
    Ok(())
}

/// `public`, `protected` or `private`, in any letter case.
pub fn parse_accessibility(text: &str, field: &str) -> Result<Accessibility, AppError> {
    Accessibility::parse(text).ok_or_else(|| AppError::validation(field, "Accessibility must be public, protected or private"))
}

/// A storage quota in MB from 0 to [`MAX_STORAGE_MB`].
pub fn check_max_storage_mb(mb: Option<f64>, field: &str) -> Result<f64, AppError> {
    mb.filter(|mb| (0.0..=MAX_STORAGE_MB).contains(mb))
        .ok_or_else(|| AppError::validation(field, "Storage quota (maxStorageMB) must be a number of MB from 0 to 8000000000"))
}

/// Longest name of an access token, in characters.
pub const TOKEN_NAME_MAX: usize = 100;

/// Longest service key value, in bytes.
pub const SERVICE_KEY_VALUE_MAX: usize = 8192;

/// An access token's name, trimmed: 1–100 characters, no control characters.
pub fn check_token_name<'a>(name: &'a str, field: &str) -> Result<&'a str, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::validation(field, "Give the token a name, e.g. what script will use it"));
    }
    if name.chars().count() > TOKEN_NAME_MAX || name.chars().any(char::is_control) {
        return Err(AppError::validation(field, format!("A token name is at most {TOKEN_NAME_MAX} characters, without line breaks")));
    }
    Ok(name)
}

/// A service key's name: 1–64 of `[a-z0-9._-]`, starting with a letter or
/// digit (e.g. `openai`, `orthanc.main`).
pub fn check_service_key_name(name: &str, field: &str) -> Result<(), AppError> {
    let ok = (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(AppError::validation(field, "A service key name is 1 to 64 lower-case letters, digits, dots, underscores or hyphens"))
    }
}

/// A service key's value: not blank, at most 8 KiB, one line.
pub fn check_service_key_value<'a>(value: Option<&'a str>, field: &str) -> Result<&'a str, AppError> {
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(AppError::validation(field, "value is required"));
    }
    if value.len() > SERVICE_KEY_VALUE_MAX || value.chars().any(char::is_control) {
        return Err(AppError::validation(field, format!("A service key is at most {SERVICE_KEY_VALUE_MAX} bytes, on one line")));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_rules() {
        for ok in ["abc", "Alice.Smith", "u_1-2", "9lives", &"a".repeat(50)] {
            assert!(check_username(ok, "username").is_ok(), "{ok}");
        }
        for bad in ["ab", "", "-abc", ".abc", "a b c", "ülrich", "a/b", &"a".repeat(51)] {
            assert_eq!(check_username(bad, "userName").unwrap_err().field(), Some("userName"), "{bad}");
        }
    }

    #[test]
    fn display_names() {
        assert_eq!(display_name("  Ada  ", "d").unwrap(), Some("Ada"));
        assert_eq!(display_name("   ", "d").unwrap(), None);
        assert!(display_name(&"é".repeat(100), "d").is_ok());
        assert_eq!(display_name(&"é".repeat(101), "displayName").unwrap_err().field(), Some("displayName"));
        assert_eq!(display_name("Ad\u{0}a", "displayName").unwrap_err().field(), Some("displayName"));
        assert!(display_name("A\u{1b}[31m", "d").is_err(), "no control characters");
        assert!(check_email("a\u{0}b@example.org", "email").is_err());
    }

    #[test]
    fn emails() {
        for ok in ["a@b.org", "first.last+tag@lab.example.ac.uk"] {
            assert!(check_email(ok, "email").is_ok(), "{ok}");
        }
        for bad in ["", "a", "a@b", "@b.org", "a@.org", "a@b.org.", "a b@c.org", "a@b@c.org"] {
            assert!(check_email(bad, "email").is_err(), "{bad}");
        }
        assert_eq!(optional_email("  ", "email").unwrap(), None);
        assert_eq!(optional_email(" a@b.org ", "email").unwrap(), Some("a@b.org"));
        assert!(optional_email("nope", "email").is_err());
    }

    #[test]
    fn role_names() {
        assert!(check_role_name("editor", "r").is_ok());
        assert!(check_role_name("data.steward_2", "r").is_ok());
        assert!(check_role_name("x", "r").is_err());
        assert!(check_role_name("has space", "r").is_err());
        assert!(check_role_name(&"r".repeat(51), "r").is_err());
    }

    #[test]
    fn slugs_and_names() {
        assert!(check_slug("ab", "slug", "slug").is_ok());
        assert!(check_slug("Lab_2-x", "slug", "slug").is_ok());
        for bad in ["a", "-ab", "a b", "a/b", &"x".repeat(65)] {
            assert!(check_slug(bad, "slug", "slug").is_err(), "{bad}");
        }
        assert!(check_item_name("scan 1.nii.gz", "name", "File name").is_ok());
        for bad in ["", "..", "a/b", "a\nb"] {
            assert!(check_item_name(bad, "name", "File name").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn accessibility_and_quota() {
        assert_eq!(parse_accessibility(" Protected ", "a").unwrap(), Accessibility::Protected);
        assert_eq!(parse_accessibility("open", "accessibility").unwrap_err().field(), Some("accessibility"));
        assert_eq!(check_max_storage_mb(Some(0.5), "q").unwrap(), 0.5);
        for bad in [None, Some(-1.0), Some(MAX_STORAGE_MB * 2.0), Some(f64::NAN)] {
            assert!(check_max_storage_mb(bad, "q").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn credential_names_and_values() {
        assert_eq!(check_token_name("  nightly sync ", "name").unwrap(), "nightly sync");
        for bad in ["", "   ", "a\nb", &"x".repeat(101)] {
            assert_eq!(check_token_name(bad, "name").unwrap_err().field(), Some("name"), "{bad:?}");
        }
        for good in ["openai", "orthanc.main", "a", "s3_key-2"] {
            assert!(check_service_key_name(good, "name").is_ok(), "{good}");
        }
        for bad in ["", "OpenAI", "-x", "a b", "a/b", &"k".repeat(65)] {
            assert!(check_service_key_name(bad, "name").is_err(), "{bad:?}");
        }
        assert_eq!(check_service_key_value(Some(" sk-1 "), "value").unwrap(), "sk-1");
        for bad in [None, Some(""), Some("a\nb"), Some(&"v".repeat(8193) as &str)] {
            assert!(check_service_key_value(bad, "value").is_err(), "{bad:?}");
        }
    }
}
