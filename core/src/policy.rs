//! The policy: which rules run, how much each weighs, the thresholds of the
//! verdict and the sender's own numbers, addresses and domains.
//!
//! Every default is a figure from `docs/RULES.md` (and the seed article it cites).
//! A policy file is TOML or JSON with `schema_version = 1`; every key is optional
//! except the version, unknown keys are errors, and errors name the file, line and
//! column. `examples/policy.toml` shows every knob.
//!
//! Every settings struct is `#[non_exhaustive]`: start from
//! [`Policy::default`] (or [`Policy::strict`]) and set fields, so a setting added
//! later is not a breaking change.
//!
//! Every time window is half-open: a window of `w` before a send at `t` holds
//! what was sent after `t - w` and up to `t`, so a send exactly `w` earlier is
//! outside (a repeat exactly 48 h later passes `near_duplicate`). Calendar days
//! (`link_streak`) are days in the policy's [`time_zone`](Policy::time_zone).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jiff::tz::{TimeZone, TimeZoneDatabase};
use serde::{Deserialize, Serialize};

use crate::error::{Error, PolicyError};
use crate::lexicon::Lexicons;
use crate::report::Severity;

/// The policy schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Phrases per language code (`en`, `de`, `ko`, …; any string is accepted).
pub type Phrases = BTreeMap<String, Vec<String>>;

/// A complete policy. [`Policy::default`] is the built-in policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Policy {
    /// Must be [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The IANA time zone (`Europe/Berlin`, `Asia/Seoul`) whose midnights separate
    /// one day from the next for the day-based rules (`link_streak`): a business
    /// thinks in its own calendar days, not in UTC's. Default `UTC`. Names are
    /// looked up in the system's time zone database and, where the system has
    /// none (containers without `/usr/share/zoneinfo`), in a copy built into
    /// sendlint; an unknown name is an error naming this key.
    #[serde(default = "utc")]
    pub time_zone: String,
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
    /// Contact imports, label health, lifecycle rules and retention of an
    /// [`Audience`](crate::audience::Audience).
    #[serde(default)]
    pub audience: AudienceSettings,
    /// Triage of inbound messages (15-5-1) and reply-time health.
    #[serde(default)]
    pub inbound: InboundSettings,
}

/// Inbound messages (customer to business): the 15-5-1 reply times of
/// [`Engine::triage`](crate::Engine::triage), the reply-time health of
/// [`Engine::reply_health`](crate::Engine::reply_health), and phrases added to
/// the built-in inbound lexicons. Defaults from RULES.md §3 and seed 000.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct InboundSettings {
    /// Reply to a complaint or negative feedback within this many minutes. Default 1.
    pub complaint_minutes: u32,
    /// Reply to an urgent request within this many minutes. Default 5.
    pub urgent_minutes: u32,
    /// Reply to a general question within this many minutes. Default 15.
    pub question_minutes: u32,
    /// A mean response time above this many hours lowers the account's push
    /// priority by 30 % (seed 000). Default 6.
    pub slow_reply_hours: u32,
    /// A mean response time above this many hours makes the account's ads low
    /// priority, delivered 15–20 minutes late (seed 000). Default 24.
    pub very_slow_reply_hours: u32,
    /// Reply health looks at messages received within this many days before
    /// its time (one received exactly this long ago is outside). Default 30;
    /// at most 90.
    pub health_window_days: u32,
    /// Extra phrases by which a customer asks to stop messages, anywhere in the
    /// message (whole words).
    pub opt_out: Phrases,
    /// Extra keywords that opt out only as the whole message (`STOP`, `TD`).
    pub opt_out_keywords: Phrases,
    /// Extra complaint and negative-feedback phrases.
    pub complaint: Phrases,
    /// Extra urgency phrases.
    pub urgent: Phrases,
}

impl Default for InboundSettings {
    fn default() -> InboundSettings {
        InboundSettings {
            complaint_minutes: 1,
            urgent_minutes: 5,
            question_minutes: 15,
            slow_reply_hours: 6,
            very_slow_reply_hours: 24,
            health_window_days: 30,
            opt_out: Phrases::new(),
            opt_out_keywords: Phrases::new(),
            complaint: Phrases::new(),
            urgent: Phrases::new(),
        }
    }
}

/// History retention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
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

fn utc() -> String {
    "UTC".to_owned()
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            schema_version: SCHEMA_VERSION,
            time_zone: utc(),
            verdict: Thresholds::default(),
            sender: Sender::default(),
            limits: Limits::default(),
            classify: Classify::default(),
            history: HistorySettings::default(),
            rules: Rules::default(),
            audience: AudienceSettings::default(),
            inbound: InboundSettings::default(),
        }
    }
}

/// Risk thresholds: `risk >= review` is `review`, `risk >= block` is `block`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
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
#[non_exhaustive]
pub struct Sender {
    /// Registered domains the business links to (`example-shop.de`). Subdomains
    /// count. When not empty, a link to any other domain is a `risky_link`.
    pub allowed_domains: Vec<String>,
    /// The business's own phone numbers, international form (`+49 30 1234567`).
    pub phone_numbers: Vec<String>,
    /// The business's own e-mail addresses. Addresses at an allowed domain count too.
    pub emails: Vec<String>,
}

/// Limits on what one check accepts and on how large the policy may make the
/// engine. Exceeding one is an error naming the limit, never a silent cut.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Limits {
    /// Longest text, in UTF-8 bytes, that a check accepts. Default 65,536 (chat
    /// messages are far shorter); at most 16 MiB.
    pub max_text_bytes: usize,
    /// Most entries the policy's own lists may hold together: bait phrases, ad
    /// labels, opt-out phrases, classification cues, mention keywords, shorteners
    /// and the sender's domains, numbers and addresses. Every phrase grows the
    /// engine's automaton: 10,000 phrases of 24 bytes add 21 MiB and 0.2 s to
    /// [`Engine::new`](crate::Engine::new), 50,000 add 105 MiB (about 2 KiB each),
    /// and 400,000 built a 2.6 GB engine. Default 10,000 (hand-written lists hold
    /// tens to hundreds); at most [`MAX_POLICY_PHRASES`].
    pub max_policy_phrases: usize,
    /// Most UTF-8 bytes those entries may hold together (a phrase's language code
    /// counts once per phrase, as the engine keeps it with each). The automaton
    /// grows with bytes: about 90 bytes of engine per byte of ordinary phrases,
    /// up to 450 for random mixed-script text (1 MB of it built a 455 MiB engine
    /// in 4.6 s). Default 262,144 (10,000 phrases of 26 bytes; at worst about
    /// 115 MiB); at most [`MAX_POLICY_PHRASE_BYTES`].
    pub max_policy_phrase_bytes: usize,
}

/// The highest `limits.max_policy_phrases` a policy may set.
pub const MAX_POLICY_PHRASES: usize = 200_000;

/// The highest `limits.max_policy_phrase_bytes` a policy may set: 4 MiB, which
/// still builds (random mixed-script phrases: 1.7 GB, 29 s); far beyond it the
/// automaton outgrows its state ids.
pub const MAX_POLICY_PHRASE_BYTES: usize = 4 << 20;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_text_bytes: 64 * 1024,
            max_policy_phrases: 10_000,
            max_policy_phrase_bytes: 256 << 10,
        }
    }
}

/// Extra classification cues, per language, added to the built-in lexicons.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
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
#[non_exhaustive]
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
    /// `no_consent`.
    pub no_consent: NoConsent,
    /// `opted_out`.
    pub opted_out: OptedOut,
    /// `untargeted`.
    pub untargeted: Untargeted,
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
        #[non_exhaustive]
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
        /// international numbers (`+…`, `00…`) are recognised everywhere. Order
        /// matters: a national number is read as a number of the first region in
        /// which it is valid, so list your own country first (with the default
        /// order a UK mobile written `07732 584351` reads as the German
        /// `+497732584351`).
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
        /// Looks back this many hours; a message sent exactly this long ago is
        /// outside (seed 000: "at least 48 h apart"). Default 48.
        window_hours: u32 = 48,
    }
);
rule_settings!(
    /// `duplicate_share`: seed 000 — over 70 % of an account's content above 80 %
    /// similarity marks it low quality.
    DuplicateShare, enabled = true, Medium, 30, {
        /// Fires above this share of near-duplicate messages. Default 0.70.
        share: f64 = 0.70,
        /// Over this many days (a message exactly this old is outside). Default 30.
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
        /// Exposures counted over this many days (one exactly this old is outside). Default 30.
        window_days: u32 = 30,
    }
);
rule_settings!(
    /// `daily_volume`: seed 000 — above 50 ads a day, a 70 % higher ban rate. The
    /// seed's "ads" are promotional messages, so ads and offers both count.
    DailyVolume, enabled = true, High, 40, {
        /// Fires when the account's promotional messages (kind `ad` or `offer`) in
        /// the trailing 24 h, counting this one, exceed this. Default 50. Policies
        /// written before 0.2 call it `max_ads`, which is still read.
        #[serde(alias = "max_ads")]
        max_promotional: u32 = 50,
    }
);
rule_settings!(
    /// `content_mix`: seed 000's 7-2-1 rule (7 useful, 2 offers, 1 ad).
    ContentMix, enabled = true, Medium, 25, {
        /// Over this many days (a message exactly this old is outside). Default 7.
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
        /// Consecutive calendar days (in the policy's `time_zone`) with links,
        /// counting today. Default 7.
        days: u32 = 7,
        /// A day counts when one send with links reached at least this many recipients. Default 100.
        min_recipients: u32 = 100,
    }
);
rule_settings!(
    /// `mass_mention_repeat`: @all again in the same group (harassment mechanism).
    MassMentionRepeat, enabled = true, High, 40, {
        /// Within this many hours (an @all exactly this long ago is outside). Default 24.
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
        /// Reports counted over this many days (one exactly this old is outside). Default 30.
        window_days: u32 = 30,
    }
);

rule_settings!(
    /// `no_consent`: seed 004 — consent with a time stamp and opt-in method is
    /// the test of a legal list. Runs when the message carries an audience.
    NoConsent, enabled = true, High, 50, {}
);
rule_settings!(
    /// `opted_out`: seed 004 — an easy opt-out is a core obligation; a contact
    /// who used it never receives another message. Runs with an audience.
    OptedOut, enabled = true, High, 60, {}
);
rule_settings!(
    /// `untargeted`: seed 000's comparison table — below 15 % of recipients
    /// matching the campaign's labels is mass sending (70 % and more is
    /// targeted). Runs with an audience and a target expression.
    Untargeted, enabled = true, Medium, 30, {
        /// Fires when the share of remaining recipients that match the target
        /// is below this. Default 0.15.
        min_share: f64 = 0.15,
    }
);

/// Settings of an [`Audience`](crate::audience::Audience): contact imports,
/// label health, lifecycle rules and retention (seeds 003 and 004).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct AudienceSettings {
    /// Rows per import batch; larger files are split (seed 003: at most 5,000
    /// records at a time). Default 5,000.
    pub import_batch_rows: usize,
    /// An import stops, changing nothing, when more than this share of a
    /// batch's rows fail (seed 003: above 10 %, check the source format).
    /// Default 0.10.
    pub import_max_failure_share: f64,
    /// A label no send used for this many days is unused (seed 003). Default 30.
    pub label_unused_days: u32,
    /// A label on more than this share of contacts is overloaded (seed 003:
    /// above 40 %, split it). Default 0.40.
    pub label_max_share: f64,
    /// More labels than this are hard to manage (seed 003). Default 100.
    pub max_labels: usize,
    /// Interactions older than this many days are dropped by
    /// [`Audience::sweep`](crate::audience::Audience::sweep). Default 90; at most 365.
    pub retention_days: u32,
    /// Lifecycle rules, applied in order by
    /// [`Audience::apply_lifecycle`](crate::audience::Audience::apply_lifecycle).
    /// Default: seed 003's four (new customer, high activity, churn risk,
    /// sleeping VIP).
    pub lifecycle: Vec<LifecycleRule>,
}

/// Which date of a contact a lifecycle rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContactDate {
    /// The first purchase.
    FirstPurchase,
    /// The latest opened (read) message.
    LastOpened,
    /// The latest interaction of any kind.
    LastInteraction,
}

/// A lifecycle rule: contacts matching `applies_to` whose `date` is more than
/// `after_days` before now (a contact that never had the date counts from when
/// it was added) get the labels in `add` and lose those in `remove`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LifecycleRule {
    /// A name for the change log and the report.
    pub name: String,
    /// A label expression choosing the contacts the rule looks at.
    pub applies_to: String,
    /// The date compared.
    pub date: ContactDate,
    /// Days after that date.
    pub after_days: u32,
    /// Labels added.
    #[serde(default)]
    pub add: Vec<String>,
    /// Labels removed.
    #[serde(default)]
    pub remove: Vec<String>,
}

impl LifecycleRule {
    /// A rule; set `add` and `remove` with [`adding`](LifecycleRule::adding)
    /// and [`removing`](LifecycleRule::removing).
    pub fn new(name: &str, applies_to: &str, date: ContactDate, after_days: u32) -> LifecycleRule {
        LifecycleRule {
            name: name.to_owned(),
            applies_to: applies_to.to_owned(),
            date,
            after_days,
            add: Vec::new(),
            remove: Vec::new(),
        }
    }

    /// Labels the rule adds.
    pub fn adding(mut self, labels: &[&str]) -> LifecycleRule {
        self.add = labels.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Labels the rule removes.
    pub fn removing(mut self, labels: &[&str]) -> LifecycleRule {
        self.remove = labels.iter().map(|s| (*s).to_owned()).collect();
        self
    }
}

impl Default for AudienceSettings {
    fn default() -> AudienceSettings {
        // Seed 003's rules, with its own German label names.
        let lifecycle = vec![
            LifecycleRule::new("new_customer", "Neukunde", ContactDate::FirstPurchase, 60)
                .removing(&["Neukunde"]),
            LifecycleRule::new(
                "high_activity",
                "\"Hohe Aktivität\"",
                ContactDate::LastOpened,
                14,
            )
            .removing(&["Hohe Aktivität"])
            .adding(&["Beobachtung notwendig"]),
            LifecycleRule::new(
                "churn_risk",
                "\"Aktiver Kunde\"",
                ContactDate::LastOpened,
                60,
            )
            .removing(&["Aktiver Kunde"])
            .adding(&["Drohender Abwanderungskunde"]),
            LifecycleRule::new("sleeping_vip", "VIP", ContactDate::LastInteraction, 180)
                .removing(&["VIP"])
                .adding(&["Historischer Bestand - Reaktivierung erforderlich"]),
        ];
        AudienceSettings {
            import_batch_rows: 5_000,
            import_max_failure_share: 0.10,
            label_unused_days: 30,
            label_max_share: 0.40,
            max_labels: 100,
            retention_days: 90,
            lifecycle,
        }
    }
}

impl AudienceSettings {
    /// Checks ranges and the lifecycle rules' expressions; the error names the key.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !(1..=1_000_000).contains(&self.import_batch_rows) {
            return Err("audience.import_batch_rows: must be between 1 and 1000000".to_owned());
        }
        for (key, value) in [
            (
                "audience.import_max_failure_share",
                self.import_max_failure_share,
            ),
            ("audience.label_max_share", self.label_max_share),
        ] {
            if !value.is_finite() || !(0.0..=1.0).contains(&value) {
                return Err(format!("{key}: {value} is not between 0 and 1"));
            }
        }
        if !(1..=365).contains(&self.retention_days) {
            return Err(
                "audience.retention_days: must be between 1 and 365 (keep personal data no longer than needed)"
                    .to_owned(),
            );
        }
        for (i, rule) in self.lifecycle.iter().enumerate() {
            crate::audience::Expression::parse(&rule.applies_to).map_err(|err| {
                format!("audience.lifecycle[{i}].applies_to ({}): {err}", rule.name)
            })?;
            if rule.add.is_empty() && rule.remove.is_empty() {
                return Err(format!(
                    "audience.lifecycle[{i}] ({}): adds and removes nothing",
                    rule.name
                ));
            }
        }
        Ok(())
    }
}

impl InboundSettings {
    fn validate(&self) -> Result<(), Error> {
        let minutes = [
            ("inbound.complaint_minutes", self.complaint_minutes),
            ("inbound.urgent_minutes", self.urgent_minutes),
            ("inbound.question_minutes", self.question_minutes),
        ];
        for (key, value) in minutes {
            if !(1..=1440).contains(&value) {
                return Err(Error::invalid_key(
                    key,
                    format!("{value} is not between 1 and 1440 minutes (one day)"),
                ));
            }
        }
        // 15-5-1: the worse the message, the sooner the reply.
        for pair in minutes.windows(2) {
            let ((shorter, a), (longer, b)) = (pair[0], pair[1]);
            if a > b {
                return Err(Error::invalid_key(
                    shorter,
                    format!("{a} minutes is longer than {longer} ({b}); a complaint is answered no later than an urgent request, and that no later than a question"),
                ));
            }
        }
        if self.slow_reply_hours == 0 || self.slow_reply_hours >= self.very_slow_reply_hours {
            return Err(Error::invalid_key(
                "inbound.slow_reply_hours",
                format!(
                    "must be at least 1 and below inbound.very_slow_reply_hours ({})",
                    self.very_slow_reply_hours
                ),
            ));
        }
        if self.very_slow_reply_hours > 90 * 24 {
            return Err(Error::invalid_key(
                "inbound.very_slow_reply_hours",
                "must be at most 2160 (90 days)",
            ));
        }
        if !(1..=90).contains(&self.health_window_days) {
            return Err(Error::invalid_key(
                "inbound.health_window_days",
                "must be between 1 and 90",
            ));
        }
        Ok(())
    }
}

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
        // Editors on Windows save UTF-8 with a byte order mark; TOML allows one and
        // so do we (serde_json would call it an unexpected character).
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
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
        // A policy that cannot be read is a policy error naming its file, so callers
        // (and Python's `PolicyError.path`) learn which file in one place.
        let text = std::fs::read_to_string(path).map_err(|err| {
            Error::Policy(PolicyError {
                origin: Some(path.to_owned()),
                line: None,
                column: None,
                key: None,
                message: format!("cannot read the file: {}", err.to_string().to_lowercase()),
            })
        })?;
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

    /// Checks every value that parsing alone cannot: the version, ranges, finite
    /// numbers, names (time zone, bait categories, regions, numbers, domains) and
    /// the size [`Limits`]. The parsers and [`Engine::new`](crate::Engine::new)
    /// call it; call it on a policy built in code to learn what is wrong without
    /// building an engine. The error names the key.
    ///
    /// # Examples
    /// ```
    /// let mut policy = sendlint::Policy::default();
    /// policy.rules.fatigue.mean_exposures = f64::INFINITY;
    /// let err = policy.validate().unwrap_err();
    /// assert!(err.to_string().contains("rules.fatigue.mean_exposures"));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if self.schema_version != SCHEMA_VERSION {
            return Err(Error::invalid_key(
                "schema_version",
                format!(
                    "schema version {} is not supported (this build reads {SCHEMA_VERSION})",
                    self.schema_version
                ),
            ));
        }
        self.tz()?;
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
        // Before anything that looks at each entry, so a huge policy fails fast.
        self.check_size()?;
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
            ("no_consent", rules.no_consent.points),
            ("opted_out", rules.opted_out.points),
            ("untargeted", rules.untargeted.points),
        ] {
            check_percent(&format!("rules.{rule}.points"), points)?;
        }
        // TOML can write `inf` and `nan`; JSON cannot, so such a policy would not
        // even survive its own `to_json` (or a pickle). `inf` would also switch
        // rules off silently (no mean exceeds an infinite threshold).
        let shares = [
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
            ("rules.untargeted.min_share", rules.untargeted.min_share),
        ];
        let mean_exposures = ("rules.fatigue.mean_exposures", rules.fatigue.mean_exposures);
        for (key, value) in shares.iter().chain([&mean_exposures]) {
            if !value.is_finite() {
                return Err(Error::invalid_key(
                    *key,
                    format!("{value} is not a finite number"),
                ));
            }
        }
        for (key, value) in shares {
            if !(0.0..=1.0).contains(&value) {
                return Err(Error::invalid_key(
                    key,
                    format!("{value} is not between 0 and 1"),
                ));
            }
        }
        if rules.fatigue.mean_exposures < 1.0 {
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
        if let Err(message) = self.audience.validate() {
            let (key, message) = message.split_once(": ").unwrap_or(("audience", &message));
            let key = key.split(" (").next().unwrap_or(key);
            return Err(Error::invalid_key(key, message));
        }
        if rules.mass_mention.max_mentions == 0 {
            return Err(Error::invalid_key(
                "rules.mass_mention.max_mentions",
                "must be at least 1",
            ));
        }
        self.inbound.validate()?;
        let known = bait_categories();
        if let Some(unknown) = rules
            .bait_word
            .categories
            .iter()
            .find(|c| !known.contains(c))
        {
            return Err(Error::invalid_key(
                "rules.bait_word.categories",
                format!("unknown category {unknown:?} (known: {})", known.join(", ")),
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
            if domain.contains(['/', ':', '@', ' ']) || crate::links::ascii_domain(domain).is_none()
            {
                return Err(Error::invalid_key(
                    "sender.allowed_domains",
                    format!(
                        "{domain:?} is not a domain name (write example.com or bäckerei.de, no scheme or path)"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The policy's time zone (`time_zone`), looked up in the time zone database.
    pub(crate) fn tz(&self) -> Result<TimeZone, Error> {
        let name = self.time_zone.as_str();
        // UTC needs no database (and the default policy should not load one).
        if name.eq_ignore_ascii_case("UTC") {
            return Ok(TimeZone::UTC);
        }
        // The system's database first (the OS keeps it current), then the copy
        // built into sendlint (jiff's `tzdb-bundle-always`), for machines without
        // `/usr/share/zoneinfo` or with one too old to know the zone.
        static BUNDLED: OnceLock<TimeZoneDatabase> = OnceLock::new();
        let found = jiff::tz::db().get(name).or_else(|err| {
            BUNDLED
                .get_or_init(TimeZoneDatabase::bundled)
                .get(name)
                .map_err(|_| err)
        });
        found.map_err(|err| {
            Error::invalid_key(
                "time_zone",
                format!(
                    "{name:?} is not a time zone known here; write an IANA name such as \"Europe/Berlin\" or \"Asia/Seoul\" ({err})"
                ),
            )
        })
    }

    /// Checks the policy's own lists against `limits.max_policy_phrases` and
    /// `limits.max_policy_phrase_bytes`: they decide how large the engine grows.
    fn check_size(&self) -> Result<(), Error> {
        let limits = &self.limits;
        if !(1..=MAX_POLICY_PHRASES).contains(&limits.max_policy_phrases) {
            return Err(Error::invalid_key(
                "limits.max_policy_phrases",
                format!("must be between 1 and {MAX_POLICY_PHRASES}"),
            ));
        }
        if !(1..=MAX_POLICY_PHRASE_BYTES).contains(&limits.max_policy_phrase_bytes) {
            return Err(Error::invalid_key(
                "limits.max_policy_phrase_bytes",
                format!("must be between 1 and {MAX_POLICY_PHRASE_BYTES}"),
            ));
        }
        // (entries, bytes) of a phrase table; the language code is copied into
        // every compiled phrase, so it counts once per phrase.
        let table = |phrases: &Phrases| {
            phrases
                .iter()
                .fold((0usize, 0usize), |(n, b), (lang, texts)| {
                    let bytes = texts.iter().map(|t| t.len() + lang.len()).sum::<usize>();
                    (n + texts.len(), b.saturating_add(bytes))
                })
        };
        let list = |items: &[String]| (items.len(), items.iter().map(String::len).sum::<usize>());
        let rules = &self.rules;
        let lists = [
            ("rules.bait_word.phrases", table(&rules.bait_word.phrases)),
            (
                "rules.missing_ad_label.labels",
                table(&rules.missing_ad_label.labels),
            ),
            (
                "rules.missing_opt_out.phrases",
                table(&rules.missing_opt_out.phrases),
            ),
            ("classify.discount", table(&self.classify.discount)),
            ("classify.coupon", table(&self.classify.coupon)),
            (
                "classify.call_to_action",
                table(&self.classify.call_to_action),
            ),
            (
                "rules.mass_mention.keywords",
                list(&rules.mass_mention.keywords),
            ),
            (
                "rules.risky_link.shorteners",
                list(&rules.risky_link.shorteners),
            ),
            ("sender.allowed_domains", list(&self.sender.allowed_domains)),
            ("sender.phone_numbers", list(&self.sender.phone_numbers)),
            ("sender.emails", list(&self.sender.emails)),
            ("inbound.opt_out", table(&self.inbound.opt_out)),
            (
                "inbound.opt_out_keywords",
                table(&self.inbound.opt_out_keywords),
            ),
            ("inbound.complaint", table(&self.inbound.complaint)),
            ("inbound.urgent", table(&self.inbound.urgent)),
        ];
        let entries: usize = lists.iter().map(|(_, (n, _))| n).sum();
        let bytes = lists
            .iter()
            .fold(0usize, |sum, (_, (_, b))| sum.saturating_add(*b));
        // Name the largest list, so the user knows where to look.
        let largest = |by: fn(&(usize, usize)) -> usize| {
            let (key, size) = lists
                .iter()
                .max_by_key(|(_, size)| by(size))
                .expect("the table is not empty");
            format!("{key}: {}", by(size))
        };
        if entries > limits.max_policy_phrases {
            return Err(Error::invalid_key(
                "limits.max_policy_phrases",
                format!(
                    "the policy's lists hold {entries} phrases, keywords, domains, numbers and addresses (largest {}), more than the limit of {}; each one grows the engine, raise the limit (at most {MAX_POLICY_PHRASES}) only if that is meant",
                    largest(|s| s.0),
                    limits.max_policy_phrases
                ),
            ));
        }
        if bytes > limits.max_policy_phrase_bytes {
            return Err(Error::invalid_key(
                "limits.max_policy_phrase_bytes",
                format!(
                    "the policy's lists hold {bytes} bytes (largest {}), more than the limit of {}; raise the limit (at most {MAX_POLICY_PHRASE_BYTES}) only if that is meant",
                    largest(|s| s.1),
                    limits.max_policy_phrase_bytes
                ),
            ));
        }
        Ok(())
    }
}

/// The built-in bait categories, computed once.
fn bait_categories() -> &'static [String] {
    static KNOWN: OnceLock<Vec<String>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        Lexicons::builtin()
            .bait_categories()
            .into_iter()
            .map(str::to_owned)
            .collect()
    })
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

    fn invalid(policy: &Policy) -> PolicyError {
        match policy.validate() {
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
    #[cfg_attr(
        miri,
        ignore = "validates a phone number: loads libphonenumber's metadata, too slow under Miri"
    )]
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
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn non_finite_numbers_are_rejected_naming_the_key() {
        for (text, key) in [
            (
                "[rules.fatigue]\nmean_exposures = inf",
                "rules.fatigue.mean_exposures",
            ),
            (
                "[rules.fatigue]\nmean_exposures = nan",
                "rules.fatigue.mean_exposures",
            ),
            (
                "[rules.near_duplicate]\nsimilarity = nan",
                "rules.near_duplicate.similarity",
            ),
            (
                "[rules.content_mix]\nmax_ad_share = -inf",
                "rules.content_mix.max_ad_share",
            ),
            (
                "[rules.off_topic]\nmin_relevance = inf",
                "rules.off_topic.min_relevance",
            ),
        ] {
            let err = policy_error(Policy::from_toml(&format!("schema_version = 1\n{text}\n")));
            assert_eq!(err.key.as_deref(), Some(key), "{text}");
            assert!(
                err.message.contains("not a finite number"),
                "{}",
                err.message
            );
        }
        // A policy built in code is checked the same way, by `validate` and the engine.
        let mut policy = Policy::default();
        policy.rules.fatigue.mean_exposures = f64::INFINITY;
        assert!(policy.validate().is_err());
        assert!(crate::Engine::new(policy).is_err());
    }

    #[test]
    fn every_valid_policy_survives_json() {
        // The reason for rejecting inf: JSON (and so a pickled engine) has no inf.
        let mut policy = Policy::default();
        policy.rules.fatigue.mean_exposures = 1e300;
        policy.time_zone = "Asia/Seoul".to_owned();
        policy.validate().unwrap();
        assert_eq!(Policy::from_json(&policy.to_json()).unwrap(), policy);
    }

    #[test]
    fn json_and_toml_with_a_byte_order_mark_load() {
        let json =
            Policy::from_json("\u{feff}{\"schema_version\": 1, \"verdict\": {\"block\": 60}}")
                .unwrap();
        assert_eq!(json.verdict.block, 60);
        let toml =
            Policy::from_toml("\u{feff}schema_version = 1\n[verdict]\nblock = 60\n").unwrap();
        assert_eq!(toml, json);
        // Errors after the mark still point at the right line.
        let err = policy_error(Policy::from_json(
            "\u{feff}{\"schema_version\": 1,\n\"nope\": 1}",
        ));
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn time_zone_defaults_to_utc_and_must_be_known() {
        assert_eq!(Policy::default().time_zone, "UTC");
        let berlin =
            Policy::from_toml("schema_version = 1\ntime_zone = \"Europe/Berlin\"\n").unwrap();
        assert_eq!(berlin.tz().unwrap().iana_name(), Some("Europe/Berlin"));
        let toml = toml::to_string(&berlin).unwrap();
        assert_eq!(Policy::from_toml(&toml).unwrap(), berlin);
        for name in ["Europe/Berlinn", "CEST", "", "../../etc/passwd"] {
            let err = policy_error(Policy::from_toml(&format!(
                "schema_version = 1\ntime_zone = {name:?}\n"
            )));
            assert_eq!(err.key.as_deref(), Some("time_zone"), "{name}");
            assert!(err.message.contains("IANA"), "{}", err.message);
        }
    }

    #[test]
    fn bait_categories_are_checked_by_validate() {
        let mut policy = Policy::default();
        policy.rules.bait_word.categories = vec!["free-gift".to_owned(), "lottery".to_owned()];
        let err = invalid(&policy);
        assert_eq!(err.key.as_deref(), Some("rules.bait_word.categories"));
        assert!(err.message.contains("\"lottery\"") && err.message.contains("free-gift"));
    }

    #[test]
    fn daily_volume_reads_its_old_name() {
        let old =
            Policy::from_toml("schema_version = 1\n[rules.daily_volume]\nmax_ads = 80\n").unwrap();
        let new = Policy::from_json(
            r#"{"schema_version": 1, "rules": {"daily_volume": {"max_promotional": 80}}}"#,
        )
        .unwrap();
        assert_eq!(old, new);
        assert!(new.to_json().contains("\"max_promotional\":80"));
    }

    /// A policy whose bait phrases are `n` phrases of `len` bytes each.
    fn with_phrases(n: usize, len: usize) -> Policy {
        let mut policy = Policy::default();
        let phrases = (0..n).map(|i| format!("{i:0len$}")).collect();
        policy
            .rules
            .bait_word
            .phrases
            .insert("en".to_owned(), phrases);
        policy
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "validates policies of 10,000 phrases: too slow under Miri"
    )]
    fn policy_lists_are_capped() {
        with_phrases(10_000, 20).validate().unwrap();
        let err = invalid(&with_phrases(10_001, 20));
        assert_eq!(err.key.as_deref(), Some("limits.max_policy_phrases"));
        assert!(
            err.message.contains("10001") && err.message.contains("rules.bait_word.phrases: 10001"),
            "{}",
            err.message
        );
        // Other lists count too.
        let mut policy = with_phrases(9_999, 20);
        policy.sender.emails = vec!["a@example.com".to_owned(), "b@example.com".to_owned()];
        assert!(policy.validate().is_err());
        // Raising the limit is allowed, up to its ceiling.
        let mut policy = with_phrases(10_001, 20);
        policy.limits.max_policy_phrases = 20_000;
        policy.validate().unwrap();
        policy.limits.max_policy_phrases = MAX_POLICY_PHRASES + 1;
        let err = invalid(&policy);
        assert_eq!(err.key.as_deref(), Some("limits.max_policy_phrases"));
        // Bytes: 1,000 phrases of 300 bytes (each with its 2-byte language) pass
        // the count but not the 256 KiB of text.
        let err = invalid(&with_phrases(1_000, 300));
        assert_eq!(err.key.as_deref(), Some("limits.max_policy_phrase_bytes"));
        let mut policy = with_phrases(1_000, 300);
        policy.limits.max_policy_phrase_bytes = 1 << 20;
        policy.validate().unwrap();
    }

    #[test]
    fn from_path_names_the_file() {
        let err = Policy::from_path("/nonexistent/policy.toml").unwrap_err();
        let Error::Policy(policy_error) = &err else {
            panic!("not a policy error: {err:?}");
        };
        assert_eq!(
            policy_error.origin.as_deref(),
            Some(Path::new("/nonexistent/policy.toml"))
        );
        assert!(err.to_string().contains("/nonexistent/policy.toml"));
        assert!(err.to_string().contains("cannot read"), "{err}");
    }
}
