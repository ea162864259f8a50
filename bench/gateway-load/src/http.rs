//! A keep-alive HTTP/1.1 connection that sends prepared bytes and reads one answer: the load
//! generator controls every byte it sends (tampered and replayed requests included).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Longest the generator waits for one answer; a healthy gateway answers in milliseconds.
pub const ANSWER_DEADLINE: Duration = Duration::from_secs(15);
/// Answers are small JSON documents; anything larger is a broken server.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// One answer: status and body.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body bytes.
    pub body: Vec<u8>,
    /// The server will close the connection after this answer.
    pub closes: bool,
}

impl Answer {
    /// Whether the body's `error_description` contains `text`.
    pub fn says(&self, text: &str) -> bool {
        let body: serde_json::Value = serde_json::from_slice(&self.body).unwrap_or_default();
        body["error_description"].as_str().is_some_and(|description| description.contains(text))
    }
}

/// A client connection that reconnects when the server closed it.
pub struct Connection {
    address: SocketAddr,
    stream: Option<TcpStream>,
    buffer: Vec<u8>,
}

impl Connection {
    /// A connection to `address`, opened on first use.
    pub fn new(address: SocketAddr) -> Self {
        Connection { address, stream: None, buffer: Vec::with_capacity(16 * 1024) }
    }

    /// Sends `request` and reads its answer, reconnecting once if a kept-alive connection had
    /// been closed by the server in the meantime.
    pub fn exchange(&mut self, request: &[u8]) -> io::Result<Answer> {
        let reused = self.stream.is_some();
        match self.try_exchange(request) {
            Err(_) if reused => {
                self.stream = None;
                self.try_exchange(request)
            }
            other => other,
        }
    }

    fn try_exchange(&mut self, request: &[u8]) -> io::Result<Answer> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.address)?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(ANSWER_DEADLINE))?;
            self.stream = Some(stream);
            self.buffer.clear();
        }
        let stream = self.stream.as_mut().expect("connected above");
        stream.write_all(request)?;
        let answer = read_answer(stream, &mut self.buffer);
        if answer.as_ref().map_or(true, |answer| answer.closes) {
            self.stream = None;
        }
        answer
    }
}

/// Reads one response with a `Content-Length` body from `stream`.
pub fn read_answer(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<Answer> {
    buffer.clear();
    let mut chunk = [0u8; 8192];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        if let httparse::Status::Complete(head) = response.parse(buffer).map_err(invalid)? {
            let status = response.code.unwrap_or(0);
            let mut length = 0usize;
            let mut closes = false;
            for header in response.headers.iter() {
                if header.name.eq_ignore_ascii_case("content-length") {
                    length = std::str::from_utf8(header.value)
                        .ok()
                        .and_then(|v| v.trim().parse().ok())
                        .ok_or_else(|| invalid("bad Content-Length"))?;
                } else if header.name.eq_ignore_ascii_case("connection") {
                    closes = header.value.eq_ignore_ascii_case(b"close");
                }
            }
            if length > MAX_ANSWER_BYTES {
                return Err(invalid("answer too large"));
            }
            while buffer.len() < head + length {
                let read = stream.read(&mut chunk)?;
                if read == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                buffer.extend_from_slice(&chunk[..read]);
            }
            return Ok(Answer { status, body: buffer[head..head + length].to_vec(), closes });
        }
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if buffer.len() > MAX_ANSWER_BYTES {
            return Err(invalid("answer headers too large"));
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

fn invalid(error: impl ToString) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error.to_string())
}

/// The bytes of one HTTP/1.1 request with the given headers and body.
pub fn request_bytes(method: &str, target: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut wire = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n").into_bytes();
    for (name, value) in headers {
        wire.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    wire.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    wire.extend_from_slice(body);
    wire
}
