//! Test seams: failures injected on purpose, so that the tests can check how a run fails part
//! way (a document that cannot be read, a file that cannot be written, a chart that cannot be
//! drawn) without a broken disk.
//!
//! In: the environment variables `THEMESCOPE_TEST_FAIL_READ=<document id>`,
//! `THEMESCOPE_TEST_FAIL_WRITE=<output file>`, `THEMESCOPE_TEST_FAIL_CHART=<chart file stem>`
//! `THEMESCOPE_TEST_FAIL_LOCK=1` (the output folder's file system refuses locks),
//! `THEMESCOPE_TEST_FAIL_MOVE=<output file>` (moving that new file into place fails) and
//! `THEMESCOPE_TEST_CRASH_AT=<N>` (the process is killed, as by `kill -9`, after the N-th step
//! of moving a result set into place or of completing one an earlier run left; see
//! [`crate::output::transaction`]) and `THEMESCOPE_TEST_FAIL_THREADS=<site,…>` (the system
//! refuses the threads those callers of [`crate::parallel::spawn_in`] ask for, as under
//! `ulimit -u`; `all` for every one).
//! Out: a [`Faults`]. Guarantees: read only in debug builds (the binary the tests run); a
//! release build injects nothing, whatever its environment.

/// The failures to inject into a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// Reading the document with this id fails.
    pub read: Option<String>,
    /// Writing the output file with this name fails part way.
    pub write: Option<String>,
    /// The chart with this file stem fails.
    pub chart: Option<String>,
    /// Locking the output folder fails as on a file system without locks.
    pub lock_refused: bool,
    /// Moving the new file with this name into place fails.
    pub fail_move: Option<String>,
    /// The process is killed after this step of a switch.
    pub crash_at: Option<u64>,
}

impl Faults {
    /// The faults the environment asks for (none in a release build).
    pub fn from_env() -> Faults {
        if !cfg!(debug_assertions) {
            return Faults::default();
        }
        let var = |name: &str| std::env::var(name).ok();
        Faults {
            read: var("THEMESCOPE_TEST_FAIL_READ"),
            write: var("THEMESCOPE_TEST_FAIL_WRITE"),
            chart: var("THEMESCOPE_TEST_FAIL_CHART"),
            lock_refused: var("THEMESCOPE_TEST_FAIL_LOCK").is_some(),
            fail_move: var("THEMESCOPE_TEST_FAIL_MOVE"),
            crash_at: var("THEMESCOPE_TEST_CRASH_AT").and_then(|n| n.parse().ok()),
        }
    }

    /// Whether reading document `id` is to fail.
    pub fn fails_read(&self, id: &str) -> bool {
        self.read.as_deref() == Some(id)
    }

    /// Whether a thread started at `site` (see [`crate::parallel::spawn_in`]) is to be refused.
    /// Read from the environment at each call: threads are started a few times a run, and
    /// not only where a [`Faults`] is at hand.
    pub fn refuses_thread(site: &str) -> bool {
        if !cfg!(debug_assertions) {
            return false;
        }
        let Some(sites) = std::env::var_os("THEMESCOPE_TEST_FAIL_THREADS") else {
            return false;
        };
        (sites.to_string_lossy().split(',')).any(|s| s == site || s == "all")
    }

    /// Whether chart `file` is to fail.
    pub fn fails_chart(&self, file: &str) -> bool {
        self.chart.as_deref() == Some(file)
    }
}
