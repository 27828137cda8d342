//! A run's events written as rows of `run_events`, up to [`ROWS_PER_STATEMENT`]
//! in one statement. A run saves the events of every completion that came in
//! while its last write committed — a chain of quick steps, a dozen or more —
//! and on PostgreSQL each statement is a round trip to another process on the
//! writer's one connection: one statement per event made that connection the
//! pace of a whole node.

use std::sync::OnceLock;

use super::leases::{Fence, LeaseLost, check_fence};
use super::writer::{Param, Tx};

/// The most events one statement inserts (3 parameters per row on top of
/// the shared ones: far within both databases' limits).
const ROWS_PER_STATEMENT: usize = 32;

/// Append `events` to the log of `run_id` with sequence numbers from
/// `first_seq`; with a `fence`, only while it still holds the run's lease —
/// checked in the same statement as the first rows ([`LeaseLost`] if not).
pub(super) fn insert_events(
    tx: &mut dyn Tx,
    run_id: &str,
    first_seq: u64,
    events: &[String],
    fence: &Fence,
) -> anyhow::Result<()> {
    let mut chunks = events.chunks(ROWS_PER_STATEMENT);
    let mut seq = first_seq;
    if let Some((node, number)) = fence {
        match chunks.next() {
            Some(first) => {
                insert_fenced(tx, run_id, seq, first, (node, *number))?;
                seq += first.len() as u64;
            }
            None => check_fence(tx, run_id, fence)?,
        }
    }
    for chunk in chunks {
        let params = rows_params(run_id, seq, chunk, &[]);
        tx.execute(plain_sql(chunk.len()), &params)?;
        seq += chunk.len() as u64;
    }
    Ok(())
}

/// Insert `events` only if `held` (node, fence number) still holds the run's
/// lease: the fence's check and the insert in one statement (PostgreSQL's;
/// only a cluster fences, and clusters run on it alone).
fn insert_fenced(tx: &mut dyn Tx, run_id: &str, seq: u64, events: &[String], held: (&str, i64)) -> anyhow::Result<()> {
    let (node, number) = held;
    let params = rows_params(run_id, seq, events, &[node.into(), number.into()]);
    let inserted = tx.execute(fenced_sql(events.len()), &params)?;
    if inserted == 0 {
        return Err(LeaseLost(run_id.to_string()).into());
    }
    Ok(())
}

/// `$1` the run, then `shared` (`$2`, …), then each row's sequence number and event.
fn rows_params<'a>(run_id: &'a str, first_seq: u64, events: &'a [String], shared: &[Param<'a>]) -> Vec<Param<'a>> {
    let mut params = Vec::with_capacity(1 + shared.len() + 2 * events.len());
    params.push(run_id.into());
    params.extend_from_slice(shared);
    for (offset, event) in events.iter().enumerate() {
        params.push(i64::try_from(first_seq + offset as u64).unwrap_or(i64::MAX).into());
        params.push(event.into());
    }
    params
}

/// `($first, $first+1), …` for `rows` rows of (seq, event).
fn values(rows: usize, first: usize, run: Option<&str>) -> String {
    (0..rows)
        .map(|row| {
            let (seq, event) = (first + 2 * row, first + 2 * row + 1);
            match run {
                Some(run) => format!("({run}, ${seq}, ${event})"),
                None => format!("(${seq}, ${event})"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statement for `rows` events (`$1` the run): both databases'.
fn plain_sql(rows: usize) -> &'static str {
    static SQL: OnceLock<Vec<String>> = OnceLock::new();
    let all = SQL.get_or_init(|| {
        (1..=ROWS_PER_STATEMENT)
            .map(|rows| format!("INSERT INTO run_events (run_id, seq, event) VALUES {}", values(rows, 2, Some("$1"))))
            .collect()
    });
    &all[rows - 1]
}

/// The fenced statement for `rows` events (`$1` the run, `$2` the node, `$3`
/// its fence number): nothing is inserted unless the lease row names them,
/// and that row stays locked until the commit (see `leases.rs`).
fn fenced_sql(rows: usize) -> &'static str {
    static SQL: OnceLock<Vec<String>> = OnceLock::new();
    let all = SQL.get_or_init(|| {
        (1..=ROWS_PER_STATEMENT)
            .map(|rows| {
                format!(
                    "WITH held AS (UPDATE run_leases SET fence = fence WHERE run_id = $1 AND node = $2 AND fence = $3 RETURNING run_id)
                     INSERT INTO run_events (run_id, seq, event)
                     SELECT held.run_id, v.seq, v.event FROM held CROSS JOIN (VALUES {}) AS v (seq, event)",
                    values(rows, 4, None)
                )
            })
            .collect()
    });
    &all[rows - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_has_its_own_parameters_after_the_shared_ones() {
        assert_eq!(plain_sql(1), "INSERT INTO run_events (run_id, seq, event) VALUES ($1, $2, $3)");
        assert!(plain_sql(3).ends_with("VALUES ($1, $2, $3), ($1, $4, $5), ($1, $6, $7)"), "{}", plain_sql(3));
        assert!(fenced_sql(2).contains("(VALUES ($4, $5), ($6, $7))"), "{}", fenced_sql(2));
        let events = ["a".to_string(), "b".to_string()];
        let params = rows_params("r", 7, &events, &["n".into(), 3i64.into()]);
        let shown: Vec<String> = params.iter().map(|p| format!("{p:?}")).collect();
        assert_eq!(
            shown,
            [
                r#"Text(Some("r"))"#,
                r#"Text(Some("n"))"#,
                "Int(Some(3))",
                "Int(Some(7))",
                r#"Text(Some("a"))"#,
                "Int(Some(8))",
                r#"Text(Some("b"))"#
            ]
        );
    }
}
