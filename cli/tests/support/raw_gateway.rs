//! `taap serve` on a free port for tests that speak raw HTTP to it (`#[path]`-included by
//! `hardening.rs` and `adversarial.rs`).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const CLIENT_ID: &str = "hardening";
pub const CLIENT_SECRET: &str = "hardening-secret";
const SECRET_VAR: &str = "TAAP_HARDENING_SECRET";
/// Far beyond the gateway's 10 s body deadline, so that a hang fails the test instead of
/// blocking it.
const CLIENT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// `taap serve` on a free port; killed when dropped.
pub struct Served {
    child: Child,
    address: String,
}

impl Served {
    pub fn start() -> Served {
        let public_key =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile/readme-public.pem");
        let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
            .args(["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
            .arg("--public-key")
            .arg(public_key)
            .env(SECRET_VAR, CLIENT_SECRET)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let address = line.trim().strip_prefix("listening on http://").unwrap().to_owned();
        Served { child, address }
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(CLIENT_READ_TIMEOUT)).unwrap();
        stream
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn answer_of(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    if let Err(error) = stream.read_to_end(&mut answer) {
        assert_ne!(error.kind(), std::io::ErrorKind::WouldBlock, "no answer: the connection was left open");
    }
    String::from_utf8_lossy(&answer).into_owned()
}
