//! A throwaway `redis-server` on a free loopback port for the load runs, and a child process
//! that is stopped when dropped.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A child process stopped on drop.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `redis-server` the run owns; stopped (and its directory removed) on drop.
pub struct Redis {
    /// Its loopback port.
    pub port: u16,
    dir: PathBuf,
    process: Option<Process>,
}

impl Redis {
    /// Starts one on a free loopback port, with its own directory and no persistence.
    pub fn start() -> Redis {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("taap-fleet-redis-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = Redis { port, dir, process: None };
        redis.resume();
        redis
    }

    /// Starts it (again) on its port and waits until it accepts connections.
    pub fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts (apt-get install redis-server)");
        self.process = Some(Process(child));
        while TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_err() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops it as a crash would.
    pub fn stop(&mut self) {
        self.process = None;
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
