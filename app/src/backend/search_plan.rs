//! The user search's plan, held in memory by every instance: the current
//! sample of the search index and the mark that bulk writes left for the
//! upkeep job (`jobs::search_upkeep`), which compacts and resamples.

use crate::backend::store::user_list::CANDIDATE_CAP;
use crate::backend::store::user_search::{SearchBy, TrigramSample};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// The pending compaction and the current sample.
#[derive(Default)]
pub struct SearchUpkeep {
    pending_since: Mutex<Option<Instant>>,
    sample: RwLock<Arc<TrigramSample>>,
}

impl SearchUpkeep {
    /// How the list should search for `term` (lower-cased), by the sample.
    pub fn search_by(&self, term: &str) -> SearchBy {
        self.sample.read().unwrap_or_else(|e| e.into_inner()).search_by(term, CANDIDATE_CAP)
    }

    /// Notes that many search-index rows were just written.
    pub fn bulk_write(&self) {
        *self.pending_since.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }

    /// Takes the pending mark when the writes have paused for `quiet`.
    pub(crate) fn take_due(&self, quiet: Duration) -> bool {
        let mut pending = self.pending_since.lock().unwrap_or_else(|e| e.into_inner());
        let due = pending.is_some_and(|at| at.elapsed() >= quiet);
        if due {
            *pending = None;
        }
        due
    }

    /// Plans later searches with `sample`.
    pub(crate) fn set_sample(&self, sample: TrigramSample) {
        *self.sample.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(sample);
    }
}
