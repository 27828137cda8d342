//! Hosts in bulk: CSV (columns `id`, `hostname`, `ip`; every other column is
//! a label, an empty cell meaning the host lacks it) or JSON (an array of
//! hosts). Parsing reports every bad row with its line, so an import is
//! all-or-nothing and the person fixing the file sees everything at once.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::value::RawValue;

use super::Host;

/// A row that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportError {
    /// 1-based line of the file where the row starts (0: the file as a whole).
    pub line: u64,
    pub message: String,
}

/// The most hosts one import takes.
pub const MAX_IMPORT: usize = 20_000;

fn checked(hosts: Vec<(u64, Host)>, mut errors: Vec<ImportError>) -> Result<Vec<Host>, Vec<ImportError>> {
    let mut seen = BTreeMap::new();
    for (line, host) in &hosts {
        for message in host.problems() {
            errors.push(ImportError { line: *line, message });
        }
        if let Some(first) = seen.insert(host.id.clone(), *line) {
            errors.push(ImportError { line: *line, message: format!("id `{}` is on line {first} too", host.id) });
        }
    }
    if hosts.len() > MAX_IMPORT {
        errors
            .push(ImportError { line: 0, message: format!("{} hosts: at most {MAX_IMPORT} per import", hosts.len()) });
    }
    if errors.is_empty() {
        Ok(hosts.into_iter().map(|(_, host)| host).collect())
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

pub fn parse_csv(text: &str) -> Result<Vec<Host>, Vec<ImportError>> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => return Err(vec![ImportError { line: 1, message: format!("the header row is unreadable: {e}") }]),
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id), Some(hostname), Some(ip)) = (column("id"), column("hostname"), column("ip")) else {
        let message = format!(
            "the header row must name `id`, `hostname` and `ip` (it has: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        );
        return Err(vec![ImportError { line: 1, message }]);
    };
    let label_columns: Vec<(usize, &str)> =
        headers.iter().enumerate().filter(|(i, _)| ![id, hostname, ip].contains(i)).collect();
    let mut hosts = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(ImportError { line, message: format!("unreadable row: {e}") });
            }
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                let cell = |i: usize| record.get(i).unwrap_or_default().to_string();
                let labels = label_columns
                    .iter()
                    .filter_map(|(i, key)| {
                        record.get(*i).filter(|v| !v.is_empty()).map(|v| (key.to_string(), v.to_string()))
                    })
                    .collect();
                hosts.push((
                    line,
                    Host { id: cell(id), hostname: cell(hostname), ip: cell(ip), labels, agent: None, last_seen: None },
                ));
            }
        }
    }
    checked(hosts, errors)
}

pub fn parse_json(text: &str) -> Result<Vec<Host>, Vec<ImportError>> {
    let items: Vec<&RawValue> = serde_json::from_str(text)
        .map_err(|e| vec![ImportError { line: e.line() as u64, message: format!("not a JSON array of hosts: {e}") }])?;
    let line_of = |item: &RawValue| {
        let offset = item.get().as_ptr() as usize - text.as_ptr() as usize;
        1 + text[..offset].bytes().filter(|b| *b == b'\n').count() as u64
    };
    let mut hosts = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        match serde_json::from_str::<Host>(item.get()) {
            Ok(host) => hosts.push((line_of(item), host)),
            Err(e) => errors.push(ImportError { line: line_of(item), message: format!("not a host: {e}") }),
        }
    }
    checked(hosts, errors)
}

/// Hosts as CSV: `id,hostname,ip` and a column per label key any host has.
pub fn export_csv(hosts: &[Host]) -> anyhow::Result<String> {
    let keys: BTreeSet<&str> = hosts.iter().flat_map(|h| h.labels.keys().map(String::as_str)).collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["id", "hostname", "ip"].into_iter().chain(keys.iter().copied()))?;
    for host in hosts {
        let labels = keys.iter().map(|k| host.labels.get(*k).map(String::as_str).unwrap_or(""));
        writer.write_record([host.id.as_str(), &host.hostname, &host.ip].into_iter().chain(labels))?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_columns_beyond_the_three_are_labels_and_round_trip() {
        let text = "id,hostname,ip,zone,role\nh1,game-1,10.0.0.1,eu-1,game\nh2,db-1,10.0.0.2,eu-1,\n";
        let hosts = parse_csv(text).unwrap();
        assert_eq!(hosts[0].labels.get("role").map(String::as_str), Some("game"));
        assert!(!hosts[1].labels.contains_key("role"), "an empty cell is no label");
        assert_eq!(parse_csv(&export_csv(&hosts).unwrap()).unwrap(), hosts);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let text = "id,hostname,ip\nh1,game-1,10.0.0.1\nh2,game 2,10.0.0.2\nh1,game-3,not-an-ip\n";
        let errors = parse_csv(text).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 4], "{errors:?}");
        assert!(errors.iter().any(|e| e.message.contains("on line 2 too")), "{errors:?}");
        let missing = parse_csv("name,ip\nx,1.2.3.4\n").unwrap_err();
        assert_eq!(missing[0].line, 1);
    }

    #[test]
    fn json_rows_are_reported_by_the_line_they_start_on() {
        let text = "[\n {\"id\": \"h1\", \"hostname\": \"a\", \"ip\": \"10.0.0.1\"},\n {\"id\": \"h2\", \"hostname\": \"b\"},\n {\"id\": \"h3\", \"hostname\": \"c\", \"ip\": \"::1\", \"labels\": {\"zone\": \"x y\"}}\n]";
        let errors = parse_json(text).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4], "{errors:?}");
        assert!(parse_json("{").unwrap_err()[0].message.contains("not a JSON array"));
    }
}
