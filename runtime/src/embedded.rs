//! What the `scena` binary carries inside: the standard plugins and the
//! sample flows (see `build.rs`), so `scena serve` needs no other file.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
