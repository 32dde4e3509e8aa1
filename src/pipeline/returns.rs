//! Going home: what the writer is done with, handed back to the thread that made it.
//!
//! In: from the writer, after it took a job's outcomes, the outcomes of a table's rows (their
//! rows, totals and digests, made on a worker thread) and the [`Origin`]s (made on the reader
//! thread). Out: each worker takes its own outcomes back when it starts its next job
//! ([`Returns::take_own`]) and drops one before each document it analyses (keeping its summary
//! rows' buffers for the next), the rest after the job; the reader takes the origins back to
//! fill them anew ([`Returns::origins`]). A file's outcome, whose rows may take megabytes, is
//! dropped by the writer at once: held until its worker's next job, it would only add to the
//! memory a run takes.
//!
//! Guarantees: memory is freed on the thread that allocated it, so the allocator neither takes
//! another thread's arena lock nor hands memory from one thread's cache to another (with many
//! short documents, freeing on the writer what the workers made was a third of the run); a
//! document's buffers freed just before the next document asks for buffers of the same sizes
//! are found in the thread's cache. What waits here is bounded by the work in flight: a worker
//! empties its bin at each job, the reader at each job it reads; what is left at the end is
//! dropped with the `Returns`. Nothing here changes what is written.

use std::sync::{Arc, Mutex, PoisonError};

use super::jobs::Origin;
use super::worker::Outcome;

/// The bins the writer puts what it is done with in: one per worker thread, one for the reader.
#[derive(Default)]
pub struct Returns {
    /// Per worker thread (by its index in the pool), the outcomes it made.
    outcomes: Vec<Mutex<Vec<Outcome>>>,
    /// The origins, for the reader thread.
    origins: Mutex<Vec<Arc<Origin>>>,
}

impl Returns {
    /// Bins for a pool of `jobs` worker threads.
    pub fn new(jobs: usize) -> Returns {
        Returns {
            outcomes: (0..jobs).map(|_| Mutex::default()).collect(),
            origins: Mutex::default(),
        }
    }

    /// The calling worker thread's number, when it is one of the pool's.
    pub fn home(&self) -> Option<usize> {
        rayon::current_thread_index().filter(|&i| i < self.outcomes.len())
    }

    /// Drops, on the worker thread that made it, an outcome handed back; the memory of a whole
    /// document's summary rows is kept for the next
    /// ([`crate::output::csv::DocumentRows::with_spare_summary`]).
    pub fn drop_own(outcome: Outcome) {
        if let Outcome::Document(mut d) = outcome {
            d.finished.rows.give_back_summary();
        }
    }

    /// Takes, on the calling worker thread `home`, the outcomes it made that the writer is done
    /// with (to drop there).
    pub fn take_own(&self, home: Option<usize>) -> Vec<Outcome> {
        match home.and_then(|i| self.outcomes.get(i)) {
            Some(bin) => std::mem::take(&mut *bin.lock().unwrap_or_else(PoisonError::into_inner)),
            None => Vec::new(),
        }
    }

    /// Hands back what the writer is done with: `outcomes` made on worker `home` (dropped here
    /// when `home` is `None`: no pool thread's, or not to be handed back) and `origins`; both
    /// are left empty.
    pub fn give_back(
        &self,
        home: Option<usize>,
        outcomes: &mut Vec<Outcome>,
        origins: &mut Vec<Arc<Origin>>,
    ) {
        match home.and_then(|i| self.outcomes.get(i)) {
            Some(bin) => bin
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .append(outcomes),
            None => outcomes.clear(),
        }
        (self.origins.lock().unwrap_or_else(PoisonError::into_inner)).append(origins);
    }

    /// Moves the origins handed back so far into `into` (on the reader thread).
    pub fn origins(&self, into: &mut Vec<Arc<Origin>>) {
        into.append(&mut self.origins.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::SkipReason;

    fn origin(id: &str) -> Arc<Origin> {
        Arc::new(Origin {
            id: id.to_string(),
            path: "t.csv".into(),
            location: format!("t.csv:{id}"),
            meta: Vec::new(),
        })
    }

    #[test]
    fn outcomes_go_to_their_worker_and_origins_to_the_reader() {
        let returns = Returns::new(2);
        let mut outcomes = vec![Outcome::Abandoned, Outcome::Abandoned];
        let mut origins = vec![origin("a"), origin("b")];
        returns.give_back(Some(1), &mut outcomes, &mut origins);
        assert!(outcomes.is_empty() && origins.is_empty());
        let waiting = |i: usize| returns.outcomes[i].lock().unwrap().len();
        assert_eq!((waiting(0), waiting(1)), (0, 2));
        // Worker 0 takes nothing of worker 1's.
        assert!(returns.take_own(Some(0)).is_empty());
        assert_eq!(waiting(1), 2);
        assert_eq!(returns.take_own(Some(1)).len(), 2);
        assert_eq!(waiting(1), 0);
        assert!(returns.take_own(None).is_empty());
        let mut back = Vec::new();
        returns.origins(&mut back);
        let ids: Vec<&str> = back.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        returns.origins(&mut back);
        assert_eq!(back.len(), 2);
    }

    #[test]
    fn outcomes_of_no_pool_thread_are_dropped_at_once() {
        let returns = Returns::new(1);
        let reason = SkipReason::Unreadable("x".to_string());
        let mut outcomes = vec![Outcome::Skipped(reason)];
        returns.give_back(None, &mut outcomes, &mut Vec::new());
        assert!(outcomes.is_empty());
        assert_eq!(returns.outcomes[0].lock().unwrap().len(), 0);
        // Not a pool thread here.
        assert_eq!(returns.home(), None);
    }
}
