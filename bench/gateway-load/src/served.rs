//! `taap serve` as a child process, and what /proc says about it (memory, CPU time).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Secret of the one registered client, passed through the environment as `taap serve` wants.
pub const SECRET: &str = "load-secret-5d1c";
/// Its id.
pub const CLIENT_ID: &str = "load";
const SECRET_VAR: &str = "TAAP_LOAD_SECRET";

/// A running gateway; killed when dropped.
pub struct Served {
    child: Child,
    /// Where it listens.
    pub address: SocketAddr,
}

impl Served {
    /// Starts `taap` (the binary at `taap`) serving one client whose key is `public_key`.
    pub fn start(taap: &Path, public_key: &Path, header_timeout_secs: u64) -> Served {
        let mut child = Command::new(taap)
            .args(["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
            .arg("--public-key")
            .arg(public_key)
            .args(["--header-timeout", &header_timeout_secs.to_string()])
            .env(SECRET_VAR, SECRET)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", taap.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("taap serve prints its address");
        let address = line
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|address| address.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from taap serve: {line:?}"));
        Served { child, address }
    }

    /// Resident memory in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }

    /// User plus system CPU seconds used so far.
    pub fn cpu_secs(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
        let fields: Vec<&str> =
            stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
        let ticks: f64 =
            fields.get(11..13).map_or(0.0, |both| both.iter().filter_map(|v| v.parse::<f64>().ok()).sum());
        ticks / clock_ticks_per_sec()
    }

    /// Open file descriptors (connections included).
    pub fn open_fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id())).map_or(0, |dir| dir.count())
    }
}

fn clock_ticks_per_sec() -> f64 {
    let output = Command::new("getconf").arg("CLK_TCK").output();
    output
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
