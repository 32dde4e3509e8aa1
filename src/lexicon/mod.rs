//! The lexicon model: themes, their terms, contrasts and negation settings.
//!
//! In: a lexicon source (the built-in TOML, compiled in with `include_str!`, or a user's file).
//! Out: a validated [`Lexicon`]. One file per format parses into this model (`toml.rs` today).
//!
//! Guarantees: theme ids are unique and match `[a-z0-9_]+`; every theme has at least one term;
//! every weight is a positive fixed-point number; every contrast names two different themes
//! that exist. The lexicon's SHA-256 is that of its source bytes.

mod toml;

use std::fmt;

use sha2::{Digest, Sha256};

use crate::error::Result;

pub use self::toml::parse_toml;

/// The built-in lexicon's TOML source.
pub const BUILTIN_TOML: &str = include_str!("builtin.toml");

/// A weight: a positive number held as fixed-point integer ten-thousandths, so sums are exact
/// and independent of the order in which they are added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight(pub u64);

impl Weight {
    /// Fixed-point units per 1.0.
    pub const SCALE: u64 = 10_000;
    /// The default weight, 1.
    pub const ONE: Weight = Weight(Self::SCALE);

    /// Converts a positive finite number, rounded to four decimals; `None` when it is not
    /// positive, not finite, or rounds to zero.
    pub fn from_f64(value: f64) -> Option<Weight> {
        if !value.is_finite() || value <= 0.0 || value > 1e12 {
            return None;
        }
        let units = (value * Self::SCALE as f64).round() as u64;
        (units > 0).then_some(Weight(units))
    }

    /// The weight as a float.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / Self::SCALE as f64
    }
}

impl fmt::Display for Weight {
    /// Four decimals, exact (the CSV convention).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:04}", self.0 / Self::SCALE, self.0 % Self::SCALE)
    }
}

/// How tokens take themes when entries overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchMode {
    /// Each theme matches on its own; within a theme, leftmost-longest matches do not overlap.
    PerTheme,
    /// LIWC's rule: a token takes the categories of its single best entry.
    BestEntry,
}

/// One lexicon entry of a theme.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// The entry as written (`industr*`, `power outage*`).
    pub text: String,
    /// Its weight (1 unless the lexicon says otherwise).
    pub weight: Weight,
    /// The 1-based line in the lexicon file, where known.
    pub line: Option<usize>,
}

/// A theme (a lexicon category).
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// `[a-z0-9_]+`, used in CSV headers and file names.
    pub id: String,
    /// Any text, used in charts and the report.
    pub label: String,
    /// One line saying what the theme measures.
    pub description: String,
    /// The entries, in lexicon order, without duplicates.
    pub terms: Vec<Term>,
}

/// A contrast between two themes; `balance` is positive when the right pole dominates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contrast {
    /// `<left>_vs_<right>`.
    pub id: String,
    /// Index of the left pole in [`Lexicon::themes`].
    pub left: usize,
    /// Index of the right pole in [`Lexicon::themes`].
    pub right: usize,
}

/// Negation settings (DESIGN.md, "Lexicons").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negation {
    /// Whether hits are checked for negation at all.
    pub enabled: bool,
    /// A negator negates a hit 1 to `window` tokens after it.
    pub window: usize,
    /// Negator words, normalised.
    pub negators: Vec<String>,
    /// A token ending in this (normalised) is a negator too: `n't`.
    pub contraction_suffix: Option<String>,
    /// Two-word sequences starting with a negator that do not negate (`not only`), normalised.
    pub exceptions: Vec<(String, String)>,
    /// Characters that end a clause.
    pub breaks: Vec<char>,
    /// Words that end a clause (`but`), normalised.
    pub break_words: Vec<String>,
}

impl Default for Negation {
    fn default() -> Self {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        Negation {
            enabled: true,
            window: 3,
            negators: words(&[
                "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without",
                "hardly", "barely", "scarcely", "cannot",
            ]),
            contraction_suffix: Some("n't".to_string()),
            exceptions: vec![("not".to_string(), "only".to_string())],
            breaks: vec![',', ';', ':', '—', '–', '(', ')', '.', '?', '!'],
            break_words: words(&["but"]),
        }
    }
}

/// A loaded, validated lexicon.
#[derive(Clone, Debug, PartialEq)]
pub struct Lexicon {
    /// Its name (from the file, or the file name).
    pub name: String,
    /// SHA-256 of the source bytes, lowercase hex.
    pub sha256: String,
    /// Themes in lexicon order.
    pub themes: Vec<Theme>,
    /// Contrasts in lexicon order.
    pub contrasts: Vec<Contrast>,
    /// Negation settings.
    pub negation: Negation,
    /// The matching rule.
    pub matching: MatchMode,
    /// Things worth knowing that do not stop the lexicon from loading.
    pub warnings: Vec<String>,
}

impl Lexicon {
    /// The built-in lexicon.
    pub fn builtin() -> Result<Lexicon> {
        parse_toml(BUILTIN_TOML, "built-in")
    }

    /// Total number of terms over all themes.
    pub fn term_count(&self) -> usize {
        self.themes.iter().map(|t| t.terms.len()).sum()
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// Whether `id` is a valid theme id: `[a-z0-9_]+`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Derives a theme id from a category name: lowercase, every other character `_`.
pub fn derive_id(name: &str) -> String {
    let id: String = name
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    if id.is_empty() {
        "_".to_string()
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_exact_fixed_point() {
        assert_eq!(Weight::from_f64(1.0), Some(Weight::ONE));
        assert_eq!(
            Weight::from_f64(0.25).map(|w| w.to_string()).as_deref(),
            Some("0.2500")
        );
        assert_eq!(Weight::from_f64(2.5).map(|w| w.0), Some(25_000));
        assert_eq!(Weight::from_f64(0.0), None);
        assert_eq!(Weight::from_f64(-1.0), None);
        assert_eq!(Weight::from_f64(f64::NAN), None);
        assert_eq!(Weight::from_f64(0.00001), None);
    }

    #[test]
    fn ids_are_derived_from_names() {
        assert_eq!(derive_id("Positive Emotion"), "positive_emotion");
        assert_eq!(derive_id("Négatif"), "n_gatif");
        assert!(is_valid_id("state_ideology"));
        assert!(!is_valid_id("State"));
        assert!(!is_valid_id(""));
    }

    #[test]
    fn builtin_lexicon_loads() {
        let lex = Lexicon::builtin().unwrap();
        assert!(lex.themes.len() >= 12);
        assert!(lex.themes.iter().all(|t| t.terms.len() >= 25));
        let ids: Vec<&str> = lex.contrasts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            &ids[..3],
            &[
                "hardship_vs_pride",
                "isolation_vs_openness",
                "state_ideology_vs_everyday_life"
            ]
        );
        assert!(lex.warnings.is_empty(), "{:?}", lex.warnings);
    }
}
