//! Findings and the report.
//!
//! The serde shape of [`Report`] is a public contract (see the README, "Report JSON"),
//! versioned by [`REPORT_SCHEMA_VERSION`]. Every public struct and enum here is
//! `#[non_exhaustive]`, so adding a field or a variant is not a breaking change.

use std::fmt;

use serde::{Deserialize, Serialize};

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
    pub evidence: serde_json::Map<String, serde_json::Value>,
    /// How to fix it.
    pub advice: String,
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
    use super::*;

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
