//! Patterns from users — `pattern` in JSON Schemas, CEL's `matches` — with
//! the work of each match bounded before it starts.
//!
//! A match first runs on a lazy DFA, which takes time linear in the text
//! whatever the pattern. When the DFA gives up (its cache keeps filling: a
//! counted repetition after a loop, such as `[ab]*a[ab]{1000}[^ab]`), the
//! `regex` crate's fallback takes time proportional to the text's length
//! *times* the pattern's size: 1 MB against that pattern took 11 s, and ten
//! times the repetition ten times as long. So each pattern is weighed once —
//! its size with counted repetitions written out, a character class counting
//! one (Unicode classes are large compiled, but one of them is only one
//! position of the text at a time) — and a text whose length times that
//! weight is over [`MAX_WORK`] is refused, saying so, instead of matched
//! the slow way. Within [`with_allowance`] — the expressions evaluated for
//! one node, one value's check against a schema — the slow matches share one
//! allowance of [`MAX_WORK`], so a loop over many texts is bounded too; a
//! refused match marks the check, which fails closed. (What the DFA
//! scans is bounded by its callers: an expression's scanning is charged
//! before it runs, a schema checks one request's input.)

use std::cell::Cell;
use std::sync::Mutex;

use regex::{Regex, RegexBuilder};
use regex_automata::Input;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson;
use regex_syntax::hir::{Hir, HirKind};

/// The most text bytes × pattern weight one match, or all the matches of one
/// [`with_allowance`], may take: about a second at the fallback's worst
/// (`cargo bench -p scena-core --bench worst` prints the case).
pub const MAX_WORK: u64 = 100_000_000;

thread_local! {
    /// What is left of the allowance of the check running on this thread, if one is.
    static WORK_LEFT: Cell<Option<u64>> = const { Cell::new(None) };
    /// Whether a match of that check was refused: a refusal must not pass for
    /// "no match" where a schema turns that into a pass (`not`, `anyOf` …).
    static REFUSED: Cell<bool> = const { Cell::new(false) };
}

/// Whether a match was refused within the running [`with_allowance`] (the
/// caller then fails the whole check, whatever the matches' answers made of it).
pub fn refused_in_check() -> bool {
    REFUSED.with(Cell::get)
}

/// DFA caches kept per pattern: making one per match would cost the pattern's
/// size each time, uncounted, for every short text.
const KEPT_CACHES: usize = 4;

/// Run `check` with one allowance of [`MAX_WORK`] shared by every match it
/// makes on this thread (a check inside another shares the outer one's).
pub fn with_allowance<T>(check: impl FnOnce() -> T) -> T {
    with_allowance_left(MAX_WORK, check).0
}

/// [`with_allowance`], with only `left` of it (what earlier checks of the
/// same whole — a node's expressions — did not use); also what this one left.
pub fn with_allowance_left<T>(left: u64, check: impl FnOnce() -> T) -> (T, u64) {
    struct Ends(bool);
    impl Drop for Ends {
        fn drop(&mut self) {
            if self.0 {
                WORK_LEFT.with(|left| left.set(None));
            }
        }
    }
    let outermost = WORK_LEFT.with(|cell| cell.get().is_none());
    if outermost {
        WORK_LEFT.with(|cell| cell.set(Some(left.min(MAX_WORK))));
        REFUSED.with(|refused| refused.set(false));
    }
    let _ends = Ends(outermost);
    let result = check();
    (result, WORK_LEFT.with(Cell::get).unwrap_or(0))
}

/// Take `work` (text bytes × pattern weight) from the running check's
/// allowance up front, for matching the check makes where no
/// [`BoundedPattern`] runs (jsonschema's own `patternProperties`); outside a
/// check, `work` is held to [`MAX_WORK`] alone. An error if it would not fit.
pub fn charge(work: u64) -> Result<(), String> {
    let left = WORK_LEFT.with(Cell::get);
    if work > left.unwrap_or(MAX_WORK) {
        REFUSED.with(|refused| refused.set(true));
        return Err(format!("that is {work} bytes × pattern weight, over the allowance of {MAX_WORK} for one check"));
    }
    if let Some(left) = left {
        WORK_LEFT.with(|cell| cell.set(Some(left - work)));
    }
    Ok(())
}

/// How much one byte of text costs against `pattern` in the slow case
/// (see [`BoundedPattern::weight`]), without building a matcher; `None` if it
/// does not parse.
pub fn weight_of(pattern: &str) -> Option<u64> {
    regex_syntax::parse(pattern).ok().map(|hir| weight(&hir).max(1))
}

/// A compiled pattern, its lazy DFA (with caches to reuse) and its weight.
#[derive(Debug)]
pub struct BoundedPattern {
    regex: Regex,
    fast: DFA,
    caches: Mutex<Vec<Cache>>,
    weight: u64,
}

impl BoundedPattern {
    /// Compile `pattern`, its compiled program held to `size_limit` bytes.
    pub fn new(pattern: &str, size_limit: usize) -> Result<BoundedPattern, String> {
        let regex = RegexBuilder::new(pattern).size_limit(size_limit).build().map_err(|e| e.to_string())?;
        let weight = regex_syntax::parse(pattern).map(|hir| weight(&hir).max(1)).map_err(|e| e.to_string())?;
        // Gives up, rather than slowing down, once its cache keeps filling.
        // A Unicode word boundary it answers for ASCII text and quits on other text.
        let fast = DFA::builder()
            .configure(
                DFA::config()
                    .minimum_cache_clear_count(Some(3))
                    .minimum_bytes_per_state(Some(10))
                    .unicode_word_boundary(true),
            )
            .thompson(thompson::Config::new().nfa_size_limit(Some(size_limit)))
            .build(pattern)
            .map_err(|e| e.to_string())?;
        Ok(BoundedPattern { regex, fast, caches: Mutex::default(), weight })
    }

    /// How much one byte of text costs against this pattern.
    pub fn weight(&self) -> u64 {
        self.weight
    }

    /// Whether `text` matches; an error, saying why, if it is too long to
    /// match against this pattern within [`MAX_WORK`], or within what is
    /// left of the running check's allowance.
    pub fn is_match(&self, text: &str) -> Result<bool, String> {
        let kept = self.caches.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut cache = kept.unwrap_or_else(|| self.fast.create_cache());
        let searched = self.fast.try_search_fwd(&mut cache, &Input::new(text).earliest(true));
        if searched.is_err() {
            // A cache that gave up would give up at once next time.
            cache.reset(&self.fast);
        }
        let mut caches = self.caches.lock().unwrap_or_else(|e| e.into_inner());
        if caches.len() < KEPT_CACHES {
            caches.push(cache);
        }
        drop(caches);
        let matched = match searched {
            Ok(found) => Ok(found.is_some()),
            // The DFA gave up, or met what it cannot decide (a Unicode word
            // boundary next to a non-ASCII character): the slow way, weighed first.
            Err(_) => self.weighed_match(text),
        };
        if matched.is_err() {
            REFUSED.with(|refused| refused.set(true));
        }
        matched
    }

    fn weighed_match(&self, text: &str) -> Result<bool, String> {
        let work = (text.len() as u64).saturating_mul(self.weight);
        if work > MAX_WORK {
            return Err(format!(
                "a text of {} bytes is too long to match against this pattern (weight {}: at most {} bytes)",
                text.len(),
                self.weight,
                MAX_WORK / self.weight
            ));
        }
        let left = WORK_LEFT.with(Cell::get);
        if let Some(left) = left {
            if work > left {
                return Err(format!(
                    "matching is over its allowance here: {} more bytes against a pattern of weight {} \
                     would pass {MAX_WORK} bytes × weight for this check",
                    text.len(),
                    self.weight
                ));
            }
            WORK_LEFT.with(|cell| cell.set(Some(left - work)));
        }
        Ok(self.regex.is_match(text))
    }
}

/// The pattern's size with counted repetitions written out (`x{3}` weighs
/// three `x`), a class or an assertion weighing one, a literal its bytes.
fn weight(hir: &Hir) -> u64 {
    match hir.kind() {
        HirKind::Empty => 0,
        HirKind::Literal(literal) => literal.0.len() as u64,
        HirKind::Class(_) | HirKind::Look(_) => 1,
        HirKind::Repetition(repetition) => {
            let copies = u64::from(repetition.max.unwrap_or(repetition.min).max(repetition.min).max(1));
            weight(&repetition.sub).saturating_mul(copies)
        }
        HirKind::Capture(capture) => weight(&capture.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().fold(0u64, |sum, part| sum.saturating_add(weight(part)))
        }
    }
}

/// Text of random `a`s and `b`s (the same for the same `len`): against a
/// pattern such as `[ab]*a[ab]{1000}[^ab]` its DFA meets a new state at
/// almost every byte and gives up. For tests and the worst-case benchmark.
#[doc(hidden)]
pub fn random_ab(len: usize) -> String {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            if state & 1 == 0 { 'a' } else { 'b' }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_weighs_its_size_with_counted_repetitions_written_out() {
        let weigh = |pattern: &str| BoundedPattern::new(pattern, 1 << 20).unwrap().weight();
        assert_eq!(weigh("abc"), 3);
        assert_eq!(weigh("[ab]*a[ab]{1000}[^ab]"), 1003);
        assert_eq!(weigh("[a-z0-9-]{1,63}"), 63);
        assert_eq!(weigh(r"\w+@\w+"), 3, "a Unicode class is one position");
        assert_eq!(weigh("(ab|c){2}"), 6);
        assert_eq!(weigh("x{2}{3}"), 6);
    }

    #[test]
    fn a_text_too_long_for_its_pattern_is_refused_before_matching_and_the_rest_is_matched() {
        let heavy = BoundedPattern::new("[ab]*a[ab]{1000}[^ab]", 1 << 20).unwrap();
        let most = (MAX_WORK / 1003) as usize;
        assert_eq!(heavy.weighed_match(&"ab".repeat(most / 2)), Ok(false));
        let refused = heavy.weighed_match(&"a".repeat(most + 1)).unwrap_err();
        assert!(refused.contains("too long to match against this pattern (weight 1003"), "{refused}");
    }

    #[test]
    fn the_dfa_decides_what_it_can_at_any_length_and_gives_up_on_the_rest() {
        let heavy = BoundedPattern::new("[ab]*a[ab]{1000}[^ab]", 1 << 20).unwrap();
        assert_eq!(heavy.is_match(&"ab".repeat(1 << 20)), Ok(false), "2 MB its DFA decides");
        assert_eq!(heavy.is_match(&format!("{}a{}c", "ab".repeat(1 << 19), "b".repeat(1000))), Ok(true));
        let refused = heavy.is_match(&random_ab(200_000)).unwrap_err();
        assert!(refused.contains("too long to match against this pattern"), "{refused}");
        let light = BoundedPattern::new("^(a+)+$", 1 << 20).unwrap();
        assert_eq!(light.is_match(&format!("{}!", "a".repeat(1 << 20))), Ok(false));
    }

    #[test]
    fn an_allowance_carries_over_from_one_check_to_the_next_of_the_same_whole() {
        let heavy = BoundedPattern::new("[ab]*a[ab]{1000}[^ab]", 1 << 20).unwrap();
        let (matched, left) = with_allowance_left(1_000_000, || heavy.weighed_match("abab"));
        assert_eq!((matched, left), (Ok(false), 1_000_000 - 4 * 1003));
        let (refused, left) = with_allowance_left(left, || heavy.weighed_match(&"ab".repeat(500)));
        assert!(refused.unwrap_err().contains("over its allowance"));
        assert_eq!(left, 1_000_000 - 4 * 1003, "a refused match takes nothing");
    }

    #[test]
    fn word_boundaries_are_answered_for_any_text() {
        let word = BoundedPattern::new(r"\bprod\b", 1 << 20).unwrap();
        assert_eq!(word.is_match("deploy to prod now"), Ok(true));
        assert_eq!(word.is_match("production"), Ok(false));
        assert_eq!(word.is_match("déploie prod"), Ok(true), "non-ASCII text: the slow way decides");
    }

    #[test]
    fn a_refusal_marks_the_check_so_it_cannot_pass_for_no_match() {
        let heavy = BoundedPattern::new("[ab]*a[ab]{1000}[^ab]", 1 << 20).unwrap();
        let (refused, marked) = with_allowance(|| (heavy.is_match(&random_ab(200_000)).is_err(), refused_in_check()));
        assert!(refused && marked);
        assert!(
            !with_allowance(|| {
                let _ = heavy.is_match("ab");
                refused_in_check()
            }),
            "a new check starts unmarked"
        );
    }

    #[test]
    fn work_charged_up_front_comes_out_of_the_same_allowance() {
        let heavy = BoundedPattern::new("[ab]*a[ab]{1000}[^ab]", 1 << 20).unwrap();
        let (outcomes, left) = with_allowance_left(1_000_000, || {
            let charged = charge(600_000);
            (charged, charge(600_000), heavy.weighed_match(&"ab".repeat(250)), refused_in_check())
        });
        assert_eq!(outcomes.0, Ok(()));
        assert!(outcomes.1.unwrap_err().contains("over the allowance"));
        assert!(outcomes.2.unwrap_err().contains("over its allowance"), "what was charged is gone");
        assert!(outcomes.3, "a refused charge marks the check");
        assert_eq!(left, 400_000);
        assert!(charge(MAX_WORK + 1).is_err() && charge(MAX_WORK).is_ok(), "outside a check: MAX_WORK alone");
        assert_eq!(weight_of("[ab]*a[ab]{1000}[^ab]"), Some(1003));
        assert_eq!(weight_of("(unclosed"), None);
    }

    #[test]
    fn the_slow_matches_of_one_check_share_one_allowance() {
        let heavy = BoundedPattern::new("[ab]*a[ab]{1000}[^ab]", 1 << 20).unwrap();
        // A quarter of the allowance per match (two bytes per repetition).
        let text = "ab".repeat((MAX_WORK / 1003 / 4 / 2) as usize);
        let outcomes: Vec<_> = with_allowance(|| (0..5).map(|_| heavy.weighed_match(&text)).collect());
        assert!(outcomes[..4].iter().all(|o| *o == Ok(false)), "{outcomes:?}");
        assert!(outcomes[4].as_ref().unwrap_err().contains("over its allowance"), "{outcomes:?}");
        // Each check has its own allowance; outside one, each match is bounded alone.
        assert_eq!(with_allowance(|| heavy.weighed_match(&text)), Ok(false));
        assert!((0..5).all(|_| heavy.weighed_match(&text) == Ok(false)));
    }
}
