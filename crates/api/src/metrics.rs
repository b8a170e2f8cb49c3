//! A tiny Prometheus registry: request counters and process uptime.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

fn process_start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// Request counters by method, matched path and status.
#[derive(Debug)]
pub(crate) struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
}

impl Metrics {
    pub fn new() -> Metrics {
        process_start();
        Metrics {
            requests: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn record(&self, method: &str, path: &str, status: u16) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((method.to_string(), path.to_string(), status))
                .or_insert(0) += 1;
        }
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP flowdesk_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE flowdesk_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((method, path, status), count) in requests.iter() {
                let _ = writeln!(
                    out,
                    "flowdesk_http_requests_total{{method=\"{}\",path=\"{}\",status=\"{status}\"}} {count}",
                    escape(method),
                    escape(path)
                );
            }
        }
        out.push_str("# HELP flowdesk_process_uptime_seconds Seconds since the process started.\n");
        out.push_str("# TYPE flowdesk_process_uptime_seconds gauge\n");
        let _ = writeln!(
            out,
            "flowdesk_process_uptime_seconds {:.3}",
            process_start().elapsed().as_secs_f64()
        );
        out
    }
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_uptime() {
        let metrics = Metrics::new();
        metrics.record("GET", "/health/live", 200);
        metrics.record("GET", "/health/live", 200);
        let text = metrics.render();
        assert!(text.contains(
            "flowdesk_http_requests_total{method=\"GET\",path=\"/health/live\",status=\"200\"} 2"
        ));
        assert!(text.contains("# TYPE flowdesk_process_uptime_seconds gauge"));
    }
}
