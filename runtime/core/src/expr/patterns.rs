//! CEL's `matches`, with each pattern compiled once. CEL's own compiles the
//! pattern on every call: inside a loop over a long list, with a pattern taken
//! from the inputs, that is one compile per item — work the loop bound cannot
//! see. Here a pattern is compiled once and kept; one evaluation may compile
//! at most [`MAX_COMPILES`] patterns it has not seen (a loop that makes a new
//! pattern each time is refused); a compiled pattern is held to
//! [`MAX_COMPILED_BYTES`]; and a match's work is bounded before it starts
//! (`crate::pattern`: text length × the pattern's weight).

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::pattern::BoundedPattern;
use cel::common::types::{CelBool, CelString};
use cel::{DeclarationError, Env, ExecutionError};

/// How large a compiled pattern may be (the `regex` crate's default is 10 MiB).
pub const MAX_COMPILED_BYTES: usize = 256 << 10;
/// Patterns one evaluation may compile (those already kept are free).
pub const MAX_COMPILES: u32 = 32;
/// Patterns kept compiled; the cache starts over when it is full.
const KEPT: usize = 64;

type Compiled = Arc<Result<BoundedPattern, String>>;

thread_local! {
    /// Compiles left to the evaluation running on this thread (CEL evaluates
    /// on the caller's thread, start to end).
    static COMPILES_LEFT: Cell<u32> = const { Cell::new(MAX_COMPILES) };
}

/// Register `matches` as a function and as a method of strings.
pub fn register(env: &mut Env) -> Result<(), DeclarationError> {
    cel::add_overload!(env, fn matches: (CelString, CelString) -> Result<CelBool>, id = "matches")?;
    cel::add_member_overload!(env, fn matches: (CelString, CelString) -> Result<CelBool>)?;
    Ok(())
}

/// Run one evaluation with a fresh allowance of [`MAX_COMPILES`], and with
/// `matching` of matching work (`crate::pattern`): what it left is returned.
pub fn evaluating<T>(matching: u64, evaluate: impl FnOnce() -> T) -> (T, u64) {
    COMPILES_LEFT.with(|left| left.set(MAX_COMPILES));
    crate::pattern::with_allowance_left(matching, evaluate)
}

fn matches(text: &CelString<'_>, pattern: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    match compiled(pattern.inner())?.as_ref() {
        Ok(regex) => match regex.is_match(text.inner()) {
            Ok(matched) => Ok(CelBool::from(matched)),
            Err(reason) => Err(ExecutionError::function_error("matches", reason)),
        },
        Err(reason) => Err(ExecutionError::function_error("matches", reason)),
    }
}

fn cache() -> &'static Mutex<HashMap<String, Compiled>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Compiled>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

fn compiled(pattern: &str) -> Result<Compiled, ExecutionError> {
    if let Some(found) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(pattern) {
        return Ok(found.clone());
    }
    let left = COMPILES_LEFT.with(|left| left.replace(left.get().saturating_sub(1)));
    if left == 0 {
        return Err(ExecutionError::function_error(
            "matches",
            format!("one evaluation may compile at most {MAX_COMPILES} different patterns"),
        ));
    }
    // Compiled outside the lock: other evaluations need not wait for it.
    let made: Compiled = Arc::new(BoundedPattern::new(pattern, MAX_COMPILED_BYTES).map_err(|e| {
        let shown: String = pattern.chars().take(80).collect();
        let cut = if shown.len() < pattern.len() { "…" } else { "" };
        format!("'{shown}{cut}' is not a usable pattern: {e}")
    }));
    let mut kept = cache().lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() >= KEPT {
        kept.clear();
    }
    kept.insert(pattern.to_string(), made.clone());
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_is_compiled_once_and_reused() {
        let first = evaluating(crate::pattern::MAX_WORK, || compiled("^db-[0-9]+$")).0.unwrap();
        let second = evaluating(crate::pattern::MAX_WORK, || compiled("^db-[0-9]+$")).0.unwrap();
        assert!(Arc::ptr_eq(&first, &second), "the second call compiled again");
        assert_eq!(first.as_ref().as_ref().unwrap().is_match("db-12"), Ok(true));
    }

    #[test]
    fn patterns_too_large_to_compile_cheaply_are_refused_with_a_reason() {
        // About 700 KiB compiled: over this module's limit, under the crate's default.
        let refused = evaluating(crate::pattern::MAX_WORK, || compiled("[a-z]{10000}")).0.unwrap();
        let reason = refused.as_ref().as_ref().unwrap_err();
        assert!(reason.contains("'[a-z]{10000}' is not a usable pattern") && reason.contains("size limit"), "{reason}");
        assert!(regex::RegexBuilder::new("[a-z]{10000}").build().is_ok(), "the crate's default limit would take it");
        let invalid = evaluating(crate::pattern::MAX_WORK, || compiled("(unclosed")).0.unwrap();
        assert!(invalid.as_ref().as_ref().unwrap_err().contains("'(unclosed' is not a usable pattern"));
    }

    #[test]
    fn one_evaluation_compiles_a_bounded_number_of_new_patterns() {
        // Compiling one more than allowed, in one evaluation.
        let refused = evaluating(crate::pattern::MAX_WORK, || {
            let compiles: Vec<_> = (0..=MAX_COMPILES).map(|i| compiled(&format!("^bounded-{i}$"))).collect();
            compiles.into_iter().next_back().unwrap()
        })
        .0;
        let reason = refused.unwrap_err().to_string();
        assert!(reason.contains("at most 32 different patterns"), "{reason}");
        // A new evaluation starts with a fresh allowance; patterns kept are free.
        assert!(evaluating(crate::pattern::MAX_WORK, || compiled("^bounded-0$")).0.is_ok());
        assert!(evaluating(crate::pattern::MAX_WORK, || compiled("^bounded-fresh$")).0.is_ok());
    }
}
