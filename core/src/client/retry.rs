//! When to retry and how long to wait: exponential backoff with jitter, `Retry-After` honoured.

use std::time::{Duration, SystemTime};

use super::config::RetryPolicy;
use super::http::Response;

/// Statuses that say "try again later" rather than "this request is wrong".
pub(crate) fn is_retryable_status(status: u16, idempotent: bool) -> bool {
    match status {
        429 | 502 | 503 | 504 => true,
        // A plain 500 may have done the work before failing; repeat only what is safe to repeat.
        500 => idempotent,
        _ => false,
    }
}

/// Methods whose repetition has no further effect (RFC 9110 section 9.2.2): the only ones
/// the client sends again after a failure it cannot tell was before or after the server acted.
pub fn is_idempotent(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE")
}

/// The wait before retry number `retry` (0-based), or `None` when the server asks for longer
/// than the policy allows (retrying sooner would be refused again).
pub(crate) fn delay(policy: &RetryPolicy, retry: u32, response: Option<&Response>) -> Option<Duration> {
    if let Some(asked) = response.and_then(retry_after) {
        return (asked <= policy.max_delay).then_some(asked);
    }
    let exponential = policy.base_delay.saturating_mul(1u32 << retry.min(16));
    let capped = exponential.min(policy.max_delay);
    // "Equal jitter": at least half the delay, so retries never bunch up at zero.
    Some(capped / 2 + capped.mul_f64(random_unit() / 2.0))
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 section 10.2.3).
pub(crate) fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.header("retry-after")?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    if !crate::crypto::fill_random(&mut bytes) {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_retry_after(value: &str) -> Response {
        Response { status: 429, headers: vec![("retry-after".into(), value.into())], body: Vec::new() }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(retry_after(&with_retry_after("3")), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(&with_retry_after("Wed, 21 Oct 2015 07:28:00 GMT")), Some(Duration::ZERO));
        assert_eq!(retry_after(&with_retry_after("soon")), None);
    }

    #[test]
    fn backoff_doubles_within_bounds_and_respects_the_cap() {
        let policy = RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        };
        for retry in 0..5 {
            let ceiling = Duration::from_millis((100u64 << retry).min(300));
            let wait = delay(&policy, retry, None).unwrap();
            assert!(wait >= ceiling / 2 && wait <= ceiling, "retry {retry}: {wait:?}");
        }
        assert_eq!(delay(&policy, 0, Some(&with_retry_after("0"))), Some(Duration::ZERO));
        assert_eq!(delay(&policy, 0, Some(&with_retry_after("1"))), None, "longer than max_delay");
    }

    #[test]
    fn only_safe_statuses_are_retried() {
        assert!(is_retryable_status(503, false));
        assert!(is_retryable_status(429, false));
        assert!(!is_retryable_status(500, false));
        assert!(is_retryable_status(500, true));
        assert!(!is_retryable_status(404, true));
        assert!(!is_retryable_status(401, true));
    }
}
