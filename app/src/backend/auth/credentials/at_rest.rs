//! The keys that protect credentials at rest: a MAC key for the secrets of
//! alias and access tokens (random 256-bit secrets need a fast keyed hash,
//! not argon2), and an AES-256-GCM key for service keys, which must be
//! readable again. Both are derived from one site secret (`secret_key` in
//! the configuration, or one generated and kept in `site_secrets`), each
//! under its own label, so one never doubles as the other.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the random nonce stored in front of each ciphertext.
const NONCE_BYTES: usize = 12;

pub struct CredentialKeys {
    mac_key: [u8; 32],
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for CredentialKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialKeys(..)")
    }
}

fn derive(label: &str, secret: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(label.as_bytes());
    hasher.update([0u8]);
    hasher.update(secret);
    hasher.finalize().into()
}

/// Why a stored ciphertext cannot be read: it was written under another
/// `secret_key`, or changed in the database.
#[derive(Debug)]
pub struct Undecryptable;

impl CredentialKeys {
    pub fn new(site_secret: &[u8]) -> Self {
        let aes_key = derive("gatehouse service-key encryption", site_secret);
        CredentialKeys {
            mac_key: derive("gatehouse token mac", site_secret),
            cipher: Aes256Gcm::new_from_slice(&aes_key).expect("a 32-byte key"),
        }
    }

    fn keyed_mac(&self) -> HmacSha256 {
        <HmacSha256 as Mac>::new_from_slice(&self.mac_key).expect("HMAC takes any key length")
    }

    /// The at-rest form of a token secret: HMAC-SHA256, hex encoded.
    pub fn mac(&self, secret: &str) -> String {
        let mut mac = self.keyed_mac();
        mac.update(secret.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `secret` is the one whose MAC is `stored`, in constant time.
    pub fn mac_matches(&self, secret: &str, stored: &str) -> bool {
        let Ok(expected) = hex::decode(stored) else { return false };
        let mut mac = self.keyed_mac();
        mac.update(secret.as_bytes());
        mac.verify_slice(&expected).is_ok()
    }

    /// `plaintext` sealed with a fresh nonce; `context` (where the value is
    /// stored) is authenticated too, so a ciphertext moved to another row
    /// does not open. Base64 of nonce ‖ ciphertext ‖ tag.
    pub fn encrypt(&self, plaintext: &str, context: &str) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() })
            .expect("AES-GCM encryption of a bounded message");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        base64::engine::general_purpose::STANDARD.encode(out)
    }

    pub fn decrypt(&self, stored: &str, context: &str) -> Result<String, Undecryptable> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(stored).map_err(|_| Undecryptable)?;
        if bytes.len() < NONCE_BYTES {
            return Err(Undecryptable);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: context.as_bytes() })
            .map_err(|_| Undecryptable)?;
        String::from_utf8(plain).map_err(|_| Undecryptable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_are_keyed_and_checked() {
        let keys = CredentialKeys::new(b"one site secret");
        let other = CredentialKeys::new(b"another site secret");
        let stored = keys.mac("s3cret");
        assert_eq!(stored.len(), 64);
        assert!(keys.mac_matches("s3cret", &stored));
        assert!(!keys.mac_matches("s3creT", &stored));
        assert!(!other.mac_matches("s3cret", &stored), "another key, another MAC");
        assert!(!keys.mac_matches("s3cret", "not hex"));
    }

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let keys = CredentialKeys::new(b"one site secret");
        let sealed = keys.encrypt("sk-live-1234", "site:openai");
        assert!(!sealed.contains("sk-live"));
        assert_ne!(sealed, keys.encrypt("sk-live-1234", "site:openai"), "a fresh nonce each time");
        assert_eq!(keys.decrypt(&sealed, "site:openai").unwrap(), "sk-live-1234");
        assert!(keys.decrypt(&sealed, "user:7:openai").is_err(), "moved to another row");
        assert!(CredentialKeys::new(b"another").decrypt(&sealed, "site:openai").is_err());
        assert!(keys.decrypt("garbage", "site:openai").is_err());
    }
}
