//! Clients that misbehave while the load runs: slow-loris headers, a trickled body, oversized
//! bodies, idle connections. Each records how long the gateway let it hold its connection.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Pause between the bytes a slow client trickles.
const TRICKLE: Duration = Duration::from_millis(500);
/// Declared size of the oversized body: ten times the gateway's 1 MiB limit.
const OVERSIZED_BYTES: usize = 10 * 1024 * 1024;

/// How one kind of misbehaving client fared.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// Connections the gateway ended (closed or answered).
    pub ended: usize,
    /// Connections still open when the phase stopped.
    pub still_open: usize,
    /// Longest time the gateway let one connection live, in seconds.
    pub longest_secs: f64,
    /// The statuses the gateway answered with (0: closed without an answer).
    pub statuses: Vec<u16>,
}

impl Outcome {
    fn record(&mut self, held: Duration, status: Option<u16>) {
        match status {
            Some(status) => {
                self.ended += 1;
                if !self.statuses.contains(&status) {
                    self.statuses.push(status);
                }
            }
            None => self.still_open += 1,
        }
        self.longest_secs = self.longest_secs.max(held.as_secs_f64());
    }
}

/// The kinds of misbehaving client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attack {
    /// Sends a request line and then one header byte every 500 ms, never finishing.
    SlowLoris,
    /// Sends complete headers announcing a 64 KiB body, then one body byte every 500 ms.
    SlowBody,
    /// Announces and streams a 10 MiB body as fast as it can.
    OversizedBody,
    /// Connects and sends nothing.
    Idle,
}

impl Attack {
    /// Every attack, in report order.
    pub const ALL: [Attack; 4] = [Attack::SlowLoris, Attack::SlowBody, Attack::OversizedBody, Attack::Idle];

    /// Report name.
    pub fn name(self) -> &'static str {
        match self {
            Attack::SlowLoris => "slow-loris headers (1 byte / 500 ms)",
            Attack::SlowBody => "slow body (64 KiB announced, 1 byte / 500 ms)",
            Attack::OversizedBody => "oversized body (10 MiB, as fast as possible)",
            Attack::Idle => "idle connection (sends nothing)",
        }
    }
}

/// Runs `attack` on a fresh connection after another until `stop`, adding to `outcome`.
pub fn run(attack: Attack, address: SocketAddr, stop: &AtomicBool, outcome: &Mutex<Outcome>) {
    while !stop.load(Ordering::Relaxed) {
        let Ok(stream) = TcpStream::connect(address) else {
            std::thread::sleep(TRICKLE);
            continue;
        };
        let started = Instant::now();
        let status = match attack {
            Attack::OversizedBody => oversized(stream),
            _ => trickle(attack, stream, stop),
        };
        outcome.lock().unwrap().record(started.elapsed(), status);
    }
}

/// Trickles bytes until the gateway ends the connection (`Some(status)`) or `stop` is set.
fn trickle(attack: Attack, mut stream: TcpStream, stop: &AtomicBool) -> Option<u16> {
    stream.set_read_timeout(Some(TRICKLE)).ok()?;
    let opening: &[u8] = match attack {
        Attack::SlowLoris => {
            b"GET /iot-connectivity/v1/devices/8901260000000000019 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        }
        Attack::SlowBody => {
            b"POST /commerce/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 65536\r\n\r\n"
        }
        _ => b"",
    };
    if stream.write_all(opening).is_err() {
        return Some(0);
    }
    let mut answer = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let trickled = match attack {
            Attack::SlowLoris => stream.write_all(b"X"),
            Attack::SlowBody => stream.write_all(b"{"),
            _ => Ok(()),
        };
        let mut buffer = [0u8; 1024];
        match stream.read(&mut buffer) {
            Ok(0) => return Some(status_of(&answer)),
            Ok(read) => answer.extend_from_slice(&buffer[..read]),
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if trickled.is_err() {
                    return Some(status_of(&answer));
                }
            }
            Err(_) => return Some(status_of(&answer)),
        }
    }
    None
}

/// Streams an oversized body; the gateway should answer 413 and close long before the end.
fn oversized(mut stream: TcpStream) -> Option<u16> {
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    stream.set_write_timeout(Some(Duration::from_secs(30))).ok()?;
    let head = format!(
        "POST /commerce/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {OVERSIZED_BYTES}\r\n\r\n"
    );
    let _ = stream.write_all(head.as_bytes());
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..OVERSIZED_BYTES / chunk.len() {
        if stream.write_all(&chunk).is_err() {
            break;
        }
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    Some(status_of(&answer))
}

fn status_of(answer: &[u8]) -> u16 {
    answer
        .strip_prefix(b"HTTP/1.1 ")
        .and_then(|rest| std::str::from_utf8(rest.get(..3)?).ok())
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}
