//! Tallying a document's hits: its hits in token order, each with its sentence → its theme
//! tallies, term counts, contrast tallies with their tension sentences, and co-occurrence.
//!
//! In: the hits the matcher found ([`crate::matcher::Matcher::find_sentence_hits`]), sentences
//! ascending. Out: [`Tallies`], every number an integer. One pass over the hits makes them all,
//! so that a document's hits (64 bytes each, megabytes for a long document) are read once, not
//! once per kind of count; the counts kept per theme rather than per contrast pole make a
//! contrast cost nothing per hit. With up to 64 themes, a sentence is counted by its set of
//! themes, and what a set counts for (its themes' and pairs' sentences, its contrasts') is
//! worked out once per set a document has, not once per sentence. Guarantees: the same numbers
//! as counting each kind on its own, as the versions in `reference.rs` do (the property tests
//! below check it on random hits, lexicons of 5, 64 and 70 themes and random contrasts).

use std::cell::RefCell;
use std::ops::Range;

use rustc_hash::{FxBuildHasher, FxHashMap};

use super::{
    pair_index, ContrastTally, Cooccurrence, PoleTally, TermCount, ThemeTally, DENSE_THEMES,
};
use crate::lexicon::Contrast;
use crate::matcher::Hit;

#[cfg(test)]
mod reference;

/// Every count a document's hits make.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Tallies {
    /// Per theme: its hits, negated ones and weight (`distinct_terms` left 0).
    pub themes: Vec<ThemeTally>,
    /// Per term with a hit, ascending by term id.
    pub terms: Vec<TermCount>,
    /// Per contrast, its poles' non-negated hits and its sentences.
    pub contrasts: Vec<ContrastTally>,
    /// Per contrast, the sentences holding non-negated hits of both poles, ascending.
    pub tension: Vec<Vec<usize>>,
    /// Which themes meet in which sentences.
    pub cooccurrence: Cooccurrence,
}

/// What a thread keeps from document to document, so that a short document allocates none
/// of it.
struct Scratch {
    /// Per term id: hits and non-negated weight, read out and reset for the terms hit.
    terms: Vec<(u64, u64)>,
    /// The terms hit, in order of their first hit.
    touched: Vec<u32>,
    /// Per theme, its non-negated hits as a contrast pole counts them.
    live: Vec<PoleTally>,
    /// The themes with a non-negated hit, in order of their first one.
    live_themes: Vec<usize>,
    /// Whether the lexicon has at most [`DENSE_THEMES`] themes: then a sentence's themes are
    /// the bits of `mask`, and sentences are counted per set of themes (`sets`); else they are
    /// listed in `present` and counted one by one.
    dense: bool,
    /// The themes of the current sentence as bits (dense).
    mask: u64,
    /// Per set of themes (as bits) met in a sentence of the document: its sentences, and the
    /// contrasts it makes a tension sentence of, `set_tension[range]` (dense). What a set
    /// counts for is worked out once per set, not once per sentence: a document's sentences
    /// fall into few sets.
    sets: FxHashMap<u64, (u64, Range<u32>)>,
    /// The sets' tension contrasts.
    set_tension: Vec<u32>,
    /// Per theme, the number of the last sentence it had a non-negated hit in. Sentences are
    /// numbered by `sentence`, which runs on from document to document, so nothing is reset.
    seen: Vec<u64>,
    /// The number of the current sentence.
    sentence: u64,
    /// The themes of the current sentence, in order of their first hit (not dense).
    present: Vec<usize>,
    /// The contrasts' poles by theme.
    poles: Poles,
    /// Past DENSE_THEMES, the index of every pair met in a sentence, counted at the end.
    met: Vec<u64>,
}

/// The sets of themes a thread's table keeps room for from document to document (every set of
/// eight themes).
const SETS_KEPT: usize = 256;

/// The contrasts' poles, by theme.
struct Poles {
    /// Per theme, where its poles start in `list` (one more entry than themes; empty when
    /// there is no contrast).
    starts: Vec<usize>,
    /// The poles as (theme, contrast, is the left pole), ascending.
    list: Vec<(usize, usize, bool)>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const {
        RefCell::new(Scratch {
            terms: Vec::new(),
            touched: Vec::new(),
            live: Vec::new(),
            live_themes: Vec::new(),
            dense: true,
            mask: 0,
            sets: FxHashMap::with_hasher(FxBuildHasher),
            set_tension: Vec::new(),
            seen: Vec::new(),
            sentence: 0,
            present: Vec::new(),
            poles: Poles {
                starts: Vec::new(),
                list: Vec::new(),
            },
            met: Vec::new(),
        })
    };
}

/// Tallies `hits` (in token order, each with its sentence) of a document of `sentences`
/// sentences, for a lexicon of `terms` terms and `themes` themes with `contrasts`.
pub(super) fn tally_hits(
    hits: &[(Hit, usize)],
    terms: usize,
    themes: usize,
    contrasts: &[Contrast],
    sentences: usize,
) -> Tallies {
    SCRATCH.with_borrow_mut(|scratch| {
        let mut out = Tallies {
            themes: vec![ThemeTally::default(); themes],
            terms: Vec::new(),
            contrasts: vec![ContrastTally::default(); contrasts.len()],
            tension: vec![Vec::new(); contrasts.len()],
            cooccurrence: Cooccurrence {
                sentences: sentences as u64,
                theme_sentences: vec![0; themes],
                pair_sentences: vec![
                    0;
                    if themes <= DENSE_THEMES {
                        themes * themes.saturating_sub(1) / 2
                    } else {
                        0
                    }
                ],
                pairs: Vec::new(),
            },
        };
        scratch.prepare(terms, themes, contrasts);
        let poles = !contrasts.is_empty();
        let mut current = None;
        for (hit, sentence) in hits {
            let term = &mut scratch.terms[hit.term as usize];
            if term.0 == 0 {
                scratch.touched.push(hit.term);
            }
            term.0 += 1;
            let theme = &mut out.themes[hit.theme];
            theme.count += 1;
            theme.weight += hit.weight.0;
            if hit.negator.is_some() {
                theme.negated += 1;
                continue;
            }
            term.1 += hit.weight.0;
            // Summed per theme only for the contrasts' poles.
            if poles {
                let live = &mut scratch.live[hit.theme];
                if live.hits == 0 {
                    scratch.live_themes.push(hit.theme);
                }
                live.add(hit.weight);
            }
            if current != Some(*sentence) {
                if let Some(done) = current {
                    scratch.close_sentence(done, contrasts, &mut out);
                }
                current = Some(*sentence);
                scratch.sentence += 1;
            }
            if scratch.dense {
                scratch.mask |= 1 << hit.theme;
            } else if scratch.seen[hit.theme] != scratch.sentence {
                scratch.seen[hit.theme] = scratch.sentence;
                scratch.present.push(hit.theme);
            }
        }
        if let Some(done) = current {
            scratch.close_sentence(done, contrasts, &mut out);
        }
        scratch.finish(contrasts, &mut out);
        out
    })
}

impl Scratch {
    /// Makes room for `terms` terms and `themes` themes, and lists each theme's poles.
    fn prepare(&mut self, terms: usize, themes: usize, contrasts: &[Contrast]) {
        if self.terms.len() < terms {
            self.terms.resize(terms, (0, 0));
        }
        if self.live.len() < themes {
            self.live.resize(themes, PoleTally::default());
            self.seen.resize(themes, 0);
        }
        self.dense = themes <= DENSE_THEMES;
        let (starts, list) = (&mut self.poles.starts, &mut self.poles.list);
        starts.clear();
        list.clear();
        if contrasts.is_empty() {
            return;
        }
        // A theme on both sides of one contrast counts as its left pole only.
        for (ci, c) in contrasts.iter().enumerate() {
            list.push((c.left, ci, true));
            if c.right != c.left {
                list.push((c.right, ci, false));
            }
        }
        list.sort_unstable();
        starts.resize(themes + 1, 0);
        for &(theme, _, _) in list.iter() {
            starts[theme + 1] += 1;
        }
        for theme in 0..themes {
            starts[theme + 1] += starts[theme];
        }
    }

    /// Counts the sentence `sentence`, whose themes are `mask` (dense) or `present` (and
    /// marked in `seen`), and empties them: its set of themes (dense), or its themes, pairs and
    /// contrasts; and its tension sentences either way.
    fn close_sentence(&mut self, sentence: usize, contrasts: &[Contrast], out: &mut Tallies) {
        if self.dense {
            let mask = std::mem::take(&mut self.mask);
            let (poles, tension) = (&self.poles, &mut self.set_tension);
            let (sentences, both) = self.sets.entry(mask).or_insert_with(|| {
                let start = tension.len() as u32;
                poles.met(
                    bits(mask),
                    |t| mask >> t & 1 == 1,
                    contrasts,
                    |ci, both| {
                        if both {
                            tension.push(ci as u32);
                        }
                    },
                );
                (0, start..tension.len() as u32)
            });
            *sentences += 1;
            for &ci in &self.set_tension[both.start as usize..both.end as usize] {
                out.tension[ci as usize].push(sentence);
            }
            return;
        }
        let c = &mut out.cooccurrence;
        let themes = c.theme_sentences.len();
        for (i, &a) in self.present.iter().enumerate() {
            c.theme_sentences[a] += 1;
            for &b in &self.present[i + 1..] {
                self.met.push(pair_index(a.min(b), a.max(b), themes) as u64);
            }
        }
        let (seen, now) = (&self.seen, self.sentence);
        let present = self.present.iter().copied();
        self.poles.met(
            present,
            |t| seen[t] == now,
            contrasts,
            |ci, both| {
                let tally = &mut out.contrasts[ci];
                tally.pole_sentences += 1;
                if both {
                    tally.tension_sentences += 1;
                    out.tension[ci].push(sentence);
                }
            },
        );
        self.present.clear();
    }

    /// Reads out the sets of themes, the terms, the contrasts' poles and the sparse pairs,
    /// and resets what the next document counts in.
    fn finish(&mut self, contrasts: &[Contrast], out: &mut Tallies) {
        let themes = out.cooccurrence.theme_sentences.len();
        for (mask, (sentences, _)) in self.sets.drain() {
            let c = &mut out.cooccurrence;
            for a in bits(mask) {
                c.theme_sentences[a] += sentences;
                // The themes after a in the set (none past the 64th).
                for b in bits(mask & !(u64::MAX >> (63 - a))) {
                    c.pair_sentences[pair_index(a, b, themes)] += sentences;
                }
            }
            let has = |t: usize| mask >> t & 1 == 1;
            self.poles.met(bits(mask), has, contrasts, |ci, both| {
                let tally = &mut out.contrasts[ci];
                tally.pole_sentences += sentences;
                if both {
                    tally.tension_sentences += sentences;
                }
            });
        }
        self.set_tension.clear();
        // A long document with many themes may leave a large table, which every document
        // after it would empty again: back to the size of a short one.
        self.sets.shrink_to(SETS_KEPT);
        self.touched.sort_unstable();
        out.terms = (self.touched.drain(..))
            .map(|term| {
                let (hits, live_weight) = std::mem::take(&mut self.terms[term as usize]);
                TermCount {
                    term,
                    hits,
                    live_weight,
                }
            })
            .collect();
        for (c, tally) in contrasts.iter().zip(&mut out.contrasts) {
            tally.left = self.live[c.left].clone();
            if c.right != c.left {
                tally.right = self.live[c.right].clone();
            }
        }
        for theme in self.live_themes.drain(..) {
            self.live[theme] = PoleTally::default();
        }
        self.met.sort_unstable();
        for run in self.met.chunk_by(|a, b| a == b) {
            out.cooccurrence.pairs.push((run[0], run.len() as u64));
        }
        self.met.clear();
    }
}

impl Poles {
    /// Calls `f(contrast, both)` once for each contrast with a pole among the themes of a
    /// sentence, `themes` (each once; `has` tells whether a theme is among them): a sentence
    /// of either pole, `both` when it holds both poles of a contrast of two (a tension
    /// sentence). The one statement of what a sentence counts for in the contrasts.
    fn met(
        &self,
        themes: impl Iterator<Item = usize>,
        has: impl Fn(usize) -> bool,
        contrasts: &[Contrast],
        mut f: impl FnMut(usize, bool),
    ) {
        if self.list.is_empty() {
            return;
        }
        for a in themes {
            for &(_, ci, is_left) in &self.list[self.starts[a]..self.starts[a + 1]] {
                let c = &contrasts[ci];
                if is_left {
                    f(ci, c.right != c.left && has(c.right));
                } else if !has(c.left) {
                    f(ci, false);
                }
            }
        }
    }
}

/// The set bits of `mask`, lowest first, as theme indexes.
fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let bit = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            bit
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Weight;
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// Hits drawn as (theme, term, sentence, negated, weight in tenths) among `themes`, in
    /// sentence order, and contrasts drawn as (left, right).
    fn drawn(
        themes: usize,
        hits: &[(usize, u32, usize, bool, u64)],
        contrasts: &[(usize, usize)],
    ) -> (Vec<(Hit, usize)>, Vec<Contrast>) {
        let mut hits: Vec<(Hit, usize)> = (hits.iter())
            .map(|&(theme, term, sentence, negated, tenths)| {
                let hit = Hit {
                    theme: theme % themes,
                    term,
                    tokens: 0..1,
                    weight: Weight(tenths * Weight::SCALE / 10),
                    negator: negated.then_some(0),
                };
                (hit, sentence)
            })
            .collect();
        hits.sort_by_key(|(_, s)| *s);
        let contrasts = (contrasts.iter())
            .map(|&(left, right)| Contrast {
                id: format!("{left}_vs_{right}"),
                left: left % themes,
                right: right % themes,
            })
            .collect();
        (hits, contrasts)
    }

    proptest! {
        /// One pass counts what each kind of count on its own does: themes, terms, contrasts
        /// (a theme on both sides of one, a theme in several, the same contrast twice) and
        /// co-occurrence, with few themes and with 64 (sentences counted per set of themes,
        /// the last theme the set's highest bit) and many (the sparse pairs). The cases run
        /// one after the other on a thread, so each also checks that the last document left
        /// nothing behind.
        #[test]
        fn one_pass_counts_what_each_count_on_its_own_does(
            themes in prop_oneof![Just(5), Just(DENSE_THEMES), Just(70)],
            hits in vec((0usize..70, 0u32..12, 0usize..8, any::<bool>(), 1u64..30), 0..60),
            contrasts in vec((0usize..70, 0usize..70), 0..5),
        ) {
            let (hits, contrasts) = drawn(themes, &hits, &contrasts);
            prop_assert_eq!(
                tally_hits(&hits, 12, themes, &contrasts, 8),
                reference::tallies(&hits, 12, themes, &contrasts, 8)
            );
        }
    }

    /// A document of many sets of themes (2,000 sentences, each a set of its own) leaves its
    /// thread's table of sets no larger than a short document's, so that the documents after
    /// it do not each empty a large one (what a 3.6 MB document of random sets of 20 themes
    /// followed by 20,000 short ones cost: 10 % more instructions).
    #[test]
    fn a_document_of_many_sets_leaves_a_small_table_behind() {
        let hits: Vec<_> = (1..=2000usize)
            .flat_map(|s| {
                (0..11)
                    .filter(move |t| s >> t & 1 == 1)
                    .map(move |t| (t, 0, s, false, 10))
            })
            .collect();
        let (hits, _) = drawn(16, &hits, &[]);
        let t = tally_hits(&hits, 1, 16, &[], 2001);
        assert_eq!(t.cooccurrence.theme_sentences[0], 1000);
        SCRATCH.with_borrow(|scratch| {
            assert!(scratch.sets.is_empty());
            assert!(
                scratch.sets.capacity() < 2 * SETS_KEPT,
                "{}",
                scratch.sets.capacity()
            );
        });
    }

    /// Two poles met in the same sentence only through a negated hit make no tension; a
    /// sentence with both, one of them twice, makes one; a theme that is its own opposite
    /// none.
    #[test]
    fn tension_by_hand() {
        let hits = [
            (0, 0, 0, false, 10),
            (1, 1, 0, true, 10),
            (1, 1, 1, false, 10),
            (0, 0, 1, false, 10),
            (1, 2, 1, false, 20),
            (2, 3, 2, false, 10),
        ];
        let (hits, contrasts) = drawn(3, &hits, &[(0, 1), (2, 2)]);
        let t = tally_hits(&hits, 4, 3, &contrasts, 3);
        assert_eq!(t.tension, vec![vec![1], vec![]]);
        let c = &t.contrasts[0];
        assert_eq!((c.tension_sentences, c.pole_sentences), (1, 2));
        assert_eq!((c.left.hits, c.right.hits), (2, 2));
        assert_eq!(c.right.weight, 3 * Weight::SCALE);
        assert_eq!(c.right.weight_sq, 5 * u128::from(Weight::SCALE).pow(2));
        let own = &t.contrasts[1];
        assert_eq!((own.tension_sentences, own.pole_sentences), (0, 1));
        assert_eq!((own.left.hits, own.right.hits), (1, 0));
        assert_eq!(t.cooccurrence.pair(0, 1, 3).0, 1);
        assert_eq!(t.themes[1].negated, 1);
    }
}
