//! The audience exports (issue 9): contacts, consent, opt-outs, labels, CSV
//! import, pseudonyms, and checks against an audience. Structs of strings and
//! optional times go through JSON, read by the core (`sendlint::audience`);
//! this file only converts types, through lib.rs's `ffi_boundary!` and `arg!`.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use jiff::Timestamp;
use sendlint_core::audience::{Audience, AudienceError, Consent, ImportOptions, InteractionKind};
use sendlint_core::{OwnedMessage, Triage};

use super::{
    c_string, free_handle, path_from_bytes, sendlint_engine, sendlint_history, sendlint_status,
    sendlint_topic, slice, utf8, Empty, Failure,
};

/// Contacts keyed by E.164 number, their labels, consent records and opt-outs.
/// Opaque. Thread-safe: it is locked inside, so any number of threads may read
/// it (select, check) at once; a change (import, opt-out, …) waits for them and
/// they for it.
#[allow(non_camel_case_types)]
pub struct sendlint_audience {
    audience: RwLock<Audience>,
}

impl sendlint_audience {
    fn boxed(audience: Audience) -> *mut sendlint_audience {
        Box::into_raw(Box::new(sendlint_audience {
            audience: RwLock::new(audience),
        }))
    }

    // The core builds every change fully before applying it, so a panic cannot
    // leave a half-changed audience behind a poisoned lock: use it anyway.
    fn read(&self) -> RwLockReadGuard<'_, Audience> {
        self.audience.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Audience> {
        self.audience.write().unwrap_or_else(|p| p.into_inner())
    }
}

impl From<AudienceError> for Failure {
    fn from(err: AudienceError) -> Failure {
        use sendlint_status::*;
        let status = match &err {
            AudienceError::ImportStopped(_) => SENDLINT_IMPORT_STOPPED,
            AudienceError::File { kind: Some(_), .. } => SENDLINT_IO,
            AudienceError::File { .. } => SENDLINT_INVALID_AUDIENCE,
            // The core reports an unreadable contact file and an unreadable
            // content alike; C callers tell them apart by status, as for histories.
            AudienceError::Import {
                path: Some(path), ..
            } if !is_readable_file(path) => SENDLINT_IO,
            AudienceError::Import { .. } => SENDLINT_INVALID_AUDIENCE,
            // Phone numbers, expressions (the message names the column), labels,
            // contacts, inputs, and kinds added to the core later.
            _ => SENDLINT_INVALID_INPUT,
        };
        Failure::new(status, err.to_string())
    }
}

fn is_readable_file(path: &std::path::Path) -> bool {
    std::fs::File::open(path)
        .and_then(|file| file.metadata())
        .is_ok_and(|meta| meta.is_file())
}

/// `seconds` since the Unix epoch as a time; a negative number means now (the
/// system clock), the convention of every `at_unix` and `now_unix` argument.
pub(crate) fn unix_or_now(seconds: i64, name: &str) -> Result<Timestamp, Failure> {
    if seconds < 0 {
        return Ok(Timestamp::now());
    }
    Timestamp::from_second(seconds).map_err(|_| {
        Failure::new(
            sendlint_status::SENDLINT_INVALID_INPUT,
            format!(
                "{name}: unix time {seconds} is after the latest time sendlint can represent ({})",
                Timestamp::MAX.as_second()
            ),
        )
    })
}

/// A list of strings as a JSON array.
fn json_list(items: &[String]) -> Result<*mut c_char, Failure> {
    let json = serde_json::to_string(items).map_err(|err| {
        Failure::new(
            sendlint_status::SENDLINT_INVALID_INPUT,
            format!("cannot write the list as JSON: {err}"),
        )
    })?;
    c_string(json)
}

/// Creates an empty audience with the labels of a JSON array of strings,
/// `labels_len` bytes at `labels_json` (`["VIP", "Interesse-Make-up"]`); NULL
/// means no labels (`labels_len` is then ignored). Phone numbers need a country
/// code until `sendlint_audience_set_default_region`.
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_JSON` naming the element
/// that is not a string; `SENDLINT_INVALID_INPUT` for an empty, over-long or
/// repeated label name.
///
/// Ownership: the caller owns `*out` (NULL on failure) and frees it with
/// `sendlint_audience_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_new(
    labels_json: *const c_char,
    labels_len: usize,
    out: *mut *mut sendlint_audience,
) -> sendlint_status {
    ffi_boundary!({
        let out = arg!(out out);
        let audience = if labels_json.is_null() {
            Audience::new(Vec::<String>::new())?
        } else {
            Audience::from_labels_json(arg!(str labels_json, labels_len))?
        };
        *out = sendlint_audience::boxed(audience);
        Ok(())
    })
}

/// Frees an audience. NULL is a no-op. Unsaved changes are lost: save first.
///
/// Ownership: takes `audience` back; it must not be used afterwards.
/// Thread-safety: only once no other thread uses the audience.
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_free(audience: *mut sendlint_audience) {
    // SAFETY: the caller's contract (a handle from a `sendlint_audience_*`
    // constructor, not yet freed).
    ffi_boundary!(default = (); { unsafe { free_handle(audience) } })
}

/// Reads an audience saved by `sendlint_audience_save` from the file at
/// `path_len` bytes at `path` (any bytes on Unix).
///
/// Errors: `SENDLINT_IO` when the file cannot be read; `SENDLINT_INVALID_AUDIENCE`
/// when it is corrupt, foreign or of another version.
///
/// Ownership: the caller owns `*out` (NULL on failure) and frees it with
/// `sendlint_audience_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_load(
    path: *const c_char,
    path_len: usize,
    out: *mut *mut sendlint_audience,
) -> sendlint_status {
    ffi_boundary!({
        let out = arg!(out out);
        let file = path_from_bytes(arg!(bytes path, path_len), "path")?;
        *out = sendlint_audience::boxed(Audience::load(file)?);
        Ok(())
    })
}

/// Writes the audience to the file at `path_len` bytes at `path` atomically (a
/// temporary file renamed over it), versioned, for `sendlint_audience_load`.
///
/// Errors: `SENDLINT_IO` when the file cannot be written.
///
/// Ownership: borrows `audience`. Thread-safety: any thread; waits for changes
/// in progress.
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_save(
    audience: *const sendlint_audience,
    path: *const c_char,
    path_len: usize,
) -> sendlint_status {
    ffi_boundary!({
        let audience = arg!(ref audience);
        let file = path_from_bytes(arg!(bytes path, path_len), "path")?;
        audience.read().save(file)?;
        Ok(())
    })
}

/// The number of contacts in the audience (opted-out ones included); 0 for NULL.
///
/// Ownership: borrows `audience`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_len(audience: *const sendlint_audience) -> usize {
    ffi_boundary!(default = 0; {
        arg!(ref_or_null audience).map_or(0, |a| a.read().len())
    })
}

/// Reads national numbers (`(030) 1234567`) as numbers of the region
/// `region_len` bytes at `region` (ISO 3166 alpha-2, `"DE"`) wherever this
/// audience takes a phone number; NULL `region` requires a country code again.
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_INPUT` for an unknown region.
///
/// Ownership: borrows both. Thread-safety: any thread (a change: it waits for readers).
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_set_default_region(
    audience: *mut sendlint_audience,
    region: *const c_char,
    region_len: usize,
) -> sendlint_status {
    ffi_boundary!({
        let audience = arg!(ref audience);
        let region = if region.is_null() {
            None
        } else {
            Some(arg!(str region, region_len))
        };
        audience.write().set_default_region(region)?;
        Ok(())
    })
}

/// The import itself, from a file or from bytes: the report to `*report_json_out`
/// on success and also when the import stopped (`SENDLINT_IMPORT_STOPPED`).
fn import(
    audience: &sendlint_audience,
    options: &ImportOptions,
    report_json_out: &mut *mut c_char,
    run: impl FnOnce(
        &mut Audience,
        &ImportOptions,
    ) -> Result<sendlint_core::audience::ImportReport, AudienceError>,
) -> Result<(), Failure> {
    let result = run(&mut audience.write(), options);
    match result {
        Ok(report) => {
            *report_json_out = c_string(report.to_json())?;
            Ok(())
        }
        Err(AudienceError::ImportStopped(report)) => {
            let json = report.to_json();
            let failure = Failure::from(AudienceError::ImportStopped(report));
            *report_json_out = c_string(json)?;
            Err(failure)
        }
        Err(err) => Err(err.into()),
    }
}

/// The import options of `options_json` (NULL: the defaults).
///
/// # Safety
/// As every pointer-and-length pair.
unsafe fn import_options(
    options_json: *const c_char,
    options_len: usize,
) -> Result<ImportOptions, Failure> {
    if options_json.is_null() {
        return Ok(ImportOptions::new());
    }
    Ok(ImportOptions::from_json(
        arg!(str options_json, options_len),
    )?)
}

/// Imports contacts from a CSV or TXT file (UTF-8; comma, semicolon or tab
/// separated; English or German headers: `phone`/`Telefonnummer`,
/// `labels`/`Label-Name`, `consent_at`, `consent_method`, `consent_source`) at
/// `path_len` bytes at `path`, with options as a JSON object, `options_len` bytes
/// at `options_json` (NULL: defaults): `default_region` (`"DE"`, how national
/// numbers are read) and `threads`. The import report as JSON to
/// `*report_json_out`: `rows`, `accepted`, `added`, `failed`, `issues` (each
/// `row`, `reason` — `duplicate`, `invalid_phone`, `unknown_label`,
/// `missing_consent`, … — and `message`), `delimiter`, `format`, `batches`,
/// `applied`, `stop_reason`.
///
/// Errors: `SENDLINT_IMPORT_STOPPED` when more than 10 % of a batch's rows
/// failed: nothing was imported, and — unlike every other failure —
/// `*report_json_out` holds the report (`"applied": false`) saying which rows
/// and why. `SENDLINT_IO` when the file cannot be read; `SENDLINT_INVALID_AUDIENCE`
/// when it cannot be imported at all (empty, UTF-16, no phone column);
/// `SENDLINT_INVALID_JSON` for bad options. The audience is unchanged on any error.
///
/// Ownership: borrows the rest; the caller owns `*report_json_out` (NULL on
/// other failures) and frees it with `sendlint_string_free`. Thread-safety: any
/// thread (a change: it waits for readers).
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_import_csv(
    audience: *mut sendlint_audience,
    path: *const c_char,
    path_len: usize,
    options_json: *const c_char,
    options_len: usize,
    report_json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let report_json_out = arg!(out report_json_out);
        let audience = arg!(ref audience);
        let file = path_from_bytes(arg!(bytes path, path_len), "path")?;
        // SAFETY: the caller's pointer-and-length contract.
        let options = unsafe { import_options(options_json, options_len) }?;
        import(audience, &options, report_json_out, |a, o| {
            a.import_csv_path(&file, o)
        })
    })
}

/// As `sendlint_audience_import_csv`, from the `len` bytes of a CSV or TXT file
/// at `data` (any bytes: rows that are not UTF-8 are reported, not refused).
///
/// Ownership and thread-safety as `sendlint_audience_import_csv`.
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_import_csv_bytes(
    audience: *mut sendlint_audience,
    data: *const c_char,
    len: usize,
    options_json: *const c_char,
    options_len: usize,
    report_json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let report_json_out = arg!(out report_json_out);
        let audience = arg!(ref audience);
        let bytes = arg!(bytes data, len);
        // SAFETY: the caller's pointer-and-length contract.
        let options = unsafe { import_options(options_json, options_len) }?;
        import(audience, &options, report_json_out, |a, o| {
            a.import_csv(bytes, o)
        })
    })
}

/// The E.164 numbers of the contacts a label expression selects (`len` bytes
/// at `expression`: label names with `AND`, `OR`, `NOT`, brackets, and quotes
/// around names with spaces), in the order they were added, as a JSON array of
/// strings to `*numbers_json_out`. Opted-out contacts and contacts without
/// consent are included (the rules report them); see
/// `sendlint_audience_select_sendable`.
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_INPUT` for an expression
/// that does not parse or names an unknown label (the message names the column).
///
/// Ownership: borrows the rest; the caller owns `*numbers_json_out` (NULL on
/// failure) and frees it with `sendlint_string_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_select(
    audience: *const sendlint_audience,
    expression: *const c_char,
    len: usize,
    numbers_json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let numbers_json_out = arg!(out numbers_json_out);
        let audience = arg!(ref audience);
        let numbers = audience.read().select(arg!(str expression, len))?;
        *numbers_json_out = json_list(&numbers)?;
        Ok(())
    })
}

/// As `sendlint_audience_select`, without contacts lacking consent or opted out:
/// the numbers a send may go to.
///
/// Ownership and thread-safety as `sendlint_audience_select`.
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_select_sendable(
    audience: *const sendlint_audience,
    expression: *const c_char,
    len: usize,
    numbers_json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let numbers_json_out = arg!(out numbers_json_out);
        let audience = arg!(ref audience);
        let numbers = audience.read().select_sendable(arg!(str expression, len))?;
        *numbers_json_out = json_list(&numbers)?;
        Ok(())
    })
}

/// Adds a contact (`phone_len` bytes at `phone`) with the labels of a JSON array
/// of strings (`labels_json`; NULL: none), or adds the labels to an existing
/// contact, added at `at_unix` (Unix seconds; negative: now). Its E.164 number
/// to `*e164_out`. A contact needs consent (`sendlint_audience_set_consent`)
/// before sends to it pass `no_consent`.
///
/// Errors: `SENDLINT_INVALID_UTF8`, `SENDLINT_INVALID_JSON`;
/// `SENDLINT_INVALID_INPUT` for an invalid number (the message says why) or an
/// unknown label.
///
/// Ownership: borrows the rest; the caller owns `*e164_out` (NULL on failure)
/// and frees it with `sendlint_string_free`. Thread-safety: any thread (a change).
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_add_contact(
    audience: *mut sendlint_audience,
    phone: *const c_char,
    phone_len: usize,
    labels_json: *const c_char,
    labels_len: usize,
    at_unix: i64,
    e164_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let e164_out = arg!(out e164_out);
        let audience = arg!(ref audience);
        let phone = arg!(str phone, phone_len);
        let labels: Vec<String> = if labels_json.is_null() {
            Vec::new()
        } else {
            Audience::label_list_from_json(arg!(str labels_json, labels_len))?
        };
        let names: Vec<&str> = labels.iter().map(String::as_str).collect();
        let at = unix_or_now(at_unix, "at_unix")?;
        *e164_out = c_string(audience.write().add_contact(phone, &names, at)?)?;
        Ok(())
    })
}

/// Records a contact's opt-in (adding the contact when new) from a JSON object,
/// `consent_len` bytes at `consent_json`: `at` (RFC 3339) and `method`
/// (`web_form`, `in_store`, `api` or `chat`), optionally `source` and
/// `policy_version`. An earlier opt-out stands.
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_JSON` naming the field;
/// `SENDLINT_INVALID_INPUT` for an invalid number.
///
/// Ownership: borrows everything. Thread-safety: any thread (a change).
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_set_consent(
    audience: *mut sendlint_audience,
    phone: *const c_char,
    phone_len: usize,
    consent_json: *const c_char,
    consent_len: usize,
) -> sendlint_status {
    ffi_boundary!({
        let audience = arg!(ref audience);
        let phone = arg!(str phone, phone_len);
        let consent = Consent::from_json(arg!(str consent_json, consent_len))?;
        audience.write().set_consent(phone, consent)?;
        Ok(())
    })
}

/// Records that the contact (`phone_len` bytes at `phone`) opted out at
/// `at_unix` (Unix seconds; negative: now). An unknown number is added as an
/// opted-out contact, so a later import cannot make it a recipient; an earlier
/// opt-out time is kept.
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_INPUT` for an invalid number.
///
/// Ownership: borrows both. Thread-safety: any thread (a change).
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_opt_out(
    audience: *mut sendlint_audience,
    phone: *const c_char,
    phone_len: usize,
    at_unix: i64,
) -> sendlint_status {
    ffi_boundary!({
        let audience = arg!(ref audience);
        let phone = arg!(str phone, phone_len);
        let at = unix_or_now(at_unix, "at_unix")?;
        audience.write().opt_out(phone, at)?;
        Ok(())
    })
}

/// The contact with this number (written any way the default region allows) as
/// a JSON object (`phone`, `consent`, `opted_out_at`, `added_at`, interaction
/// dates, …) to `*contact_json_out`.
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_INPUT` when the audience
/// has no such contact.
///
/// Ownership: borrows the rest; the caller owns `*contact_json_out` (NULL on
/// failure) and frees it with `sendlint_string_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_contact(
    audience: *const sendlint_audience,
    phone: *const c_char,
    phone_len: usize,
    contact_json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let contact_json_out = arg!(out contact_json_out);
        let audience = arg!(ref audience);
        let phone = arg!(str phone, phone_len);
        let audience = audience.read();
        let contact = audience.contact(phone).ok_or_else(|| {
            Failure::new(
                sendlint_status::SENDLINT_INVALID_INPUT,
                format!("no contact {phone:?} in the audience"),
            )
        })?;
        let json = serde_json::to_string(contact).map_err(|err| {
            Failure::new(
                sendlint_status::SENDLINT_INVALID_INPUT,
                format!("cannot write the contact as JSON: {err}"),
            )
        })?;
        *contact_json_out = c_string(json)?;
        Ok(())
    })
}

/// Applies an inbound message's opt-out to the audience: `len` bytes at
/// `triage_json`, a triage as `sendlint_triage` wrote it. When it found an
/// opt-out, its sender is opted out at the time they asked, and `*applied_out`
/// is 1; otherwise nothing changes and it is 0.
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_JSON` naming the field;
/// `SENDLINT_INVALID_INPUT` when the triage has an opt-out but no sender, or
/// the sender is not a valid number (nothing changes).
///
/// Ownership: borrows everything. Thread-safety: any thread (a change).
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_apply_triage(
    audience: *mut sendlint_audience,
    triage_json: *const c_char,
    len: usize,
    applied_out: *mut i32,
) -> sendlint_status {
    ffi_boundary!({
        let applied_out = arg!(out applied_out);
        let audience = arg!(ref audience);
        let triage = Triage::from_json(arg!(str triage_json, len))?;
        *applied_out = i32::from(audience.write().apply_triage(&triage)?);
        Ok(())
    })
}

/// The audience as CSV with every phone number replaced by its `UID_…`
/// pseudonym under `key_len` bytes at `key` (a secret of at least 16 random
/// bytes), to `*csv_out`: `uid`, `labels`, consent, opt-out and interaction
/// dates, purchase count.
///
/// Errors: `SENDLINT_INVALID_INPUT` for an empty key.
///
/// Ownership: borrows the rest; the caller owns `*csv_out` (NULL on failure)
/// and frees it with `sendlint_string_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_export_pseudonymized(
    audience: *const sendlint_audience,
    key: *const u8,
    key_len: usize,
    csv_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let csv_out = arg!(out csv_out);
        let audience = arg!(ref audience);
        let csv = audience
            .read()
            .export_pseudonymized(arg!(bytes key, key_len))?;
        *csv_out = c_string(csv)?;
        Ok(())
    })
}

/// The stable pseudonym of `len` bytes of UTF-8 at `value` under `key_len`
/// bytes at `key` — `UID_` and 32 hex digits of HMAC-SHA-256, never a bare
/// hash — to `*uid_out`. The value is trimmed; normalise phone numbers to
/// E.164 first, so one person gets one id.
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_INPUT` for an empty key.
///
/// Ownership: borrows the rest; the caller owns `*uid_out` (NULL on failure)
/// and frees it with `sendlint_string_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_pseudonymize(
    value: *const c_char,
    len: usize,
    key: *const u8,
    key_len: usize,
    uid_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let uid_out = arg!(out uid_out);
        let value = arg!(str value, len);
        let uid = sendlint_core::audience::pseudonymize(value, arg!(bytes key, key_len))?;
        *uid_out = c_string(uid)?;
        Ok(())
    })
}

/// The full check with every context: as `sendlint_check_with_topic` (the
/// message as JSON; `history` and `topic` may be NULL), also against
/// `audience` (may be NULL), whose contacts the recipients are looked up in
/// for `no_consent` and `opted_out`, and the campaign's target label
/// expression, `target_len` bytes at `target` (may be NULL), for `untargeted`.
/// A message without recipients goes to the whole audience, or to the
/// contacts the target selects. The report JSON then has
/// `recipients_remaining`.
///
/// Errors: as `sendlint_check`; `SENDLINT_INVALID_INPUT` also for a target that
/// does not parse or names an unknown label (the message names the column).
///
/// Ownership: borrows the rest; the caller owns `*report_json_out` (NULL on
/// failure) and frees it with `sendlint_string_free`. Thread-safety: any number
/// of threads may check at once, also against one audience.
#[no_mangle]
pub unsafe extern "C" fn sendlint_check_with_audience(
    engine: *const sendlint_engine,
    history: *const sendlint_history,
    topic: *const sendlint_topic,
    audience: *const sendlint_audience,
    target: *const c_char,
    target_len: usize,
    message_json: *const c_char,
    len: usize,
    report_json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let report_json_out = arg!(out report_json_out);
        let engine = arg!(ref engine);
        let owned = OwnedMessage::from_json(arg!(str message_json, len))?;
        let target = if target.is_null() {
            None
        } else {
            Some(arg!(str target, target_len))
        };
        let audience = arg!(ref_or_null audience).map(sendlint_audience::read);
        let mut message = owned.message();
        if let Some(history) = arg!(ref_or_null history) {
            message = message.history(&history.history);
        }
        if let Some(topic) = arg!(ref_or_null topic) {
            message = message.topic(&topic.topic);
        }
        if let Some(audience) = &audience {
            message = message.audience(audience);
        }
        if let Some(target) = target {
            message = message.target(target);
        }
        *report_json_out = c_string(engine.engine.check(&message)?.to_json())?;
        Ok(())
    })
}

/// A value the core serialises, as a C string.
fn json_out(json: serde_json::Result<String>, what: &str) -> Result<*mut c_char, Failure> {
    let json = json.map_err(|err| {
        Failure::new(
            sendlint_status::SENDLINT_INVALID_INPUT,
            format!("cannot write the {what} as JSON: {err}"),
        )
    })?;
    c_string(json)
}

/// Uses the `[audience]` settings of `engine`'s policy (import batch size and
/// failure share, lifecycle rules, label health thresholds, retention) instead
/// of the built-in ones an audience starts with.
///
/// Errors: `SENDLINT_INVALID_INPUT` when a setting is out of range (the
/// audience keeps its settings).
///
/// Ownership: borrows both. Thread-safety: any thread (a change).
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_use_policy(
    audience: *mut sendlint_audience,
    engine: *const sendlint_engine,
) -> sendlint_status {
    ffi_boundary!({
        let audience = arg!(ref audience);
        let engine = arg!(ref engine);
        let settings = engine.engine.policy().audience.clone();
        let mut guard = audience.write();
        // Built aside and swapped in: on error the audience keeps its settings.
        let updated = guard.clone().with_settings(settings)?;
        *guard = updated;
        Ok(())
    })
}

/// Records something the contact (`phone_len` bytes at `phone`) did, for the
/// lifecycle rules: `kind_len` bytes at `kind`, `"opened"`, `"replied"` or
/// `"purchased"`, at `at_unix` (Unix seconds; negative: now).
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_INPUT` for an unknown
/// kind, an invalid number or a contact the audience does not have.
///
/// Ownership: borrows everything. Thread-safety: any thread (a change).
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_record_interaction(
    audience: *mut sendlint_audience,
    phone: *const c_char,
    phone_len: usize,
    kind: *const c_char,
    kind_len: usize,
    at_unix: i64,
) -> sendlint_status {
    ffi_boundary!({
        let audience = arg!(ref audience);
        let phone = arg!(str phone, phone_len);
        let kind: InteractionKind =
            arg!(str kind, kind_len)
                .parse()
                .map_err(|message: String| {
                    Failure::new(sendlint_status::SENDLINT_INVALID_INPUT, message)
                })?;
        let at = unix_or_now(at_unix, "at_unix")?;
        audience.write().record_interaction(phone, kind, at)?;
        Ok(())
    })
}

/// Marks the labels of a send's target expression (`len` bytes at
/// `expression`) as used at `at_unix` (Unix seconds; negative: now), for the
/// label health report: a label no send used for 30 days is unused.
///
/// Errors: `SENDLINT_INVALID_UTF8`; `SENDLINT_INVALID_INPUT` for an expression
/// that does not parse or names an unknown label (the column).
///
/// Ownership: borrows everything. Thread-safety: any thread (a change).
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_record_target(
    audience: *mut sendlint_audience,
    expression: *const c_char,
    len: usize,
    at_unix: i64,
) -> sendlint_status {
    ffi_boundary!({
        let audience = arg!(ref audience);
        let expression = arg!(str expression, len);
        let at = unix_or_now(at_unix, "at_unix")?;
        audience.write().record_target(expression, at)?;
        Ok(())
    })
}

/// Adds and removes labels (JSON arrays of names; NULL: none) on every contact
/// the expression (`len` bytes at `expression`) selects, at `at_unix` (Unix
/// seconds; negative: now), and logs the change with the reason (`reason_len`
/// bytes at `reason`; NULL: none). A label both added and removed is added.
/// The logged change as JSON to `*change_json_out`: `at`, `selection`,
/// `added`, `removed`, `contacts` (how many really changed), `reason`.
///
/// Errors: `SENDLINT_INVALID_UTF8`, `SENDLINT_INVALID_JSON`;
/// `SENDLINT_INVALID_INPUT` for a bad expression (the column) or an unknown
/// label. Nothing changes on error.
///
/// Ownership: borrows the rest; the caller owns `*change_json_out` (NULL on
/// failure) and frees it with `sendlint_string_free`. Thread-safety: any
/// thread (a change).
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_change_labels(
    audience: *mut sendlint_audience,
    expression: *const c_char,
    len: usize,
    add_json: *const c_char,
    add_len: usize,
    remove_json: *const c_char,
    remove_len: usize,
    reason: *const c_char,
    reason_len: usize,
    at_unix: i64,
    change_json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let change_json_out = arg!(out change_json_out);
        let audience = arg!(ref audience);
        let expression = arg!(str expression, len);
        let add = if add_json.is_null() {
            Vec::new()
        } else {
            Audience::label_list_from_json(arg!(str add_json, add_len))?
        };
        let remove = if remove_json.is_null() {
            Vec::new()
        } else {
            Audience::label_list_from_json(arg!(str remove_json, remove_len))?
        };
        let reason = if reason.is_null() {
            ""
        } else {
            arg!(str reason, reason_len)
        };
        let at = unix_or_now(at_unix, "at_unix")?;
        let add: Vec<&str> = add.iter().map(String::as_str).collect();
        let remove: Vec<&str> = remove.iter().map(String::as_str).collect();
        let mut guard = audience.write();
        let change = guard.change_labels(expression, &add, &remove, at, reason)?;
        *change_json_out = json_out(serde_json::to_string(change), "label change")?;
        Ok(())
    })
}

/// Applies the lifecycle rules (the built-in ones, or the policy's with
/// `sendlint_audience_use_policy`: new customer ends after 60 days, high
/// activity lost after 14 days without a read, churn risk after 60, sleeping
/// VIP after 180) as of `now_unix` (Unix seconds; negative: now). What changed
/// as JSON to `*report_json_out`: `changes` (`rule`, `contacts`, `added`,
/// `removed`) and `skipped` (rules whose labels the audience lacks, and why).
///
/// Errors: `SENDLINT_INVALID_INPUT` for a time out of range.
///
/// Ownership: borrows `audience`; the caller owns `*report_json_out` (NULL on
/// failure) and frees it with `sendlint_string_free`. Thread-safety: any
/// thread (a change).
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_apply_lifecycle(
    audience: *mut sendlint_audience,
    now_unix: i64,
    report_json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let report_json_out = arg!(out report_json_out);
        let audience = arg!(ref audience);
        let now = unix_or_now(now_unix, "now_unix")?;
        let report = audience.write().apply_lifecycle(now);
        *report_json_out = json_out(serde_json::to_string(&report), "lifecycle report")?;
        Ok(())
    })
}

/// The label health report as of `now_unix` (Unix seconds; negative: now) as
/// JSON to `*health_json_out`: `labels`, `max_labels`, `too_many` (more than
/// 100), `unused` (no send targeted them for 30 days), `overloaded` (holding
/// more than 40 % of the contacts).
///
/// Errors: `SENDLINT_INVALID_INPUT` for a time out of range.
///
/// Ownership: borrows `audience`; the caller owns `*health_json_out` (NULL on
/// failure) and frees it with `sendlint_string_free`. Thread-safety: any thread.
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_label_health(
    audience: *const sendlint_audience,
    now_unix: i64,
    health_json_out: *mut *mut c_char,
) -> sendlint_status {
    ffi_boundary!({
        let health_json_out = arg!(out health_json_out);
        let audience = arg!(ref audience);
        let now = unix_or_now(now_unix, "now_unix")?;
        let health = audience.read().label_health(now);
        *health_json_out = json_out(serde_json::to_string(&health), "label health")?;
        Ok(())
    })
}

/// Drops interactions older than the retention period (90 days by default)
/// before `now_unix` (Unix seconds; negative: now); the number dropped to
/// `*dropped_out`.
///
/// Errors: `SENDLINT_INVALID_INPUT` for a time out of range.
///
/// Ownership: borrows `audience`. Thread-safety: any thread (a change).
#[no_mangle]
pub unsafe extern "C" fn sendlint_audience_sweep(
    audience: *mut sendlint_audience,
    now_unix: i64,
    dropped_out: *mut usize,
) -> sendlint_status {
    ffi_boundary!({
        let dropped_out = arg!(out dropped_out);
        let audience = arg!(ref audience);
        let now = unix_or_now(now_unix, "now_unix")?;
        *dropped_out = audience.write().sweep(now);
        Ok(())
    })
}

impl Empty for usize {
    fn empty() -> Self {
        0
    }
}

impl Empty for i32 {
    fn empty() -> Self {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(err: AudienceError) -> sendlint_status {
        Failure::from(err).status
    }

    #[test]
    fn audience_errors_map_to_statuses() {
        use sendlint_status::*;
        let mut audience = Audience::new(["VIP"]).unwrap();
        let options = ImportOptions::new();
        // Through the core's `Error` as well: a target checked with a message.
        let through_error =
            |err: AudienceError| Failure::from(sendlint_core::Error::from(err)).status;
        let stopped = audience
            .import_csv(b"phone\n030 1\n030 2\n030 3\n", &options)
            .unwrap_err();
        assert!(matches!(stopped, AudienceError::ImportStopped(_)));
        assert_eq!(through_error(stopped), SENDLINT_IMPORT_STOPPED);
        assert_eq!(
            status(
                audience
                    .import_csv_path("/nonexistent/sendlint/contacts.csv", &options)
                    .unwrap_err()
            ),
            SENDLINT_IO
        );
        assert_eq!(
            status(
                audience
                    .import_csv(b"name,city\nAnna,Berlin\n", &options)
                    .unwrap_err()
            ),
            SENDLINT_INVALID_AUDIENCE
        );
        assert_eq!(
            status(Audience::load("/nonexistent/sendlint/audience.json").unwrap_err()),
            SENDLINT_IO
        );
        assert_eq!(
            status(Audience::from_json("{}").unwrap_err()),
            SENDLINT_INVALID_AUDIENCE
        );
        assert_eq!(
            status(audience.select("VIP AND (").unwrap_err()),
            SENDLINT_INVALID_INPUT
        );
        assert_eq!(
            through_error(audience.opt_out("12", None).unwrap_err()),
            SENDLINT_INVALID_INPUT
        );
        assert_eq!(audience.len(), 0);
    }

    #[test]
    fn negative_unix_times_are_now() {
        use sendlint_status::*;
        let before = Timestamp::now();
        assert!(unix_or_now(-1, "at_unix").ok().unwrap() >= before);
        assert_eq!(
            unix_or_now(1_795_597_200, "at_unix")
                .ok()
                .unwrap()
                .to_string(),
            "2026-11-25T09:00:00Z"
        );
        let err = unix_or_now(i64::MAX, "at_unix").unwrap_err();
        assert_eq!(err.status, SENDLINT_INVALID_INPUT);
    }
}
