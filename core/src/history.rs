//! What an account already sent: the memory behind the context rules.
//!
//! A [`History`] holds one entry per send (account, group, time, kind, SimHash,
//! whether it carried links or @all, and the recipients as compact keyed ids — never
//! the raw numbers) and the user reports against content. Checking reads it;
//! [`Engine::record`](crate::Engine::record) adds a send once it really went out.
//!
//! ## Retention
//! Each account's log keeps the sends within the policy's `history.retention_days`
//! (30 by default, 90 at most) of that account's own newest send, and the user
//! reports those within it of the newest report. So memory stays bounded, and one
//! account's mistyped date (or a back-filled year) never drops another account's
//! sends. A send more than 24 hours ahead of the system clock is refused by
//! `record` (a check may still look at a scheduled message).
//!
//! ## Recipient ids and the key
//! Recipients are normalised first (phone numbers to E.164, national numbers read
//! in the first of the policy's `rules.pii_exposure.regions`, anything else
//! trimmed), then stored as the first 64 bits of HMAC-SHA-256 under a secret key.
//! The key is never saved: the caller keeps it and passes it again
//! ([`History::with_key`], [`History::load_with_key`]), or sets the environment
//! variable `SENDLINT_HISTORY_KEY`. Without either, the key is random and lives
//! only as long as the process, so recipients match only within it (`fatigue`
//! after a reload then sees no earlier exposures). A saved file holds only the
//! key's fingerprint: loading it with another key (or without one) is an error,
//! and without the key the ids cannot be reversed by trying every number.
//!
//! It is safe to share: many threads may check while one records (a `RwLock`).
//! [`History::save`] writes a versioned JSON file atomically (a unique temporary
//! file in the same directory, flushed to disk, then renamed over the target);
//! [`History::load`] rejects a corrupt or foreign file with a clear error.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Operation};
use crate::recipient::RecipientKey;
use crate::report::Kind;

const FORMAT: &str = "sendlint-history";
/// Version 2: HMAC recipient ids with the key kept out of the file, and the time
/// of each send's latest near-duplicate instead of a flag that never cleared.
const VERSION: u32 = 2;

/// The sends and user reports of one or many accounts.
///
/// # Examples
/// ```
/// use sendlint::{Engine, History, Message, RuleId};
/// let engine = Engine::default();
/// let history = History::with_key(b"a secret the caller keeps, not in the file")?;
/// let at = "2026-11-02T09:00:00Z".parse().unwrap();
/// let text = "Anzeige: 20 % Rabatt auf alle Torten, nur diese Woche!";
/// engine.record(&history, &Message::new(text).account("bakery").at(at))?;
/// let later = "2026-11-02T15:00:00Z".parse().unwrap();
/// let again = Message::new(text).account("bakery").at(later).history(&history);
/// assert!(engine.check(&again)?.has(RuleId::NearDuplicate));
/// # Ok::<(), sendlint::Error>(())
/// ```
#[derive(Debug)]
pub struct History {
    store: RwLock<Store>,
    /// Keys the recipient ids; never serialised.
    key: RecipientKey,
}

/// The serialised form, also the in-memory form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Store {
    format: String,
    version: u32,
    /// Fingerprint of the recipient key (an HMAC of a fixed label, never the key),
    /// `None` when the key was random for one process.
    key_fingerprint: Option<String>,
    /// The sends of each account: a check reads only its own account's log.
    accounts: Vec<AccountLog>,
    /// Interned group names; sends refer to them by index.
    groups: Vec<String>,
    /// User reports against content, ordered by time.
    pub(crate) reports: Vec<UserReport>,
    /// Account name → index into `accounts` (rebuilt on load, not saved).
    #[serde(skip)]
    account_index: HashMap<String, u32>,
    /// Group name → index into `groups` (rebuilt on load, not saved).
    #[serde(skip)]
    group_index: HashMap<String, u32>,
}

/// Just enough of a file to tell what it is before reading the rest.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
}

/// One account's sends, ordered by time.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountLog {
    name: String,
    sends: Vec<Sent>,
}

/// One recorded send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Sent {
    pub(crate) group: Option<u32>,
    /// Unix seconds.
    pub(crate) at: i64,
    pub(crate) kind: Kind,
    pub(crate) simhash: u64,
    pub(crate) links: bool,
    pub(crate) mass_mention: bool,
    /// When the latest near-duplicate of it (sent within the `duplicate_share`
    /// window of it, before or after) went out, Unix seconds, or [`NEVER`]; for
    /// `duplicate_share`, which counts it only while that time is in its window.
    /// (`null` in the file; a plain `i64` here keeps the entry 8 bytes smaller,
    /// which the rules' scans over thousands of sends feel.)
    #[serde(with = "never_is_null")]
    pub(crate) duplicate_at: i64,
    /// Compact keyed recipient ids, sorted, each once.
    pub(crate) recipients: Vec<u64>,
}

impl Sent {
    /// Whether a near-duplicate of this send went out at or after `since`.
    pub(crate) fn duplicated_since(&self, since: i64) -> bool {
        self.duplicate_at != NEVER && self.duplicate_at >= since
    }
}

/// [`Sent::duplicate_at`] of a send that has no near-duplicate.
pub(crate) const NEVER: i64 = i64::MIN;

/// [`NEVER`] as `null`, any other time as a number.
mod never_is_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(at: &i64, serializer: S) -> Result<S::Ok, S::Error> {
        match *at {
            super::NEVER => serializer.serialize_none(),
            at => serializer.serialize_some(&at),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        // A stored i64::MIN reads as "never", which is what it would mean anyway.
        Ok(Option::<i64>::deserialize(deserializer)?.unwrap_or(super::NEVER))
    }
}

/// Users reported content with this SimHash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserReport {
    pub(crate) simhash: u64,
    pub(crate) at: i64,
}

impl Default for History {
    /// Same as [`History::new`].
    fn default() -> History {
        History::new()
    }
}

impl History {
    /// An empty history keyed with `SENDLINT_HISTORY_KEY` when that is set (and
    /// not empty), otherwise with a random key that lives only as long as this
    /// process (recipients then match only within it; see [`History::with_key`]).
    ///
    /// # Examples
    /// ```
    /// assert!(sendlint::History::new().is_empty());
    /// ```
    pub fn new() -> History {
        History::empty(RecipientKey::from_env().unwrap_or_else(RecipientKey::random))
    }

    /// An empty history whose recipient ids are keyed with `key`, a secret the
    /// caller keeps (for example 32 random bytes from a secret store): it is never
    /// saved with the history, and the same key must be given to load it again.
    /// Use at least 16 random bytes: the ids are only as hard to reverse as the
    /// key is to guess.
    ///
    /// # Errors
    /// [`Error::Input`] when `key` is empty.
    ///
    /// # Examples
    /// ```
    /// let history = sendlint::History::with_key(b"0123456789abcdef0123456789abcdef")?;
    /// assert!(history.key_fingerprint().is_some());
    /// assert!(sendlint::History::with_key(b"").is_err());
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn with_key(key: &[u8]) -> Result<History, Error> {
        Ok(History::empty(RecipientKey::new(key)?))
    }

    fn empty(key: RecipientKey) -> History {
        History {
            store: RwLock::new(Store::new(&key)),
            key,
        }
    }

    /// Reads a history saved by [`History::save`], keyed with
    /// `SENDLINT_HISTORY_KEY` when that is set.
    ///
    /// # Errors
    /// [`Error::History`] when the file cannot be read, is corrupt, foreign or of
    /// another version, or was saved with a key and the environment gives
    /// another one or none (use [`History::load_with_key`]).
    ///
    /// # Examples
    /// ```
    /// let dir = std::env::temp_dir().join(format!("sendlint-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let path = dir.join("history.json");
    /// sendlint::History::new().save(&path)?;
    /// assert_eq!(sendlint::History::load(&path)?.len(), 0);
    /// std::fs::write(&path, "{\"format\": \"something else\"}").unwrap();
    /// assert!(sendlint::History::load(&path).is_err());
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<History, Error> {
        History::read_file(path.as_ref(), None)
    }

    /// Reads a history saved by [`History::save`] with the same `key` it was
    /// recorded with.
    ///
    /// # Errors
    /// As [`History::load`]; a file saved with another key is refused, and an
    /// empty key is [`Error::Input`].
    ///
    /// # Examples
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("sendlint-doc-key-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// let path = dir.join("history.json");
    /// let key = b"0123456789abcdef0123456789abcdef";
    /// sendlint::History::with_key(key)?.save(&path)?;
    /// assert!(sendlint::History::load_with_key(&path, key).is_ok());
    /// assert!(sendlint::History::load_with_key(&path, b"another key, another history").is_err());
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn load_with_key(path: impl AsRef<Path>, key: &[u8]) -> Result<History, Error> {
        History::read_file(path.as_ref(), Some(key))
    }

    fn read_file(path: &Path, key: Option<&[u8]>) -> Result<History, Error> {
        let key = RecipientKey::given_env_or_random(key)?;
        let text = std::fs::read_to_string(path)
            .map_err(|err| Error::history_io(path, Operation::Read, &err))?;
        History::parse(&text, key).map_err(|message| Error::history(Some(path), message))
    }

    /// Parses a saved history from its JSON text, keyed with
    /// `SENDLINT_HISTORY_KEY` when that is set (see [`History::load`]).
    ///
    /// # Errors
    /// [`Error::History`] (with no path) when the text is not a history this build
    /// reads or the key does not match.
    pub fn from_json(text: &str) -> Result<History, Error> {
        let key = RecipientKey::given_env_or_random(None)?;
        History::parse(text, key).map_err(|message| Error::history(None, message))
    }

    /// Parses a saved history from its JSON text with the key it was recorded with.
    ///
    /// # Errors
    /// As [`History::from_json`]; an empty key is [`Error::Input`].
    pub fn from_json_with_key(text: &str, key: &[u8]) -> Result<History, Error> {
        let key = RecipientKey::new(key)?;
        History::parse(text, key).map_err(|message| Error::history(None, message))
    }

    fn parse(text: &str, key: RecipientKey) -> Result<History, String> {
        let corrupt = |err: serde_json::Error| format!("corrupt history: {err}");
        let header: Header = serde_json::from_str(text).map_err(corrupt)?;
        if header.format.as_deref() != Some(FORMAT) {
            return Err("not a sendlint history file".to_owned());
        }
        match header.version {
            Some(VERSION) => {}
            Some(1) => {
                return Err(format!(
                    "history version 1 is not supported (this build reads {VERSION}): its \
                     recipient ids were not keyed with a secret, so it cannot be converted; \
                     delete the file and record again"
                ))
            }
            Some(version) => {
                return Err(format!(
                    "history version {version} is not supported (this build reads {VERSION})"
                ))
            }
            None => return Err("corrupt history: no version".to_owned()),
        }
        let mut store: Store = serde_json::from_str(text).map_err(corrupt)?;
        store.validate()?;
        match &store.key_fingerprint {
            Some(saved) if saved == key.fingerprint() => {}
            Some(saved) if key.is_ephemeral() => {
                return Err(format!(
                    "it was saved with a recipient key (fingerprint {saved}) and none was \
                     given: pass the same key (History::load_with_key) or set {}",
                    crate::recipient::KEY_VARIABLE
                ))
            }
            Some(saved) => {
                return Err(format!(
                    "it was saved with another recipient key (fingerprint {saved}, the given \
                     key's is {}): pass the key it was recorded with",
                    key.fingerprint()
                ))
            }
            // Saved with a key random to its process: its ids match nothing now,
            // from here on the ids are this key's.
            None if !key.is_ephemeral() => {
                store.key_fingerprint = Some(key.fingerprint().to_owned());
            }
            None => {}
        }
        Ok(History {
            store: RwLock::new(store),
            key,
        })
    }

    /// Writes the history to `path` atomically: through a unique temporary file in
    /// the same directory, flushed to disk and renamed over `path` (then the
    /// directory is flushed on Unix), so a crash or a concurrent save leaves a
    /// whole file, never a mix. The file is created readable by its owner only
    /// and never contains the recipient key.
    ///
    /// # Errors
    /// [`Error::History`] with [`Operation::Write`] when the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        write_atomically(path, self.to_json().as_bytes())
            .map_err(|err| Error::history_io(path, Operation::Write, &err))
    }

    /// The history as JSON (what [`History::from_json`] reads); it holds the
    /// key's fingerprint, never the key.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&*self.read()).expect("a history always serialises")
    }

    /// The fingerprint of the recipient key (32 hex digits, safe to show), or
    /// `None` when the key is random to this process and recipients will not
    /// match after a reload.
    pub fn key_fingerprint(&self) -> Option<&str> {
        (!self.key.is_ephemeral()).then(|| self.key.fingerprint())
    }

    /// Number of recorded sends.
    pub fn len(&self) -> usize {
        self.read().accounts.iter().map(|log| log.sends.len()).sum()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes the history holds (entries, recipient ids, names, indexes), from
    /// the capacities of its buffers.
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let store = self.read();
        let names = |names: &[String]| -> usize {
            names
                .iter()
                .map(|n| n.capacity() + size_of::<String>())
                .sum()
        };
        let index = |index: &HashMap<String, u32>| -> usize {
            index.capacity() * (size_of::<(String, u32)>() + 1)
                + index.keys().map(String::capacity).sum::<usize>()
        };
        let logs: usize = store
            .accounts
            .iter()
            .map(|log| {
                log.name.capacity()
                    + log.sends.capacity() * size_of::<Sent>()
                    + log
                        .sends
                        .iter()
                        .map(|s| s.recipients.capacity() * size_of::<u64>())
                        .sum::<usize>()
            })
            .sum();
        logs + store.accounts.capacity() * size_of::<AccountLog>()
            + store.reports.capacity() * size_of::<UserReport>()
            + names(&store.groups)
            + index(&store.account_index)
            + index(&store.group_index)
    }

    /// Number of recorded user reports.
    pub fn reports(&self) -> usize {
        self.read().reports.len()
    }

    /// The compact ids of a send's recipients (normalised, keyed, sorted, each
    /// person once); national numbers are read in the first of `regions`.
    pub(crate) fn recipient_ids<'r>(
        &self,
        recipients: impl IntoIterator<Item = &'r str>,
        regions: &[String],
    ) -> Vec<u64> {
        self.key
            .ids(recipients, crate::recipient::home_region(regions))
    }

    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Store> {
        // A panic while recording cannot leave the store half-written (records
        // are built first, then inserted), so a poisoned lock is still sound.
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clone for History {
    fn clone(&self) -> History {
        History {
            store: RwLock::new(self.read().clone()),
            key: self.key.clone(),
        }
    }
}

/// Writes `bytes` to `path` through a unique temporary file in its directory.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")
    })?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    // Dropped on any error before `persist`, which deletes the temporary file.
    let mut file = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|err| err.error)?;
    // The rename is durable only once the directory entry is on disk.
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

impl Store {
    fn new(key: &RecipientKey) -> Store {
        Store {
            format: FORMAT.to_owned(),
            version: VERSION,
            key_fingerprint: (!key.is_ephemeral()).then(|| key.fingerprint().to_owned()),
            ..Store::default()
        }
    }

    /// Checks what serde cannot, and builds the name indexes.
    fn validate(&mut self) -> Result<(), String> {
        for log in &self.accounts {
            for (i, sent) in log.sends.iter().enumerate() {
                if sent.group.is_some_and(|g| g as usize >= self.groups.len()) {
                    return Err(format!(
                        "corrupt history: send {i} of {:?} names an unknown group",
                        log.name
                    ));
                }
                if sent.recipients.windows(2).any(|w| w[0] >= w[1]) {
                    return Err(format!(
                        "corrupt history: send {i} of {:?} has unsorted or repeated recipients",
                        log.name
                    ));
                }
                if i > 0 && log.sends[i - 1].at > sent.at {
                    return Err(format!(
                        "corrupt history: send {i} of {:?} is out of time order",
                        log.name
                    ));
                }
            }
        }
        if self.reports.windows(2).any(|w| w[0].at > w[1].at) {
            return Err("corrupt history: reports are out of time order".to_owned());
        }
        if u32::try_from(self.accounts.len()).is_err() || u32::try_from(self.groups.len()).is_err()
        {
            return Err("corrupt history: more than 2^32 accounts or groups".to_owned());
        }
        self.account_index = index(self.accounts.iter().map(|log| log.name.as_str()))
            .map_err(|name| format!("corrupt history: account {name:?} is listed twice"))?;
        self.group_index = index(self.groups.iter().map(String::as_str))
            .map_err(|name| format!("corrupt history: group {name:?} is listed twice"))?;
        Ok(())
    }

    /// The id of an account, if it sent anything.
    pub(crate) fn account(&self, name: &str) -> Option<u32> {
        self.account_index.get(name).copied()
    }

    /// The id of a group, if anything was sent to it.
    pub(crate) fn group(&self, name: &str) -> Option<u32> {
        self.group_index.get(name).copied()
    }

    /// An account's sends strictly after `since` (Unix seconds), oldest first.
    ///
    /// This is where every window rule gets its half-open window: a rule looking
    /// back `w` seconds from a send at `t` passes `since = t - w`, so a send made
    /// exactly `w` earlier is outside (RULES.md, "Windows and times": a repeat
    /// exactly 48 h later passes `near_duplicate`).
    pub(crate) fn own_since(&self, account: u32, since: i64) -> &[Sent] {
        let sends = &self.accounts[account as usize].sends;
        &sends[sends.partition_point(|s| s.at <= since)..]
    }

    /// Every account's sends strictly after `since`, in no particular order.
    pub(crate) fn all_since(&self, since: i64) -> impl Iterator<Item = &Sent> {
        (0..self.accounts.len() as u32).flat_map(move |a| self.own_since(a, since))
    }

    /// An account's sends at or after `since`, to update their near-duplicate times.
    pub(crate) fn own_since_mut(&mut self, account: u32, since: i64) -> &mut [Sent] {
        let sends = &mut self.accounts[account as usize].sends;
        let start = sends.partition_point(|s| s.at < since);
        &mut sends[start..]
    }

    pub(crate) fn intern_account(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.account_index.get(name) {
            return id;
        }
        let id = self.accounts.len() as u32;
        self.accounts.push(AccountLog {
            name: name.to_owned(),
            sends: Vec::new(),
        });
        self.account_index.insert(name.to_owned(), id);
        id
    }

    pub(crate) fn intern_group(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.group_index.get(name) {
            return id;
        }
        let id = self.groups.len() as u32;
        self.groups.push(name.to_owned());
        self.group_index.insert(name.to_owned(), id);
        id
    }

    /// Inserts a send of `account` in time order, then drops that account's sends
    /// older than `retention` seconds before its own newest send. Other accounts
    /// are untouched: a wrong date in one log never costs another its sends.
    pub(crate) fn insert(&mut self, account: u32, sent: Sent, retention: i64) {
        let sends = &mut self.accounts[account as usize].sends;
        let at = sends.partition_point(|s| s.at <= sent.at);
        sends.insert(at, sent);
        trim(sends, |s| s.at, retention);
    }

    /// Inserts a user report in time order, then drops reports older than
    /// `retention` seconds before the newest report.
    pub(crate) fn insert_report(&mut self, report: UserReport, retention: i64) {
        let at = self.reports.partition_point(|r| r.at <= report.at);
        self.reports.insert(at, report);
        trim(&mut self.reports, |r| r.at, retention);
    }
}

/// Drops the entries of a time-ordered log that are more than `retention` seconds
/// older than its newest entry; never one at or after that cut-off. Trimming
/// shifts the whole log, so it happens only once the oldest entry is a day (or a
/// thirtieth of the retention, if shorter) past the cut-off: the rules never look
/// that far back, and memory stays within retention plus that slack.
fn trim<T>(log: &mut Vec<T>, at: impl Fn(&T) -> i64, retention: i64) {
    let Some(newest) = log.last().map(&at) else {
        return;
    };
    let cutoff = newest.saturating_sub(retention);
    let slack = (retention / 30).min(86_400);
    if log
        .first()
        .is_some_and(|e| at(e) < cutoff.saturating_sub(slack))
    {
        let old = log.partition_point(|e| at(e) < cutoff);
        log.drain(..old);
    }
}

/// Name → position, or the first name that appears twice.
fn index<'a>(names: impl Iterator<Item = &'a str>) -> Result<HashMap<String, u32>, &'a str> {
    let mut index = HashMap::new();
    for (i, name) in names.enumerate() {
        if index.insert(name.to_owned(), i as u32).is_some() {
            return Err(name);
        }
    }
    Ok(index)
}
