//! Messages for the person at the terminal: warnings and errors on standard error, in one
//! format, and the progress bar they must not tear.
//!
//! In: what to say. Out: `warning: …` and `error: …` lines on stderr; a progress bar on stderr
//! for runs longer than a second when stderr is a terminal. Guarantees: a message printed while
//! the bar is shown is printed above it (the bar is suspended, not overwritten); nothing here
//! writes to standard output, which belongs to the run's summary.

use std::fmt::Display;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Prints `warning: <text>` on stderr.
pub fn warning(text: impl Display) {
    eprintln!("warning: {text}");
}

/// Prints `error: <text>` on stderr (with an error's chain of causes).
pub fn error(text: impl Display) {
    eprintln!("error: {text:#}");
}

/// Prints `themescope: <text>` on stderr: how a run ended, when not in full success.
pub fn note(text: impl Display) {
    eprintln!("themescope: {text}");
}

/// Progress over the documents of a run.
pub struct Progress {
    bar: ProgressBar,
    shown: bool,
    started: Instant,
}

impl Progress {
    /// Progress over `total` documents; never shown when `quiet` or stderr is no terminal.
    pub fn new(total: usize, quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} documents ({eta} left)",
        ) {
            bar.set_style(style);
        }
        Progress {
            bar,
            shown: !quiet && std::io::stderr().is_terminal(),
            started: Instant::now(),
        }
    }

    /// One more document done; the bar appears once the run has taken a second.
    pub fn inc(&self) {
        if self.shown && self.bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.inc(1);
    }

    /// Prints a warning above the bar.
    pub fn warning(&self, text: impl Display) {
        self.bar.suspend(|| warning(text));
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
