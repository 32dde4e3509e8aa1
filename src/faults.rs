//! Test seams: failures injected on purpose, so that the tests can check how a run fails part
//! way (a document that cannot be read, a file that cannot be written, a chart that cannot be
//! drawn) without a broken disk.
//!
//! In: the environment variables `THEMESCOPE_TEST_FAIL_READ=<document id>`,
//! `THEMESCOPE_TEST_FAIL_WRITE=<output file>`, `THEMESCOPE_TEST_FAIL_CHART=<chart file stem>`
//! and `THEMESCOPE_TEST_FAIL_LOCK=1` (the output folder's file system refuses locks).
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
        }
    }

    /// Whether reading document `id` is to fail.
    pub fn fails_read(&self, id: &str) -> bool {
        self.read.as_deref() == Some(id)
    }

    /// Whether chart `file` is to fail.
    pub fn fails_chart(&self, file: &str) -> bool {
        self.chart.as_deref() == Some(file)
    }
}
