//! `taap::Error` as PHP exceptions: `Taap\TaapException` and one subclass per core error kind,
//! registered from the core's table at module start-up so a new kind needs no change here.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::builders::{ClassBuilder, ClassProperty, FunctionBuilder};
use ext_php_rs::exception::{PhpException, PhpResult};
use ext_php_rs::flags::{DataType, MethodFlags, PropertyFlags};
use ext_php_rs::types::{ZendObject, Zval};
use ext_php_rs::zend::{run_handler, ClassEntry, ExecuteData};
use taap::ErrorKind;

/// The base class every taap exception extends. Thrown as itself only for a panic caught at
/// the boundary, which has no core kind, so its `getKind()` is null rather than an invented one.
pub const BASE: &str = "Taap\\TaapException";

static BASE_CLASS: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());

/// `RuntimeException`, looked up in the compiler's class table: the executor's table that
/// `ClassEntry::try_find` reads does not exist yet at module start-up.
fn runtime_exception() -> &'static ClassEntry {
    const NAME: &str = "RuntimeException";
    // SAFETY: MINIT runs single-threaded after SPL registered its classes; the table and the
    // class entries in it live until engine shutdown.
    unsafe {
        let table = (*ext_php_rs::ffi::ext_php_rs_compiler_globals()).class_table;
        let found = ext_php_rs::ffi::zend_hash_str_find_ptr_lc(table, NAME.as_ptr().cast(), NAME.len());
        found.cast::<ClassEntry>().as_ref().expect("SPL registers RuntimeException before any extension")
    }
}

fn base() -> &'static ClassEntry {
    // SAFETY: set once by the base class's registration, which runs before any subclass.
    unsafe { BASE_CLASS.load(Ordering::Acquire).as_ref().expect("the base class is registered first") }
}

/// The PHP class name of a core error kind (`InvalidKey` → `Taap\InvalidKeyException`).
pub fn class_name(kind: ErrorKind) -> String {
    format!("Taap\\{}Exception", kind.name())
}

/// Registers the base class and one subclass per `ErrorKind::ALL` entry; called at MINIT.
pub fn register() -> ext_php_rs::error::Result<()> {
    ClassBuilder::new(BASE)
        .extends((runtime_exception, "\\RuntimeException"))
        .property(kind_property(None))
        .method(
            FunctionBuilder::new("getKind", get_kind).returns(DataType::String, false, true),
            MethodFlags::Public,
        )
        .registration(|class, _| BASE_CLASS.store(class, Ordering::Release))
        .register()?;
    for kind in ErrorKind::ALL {
        ClassBuilder::new(class_name(kind))
            .extends((base, "\\Taap\\TaapException"))
            .property(kind_property(Some(kind.code())))
            .registration(|_, _| {})
            .register()?;
    }
    Ok(())
}

/// The `TAAP_*` code as a protected property, so `getKind()` needs no per-class method.
fn kind_property(code: Option<&'static str>) -> ClassProperty {
    ClassProperty {
        name: "kind".into(),
        flags: PropertyFlags::Protected,
        default: Some(Box::new(move || {
            let mut zval = Zval::new();
            match code {
                Some(code) => zval.set_string(code, true)?,
                None => zval.set_null(),
            }
            Ok(zval)
        })),
        docs: &[],
        ty: Some(DataType::String),
        nullable: true,
        readonly: false,
        default_stub: Some(code.map_or_else(|| "null".to_owned(), |code| format!("'{code}'"))),
    }
}

/// `TaapException::getKind()`: the `TAAP_*` name of the exception's kind, null for the base.
extern "C" fn get_kind(ex: &mut ExecuteData, retval: &mut Zval) {
    run_handler(AssertUnwindSafe(|| {
        match ex.get_self().and_then(|this| this.get_property::<Option<String>>("kind").ok()).flatten() {
            Some(kind) => {
                let _ = retval.set_string(&kind, false);
            }
            None => retval.set_null(),
        }
    }));
}

/// A core error as the exception of its kind; `getCode()` is the kind's stable C status. An
/// error a `Taap\Signer` callback's exception became carries that exception as `getPrevious()`.
pub fn exception(error: &taap::Error) -> PhpException {
    let kind = error.kind();
    let message = error.to_string();
    let code = kind.c_status() as i32;
    let class = class_name(kind);
    if let Some(previous) = crate::signer::thrown_by_callback(&message) {
        if let Some(object) = with_previous(&class, &message, code, &previous) {
            return PhpException::new(message, code, ClassEntry::try_find(&class).unwrap_or_else(base))
                .with_object(object);
        }
    }
    throwable(&class, message, code)
}

/// A new exception of `class` made by its constructor, with `previous` as its previous.
fn with_previous(class: &str, message: &str, code: i32, previous: &Zval) -> Option<Zval> {
    let object = ZendObject::new(ClassEntry::try_find(class)?);
    object.try_call_method("__construct", vec![&message.to_owned(), &i64::from(code), previous]).ok()?;
    let mut object = object;
    let mut zval = Zval::new();
    zval.set_object(&mut object);
    Some(zval)
}

fn throwable(class: &str, message: String, code: i32) -> PhpException {
    match ClassEntry::try_find(class) {
        Some(class) => PhpException::new(message, code, class),
        None => PhpException::from_message(message),
    }
}

/// Runs one call into the core: its error becomes the kind's exception and a panic (a bug)
/// becomes a `TaapException` instead of unwinding into the engine.
pub fn guard<T>(call: impl FnOnce() -> taap::Result<T>) -> PhpResult<T> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) if crate::signer::take_bailout() => {
            // SAFETY: a signer callback's fatal error, caught so that the core's frames could
            // return; it goes on to the engine's catch point as it would have without taap.
            unsafe { ext_php_rs::zend::bailout() }
        }
        Ok(Err(error)) => Err(exception(&error)),
        Err(_) => Err(throwable(BASE, "taap: internal error (a bug in taap; please report it)".into(), 0)),
    }
}

/// Shorthand for a configuration mistake caught while converting PHP arguments.
pub fn config(message: impl Into<String>) -> taap::Error {
    taap::Error::Config(message.into())
}

/// Shorthand for malformed ehts or headers caught while converting PHP arguments.
pub fn ehts(message: impl Into<String>) -> taap::Error {
    taap::Error::InvalidEhts(message.into())
}
