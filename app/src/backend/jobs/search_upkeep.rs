//! Keeps the user search index fast: bulk writes (CSV imports, bulk
//! deletes) mark it, and a background task compacts it once they have
//! paused for a few seconds (so a 50-chunk import compacts once), then
//! samples it afresh; the sample, also retaken every few minutes, is what
//! the list plans each search with.

use crate::backend::store::user_search;
use crate::backend::AppState;
use crate::model::AppError;
use std::time::{Duration, Instant};

/// How long bulk writes must pause before the index is compacted.
const QUIET: Duration = Duration::from_secs(3);
/// How often the sample is retaken anyway, to follow one-by-one changes.
const RESAMPLE_EVERY: Duration = Duration::from_secs(600);

/// Takes a new sample of the index for planning searches.
pub async fn resample(state: &AppState) -> Result<(), AppError> {
    let sample = user_search::sample(&state.db).await?;
    state.search_upkeep.set_sample(sample);
    Ok(())
}

/// Compacts the index after bulk writes, then samples it afresh.
pub async fn tidy(state: &AppState) -> Result<(), AppError> {
    user_search::compact(&state.db).await?;
    resample(state).await
}

/// Starts the task that samples the index now and every few minutes, and
/// tidies it after bulk writes.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        let mut sampled_at: Option<Instant> = None;
        loop {
            every.tick().await;
            let started = Instant::now();
            let work = if state.search_upkeep.take_due(QUIET) {
                Some(("tidied", tidy(&state).await))
            } else if sampled_at.is_none_or(|at| at.elapsed() >= RESAMPLE_EVERY) {
                Some(("sampled", resample(&state).await))
            } else {
                None
            };
            match work {
                Some((what, Ok(()))) => {
                    sampled_at = Some(Instant::now());
                    tracing::debug!(ms = started.elapsed().as_millis() as u64, "user search index {what}");
                }
                Some((what, Err(err))) => tracing::warn!(error = %err, "user search index not {what}"),
                None => {}
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use crate::backend::search_plan::SearchUpkeep;
    use std::time::Duration;

    #[test]
    fn a_mark_is_due_once_after_the_quiet_time() {
        let upkeep = SearchUpkeep::default();
        assert!(!upkeep.take_due(Duration::ZERO), "nothing written yet");
        upkeep.bulk_write();
        assert!(!upkeep.take_due(Duration::from_secs(60)), "writes have not paused long enough");
        assert!(upkeep.take_due(Duration::ZERO));
        assert!(!upkeep.take_due(Duration::ZERO), "taken once");
    }
}
