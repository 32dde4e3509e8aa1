//! Ordered parallel map: work on many items at once, hand the results on in item order; and
//! [`map`], the same over a list already in memory.
//!
//! In: an iterator of items (pulled on a thread of its own, a few items ahead of the workers,
//! so it may read files as it goes without holding them up), a `work` function run on a rayon
//! pool of `jobs` threads, and a `sink` run on the calling thread. Out: `sink(i, work(i,
//! item_i))` for every i in ascending order.
//!
//! Guarantees: items are handed out in order, and no worker starts item `i` before the sink has
//! taken item `i - window`, so at most `window` results wait in memory however uneven the items
//! are (a bounded reorder buffer). If the sink fails, the workers stop after their current item
//! and the sink's error is returned. If `work` panics, the other workers stop and the panic is
//! resumed on the calling thread (instead of leaving the others waiting for a result that never
//! comes). If the system will not start a thread (`ulimit -u`, no memory left), the caller
//! gets the error to report, as when the pool cannot start, not a panic ([`spawn_in`]).
//!
//! A [`Relay`] passes a value from item `i` to item `i + 1` while both are worked on (the running
//! offsets of a document analysed in blocks): item `i + 1` does its independent work first and
//! waits only for what it needs from item `i`. Items are taken in order and each worker finishes
//! its item before taking another, so the earliest unfinished item never waits: no deadlock.

use std::any::Any;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Condvar, Mutex, PoisonError};
use std::thread::{Scope, ScopedJoinHandle};

/// Starts `f` on a thread of `scope`, or returns why the system would not start one (under
/// `ulimit -u`, or without memory for its stack) where [`Scope::spawn`] panics, so that the
/// caller can do the work itself or stop with a message. `site` names the caller to the test
/// seam [`crate::faults::Faults::refuses_thread`].
pub fn spawn_in<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    site: &str,
    f: impl FnOnce() -> T + Send + 'scope,
) -> std::io::Result<ScopedJoinHandle<'scope, T>> {
    if crate::faults::Faults::refuses_thread(site) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::WouldBlock,
            "Resource temporarily unavailable (refused for testing)",
        ));
    }
    std::thread::Builder::new().spawn_scoped(scope, f)
}

/// Runs `work` over `items` on `jobs` threads and feeds the results to `sink` in item order;
/// `thread_error` makes the error returned, from what the system said, when the threads
/// cannot be started.
pub fn for_each_ordered<I, R, E>(
    items: I,
    jobs: usize,
    window: usize,
    work: impl Fn(usize, I::Item) -> R + Sync,
    mut sink: impl FnMut(usize, R) -> Result<(), E>,
    thread_error: impl FnOnce(String) -> E,
) -> Result<(), E>
where
    I: Iterator + Send,
    I::Item: Send,
    R: Send,
{
    let jobs = jobs.max(1);
    let window = window.max(1);
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("themescope-{i}"))
        .build()
    {
        Ok(pool) => pool,
        Err(e) => return Err(thread_error(e.to_string())),
    };
    // Items with their index, in order, from the reader thread; `None` once the workers are
    // done (so that a reader waiting to hand on an item stops).
    let (item_tx, item_rx) = mpsc::sync_channel::<(usize, I::Item)>(jobs);
    let source = Mutex::new(Some(item_rx));
    let stop = AtomicBool::new(false);
    // How many results the sink has taken, and a condition to wait on for it to grow.
    let taken = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = mpsc::channel::<(usize, R)>();
    let panicked: Mutex<Option<Box<dyn Any + Send>>> = Mutex::new(None);
    let halt = || {
        stop.store(true, Ordering::SeqCst);
        // Take the lock so that no worker misses the wake-up between its check and its wait.
        drop(taken.0.lock().unwrap_or_else(PoisonError::into_inner));
        taken.1.notify_all();
    };

    let worker = |tx: mpsc::Sender<(usize, R)>| loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let pulled = source
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|rx| rx.recv().ok());
        let Some((i, item)) = pulled else {
            break;
        };
        {
            let mut done = taken.0.lock().unwrap_or_else(PoisonError::into_inner);
            while i >= *done + window && !stop.load(Ordering::SeqCst) {
                done = taken.1.wait(done).unwrap_or_else(PoisonError::into_inner);
            }
        }
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let result = match catch_unwind(AssertUnwindSafe(|| work(i, item))) {
            Ok(result) => result,
            Err(payload) => {
                *panicked.lock().unwrap_or_else(PoisonError::into_inner) = Some(payload);
                halt();
                break;
            }
        };
        if tx.send((i, result)).is_err() {
            break;
        }
    };

    let outcome = std::thread::scope(|scope| {
        let reader = spawn_in(scope, "reader", || {
            // Both moved here: the workers see the end of the items when the sender goes.
            let (mut items, item_tx) = (items, item_tx);
            for i in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                match catch_unwind(AssertUnwindSafe(|| items.next())) {
                    Ok(Some(item)) => {
                        if item_tx.send((i, item)).is_err() {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(payload) => {
                        *panicked.lock().unwrap_or_else(PoisonError::into_inner) = Some(payload);
                        halt();
                        break;
                    }
                }
            }
        });
        if let Err(e) = reader {
            return Err(thread_error(e.to_string()));
        }
        let workers = spawn_in(scope, "workers", || {
            pool.scope(|s| {
                for _ in 0..jobs {
                    let tx = tx.clone();
                    s.spawn(|_| worker(tx));
                }
            });
            drop(tx);
            // Items read ahead and not taken are dropped, and a reader waiting to hand one on
            // is let go.
            *source.lock().unwrap_or_else(PoisonError::into_inner) = None;
        });
        if let Err(e) = workers {
            // The reader stops: it finds the stop, or no one to hand its next item to.
            halt();
            *source.lock().unwrap_or_else(PoisonError::into_inner) = None;
            return Err(thread_error(e.to_string()));
        }
        let mut pending: BTreeMap<usize, R> = BTreeMap::new();
        let mut expected = 0;
        let mut outcome = Ok(());
        'receive: for (i, result) in rx.iter() {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&expected) {
                if let Err(e) = sink(expected, result) {
                    outcome = Err(e);
                    break 'receive;
                }
                expected += 1;
                *taken.0.lock().unwrap_or_else(PoisonError::into_inner) = expected;
                taken.1.notify_all();
            }
        }
        if outcome.is_err() {
            halt();
        }
        drop(rx);
        outcome
    });
    if let Some(payload) = panicked
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
    {
        resume_unwind(payload);
    }
    outcome
}

/// Values passed from one item to the next (see the module documentation), keyed by a number
/// the caller gives each item.
#[derive(Debug)]
pub struct Relay<V> {
    slots: Mutex<std::collections::HashMap<u64, Option<V>>>,
    ready: Condvar,
}

impl<V> Default for Relay<V> {
    fn default() -> Self {
        Relay {
            slots: Mutex::new(std::collections::HashMap::new()),
            ready: Condvar::new(),
        }
    }
}

impl<V> Relay<V> {
    /// The obligation of item `key` to hand a value on: kept in the item, so that an item
    /// dropped unworked (a stopped run) or a worker that panics still wakes the next item.
    pub fn baton(&self, key: u64) -> Baton<'_, V> {
        Baton {
            relay: self,
            key,
            sent: false,
        }
    }

    fn put(&self, key: u64, value: Option<V>) {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, value);
        self.ready.notify_all();
    }

    /// Takes item `key`'s value if it has been handed on: `Some(None)` when that item gave up,
    /// `None` when there is nothing yet (never waits).
    pub fn try_take(&self, key: u64) -> Option<Option<V>> {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key)
    }

    /// Waits for item `key`'s value and takes it; `None` when that item gave up.
    pub fn take(&self, key: u64) -> Option<V> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(value) = slots.remove(&key) {
                return value;
            }
            slots = self
                .ready
                .wait(slots)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// See [`Relay::baton`]. Dropped without [`Baton::pass`], it hands on `None`.
#[derive(Debug)]
pub struct Baton<'r, V> {
    relay: &'r Relay<V>,
    key: u64,
    sent: bool,
}

impl<V> Baton<'_, V> {
    /// Hands `value` on to whoever [`Relay::take`]s this key.
    pub fn pass(mut self, value: V) {
        self.sent = true;
        self.relay.put(self.key, Some(value));
    }
}

impl<V> Drop for Baton<'_, V> {
    fn drop(&mut self) {
        if !self.sent {
            self.relay.put(self.key, None);
        }
    }
}

/// `items.iter().map(f).collect()`, the items shared out over `jobs` threads: the same list in
/// the same order (a result depends only on its item), for work that is done once the documents
/// are in (a thousand groups' intervals, say). When no thread can be started, the items are
/// mapped on the calling thread, with the same result.
pub fn map<T: Sync, R: Send>(items: &[T], jobs: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use rayon::prelude::*;
    if jobs <= 1 || items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => pool.install(|| items.par_iter().map(&f).collect()),
        Err(_) => items.iter().map(f).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn map_keeps_the_order_on_any_number_of_threads() {
        let items: Vec<u64> = (0..1000).collect();
        let squares: Vec<u64> = items.iter().map(|x| x * x).collect();
        for jobs in [0, 1, 2, 3, 8] {
            assert_eq!(map(&items, jobs, |x| x * x), squares, "jobs {jobs}");
        }
        assert_eq!(map(&items[..1], 4, |x| x + 1), vec![1]);
        assert!(map(&items[..0], 4, |x| x + 1).is_empty());
    }

    #[test]
    fn results_come_in_order_whatever_the_timing() {
        let items: Vec<u64> = (0..200).collect();
        for jobs in [1, 2, 4] {
            let mut seen = Vec::new();
            let r: Result<(), ()> = for_each_ordered(
                items.iter(),
                jobs,
                3,
                |_, &x| {
                    // Uneven work: later items often finish first.
                    std::thread::sleep(std::time::Duration::from_micros((200 - x) % 7 * 50));
                    x * 2
                },
                |i, r| {
                    seen.push((i, r));
                    Ok(())
                },
                |_| (),
            );
            assert!(r.is_ok());
            assert_eq!(
                seen,
                items
                    .iter()
                    .map(|&x| (x as usize, x * 2))
                    .collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn a_panicking_item_stops_the_run_instead_of_hanging_it() {
        let items: Vec<u32> = (0..1000).collect();
        let result = catch_unwind(|| {
            let _: Result<(), ()> = for_each_ordered(
                items.iter(),
                2,
                4,
                |_, &x| {
                    assert!(x != 5, "item five");
                    x
                },
                |_, _| Ok(()),
                |_| (),
            );
        });
        let payload = result.unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"item five"));
    }

    #[test]
    fn a_panicking_reader_stops_the_run_instead_of_hanging_it() {
        let items = (0..1000u32).inspect(|&x| assert!(x != 7, "item seven unreadable"));
        let taken = AtomicUsize::new(0);
        let result = catch_unwind(AssertUnwindSafe(|| {
            let _: Result<(), ()> = for_each_ordered(
                items,
                2,
                4,
                |_, x| {
                    taken.fetch_add(1, Ordering::SeqCst);
                    x
                },
                |_, _| Ok(()),
                |_| (),
            );
        }));
        let payload = result.unwrap_err();
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"item seven unreadable")
        );
        assert!(taken.load(Ordering::SeqCst) <= 7);
    }

    #[test]
    fn sink_error_stops_the_run() {
        let items: Vec<u32> = (0..10_000).collect();
        let done = AtomicUsize::new(0);
        let r = for_each_ordered(
            items.iter(),
            2,
            4,
            |_, &x| {
                done.fetch_add(1, Ordering::SeqCst);
                x
            },
            |i, _| if i == 5 { Err("full disk") } else { Ok(()) },
            |_| "pool",
        );
        assert_eq!(r, Err("full disk"));
        assert!(done.load(Ordering::SeqCst) < 100);
    }

    #[test]
    fn a_relay_passes_values_down_a_chain_and_survives_a_dropped_item() {
        // Each item adds its own number to the running sum it takes from the item before.
        let relay: Relay<u64> = Relay::default();
        let items = (0..300u64).map(|k| (k, relay.baton(k)));
        let mut sums = Vec::new();
        let r: Result<(), ()> = for_each_ordered(
            items,
            2,
            4,
            |_, (k, baton)| {
                let before = if k == 0 { Some(0) } else { relay.take(k - 1) };
                let sum = before.map(|b| b + k);
                if let Some(sum) = sum {
                    if k != 150 {
                        baton.pass(sum);
                    }
                }
                sum
            },
            |_, sum| {
                sums.push(sum);
                Ok(())
            },
            |_| (),
        );
        assert!(r.is_ok());
        assert_eq!(sums[149], Some(149 * 150 / 2));
        // Item 150 dropped its baton without passing: 151 learns that instead of waiting.
        assert_eq!(sums[150], Some(150 * 151 / 2));
        assert_eq!(sums[151], None);
        assert_eq!(sums[299], None);
    }

    #[test]
    fn try_take_never_waits_and_tells_a_dropped_baton_from_none_yet() {
        let relay: Relay<u32> = Relay::default();
        let (first, second) = (relay.baton(1), relay.baton(2));
        assert_eq!(relay.try_take(1), None);
        first.pass(7);
        assert_eq!(relay.try_take(1), Some(Some(7)));
        // Taken: gone.
        assert_eq!(relay.try_take(1), None);
        drop(second);
        assert_eq!(relay.try_take(2), Some(None));
    }
}
