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
pub const USERNAME: NameRule = NameRule { first: ALNUM, rest: ALNUM.and("._-"), min: 3, max: 50 };

/// The [`USERNAME`] rule, with a message for each way to break it.
pub fn check_username(username: &str, field: &str) -> Result<(), AppError> {
    let invalid = |m: &str| Err(AppError::validation(field, m));
    if !USERNAME.length_ok(username) {
        return invalid("Username must be 3 to 50 characters long");
    }
    if !USERNAME.chars_ok(username) {
        return invalid("Username may only contain letters, digits, dots, underscores and hyphens");
    }
    if !USERNAME.start_ok(username) {
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

/// Longest email address, in bytes.
pub const EMAIL_MAX: usize = 254;

/// A plausible email address: one `@`, something before it, a dotted domain
/// after it, no spaces, at most [`EMAIL_MAX`] bytes.
pub fn check_email(email: &str, field: &str) -> Result<(), AppError> {
    let ok = email.len() <= EMAIL_MAX
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
pub const ROLE_NAME: NameRule = NameRule { first: ALNUM.and("._-"), rest: ALNUM.and("._-"), min: 2, max: 50 };

/// The [`ROLE_NAME`] rule.
pub fn check_role_name(name: &str, field: &str) -> Result<(), AppError> {
    if ROLE_NAME.matches(name) {
        Ok(())
    } else {
        Err(AppError::validation(field, "Role name must be 2 to 50 letters, digits, dots, underscores or hyphens"))
    }
}

/// Slugs (= XNAT project ids): 2–64 chars `[A-Za-z0-9_-]`, starting with a
/// letter or digit.
pub const SLUG: NameRule = NameRule { first: ALNUM, rest: ALNUM.and("_-"), min: 2, max: 64 };

/// The [`SLUG`] rule. `label` is what the message calls the field (the
/// registry's `slug`, the page's "Project id").
pub fn check_slug(slug: &str, field: &str, label: &str) -> Result<(), AppError> {
    if !SLUG.matches(slug) {
        return Err(AppError::validation(
            field,
            format!("{label} must be 2–64 letters, digits, _ or -, starting with a letter or digit"),
        ));
    }
    Ok(())
}

/// Longest dataset or file name, in characters.
pub const ITEM_NAME_MAX: usize = 200;

/// What a dataset or file name may not hold besides control characters.
pub const ITEM_NAME_REFUSED: &str = "/\\";

/// Dataset and file names: 1–200 chars, no slash, backslash or control
/// character, not `.` or `..` (a name may start with a dot: `.zattrs`).
pub fn check_item_name(name: &str, field: &str, what: &str) -> Result<(), AppError> {
    let bad = name.is_empty()
        || name.chars().count() > ITEM_NAME_MAX
        || name == "."
        || name == ".."
        || name.chars().any(|c| ITEM_NAME_REFUSED.contains(c) || c.is_control());
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
pub const SERVICE_KEY_NAME: NameRule = NameRule { first: LOWER_ALNUM, rest: LOWER_ALNUM.and("._-"), min: 1, max: 64 };

/// The [`SERVICE_KEY_NAME`] rule.
pub fn check_service_key_name(name: &str, field: &str) -> Result<(), AppError> {
    if SERVICE_KEY_NAME.matches(name) {
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

/// Characters a name may hold: ASCII letters (capital, small or both),
/// digits, and a few `others`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chars {
    pub capitals: bool,
    pub smalls: bool,
    pub digits: bool,
    pub others: &'static str,
}

/// ASCII letters and digits.
pub const ALNUM: Chars = Chars { capitals: true, smalls: true, digits: true, others: "" };
/// Small ASCII letters and digits.
pub const LOWER_ALNUM: Chars = Chars { capitals: false, smalls: true, digits: true, others: "" };

impl Chars {
    /// These characters and `others` (letters and digits not among them).
    pub const fn and(self, others: &'static str) -> Chars {
        Chars { others, ..self }
    }

    pub fn contains(&self, c: char) -> bool {
        (self.capitals && c.is_ascii_uppercase())
            || (self.smalls && c.is_ascii_lowercase())
            || (self.digits && c.is_ascii_digit())
            || self.others.contains(c)
    }

    /// As the inside of a regex class, e.g. `A-Za-z0-9._-` (a `-` last, where it is itself).
    pub fn class(&self) -> String {
        let mut class = String::new();
        for (on, range) in [(self.capitals, "A-Z"), (self.smalls, "a-z"), (self.digits, "0-9")] {
            if on {
                class.push_str(range);
            }
        }
        for c in self.others.chars().filter(|c| *c != '-') {
            if matches!(c, '\\' | ']' | '[' | '^') {
                class.push('\\');
            }
            class.push(c);
        }
        if self.others.contains('-') {
            class.push('-');
        }
        class
    }
}

/// A name of listed characters: the first from `first`, every one from
/// `rest`, `min..=max` characters long. The validator and the OpenAPI
/// pattern ([`NameRule::pattern`]) both read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameRule {
    pub first: Chars,
    pub rest: Chars,
    pub min: usize,
    pub max: usize,
}

impl NameRule {
    pub fn length_ok(&self, name: &str) -> bool {
        (self.min..=self.max).contains(&name.chars().count())
    }

    pub fn chars_ok(&self, name: &str) -> bool {
        name.chars().all(|c| self.rest.contains(c))
    }

    pub fn start_ok(&self, name: &str) -> bool {
        name.chars().next().is_some_and(|c| self.first.contains(c))
    }

    pub fn matches(&self, name: &str) -> bool {
        self.length_ok(name) && self.chars_ok(name) && self.start_ok(name)
    }

    /// The rule as a regular expression (ECMA 262, Python and Rust alike).
    pub fn pattern(&self) -> String {
        if self.first == self.rest {
            format!("^[{}]{{{},{}}}$", self.rest.class(), self.min, self.max)
        } else {
            format!("^[{}][{}]{{{},{}}}$", self.first.class(), self.rest.class(), self.min - 1, self.max - 1)
        }
    }
}

/// What `char::is_control` refuses, as a regex class's inside.
pub const CONTROL_CLASS: &str = r"\x00-\x1f\x7f-\x9f";

/// What `char::is_whitespace` (and so `str::trim`) counts as white space,
/// as a regex class's inside (spelled out: `\s` differs between engines).
pub const WHITESPACE_CLASS: &str = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// [`check_email`]'s rule as a regular expression (its length apart).
pub fn email_pattern() -> String {
    let part = format!("{WHITESPACE_CLASS}{CONTROL_CLASS}@");
    format!(r"^[^{part}]+@[^{part}.][^{part}]*\.[^{part}]*[^{part}.]$")
}

/// [`check_item_name`]'s rule as a regular expression: what does not start
/// with a dot, or a dot and not another, or two dots and more.
pub fn item_name_pattern() -> String {
    let refused: String = ITEM_NAME_REFUSED.chars().flat_map(|c| ['\\', c]).collect();
    let any = format!("[^{refused}{CONTROL_CLASS}]");
    let no_dot = format!("[^{refused}{CONTROL_CLASS}.]");
    let max = ITEM_NAME_MAX;
    format!(r"^({no_dot}{any}{{0,{}}}|\.{no_dot}{any}{{0,{}}}|\.\.{any}{{1,{}}})$", max - 1, max - 2, max - 2)
}

/// Text that, trimmed, is one line of 1 to `max` characters (any length
/// when `None`), as a regular expression.
fn trimmed_line_pattern(max: Option<usize>) -> String {
    let edge = format!("[^{WHITESPACE_CLASS}{CONTROL_CLASS}]");
    let inner = format!("[^{CONTROL_CLASS}]");
    let between = max.map_or("*".to_string(), |max| format!("{{0,{}}}", max.saturating_sub(2)));
    format!("^[{WHITESPACE_CLASS}]*{edge}({inner}{between}{edge})?[{WHITESPACE_CLASS}]*$")
}

/// [`check_token_name`]'s rule as a regular expression.
pub fn token_name_pattern() -> String {
    trimmed_line_pattern(Some(TOKEN_NAME_MAX))
}

/// [`check_service_key_value`]'s rule as a regular expression, but for its
/// length: a pattern counts characters, the rule bytes.
pub fn service_key_value_pattern() -> String {
    trimmed_line_pattern(None)
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

    /// Runs each sample through a validator and through the OpenAPI pattern
    /// (and `maxLength`) built from the same rule; returns the samples they
    /// disagree on, with what the validator said.
    fn disagreements(pattern: &str, max_length: Option<usize>, check: impl Fn(&str) -> bool, samples: &[String]) -> Vec<(String, bool)> {
        let regex = regex::Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        samples
            .iter()
            .filter(|s| check(s) != (regex.is_match(s) && max_length.is_none_or(|max| s.chars().count() <= max)))
            .map(|s| (s.clone(), check(s)))
            .collect()
    }

    fn samples(fixed: &[&str], made: Vec<String>) -> Vec<String> {
        fixed.iter().map(|s| s.to_string()).chain(made).collect()
    }

    /// Every rule the OpenAPI document states as a pattern agrees with its
    /// validator on every sample, valid and invalid, among them those they
    /// once disagreed on (a leading dot, a backslash, a C1 control
    /// character, `a@b..org`, a padded token name).
    #[test]
    fn openapi_patterns_agree_with_the_validators() {
        let x = |n: usize| "x".repeat(n);
        let username = samples(
            &["abc", "Alice.Smith", "u_1-2", "9lives", "ab", "", "-abc", ".abc", "_abc", "a b c", "ülrich", "a/b", "abc\n", "abc-", "a\\bc"],
            vec![x(50), x(51), format!("a{}", ".".repeat(49))],
        );
        let role = samples(&["editor", "data.steward_2", "x", "has space", "..", "-x", "ab\n", "rôle"], vec![x(50), x(51)]);
        let slug = samples(&["ab", "Lab_2-x", "a", "-ab", "_ab", "a b", "a/b", "a.b", "é1", "9_"], vec![x(64), x(65)]);
        let key_name = samples(&["openai", "orthanc.main", "a", "s3_key-2", "", "OpenAI", "-x", ".x", "a b", "a/b"], vec![x(64), x(65)]);
        let email = samples(
            &[
                "a@b.org", "first.last+tag@lab.example.ac.uk", "", "a", "a@b", "@b.org", "a@.org", "a@b.org.", "a b@c.org",
                "a@b@c.org", "a@b..org", "a\u{1}@b.org", "a\u{0}b@example.org", "a\u{85}@b.org", "a\u{a0}@b.org", "a@b.c",
                "é@ü.de", "a@b.org\n", "a.@b.org", ".a@b.org", "a@-.-",
            ],
            vec![format!("{}@b.org", x(248)), format!("{}@b.org", x(249))],
        );
        let item = samples(
            &[
                "scan 1.nii.gz", "", ".", "..", "...", "..a", ".a", ".hidden", "a/b", "a\\b", "a\nb", "\u{80}x", "x\u{9f}",
                "a\u{a0}b", " ", "é",
            ],
            vec![x(200), x(201), format!("..{}", x(198)), format!("..{}", x(199)), format!(".{}", x(199)), format!(".{}", x(200)), "é".repeat(200)],
        );
        let token = samples(
            &["nightly sync", "  nightly sync ", "", "   ", "a\nb", "\tname\n", "a\u{85}b", "\u{3000}name\u{a0}", "a\u{7f}", "n"],
            vec![x(100), x(101), format!("  {}  ", x(100)), format!(" {} ", x(101)), "é".repeat(100), "é".repeat(101)],
        );
        // A service key's length is in bytes, which a pattern cannot count:
        // the document says it in words, and the samples stay short.
        let key_value = samples(&[" sk-1 ", "sk-1", "", "  \n  ", "a\nb", "x y", "\u{3000}k\u{3000}", "k\u{0}", "\u{2028}k"], vec![]);

        let checks: Vec<(&str, String, Option<usize>, Box<dyn Fn(&str) -> bool>, Vec<String>)> = vec![
            ("username", USERNAME.pattern(), None, Box::new(|s| check_username(s, "f").is_ok()), username),
            ("role name", ROLE_NAME.pattern(), None, Box::new(|s| check_role_name(s, "f").is_ok()), role),
            ("slug", SLUG.pattern(), None, Box::new(|s| check_slug(s, "f", "f").is_ok()), slug),
            ("service key name", SERVICE_KEY_NAME.pattern(), None, Box::new(|s| check_service_key_name(s, "f").is_ok()), key_name),
            ("email", email_pattern(), Some(EMAIL_MAX), Box::new(|s| check_email(s, "f").is_ok()), email),
            ("item name", item_name_pattern(), None, Box::new(|s| check_item_name(s, "f", "f").is_ok()), item),
            ("token name", token_name_pattern(), None, Box::new(|s| check_token_name(s, "f").is_ok()), token),
            ("service key value", service_key_value_pattern(), None, Box::new(|s| check_service_key_value(Some(s), "f").is_ok()), key_value),
        ];
        for (rule, pattern, max_length, check, samples) in checks {
            assert!(samples.iter().any(|s| check(s)) && samples.iter().any(|s| !check(s)), "{rule}: samples of both kinds");
            let differ = disagreements(&pattern, max_length, check, &samples);
            assert!(differ.is_empty(), "{rule}: the validator and {pattern} disagree on (sample, validator's answer) {differ:?}");
        }
    }

    /// The character classes the patterns are built from are what the
    /// validators ask of `char`, over every character there is.
    #[test]
    fn control_and_white_space_classes_match_char() {
        let control = regex::Regex::new(&format!("^[{CONTROL_CLASS}]$")).unwrap();
        let white = regex::Regex::new(&format!("^[{WHITESPACE_CLASS}]$")).unwrap();
        let mut buffer = [0; 4];
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = c.encode_utf8(&mut buffer);
            assert_eq!(control.is_match(text), c.is_control(), "{c:?}");
            assert_eq!(white.is_match(text), c.is_whitespace(), "{c:?}");
        }
    }
}
