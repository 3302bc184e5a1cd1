//! Audiences: the contacts a business sends to, with their consent, opt-outs,
//! labels and lifecycle (seeds 003 and 004; `docs/RULES.md` §4).
//!
//! An [`Audience`] holds contacts keyed by their E.164 phone number, a fixed
//! list of labels (one bit set per label, so a [label expression](Expression)
//! over 100,000 contacts is a few thousand word operations), a consent record
//! and an opt-out per contact, and the dates the lifecycle rules read.
//!
//! ```
//! use sendlint::audience::{Audience, Consent, ConsentMethod};
//! let mut audience = Audience::new(["VIP", "Interesse-Make-up", "Kaufphase-Abgeschlossen"])?;
//! let at = "2026-03-14T10:00:00Z".parse().unwrap();
//! audience.add_contact("+852 9123 4567", &["VIP", "Interesse-Make-up"], at)?;
//! audience.set_consent("+85291234567", Consent::new(at, ConsentMethod::WebForm))?;
//! assert_eq!(audience.select("Interesse-Make-up AND NOT Kaufphase-Abgeschlossen")?, ["+85291234567"]);
//! audience.opt_out("+852 9123 4567", at)?;
//! assert!(!audience.contact("+85291234567").unwrap().is_sendable());
//! # Ok::<(), sendlint::audience::AudienceError>(())
//! ```
//!
//! A message checked with an audience ([`Message::audience`](crate::Message::audience))
//! runs `no_consent`, `opted_out` and, with a target expression, `untargeted`.
//!
//! ## Contact import
//! [`Audience::import_csv`] reads CSV or TXT in UTF-8 with a header row naming
//! its columns in English or German (`phone`/`phone_number`/`Telefonnummer`,
//! `labels`/`Label-Name`, `consent_at`, `consent_method`, `consent_source`,
//! `consent_policy_version`; the names are in `lexicons/import/`, compared
//! without case, spaces, `-` and `_`); a plain list of numbers without a header
//! is read as a phone column (and a label column after it). The separator —
//! comma, semicolon or tab — is detected from the first line and stated in the
//! report; labels inside a field are separated by commas, and unquoted labels
//! spilling into further columns of a comma-separated file are read too.
//!
//! Every row gets a result: accepted, or a [`RejectReason`] — `duplicate` (the
//! first row of a number wins), `invalid_phone`, `unknown_label` (ignored, the
//! row kept), `missing_consent`, `invalid_consent`, `invalid_encoding`,
//! `opted_out` (stays excluded). Rows that cannot be imported count as failed;
//! rows are judged in batches of 5,000, and when more than 10 % of any batch
//! fail nothing is imported ([`AudienceError::ImportStopped`] carries the
//! [`ImportReport`]). Byte order marks, CRLF, quoted fields, empty rows and any
//! bytes are handled.
//!
//! ## Untrusted input
//! [`Audience::import_csv`], [`Expression::parse`], [`Audience::from_json`] and
//! [`Audience::load`] never panic, whatever the input; they return errors.

mod bitset;
mod contact;
mod error;
mod expression;
mod health;
pub(crate) mod import;
mod lifecycle;
mod pseudonym;
pub(crate) mod screen;
mod store;

use std::collections::HashMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use contact::{
    normalize_phone, Consent, ConsentMethod, Contact, Interaction, InteractionKind, PhoneError,
};
pub use error::AudienceError;
pub use expression::{Expression, ExpressionError};
pub use health::{LabelHealth, LabelShare, UnusedLabel};
pub use import::{ImportOptions, ImportReport, RejectReason, RowIssue};
pub use lifecycle::{LifecycleChange, LifecycleReport, SkippedRule};
pub use pseudonym::pseudonymize;

pub use crate::policy::{AudienceSettings, ContactDate, LifecycleRule};

use bitset::Bitset;
use expression::Node;

/// Longest label name, in bytes.
const MAX_LABEL_BYTES: usize = 200;
/// Most labels an audience may hold (the health report already warns above 100).
const MAX_LABELS: usize = 10_000;

/// A label and when it was created and last used by a send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Label {
    /// The name, as used in expressions.
    pub name: String,
    /// When the label was created.
    pub created_at: Timestamp,
    /// When a send last targeted it ([`Audience::record_target`]).
    #[serde(default)]
    pub last_used: Option<Timestamp>,
}

/// One batch change of labels, as kept in the change log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LabelChange {
    /// When.
    pub at: Timestamp,
    /// Which contacts: the expression, or the lifecycle rule's name.
    pub selection: String,
    /// Labels added.
    pub added: Vec<String>,
    /// Labels removed.
    pub removed: Vec<String>,
    /// Contacts whose labels really changed.
    pub contacts: usize,
    /// Why (the caller's note, or `lifecycle`).
    pub reason: String,
}

/// Contacts, labels, consent and opt-outs of one business.
///
/// Not internally locked: share it behind a lock when threads change it
/// (checking with it only reads).
#[derive(Clone, Debug)]
pub struct Audience {
    settings: AudienceSettings,
    default_region: Option<phonenumber::country::Id>,
    labels: Vec<Label>,
    label_index: HashMap<String, usize>,
    /// Per label, which contacts carry it.
    members: Vec<Bitset>,
    contacts: Vec<Contact>,
    contact_index: HashMap<String, usize>,
    changes: Vec<LabelChange>,
}

impl Audience {
    /// An empty audience with these labels (created now) and the built-in
    /// settings ([`AudienceSettings::default`]).
    ///
    /// # Errors
    /// [`AudienceError::InvalidLabel`] for an empty, over-long or repeated name.
    pub fn new<I, S>(labels: I) -> Result<Audience, AudienceError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut audience = Audience {
            settings: AudienceSettings::default(),
            default_region: None,
            labels: Vec::new(),
            label_index: HashMap::new(),
            members: Vec::new(),
            contacts: Vec::new(),
            contact_index: HashMap::new(),
            changes: Vec::new(),
        };
        let now = Timestamp::now();
        for label in labels {
            audience.add_label(label.as_ref(), now)?;
        }
        Ok(audience)
    }

    /// Uses `settings` (usually `policy.audience`) for imports, lifecycle,
    /// label health and retention.
    ///
    /// # Errors
    /// [`AudienceError::Input`] when a setting is out of range.
    pub fn with_settings(mut self, settings: AudienceSettings) -> Result<Audience, AudienceError> {
        settings.validate().map_err(AudienceError::Input)?;
        self.settings = settings;
        Ok(self)
    }

    /// The settings in use.
    pub fn settings(&self) -> &AudienceSettings {
        &self.settings
    }

    /// Reads national numbers (`(030) 1234567`) as numbers of `region` (ISO
    /// 3166 alpha-2, `DE`) wherever a phone number is given; `None`: a country
    /// code is required.
    ///
    /// # Errors
    /// [`AudienceError::Input`] for an unknown region code.
    pub fn set_default_region(&mut self, region: Option<&str>) -> Result<(), AudienceError> {
        self.default_region = region
            .map(contact::parse_region)
            .transpose()
            .map_err(AudienceError::Input)?;
        Ok(())
    }

    /// The default region, if one is set.
    pub fn default_region(&self) -> Option<String> {
        self.default_region.map(|id| format!("{id:?}"))
    }

    /// Adds a label created at `at`.
    ///
    /// # Errors
    /// [`AudienceError::InvalidLabel`] when the name is empty, longer than 200
    /// bytes, has a control character or surrounding spaces, or exists.
    pub fn add_label(&mut self, name: &str, at: Timestamp) -> Result<(), AudienceError> {
        let invalid = |reason: &str| AudienceError::InvalidLabel {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        if name.trim().is_empty() {
            return Err(invalid("it is empty"));
        }
        if name.trim() != name {
            return Err(invalid("it starts or ends with a space"));
        }
        if name.len() > MAX_LABEL_BYTES {
            return Err(invalid("it is longer than 200 bytes"));
        }
        if name.chars().any(char::is_control) {
            return Err(invalid("it contains a control character"));
        }
        if self.label_index.contains_key(name) {
            return Err(invalid("a label of this name exists"));
        }
        if self.labels.len() >= MAX_LABELS {
            return Err(invalid("the audience already has 10,000 labels"));
        }
        self.label_index.insert(name.to_owned(), self.labels.len());
        self.labels.push(Label {
            name: name.to_owned(),
            created_at: at,
            last_used: None,
        });
        self.members.push(Bitset::empty(self.contacts.len()));
        Ok(())
    }

    /// The labels, in creation order.
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// How many contacts carry `label` (`None` for an unknown label).
    pub fn label_count(&self, label: &str) -> Option<usize> {
        self.label_index.get(label).map(|&i| self.members[i].len())
    }

    /// Number of contacts (opted-out ones included).
    pub fn len(&self) -> usize {
        self.contacts.len()
    }

    /// Whether the audience has no contacts.
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
    }

    /// The contacts, in the order they were added.
    pub fn contacts(&self) -> &[Contact] {
        &self.contacts
    }

    /// Normalises a phone number with the default region.
    fn e164(&self, phone: &str) -> Result<String, AudienceError> {
        Ok(contact::normalise(phone, self.default_region)?)
    }

    fn position(&self, phone: &str) -> Result<usize, AudienceError> {
        let e164 = self.e164(phone)?;
        self.contact_index
            .get(&e164)
            .copied()
            .ok_or(AudienceError::UnknownContact(e164))
    }

    /// The contact with this number (written any way the default region allows).
    pub fn contact(&self, phone: &str) -> Option<&Contact> {
        self.position(phone).ok().map(|i| &self.contacts[i])
    }

    /// The contact's position, adding it (at `at`) when new.
    fn entry(&mut self, e164: String, at: Timestamp) -> usize {
        if let Some(&i) = self.contact_index.get(&e164) {
            return i;
        }
        let i = self.contacts.len();
        self.contact_index.insert(e164.clone(), i);
        self.contacts.push(Contact::new(e164, at));
        i
    }

    fn label_ids(&self, labels: &[&str]) -> Result<Vec<usize>, AudienceError> {
        labels
            .iter()
            .map(|name| {
                self.label_index
                    .get(*name)
                    .copied()
                    .ok_or_else(|| AudienceError::UnknownLabel((*name).to_owned()))
            })
            .collect()
    }

    /// Adds a contact (added at `at`) with labels, or adds the labels to an
    /// existing one. Returns the E.164 number.
    ///
    /// # Errors
    /// [`AudienceError::Phone`] for an invalid number, [`AudienceError::UnknownLabel`].
    pub fn add_contact(
        &mut self,
        phone: &str,
        labels: &[&str],
        at: Timestamp,
    ) -> Result<String, AudienceError> {
        let e164 = self.e164(phone)?;
        let ids = self.label_ids(labels)?;
        let i = self.entry(e164.clone(), at);
        for id in ids {
            self.members[id].insert(i);
        }
        Ok(e164)
    }

    /// The labels of a contact, in label order (empty for an unknown contact).
    pub fn labels_of(&self, phone: &str) -> Vec<&str> {
        let Ok(i) = self.position(phone) else {
            return Vec::new();
        };
        self.labels_at(i)
    }

    fn labels_at(&self, i: usize) -> Vec<&str> {
        self.labels
            .iter()
            .zip(&self.members)
            .filter(|(_, members)| members.contains(i))
            .map(|(label, _)| label.name.as_str())
            .collect()
    }

    /// Records the contact's opt-in, adding the contact when new (consent given
    /// in a chat by someone not yet on the list). An earlier opt-out stands: a
    /// new opt-in after an opt-out is [`Audience::opt_in_again`].
    ///
    /// # Errors
    /// [`AudienceError::Phone`] for an invalid number.
    pub fn set_consent(&mut self, phone: &str, consent: Consent) -> Result<(), AudienceError> {
        let e164 = self.e164(phone)?;
        let i = self.entry(e164, consent.at);
        self.contacts[i].consent = Some(consent);
        Ok(())
    }

    /// Records a new opt-in after an opt-out: clears the opt-out if the consent
    /// is later than it.
    ///
    /// # Errors
    /// [`AudienceError::Input`] when the consent is not later than the opt-out;
    /// [`AudienceError::Phone`] for an invalid number.
    pub fn opt_in_again(&mut self, phone: &str, consent: Consent) -> Result<(), AudienceError> {
        let e164 = self.e164(phone)?;
        let i = self.entry(e164, consent.at);
        let contact = &mut self.contacts[i];
        if let Some(out) = contact.opted_out_at {
            if consent.at <= out {
                return Err(AudienceError::Input(format!(
                    "the new consent ({}) is not later than the opt-out ({out})",
                    consent.at
                )));
            }
        }
        contact.opted_out_at = None;
        contact.consent = Some(consent);
        Ok(())
    }

    /// Records that the contact opted out at `at` (now when `None`). An unknown
    /// number is added as an opted-out contact, so a later import cannot make it
    /// a recipient. An earlier opt-out time is kept.
    ///
    /// # Errors
    /// [`AudienceError::Phone`] for an invalid number.
    pub fn opt_out(
        &mut self,
        phone: &str,
        at: impl Into<Option<Timestamp>>,
    ) -> Result<(), AudienceError> {
        let at = at.into().unwrap_or_else(Timestamp::now);
        let e164 = self.e164(phone)?;
        let i = self.entry(e164, at);
        let contact = &mut self.contacts[i];
        if contact.opted_out_at.is_none_or(|earlier| at < earlier) {
            contact.opted_out_at = Some(at);
        }
        Ok(())
    }

    /// Records an interaction (opened a message, replied, purchased).
    ///
    /// # Errors
    /// [`AudienceError::UnknownContact`], [`AudienceError::Phone`].
    pub fn record_interaction(
        &mut self,
        phone: &str,
        kind: InteractionKind,
        at: Timestamp,
    ) -> Result<(), AudienceError> {
        let i = self.position(phone)?;
        self.contacts[i].record(Interaction { at, kind });
        Ok(())
    }

    /// Resolves an expression's labels, pointing at an unknown one's column.
    fn evaluate(&self, expression: &Expression) -> Result<Bitset, AudienceError> {
        self.check_labels(expression)?;
        Ok(self.eval(&expression.root))
    }

    fn check_labels(&self, expression: &Expression) -> Result<(), ExpressionError> {
        fn walk(audience: &Audience, node: &Node, source: &str) -> Result<(), ExpressionError> {
            match node {
                Node::Label(name, column) if !audience.label_index.contains_key(name) => Err(
                    ExpressionError::new(source, *column, format!("unknown label {name:?}")),
                ),
                Node::Label(..) => Ok(()),
                Node::Not(inner) => walk(audience, inner, source),
                Node::And(items) | Node::Or(items) => {
                    items.iter().try_for_each(|n| walk(audience, n, source))
                }
            }
        }
        walk(self, &expression.root, expression.as_str())
    }

    /// The set of an expression whose labels all exist.
    fn eval(&self, node: &Node) -> Bitset {
        let n = self.contacts.len();
        match node {
            Node::Label(name, _) => {
                let mut set = self.members[self.label_index[name]].clone();
                // Sets only grow when a member is added; NOT and AND need the full length.
                set.or(&Bitset::empty(n));
                set
            }
            Node::Not(inner) => {
                let mut set = self.eval(inner);
                set.not(n);
                set
            }
            Node::And(items) => {
                // Labels first (cheap), and stop as soon as the set is empty.
                let mut set = self.eval(&items[0]);
                for item in &items[1..] {
                    if set.len() == 0 {
                        break;
                    }
                    match item {
                        Node::Label(name, _) => set.and(&self.members[self.label_index[name]]),
                        other => set.and(&self.eval(other)),
                    }
                }
                set
            }
            Node::Or(items) => {
                let mut set = Bitset::empty(n);
                for item in items {
                    match item {
                        Node::Label(name, _) => set.or(&self.members[self.label_index[name]]),
                        other => set.or(&self.eval(other)),
                    }
                }
                set
            }
        }
    }

    fn parse(expression: &str) -> Result<Expression, AudienceError> {
        Ok(Expression::parse(expression)?)
    }

    /// The E.164 numbers of the contacts an expression selects, in the order
    /// the contacts were added. Opted-out contacts and contacts without consent
    /// are included: the rules report them ([`Audience::select_sendable`] leaves
    /// them out).
    ///
    /// # Errors
    /// [`AudienceError::Expression`] with the column of a syntax error or an
    /// unknown label.
    ///
    /// # Examples
    /// ```
    /// let mut audience = sendlint::audience::Audience::new(["A", "B"])?;
    /// let at = "2026-01-01T00:00:00Z".parse().unwrap();
    /// audience.add_contact("+4930123456", &["A"], at)?;
    /// audience.add_contact("+4930123457", &["A", "B"], at)?;
    /// assert_eq!(audience.select("A AND NOT B")?, ["+4930123456"]);
    /// let err = audience.select("A AND C").unwrap_err();
    /// assert!(err.to_string().contains("column 7: unknown label \"C\""));
    /// # Ok::<(), sendlint::audience::AudienceError>(())
    /// ```
    pub fn select(&self, expression: &str) -> Result<Vec<String>, AudienceError> {
        let set = self.evaluate(&Audience::parse(expression)?)?;
        Ok(set.iter().map(|i| self.contacts[i].phone.clone()).collect())
    }

    /// Like [`Audience::select`], without contacts lacking consent or opted out.
    ///
    /// # Errors
    /// As [`Audience::select`].
    pub fn select_sendable(&self, expression: &str) -> Result<Vec<String>, AudienceError> {
        let set = self.evaluate(&Audience::parse(expression)?)?;
        Ok(set
            .iter()
            .map(|i| &self.contacts[i])
            .filter(|c| c.is_sendable())
            .map(|c| c.phone.clone())
            .collect())
    }

    /// How many contacts an expression selects.
    ///
    /// # Errors
    /// As [`Audience::select`].
    pub fn count(&self, expression: &Expression) -> Result<usize, AudienceError> {
        Ok(self.evaluate(expression)?.len())
    }

    /// Marks the labels of a send's target expression as used at `at`, for the
    /// label health report (a label no send used for 30 days is unused).
    ///
    /// # Errors
    /// As [`Audience::select`].
    pub fn record_target(&mut self, expression: &str, at: Timestamp) -> Result<(), AudienceError> {
        let expression = Audience::parse(expression)?;
        self.check_labels(&expression)?;
        for name in expression.labels() {
            let label = &mut self.labels[self.label_index[name]];
            if label.last_used.is_none_or(|last| last < at) {
                label.last_used = Some(at);
            }
        }
        Ok(())
    }

    /// Adds and removes labels on every contact the expression selects (seed
    /// 003's batch action), and logs the change.
    ///
    /// # Errors
    /// As [`Audience::select`]; [`AudienceError::UnknownLabel`] for a label to
    /// add or remove. Nothing changes on error.
    ///
    /// # Examples
    /// ```
    /// let mut audience = sendlint::audience::Audience::new(["Bestellt", "Inaktiver Kunde", "Hohes Potenzial"])?;
    /// let at = "2026-01-01T00:00:00Z".parse().unwrap();
    /// audience.add_contact("+4930123456", &["Inaktiver Kunde"], at)?;
    /// let change = audience.change_labels(
    ///     "NOT Bestellt", &["Hohes Potenzial"], &["Inaktiver Kunde"], at, "weekly review")?;
    /// assert_eq!(change.contacts, 1);
    /// assert_eq!(audience.labels_of("+4930123456"), ["Hohes Potenzial"]);
    /// # Ok::<(), sendlint::audience::AudienceError>(())
    /// ```
    pub fn change_labels(
        &mut self,
        expression: &str,
        add: &[&str],
        remove: &[&str],
        at: Timestamp,
        reason: &str,
    ) -> Result<&LabelChange, AudienceError> {
        let selected = self.evaluate(&Audience::parse(expression)?)?;
        let add_ids = self.label_ids(add)?;
        let remove_ids = self.label_ids(remove)?;
        let contacts = self.apply(&selected, &add_ids, &remove_ids).len();
        self.changes.push(LabelChange {
            at,
            selection: expression.to_owned(),
            added: add.iter().map(|s| (*s).to_owned()).collect(),
            removed: remove.iter().map(|s| (*s).to_owned()).collect(),
            contacts,
            reason: reason.to_owned(),
        });
        Ok(self.changes.last().expect("just pushed"))
    }

    /// Adds and removes label ids on the contacts of `selected`; returns the
    /// contacts whose labels changed. A label both added and removed is added.
    fn apply(&mut self, selected: &Bitset, add: &[usize], remove: &[usize]) -> Bitset {
        let mut changed = Bitset::empty(self.contacts.len());
        for &id in remove.iter().filter(|id| !add.contains(id)) {
            let mut hit = self.members[id].clone();
            hit.and(selected);
            changed.or(&hit);
            for i in hit.iter() {
                self.members[id].remove(i);
            }
        }
        for &id in add {
            let mut new = self.members[id].clone();
            new.not(self.contacts.len());
            new.and(selected);
            changed.or(&new);
            self.members[id].or(&new);
        }
        changed
    }

    /// The label change log, oldest first.
    pub fn change_log(&self) -> &[LabelChange] {
        &self.changes
    }

    /// Heap bytes held by the label sets (a measure for the benchmarks).
    pub fn label_memory_bytes(&self) -> usize {
        self.members.iter().map(Bitset::memory_bytes).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn audience_is_send_sync_and_unwind_safe() {
        fn check<T: Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
        check::<Audience>();
        check::<AudienceError>();
        check::<ImportReport>();
    }

    #[test]
    fn labels_must_be_real_names() {
        assert!(Audience::new(["VIP", "VIP"]).is_err());
        assert!(Audience::new([""]).is_err());
        assert!(Audience::new([" VIP"]).is_err());
        assert!(Audience::new(["a\nb"]).is_err());
        assert!(Audience::new(["x".repeat(201)]).is_err());
        assert_eq!(
            Audience::new(["Kaufphase - Abgeschlossen"])
                .unwrap()
                .labels()
                .len(),
            1
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn expressions_select_by_labels() {
        let mut audience = Audience::new(["A", "B", "C"]).unwrap();
        let t = at("2026-01-01T00:00:00Z");
        audience.add_contact("+49301234561", &["A"], t).unwrap();
        audience
            .add_contact("+49301234562", &["A", "B"], t)
            .unwrap();
        audience
            .add_contact("+49301234563", &["B", "C"], t)
            .unwrap();
        audience.add_contact("+49301234564", &[], t).unwrap();
        let select = |e: &str| audience.select(e).unwrap();
        assert_eq!(select("A AND B"), ["+49301234562"]);
        assert_eq!(select("A OR C").len(), 3);
        assert_eq!(select("NOT (A OR B OR C)"), ["+49301234564"]);
        assert_eq!(select("(A OR C) AND NOT B"), ["+49301234561"]);
        assert_eq!(select("NOT NOT A").len(), 2);
        let err = audience.select("A AND NOT Lippenstift").unwrap_err();
        let AudienceError::Expression(err) = err else {
            panic!("{err:?}")
        };
        assert_eq!(err.column, 11);
        // A label created after the contacts still complements over all of them.
        audience.add_label("D", t).unwrap();
        assert_eq!(audience.select("NOT D").unwrap().len(), 4);
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn opt_out_sticks_and_creates_unknown_contacts() {
        let mut audience = Audience::new(["VIP"]).unwrap();
        let consent = Consent::new(at("2026-01-01T00:00:00Z"), ConsentMethod::InStore);
        audience
            .set_consent("+85291234567", consent.clone())
            .unwrap();
        audience
            .opt_out("+852 9123 4567", at("2026-02-01T00:00:00Z"))
            .unwrap();
        audience
            .opt_out("+85291234567", at("2026-03-01T00:00:00Z"))
            .unwrap();
        let contact = audience.contact("+85291234567").unwrap();
        assert_eq!(contact.opted_out_at, Some(at("2026-02-01T00:00:00Z")));
        assert!(!contact.is_sendable());
        // Consent again, but older than the opt-out: refused.
        assert!(audience.opt_in_again("+85291234567", consent).is_err());
        let fresh = Consent::new(at("2026-04-01T00:00:00Z"), ConsentMethod::Chat);
        audience.opt_in_again("+85291234567", fresh).unwrap();
        assert!(audience.contact("+85291234567").unwrap().is_sendable());
        // An unknown number that opts out is remembered.
        audience.opt_out("+49301234567", None).unwrap();
        assert_eq!(audience.len(), 2);
        assert!(audience
            .contact("+49 30 1234567")
            .unwrap()
            .opted_out_at
            .is_some());
        assert!(matches!(
            audience.opt_out("12", None),
            Err(AudienceError::Phone(_))
        ));
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn batch_changes_are_logged_and_atomic() {
        let mut audience =
            Audience::new(["Bestellt", "Inaktiver Kunde", "Hohes Potenzial"]).unwrap();
        let t = at("2026-01-01T00:00:00Z");
        audience
            .add_contact("+49301234561", &["Inaktiver Kunde"], t)
            .unwrap();
        audience
            .add_contact("+49301234562", &["Bestellt", "Inaktiver Kunde"], t)
            .unwrap();
        audience
            .add_contact("+49301234563", &["Hohes Potenzial"], t)
            .unwrap();
        // An unknown label changes nothing.
        assert!(audience
            .change_labels("NOT Bestellt", &["Neu"], &[], t, "x")
            .is_err());
        assert!(audience.change_log().is_empty());
        let change = audience
            .change_labels(
                "NOT Bestellt",
                &["Hohes Potenzial"],
                &["Inaktiver Kunde"],
                t,
                "review",
            )
            .unwrap()
            .clone();
        // The third contact already had the label and lacked the removed one.
        assert_eq!(change.contacts, 1);
        assert_eq!(audience.labels_of("+49301234561"), ["Hohes Potenzial"]);
        assert_eq!(
            audience.labels_of("+49301234562"),
            ["Bestellt", "Inaktiver Kunde"]
        );
        assert_eq!(audience.change_log(), [change]);
    }
}
