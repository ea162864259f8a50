//! The proxy's own answers, in a form any client can show: a JSON body naming what failed, and
//! `X-Taap-Proxy-Error` so a script can tell them from the API's.

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use taap::error::ServerAnswer;

/// The body of every answer: the upstream's, streamed, or one of the proxy's own.
pub type ProxyBody = UnsyncBoxBody<Bytes, hyper::Error>;

/// Names the proxy's answers by cause, for the JSON `error` member and the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// 407: the inbound secret is missing or wrong.
    ProxyAuthRequired,
    /// 413: the request body is over `--max-body`.
    BodyTooLarge,
    /// 400: the request cannot be forwarded as it is (bad target, unreadable body).
    BadRequest,
    /// The token server refused the credentials; its status is passed on.
    TokenRefused,
    /// 502: no access token could be had (token server unreachable or its answer unusable).
    TokenUnavailable,
    /// 502: the upstream cannot be reached or broke off.
    UpstreamUnreachable,
    /// 504: the upstream sent no answer within `--timeout`.
    UpstreamTimeout,
}

impl Failure {
    /// The name shown in `error` and `X-Taap-Proxy-Error`.
    pub fn name(self) -> &'static str {
        match self {
            Failure::ProxyAuthRequired => "proxy_auth_required",
            Failure::BodyTooLarge => "body_too_large",
            Failure::BadRequest => "bad_request",
            Failure::TokenRefused => "token_refused",
            Failure::TokenUnavailable => "token_unavailable",
            Failure::UpstreamUnreachable => "upstream_unreachable",
            Failure::UpstreamTimeout => "upstream_timeout",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Failure::ProxyAuthRequired => StatusCode::PROXY_AUTHENTICATION_REQUIRED,
            Failure::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Failure::BadRequest => StatusCode::BAD_REQUEST,
            Failure::TokenRefused | Failure::TokenUnavailable | Failure::UpstreamUnreachable => {
                StatusCode::BAD_GATEWAY
            }
            Failure::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// The answer with the failure's own status.
    pub fn answer(self, message: &str) -> Response<ProxyBody> {
        self.answer_with(self.status(), message, &[])
    }

    /// The answer with `status` and extra JSON members (a token refusal keeps the server's
    /// status and message).
    pub fn answer_with(
        self,
        status: StatusCode,
        message: &str,
        extra: &[(&str, serde_json::Value)],
    ) -> Response<ProxyBody> {
        let mut body = serde_json::Map::new();
        body.insert("error".into(), self.name().into());
        body.insert("message".into(), message.into());
        for (name, value) in extra {
            body.insert((*name).into(), value.clone());
        }
        let mut text = serde_json::Value::Object(body).to_string();
        text.push('\n');
        let mut response = Response::new(full(text));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert("x-taap-proxy-error", HeaderValue::from_static(self.name()));
        if self == Failure::ProxyAuthRequired {
            headers.insert("proxy-authenticate", HeaderValue::from_static("Bearer realm=\"taap proxy\""));
        }
        // For the metrics: which of the proxy's own answers this is (never sent).
        response.extensions_mut().insert(self);
        response
    }
}

impl Failure {
    /// A server's refusal as it sent it, marked with `X-Taap-Proxy-Error`; the proxy's own JSON
    /// (with `message`) when the server sent no body.
    pub fn passed_on(self, status: StatusCode, message: &str, answer: &ServerAnswer) -> Response<ProxyBody> {
        if answer.body.is_empty() {
            return self.answer_with(status, message, &[("status", status.as_u16().into())]);
        }
        let mut response = Response::new(full(answer.body.clone()));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        if let Some(value) = answer.content_type.as_deref().and_then(|text| HeaderValue::from_str(text).ok())
        {
            headers.insert(CONTENT_TYPE, value);
        }
        headers.insert("x-taap-proxy-error", HeaderValue::from_static(self.name()));
        response.extensions_mut().insert(self);
        response
    }
}

fn full(text: impl Into<Bytes>) -> ProxyBody {
    Full::new(text.into()).map_err(|never| match never {}).boxed_unsync()
}
