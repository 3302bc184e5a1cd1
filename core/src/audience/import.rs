//! Contact import from CSV or TXT files in UTF-8 (seed 003, `docs/RULES.md` §4).
//!
//! The file has a header row naming its columns, in English or German
//! (`phone`/`phone_number`/`Telefonnummer`, `labels`/`Label-Name`, `consent_at`,
//! `consent_method`, `consent_source`, `consent_policy_version`; the names are in
//! `lexicons/import/`, compared without case, spaces, `-` and `_`). A plain list
//! of numbers without a header is read as one phone column (and a label column
//! after it). The separator is detected from the first line: comma, semicolon or
//! tab. Labels inside a field are separated by commas (or semicolons); in a
//! comma-separated file whose label column is the last, unquoted labels that
//! spill into further columns are read too.
//!
//! Every row gets a result: accepted, or an issue — `duplicate` (the first row
//! of a number wins), `invalid_phone`, `unknown_label` (the label is ignored,
//! the row kept), `missing_consent` (a new contact without time and method of
//! its opt-in), `invalid_consent`, `invalid_encoding`, `opted_out` (the contact
//! opted out earlier and stays excluded). Rows that cannot be imported —
//! invalid phone, missing or invalid consent, invalid encoding — are failures.
//! The rows are judged in batches of at most 5,000; when more than 10 % of any
//! batch fail, nothing at all is imported and the error carries the report.
//! Byte order marks, CRLF, quoted fields, empty lines and any bytes are handled;
//! nothing panics.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::OnceLock;

use jiff::Timestamp;
use serde::Serialize;

use super::contact::{normalise, parse_region, Consent, ConsentMethod, PhoneError};
use super::{Audience, AudienceError, LabelChange};

/// Largest file [`Audience::import_csv_path`] reads.
const MAX_FILE_BYTES: u64 = 256 << 20;

/// Options of an import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportOptions {
    /// The region (ISO 3166 alpha-2) national numbers are read in; the
    /// audience's default region when `None`.
    pub default_region: Option<String>,
    /// Threads validating phone numbers (libphonenumber's validation is most of
    /// an import's time); the machine's parallelism when `None`. Files under
    /// 4,096 rows use the calling thread only.
    pub threads: Option<usize>,
}

impl ImportOptions {
    /// Default options.
    pub fn new() -> ImportOptions {
        ImportOptions::default()
    }

    /// Reads national numbers as numbers of `region`.
    pub fn default_region(mut self, region: &str) -> ImportOptions {
        self.default_region = Some(region.to_owned());
        self
    }

    /// Validates phone numbers on at most `threads` threads (at least 1).
    pub fn threads(mut self, threads: usize) -> ImportOptions {
        self.threads = Some(threads.max(1));
        self
    }
}

/// Rows below which validation stays on the calling thread: spawning costs
/// more than it saves.
const PARALLEL_ROWS: usize = 4_096;

/// The E.164 form (or why not) of each phone field; `None` for a field that is
/// missing or not UTF-8 (the row's other checks report it). Scoped threads
/// split the work when there is enough; a thread that fails (it cannot: the
/// phone parser runs under `catch_unwind`) leaves its share to this one.
fn validate_phones(
    phones: &[Option<&[u8]>],
    region: Option<phonenumber::country::Id>,
    threads: usize,
) -> Vec<Option<Result<String, PhoneError>>> {
    let one = |field: &Option<&[u8]>| {
        let text = std::str::from_utf8((*field)?).ok()?.trim();
        Some(normalise(text, region))
    };
    let threads = threads.clamp(1, 64);
    if threads == 1 || phones.len() < PARALLEL_ROWS {
        return phones.iter().map(one).collect();
    }
    let chunk = phones.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = phones
            .chunks(chunk)
            .map(|part| {
                (
                    part,
                    scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()),
                )
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|(part, worker)| {
                worker
                    .join()
                    .unwrap_or_else(|_| part.iter().map(one).collect())
            })
            .collect()
    })
}

/// Why a row (or a label in it) was not imported as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RejectReason {
    /// The number appeared on an earlier row, which was kept.
    Duplicate,
    /// Not a valid phone number.
    InvalidPhone,
    /// A label the audience does not have: ignored, the row kept.
    UnknownLabel,
    /// A new contact without a consent record (time and method).
    MissingConsent,
    /// A consent time or method that cannot be read.
    InvalidConsent,
    /// The row is not valid UTF-8.
    InvalidEncoding,
    /// The contact opted out earlier and stays excluded.
    OptedOut,
}

impl RejectReason {
    /// The reason's string, e.g. `"invalid_phone"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RejectReason::Duplicate => "duplicate",
            RejectReason::InvalidPhone => "invalid_phone",
            RejectReason::UnknownLabel => "unknown_label",
            RejectReason::MissingConsent => "missing_consent",
            RejectReason::InvalidConsent => "invalid_consent",
            RejectReason::InvalidEncoding => "invalid_encoding",
            RejectReason::OptedOut => "opted_out",
        }
    }

    /// Whether the row could not be imported at all (it counts against the
    /// 10 % limit); duplicates, unknown labels and opt-outs do not.
    pub const fn fails_row(self) -> bool {
        matches!(
            self,
            RejectReason::InvalidPhone
                | RejectReason::MissingConsent
                | RejectReason::InvalidConsent
                | RejectReason::InvalidEncoding
        )
    }
}

/// One issue of one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RowIssue {
    /// The line the row starts on (the header is line 1), as an editor shows it.
    pub row: u64,
    /// Why.
    pub reason: RejectReason,
    /// What exactly, in words.
    pub message: String,
}

/// The rows of one batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Batch {
    /// First line of the batch.
    pub first_row: u64,
    /// Last line of the batch.
    pub last_row: u64,
    /// Rows in it.
    pub rows: usize,
    /// Rows in it that failed.
    pub failed: usize,
}

/// What an import did, row by row.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ImportReport {
    /// Data rows read (empty lines not counted).
    pub rows: usize,
    /// Rows whose contact was added or updated.
    pub accepted: usize,
    /// Contacts new to the audience.
    pub added: usize,
    /// Rows that could not be imported.
    pub failed: usize,
    /// Every issue, in row order: rejected rows, and ignored labels and
    /// opt-outs of accepted rows.
    pub issues: Vec<RowIssue>,
    /// The separator found: `,`, `;` or `\t`.
    pub delimiter: char,
    /// How the file was read, in words (separator, label layout, header).
    pub format: String,
    /// Columns whose header names nothing sendlint reads (ignored).
    pub ignored_columns: Vec<String>,
    /// Empty lines skipped.
    pub empty_lines: usize,
    /// The batches the rows were judged in.
    pub batches: Vec<Batch>,
    /// Whether the audience was changed.
    pub applied: bool,
    /// Why the import stopped, when it did.
    pub stop_reason: Option<String>,
}

impl ImportReport {
    /// How many issues of each reason (reason string → count).
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for issue in &self.issues {
            *counts.entry(issue.reason.as_str()).or_insert(0) += 1;
        }
        counts
    }

    /// The rows with an issue of `reason`.
    pub fn rows_with(&self, reason: RejectReason) -> Vec<u64> {
        self.issues
            .iter()
            .filter(|i| i.reason == reason)
            .map(|i| i.row)
            .collect()
    }

    /// A readable summary: the counts, then each reason's rows.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let verb = if self.applied {
            "imported"
        } else {
            "NOT imported"
        };
        let _ = writeln!(
            out,
            "{} of {} rows accepted ({} new contacts), {} failed; {verb}.",
            self.accepted, self.rows, self.added, self.failed
        );
        let _ = writeln!(out, "Format: {}.", self.format);
        if let Some(reason) = &self.stop_reason {
            let _ = writeln!(out, "Stopped: {reason}.");
        }
        let mut by_reason: BTreeMap<RejectReason, Vec<u64>> = BTreeMap::new();
        for issue in &self.issues {
            by_reason.entry(issue.reason).or_default().push(issue.row);
        }
        for (reason, rows) in by_reason {
            let shown: Vec<String> = rows.iter().take(20).map(u64::to_string).collect();
            let more = if rows.len() > 20 {
                format!(" and {} more", rows.len() - 20)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {}: {} (rows {}{more})",
                reason.as_str(),
                rows.len(),
                shown.join(", ")
            );
        }
        if !self.ignored_columns.is_empty() {
            let _ = writeln!(out, "Ignored columns: {}.", self.ignored_columns.join(", "));
        }
        out
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an import report always serialises")
    }
}

/// A header or method spelling reduced to compare: lowercase, without spaces,
/// `-`, `_` and `.`.
pub(crate) fn header_key(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.' | '\u{a0}'))
        .flat_map(char::to_lowercase)
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Phone,
    Labels,
    ConsentAt,
    ConsentMethod,
    ConsentSource,
    ConsentPolicyVersion,
}

fn header_names() -> &'static HashMap<String, Column> {
    static NAMES: OnceLock<HashMap<String, Column>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = HashMap::new();
        for (file, column) in [
            ("import/phone.txt", Column::Phone),
            ("import/labels.txt", Column::Labels),
            ("import/consent_at.txt", Column::ConsentAt),
            ("import/consent_method.txt", Column::ConsentMethod),
            ("import/consent_source.txt", Column::ConsentSource),
            (
                "import/consent_policy_version.txt",
                Column::ConsentPolicyVersion,
            ),
        ] {
            for name in crate::lexicon::builtin_lines(file) {
                names.insert(header_key(name), column);
            }
        }
        names
    })
}

/// The consent method a spelling names (`web_form`, `Webformular`, `im Laden`).
pub(crate) fn consent_method(written: &str) -> Option<ConsentMethod> {
    static METHODS: OnceLock<HashMap<String, ConsentMethod>> = OnceLock::new();
    let methods = METHODS.get_or_init(|| {
        let mut methods = HashMap::new();
        for method in ConsentMethod::ALL {
            methods.insert(header_key(method.as_str()), method);
            let file = format!("import/method_{}.txt", method.as_str());
            for alias in crate::lexicon::builtin_lines(&file) {
                methods.insert(header_key(alias), method);
            }
        }
        methods
    });
    methods.get(&header_key(written)).copied()
}

/// A consent time: RFC 3339 (`2026-03-14T10:00:00Z`, `+01:00`), or a civil
/// date and time read as UTC (`2026-03-14 10:00`, `2026-03-14`, `14.03.2026`).
fn consent_time(written: &str) -> Result<Timestamp, String> {
    let text = written.trim();
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    if let Ok(civil) = text.parse::<jiff::civil::DateTime>() {
        return civil
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string());
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string());
    }
    let german: Vec<&str> = text.split('.').collect();
    if let [day, month, year] = german.as_slice() {
        if let (Ok(day), Ok(month), Ok(year)) =
            (day.parse::<i8>(), month.parse::<i8>(), year.parse::<i16>())
        {
            if let Ok(date) = jiff::civil::Date::new(year, month, day) {
                if let Ok(zoned) = date.to_zoned(jiff::tz::TimeZone::UTC) {
                    return Ok(zoned.timestamp());
                }
            }
        }
    }
    Err(format!(
        "consent time {text:?} is not a date (write 2026-03-14T10:00:00Z, 2026-03-14 or 14.03.2026)"
    ))
}

/// The separator of the file: the most frequent of `,`, `;` and tab outside
/// quotes on the first non-empty line (comma when none).
fn detect_delimiter(bytes: &[u8]) -> u8 {
    let first = bytes
        .split(|&b| b == b'\n')
        .find(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
        .unwrap_or_default();
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in first {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        [b',', b';', b'\t'][best]
    }
}

/// What the file must not be: UTF-16 or UTF-32 (Excel's "Unicode text").
fn check_encoding(bytes: &[u8]) -> Result<(), String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(
            "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as CSV UTF-8"
                .to_owned(),
        );
    }
    let head = &bytes[..bytes.len().min(4096)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    if !head.is_empty() && nuls * 5 > head.len() {
        return Err(
            "the file looks like UTF-16 or binary (many zero bytes); save it as CSV UTF-8"
                .to_owned(),
        );
    }
    Ok(())
}

/// A row that will be imported.
struct Planned {
    position: Option<usize>,
    e164: String,
    labels: Vec<usize>,
    consent: Option<Consent>,
}

/// The column layout of a file.
struct Layout {
    headerless: bool,
    phone: usize,
    labels: Option<usize>,
    consent_at: Option<usize>,
    consent_method: Option<usize>,
    consent_source: Option<usize>,
    consent_policy_version: Option<usize>,
    /// Labels spill into columns after the header's last when the label column
    /// is the last one (unquoted commas in a comma-separated file).
    labels_spill: bool,
    width: usize,
    ignored: Vec<String>,
}

/// Longest piece of a file's own text (a header name, a label) that the
/// report quotes; a 50 MB header line must not become a 50 MB summary.
const MAX_QUOTED_CHARS: usize = 60;

/// `text`, cut after [`MAX_QUOTED_CHARS`] characters with `…` marking the cut.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Whether a field looks like a phone number rather than a header name.
fn looks_like_number(field: &str) -> bool {
    let digits = field.bytes().filter(u8::is_ascii_digit).count();
    digits >= 5
        && field
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '/' | '(' | ')'))
}

fn layout(header: &[String], delimiter: u8) -> Result<Layout, String> {
    let names = header_names();
    let mut layout = Layout {
        headerless: false,
        phone: 0,
        labels: None,
        consent_at: None,
        consent_method: None,
        consent_source: None,
        consent_policy_version: None,
        labels_spill: false,
        width: header.len(),
        ignored: Vec::new(),
    };
    let mut phone = None;
    for (i, name) in header.iter().enumerate() {
        let slot = match names.get(&header_key(name)) {
            Some(Column::Phone) => &mut phone,
            Some(Column::Labels) => &mut layout.labels,
            Some(Column::ConsentAt) => &mut layout.consent_at,
            Some(Column::ConsentMethod) => &mut layout.consent_method,
            Some(Column::ConsentSource) => &mut layout.consent_source,
            Some(Column::ConsentPolicyVersion) => &mut layout.consent_policy_version,
            None => {
                if !name.trim().is_empty() {
                    layout.ignored.push(shortened(name.trim()));
                }
                continue;
            }
        };
        if slot.is_some() {
            return Err(format!(
                "column {} ({:?}) names a column that is already there",
                i + 1,
                shortened(name)
            ));
        }
        *slot = Some(i);
    }
    match phone {
        Some(i) => layout.phone = i,
        None if header.first().is_some_and(|f| looks_like_number(f)) => {
            // A plain list of numbers (TXT), perhaps with labels after each.
            layout.headerless = true;
            layout.labels = (header.len() > 1).then_some(1);
            layout.width = 2;
            layout.ignored.clear();
        }
        None => {
            return Err(format!(
                "no phone column: the header {:?} names none of phone, phone_number, Telefonnummer (see lexicons/import/phone.txt)",
                shortened(&header.join(&char::from(delimiter).to_string()))
            ))
        }
    }
    layout.labels_spill = delimiter == b',' && layout.labels == Some(layout.width - 1);
    Ok(layout)
}

impl Audience {
    /// Imports contacts from a CSV or TXT file (see [Contact import](crate::audience#contact-import)).
    ///
    /// # Errors
    /// [`AudienceError::Import`] when the file cannot be read, is larger than
    /// 256 MiB, is UTF-16 or has no phone column; [`AudienceError::ImportStopped`]
    /// (with the full report) when more than the policy's share of a batch's
    /// rows fail. The audience is unchanged on error.
    pub fn import_csv_path(
        &mut self,
        path: impl AsRef<Path>,
        options: &ImportOptions,
    ) -> Result<ImportReport, AudienceError> {
        let path = path.as_ref();
        let fail = |message: String| AudienceError::Import {
            path: Some(path.to_owned()),
            message,
        };
        let size = std::fs::metadata(path)
            .map_err(|e| {
                fail(format!(
                    "cannot read the file: {}",
                    e.to_string().to_lowercase()
                ))
            })?
            .len();
        if size > MAX_FILE_BYTES {
            return Err(fail(format!(
                "the file has {size} bytes, more than {MAX_FILE_BYTES}; split it"
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| {
            fail(format!(
                "cannot read the file: {}",
                e.to_string().to_lowercase()
            ))
        })?;
        self.import_csv(&bytes, options).map_err(|err| match err {
            AudienceError::Import {
                path: None,
                message,
            } => fail(message),
            other => other,
        })
    }

    /// Imports contacts from the bytes of a CSV or TXT file (see
    /// [Contact import](crate::audience#contact-import)).
    ///
    /// # Errors
    /// As [`Audience::import_csv_path`].
    ///
    /// # Examples
    /// ```
    /// use sendlint::audience::{Audience, ImportOptions, RejectReason};
    /// let mut audience = Audience::new(["VIP", "Neukunde"])?;
    /// let csv = "Telefonnummer;Label-Name;consent_at;consent_method\n\
    ///            +852 9123 4567;VIP,Neukunde;2026-03-14;web_form\n\
    ///            (030) 1234567;VIP;2026-03-15;im Laden\n\
    ///            +852 9123-4567;VIP;2026-03-16;chat\n";
    /// let report = audience.import_csv(csv.as_bytes(), &ImportOptions::new().default_region("DE"))?;
    /// assert_eq!(report.accepted, 2);
    /// assert_eq!(report.rows_with(RejectReason::Duplicate), [4]);
    /// assert_eq!(report.delimiter, ';');
    /// # Ok::<(), sendlint::audience::AudienceError>(())
    /// ```
    pub fn import_csv(
        &mut self,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<ImportReport, AudienceError> {
        let fail = |message: String| AudienceError::Import {
            path: None,
            message,
        };
        check_encoding(bytes).map_err(fail)?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let region = match &options.default_region {
            Some(code) => Some(parse_region(code).map_err(fail)?),
            None => self.default_region,
        };
        let delimiter = detect_delimiter(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(bytes);
        let mut records = reader.byte_records();
        let mut empty_lines = 0;
        let header = loop {
            match records.next() {
                None => {
                    return Err(fail(
                        "the file is empty; it needs a header row naming a phone column".to_owned(),
                    ))
                }
                Some(Err(err)) => return Err(fail(format!("cannot read the header: {err}"))),
                Some(Ok(record)) if record.iter().all(|f| f.trim_ascii().is_empty()) => {
                    empty_lines += 1
                }
                Some(Ok(record)) => break record,
            }
        };
        // The csv reader's own line numbers lag by one after each CRLF, so lines
        // are counted here from the records' byte offsets.
        let mut lines = LineCounter::new(bytes);
        let header_line = lines.line_at(header.position().map_or(0, csv::Position::byte));
        let header_fields: Vec<String> = header
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        let layout = layout(&header_fields, delimiter).map_err(fail)?;

        let now = Timestamp::now();
        let latest_consent = now
            .checked_add(jiff::SignedDuration::from_hours(24))
            .unwrap_or(now);
        let lowercase_labels: HashMap<String, &str> = self
            .labels
            .iter()
            .map(|l| (l.name.to_lowercase(), l.name.as_str()))
            .collect();
        let mut first_row: HashMap<String, u64> = HashMap::new();
        let mut planned: Vec<Planned> = Vec::new();
        let mut issues: Vec<RowIssue> = Vec::new();
        // (line, failed) of each data row, for the batches.
        let mut rows: Vec<(u64, bool)> = Vec::new();

        // First every row, so the phone numbers can be validated in parallel
        // (libphonenumber's validation is most of an import's time).
        let mut read: Vec<(u64, Result<csv::ByteRecord, String>)> = Vec::new();
        let first = layout.headerless.then_some(Ok(header));
        for record in first.into_iter().chain(records) {
            match record {
                Ok(record) if record.iter().all(|f| f.trim_ascii().is_empty()) => {
                    empty_lines += 1;
                }
                Ok(record) => {
                    let line = record
                        .position()
                        .map_or(header_line, |p| lines.line_at(p.byte()));
                    read.push((line, Ok(record)));
                }
                // The csv reader reports only I/O errors and UTF-8 errors of
                // string records; byte records from memory do not fail, but a
                // row must not be lost silently if they ever do.
                Err(err) => {
                    let line = lines.line_at(err.position().map_or(0, csv::Position::byte));
                    read.push((line, Err(format!("cannot read the row: {err}"))));
                }
            }
        }
        let phones: Vec<Option<&[u8]>> = read
            .iter()
            .map(|(_, record)| record.as_ref().ok().and_then(|r| r.get(layout.phone)))
            .collect();
        let threads = options.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let numbers = validate_phones(&phones, region, threads);

        for ((line, record), number) in read.iter().zip(numbers) {
            let line = *line;
            let record = match record {
                Ok(record) => record,
                Err(message) => {
                    issues.push(RowIssue {
                        row: line,
                        reason: RejectReason::InvalidEncoding,
                        message: message.clone(),
                    });
                    rows.push((line, true));
                    continue;
                }
            };
            let mut row_issues = Vec::new();
            let outcome = self.judge_row(
                record,
                number,
                &layout,
                latest_consent,
                &lowercase_labels,
                &mut first_row,
                line,
                &mut row_issues,
            );
            let failed = row_issues.iter().any(|i: &RowIssue| i.reason.fails_row());
            rows.push((line, failed));
            issues.extend(row_issues);
            if let Some(plan) = outcome {
                planned.push(plan);
            }
        }

        let settings = &self.settings;
        let batches: Vec<Batch> = rows
            .chunks(settings.import_batch_rows.max(1))
            .map(|chunk| Batch {
                first_row: chunk.first().map_or(0, |r| r.0),
                last_row: chunk.last().map_or(0, |r| r.0),
                rows: chunk.len(),
                failed: chunk.iter().filter(|r| r.1).count(),
            })
            .collect();
        let failed = rows.iter().filter(|r| r.1).count();
        let format = describe(delimiter, &layout);
        let mut report = ImportReport {
            rows: rows.len(),
            accepted: planned.len(),
            added: planned.iter().filter(|p| p.position.is_none()).count(),
            failed,
            issues,
            delimiter: char::from(delimiter),
            format,
            ignored_columns: layout.ignored.clone(),
            empty_lines,
            batches,
            applied: false,
            stop_reason: None,
        };
        let limit = settings.import_max_failure_share;
        let over: Vec<String> = report
            .batches
            .iter()
            .enumerate()
            .filter(|(_, b)| b.failed as f64 > limit * b.rows as f64)
            .map(|(i, b)| {
                format!(
                    "batch {} (rows {}–{}): {} of {} rows failed ({:.1} %)",
                    i + 1,
                    b.first_row,
                    b.last_row,
                    b.failed,
                    b.rows,
                    100.0 * b.failed as f64 / b.rows as f64
                )
            })
            .collect();
        if !over.is_empty() {
            report.stop_reason = Some(format!(
                "more than {:.0} % of the rows failed in {}; check the source format, fix the rows listed and import again",
                limit * 100.0,
                over.join("; ")
            ));
            // Nothing applied: report what would have been accepted as 0.
            report.accepted = 0;
            report.added = 0;
            return Err(AudienceError::ImportStopped(Box::new(report)));
        }
        self.apply_import(planned, now, report.rows);
        report.applied = true;
        Ok(report)
    }

    /// Judges one data row; the plan when the row is imported.
    #[allow(clippy::too_many_arguments)]
    fn judge_row(
        &self,
        record: &csv::ByteRecord,
        number: Option<Result<String, PhoneError>>,
        layout: &Layout,
        latest_consent: Timestamp,
        lowercase_labels: &HashMap<String, &str>,
        first_row: &mut HashMap<String, u64>,
        line: u64,
        issues: &mut Vec<RowIssue>,
    ) -> Option<Planned> {
        let mut issue = |reason: RejectReason, message: String| {
            issues.push(RowIssue {
                row: line,
                reason,
                message,
            })
        };
        // Every field this row needs, as UTF-8.
        let text = |column: Option<usize>| -> Result<&str, String> {
            let Some(bytes) = column.and_then(|c| record.get(c)) else {
                return Ok("");
            };
            std::str::from_utf8(bytes).map(str::trim).map_err(|err| {
                format!(
                    "column {} is not valid UTF-8 (byte {}); save the file as CSV UTF-8",
                    column.unwrap_or(0) + 1,
                    err.valid_up_to() + 1
                )
            })
        };
        let fields = (|| {
            Ok::<_, String>((
                text(Some(layout.phone))?,
                text(layout.consent_at)?,
                text(layout.consent_method)?,
                text(layout.consent_source)?,
                text(layout.consent_policy_version)?,
            ))
        })();
        let (phone, consent_at, consent_method, consent_source, consent_version) = match fields {
            Ok(fields) => fields,
            Err(message) => {
                issue(RejectReason::InvalidEncoding, message);
                return None;
            }
        };
        if phone.is_empty() {
            issue(
                RejectReason::InvalidPhone,
                "the phone number is empty".to_owned(),
            );
            return None;
        }
        let e164 = match number {
            Some(Ok(e164)) => e164,
            // Not validated: the field was not UTF-8, which `text` reported above.
            None => return None,
            Some(Err(err)) => {
                issue(
                    RejectReason::InvalidPhone,
                    format!("{phone:?}: {}", err.reason),
                );
                return None;
            }
        };
        if let Some(first) = first_row.get(&e164) {
            issue(
                RejectReason::Duplicate,
                format!("{e164} is already on row {first}; the first row is kept"),
            );
            return None;
        }
        // Consent: both parts, or neither.
        let consent = match (consent_at.is_empty(), consent_method.is_empty()) {
            (true, true) => None,
            (false, true) | (true, false) => {
                let missing = if consent_at.is_empty() {
                    "consent_at"
                } else {
                    "consent_method"
                };
                issue(
                    RejectReason::InvalidConsent,
                    format!(
                        "{missing} is empty; a consent record needs both its time and its method"
                    ),
                );
                return None;
            }
            (false, false) => {
                let at = match consent_time(consent_at) {
                    Ok(at) if at > latest_consent => {
                        issue(
                            RejectReason::InvalidConsent,
                            format!("consent time {consent_at:?} is in the future"),
                        );
                        return None;
                    }
                    Ok(at) => at,
                    Err(message) => {
                        issue(RejectReason::InvalidConsent, message);
                        return None;
                    }
                };
                let Some(method) = consent_method.parse::<ConsentMethod>().ok() else {
                    issue(
                        RejectReason::InvalidConsent,
                        format!("consent method {consent_method:?} is not one of web_form, in_store, api, chat"),
                    );
                    return None;
                };
                let mut consent = Consent::new(at, method);
                if !consent_source.is_empty() {
                    consent.source = Some(consent_source.to_owned());
                }
                if !consent_version.is_empty() {
                    consent.policy_version = Some(consent_version.to_owned());
                }
                Some(consent)
            }
        };
        let position = self.contact_index.get(&e164).copied();
        let existing = position.map(|i| &self.contacts[i]);
        if consent.is_none()
            && existing.is_none_or(|c| c.consent.is_none() && c.opted_out_at.is_none())
        {
            issue(
                RejectReason::MissingConsent,
                format!("{e164} has no consent record (consent_at and consent_method); a contact without one is never a recipient"),
            );
            return None;
        }
        if let Some(out) = existing.and_then(|c| c.opted_out_at) {
            issue(
                RejectReason::OptedOut,
                format!("{e164} opted out on {out} and stays excluded; labels are still updated"),
            );
        }
        first_row.insert(e164.clone(), line);

        // Labels: the label field, and spilled columns after it.
        let mut labels = Vec::new();
        let label_fields: Vec<&[u8]> = match layout.labels {
            None => Vec::new(),
            Some(column) if layout.labels_spill => record.iter().skip(column).collect(),
            Some(column) => record.get(column).into_iter().collect(),
        };
        for field in label_fields {
            let Ok(field) = std::str::from_utf8(field) else {
                issue(
                    RejectReason::UnknownLabel,
                    "a label is not valid UTF-8 and was ignored; save the file as CSV UTF-8"
                        .to_owned(),
                );
                continue;
            };
            for name in field
                .split([',', ';'])
                .map(str::trim)
                .filter(|n| !n.is_empty())
            {
                match self.label_index.get(name) {
                    Some(&id) => {
                        if !labels.contains(&id) {
                            labels.push(id);
                        }
                    }
                    None => {
                        let hint = lowercase_labels
                            .get(&name.to_lowercase())
                            .map(|known| format!(" (did you mean {known:?}?)"))
                            .unwrap_or_default();
                        issue(
                            RejectReason::UnknownLabel,
                            format!(
                                "label {:?} does not exist and was ignored{hint}",
                                shortened(name)
                            ),
                        );
                    }
                }
            }
        }
        Some(Planned {
            position,
            e164,
            labels,
            consent,
        })
    }

    /// Applies the accepted rows: new contacts, labels, consent where none was recorded.
    fn apply_import(&mut self, planned: Vec<Planned>, now: Timestamp, rows: usize) {
        let mut labelled = 0;
        let mut added_labels = std::collections::BTreeSet::new();
        for plan in planned {
            let i = match plan.position {
                Some(i) => i,
                None => self.entry(plan.e164, now),
            };
            let mut changed = false;
            for &id in &plan.labels {
                if !self.members[id].contains(i) {
                    self.members[id].insert(i);
                    added_labels.insert(id);
                    changed = true;
                }
            }
            labelled += usize::from(changed);
            let contact = &mut self.contacts[i];
            if contact.consent.is_none() {
                contact.consent = plan.consent;
            }
        }
        if labelled > 0 {
            self.changes.push(LabelChange {
                at: now,
                selection: "import".to_owned(),
                added: added_labels
                    .into_iter()
                    .map(|id| self.labels[id].name.clone())
                    .collect(),
                removed: Vec::new(),
                contacts: labelled,
                reason: format!("contact import of {rows} rows"),
            });
        }
    }
}

/// 1-based line numbers of byte offsets, counted forward once.
struct LineCounter<'b> {
    bytes: &'b [u8],
    offset: usize,
    line: u64,
}

impl<'b> LineCounter<'b> {
    fn new(bytes: &'b [u8]) -> LineCounter<'b> {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The line a record starting at `offset` is on (line ends before it are
    /// skipped: the reader may place a record's start on the previous line end).
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut start =
            usize::try_from(offset).map_or(self.bytes.len(), |o| o.min(self.bytes.len()));
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.offset {
            self.line += memchr::memchr_iter(b'\n', &self.bytes[self.offset..start]).count() as u64;
            self.offset = start;
        }
        self.line
    }
}

fn describe(delimiter: u8, layout: &Layout) -> String {
    let separator = match delimiter {
        b';' => "semicolon-separated",
        b'\t' => "tab-separated",
        _ => "comma-separated",
    };
    let labels = match (layout.labels, layout.labels_spill) {
        (None, _) => "no label column".to_owned(),
        (Some(_), true) => "labels separated by commas inside the label field (quoted) or spread over the columns after it".to_owned(),
        (Some(_), false) => "labels separated by commas inside the label field".to_owned(),
    };
    let header = if layout.headerless {
        "no header row: first column phone numbers, second labels"
    } else {
        "header row"
    };
    format!("{separator}; {labels}; {header}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_read_from_the_first_line_outside_quotes() {
        assert_eq!(detect_delimiter(b"phone;labels\n+1,2;x\n"), b';');
        assert_eq!(detect_delimiter(b"\n\nphone,labels\n"), b',');
        assert_eq!(detect_delimiter(b"\"a;b;c\",labels\n"), b',');
        assert_eq!(detect_delimiter(b"phone\tlabels\n"), b'\t');
        assert_eq!(detect_delimiter(b"+85291234567\n"), b',');
        assert_eq!(detect_delimiter(b""), b',');
    }

    #[test]
    fn header_names_in_english_and_german() {
        for (name, column) in [
            ("phone", Column::Phone),
            ("Phone Number", Column::Phone),
            ("TELEFONNUMMER", Column::Phone),
            ("\u{feff}phone_number", Column::Phone),
            ("Label-Name", Column::Labels),
            ("labels", Column::Labels),
            ("consent_at", Column::ConsentAt),
            ("Consent Method", Column::ConsentMethod),
            ("consent-source", Column::ConsentSource),
        ] {
            assert_eq!(
                header_names().get(&header_key(name)),
                Some(&column),
                "{name}"
            );
        }
    }

    #[test]
    fn consent_times_in_common_spellings() {
        let utc = |s: &str| s.parse::<Timestamp>().unwrap();
        for (written, at) in [
            ("2026-03-14T10:00:00Z", "2026-03-14T10:00:00Z"),
            ("2026-03-14T11:00:00+01:00", "2026-03-14T10:00:00Z"),
            ("2026-03-14 10:00", "2026-03-14T10:00:00Z"),
            ("2026-03-14", "2026-03-14T00:00:00Z"),
            ("14.03.2026", "2026-03-14T00:00:00Z"),
        ] {
            assert_eq!(consent_time(written), Ok(utc(at)), "{written}");
        }
        for bad in ["gestern", "31.02.2026", "2026-13-01", "1.2"] {
            assert!(consent_time(bad).is_err(), "{bad}");
        }
    }
}
