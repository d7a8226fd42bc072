//! A value an instance may reuse for a short time before reading it again
//! (the site settings, the Roles page's holder counts).

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct TtlCache<T> {
    slot: Mutex<Option<(Instant, T)>>,
}

impl<T> Default for TtlCache<T> {
    fn default() -> Self {
        TtlCache { slot: Mutex::new(None) }
    }
}

impl<T: Clone> TtlCache<T> {
    /// The value, if it was stored less than `ttl` ago.
    pub fn get(&self, ttl: Duration) -> Option<T> {
        let slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        slot.as_ref().filter(|(at, _)| at.elapsed() < ttl).map(|(_, value)| value.clone())
    }

    pub fn put(&self, value: T) {
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), value));
    }

    /// Forgets the value, so the next reader reads afresh.
    pub fn clear(&self) {
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

#[cfg(test)]
mod tests {
    use super::TtlCache;
    use std::time::Duration;

    #[test]
    fn a_value_lasts_its_time_and_can_be_cleared() {
        let cache = TtlCache::default();
        assert_eq!(cache.get(Duration::from_secs(60)), None::<u8>);
        cache.put(7u8);
        assert_eq!(cache.get(Duration::from_secs(60)), Some(7));
        assert_eq!(cache.get(Duration::ZERO), None, "expired");
        cache.clear();
        assert_eq!(cache.get(Duration::from_secs(60)), None);
    }
}
