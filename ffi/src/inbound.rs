//! The inbound exports (issue 9): triage of what customers write (15-5-1,
//! opt-outs, complaints) and an account's reply-time health, through JSON
//! read by the core; this file only converts types, through lib.rs's
//! `ffi_boundary!` and `arg!`.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use sendlint_core::{Exchange, OwnedInbound};

use super::audience::unix_or_now;
use super::{c_string, sendlint_engine, sendlint_status, slice, utf8, Empty, Failure};

/// Triages one inbound message, a JSON object of `len` bytes at `inbound_json`
/// in the shape of a line of `sendlint inbound`'s input: `text` (required) and
/// optionally `id`, `at` (RFC 3339, when it was received; now when absent),
/// `sender` and `account`. The triage as JSON to `*triage_json_out`:
/// `priority` (`complaint`, `urgent`, `question` or `other`),
/// `reply_within_minutes` (1, 5, 15 or null), `reply_due`, `received`,
/// `sender`, `account`, `opt_out` (null, or the phrase, language and time of
/// the request to stop) and `cues`. Pass it to `sendlint_audience_apply_triage`
/// to opt the sender out.
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_JSON` naming the line,
/// column and field; `SENDLINT_INVALID_INPUT` for a text over the policy's
/// `limits.max_text_bytes`.
///
/// Ownership: borrows the rest; the caller owns `*triage_json_out` (NULL on
/// failure) and frees it with `sendlint_string_free`. Thread-safety: any number
/// of threads may triage with one engine at once.
#[no_mangle]
pub unsafe extern "C" fn sendlint_triage(
    engine: *const sendlint_engine,
    inbound_json: *const c_char,
    len: usize,
    triage_json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let triage_json_out = arg!(out triage_json_out);
        let engine = arg!(ref engine);
        let owned = OwnedInbound::from_json(arg!(str inbound_json, len))?;
        *triage_json_out = c_string(engine.engine.triage(&owned.inbound())?.to_json())?;
        Ok(())
    })
}

/// An account's reply-time health from its exchanges, a JSON array of `len`
/// bytes at `exchanges_json`, each an object with `received` (RFC 3339),
/// `replied` (absent or null: not answered yet) and optionally `reply_due` (a
/// triage's `reply_due`), as of `now_unix` (Unix seconds; negative: the system
/// clock). The health as JSON to `*health_json_out`: `state` (`healthy`,
/// `priority_lowered` above a 6 h mean, `ads_low_priority` above 24 h),
/// `mean_response_seconds`, `priority_factor`, `on_time_share`, `measured`,
/// `answered`, `overdue`, `pending`, `now`, `window_start`.
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_JSON` naming the field
/// (`[2].replied`); `SENDLINT_INVALID_INPUT` naming the exchange whose reply or
/// due time lies before it was received.
///
/// Ownership: borrows the rest; the caller owns `*health_json_out` (NULL on
/// failure) and frees it with `sendlint_string_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_reply_health(
    engine: *const sendlint_engine,
    exchanges_json: *const c_char,
    len: usize,
    now_unix: i64,
    health_json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let health_json_out = arg!(out health_json_out);
        let engine = arg!(ref engine);
        let exchanges = Exchange::list_from_json(arg!(str exchanges_json, len))?;
        let now = unix_or_now(now_unix, "now_unix")?;
        let health = engine.engine.reply_health(&exchanges, Some(now))?;
        *health_json_out = c_string(health.to_json())?;
        Ok(())
    })
}
