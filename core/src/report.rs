//! Findings and the report.
//!
//! The serde shape of [`Report`] is a public contract (see the README, "Report JSON"),
//! versioned by [`REPORT_SCHEMA_VERSION`]. Every public struct and enum here is
//! `#[non_exhaustive]`, so adding a field or a variant is not a breaking change.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The version of the report's JSON shape, written as its `schema_version`. It
/// changes only when a field changes meaning or goes away; new fields and rule ids
/// keep it.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// A rule's public id: the same string in Rust, Python, C and JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleId {
    /// A bait phrase ("free gift", "you have won").
    BaitWord,
    /// A promotional message without a disclosure label.
    MissingAdLabel,
    /// @all, @everyone, … or too many individual mentions.
    MassMention,
    /// A link that cannot work.
    InvalidLink,
    /// A link that works but looks like spam.
    RiskyLink,
    /// Personal data in the outgoing text.
    PiiExposure,
    /// A promotional broadcast without a way to stop messages.
    MissingOptOut,
    /// Too similar to a message the account sent within the window.
    NearDuplicate,
    /// Too many of the account's recent messages are near-duplicates.
    DuplicateShare,
    /// The audience has seen this content too often.
    Fatigue,
    /// Too many ads in the trailing 24 hours.
    DailyVolume,
    /// The account's mix breaks 7-2-1 (too many ads or offers).
    ContentMix,
    /// Links to a large audience every day for a week.
    LinkStreak,
    /// @all again in the same group within the window.
    MassMentionRepeat,
    /// The message does not fit the group's topic.
    OffTopic,
    /// Users reported this content (or a near-duplicate) too often.
    ReportedContent,
    /// Recipients without a verifiable opt-in record (they are excluded).
    NoConsent,
    /// Recipients who opted out (they are excluded).
    OptedOut,
    /// Few recipients match the campaign's target labels: mass sending.
    Untargeted,
}

impl RuleId {
    /// Every rule id, in catalog order.
    pub const ALL: [RuleId; 19] = [
        RuleId::BaitWord,
        RuleId::MissingAdLabel,
        RuleId::MassMention,
        RuleId::InvalidLink,
        RuleId::RiskyLink,
        RuleId::PiiExposure,
        RuleId::MissingOptOut,
        RuleId::NearDuplicate,
        RuleId::DuplicateShare,
        RuleId::Fatigue,
        RuleId::DailyVolume,
        RuleId::ContentMix,
        RuleId::LinkStreak,
        RuleId::MassMentionRepeat,
        RuleId::OffTopic,
        RuleId::ReportedContent,
        RuleId::NoConsent,
        RuleId::OptedOut,
        RuleId::Untargeted,
    ];

    /// The public id string, e.g. `"bait_word"`.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(sendlint::RuleId::MassMention.as_str(), "mass_mention");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleId::BaitWord => "bait_word",
            RuleId::MissingAdLabel => "missing_ad_label",
            RuleId::MassMention => "mass_mention",
            RuleId::InvalidLink => "invalid_link",
            RuleId::RiskyLink => "risky_link",
            RuleId::PiiExposure => "pii_exposure",
            RuleId::MissingOptOut => "missing_opt_out",
            RuleId::NearDuplicate => "near_duplicate",
            RuleId::DuplicateShare => "duplicate_share",
            RuleId::Fatigue => "fatigue",
            RuleId::DailyVolume => "daily_volume",
            RuleId::ContentMix => "content_mix",
            RuleId::LinkStreak => "link_streak",
            RuleId::MassMentionRepeat => "mass_mention_repeat",
            RuleId::OffTopic => "off_topic",
            RuleId::ReportedContent => "reported_content",
            RuleId::NoConsent => "no_consent",
            RuleId::OptedOut => "opted_out",
            RuleId::Untargeted => "untargeted",
        }
    }
}

impl RuleId {
    /// The rule's fixed bit in a 64-bit rule set (the C ABI's
    /// `sendlint_summary.rules`): a public contract, so a bit is never moved or
    /// reused; a new rule takes the next free one. `bait_word` is 0, then in
    /// catalog order up to `reported_content` = 15, then the audience rules
    /// `no_consent` = 16, `opted_out` = 17, `untargeted` = 18.
    ///
    /// # Examples
    /// ```
    /// use sendlint::RuleId;
    /// assert_eq!(RuleId::MassMention.bit(), 2);
    /// assert_eq!(RuleId::from_bit(2), Some(RuleId::MassMention));
    /// ```
    pub const fn bit(self) -> u32 {
        match self {
            RuleId::BaitWord => 0,
            RuleId::MissingAdLabel => 1,
            RuleId::MassMention => 2,
            RuleId::InvalidLink => 3,
            RuleId::RiskyLink => 4,
            RuleId::PiiExposure => 5,
            RuleId::MissingOptOut => 6,
            RuleId::NearDuplicate => 7,
            RuleId::DuplicateShare => 8,
            RuleId::Fatigue => 9,
            RuleId::DailyVolume => 10,
            RuleId::ContentMix => 11,
            RuleId::LinkStreak => 12,
            RuleId::MassMentionRepeat => 13,
            RuleId::OffTopic => 14,
            RuleId::ReportedContent => 15,
            RuleId::NoConsent => 16,
            RuleId::OptedOut => 17,
            RuleId::Untargeted => 18,
        }
    }

    /// The rule whose [`bit`](RuleId::bit) is `bit`, if any.
    pub fn from_bit(bit: u32) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|rule| rule.bit() == bit)
    }

    /// The rule whose public id is `name` (`"bait_word"`), if any.
    ///
    /// # Examples
    /// ```
    /// use sendlint::RuleId;
    /// assert_eq!(RuleId::from_name("off_topic"), Some(RuleId::OffTopic));
    /// assert_eq!(RuleId::from_name("Off_Topic"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|rule| rule.as_str() == name)
    }
}

impl Report {
    /// The rules with findings as a 64-bit set, each rule at its
    /// [`RuleId::bit`].
    ///
    /// # Examples
    /// ```
    /// use sendlint::{Engine, Message, RuleId};
    /// let report = Engine::default().check(&Message::new("@all Jetzt kostenlos erhalten!"))?;
    /// assert_ne!(report.rule_bits() & (1 << RuleId::MassMention.bit()), 0);
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn rule_bits(&self) -> u64 {
        self.findings
            .iter()
            .fold(0, |bits, f| bits | (1u64 << f.rule.bit()))
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a finding is (for display and triage; risk comes from points).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// Worth a look.
    Low,
    /// Likely to hurt delivery.
    Medium,
    /// Likely to get the account reported or banned.
    High,
}

/// What the report recommends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Verdict {
    /// Send.
    Allow,
    /// A person should look first.
    Review,
    /// Do not send.
    Block,
}

impl Severity {
    /// The severity string: `"low"`, `"medium"` or `"high"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl Verdict {
    /// The verdict string: `"allow"`, `"review"` or `"block"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Review => "review",
            Verdict::Block => "block",
        }
    }
}

/// The 7-2-1 class of a message (seed 000): useful content, an offer (discount,
/// coupon, price reminder) or a hard-selling ad.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Kind {
    /// Content with value of its own.
    Useful,
    /// A discount, coupon or price reminder.
    Offer,
    /// Hard selling.
    Ad,
}

impl Kind {
    /// The kind string: `"useful"`, `"offer"` or `"ad"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Useful => "useful",
            Kind::Offer => "offer",
            Kind::Ad => "ad",
        }
    }

    /// Whether messages of this kind are promotional (need a label).
    pub const fn is_promotional(self) -> bool {
        !matches!(self, Kind::Useful)
    }
}

impl std::str::FromStr for Kind {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Kind, crate::Error> {
        match s {
            "useful" => Ok(Kind::Useful),
            "offer" => Ok(Kind::Offer),
            "ad" => Ok(Kind::Ad),
            other => Err(crate::Error::Input(format!(
                "kind {other:?} is not one of \"useful\", \"offer\", \"ad\""
            ))),
        }
    }
}

/// Where in the original text a finding or cue is: UTF-8 byte offsets and
/// Unicode scalar (Python string) indices of the same range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// First character (index in a Python `str`).
    pub char_start: usize,
    /// One past the last character.
    pub char_end: usize,
}

/// One problem found in a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// Which rule.
    pub rule: RuleId,
    /// How serious.
    pub severity: Severity,
    /// Risk points of this finding (0–100) before combination.
    pub points: u8,
    /// Where in the text, when the finding has a place.
    pub span: Option<Span>,
    /// The original text at `span`.
    pub matched: Option<String>,
    /// One sentence saying what is wrong.
    pub message: String,
    /// The facts behind it: phrase, category, language, numbers compared, … (keys
    /// per rule are listed in the README).
    pub evidence: Evidence,
    /// How to fix it.
    pub advice: String,
}

/// The facts behind a finding, by name (`phrase`, `category`, `e164`, …): a
/// JSON object in the report, its keys in sorted order.
///
/// Read it like a map: `evidence["phrase"]` (JSON `null` for a key it does not
/// have), [`Evidence::get`], [`Evidence::iter`], [`Evidence::to_map`].
///
/// # Examples
/// ```
/// let report = sendlint::Engine::default().check(&sendlint::Message::new("Free gift for you!"))?;
/// let finding = &report.findings[0];
/// assert_eq!(finding.evidence["phrase"], "free gift");
/// assert_eq!(finding.evidence["no such key"], serde_json::Value::Null);
/// assert!(finding.evidence.iter().any(|(key, _)| key == "category"));
/// # Ok::<(), sendlint::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evidence {
    /// Sorted by key, each key once. A rule's keys are fixed names, borrowed:
    /// a `serde_json::Map` allocates a string per key and a tree node per
    /// finding, a few percent of an average check.
    entries: Vec<(Cow<'static, str>, Value)>,
}

impl Evidence {
    /// Evidence of a rule's `pairs`, whose keys are distinct.
    pub(crate) fn of<const N: usize>(mut pairs: [(&'static str, Value); N]) -> Evidence {
        // An insertion sort of a handful of keys, in place: no scratch buffer.
        for i in 1..N {
            let mut j = i;
            while j > 0 && pairs[j - 1].0 > pairs[j].0 {
                pairs.swap(j - 1, j);
                j -= 1;
            }
        }
        debug_assert!(
            pairs.windows(2).all(|pair| pair[0].0 < pair[1].0),
            "evidence keys repeat"
        );
        Evidence {
            entries: pairs
                .into_iter()
                .map(|(key, value)| (Cow::Borrowed(key), value))
                .collect(),
        }
    }

    /// The value of `key`, if the finding has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .binary_search_by(|(name, _)| name.as_ref().cmp(key))
            .ok()
            .map(|at| &self.entries[at].1)
    }

    /// Whether the finding has `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys and values, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries
            .iter()
            .map(|(key, value)| (key.as_ref(), value))
    }

    /// How many facts there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The same facts as a JSON object.
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter()
            .map(|(key, value)| (key.to_owned(), value.clone()))
            .collect()
    }
}

impl std::ops::Index<&str> for Evidence {
    type Output = Value;

    /// The value of `key`, JSON `null` when the finding does not have it (as
    /// indexing a `serde_json::Value` answers).
    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

impl From<Evidence> for Map<String, Value> {
    fn from(evidence: Evidence) -> Map<String, Value> {
        evidence
            .entries
            .into_iter()
            .map(|(key, value)| (key.into_owned(), value))
            .collect()
    }
}

impl From<Map<String, Value>> for Evidence {
    /// The facts of a JSON object (a map's keys are sorted and distinct).
    fn from(map: Map<String, Value>) -> Evidence {
        let mut entries: Vec<(Cow<'static, str>, Value)> = map
            .into_iter()
            .map(|(key, value)| (Cow::Owned(key), value))
            .collect();
        // serde_json keeps keys sorted unless its `preserve_order` feature is on.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Evidence { entries }
    }
}

impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Evidence {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Evidence, D::Error> {
        Map::<String, Value>::deserialize(deserializer).map(Evidence::from)
    }
}

/// Something that decided the message's kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cue {
    /// `call_to_action`, `discount`, `coupon`, `price` or `shop_link`.
    pub cue: String,
    /// The original text of the cue.
    pub matched: String,
    /// Where it is.
    pub span: Span,
}

/// The result of checking one message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// The version of this shape, [`REPORT_SCHEMA_VERSION`].
    #[serde(default = "report_schema_version")]
    pub schema_version: u32,
    /// Combined risk, 0–100.
    pub risk: u8,
    /// The verdict for `risk` under the policy's thresholds.
    pub verdict: Verdict,
    /// The message's 7-2-1 class.
    pub kind: Kind,
    /// Whether `kind` was `"given"` by the caller or `"classified"` from the text.
    pub kind_source: KindSource,
    /// The cues that made it an offer or an ad (empty for given kinds).
    pub cues: Vec<Cue>,
    /// Findings, ordered by position in the text.
    pub findings: Vec<Finding>,
    /// When the message was checked with an audience: how many recipients
    /// remain once those without consent, opted out or unknown to the audience
    /// are left out. Absent from the JSON otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients_remaining: Option<usize>,
}

/// Where a report's kind came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum KindSource {
    /// The caller said so.
    Given,
    /// Classified from the text's cues.
    Classified,
}

fn report_schema_version() -> u32 {
    REPORT_SCHEMA_VERSION
}

impl Report {
    /// The report as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report always serialises")
    }

    /// Whether any finding is of `rule`.
    pub fn has(&self, rule: RuleId) -> bool {
        self.findings.iter().any(|f| f.rule == rule)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn evidence_reads_and_writes_as_the_json_object_it_replaced() {
        // Keys given in any order come out sorted, as a `serde_json::Map` wrote them.
        let evidence = Evidence::of([
            ("phrase", json!("free gift")),
            ("lang", json!("en")),
            ("digits", json!(16)),
            ("category", json!("prize")),
            ("e164", json!("+491701234567")),
        ]);
        let mut map = Map::new();
        for (key, value) in [
            ("phrase", json!("free gift")),
            ("lang", json!("en")),
            ("digits", json!(16)),
            ("category", json!("prize")),
            ("e164", json!("+491701234567")),
        ] {
            map.insert(key.to_owned(), value);
        }
        let written = serde_json::to_string(&evidence).unwrap();
        assert_eq!(written, serde_json::to_string(&map).unwrap());
        assert_eq!(
            evidence.iter().map(|(key, _)| key).collect::<Vec<_>>(),
            ["category", "digits", "e164", "lang", "phrase"]
        );
        // Read back, from JSON and from a map: the same evidence.
        let read: Evidence = serde_json::from_str(&written).unwrap();
        assert_eq!(read, evidence);
        assert_eq!(Evidence::from(map.clone()), evidence);
        assert_eq!(Map::from(evidence.clone()), map);
        assert_eq!(evidence.to_map(), map);
        // Looked up by key; a missing key reads as null.
        assert_eq!(evidence["digits"], 16);
        assert_eq!(evidence.get("lang"), Some(&json!("en")));
        assert!(evidence.contains_key("e164"));
        assert_eq!(evidence["person"], Value::Null);
        assert_eq!(evidence.get("person"), None);
        assert_eq!((evidence.len(), evidence.is_empty()), (5, false));
        assert!(Evidence::default().is_empty());
    }

    /// The bits are a public contract (the C header documents them): this table
    /// is written out, not derived, so moving a bit fails here.
    #[test]
    fn rule_bits_never_move() {
        let fixed = [
            ("bait_word", 0),
            ("missing_ad_label", 1),
            ("mass_mention", 2),
            ("invalid_link", 3),
            ("risky_link", 4),
            ("pii_exposure", 5),
            ("missing_opt_out", 6),
            ("near_duplicate", 7),
            ("duplicate_share", 8),
            ("fatigue", 9),
            ("daily_volume", 10),
            ("content_mix", 11),
            ("link_streak", 12),
            ("mass_mention_repeat", 13),
            ("off_topic", 14),
            ("reported_content", 15),
            ("no_consent", 16),
            ("opted_out", 17),
            ("untargeted", 18),
        ];
        assert_eq!(
            fixed.len(),
            RuleId::ALL.len(),
            "a new rule needs its bit here"
        );
        for (name, bit) in fixed {
            let rule = RuleId::from_name(name).unwrap();
            assert_eq!(rule.bit(), bit, "{name}");
            assert_eq!(RuleId::from_bit(bit), Some(rule));
        }
        let mut bits: Vec<u32> = RuleId::ALL.iter().map(|r| r.bit()).collect();
        bits.sort_unstable();
        bits.dedup();
        assert_eq!(bits.len(), RuleId::ALL.len(), "bits are unique");
        assert!(bits.iter().all(|&b| b < 64));
        assert_eq!(RuleId::from_bit(19), None);
    }

    #[test]
    fn rule_ids_serialise_as_their_public_strings() {
        for rule in RuleId::ALL {
            assert_eq!(serde_json::to_value(rule).unwrap(), rule.as_str());
        }
    }
}
