//! Random secrets and their at-rest hashes.

use rand::{distributions::Alphanumeric, Rng, RngCore};
use sha2::{Digest, Sha256};

/// `bytes` random bytes from the OS-seeded CSPRNG, hex encoded.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// A random password of letters and digits, for one-time passwords.
pub fn random_password(len: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

/// SHA-256 of a high-entropy secret (session ids, tokens), hex encoded.
/// Passwords never go through this: they use argon2id.
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
