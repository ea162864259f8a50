//! Where the heap comes from: by default the C library's `malloc`/`free`; or the caller's own
//! callbacks (a memory pool, an RTOS heap, a counting wrapper), registered once, before the
//! first allocation. On the host (unit tests only) Rust's own allocator is used instead.
// The host build type-checks the allocator but never installs it.
#![cfg_attr(not(target_os = "none"), allow(dead_code))]

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;
use core::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

use taap_cabi::taap_status;

/// Allocates `size` bytes aligned to `align` (a power of two, at most 8 for everything taap
/// allocates); returns NULL when out of memory.
pub type taap_alloc_callback =
    Option<unsafe extern "C" fn(context: *mut c_void, size: usize, align: usize) -> *mut c_void>;

/// Frees a block from the matching [`taap_alloc_callback`]; `size` and `align` are the ones it
/// was allocated with.
pub type taap_free_callback =
    Option<unsafe extern "C" fn(context: *mut c_void, ptr: *mut c_void, size: usize, align: usize)>;

static ALLOC: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());
static FREE: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());
static CONTEXT: AtomicPtr<c_void> = AtomicPtr::new(core::ptr::null_mut());
/// Set by the first allocation: from then on a block could go to the wrong `free`.
static USED: AtomicBool = AtomicBool::new(false);

/// Routes every allocation taap makes through `alloc` and `free` (with `context` passed back).
/// Call it before any other taap function; afterwards it returns `TAAP_CONFIG` and changes
/// nothing. Without it, taap uses the C library's `malloc` and `free`.
#[no_mangle]
pub extern "C" fn taap_set_allocator(
    alloc: taap_alloc_callback,
    free: taap_free_callback,
    context: *mut c_void,
) -> taap_status {
    let (Some(alloc), Some(free)) = (alloc, free) else { return taap_status::TAAP_NULL_ARGUMENT };
    if USED.load(Ordering::Acquire) {
        // The allocator is set before the first allocation, not after.
        return taap_status::from_kind(taap::ErrorKind::Config);
    }
    CONTEXT.store(context, Ordering::Release);
    FREE.store(free as *mut (), Ordering::Release);
    ALLOC.store(alloc as *mut (), Ordering::Release);
    taap_status::TAAP_OK
}

/// An allocation callback, non-NULL.
type AllocFn = unsafe extern "C" fn(*mut c_void, usize, usize) -> *mut c_void;
/// A free callback, non-NULL.
type FreeFn = unsafe extern "C" fn(*mut c_void, *mut c_void, usize, usize);

/// The registered callbacks, if any.
fn callbacks() -> Option<(AllocFn, FreeFn, *mut c_void)> {
    let alloc = ALLOC.load(Ordering::Acquire);
    if alloc.is_null() {
        return None;
    }
    // SAFETY: only `taap_set_allocator` stores these, from functions of exactly these types.
    let (alloc, free) = unsafe {
        (
            core::mem::transmute::<*mut (), AllocFn>(alloc),
            core::mem::transmute::<*mut (), FreeFn>(FREE.load(Ordering::Acquire)),
        )
    };
    Some((alloc, free, CONTEXT.load(Ordering::Acquire)))
}

#[cfg(target_os = "none")]
extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn free(ptr: *mut c_void);
}

/// The global allocator of the bare-metal build.
struct CallbackAllocator;

/// What C's `malloc` guarantees on 32-bit ARM (newlib: 8).
const MALLOC_ALIGN: usize = 8;

unsafe impl GlobalAlloc for CallbackAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        USED.store(true, Ordering::Release);
        match callbacks() {
            // SAFETY: `alloc` was registered with `taap_set_allocator`, and taap_embedded.h
            // (`taap_alloc_callback`) has it return NULL or `size` bytes aligned to `align`:
            // the block `GlobalAlloc::alloc` must return.
            Some((alloc, _, context)) => unsafe { alloc(context, layout.size(), layout.align()) }.cast(),
            None if layout.align() <= MALLOC_ALIGN => default_alloc(layout.size()),
            None => core::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match callbacks() {
            // SAFETY: `dealloc` only gets blocks `alloc` returned with this layout, and the
            // callback pair cannot change once an allocation was made (`USED`): `ptr` is a
            // block of the matching `alloc` callback, as `taap_free_callback` requires.
            Some((_, free, context)) => unsafe { free(context, ptr.cast(), layout.size(), layout.align()) },
            None => default_free(ptr),
        }
    }
}

#[cfg(target_os = "none")]
fn default_alloc(size: usize) -> *mut u8 {
    // SAFETY: C's `malloc` takes any size and returns NULL or a block aligned to
    // `MALLOC_ALIGN`, which `alloc` checked the layout's alignment against.
    unsafe { malloc(size) }.cast()
}

#[cfg(target_os = "none")]
fn default_free(ptr: *mut u8) {
    // SAFETY: `dealloc` only gets blocks `alloc` returned, and without callbacks those came
    // from `malloc` in `default_alloc`.
    unsafe { free(ptr.cast()) }
}

/// The host build never installs this allocator; these exist so that it type-checks there.
#[cfg(not(target_os = "none"))]
fn default_alloc(_size: usize) -> *mut u8 {
    core::ptr::null_mut()
}

#[cfg(not(target_os = "none"))]
fn default_free(_ptr: *mut u8) {}

#[cfg(target_os = "none")]
#[global_allocator]
static GLOBAL: CallbackAllocator = CallbackAllocator;
