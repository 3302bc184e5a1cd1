//! # sendlint's C ABI
//!
//! A small, stable C interface to [`sendlint_core`] (the `sendlint` crate) in the style of rustls-ffi and
//! hyper's C API: opaque handles, `sendlint_status` codes, explicit ownership.
//! The header `include/sendlint.h` is generated from this file by cbindgen
//! (`cbindgen.toml`); a test fails when it drifts.
//!
//! Every export goes through [`ffi_boundary!`] (panics become
//! `SENDLINT_PANIC`, errors set this thread's `sendlint_last_error()`) and takes
//! its pointers through [`arg!`] (NULL checks, length checks, UTF-8 checks, out
//! pointers reset at entry). No export is written without them. Behaviour lives
//! in the core crate; this file only converts types.

#![deny(missing_docs)]
// Every export has the same pointer contract, stated once in the header's
// banner (cbindgen.toml) and in the crate docs, rather than in 25 copies.
#![allow(clippy::missing_safety_doc)]

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::ptr;
use std::sync::OnceLock;

use sendlint_core::{
    Engine, Error, ErrorKind, History, OwnedMessage, Policy, RuleId, Topic, Verdict,
};

/// The ABI version, the number in the shared library's soname
/// (`libsendlint.so.0`); it changes only when the ABI breaks.
pub const SENDLINT_ABI_VERSION: u32 = 0;

/// The result of every call that can fail. The numbers are fixed and never
/// reused; new codes take new numbers. On any status but `SENDLINT_OK`,
/// `sendlint_last_error()` says what went wrong in words.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sendlint_status {
    /// Success.
    SENDLINT_OK = 0,
    /// A required pointer is NULL, or a length is larger than any object can be.
    SENDLINT_INVALID_ARGUMENT = 1,
    /// Text that must be UTF-8 is not (the message names the byte offset).
    SENDLINT_INVALID_UTF8 = 2,
    /// A message or topic is not JSON, or not of the expected shape (the
    /// message names the line, column and field).
    SENDLINT_INVALID_JSON = 3,
    /// A policy cannot be parsed or is not valid (the message names the line,
    /// column or key).
    SENDLINT_INVALID_POLICY = 4,
    /// A message, key or time cannot be used: a text over the policy's
    /// `limits.max_text_bytes`, an empty key, a send recorded in the future, …
    SENDLINT_INVALID_INPUT = 5,
    /// A history file is corrupt, foreign, of another version, or was saved
    /// with another key.
    SENDLINT_INVALID_HISTORY = 6,
    /// A file could not be read or written.
    SENDLINT_IO = 7,
    /// sendlint panicked (a bug: please report it with `sendlint_last_error()`).
    /// Nothing unwinds into C; the handles passed in are still usable.
    SENDLINT_PANIC = 8,
    /// A contact import stopped because more than 10 % of a batch's rows
    /// failed; the audience is unchanged and the report says which rows and why.
    SENDLINT_IMPORT_STOPPED = 9,
    /// An audience file is corrupt, foreign or of another version, or a contact
    /// file cannot be imported at all (empty, UTF-16, no phone column).
    SENDLINT_INVALID_AUDIENCE = 10,
}

/// What a report recommends.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sendlint_verdict {
    /// Send.
    SENDLINT_VERDICT_ALLOW = 0,
    /// A person should look first.
    SENDLINT_VERDICT_REVIEW = 1,
    /// Do not send.
    SENDLINT_VERDICT_BLOCK = 2,
}

/// The summary of one check, written by `sendlint_check_text`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct sendlint_summary {
    /// Combined risk, 0–100.
    pub risk: u8,
    /// The verdict for `risk` under the policy's thresholds.
    pub verdict: sendlint_verdict,
    /// Number of findings.
    pub n_findings: u32,
    /// The rules with findings, one bit each (`SENDLINT_RULE_*`,
    /// `sendlint_rule_name`).
    pub rules: u64,
}

/// A compiled policy. Opaque. Thread-safe: one engine may be shared by any
/// number of threads at once.
#[allow(non_camel_case_types)]
pub struct sendlint_engine {
    engine: Engine,
}

/// What accounts sent before: the memory behind the context rules. Opaque.
/// Record from one thread at a time; checks on other threads may read it
/// meanwhile (it is locked inside).
#[allow(non_camel_case_types)]
pub struct sendlint_history {
    history: History,
}

/// What a group talks about, for `off_topic`. Opaque, immutable once built:
/// share it across threads freely.
#[allow(non_camel_case_types)]
pub struct sendlint_topic {
    topic: Topic,
}

// The bit of each rule in `sendlint_summary.rules`. Fixed forever: a new rule
// takes the next free bit (a test compares these with the core's `RuleId::bit`).
/// `bait_word` (bit 0).
pub const SENDLINT_RULE_BAIT_WORD: u64 = 1 << 0;
/// `missing_ad_label` (bit 1).
pub const SENDLINT_RULE_MISSING_AD_LABEL: u64 = 1 << 1;
/// `mass_mention` (bit 2).
pub const SENDLINT_RULE_MASS_MENTION: u64 = 1 << 2;
/// `invalid_link` (bit 3).
pub const SENDLINT_RULE_INVALID_LINK: u64 = 1 << 3;
/// `risky_link` (bit 4).
pub const SENDLINT_RULE_RISKY_LINK: u64 = 1 << 4;
/// `pii_exposure` (bit 5).
pub const SENDLINT_RULE_PII_EXPOSURE: u64 = 1 << 5;
/// `missing_opt_out` (bit 6).
pub const SENDLINT_RULE_MISSING_OPT_OUT: u64 = 1 << 6;
/// `near_duplicate` (bit 7).
pub const SENDLINT_RULE_NEAR_DUPLICATE: u64 = 1 << 7;
/// `duplicate_share` (bit 8).
pub const SENDLINT_RULE_DUPLICATE_SHARE: u64 = 1 << 8;
/// `fatigue` (bit 9).
pub const SENDLINT_RULE_FATIGUE: u64 = 1 << 9;
/// `daily_volume` (bit 10).
pub const SENDLINT_RULE_DAILY_VOLUME: u64 = 1 << 10;
/// `content_mix` (bit 11).
pub const SENDLINT_RULE_CONTENT_MIX: u64 = 1 << 11;
/// `link_streak` (bit 12).
pub const SENDLINT_RULE_LINK_STREAK: u64 = 1 << 12;
/// `mass_mention_repeat` (bit 13).
pub const SENDLINT_RULE_MASS_MENTION_REPEAT: u64 = 1 << 13;
/// `off_topic` (bit 14).
pub const SENDLINT_RULE_OFF_TOPIC: u64 = 1 << 14;
/// `reported_content` (bit 15).
pub const SENDLINT_RULE_REPORTED_CONTENT: u64 = 1 << 15;
/// `no_consent` (bit 16).
pub const SENDLINT_RULE_NO_CONSENT: u64 = 1 << 16;
/// `opted_out` (bit 17).
pub const SENDLINT_RULE_OPTED_OUT: u64 = 1 << 17;
/// `untargeted` (bit 18).
pub const SENDLINT_RULE_UNTARGETED: u64 = 1 << 18;

/// A failed call: the status to return and the words for `sendlint_last_error`.
pub(crate) struct Failure {
    pub(crate) status: sendlint_status,
    message: String,
}

impl Failure {
    pub(crate) fn new(status: sendlint_status, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn panic(payload: Box<dyn std::any::Any + Send>) -> Failure {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        Failure::new(
            sendlint_status::SENDLINT_PANIC,
            format!("internal error in sendlint (please report it): {what}"),
        )
    }

    /// Stores the message as this thread's last error and returns the status.
    pub(crate) fn record(self) -> sendlint_status {
        // C strings end at the first NUL: keep the rest of the message readable.
        let text = CString::new(self.message.replace('\0', "\\0")).expect("NULs were replaced");
        LAST_ERROR.with(|last| *last.borrow_mut() = Some(text));
        self.status
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Failure {
        use sendlint_status::*;
        let err = match err {
            Error::Audience(err) => return Failure::from(err),
            other => other,
        };
        let status = match (&err, err.kind()) {
            (Error::History { kind: Some(_), .. }, _) => SENDLINT_IO,
            (_, ErrorKind::History) => SENDLINT_INVALID_HISTORY,
            (_, ErrorKind::Policy) => SENDLINT_INVALID_POLICY,
            (_, ErrorKind::Json) => SENDLINT_INVALID_JSON,
            // Input, and kinds added to the core later.
            _ => SENDLINT_INVALID_INPUT,
        };
        Failure::new(status, err.to_string())
    }
}

thread_local! {
    /// This thread's message for its last failed call.
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

/// The panic boundary of every export: runs the body in `catch_unwind`, so
/// nothing unwinds into C.
///
/// - `ffi_boundary!({ ... })`: the body returns `Result<(), Failure>`; the
///   export returns `SENDLINT_OK` or the failure's status (recording its message
///   for `sendlint_last_error`), `SENDLINT_PANIC` on a panic.
/// - `ffi_boundary!(default = value; { ... })`: for exports that return a value
///   rather than a status; on a panic they return `value`.
macro_rules! ffi_boundary {
    ($body:block) => {{
        let result = catch_unwind(AssertUnwindSafe(|| -> Result<(), Failure> { $body }))
            .unwrap_or_else(|payload| Err(Failure::panic(payload)));
        match result {
            Ok(()) => sendlint_status::SENDLINT_OK,
            Err(failure) => failure.record(),
        }
    }};
    (default = $default:expr; $body:block) => {{
        match catch_unwind(AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(payload) => {
                Failure::panic(payload).record();
                $default
            }
        }
    }};
}

/// The pointer checks of every export, inside an `ffi_boundary!` body (they
/// `return Err(..)` with `SENDLINT_INVALID_ARGUMENT` naming the argument):
///
/// - `arg!(ref p)`: a handle the caller lends, `&T` (NULL is an error).
/// - `arg!(ref_or_null p)`: an optional handle, `Option<&T>`.
/// - `arg!(bytes p, len)`: `len` bytes at `p`, `&[u8]`.
/// - `arg!(array p, n)`: `n` elements at `p`, `&[T]`.
/// - `arg!(str p, len)`: the same, which must be UTF-8, `&str`.
/// - `arg!(out p)`: an out pointer, `&mut T`, reset at once (NULL pointers,
///   zeroed summaries), so it holds no stale value when the call fails.
macro_rules! arg {
    (ref $p:ident) => {
        // SAFETY: the caller passes NULL or a pointer this library returned and
        // that was not freed (the documented contract of every handle).
        unsafe { $p.as_ref() }
            .ok_or_else(|| Failure::new(
                sendlint_status::SENDLINT_INVALID_ARGUMENT,
                concat!(stringify!($p), " is NULL"),
            ))?
    };
    (ref_or_null $p:ident) => {
        // SAFETY: as for `ref`; NULL means "none".
        unsafe { $p.as_ref() }
    };
    (bytes $p:ident, $len:ident) => {
        // SAFETY: the caller passes `$len` readable bytes at `$p` (the contract
        // of every pointer-and-length pair); NULL and impossible lengths are
        // refused before the slice is made.
        unsafe { slice($p.cast::<u8>(), $len, stringify!($p)) }?
    };
    (array $p:ident, $len:ident) => {
        // SAFETY: the caller passes `$len` readable elements at `$p`, as for `bytes`.
        unsafe { slice($p, $len, stringify!($p)) }?
    };
    (str $p:ident, $len:ident) => {
        utf8(arg!(bytes $p, $len), stringify!($p))?
    };
    (out $p:ident) => {{
        // SAFETY: the caller passes NULL or a pointer to writable memory for
        // one value of the out type.
        let out = unsafe { $p.as_mut() }.ok_or_else(|| {
            Failure::new(
                sendlint_status::SENDLINT_INVALID_ARGUMENT,
                concat!(stringify!($p), " is NULL"),
            )
        })?;
        *out = Empty::empty();
        out
    }};
}

// The audience and inbound exports, in their own files; they use the macros above.
mod audience;
mod inbound;

/// The value an out pointer holds until the call succeeds.
pub(crate) trait Empty {
    /// The reset value.
    fn empty() -> Self;
}

impl<T> Empty for *mut T {
    fn empty() -> Self {
        ptr::null_mut()
    }
}

impl Empty for sendlint_summary {
    fn empty() -> Self {
        sendlint_summary {
            risk: 0,
            verdict: sendlint_verdict::SENDLINT_VERDICT_ALLOW,
            n_findings: 0,
            rules: 0,
        }
    }
}

impl Empty for f64 {
    fn empty() -> Self {
        0.0
    }
}

/// `len` elements at `data`.
///
/// # Safety
/// `data` is NULL or points to `len` readable, initialised elements that stay
/// valid and unchanged for `'a`.
pub(crate) unsafe fn slice<'a, T>(
    data: *const T,
    len: usize,
    name: &str,
) -> Result<&'a [T], Failure> {
    if data.is_null() {
        return Err(Failure::new(
            sendlint_status::SENDLINT_INVALID_ARGUMENT,
            format!("{name} is NULL"),
        ));
    }
    if len.saturating_mul(std::mem::size_of::<T>().max(1)) > isize::MAX as usize {
        return Err(Failure::new(
            sendlint_status::SENDLINT_INVALID_ARGUMENT,
            format!("{name}: length {len} is larger than any object"),
        ));
    }
    // SAFETY: not NULL, a possible length, and the caller's contract above.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// The bytes as text, or `SENDLINT_INVALID_UTF8` naming where they stop being UTF-8.
pub(crate) fn utf8<'a>(bytes: &'a [u8], name: &str) -> Result<&'a str, Failure> {
    std::str::from_utf8(bytes).map_err(|err| {
        Failure::new(
            sendlint_status::SENDLINT_INVALID_UTF8,
            format!(
                "{name} is not UTF-8: invalid byte at offset {}",
                err.valid_up_to()
            ),
        )
    })
}

/// A path from bytes: any bytes on Unix (paths need not be UTF-8 there), UTF-8 elsewhere.
pub(crate) fn path_from_bytes(bytes: &[u8], name: &str) -> Result<PathBuf, Failure> {
    #[cfg(unix)]
    {
        let _ = name;
        Ok(PathBuf::from(
            <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes),
        ))
    }
    #[cfg(not(unix))]
    {
        Ok(PathBuf::from(utf8(bytes, name)?))
    }
}

/// Frees a handle that a constructor of this library made with
/// `Box::into_raw`; NULL is a no-op. Every `sendlint_*_free` of a handle.
///
/// # Safety
/// `handle` is NULL or a pointer from this library's constructor of `T`,
/// not yet freed, that no other thread uses.
pub(crate) unsafe fn free_handle<T>(handle: *mut T) {
    if !handle.is_null() {
        // SAFETY: the caller's contract above.
        drop(unsafe { Box::from_raw(handle) });
    }
}

/// A string for C to own (freed with `sendlint_string_free`).
pub(crate) fn c_string(text: String) -> Result<*mut c_char, Failure> {
    CString::new(text).map(CString::into_raw).map_err(|_| {
        Failure::new(
            sendlint_status::SENDLINT_INVALID_INPUT,
            "the result holds a NUL byte and cannot be a C string",
        )
    })
}

/// The engine of the built-in policy, built on first use, for `sendlint_record`.
fn builtin_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

/// The version of the library, e.g. `"0.1.0"`.
///
/// Ownership: a static string; do not free it. Thread-safety: any thread.
#[no_mangle]
pub extern "C" fn sendlint_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// This thread's message for its last failed call (`""` when none failed yet).
/// Calls that succeed leave it as it was.
///
/// Ownership: the library's; valid until this thread's next failing call. Do
/// not free it. Thread-safety: each thread has its own.
#[no_mangle]
pub extern "C" fn sendlint_last_error() -> *const c_char {
    ffi_boundary!(default = c"".as_ptr(); {
        LAST_ERROR.with(|last| {
            last.borrow()
                .as_ref()
                .map_or(c"".as_ptr(), |message| message.as_ptr())
        })
    })
}

/// Builds an engine from a policy, TOML or JSON text (JSON when its first
/// character after blanks and a byte order mark is `{`), `policy_len` bytes at `policy`; NULL `policy`
/// means the built-in policy (`policy_len` is then ignored).
///
/// On success `*out` is a new engine; on failure it is NULL
/// (`SENDLINT_INVALID_POLICY` names the line and column or the key).
///
/// Ownership: the caller owns `*out` and frees it with `sendlint_engine_free`.
/// Thread-safety: any thread; the engine may then be shared by all threads.
#[no_mangle]
pub unsafe extern "C" fn sendlint_engine_new(
    policy: *const c_char,
    policy_len: usize,
    out: *mut *mut sendlint_engine,
) -> sendlint_status {
    ffi_boundary!({
        let out = arg!(out out);
        let policy = if policy.is_null() {
            Policy::default()
        } else {
            let text = arg!(str policy, policy_len);
            // A JSON policy may start with a byte order mark (as Policy::from_json reads).
            if text
                .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                .starts_with('{')
            {
                Policy::from_json(text)?
            } else {
                Policy::from_toml(text)?
            }
        };
        let engine = Engine::new(policy)?;
        *out = Box::into_raw(Box::new(sendlint_engine { engine }));
        Ok(())
    })
}

/// Frees an engine. NULL is a no-op.
///
/// Ownership: takes `engine` back; it must not be used afterwards. Thread-safety:
/// only once no other thread uses the engine.
#[no_mangle]
pub unsafe extern "C" fn sendlint_engine_free(engine: *mut sendlint_engine) {
    // SAFETY: the caller's contract (a handle from `sendlint_engine_new`, not yet freed).
    ffi_boundary!(default = (); { unsafe { free_handle(engine) } })
}

/// Creates an empty history whose recipient ids are keyed with the environment
/// variable `SENDLINT_HISTORY_KEY` when it is set, otherwise with a random key
/// that lives as long as the process (recipients then match only within it).
///
/// Ownership: the caller owns `*out` (NULL on failure) and frees it with
/// `sendlint_history_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_history_new(out: *mut *mut sendlint_history) -> sendlint_status {
    ffi_boundary!({
        let out = arg!(out out);
        *out = Box::into_raw(Box::new(sendlint_history {
            history: History::new(),
        }));
        Ok(())
    })
}

/// Creates an empty history whose recipient ids are keyed with `key_len` bytes
/// at `key`, a secret the caller keeps (at least 16 random bytes): it is never
/// saved, and the same key must be given to `sendlint_history_load`. An empty
/// key is `SENDLINT_INVALID_INPUT`.
///
/// Ownership: the key is copied; the caller owns `*out` (NULL on failure) and
/// frees it with `sendlint_history_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_history_new_with_key(
    key: *const u8,
    key_len: usize,
    out: *mut *mut sendlint_history,
) -> sendlint_status {
    ffi_boundary!({
        let out = arg!(out out);
        let history = History::with_key(arg!(bytes key, key_len))?;
        *out = Box::into_raw(Box::new(sendlint_history { history }));
        Ok(())
    })
}

/// Reads a history saved by `sendlint_history_save` from the file at
/// `path_len` bytes at `path` (any bytes on Unix). With `key` NULL the key is
/// `SENDLINT_HISTORY_KEY` (or none); otherwise `key_len` bytes at `key`, the key
/// it was recorded with.
///
/// Errors: `SENDLINT_IO` when the file cannot be read, `SENDLINT_INVALID_HISTORY`
/// when it is corrupt, foreign, of another version or saved with another key.
///
/// Ownership: the caller owns `*out` (NULL on failure) and frees it with
/// `sendlint_history_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_history_load(
    path: *const c_char,
    path_len: usize,
    key: *const u8,
    key_len: usize,
    out: *mut *mut sendlint_history,
) -> sendlint_status {
    ffi_boundary!({
        let out = arg!(out out);
        let file = path_from_bytes(arg!(bytes path, path_len), "path")?;
        let history = if key.is_null() {
            History::load(&file)?
        } else {
            History::load_with_key(&file, arg!(bytes key, key_len))?
        };
        *out = Box::into_raw(Box::new(sendlint_history { history }));
        Ok(())
    })
}

/// Writes the history to the file at `path_len` bytes at `path` atomically (a
/// temporary file renamed over it; readable by its owner only). The key is
/// never written, only its fingerprint.
///
/// Errors: `SENDLINT_IO` when the file cannot be written.
///
/// Ownership: borrows `history`. Thread-safety: may run while other threads
/// check against the history; not while one records into it.
#[no_mangle]
pub unsafe extern "C" fn sendlint_history_save(
    history: *const sendlint_history,
    path: *const c_char,
    path_len: usize,
) -> sendlint_status {
    ffi_boundary!({
        let history = arg!(ref history);
        let file = path_from_bytes(arg!(bytes path, path_len), "path")?;
        history.history.save(&file)?;
        Ok(())
    })
}

/// The number of sends recorded in the history; 0 for NULL.
///
/// Ownership: borrows `history`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_history_len(history: *const sendlint_history) -> usize {
    ffi_boundary!(default = 0; {
        arg!(ref_or_null history).map_or(0, |h| h.history.len())
    })
}

/// Frees a history. NULL is a no-op. Unsaved records are lost: save first.
///
/// Ownership: takes `history` back; it must not be used afterwards.
/// Thread-safety: only once no other thread uses the history.
#[no_mangle]
pub unsafe extern "C" fn sendlint_history_free(history: *mut sendlint_history) {
    // SAFETY: the caller's contract (a handle from a `sendlint_history_*` constructor, not yet freed).
    ffi_boundary!(default = (); { unsafe { free_handle(history) } })
}

/// Builds a group's topic from its recent messages: `n` texts, text `i` being
/// `lens[i]` bytes at `texts[i]` (UTF-8; at most 4 MiB in all).
///
/// Ownership: the texts are read, not kept; the caller owns `*out` (NULL on
/// failure) and frees it with `sendlint_topic_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_topic_from_texts(
    texts: *const *const c_char,
    lens: *const usize,
    n: usize,
    out: *mut *mut sendlint_topic,
) -> sendlint_status {
    ffi_boundary!({
        let out = arg!(out out);
        let pointers = arg!(array texts, n);
        let lengths = arg!(array lens, n);
        let mut strings = Vec::with_capacity(n);
        for (i, (&text, &len)) in pointers.iter().zip(lengths).enumerate() {
            let name = format!("texts[{i}]");
            // SAFETY: `texts[i]` points to `lens[i]` bytes (the documented contract).
            let bytes = unsafe { slice(text.cast::<u8>(), len, &name) }?;
            strings.push(utf8(bytes, &name)?);
        }
        let topic = Topic::from_texts(strings)?;
        *out = Box::into_raw(Box::new(sendlint_topic { topic }));
        Ok(())
    })
}

/// Reads a topic written by `sendlint_topic_to_json`, `len` bytes at `json`.
///
/// Errors: `SENDLINT_INVALID_UTF8`, `SENDLINT_INVALID_JSON` (naming the field).
///
/// Ownership: the caller owns `*out` (NULL on failure) and frees it with
/// `sendlint_topic_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_topic_from_json(
    json: *const c_char,
    len: usize,
    out: *mut *mut sendlint_topic,
) -> sendlint_status {
    ffi_boundary!({
        let out = arg!(out out);
        let topic = Topic::from_json(arg!(str json, len))?;
        *out = Box::into_raw(Box::new(sendlint_topic { topic }));
        Ok(())
    })
}

/// Writes the topic as JSON (what `sendlint_topic_from_json` reads) to `*json_out`.
///
/// Ownership: borrows `topic`; the caller owns `*json_out` (NULL on failure)
/// and frees it with `sendlint_string_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_topic_to_json(
    topic: *const sendlint_topic,
    json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let json_out = arg!(out json_out);
        let topic = arg!(ref topic);
        *json_out = c_string(topic.topic.to_json())?;
        Ok(())
    })
}

/// The share of the text's content words that the topic uses, in [0, 1], to
/// `*out` (0 on failure); `len` bytes of UTF-8 at `text`.
///
/// Ownership: borrows both. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_topic_relevance(
    topic: *const sendlint_topic,
    text: *const c_char,
    len: usize,
    out: *mut f64,
) -> sendlint_status {
    ffi_boundary!({
        let out = arg!(out out);
        let topic = arg!(ref topic);
        *out = topic.topic.relevance(arg!(str text, len));
        Ok(())
    })
}

/// Frees a topic. NULL is a no-op.
///
/// Ownership: takes `topic` back; it must not be used afterwards.
/// Thread-safety: only once no other thread uses the topic.
#[no_mangle]
pub unsafe extern "C" fn sendlint_topic_free(topic: *mut sendlint_topic) {
    // SAFETY: the caller's contract (a handle from a `sendlint_topic_*` constructor, not yet freed).
    ffi_boundary!(default = (); { unsafe { free_handle(topic) } })
}

/// The hot path: checks a bare text (`len` bytes of UTF-8 at `text`, no context)
/// and writes the summary to `*out` (zeroed on failure).
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_INPUT` for a text over the
/// policy's `limits.max_text_bytes`.
///
/// Ownership: borrows everything; nothing for the caller to free.
/// Thread-safety: any number of threads may check with one engine at once.
#[no_mangle]
pub unsafe extern "C" fn sendlint_check_text(
    engine: *const sendlint_engine,
    text: *const c_char,
    len: usize,
    out: *mut sendlint_summary,
) -> sendlint_status {
    ffi_boundary!({
        let out = arg!(out out);
        let engine = arg!(ref engine);
        let report = engine
            .engine
            .check(&sendlint_core::Message::new(arg!(str text, len)))?;
        *out = sendlint_summary {
            risk: report.risk,
            verdict: match report.verdict {
                Verdict::Allow => sendlint_verdict::SENDLINT_VERDICT_ALLOW,
                Verdict::Block => sendlint_verdict::SENDLINT_VERDICT_BLOCK,
                // Review, and verdicts added to the core later.
                _ => sendlint_verdict::SENDLINT_VERDICT_REVIEW,
            },
            n_findings: u32::try_from(report.findings.len()).unwrap_or(u32::MAX),
            rules: report.rule_bits(),
        };
        Ok(())
    })
}

/// The full check: a message as one JSON object (`len` bytes at
/// `message_json`, the shape of a line of the command line's JSON Lines: `text`
/// and optional `id`, `account`, `group`, `recipients`, `at` (RFC 3339), `kind`,
/// `dead_links`), checked against `history` (may be NULL: no history rules),
/// and the report as JSON (the README's "Report JSON") to `*report_json_out`.
///
/// Errors: `SENDLINT_INVALID_UTF8`, `SENDLINT_INVALID_JSON` (naming the line,
/// column and field), `SENDLINT_INVALID_INPUT`.
///
/// Ownership: borrows the rest; the caller owns `*report_json_out` (NULL on
/// failure) and frees it with `sendlint_string_free`. Thread-safety: any number
/// of threads may check at once, also against one history.
#[no_mangle]
pub unsafe extern "C" fn sendlint_check(
    engine: *const sendlint_engine,
    history: *const sendlint_history,
    message_json: *const c_char,
    len: usize,
    report_json_out: *mut *mut c_char,
) -> sendlint_status {
    // SAFETY: the same contract, with no topic.
    unsafe {
        sendlint_check_with_topic(
            engine,
            history,
            ptr::null(),
            message_json,
            len,
            report_json_out,
        )
    }
}

/// As `sendlint_check`, also against the group's `topic` for `off_topic` (may
/// be NULL, as may `history`).
///
/// Ownership and thread-safety as `sendlint_check`.
#[no_mangle]
pub unsafe extern "C" fn sendlint_check_with_topic(
    engine: *const sendlint_engine,
    history: *const sendlint_history,
    topic: *const sendlint_topic,
    message_json: *const c_char,
    len: usize,
    report_json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let report_json_out = arg!(out report_json_out);
        let engine = arg!(ref engine);
        let owned = OwnedMessage::from_json(arg!(str message_json, len))?;
        let mut message = owned.message();
        if let Some(history) = arg!(ref_or_null history) {
            message = message.history(&history.history);
        }
        if let Some(topic) = arg!(ref_or_null topic) {
            message = message.topic(&topic.topic);
        }
        *report_json_out = c_string(engine.engine.check(&message)?.to_json())?;
        Ok(())
    })
}

/// Records a send that really went out (a message as JSON, as for
/// `sendlint_check`) in `history`, with the built-in policy's thresholds and
/// retention. With a policy of your own, use `sendlint_engine_record` so the
/// same ones apply.
///
/// Errors: as `sendlint_check`; `SENDLINT_INVALID_INPUT` also for a time more
/// than 24 hours ahead of the system clock.
///
/// Ownership: borrows both. Thread-safety: record from one thread at a time
/// per history; checks on other threads may read it meanwhile.
#[no_mangle]
pub unsafe extern "C" fn sendlint_record(
    history: *mut sendlint_history,
    message_json: *const c_char,
    len: usize,
) -> sendlint_status {
    ffi_boundary!({
        let history = arg!(ref history);
        let owned = OwnedMessage::from_json(arg!(str message_json, len))?;
        builtin_engine().record(&history.history, &owned.message())?;
        Ok(())
    })
}

/// As `sendlint_record`, with `engine`'s policy.
///
/// Ownership and thread-safety as `sendlint_record`; the engine may be shared.
#[no_mangle]
pub unsafe extern "C" fn sendlint_engine_record(
    engine: *const sendlint_engine,
    history: *mut sendlint_history,
    message_json: *const c_char,
    len: usize,
) -> sendlint_status {
    ffi_boundary!({
        let engine = arg!(ref engine);
        let history = arg!(ref history);
        let owned = OwnedMessage::from_json(arg!(str message_json, len))?;
        engine.engine.record(&history.history, &owned.message())?;
        Ok(())
    })
}

/// Records that a user reported the message's content (one report per call;
/// the message as JSON, as for `sendlint_check`), for `reported_content`.
///
/// Ownership and thread-safety as `sendlint_record`.
#[no_mangle]
pub unsafe extern "C" fn sendlint_engine_record_report(
    engine: *const sendlint_engine,
    history: *mut sendlint_history,
    message_json: *const c_char,
    len: usize,
) -> sendlint_status {
    ffi_boundary!({
        let engine = arg!(ref engine);
        let history = arg!(ref history);
        let owned = OwnedMessage::from_json(arg!(str message_json, len))?;
        engine
            .engine
            .record_report(&history.history, &owned.message())?;
        Ok(())
    })
}

/// Frees a string this library returned. NULL is a no-op.
///
/// Ownership: takes `string` back; it must not be used afterwards.
/// Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_string_free(string: *mut c_char) {
    ffi_boundary!(default = (); {
        if !string.is_null() {
            // SAFETY: a string from this library (`CString::into_raw`), not yet freed.
            drop(unsafe { CString::from_raw(string) });
        }
    })
}

/// The rule id (`"bait_word"`) of bit `bit` of `sendlint_summary.rules`, or
/// NULL when no rule has that bit.
///
/// Ownership: a static string; do not free it. Thread-safety: any thread.
#[no_mangle]
pub extern "C" fn sendlint_rule_name(bit: u32) -> *const c_char {
    ffi_boundary!(default = ptr::null(); {
        static NAMES: OnceLock<Vec<(RuleId, CString)>> = OnceLock::new();
        let names = NAMES.get_or_init(|| {
            RuleId::ALL
                .iter()
                .map(|&rule| (rule, CString::new(rule.as_str()).expect("rule ids have no NUL")))
                .collect()
        });
        RuleId::from_bit(bit)
            .and_then(|rule| names.iter().find(|(r, _)| *r == rule))
            .map_or(ptr::null(), |(_, name)| name.as_ptr())
    })
}

/// The bit in `sendlint_summary.rules` of the rule id `len` bytes at `name`
/// (`"bait_word"` → 0), or -1 when `name` is NULL, not UTF-8 or no rule's id.
///
/// Ownership: borrows `name`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_rule_bit(name: *const c_char, len: usize) -> i32 {
    ffi_boundary!(default = -1; {
        let lookup = || -> Result<i32, Failure> {
            let name = arg!(str name, len);
            RuleId::from_name(name)
                .map(|rule| rule.bit() as i32)
                .ok_or_else(|| Failure::new(
                    sendlint_status::SENDLINT_INVALID_INPUT,
                    format!("{name:?} is not a rule id"),
                ))
        };
        lookup().unwrap_or_else(|failure| {
            failure.record();
            -1
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn rule_constants_are_the_core_bits() {
        let constants = [
            (SENDLINT_RULE_BAIT_WORD, "bait_word"),
            (SENDLINT_RULE_MISSING_AD_LABEL, "missing_ad_label"),
            (SENDLINT_RULE_MASS_MENTION, "mass_mention"),
            (SENDLINT_RULE_INVALID_LINK, "invalid_link"),
            (SENDLINT_RULE_RISKY_LINK, "risky_link"),
            (SENDLINT_RULE_PII_EXPOSURE, "pii_exposure"),
            (SENDLINT_RULE_MISSING_OPT_OUT, "missing_opt_out"),
            (SENDLINT_RULE_NEAR_DUPLICATE, "near_duplicate"),
            (SENDLINT_RULE_DUPLICATE_SHARE, "duplicate_share"),
            (SENDLINT_RULE_FATIGUE, "fatigue"),
            (SENDLINT_RULE_DAILY_VOLUME, "daily_volume"),
            (SENDLINT_RULE_CONTENT_MIX, "content_mix"),
            (SENDLINT_RULE_LINK_STREAK, "link_streak"),
            (SENDLINT_RULE_MASS_MENTION_REPEAT, "mass_mention_repeat"),
            (SENDLINT_RULE_OFF_TOPIC, "off_topic"),
            (SENDLINT_RULE_REPORTED_CONTENT, "reported_content"),
            (SENDLINT_RULE_NO_CONSENT, "no_consent"),
            (SENDLINT_RULE_OPTED_OUT, "opted_out"),
            (SENDLINT_RULE_UNTARGETED, "untargeted"),
        ];
        assert_eq!(
            constants.len(),
            RuleId::ALL.len(),
            "every rule has a constant"
        );
        for (mask, name) in constants {
            let rule = RuleId::from_name(name).unwrap();
            assert_eq!(mask, 1u64 << rule.bit(), "{name}");
            let c_name = sendlint_rule_name(rule.bit());
            // SAFETY: a static NUL-terminated string from this library.
            assert_eq!(unsafe { CStr::from_ptr(c_name) }.to_str().unwrap(), name);
            assert_eq!(
                // SAFETY: `name` is `name.len()` readable bytes.
                unsafe { sendlint_rule_bit(name.as_ptr().cast(), name.len()) },
                rule.bit() as i32
            );
        }
        assert!(sendlint_rule_name(63).is_null());
    }

    fn last_error() -> String {
        // SAFETY: a NUL-terminated string owned by this thread's slot.
        unsafe { CStr::from_ptr(sendlint_last_error()) }
            .to_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let status = ffi_boundary!({
            let messages: Vec<&str> = Vec::new();
            let _ = messages[3];
            Ok(())
        });
        assert_eq!(status, sendlint_status::SENDLINT_PANIC);
        assert!(
            last_error().starts_with("internal error in sendlint"),
            "{}",
            last_error()
        );
        assert!(
            last_error().contains("index out of bounds"),
            "{}",
            last_error()
        );
        let value: i32 = ffi_boundary!(default = -7; { panic!("boom") });
        assert_eq!(value, -7);
        assert!(last_error().ends_with("boom"));
    }

    #[test]
    fn error_kinds_map_to_statuses() {
        use sendlint_status::*;
        let status = |err: Error| Failure::from(err).status;
        assert_eq!(
            status(Policy::from_toml("schema_version = [").unwrap_err()),
            SENDLINT_INVALID_POLICY
        );
        assert_eq!(
            status(OwnedMessage::from_json("{").unwrap_err()),
            SENDLINT_INVALID_JSON
        );
        assert_eq!(
            status(History::with_key(b"").unwrap_err()),
            SENDLINT_INVALID_INPUT
        );
        assert_eq!(
            status(History::load("/nonexistent/sendlint/history.json").unwrap_err()),
            SENDLINT_IO
        );
        assert_eq!(
            status(History::from_json("{}").unwrap_err()),
            SENDLINT_INVALID_HISTORY
        );
    }

    #[test]
    fn messages_with_nul_stay_readable() {
        let status = Failure::new(sendlint_status::SENDLINT_INVALID_INPUT, "a\0b").record();
        assert_eq!(status, sendlint_status::SENDLINT_INVALID_INPUT);
        assert_eq!(last_error(), "a\\0b");
    }
}
