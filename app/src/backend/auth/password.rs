//! Password rules and argon2id hashing, run off the async runtime on a
//! fixed pool of threads, one per core, that reuse their argon2 memory
//! while passwords keep coming and give it back once they stop.

use crate::backend::internal;
use crate::model::{AppError, PASSWORD_MAX_LENGTH};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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
///
/// The work runs on a fixed pool of threads, one per core, never on the
/// async runtime and never on tokio's growing blocking pool. Each thread
/// keeps its argon2 memory from one password to the next, so the process
/// holds at most one 19 MiB block per core however many sign-ins come,
/// instead of a block per blocking thread in the allocator's arenas; a
/// thread that has had no password for [`KEEP_MEMORY_IDLE`] frees its block.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: flume::Sender<Job>,
    dummy_hash: Arc<str>,
    verifications: Arc<AtomicU64>,
}

/// Work for a pool thread, given that thread's argon2 memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// How long a pool thread keeps its argon2 memory without a password to check.
const KEEP_MEMORY_IDLE: std::time::Duration = std::time::Duration::from_secs(5);

/// Starts `threads` workers that take jobs until every sender is gone.
fn start_pool(threads: usize) -> flume::Sender<Job> {
    let (sender, receiver) = flume::unbounded::<Job>();
    for n in 0..threads {
        let receiver = receiver.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || {
                let mut memory = Vec::new();
                loop {
                    match receiver.recv_timeout(KEEP_MEMORY_IDLE) {
                        Ok(job) => job(&mut memory),
                        Err(flume::RecvTimeoutError::Timeout) => memory = Vec::new(),
                        Err(flume::RecvTimeoutError::Disconnected) => return,
                    }
                }
            })
            .expect("start an argon2 thread");
    }
    sender
}

impl PasswordHasher {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let dummy = random_hash().expect("a PHC string of random bytes");
        PasswordHasher { jobs: start_pool(cores), dummy_hash: dummy.into(), verifications: Arc::default() }
    }

    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_owned();
        self.run(move |memory| hash_with(&password, memory)).await?.map_err(internal)
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
        let matched = self
            .run(move |memory| {
                let started = std::time::Instant::now();
                let matched = verify_with(&password, &hash, memory);
                metrics::histogram!("gatehouse_argon2_verify_seconds").record(started.elapsed().as_secs_f64());
                matched
            })
            .await?;
        Ok(real && matched)
    }

    /// How many argon2 verifications this hasher has started.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static) -> Result<T, AppError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let queue = metrics::gauge!("gatehouse_argon2_queue_depth");
        queue.increment(1.0);
        let job: Job = Box::new(move |memory| {
            queue.decrement(1.0);
            let _ = done.send(work(memory));
        });
        self.jobs.send(job).map_err(internal)?;
        result.await.map_err(internal)
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// Memory beyond this many blocks (4 × the default 19 MiB) is not kept
/// between passwords: an imported hash with a huge cost is paid once.
const KEPT_BLOCKS: usize = 4 * 19 * 1024;

/// Runs `argon2` into `out`, in the thread's kept memory when it fits.
fn argon2_into(argon2: &Argon2, password: &[u8], salt: &[u8], out: &mut [u8], memory: &mut Vec<Block>) -> argon2::Result<()> {
    let needed = argon2.params().block_count();
    if needed > KEPT_BLOCKS {
        return argon2.hash_password_into(password, salt, out);
    }
    if memory.len() < needed {
        memory.resize(needed, Block::default());
    }
    argon2.hash_password_into_with_memory(password, salt, out, &mut memory[..needed])
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for `password`.
fn hash_with(password: &str, memory: &mut Vec<Block>) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let mut out = [0u8; 32];
    argon2_into(&Argon2::default(), password.as_bytes(), &salt, &mut out, memory)?;
    phc_string(&salt, &out)
}

/// A PHC string at the default parameters whose hash is random bytes: no
/// password matches it, and checking one against it costs a real
/// verification. Made without running argon2, so the server does not start
/// by touching 19 MiB it never gives back.
fn random_hash() -> Result<String, argon2::password_hash::Error> {
    let mut salt_and_out = [0u8; 48];
    OsRng.fill_bytes(&mut salt_and_out);
    phc_string(&salt_and_out[..16], &salt_and_out[16..])
}

fn phc_string(salt: &[u8], out: &[u8]) -> Result<String, argon2::password_hash::Error> {
    let argon2 = Argon2::default();
    let salt = SaltString::encode_b64(salt)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params())?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(out)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash` (compared in constant time).
fn verify_with(password: &str, hash: &str, memory: &mut Vec<Block>) -> bool {
    let mut check = || -> Option<bool> {
        let parsed = PasswordHash::new(hash).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = parsed.version.map(Version::try_from).transpose().ok()?.unwrap_or_default();
        let params = Params::try_from(&parsed).ok()?;
        let expected = parsed.hash?;
        let mut salt = [0u8; 64];
        let salt = parsed.salt?.decode_b64(&mut salt).ok()?;
        let mut out = vec![0u8; expected.len()];
        argon2_into(&Argon2::new(algorithm, version, params), password.as_bytes(), salt, &mut out, memory).ok()?;
        Some(Output::new(&out).ok()? == expected)
    };
    check().unwrap_or(false)
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
        assert!(hasher.dummy_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", hasher.dummy_hash);
        // An unusable stored hash costs a real verification, like a real one.
        let before = hasher.verifications();
        assert!(!hasher.verify("x", Some("!")).await.unwrap());
        assert_eq!(hasher.verifications(), before + 1);
    }

    #[test]
    fn our_hashes_and_the_crates_verify_each_other() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier};
        let ours = hash_with("correct horse", &mut Vec::new()).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_ok(), "{ours}");
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"battery staple", &salt).unwrap().to_string();
        let mut memory = Vec::new();
        assert!(verify_with("battery staple", &theirs, &mut memory));
        assert!(!verify_with("battery stable", &theirs, &mut memory), "the kept memory does not leak a match");
        // Other costs (an imported hash) verify too, in memory of their own size.
        let cheap = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).unwrap());
        let imported = cheap.hash_password(b"old secret", &salt).unwrap().to_string();
        assert!(verify_with("old secret", &imported, &mut memory));
    }
}
