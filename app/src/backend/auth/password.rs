//! Password rules and argon2id hashing, run off the async runtime behind a
//! semaphore sized to the machine's cores.

use crate::backend::internal;
use crate::model::{AppError, PASSWORD_MAX_LENGTH};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Checks a new password against the site's rules; `field` names the form field.
pub fn check_new_password(password: &str, min_length: usize, field: &str) -> Result<(), AppError> {
    let length = password.chars().count();
    if length < min_length {
        return Err(AppError::validation(
            field,
            format!("Password must be at least {min_length} characters long"),
        ));
    }
    if length > PASSWORD_MAX_LENGTH {
        return Err(AppError::validation(
            field,
            format!("Password must be at most {PASSWORD_MAX_LENGTH} characters long"),
        ));
    }
    if is_common_password(password) {
        return Err(AppError::validation(
            field,
            "This password is one of the 10,000 most common passwords, which attackers try first. Choose another.",
        ));
    }
    Ok(())
}

/// The 10,000 most common passwords, most common first: the head of the
/// ranked `passwords` list that zxcvbn (MIT licence, PyPI `zxcvbn` 4.5.0)
/// ships, taken from leaked password sets.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// True when `password` (ignoring letter case) is in [`COMMON_PASSWORDS`].
pub fn is_common_password(password: &str) -> bool {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    let set = SET.get_or_init(|| COMMON_PASSWORDS.lines().map(str::trim).filter(|l| !l.is_empty()).collect());
    set.contains(password.to_lowercase().as_str())
}

/// Hashes and verifies passwords with argon2id (the crate's defaults:
/// 19 MiB, 2 passes, 1 lane — OWASP's recommendation).
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy_hash: Arc<str>,
    verifications: Arc<AtomicU64>,
}

impl PasswordHasher {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let dummy = hash_blocking(&super::tokens::random_hex(16)).expect("argon2 hashes a random string");
        PasswordHasher { permits: Arc::new(Semaphore::new(cores)), dummy_hash: dummy.into(), verifications: Arc::default() }
    }

    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_owned();
        self.run(move || hash_blocking(&password)).await?.map_err(internal)
    }

    /// Verifies `password` against `hash`, or against a dummy hash when there
    /// is no user or the stored hash is not a usable one (an imported
    /// account's `!`), so that every case costs one argon2 verification.
    /// `None` never matches.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, AppError> {
        let password = password.to_owned();
        let (hash, real) = match hash.filter(|h| PasswordHash::new(h).is_ok()) {
            Some(h) => (h.to_owned(), true),
            None => (self.dummy_hash.to_string(), false),
        };
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let matched = self.run(move || verify_blocking(&password, &hash)).await?;
        Ok(real && matched)
    }

    /// How many argon2 verifications this hasher has started.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let _permit = self.permits.acquire().await.map_err(internal)?;
        tokio::task::spawn_blocking(work).await.map_err(internal)
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules() {
        assert!(check_new_password("short", 8, "password").is_err());
        assert!(check_new_password("exactly8", 8, "password").is_ok());
        assert!(check_new_password(&"x".repeat(128), 8, "password").is_ok());
        let too_long = check_new_password(&"x".repeat(129), 8, "password").unwrap_err();
        assert_eq!(too_long.field(), Some("password"));
        assert!(too_long.message().contains("at most 128"));
        // Characters, not bytes: eight multi-byte characters are enough.
        assert!(check_new_password("ééééèèèè", 8, "password").is_ok());
        assert!(check_new_password("twelve-chars", 12, "new_password").is_ok());
        assert!(check_new_password("eleven-char", 12, "new_password").is_err());
    }

    #[test]
    fn common_passwords_are_refused() {
        assert_eq!(COMMON_PASSWORDS.lines().count(), 10_000);
        for common in ["password", "12345678", "Baseball", "QWERTYUIOP", "iloveyou"] {
            let err = check_new_password(common, 8, "password").unwrap_err();
            assert_eq!(err.field(), Some("password"), "{common}");
            assert!(err.message().contains("most common"), "{common}");
        }
        // Short common ones still get the length message first.
        assert!(check_new_password("123456", 8, "password").unwrap_err().message().contains("at least 8"));
        // The registry seed's example passwords are not common.
        assert!(check_new_password("securepassword123", 8, "password").is_ok());
        assert!(check_new_password("newSecurePassword", 8, "password").is_ok());
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hasher = PasswordHasher::new();
        let hash = hasher.hash("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(hasher.verify("correct horse", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("wrong horse", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("correct horse", None).await.unwrap());
        assert!(!hasher.verify("x", Some("not a hash")).await.unwrap());
        // An unusable stored hash costs a real verification, like a real one.
        let before = hasher.verifications();
        assert!(!hasher.verify("x", Some("!")).await.unwrap());
        assert_eq!(hasher.verifications(), before + 1);
    }
}
