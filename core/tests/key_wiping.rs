//! Private key material taap copies on the Rust heap is wiped before the memory is freed.
//!
//! A global allocator wraps the system one and, while a test thread watches, inspects every
//! block that thread frees (and every block a `realloc` would leave behind: reallocation is
//! turned into allocate + copy + free, the worst case for stale copies). Reading a block in
//! `dealloc`, before handing it back, is defined behaviour; reading it afterwards would not
//! be. Every freed block is then wiped, so memory handed out again never carries an old copy
//! into a watched block. A block still holding a marker taken from the key (a base64 line of
//! its PEM, a chunk of its private exponent in DER and in little-endian limb order, the
//! password) is a leak.
//! AWS-LC's own buffers come from `malloc`, not from this allocator, and AWS-LC cleanses them
//! itself; the C suite's wrapped `free` covers those.
//!
//! On the `rustcrypto` backend the key's big numbers live on this heap, as crypto-bigint limbs
//! (little-endian). `rsa` 0.10.0 zeroises the key it holds on drop, but not its intermediate
//! values: `PrivateKey::precompute` (run by every load; upstream marks it "TODO: zeroize
//! intermediate parameters") frees clones of p and q, p-1, q-1 and their Montgomery
//! parameters; each CRT signature frees one limb copy; `to_pkcs1_der` (under `to_der`) frees
//! its p-1 and q-1 temporaries; and dropping frees one Montgomery form without wiping it.
//! taap cannot reach those buffers without a fork of `rsa`, so on that backend the limb-order
//! marker is left out of the watched tests (everything taap itself copies is in DER, PEM or
//! password form, and still watched), and `rsa_still_leaves_limb_copies_behind` records the
//! upstream gap: it fails once `rsa` wipes them, so the marker can come back.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use taap::{PopToken, PrivateKey};
use zeroize::Zeroize;

/// The markers being looked for, set before a watch starts; fixed-size so that the allocator
/// never allocates to read them.
struct Markers {
    count: usize,
    lengths: [usize; MAX_MARKERS],
    bytes: [[u8; MAX_MARKER_LEN]; MAX_MARKERS],
}

const MAX_MARKERS: usize = 8;
const MAX_MARKER_LEN: usize = 64;

static MARKERS: Mutex<Markers> =
    Mutex::new(Markers { count: 0, lengths: [0; MAX_MARKERS], bytes: [[0; MAX_MARKER_LEN]; MAX_MARKERS] });
static STALE_BLOCKS: AtomicUsize = AtomicUsize::new(0);
static LARGEST_STALE_BLOCK: AtomicUsize = AtomicUsize::new(0);
/// Serialises the tests of this file: the markers are process-wide.
static ONE_WATCH_AT_A_TIME: Mutex<()> = Mutex::new(());

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

struct WatchingAllocator;

#[global_allocator]
static ALLOCATOR: WatchingAllocator = WatchingAllocator;

unsafe impl GlobalAlloc for WatchingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the block is still allocated and `layout.size()` bytes long.
        let block = unsafe { std::slice::from_raw_parts_mut(ptr, layout.size()) };
        if WATCHING.with(Cell::get) {
            inspect(block);
        }
        // Every block is wiped once inspected (or not watched), so that a later allocation
        // reusing this memory starts clean: otherwise a copy the tests themselves freed
        // unwiped, on any thread, could be counted against the code under watch.
        block.zeroize();
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `new_size` is valid for `layout.align()` per the GlobalAlloc contract.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: a non-zero size, as the contract guarantees.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live and at least `min(old, new)` bytes long.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            // SAFETY: `ptr` was allocated with `layout` and is not used again.
            unsafe { self.dealloc(ptr, layout) };
        }
        new
    }
}

/// Counts a freed block that still holds a marker. Never allocates.
fn inspect(block: &[u8]) {
    let markers = match MARKERS.try_lock() {
        Ok(markers) => markers,
        Err(_) => return,
    };
    for index in 0..markers.count {
        let marker = &markers.bytes[index][..markers.lengths[index]];
        if block.windows(marker.len()).any(|window| window == marker) {
            STALE_BLOCKS.fetch_add(1, Ordering::SeqCst);
            LARGEST_STALE_BLOCK.fetch_max(block.len(), Ordering::SeqCst);
            return;
        }
    }
}

/// Runs `action` on this thread with freed blocks inspected for `markers`; returns how many
/// freed blocks still held one, and the largest such block's size.
fn stale_blocks_after(markers: &[Vec<u8>], action: impl FnOnce()) -> (usize, usize) {
    let _one = ONE_WATCH_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    {
        let mut set = MARKERS.lock().unwrap();
        assert!(markers.len() <= MAX_MARKERS);
        set.count = markers.len();
        for (index, marker) in markers.iter().enumerate() {
            assert!(!marker.is_empty() && marker.len() <= MAX_MARKER_LEN);
            set.lengths[index] = marker.len();
            set.bytes[index][..marker.len()].copy_from_slice(marker);
        }
    }
    STALE_BLOCKS.store(0, Ordering::SeqCst);
    LARGEST_STALE_BLOCK.store(0, Ordering::SeqCst);
    WATCHING.with(|watching| watching.set(true));
    action();
    WATCHING.with(|watching| watching.set(false));
    (STALE_BLOCKS.load(Ordering::SeqCst), LARGEST_STALE_BLOCK.load(Ordering::SeqCst))
}

fn key_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys").join(relative)
}

/// Markers of a PEM private key: one base64 line from the middle of its body (private
/// exponent and primes live there), 32 bytes of that region in DER order and, on aws-lc,
/// reversed (the order of little-endian bignum limbs; see the module comment for rustcrypto).
fn pem_markers(pem: &str) -> Vec<Vec<u8>> {
    let lines: Vec<&str> =
        pem.lines().filter(|line| !line.starts_with("-----") && !line.contains(':')).collect();
    let body: String = lines.concat();
    let der = STANDARD.decode(body.trim()).expect("the test key is base64");
    let middle = lines[lines.len() / 2];
    assert_eq!(middle.len(), 64, "a full base64 line");
    let chunk = &der[der.len() / 2..der.len() / 2 + 32];
    let mut markers = vec![middle.as_bytes().to_vec(), chunk.to_vec()];
    if cfg!(feature = "aws-lc") {
        markers.push(limb_order(chunk));
    }
    markers
}

/// `bytes` reversed: how a big-endian chunk of a number sits in little-endian limbs.
fn limb_order(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().rev().copied().collect()
}

fn assert_wiped(what: &str, (stale, largest): (usize, usize)) {
    assert_eq!(
        stale, 0,
        "{what}: {stale} freed heap blocks (largest {largest} bytes) still held key material"
    );
}

#[test]
fn the_watch_sees_an_unwiped_copy() {
    let secret = b"-----marker-of-the-allocator-self-test-----".to_vec();
    let found =
        stale_blocks_after(std::slice::from_ref(&secret), || drop(std::hint::black_box(secret.clone())));
    assert_eq!(found.0, 1, "the allocator must see a plain Vec freed with the marker in it");
    let wiped = stale_blocks_after(std::slice::from_ref(&secret), || {
        drop(zeroize::Zeroizing::new(std::hint::black_box(secret.clone())))
    });
    assert_eq!(wiped.0, 0, "a Zeroizing copy is wiped before it is freed");
}

#[test]
fn loading_signing_and_exporting_a_pem_key_leaves_no_copy_behind() {
    let pem = std::fs::read_to_string(key_file("tmobile/readme-private-pkcs8.pem")).unwrap();
    let markers = pem_markers(&pem);
    let found = stale_blocks_after(&markers, || {
        let key = PrivateKey::from_pem(&pem, None).unwrap();
        let token = PopToken::build(&key, [("uri", "/a"), ("http-method", "GET")]).unwrap();
        assert!(token.starts_with("eyJ"));
        let exported = key.to_pem();
        assert!(exported.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let der = key.to_der();
        assert!(PrivateKey::from_der(&der, None).is_ok());
    });
    assert_wiped("from_pem, build, to_pem, to_der, from_der", found);
}

#[test]
fn exported_pem_is_wiped_too() {
    let key = PrivateKey::generate(2048).unwrap();
    let exported = key.to_pem();
    let markers = pem_markers(&exported);
    let found = stale_blocks_after(&markers, || {
        let again = key.to_pem();
        assert_eq!(*again, *exported);
        let reloaded = PrivateKey::from_pem(again.as_bytes(), None).unwrap();
        assert_eq!(reloaded.public_key(), key.public_key());
    });
    assert_wiped("to_pem and from_pem of a generated key", found);
}

#[test]
fn encrypted_keys_leave_neither_key_nor_password_behind() {
    let clear = std::fs::read_to_string(key_file("openssl/pkcs8-private.pem")).unwrap();
    let mut markers = pem_markers(&clear);
    let password = b"foobar".to_vec();
    markers.push(password.clone());
    for file in [
        "openssl/pbes2-aes256-private.pem",
        "openssl/traditional-aes256-private.pem",
        "openssl/pbes2-des3-private.pem",
    ] {
        let encrypted = std::fs::read(key_file(file)).unwrap();
        let found = stale_blocks_after(&markers, || {
            let key = PrivateKey::from_pem(&encrypted, Some(&password)).unwrap();
            assert_eq!(key.bits(), 2048);
        });
        assert_wiped(file, found);
    }
}

#[test]
fn the_key_cache_and_files_leave_no_copy_behind() {
    let path = key_file("openssl/pkcs8-private.pem");
    let pem = std::fs::read(&path).unwrap();
    let markers = pem_markers(std::str::from_utf8(&pem).unwrap());
    let found = stale_blocks_after(&markers, || {
        let cached = PrivateKey::from_bytes_cached(&pem, None).unwrap();
        drop(cached);
        PrivateKey::clear_cache();
        let from_file = PrivateKey::from_file(&path, None).unwrap();
        assert_eq!(from_file.bits(), 2048);
    });
    assert_wiped("from_bytes_cached, clear_cache, from_file", found);
}

#[cfg(feature = "rustcrypto")]
#[test]
fn rsa_still_leaves_limb_copies_behind() {
    let pem = std::fs::read_to_string(key_file("tmobile/readme-private-pkcs8.pem")).unwrap();
    let der = PrivateKey::from_pem(&pem, None).unwrap().to_der();
    let chunk = &der[der.len() / 2..der.len() / 2 + 32];
    let (stale, _) = stale_blocks_after(&[limb_order(chunk)], || {
        drop(PrivateKey::from_der(&der, None).unwrap());
    });
    assert!(stale > 0, "rsa now wipes its intermediates: check the limb-order marker on rustcrypto too");
}
