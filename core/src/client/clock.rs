//! Clock-skew correction: PoP tokens carry `iat`, and a gateway refuses tokens from a clock
//! that is more than its leeway off, so the client follows the server's `Date` header.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::UNIX_EPOCH;

use super::http::Response;

/// Differences up to this many seconds are noise (the `Date` header has 1 s resolution and
/// the answer took time to arrive); beyond it the offset is applied.
pub const SKEW_THRESHOLD_SECS: i64 = 5;

/// The offset (server minus local clock, seconds) applied to every PoP token's `iat`.
#[derive(Debug, Default)]
pub(crate) struct ClockSkew {
    enabled: bool,
    offset: AtomicI64,
}

impl ClockSkew {
    pub(crate) fn new(enabled: bool) -> Self {
        ClockSkew { enabled, offset: AtomicI64::new(0) }
    }

    /// The offset in force.
    pub(crate) fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    /// The `iat` to sign now: the local clock plus the offset.
    pub(crate) fn now(&self) -> i64 {
        crate::now_unix().saturating_add(self.offset()).max(0)
    }

    /// Learns the offset from a response's `Date`; returns whether the offset changed.
    pub(crate) fn observe(&self, response: &Response) -> bool {
        if !self.enabled {
            return false;
        }
        let Some(server) = response.date().and_then(|date| date.duration_since(UNIX_EPOCH).ok()) else {
            return false;
        };
        let raw = i64::try_from(server.as_secs()).unwrap_or(i64::MAX).saturating_sub(crate::now_unix());
        let offset = if raw.abs() > SKEW_THRESHOLD_SECS { raw } else { 0 };
        self.offset.swap(offset, Ordering::Relaxed) != offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dated(offset: i64) -> Response {
        let now = std::time::SystemTime::now();
        let shift = std::time::Duration::from_secs(offset.unsigned_abs());
        let when = if offset < 0 { now - shift } else { now + shift };
        Response { status: 200, headers: vec![("date".into(), httpdate::fmt_http_date(when))], body: vec![] }
    }

    #[test]
    fn small_differences_are_ignored_large_ones_applied() {
        let clock = ClockSkew::new(true);
        assert!(!clock.observe(&dated(2)));
        assert_eq!(clock.offset(), 0);
        assert!(clock.observe(&dated(-300)));
        assert!((-301..=-299).contains(&clock.offset()), "{}", clock.offset());
        assert!(clock.observe(&dated(0)), "back in sync resets the offset");
        assert_eq!(clock.offset(), 0);
    }

    #[test]
    fn disabled_or_undated_answers_change_nothing() {
        assert!(!ClockSkew::new(false).observe(&dated(600)));
        let clock = ClockSkew::new(true);
        assert!(!clock.observe(&Response { status: 200, headers: vec![], body: vec![] }));
    }
}
