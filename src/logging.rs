//! hclog-compatible JSON logging on stderr.
//!
//! go-plugin parses every stderr line of a plugin as JSON with `@level`,
//! `@message` and `@timestamp` keys and forwards it to Terraform's provider
//! logger, which is filtered by `TF_LOG_PROVIDER` (falling back to `TF_LOG`).
//! stdout is reserved for the single handshake line, so nothing here ever
//! touches it.

use std::io::Write;

use log::{Level, LevelFilter, Log, Metadata, Record};

/// Crate prefix whose records are logged at the configured level. Records of
/// dependencies are only passed on at warning level or above: their debug
/// output is noise to a Terraform user and could echo statement text.
const OWN_TARGET: &str = "pgwarden";

struct HclogLogger {
    level: LevelFilter,
}

/// Reads the level Terraform users already set for provider logs.
fn level_from_env() -> LevelFilter {
    let raw = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var("TF_LOG").ok().filter(|v| !v.is_empty()));
    match raw.map(|v| v.to_ascii_uppercase()).as_deref() {
        Some("TRACE") | Some("JSON") => LevelFilter::Trace,
        Some("DEBUG") => LevelFilter::Debug,
        Some("INFO") => LevelFilter::Info,
        Some("WARN") => LevelFilter::Warn,
        Some("ERROR") => LevelFilter::Error,
        // Terraform's own default is "off" for provider logs; warnings still
        // go out so that a misbehaving provider leaves a trace when enabled.
        _ => LevelFilter::Warn,
    }
}

/// Installs the logger once for the process. Safe to call more than once.
pub fn init() {
    let level = level_from_env();
    let logger = Box::new(HclogLogger { level });
    if log::set_boxed_logger(logger).is_ok() {
        log::set_max_level(level);
    }
}

fn hclog_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warn => "warn",
        Level::Info => "info",
        Level::Debug => "debug",
        Level::Trace => "trace",
    }
}

/// Formats `@timestamp` exactly as hclog does (`2006-01-02T15:04:05.000000Z07:00`);
/// go-plugin treats a line whose timestamp does not parse as plain text.
fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    now.format(&format).unwrap_or_default()
}

/// Renders one log record as an hclog JSON line.
pub fn render(level: Level, module: &str, message: &str) -> String {
    let line = serde_json::json!({
        "@level": hclog_level(level),
        "@message": message,
        "@module": format!("provider.{module}"),
        "@timestamp": timestamp(),
    });
    line.to_string()
}

impl Log for HclogLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        if metadata.target().starts_with(OWN_TARGET) {
            metadata.level() <= self.level
        } else {
            metadata.level() <= Level::Warn && metadata.level() <= self.level
        }
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let module = record.target().split("::").nth(1).unwrap_or("postgresql");
        let line = render(record.level(), module, &record.args().to_string());
        let mut err = std::io::stderr().lock();
        // A failed write to stderr has nowhere better to be reported.
        let _ = writeln!(err, "{line}");
    }

    fn flush(&self) {
        let _ = std::io::stderr().flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_hclog_keys() {
        let line = render(Level::Debug, "pg", "hello");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["@level"], "debug");
        assert_eq!(v["@message"], "hello");
        let ts = v["@timestamp"].as_str().unwrap();
        // 2026-11-22T16:05:59.123456Z
        assert_eq!(ts.len(), 27, "{ts}");
        assert!(ts.ends_with('Z'));
    }
}
