//! Instant queries against a Prometheus-compatible HTTP API
//! (`POST /api/v1/query`), through the `http` atom: the answer's series with
//! their values, and errors sorted into "the query is wrong" (fatal) and "the
//! server is not answering now" (retryable).

use std::collections::BTreeMap;

use scena_plugin::prelude::*;

/// One series of an instant query's answer.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Sample {
    pub labels: BTreeMap<String, String>,
    /// `NaN` (no data behind a ratio, e.g. 0/0) is left out of the answer.
    pub value: f64,
}

/// Ask `base` (`http://prometheus:9090`) for `query` at the current instant.
pub fn query(base: &str, query: &str, timeout_ms: u32) -> Result<Vec<Sample>, StepError> {
    let url = format!("{}/api/v1/query", base.trim_end_matches('/'));
    let form = form_urlencoded::Serializer::new(String::new()).append_pair("query", query).finish();
    let response = http::Request::post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(form.into_bytes())
        .timeout_ms(timeout_ms)
        .send()?;
    let answer: Value = serde_json::from_slice(&response.body).map_err(|_| {
        let message = format!("{url} answered {} with a body that is not JSON", response.status);
        if response.status >= 500 { StepError::Retryable(message) } else { StepError::Fatal(message) }
    })?;
    if answer["status"] != "success" {
        let why = answer["error"].as_str().unwrap_or("no reason given");
        let message = format!("Prometheus refused `{query}` ({}): {why}", response.status);
        // 400 and 422 are the query's fault (bad_data, execution); the rest may pass.
        return Err(if matches!(response.status, 400 | 422) {
            StepError::Fatal(message)
        } else {
            StepError::Retryable(message)
        });
    }
    samples(&answer["data"]).map_err(|why| StepError::Fatal(format!("`{query}`: {why}")))
}

/// The series of a `data` object: a vector's, or a scalar as one unlabelled series.
fn samples(data: &Value) -> Result<Vec<Sample>, String> {
    match data["resultType"].as_str() {
        Some("vector") => {
            let series = data["result"].as_array().ok_or("the answer has no result list")?;
            let mut found = Vec::new();
            for one in series {
                let labels = one["metric"]
                    .as_object()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
                    .unwrap_or_default();
                if let Some(value) = number(&one["value"])? {
                    found.push(Sample { labels, value });
                }
            }
            Ok(found)
        }
        Some("scalar") => {
            Ok(number(&data["result"])?.map(|value| Sample { labels: BTreeMap::new(), value }).into_iter().collect())
        }
        Some(other) => Err(format!("the query answers a {other}; a gate needs an instant vector or a scalar")),
        None => Err("the answer has no resultType".into()),
    }
}

/// A `[timestamp, "value"]` pair's value; `None` for NaN.
fn number(pair: &Value) -> Result<Option<f64>, String> {
    let text = pair[1].as_str().ok_or("a sample without a value")?;
    let value: f64 = text.parse().map_err(|_| format!("a sample whose value `{text}` is not a number"))?;
    Ok((!value.is_nan()).then_some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_scalars_and_nan() {
        let data = json!({"resultType": "vector", "result": [
            {"metric": {"host": "a"}, "value": [1.0, "0.98"]},
            {"metric": {"host": "b"}, "value": [1.0, "NaN"]}]});
        let found = samples(&data).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].labels["host"].as_str(), found[0].value), ("a", 0.98));
        let scalar = samples(&json!({"resultType": "scalar", "result": [1.0, "+Inf"]})).unwrap();
        assert_eq!(scalar[0].value, f64::INFINITY);
        assert!(samples(&json!({"resultType": "matrix", "result": []})).unwrap_err().contains("matrix"));
    }
}
