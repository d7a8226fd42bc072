//! A short-lived memory of successful HTTP Basic sign-ins (CONTRACTS §1):
//! clients such as pyxnat send Basic credentials on every request, and
//! running argon2 for each would make every call slow. An entry is keyed by
//! a keyed hash (random per-process key) of username and password — the
//! password itself is never kept — lasts at most 60 s, and counts only
//! while the user's credential generation is unchanged, which the caller
//! checks against the database on each request.

use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MAX_AGE: Duration = Duration::from_secs(60);
const MAX_ENTRIES: usize = 10_000;

pub struct BasicCache {
    key: [u8; 32],
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

#[derive(Clone, Copy)]
struct Entry {
    user_id: i64,
    generation: i64,
    at: Instant,
}

impl Default for BasicCache {
    fn default() -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        BasicCache { key, entries: Mutex::new(HashMap::new()) }
    }
}

impl BasicCache {
    fn digest(&self, username: &str, password: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(username.to_lowercase().as_bytes());
        h.update([0u8]);
        h.update(password.as_bytes());
        h.finalize().into()
    }

    /// The user id and generation remembered for these credentials, if fresh.
    pub fn get(&self, username: &str, password: &str) -> Option<(i64, i64)> {
        let digest = self.digest(username, password);
        let entries = self.entries.lock().ok()?;
        entries.get(&digest).filter(|e| e.at.elapsed() < MAX_AGE).map(|e| (e.user_id, e.generation))
    }

    pub fn remember(&self, username: &str, password: &str, user_id: i64, generation: i64) {
        let digest = self.digest(username, password);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, e| e.at.elapsed() < MAX_AGE);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(digest, Entry { user_id, generation, at: Instant::now() });
        }
    }

    pub fn forget(&self, username: &str, password: &str) {
        let digest = self.digest(username, password);
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&digest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_only_the_exact_pair() {
        let cache = BasicCache::default();
        cache.remember("Alice", "pw-1", 7, 3);
        assert_eq!(cache.get("alice", "pw-1"), Some((7, 3)));
        assert_eq!(cache.get("alice", "pw-2"), None);
        assert_eq!(cache.get("bob", "pw-1"), None);
        cache.forget("alice", "pw-1");
        assert_eq!(cache.get("alice", "pw-1"), None);
    }
}
