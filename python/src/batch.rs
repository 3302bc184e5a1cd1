//! Batch checks: Python columns (lists, tuples, pandas/polars Series, Arrow
//! arrays) converted to rows, checked in Rust with the GIL released.
//!
//! Conversion only: every decision about a message is `sendlint::Engine`'s. A
//! row that cannot be converted or checked carries its error (naming the column
//! and index) instead of a report, so one bad row never costs the others.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, TimeUnit};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use pyo3_arrow::input::AnyArray;
use rayon::prelude::*;

use crate::errors::InputError;
use crate::message::timestamp;

/// Most rows a single batch takes: row indices are kept in `u32`-sized
/// columns by dataframe libraries, and a larger batch is better split.
const MAX_ROWS: usize = u32::MAX as usize;

/// The texts of a batch: read in place from Arrow memory, or copied out of
/// Python `str` objects (one copy, into Rust).
pub(crate) enum Texts {
    /// Arrow string arrays (chunks), read without copying.
    Arrow(Vec<ArrayRef>),
    /// Texts of a Python sequence; `None` where the item is not a `str`.
    Owned(Vec<Option<String>>),
}

impl Texts {
    /// Every row's text, `None` for a missing (null) or non-`str` item.
    fn rows(&self) -> Vec<Option<&str>> {
        match self {
            Texts::Owned(texts) => texts.iter().map(Option::as_deref).collect(),
            Texts::Arrow(chunks) => {
                let mut rows = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
                for chunk in chunks {
                    push_strings(chunk, &mut rows);
                }
                rows
            }
        }
    }
}

/// Appends the strings of one Arrow string array (nulls as `None`).
fn push_strings<'a>(chunk: &'a ArrayRef, rows: &mut Vec<Option<&'a str>>) {
    match chunk.data_type() {
        DataType::Utf8 => rows.extend(chunk.as_string::<i32>().iter()),
        DataType::LargeUtf8 => rows.extend(chunk.as_string::<i64>().iter()),
        DataType::Utf8View => rows.extend(chunk.as_string_view().iter()),
        // `arrow_chunks` converted everything else to one of these.
        _ => rows.extend(std::iter::repeat_n(None, chunk.len())),
    }
}

/// An Arrow array or stream's chunks, when `obj` speaks the Arrow PyCapsule
/// interface; dictionary-encoded strings (categoricals) are decoded.
fn arrow_chunks(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<Vec<ArrayRef>>> {
    let py = obj.py();
    if !obj.hasattr(intern!(py, "__arrow_c_array__"))?
        && !obj.hasattr(intern!(py, "__arrow_c_stream__"))?
    {
        return Ok(None);
    }
    let exported = obj
        .extract::<AnyArray>()
        .and_then(|array| array.into_chunked_array().map_err(PyErr::from));
    let (chunks, _field) = match exported {
        Ok(array) => array.into_inner(),
        // pandas exports through pyarrow, which may be missing or refuse an
        // object column of mixed types: read such a column item by item.
        Err(_) if obj.try_iter().is_ok() => return Ok(None),
        Err(err) => return Err(err),
    };
    let chunks = chunks
        .into_iter()
        .map(|chunk| decode(chunk, name))
        .collect::<PyResult<_>>()?;
    Ok(Some(chunks))
}

/// A dictionary array as its plain values; other arrays unchanged.
fn decode(chunk: ArrayRef, name: &str) -> PyResult<ArrayRef> {
    match chunk.data_type() {
        DataType::Dictionary(_, _) => arrow_cast::cast(&chunk, &DataType::LargeUtf8).map_err(|e| {
            InputError::new_err(format!(
                "{name}: cannot read the Arrow dictionary array: {e}"
            ))
        }),
        _ => Ok(chunk),
    }
}

/// Whether an Arrow array holds strings (or only nulls: pandas exports a
/// column of `None` as an array of type null).
fn is_text(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
    )
}

/// A row's problem: the column and index it is at, and what is wrong.
fn problem(name: &str, index: usize, what: impl std::fmt::Display) -> String {
    format!("{name}[{index}]: {what}")
}

/// The type name of a Python value, for error messages.
fn type_name(item: &Bound<'_, PyAny>) -> String {
    item.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

/// A `str` item as Rust text, or what is wrong with it.
fn text_of(item: &Bound<'_, PyAny>) -> Result<String, String> {
    match item.cast::<PyString>() {
        Ok(text) => text
            .to_cow()
            .map(std::borrow::Cow::into_owned)
            .map_err(|_| "not valid text (a lone surrogate?)".to_owned()),
        Err(_) if item.is_none() => Err("is None, not a str".to_owned()),
        Err(_) => Err(format!("is {}, not a str", type_name(item))),
    }
}

/// Whether a per-message item means "no value": `None`, or a missing value of
/// pandas (`NaN` in an object column, `pd.NA`, `NaT`).
fn is_missing(item: &Bound<'_, PyAny>) -> bool {
    if item.is_none() {
        return true;
    }
    if let Ok(number) = item.extract::<f64>() {
        return number.is_nan();
    }
    matches!(
        item.get_type().name().map(|n| n.to_string()).as_deref(),
        Ok("NAType" | "NaTType")
    )
}

/// The items of a Python iterable, in order.
fn items<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let iter = obj.try_iter().map_err(|_| {
        InputError::new_err(format!(
            "{name} must be a sequence (list, tuple, Series, Arrow array), not {}",
            type_name(obj)
        ))
    })?;
    iter.collect()
}

/// The texts column: Arrow strings in place, or the `str` items of a sequence.
/// Row problems (a non-`str` item) go into `problems`.
pub(crate) fn texts(obj: &Bound<'_, PyAny>, problems: &mut Problems) -> PyResult<(Texts, usize)> {
    if obj.is_instance_of::<PyString>() {
        return Err(InputError::new_err(
            "texts must be a sequence of str, not one str (wrap it in a list)",
        ));
    }
    if let Some(chunks) = arrow_chunks(obj, "texts")? {
        if let Some(chunk) = chunks.iter().find(|c| !is_text(c.data_type())) {
            return Err(InputError::new_err(format!(
                "texts is an Arrow array of {}, not of strings",
                chunk.data_type()
            )));
        }
        let len: usize = chunks.iter().map(|c| c.len()).sum();
        let mut index = 0;
        for chunk in &chunks {
            // Logical nulls: an array of type null has no validity buffer.
            let nulls = chunk.logical_nulls();
            for i in 0..chunk.len() {
                if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    problems.add_at(index + i, problem("texts", index + i, "is null, not a str"));
                }
            }
            index += chunk.len();
        }
        return Ok((Texts::Arrow(chunks), len));
    }
    let items = items(obj, "texts")?;
    let texts = items
        .iter()
        .enumerate()
        .map(|(index, item)| match text_of(item) {
            Ok(text) => Some(text),
            Err(what) => {
                problems.add_at(index, problem("texts", index, what));
                None
            }
        })
        .collect::<Vec<_>>();
    let len = texts.len();
    Ok((Texts::Owned(texts), len))
}

/// The first problem of each bad row, by row.
#[derive(Default)]
pub(crate) struct Problems {
    by_row: std::collections::BTreeMap<usize, String>,
}

impl Problems {
    /// Notes a row's problem; a row keeps its first (texts before the other columns).
    fn add_at(&mut self, index: usize, what: String) {
        self.by_row.entry(index).or_insert(what);
    }
}

/// A per-message argument: absent, one value for every message, or one per message.
pub(crate) enum Column<T> {
    /// Not given.
    Absent,
    /// The same value for every message.
    One(T),
    /// One value (or none) per message.
    Many(Vec<Option<T>>),
}

impl<T> Column<T> {
    fn get(&self, index: usize) -> Option<&T> {
        match self {
            Column::Absent => None,
            Column::One(value) => Some(value),
            Column::Many(values) => values.get(index).and_then(Option::as_ref),
        }
    }
}

/// Checks that a per-message column has one value per text.
fn check_len(name: &str, got: usize, rows: usize) -> PyResult<()> {
    if got != rows {
        return Err(InputError::new_err(format!(
            "{name} has {got} items but there are {rows} texts: give one per text, or one value for all"
        )));
    }
    Ok(())
}

/// A per-message string argument (`accounts`, `groups`, `kinds`); items may be `None`.
fn string_column(
    obj: Option<&Bound<'_, PyAny>>,
    name: &str,
    rows: usize,
    problems: &mut Problems,
) -> PyResult<Column<String>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Column::Absent);
    };
    if obj.is_instance_of::<PyString>() {
        return Ok(Column::One(obj.extract()?));
    }
    if let Some(chunks) = arrow_chunks(obj, name)? {
        if let Some(chunk) = chunks.iter().find(|c| !is_text(c.data_type())) {
            return Err(InputError::new_err(format!(
                "{name} is an Arrow array of {}, not of strings",
                chunk.data_type()
            )));
        }
        let mut values = Vec::with_capacity(rows);
        for chunk in &chunks {
            let mut strings = Vec::with_capacity(chunk.len());
            push_strings(chunk, &mut strings);
            values.extend(strings.into_iter().map(|s| s.map(str::to_owned)));
        }
        check_len(name, values.len(), rows)?;
        return Ok(Column::Many(values));
    }
    let items = items(obj, name)?;
    check_len(name, items.len(), rows)?;
    let values = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            if is_missing(item) {
                return None;
            }
            text_of(item)
                .map_err(|what| problems.add_at(index, problem(name, index, what)))
                .ok()
        })
        .collect();
    Ok(Column::Many(values))
}

/// `kinds`: strings parsed as `useful`, `offer` or `ad`.
fn kind_column(
    obj: Option<&Bound<'_, PyAny>>,
    rows: usize,
    problems: &mut Problems,
) -> PyResult<Column<sendlint::Kind>> {
    let parse = |text: &str| text.parse::<sendlint::Kind>().map_err(|e| e.to_string());
    Ok(match string_column(obj, "kinds", rows, problems)? {
        Column::Absent => Column::Absent,
        Column::One(text) => Column::One(parse(&text).map_err(InputError::new_err)?),
        Column::Many(texts) => Column::Many(
            texts
                .into_iter()
                .enumerate()
                .map(|(index, text)| {
                    let text = text?;
                    parse(&text)
                        .map_err(|what| problems.add_at(index, problem("kinds", index, what)))
                        .ok()
                })
                .collect(),
        ),
    })
}

/// Nanoseconds per unit of an Arrow time unit.
fn nanos_per(unit: &TimeUnit) -> i128 {
    match unit {
        TimeUnit::Second => 1_000_000_000,
        TimeUnit::Millisecond => 1_000_000,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1,
    }
}

/// `at`: one aware datetime or RFC 3339 string, a sequence of them, or an Arrow
/// array of strings or of timestamps with a time zone.
fn at_column(
    obj: Option<&Bound<'_, PyAny>>,
    rows: usize,
    problems: &mut Problems,
) -> PyResult<Column<jiff::Timestamp>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Column::Absent);
    };
    if obj.is_instance_of::<PyString>() || obj.hasattr(intern!(obj.py(), "utcoffset"))? {
        return Ok(Column::One(timestamp(obj)?));
    }
    let parse = |text: &str| {
        text.parse::<jiff::Timestamp>()
            .map_err(|e| format!("{text:?} is not an RFC 3339 time: {e}"))
    };
    if let Some(chunks) = arrow_chunks(obj, "at")? {
        let mut values = Vec::with_capacity(rows);
        for chunk in &chunks {
            match chunk.data_type() {
                DataType::Timestamp(unit, Some(_)) => {
                    let per = nanos_per(unit);
                    for i in 0..chunk.len() {
                        let value = timestamp_value(chunk, i);
                        values.push(value.and_then(|v| {
                            jiff::Timestamp::from_nanosecond(i128::from(v) * per).ok()
                        }));
                    }
                }
                DataType::Null => values.extend(std::iter::repeat_n(None, chunk.len())),
                DataType::Timestamp(_, None) => {
                    return Err(InputError::new_err(
                        "at is an Arrow array of naive timestamps: give them a time zone (UTC)",
                    ))
                }
                data_type if is_text(data_type) => {
                    let mut strings = Vec::with_capacity(chunk.len());
                    push_strings(chunk, &mut strings);
                    for text in strings {
                        let index = values.len();
                        values.push(text.and_then(|text| {
                            parse(text)
                                .map_err(|what| problems.add_at(index, problem("at", index, what)))
                                .ok()
                        }));
                    }
                }
                other => {
                    return Err(InputError::new_err(format!(
                        "at is an Arrow array of {other}, not of timestamps or strings"
                    )))
                }
            }
        }
        check_len("at", values.len(), rows)?;
        return Ok(Column::Many(values));
    }
    let items = items(obj, "at")?;
    check_len("at", items.len(), rows)?;
    let values = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            if is_missing(item) {
                return None;
            }
            timestamp(item)
                .map_err(|err| problems.add_at(index, problem("at", index, err)))
                .ok()
        })
        .collect();
    Ok(Column::Many(values))
}

/// The raw value of an Arrow timestamp (any unit), `None` when null.
fn timestamp_value(chunk: &ArrayRef, index: usize) -> Option<i64> {
    use arrow_array::types::{
        TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    if chunk.is_null(index) {
        return None;
    }
    let value = match chunk.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => {
            chunk.as_primitive::<TimestampSecondType>().value(index)
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => chunk
            .as_primitive::<TimestampMillisecondType>()
            .value(index),
        DataType::Timestamp(TimeUnit::Microsecond, _) => chunk
            .as_primitive::<TimestampMicrosecondType>()
            .value(index),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            chunk.as_primitive::<TimestampNanosecondType>().value(index)
        }
        _ => return None,
    };
    Some(value)
}

/// `recipients` or `dead_links`: one list of strings for every message, or one
/// list (or `None`) per message. A sequence whose items are all `str` is one list.
fn list_column(
    obj: Option<&Bound<'_, PyAny>>,
    name: &str,
    rows: usize,
    problems: &mut Problems,
) -> PyResult<Column<Vec<String>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Column::Absent);
    };
    if obj.is_instance_of::<PyString>() {
        return Err(InputError::new_err(format!(
            "{name} must be a list of str (or one list per text), not one str"
        )));
    }
    let items = items(obj, name)?;
    if items.iter().all(|item| item.is_instance_of::<PyString>()) && !items.is_empty() {
        let one = items.iter().map(|i| i.extract()).collect::<PyResult<_>>()?;
        return Ok(Column::One(one));
    }
    check_len(name, items.len(), rows)?;
    let values = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            if is_missing(item) {
                return None;
            }
            let list: Result<Vec<String>, String> = if item.is_instance_of::<PyString>() {
                Err("is one str, not a list of str".to_owned())
            } else {
                item.try_iter()
                    .map_err(|_| format!("is {}, not a list of str", type_name(item)))
                    .and_then(|iter| {
                        iter.map(|r| {
                            r.map_err(|e| e.to_string())
                                .and_then(|i| text_of(&i).map_err(|w| format!("an item {w}")))
                        })
                        .collect()
                    })
            };
            list.map_err(|what| problems.add_at(index, problem(name, index, what)))
                .ok()
        })
        .collect();
    Ok(Column::Many(values))
}

/// A batch, converted: texts, the per-message columns and each bad row's problem.
pub(crate) struct Batch {
    texts: Texts,
    rows: usize,
    accounts: Column<String>,
    groups: Column<String>,
    at: Column<jiff::Timestamp>,
    kinds: Column<sendlint::Kind>,
    recipients: Column<Vec<String>>,
    dead_links: Column<Vec<String>>,
    targets: Column<String>,
    problems: std::collections::BTreeMap<usize, String>,
}

/// What every row of a batch is checked with.
pub(crate) struct Shared<'a> {
    pub(crate) history: Option<&'a Arc<sendlint::History>>,
    pub(crate) topic: Option<&'a Arc<sendlint::Topic>>,
    pub(crate) audience: Option<&'a sendlint::audience::Audience>,
}

/// The Python arguments of a batch, before conversion.
pub(crate) struct Arguments<'a, 'py> {
    pub(crate) texts: &'a Bound<'py, PyAny>,
    pub(crate) accounts: Option<&'a Bound<'py, PyAny>>,
    pub(crate) groups: Option<&'a Bound<'py, PyAny>>,
    pub(crate) at: Option<&'a Bound<'py, PyAny>>,
    pub(crate) kinds: Option<&'a Bound<'py, PyAny>>,
    pub(crate) recipients: Option<&'a Bound<'py, PyAny>>,
    pub(crate) dead_links: Option<&'a Bound<'py, PyAny>>,
    pub(crate) targets: Option<&'a Bound<'py, PyAny>>,
}

impl Batch {
    /// Converts the columns (with the GIL held: they are Python objects).
    pub(crate) fn convert(args: &Arguments<'_, '_>) -> PyResult<Batch> {
        let mut problems = Problems::default();
        let (texts, rows) = texts(args.texts, &mut problems)?;
        if rows > MAX_ROWS {
            return Err(InputError::new_err(format!(
                "{rows} texts are more than one batch takes ({MAX_ROWS}): split them"
            )));
        }
        let accounts = string_column(args.accounts, "accounts", rows, &mut problems)?;
        let groups = string_column(args.groups, "groups", rows, &mut problems)?;
        let at = at_column(args.at, rows, &mut problems)?;
        let kinds = kind_column(args.kinds, rows, &mut problems)?;
        let recipients = list_column(args.recipients, "recipients", rows, &mut problems)?;
        let dead_links = list_column(args.dead_links, "dead_links", rows, &mut problems)?;
        let targets = string_column(args.targets, "targets", rows, &mut problems)?;
        Ok(Batch {
            texts,
            rows,
            accounts,
            groups,
            at,
            kinds,
            recipients,
            dead_links,
            targets,
            problems: problems.by_row,
        })
    }

    /// Checks every row (with the GIL released by the caller).
    ///
    /// Without a history the rows are independent and run on `threads` threads
    /// (a pool made for this call). With a history they are replayed in input
    /// order, as the command line does: check, then record. Every context rule
    /// reads the sends of the message's own account, except `mass_mention_repeat`,
    /// which reads its group's; so rows linked by a shared account or group
    /// (a connected component) are replayed in order on one thread, and
    /// separate components run in parallel: each check sees exactly the sends
    /// it would see in a replay of the whole batch in order.
    pub(crate) fn run(
        &self,
        engine: &sendlint::Engine,
        shared: &Shared<'_>,
        threads: usize,
    ) -> Result<Vec<Result<sendlint::Report, String>>, String> {
        let Shared {
            history,
            topic,
            audience,
        } = *shared;
        let texts = self.texts.rows();
        let check = |index: usize| -> Result<sendlint::Report, String> {
            if let Some(what) = self.problems.get(&index) {
                return Err(what.clone());
            }
            let text = texts[index].unwrap_or_default();
            let mut message = sendlint::Message::new(text);
            if let Some(account) = self.accounts.get(index) {
                message = message.account(account);
            }
            if let Some(group) = self.groups.get(index) {
                message = message.group(group);
            }
            if let Some(at) = self.at.get(index) {
                message = message.at(*at);
            }
            if let Some(kind) = self.kinds.get(index) {
                message = message.kind(*kind);
            }
            if let Some(recipients) = self.recipients.get(index) {
                message = message.recipients(recipients);
            }
            if let Some(topic) = topic {
                message = message.topic(topic);
            }
            // Dead links, the audience and the target matter to the check
            // only; the record is of the send.
            let mut checked = message.clone();
            if let Some(dead_links) = self.dead_links.get(index) {
                checked = checked.dead_links(dead_links);
            }
            if let Some(audience) = audience {
                checked = checked.audience(audience);
            }
            if let Some(target) = self.targets.get(index) {
                checked = checked.target(target);
            }
            let Some(history) = history else {
                return engine
                    .check(&checked)
                    .map_err(|e| problem("texts", index, e));
            };
            let report = engine
                .check(&checked.history(history))
                .map_err(|e| problem("texts", index, e))?;
            engine
                .record(history, &message)
                .map_err(|e| problem("texts", index, format!("cannot be recorded: {e}")))?;
            Ok(report)
        };
        if threads <= 1 || self.rows < 2 {
            return Ok((0..self.rows).map(check).collect());
        }
        let pool = pool(threads)?;
        if history.is_none() {
            return Ok(pool.install(|| (0..self.rows).into_par_iter().map(check).collect()));
        }
        let components = self.components();
        if components.len() < 2 {
            return Ok((0..self.rows).map(check).collect());
        }
        let replayed: Vec<Vec<(usize, Result<sendlint::Report, String>)>> = pool.install(|| {
            components
                .par_iter()
                .map(|rows| rows.iter().map(|&index| (index, check(index))).collect())
                .collect()
        });
        let mut results: Vec<Option<Result<sendlint::Report, String>>> =
            (0..self.rows).map(|_| None).collect();
        for (index, result) in replayed.into_iter().flatten() {
            results[index] = Some(result);
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err("was not checked".to_owned())))
            .collect())
    }

    /// The rows in groups that share no account and no group with each
    /// other (rows without an account share the unnamed one), each in input
    /// order, largest first so the long replays start first.
    fn components(&self) -> Vec<Vec<usize>> {
        let mut parent: Vec<usize> = (0..self.rows).collect();
        fn root(parent: &mut [usize], mut row: usize) -> usize {
            while parent[row] != row {
                parent[row] = parent[parent[row]];
                row = parent[row];
            }
            row
        }
        let mut first_of_account: HashMap<&str, usize> = HashMap::new();
        let mut first_of_group: HashMap<&str, usize> = HashMap::new();
        for row in 0..self.rows {
            let account = self.accounts.get(row).map_or("", String::as_str);
            let mut links = vec![*first_of_account.entry(account).or_insert(row)];
            if let Some(group) = self.groups.get(row) {
                links.push(*first_of_group.entry(group).or_insert(row));
            }
            for other in links {
                let (a, b) = (root(&mut parent, row), root(&mut parent, other));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
        let mut by_root: HashMap<usize, Vec<usize>> = HashMap::new();
        for row in 0..self.rows {
            let r = root(&mut parent, row);
            by_root.entry(r).or_default().push(row);
        }
        let mut components: Vec<Vec<usize>> = by_root.into_values().collect();
        components.sort_unstable_by_key(|rows| (std::cmp::Reverse(rows.len()), rows[0]));
        components
    }

    /// The owned texts, in order, for building `Report`s (moved out, not copied,
    /// for texts read from Python).
    pub(crate) fn into_texts(self) -> Vec<String> {
        match self.texts {
            Texts::Owned(texts) => texts.into_iter().map(Option::unwrap_or_default).collect(),
            Texts::Arrow(_) => self
                .texts
                .rows()
                .into_iter()
                .map(|t| t.unwrap_or_default().to_owned())
                .collect(),
        }
    }
}

/// The thread pool of `threads` threads, started by the first batch that asks
/// for it (never at import) and kept: its threads sleep between batches, and
/// their per-thread scratch buffers stay warm. Pools are per process id: a
/// child made by `fork` (multiprocessing, Dask) has none of its parent's
/// threads, and installing work on the parent's pool would wait forever.
fn pool(threads: usize) -> Result<Arc<rayon::ThreadPool>, String> {
    type Pools = BTreeMap<(u32, usize), Arc<rayon::ThreadPool>>;
    static POOLS: Mutex<Pools> = Mutex::new(BTreeMap::new());
    let key = (std::process::id(), threads);
    let mut pools = POOLS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(pool) = pools.get(&key) {
        return Ok(pool.clone());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("sendlint-batch-{i}"))
        .build()
        .map_err(|e| format!("cannot start {threads} threads: {e}"))?;
    let pool = Arc::new(pool);
    pools.insert(key, pool.clone());
    Ok(pool)
}

/// `threads=None` is every core; 0 is an error.
pub(crate) fn thread_count(threads: Option<usize>) -> PyResult<usize> {
    match threads {
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
        Some(0) => Err(InputError::new_err("threads must be at least 1")),
        Some(n) => Ok(n),
    }
}

/// `errors="raise"` or `"skip"`.
pub(crate) fn skips(errors: &str) -> PyResult<bool> {
    match errors {
        "raise" => Ok(false),
        "skip" => Ok(true),
        other => Err(InputError::new_err(format!(
            "errors must be \"raise\" or \"skip\", not {other:?}"
        ))),
    }
}

/// The error for a batch with bad rows under `errors="raise"`: names the first
/// bad row, and carries `index` (that row), `errors` (every bad row's index and
/// problem) and `reports` (every row's result, `None` for bad rows; `None` for a
/// frame), so nothing that was checked is lost.
pub(crate) fn batch_error(
    py: Python<'_>,
    bad: &[(usize, String)],
    reports: Option<Bound<'_, PyList>>,
) -> PyErr {
    let Some((first, what)) = bad.first() else {
        return InputError::new_err("no bad rows");
    };
    let more = match bad.len() {
        1 => String::new(),
        n => format!(
            " (and {} more bad rows; errors=\"skip\" returns None for them)",
            n - 1
        ),
    };
    let err = InputError::new_err(format!("{what}{more}"));
    let value = err.value(py);
    let _ = value.setattr("index", *first);
    let _ = value.setattr("errors", bad.to_vec());
    let _ = value.setattr("reports", reports);
    err
}
