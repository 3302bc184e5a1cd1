//! The policy: which rules run, how much each weighs, the thresholds of the
//! verdict and the sender's own numbers, addresses and domains.
//!
//! Every default is a figure from `shared/RULES.md` (and the seed article it cites).
//! A policy file is TOML or JSON with `schema_version = 1`; every key is optional
//! except the version, unknown keys are errors, and errors name the file, line and
//! column. `examples/policy.toml` shows every knob.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, PolicyError};
use crate::report::Severity;

/// The policy schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Phrases per language code (`en`, `de`, `ko`, …; any string is accepted).
pub type Phrases = BTreeMap<String, Vec<String>>;

/// A complete policy. [`Policy::default`] is the built-in policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Must be [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Risk thresholds of the verdict.
    #[serde(default)]
    pub verdict: Thresholds,
    /// The sender's own contact data and domains, never reported as a problem.
    #[serde(default)]
    pub sender: Sender,
    /// Input limits.
    #[serde(default)]
    pub limits: Limits,
    /// Extra cues for classifying messages as useful, offer or ad.
    #[serde(default)]
    pub classify: Classify,
    /// How long a [`History`](crate::History) keeps what was sent.
    #[serde(default)]
    pub history: HistorySettings,
    /// Per-rule settings.
    #[serde(default)]
    pub rules: Rules,
}

/// History retention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HistorySettings {
    /// Sends older than this many days before the newest are dropped when
    /// recording. Default 30 (the longest rule window); at most 90 (seed 000 on
    /// keeping personal data no longer than needed).
    pub retention_days: u32,
}

impl Default for HistorySettings {
    fn default() -> HistorySettings {
        HistorySettings { retention_days: 30 }
    }
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            schema_version: SCHEMA_VERSION,
            verdict: Thresholds::default(),
            sender: Sender::default(),
            limits: Limits::default(),
            classify: Classify::default(),
            history: HistorySettings::default(),
            rules: Rules::default(),
        }
    }
}

/// Risk thresholds: `risk >= review` is `review`, `risk >= block` is `block`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Lowest risk (0–100) with verdict `review`. Default 30.
    pub review: u8,
    /// Lowest risk (0–100) with verdict `block`. Default 70.
    pub block: u8,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            review: 30,
            block: 70,
        }
    }
}

/// The sender's own data: links to these domains are not "unrelated", and these
/// numbers and addresses are not personal data of someone else.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sender {
    /// Registered domains the business links to (`example-shop.de`). Subdomains
    /// count. When not empty, a link to any other domain is a `risky_link`.
    pub allowed_domains: Vec<String>,
    /// The business's own phone numbers, international form (`+49 30 1234567`).
    pub phone_numbers: Vec<String>,
    /// The business's own e-mail addresses. Addresses at an allowed domain count too.
    pub emails: Vec<String>,
}

/// Limits on what one check accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Longest text, in UTF-8 bytes, that a check accepts. Default 65,536 (chat
    /// messages are far shorter); at most 16 MiB.
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_text_bytes: 64 * 1024,
        }
    }
}

/// Extra classification cues, per language, added to the built-in lexicons.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Classify {
    /// Discount wording: makes a message an `offer`.
    pub discount: Phrases,
    /// Coupon and voucher wording: makes a message an `offer`.
    pub coupon: Phrases,
    /// Hard-selling calls to action: make a message an `ad`.
    pub call_to_action: Phrases,
}

/// Settings of every rule, by rule id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    /// `bait_word`.
    pub bait_word: BaitWord,
    /// `missing_ad_label`.
    pub missing_ad_label: MissingAdLabel,
    /// `mass_mention`.
    pub mass_mention: MassMention,
    /// `invalid_link`.
    pub invalid_link: InvalidLink,
    /// `risky_link`.
    pub risky_link: RiskyLink,
    /// `pii_exposure`.
    pub pii_exposure: PiiExposure,
    /// `missing_opt_out`.
    pub missing_opt_out: MissingOptOut,
    /// `near_duplicate`.
    pub near_duplicate: NearDuplicate,
    /// `duplicate_share`.
    pub duplicate_share: DuplicateShare,
    /// `fatigue`.
    pub fatigue: Fatigue,
    /// `daily_volume`.
    pub daily_volume: DailyVolume,
    /// `content_mix`.
    pub content_mix: ContentMix,
    /// `link_streak`.
    pub link_streak: LinkStreak,
    /// `mass_mention_repeat`.
    pub mass_mention_repeat: MassMentionRepeat,
    /// `off_topic`.
    pub off_topic: OffTopic,
    /// `reported_content`.
    pub reported_content: ReportedContent,
}

/// Declares a rule's settings struct: `enabled`, `severity`, `points` and the
/// rule's own settings, each with its default and the reason for it.
macro_rules! rule_settings {
    ($(#[$doc:meta])* $name:ident, enabled = $enabled:expr, $severity:ident, $points:expr, {
        $($(#[$field_doc:meta])* $field:ident: $ty:ty = $default:expr,)*
    }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            /// Whether the rule runs (context rules also need a history or topic).
            pub enabled: bool,
            /// Severity of its findings.
            pub severity: Severity,
            /// Risk points (0–100) of one finding.
            pub points: u8,
            $($(#[$field_doc])* pub $field: $ty,)*
        }

        impl Default for $name {
            fn default() -> $name {
                $name {
                    enabled: $enabled,
                    severity: Severity::$severity,
                    points: $points,
                    $($field: $default,)*
                }
            }
        }
    };
}

rule_settings!(
    /// `bait_word`: bait words raise complaints by 45 % (seeds 000–002).
    BaitWord, enabled = true, High, 35, {
        /// Built-in categories to use: `free-gift`, `prize`, `guarantee`,
        /// `false-urgency`, `click-bait` (default: all).
        categories: Vec<String> = ["free-gift", "prize", "guarantee", "false-urgency", "click-bait"]
            .map(String::from)
            .to_vec(),
        /// Extra bait phrases per language (category `custom`).
        phrases: Phrases = Phrases::new(),
    }
);
rule_settings!(
    /// `missing_ad_label`: unlabelled ads raise violations by 30 %.
    MissingAdLabel, enabled = true, Medium, 30, {
        /// Extra disclosure labels per language.
        labels: Phrases = Phrases::new(),
    }
);
rule_settings!(
    /// `mass_mention`: @all triggers the harassment mechanism.
    MassMention, enabled = true, High, 40, {
        /// More individual @mentions than this in one message fire the rule. Default 10.
        max_mentions: usize = 10,
        /// Extra words that address the whole group after `@`.
        keywords: Vec<String> = Vec::new(),
    }
);
rule_settings!(
    /// `invalid_link`: invalid links raise churn by 25 %.
    InvalidLink, enabled = true, High, 40, {}
);
rule_settings!(
    /// `risky_link`: links must use a registered domain relevant to the business (seed 003).
    RiskyLink, enabled = true, Medium, 25, {
        /// Extra URL-shortener domains.
        shorteners: Vec<String> = Vec::new(),
    }
);
rule_settings!(
    /// `pii_exposure`: seed 000 — a fine of 1.8 % of revenue.
    PiiExposure, enabled = true, High, 50, {
        /// Countries (ISO 3166 alpha-2) whose national phone formats are recognised;
        /// international numbers (`+…`, `00…`) are recognised everywhere.
        regions: Vec<String> = ["DE", "FR", "KR", "CN", "GB", "ES", "BR", "ID", "US"]
            .map(String::from)
            .to_vec(),
        /// Report phone numbers.
        phone: bool = true,
        /// Report e-mail addresses.
        email: bool = true,
        /// Report payment card numbers.
        payment_card: bool = true,
        /// Report a person named next to a sensitive attribute (skin type, health, …).
        sensitive: bool = true,
    }
);
rule_settings!(
    /// `missing_opt_out`: an easy opt-out is a core obligation (seed 004). Off in
    /// the built-in policy, on in [`Policy::strict`].
    MissingOptOut, enabled = false, Medium, 20, {
        /// Extra opt-out instructions per language.
        phrases: Phrases = Phrases::new(),
    }
);
rule_settings!(
    /// `near_duplicate`: seed 000 — rotate content at least 48 h apart.
    NearDuplicate, enabled = true, Medium, 30, {
        /// Fires above this SimHash similarity (1 − Hamming/64). Default 0.80.
        similarity: f64 = 0.80,
        /// Looks back this many hours. Default 48.
        window_hours: u32 = 48,
    }
);
rule_settings!(
    /// `duplicate_share`: seed 000 — over 70 % of an account's content above 80 %
    /// similarity marks it low quality.
    DuplicateShare, enabled = true, Medium, 30, {
        /// Fires above this share of near-duplicate messages. Default 0.70.
        share: f64 = 0.70,
        /// Over this many days. Default 30.
        window_days: u32 = 30,
        /// Needs at least this many messages (with this one) to judge. Default 5.
        min_messages: u32 = 5,
    }
);
rule_settings!(
    /// `fatigue`: seed 000 — patience threshold 2.8; 57 % block at the third identical ad.
    Fatigue, enabled = true, High, 35, {
        /// Fires when mean exposures per recipient, counting this send, exceed this. Default 2.8.
        mean_exposures: f64 = 2.8,
        /// Exposures counted over this many days. Default 30.
        window_days: u32 = 30,
    }
);
rule_settings!(
    /// `daily_volume`: seed 000 — above 50 ads a day, a 70 % higher ban rate.
    DailyVolume, enabled = true, High, 40, {
        /// Fires when the account's ads in the trailing 24 h, counting this one, exceed this. Default 50.
        max_ads: u32 = 50,
    }
);
rule_settings!(
    /// `content_mix`: seed 000's 7-2-1 rule (7 useful, 2 offers, 1 ad).
    ContentMix, enabled = true, Medium, 25, {
        /// Over this many days. Default 7.
        window_days: u32 = 7,
        /// Fires when hard ads exceed this share. Default 0.10.
        max_ad_share: f64 = 0.10,
        /// Fires when offers exceed this share. Default 0.20.
        max_offer_share: f64 = 0.20,
        /// Needs at least this many messages (with this one) to judge. Default 10.
        min_messages: u32 = 10,
    }
);
rule_settings!(
    /// `link_streak`: seed 003 — daily links to a large audience for a week raise spam risk by 70 %.
    LinkStreak, enabled = true, Medium, 30, {
        /// Consecutive days with links, counting today. Default 7.
        days: u32 = 7,
        /// A day counts when one send with links reached at least this many recipients. Default 100.
        min_recipients: u32 = 100,
    }
);
rule_settings!(
    /// `mass_mention_repeat`: @all again in the same group (harassment mechanism).
    MassMentionRepeat, enabled = true, High, 40, {
        /// Within this many hours. Default 24.
        window_hours: u32 = 24,
    }
);
rule_settings!(
    /// `off_topic`: seed 000 — below 30 % relevance, delivery drops 42 % or is blocked.
    OffTopic, enabled = true, Medium, 30, {
        /// Fires below this relevance to the group's topic. Default 0.30.
        min_relevance: f64 = 0.30,
    }
);
rule_settings!(
    /// `reported_content`: seed 000 — more than 5 reports restrict the account.
    ReportedContent, enabled = true, High, 50, {
        /// Fires when reports on this content or a near-duplicate exceed this. Default 5.
        max_reports: u32 = 5,
        /// Reports counted over this many days. Default 30.
        window_days: u32 = 30,
    }
);

impl Policy {
    /// The built-in policy with `missing_opt_out` switched on (seed 004: an easy
    /// opt-out is a core obligation).
    ///
    /// # Examples
    /// ```
    /// let policy = sendlint::Policy::strict();
    /// assert!(policy.rules.missing_opt_out.enabled);
    /// ```
    pub fn strict() -> Policy {
        let mut policy = Policy::default();
        policy.rules.missing_opt_out.enabled = true;
        policy
    }

    /// Parses a TOML policy. Errors carry line and column.
    ///
    /// # Examples
    /// ```
    /// let policy = sendlint::Policy::from_toml("schema_version = 1\n[verdict]\nblock = 60\n")?;
    /// assert_eq!(policy.verdict.block, 60);
    /// let err = sendlint::Policy::from_toml("schema_version = 1\n[rules.bait_word]\npoint = 3\n")
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("line 3"));
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<Policy, Error> {
        let policy: Policy = toml::from_str(text).map_err(|err| {
            let (line, column) = match err.span() {
                Some(span) => line_column(text, span.start),
                None => (None, None),
            };
            Error::Policy(PolicyError {
                origin: None,
                line,
                column,
                key: None,
                message: err.message().trim().to_owned(),
            })
        })?;
        policy.validate()?;
        Ok(policy)
    }

    /// Parses a JSON policy. Errors carry line and column.
    ///
    /// # Examples
    /// ```
    /// let policy = sendlint::Policy::from_json(r#"{"schema_version": 1}"#)?;
    /// assert_eq!(policy, sendlint::Policy::default());
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Policy, Error> {
        let policy: Policy = serde_json::from_str(text).map_err(|err| {
            let message = err.to_string();
            // serde_json appends " at line L column C"; we report those separately.
            let message = match message.rfind(" at line ") {
                Some(at) => message[..at].to_owned(),
                None => message,
            };
            Error::Policy(PolicyError {
                origin: None,
                line: Some(err.line()),
                column: Some(err.column()),
                key: None,
                message,
            })
        })?;
        policy.validate()?;
        Ok(policy)
    }

    /// Reads a policy file: JSON when the name ends in `.json`, TOML otherwise.
    ///
    /// # Examples
    /// ```no_run
    /// let policy = sendlint::Policy::from_path("examples/policy.toml")?;
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Policy, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|err| Error::io(path, &err))?;
        let parsed = if path.extension().is_some_and(|ext| ext == "json") {
            Policy::from_json(&text)
        } else {
            Policy::from_toml(&text)
        };
        parsed.map_err(|err| err.with_origin(Some(PathBuf::from(path))))
    }

    /// The policy as JSON (what [`Policy::from_json`] reads back).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a policy always serialises")
    }

    /// Checks the values that parsing alone cannot: the version, ranges, names.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.schema_version != SCHEMA_VERSION {
            return Err(Error::invalid_key(
                "schema_version",
                format!(
                    "schema version {} is not supported (this build reads {SCHEMA_VERSION})",
                    self.schema_version
                ),
            ));
        }
        for (key, value) in [
            ("verdict.review", self.verdict.review),
            ("verdict.block", self.verdict.block),
        ] {
            check_percent(key, value)?;
        }
        if self.verdict.review > self.verdict.block {
            return Err(Error::invalid_key(
                "verdict.review",
                format!(
                    "the review threshold ({}) is above the block threshold ({})",
                    self.verdict.review, self.verdict.block
                ),
            ));
        }
        if self.limits.max_text_bytes == 0 || self.limits.max_text_bytes > 16 << 20 {
            return Err(Error::invalid_key(
                "limits.max_text_bytes",
                "must be between 1 and 16777216",
            ));
        }
        let rules = &self.rules;
        for (rule, points) in [
            ("bait_word", rules.bait_word.points),
            ("missing_ad_label", rules.missing_ad_label.points),
            ("mass_mention", rules.mass_mention.points),
            ("invalid_link", rules.invalid_link.points),
            ("risky_link", rules.risky_link.points),
            ("pii_exposure", rules.pii_exposure.points),
            ("missing_opt_out", rules.missing_opt_out.points),
            ("near_duplicate", rules.near_duplicate.points),
            ("duplicate_share", rules.duplicate_share.points),
            ("fatigue", rules.fatigue.points),
            ("daily_volume", rules.daily_volume.points),
            ("content_mix", rules.content_mix.points),
            ("link_streak", rules.link_streak.points),
            ("mass_mention_repeat", rules.mass_mention_repeat.points),
            ("off_topic", rules.off_topic.points),
            ("reported_content", rules.reported_content.points),
        ] {
            check_percent(&format!("rules.{rule}.points"), points)?;
        }
        for (key, value) in [
            (
                "rules.near_duplicate.similarity",
                rules.near_duplicate.similarity,
            ),
            ("rules.duplicate_share.share", rules.duplicate_share.share),
            (
                "rules.content_mix.max_ad_share",
                rules.content_mix.max_ad_share,
            ),
            (
                "rules.content_mix.max_offer_share",
                rules.content_mix.max_offer_share,
            ),
            (
                "rules.off_topic.min_relevance",
                rules.off_topic.min_relevance,
            ),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(Error::invalid_key(
                    key,
                    format!("{value} is not between 0 and 1"),
                ));
            }
        }
        if rules.fatigue.mean_exposures.is_nan() || rules.fatigue.mean_exposures < 1.0 {
            return Err(Error::invalid_key(
                "rules.fatigue.mean_exposures",
                "must be at least 1",
            ));
        }
        if !(1..=90).contains(&self.history.retention_days) {
            return Err(Error::invalid_key(
                "history.retention_days",
                "must be between 1 and 90 (keep personal data no longer than needed)",
            ));
        }
        if rules.link_streak.days == 0 || rules.link_streak.days > self.history.retention_days {
            return Err(Error::invalid_key(
                "rules.link_streak.days",
                "must be between 1 and history.retention_days",
            ));
        }
        if rules.mass_mention.max_mentions == 0 {
            return Err(Error::invalid_key(
                "rules.mass_mention.max_mentions",
                "must be at least 1",
            ));
        }
        for region in &rules.pii_exposure.regions {
            if region.parse::<phonenumber::country::Id>().is_err() {
                return Err(Error::invalid_key(
                    "rules.pii_exposure.regions",
                    format!("{region:?} is not an ISO 3166 alpha-2 country code"),
                ));
            }
        }
        for number in &self.sender.phone_numbers {
            if crate::phone::e164(number).is_none() {
                return Err(Error::invalid_key(
                    "sender.phone_numbers",
                    format!("{number:?} is not a valid international phone number (+country code)"),
                ));
            }
        }
        for domain in &self.sender.allowed_domains {
            if domain.is_empty() || domain.contains(['/', ':', '@', ' ']) {
                return Err(Error::invalid_key(
                    "sender.allowed_domains",
                    format!(
                        "{domain:?} is not a domain name (write example.com, no scheme or path)"
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn check_percent(key: &str, value: u8) -> Result<(), Error> {
    if value > 100 {
        return Err(Error::invalid_key(key, format!("{value} is above 100")));
    }
    Ok(())
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (Option<usize>, Option<usize>) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (Some(line), Some(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy_error(result: Result<Policy, Error>) -> PolicyError {
        match result {
            Err(Error::Policy(err)) => err,
            other => panic!("expected a policy error, got {other:?}"),
        }
    }

    #[test]
    fn built_in_policy_is_valid_and_round_trips() {
        let policy = Policy::default();
        policy.validate().unwrap();
        assert_eq!(Policy::from_json(&policy.to_json()).unwrap(), policy);
        let toml = toml::to_string(&policy).unwrap();
        assert_eq!(Policy::from_toml(&toml).unwrap(), policy);
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let err = policy_error(Policy::from_toml(
            "schema_version = 1\n\n[rules.mass_mention]\nmax_mention = 5\n",
        ));
        assert_eq!((err.line, err.column), (Some(4), Some(1)));
        assert!(err.message.contains("max_mention"), "{}", err.message);
    }

    #[test]
    fn wrong_type_is_located() {
        let err = policy_error(Policy::from_toml(
            "schema_version = 1\n[verdict]\nblock = \"high\"\n",
        ));
        assert_eq!(err.line, Some(3));
        let err = policy_error(Policy::from_json(
            "{\"schema_version\": 1,\n \"verdict\": {\"block\": -1}}",
        ));
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn missing_version_and_wrong_version_are_errors() {
        let err = policy_error(Policy::from_toml("[verdict]\nblock = 60\n"));
        assert!(err.message.contains("schema_version"), "{}", err.message);
        let err = policy_error(Policy::from_toml("schema_version = 2\n"));
        assert_eq!(err.key.as_deref(), Some("schema_version"));
    }

    #[test]
    fn semantic_errors_name_the_key() {
        for (text, key) in [
            (
                "schema_version = 1\n[verdict]\nreview = 80\nblock = 70\n",
                "verdict.review",
            ),
            (
                "schema_version = 1\n[rules.bait_word]\npoints = 101\n",
                "rules.bait_word.points",
            ),
            (
                "schema_version = 1\n[rules.pii_exposure]\nregions = [\"XX\"]\n",
                "rules.pii_exposure.regions",
            ),
            (
                "schema_version = 1\n[sender]\nphone_numbers = [\"12\"]\n",
                "sender.phone_numbers",
            ),
            (
                "schema_version = 1\n[rules.mass_mention]\nmax_mentions = 0\n",
                "rules.mass_mention.max_mentions",
            ),
        ] {
            assert_eq!(
                policy_error(Policy::from_toml(text)).key.as_deref(),
                Some(key),
                "{text}"
            );
        }
    }

    #[test]
    fn from_path_names_the_file() {
        let err = Policy::from_path("/nonexistent/policy.toml").unwrap_err();
        assert!(matches!(err, Error::Io { .. }));
        assert!(err.to_string().contains("/nonexistent/policy.toml"));
    }
}
