//! What an account already sent: the memory behind the context rules.
//!
//! A [`History`] holds one entry per send (account, group, time, kind, SimHash,
//! whether it carried links or @all, and the recipients as compact keyed ids — never
//! the raw numbers) and the user reports against content. Checking reads it;
//! [`Engine::record`](crate::Engine::record) adds a send once it really went out.
//! Entries older than the policy's `history.retention_days` (30 by default, 90 at
//! most) are dropped on every record, so memory stays bounded.
//!
//! It is safe to share: many threads may check while one records (a `RwLock`).
//! [`History::save`] writes a versioned JSON file atomically (write, then rename);
//! [`History::load`] rejects a corrupt or foreign file with a clear error.

use std::path::Path;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::report::Kind;

const FORMAT: &str = "sendlint-history";
const VERSION: u32 = 1;

/// The sends and user reports of one or many accounts.
///
/// # Examples
/// ```
/// use sendlint::{Engine, History, Message, RuleId};
/// let engine = Engine::default();
/// let history = History::new();
/// let at = "2026-11-02T09:00:00Z".parse().unwrap();
/// let text = "Anzeige: 20 % Rabatt auf alle Torten, nur diese Woche!";
/// engine.record(&history, &Message::new(text).account("bakery").at(at))?;
/// let later = "2026-11-02T15:00:00Z".parse().unwrap();
/// let again = Message::new(text).account("bakery").at(later).history(&history);
/// assert!(engine.check(&again)?.has(RuleId::NearDuplicate));
/// # Ok::<(), sendlint::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct History {
    store: RwLock<Store>,
}

/// The serialised form, also the in-memory form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Store {
    format: String,
    version: u32,
    /// Key of the compact recipient ids (random per history).
    key: u64,
    /// The sends of each account: a check reads only its own account's log.
    accounts: Vec<AccountLog>,
    /// Interned group names; sends refer to them by index.
    groups: Vec<String>,
    /// User reports against content, ordered by time.
    pub(crate) reports: Vec<UserReport>,
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
    /// Whether a near-duplicate of it was in the account's window when either
    /// was recorded (for `duplicate_share`).
    pub(crate) duplicate: bool,
    /// Compact keyed recipient ids, sorted.
    pub(crate) recipients: Vec<u64>,
}

/// Users reported content with this SimHash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserReport {
    pub(crate) simhash: u64,
    pub(crate) at: i64,
}

impl History {
    /// An empty history.
    pub fn new() -> History {
        History {
            store: RwLock::new(Store::new()),
        }
    }

    /// Reads a history saved by [`History::save`].
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
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|err| Error::io(path, &err))?;
        History::from_json(&text).map_err(|message| Error::History {
            path: Some(path.to_owned()),
            message,
        })
    }

    /// Parses a saved history from its JSON text.
    pub fn from_json(text: &str) -> Result<History, String> {
        let store: Store = serde_json::from_str(text).map_err(|err| {
            if text.trim_start().starts_with('{') && !text.contains(FORMAT) {
                "not a sendlint history file".to_owned()
            } else {
                format!("corrupt history: {err}")
            }
        })?;
        store.validate()?;
        Ok(History {
            store: RwLock::new(store),
        })
    }

    /// Writes the history to `path` atomically: a crash leaves the previous file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let json = self.to_json();
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        let temporary = std::path::PathBuf::from(temporary);
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(json.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temporary, path)
        };
        write().map_err(|err| {
            let _ = std::fs::remove_file(&temporary);
            Error::io(path, &err)
        })
    }

    /// The history as JSON (what [`History::from_json`] reads).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&*self.read()).expect("a history always serialises")
    }

    /// Number of recorded sends.
    pub fn len(&self) -> usize {
        self.read().accounts.iter().map(|log| log.sends.len()).sum()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes the history holds (entries, recipient ids, names), from the
    /// capacities of its buffers.
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let store = self.read();
        let names = |names: &[String]| -> usize {
            names
                .iter()
                .map(|n| n.capacity() + size_of::<String>())
                .sum()
        };
        let logs: usize = store
            .accounts
            .iter()
            .map(|log| {
                size_of::<AccountLog>()
                    + log.name.capacity()
                    + log.sends.capacity() * size_of::<Sent>()
                    + log
                        .sends
                        .iter()
                        .map(|s| s.recipients.capacity() * size_of::<u64>())
                        .sum::<usize>()
            })
            .sum();
        logs + store.reports.capacity() * size_of::<UserReport>() + names(&store.groups)
    }

    /// Number of recorded user reports.
    pub fn reports(&self) -> usize {
        self.read().reports.len()
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
        }
    }
}

impl Store {
    fn new() -> Store {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(0x5e4d_1147);
        Store {
            format: FORMAT.to_owned(),
            version: VERSION,
            key: hasher.finish(),
            ..Store::default()
        }
    }

    fn validate(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err("not a sendlint history file".to_owned());
        }
        if self.version != VERSION {
            return Err(format!(
                "history version {} is not supported (this build reads {VERSION})",
                self.version
            ));
        }
        for log in &self.accounts {
            for (i, sent) in log.sends.iter().enumerate() {
                if sent.group.is_some_and(|g| g as usize >= self.groups.len()) {
                    return Err(format!(
                        "corrupt history: send {i} of {:?} names an unknown group",
                        log.name
                    ));
                }
                if !sent.recipients.is_sorted() {
                    return Err(format!(
                        "corrupt history: send {i} of {:?} has unsorted recipients",
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
        Ok(())
    }

    /// The id of an account, if it sent anything.
    pub(crate) fn account(&self, name: &str) -> Option<u32> {
        self.accounts
            .iter()
            .position(|a| a.name == name)
            .map(|i| i as u32)
    }

    /// The id of a group, if anything was sent to it.
    pub(crate) fn group(&self, name: &str) -> Option<u32> {
        self.groups.iter().position(|g| g == name).map(|i| i as u32)
    }

    /// The compact id of a recipient.
    pub(crate) fn recipient(&self, recipient: &str) -> u64 {
        crate::simhash::keyed(self.key, recipient.trim())
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

    /// An account's sends at or after `since`, to update their flags.
    pub(crate) fn own_since_mut(&mut self, account: u32, since: i64) -> &mut [Sent] {
        let sends = &mut self.accounts[account as usize].sends;
        let start = sends.partition_point(|s| s.at < since);
        &mut sends[start..]
    }

    pub(crate) fn intern_account(&mut self, name: &str) -> u32 {
        match self.account(name) {
            Some(id) => id,
            None => {
                self.accounts.push(AccountLog {
                    name: name.to_owned(),
                    sends: Vec::new(),
                });
                (self.accounts.len() - 1) as u32
            }
        }
    }

    pub(crate) fn intern_group(&mut self, name: &str) -> u32 {
        intern(&mut self.groups, name)
    }

    /// Inserts a send of `account` in time order and drops sends and reports older
    /// than `retention` seconds before the newest send. Trimming shifts a whole
    /// log, so a log is trimmed only once its oldest entry is a day (or a thirtieth
    /// of the retention, if shorter) past the cutoff: the rules never look that far
    /// back, and memory stays within retention plus that slack.
    pub(crate) fn insert(&mut self, account: u32, sent: Sent, retention: i64) {
        let sends = &mut self.accounts[account as usize].sends;
        let at = sends.partition_point(|s| s.at <= sent.at);
        sends.insert(at, sent);
        let newest = self
            .accounts
            .iter()
            .filter_map(|log| log.sends.last().map(|s| s.at))
            .max()
            .unwrap_or(i64::MIN);
        let cutoff = newest.saturating_sub(retention);
        let slack = (retention / 30).min(86_400);
        for log in &mut self.accounts {
            if log
                .sends
                .first()
                .is_some_and(|s| s.at < cutoff.saturating_sub(slack))
            {
                let old = log.sends.partition_point(|s| s.at < cutoff);
                log.sends.drain(..old);
            }
        }
        if self
            .reports
            .first()
            .is_some_and(|r| r.at < cutoff.saturating_sub(slack))
        {
            let old = self.reports.partition_point(|r| r.at < cutoff);
            self.reports.drain(..old);
        }
    }

    pub(crate) fn insert_report(&mut self, report: UserReport) {
        let at = self.reports.partition_point(|r| r.at <= report.at);
        self.reports.insert(at, report);
    }
}

fn intern(names: &mut Vec<String>, name: &str) -> u32 {
    match names.iter().position(|n| n == name) {
        Some(i) => i as u32,
        None => {
            names.push(name.to_owned());
            (names.len() - 1) as u32
        }
    }
}
