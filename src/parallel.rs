//! Ordered parallel map: work on many items at once, hand the results on in item order.
//!
//! In: items, a `work` function run on a rayon pool of `jobs` threads, and a `sink` run on the
//! calling thread. Out: `sink(i, work(items[i]))` for every i in ascending order.
//!
//! Guarantees: items are handed out in order, and no worker starts item `i` before the sink has
//! taken item `i - window`, so at most `window` results wait in memory however uneven the items
//! are (a bounded reorder buffer). If the sink fails, the workers stop after their current item
//! and the sink's error is returned. If `work` panics, the other workers stop and the panic is
//! resumed on the calling thread (instead of leaving the others waiting for a result that never
//! comes).

use std::any::Any;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex, PoisonError};

/// Runs `work` over `items` on `jobs` threads and feeds the results to `sink` in item order.
pub fn for_each_ordered<T, R, E>(
    items: &[T],
    jobs: usize,
    window: usize,
    work: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(usize, R) -> Result<(), E>,
    pool_error: impl FnOnce(rayon::ThreadPoolBuildError) -> E,
) -> Result<(), E>
where
    T: Sync,
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
        Err(e) => return Err(pool_error(e)),
    };
    let next = AtomicUsize::new(0);
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
        let i = next.fetch_add(1, Ordering::SeqCst);
        if i >= items.len() || stop.load(Ordering::SeqCst) {
            break;
        }
        {
            let mut done = taken.0.lock().unwrap_or_else(PoisonError::into_inner);
            while i >= *done + window && !stop.load(Ordering::SeqCst) {
                done = taken.1.wait(done).unwrap_or_else(PoisonError::into_inner);
            }
        }
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let result = match catch_unwind(AssertUnwindSafe(|| work(&items[i]))) {
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
        scope.spawn(|| {
            pool.scope(|s| {
                for _ in 0..jobs {
                    let tx = tx.clone();
                    s.spawn(|_| worker(tx));
                }
            });
            drop(tx);
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_whatever_the_timing() {
        let items: Vec<u64> = (0..200).collect();
        for jobs in [1, 2, 4] {
            let mut seen = Vec::new();
            let r: Result<(), ()> = for_each_ordered(
                &items,
                jobs,
                3,
                |&x| {
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
                &items,
                2,
                4,
                |&x| {
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
    fn sink_error_stops_the_run() {
        let items: Vec<u32> = (0..10_000).collect();
        let done = AtomicUsize::new(0);
        let r = for_each_ordered(
            &items,
            2,
            4,
            |&x| {
                done.fetch_add(1, Ordering::SeqCst);
                x
            },
            |i, _| if i == 5 { Err("full disk") } else { Ok(()) },
            |_| "pool",
        );
        assert_eq!(r, Err("full disk"));
        assert!(done.load(Ordering::SeqCst) < 100);
    }
}
