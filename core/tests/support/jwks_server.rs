//! A JWK set server on a free loopback port, for the tests of `JwksUrl` and of the validators
//! that use it (`#[path]`-included by core, gateway and CLI tests): it answers every GET with
//! the status, body and `Cache-Control` it was last given, counts the requests, and stops
//! listening when dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body (a JWK set, or anything else).
    pub body: String,
    /// The `Cache-Control` header, if any.
    pub cache_control: Option<String>,
    /// How long the server waits before answering, so that concurrent lookups overlap.
    pub delay: Duration,
}

impl Answer {
    /// 200 with `keys` as the set and `Cache-Control: cache_control`.
    pub fn keys(keys: &[serde_json::Value], cache_control: &str) -> Answer {
        let body = serde_json::json!({ "keys": keys }).to_string();
        Answer { status: 200, body, cache_control: Some(cache_control.to_owned()), delay: Duration::ZERO }
    }

    /// `status` with a short text body: the source is up but not serving its set.
    pub fn failing(status: u16) -> Answer {
        Answer { status, body: "unavailable".into(), cache_control: None, delay: Duration::ZERO }
    }
}

struct Shared {
    answer: Mutex<Answer>,
    requests: AtomicU64,
    stop: AtomicBool,
}

/// A running server; dropping it stops it (later connections are refused).
pub struct JwksServer {
    port: u16,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl JwksServer {
    /// Listens on 127.0.0.1 (a free port) and answers with `answer` until told otherwise.
    pub fn start(answer: Answer) -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            answer: Mutex::new(answer),
            requests: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        });
        let serving = Arc::clone(&shared);
        let thread = std::thread::spawn(move || serve(&listener, &serving));
        JwksServer { port, shared, thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT/jwks`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/jwks", self.port)
    }

    /// Answers with `answer` from now on.
    pub fn set(&self, answer: Answer) {
        *self.shared.answer.lock().unwrap_or_else(PoisonError::into_inner) = answer;
    }

    /// The requests answered so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(listener: &TcpListener, shared: &Shared) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => answer(stream, shared),
            Err(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}

/// Reads one request's head and answers it, closing the connection.
fn answer(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(read) => head.extend_from_slice(&buffer[..read]),
        }
    }
    let answer = shared.answer.lock().unwrap_or_else(PoisonError::into_inner).clone();
    shared.requests.fetch_add(1, Ordering::SeqCst);
    std::thread::sleep(answer.delay);
    let cache_control =
        answer.cache_control.map(|value| format!("Cache-Control: {value}\r\n")).unwrap_or_default();
    let response = format!(
        "HTTP/1.1 {} Answer\r\nContent-Type: application/json\r\n{cache_control}Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        answer.status,
        answer.body.len(),
        answer.body
    );
    let _ = stream.write_all(response.as_bytes());
}
