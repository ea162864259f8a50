//! `taap decode … | head -1`: a reader that closes the pipe early ends the command quietly (by
//! SIGPIPE, as it ends any Unix filter), never with a panic on stderr.
#![cfg(unix)]

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// SIGPIPE's number on every Unix this runs on (Linux, the BSDs, macOS).
const SIGPIPE: i32 = 13;

fn token() -> String {
    let key = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile/readme-private-pkcs8.pem");
    let output = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(["pop", "--key", key.to_str().unwrap(), "--url", "https://h/a"])
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[test]
fn a_closed_reader_ends_decode_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(["decode", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the command writes anything.
    drop(child.stdout.take());
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), token().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.signal(), Some(SIGPIPE), "{:?}", output.status);
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn a_closed_reader_ends_a_dry_run_quietly() {
    let key = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile/readme-private-pkcs8.pem");
    let output = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args([
            "call",
            "GET",
            "https://api.t-mobile.com/a",
            "--client-id",
            "id",
            "--client-secret-env",
            "HOME",
        ])
        .args(["--server", "v2", "--dry-run", "--key", key.to_str().unwrap()])
        .stdout(pipe_without_reader())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(output.status.signal(), Some(SIGPIPE), "{:?}", output.status);
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// The write end of a pipe whose reader is already gone, so the first write fails every time.
fn pipe_without_reader() -> Stdio {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: pipe writes two new descriptors into the array it is given; both are owned here.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: fds[0] and fds[1] were just opened by pipe and are owned by nothing else.
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    Stdio::from(writer)
}
