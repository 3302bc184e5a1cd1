//! The message rules, one file each. A rule sees the prepared message
//! ([`Context`]) and pushes findings; it never knows who called the engine.

pub(crate) mod bait_word;
pub(crate) mod invalid_link;
pub(crate) mod mass_mention;
pub(crate) mod missing_ad_label;
pub(crate) mod missing_opt_out;
pub(crate) mod pii_exposure;
pub(crate) mod risky_link;

// Context rules: they need a history (or, for off_topic, a topic).
pub(crate) mod content_mix;
pub(crate) mod daily_volume;
pub(crate) mod duplicate_share;
pub(crate) mod fatigue;
pub(crate) mod link_streak;
pub(crate) mod mass_mention_repeat;
pub(crate) mod near_duplicate;
pub(crate) mod off_topic;
pub(crate) mod reported_content;

// Audience rules: they need an audience (and, for untargeted, a target).
pub(crate) mod no_consent;
pub(crate) mod opted_out;
pub(crate) mod untargeted;

use std::sync::RwLockReadGuard;

use serde_json::Value;

use crate::classify::{self, Cues};
use crate::compiled::Compiled;
use crate::history::{Sent, Store};
use crate::lexicon::PhraseList;
use crate::links::{self, Found};
use crate::matcher::Hit;
use crate::message::Message;
use crate::policy::Rules;
use crate::report::{Cue, Evidence, Finding, Kind, KindSource, RuleId, Severity, Span};

/// A message prepared once for all rules.
pub(crate) struct Context<'e, 'm> {
    pub(crate) engine: &'e Compiled,
    pub(crate) message: &'m Message<'m>,
    pub(crate) text: &'m str,
    /// Phrase hits, with hits inside a longer hit of the same list removed.
    pub(crate) hits: Vec<Hit<'e>>,
    pub(crate) links: Vec<Found<'m>>,
    pub(crate) cues: Cues,
    pub(crate) kind: Kind,
    pub(crate) kind_source: KindSource,
    /// SimHash of the folded text (0 when neither a history nor recording needs it).
    pub(crate) simhash: u64,
    /// What the account sent before, when the message carries a history.
    pub(crate) past: Option<Past<'m>>,
    /// The recipients looked up in the message's audience (set by the engine
    /// when the message carries one).
    pub(crate) screening: Option<crate::audience::screen::Screening>,
    /// Whether the text holds an `@` (or a full-width `＠`), when the fold knows.
    pub(crate) at_sign: Option<bool>,
}

/// The history as one check sees it.
pub(crate) struct Past<'m> {
    pub(crate) store: RwLockReadGuard<'m, Store>,
    /// The account's id in the store (`None`: it never sent anything).
    pub(crate) account: Option<u32>,
    /// The group's id in the store.
    pub(crate) group: Option<u32>,
    /// This send's time, Unix seconds.
    pub(crate) at: i64,
    /// This send's recipients as compact ids, sorted, each person once.
    pub(crate) recipients: Vec<u64>,
}

impl Past<'_> {
    /// The account's sends strictly after `since` (Unix seconds), oldest first.
    pub(crate) fn own_since(&self, since: i64) -> &[Sent] {
        match self.account {
            Some(account) => self.store.own_since(account, since),
            None => &[],
        }
    }
}

impl<'e, 'm> Context<'e, 'm> {
    pub(crate) fn new(
        engine: &'e Compiled,
        message: &'m Message<'m>,
        for_record: bool,
    ) -> Context<'e, 'm> {
        let text = message.text;
        let folded = engine.folder.fold(text);
        // (`folded` is dropped at the end of this function: rules read hits and links.)
        let mut hits = Vec::new();
        engine
            .matcher
            .find(&engine.folder, text, &folded, &mut hits);
        drop_contained(&mut hits);
        let links = links::find_hinted(text, folded.signs.map(|signs| signs.link));
        let cues = classify::cues(engine, text, &hits, &links);
        // Only history rules and recording read the SimHash; it costs about a
        // microsecond, so a check without history skips it.
        let simhash = if message.history.is_some() || for_record {
            crate::simhash::simhash(folded.as_str())
        } else {
            0
        };
        let past = message.history.map(|history| {
            let regions = &engine.policy.rules.pii_exposure.regions;
            let recipients = history.recipient_ids(message.all_recipients(), regions);
            let store = history.read();
            Past {
                account: store.account(message.account.unwrap_or_default()),
                group: message.group.and_then(|g| store.group(g)),
                at: message.unix_time(),
                recipients,
                store,
            }
        });
        let (kind, kind_source) = match message.kind {
            Some(kind) => (kind, KindSource::Given),
            None => (cues.kind(), KindSource::Classified),
        };
        Context {
            engine,
            message,
            text,
            hits,
            links,
            cues,
            kind,
            kind_source,
            simhash,
            past,
            screening: None,
            // Text with a full-width `＠` never takes the ASCII path.
            at_sign: folded.signs.map(|signs| signs.at_sign),
        }
    }

    /// Whether the text has a link (working or not; e-mail addresses are no links).
    pub(crate) fn has_links(&self) -> bool {
        self.links
            .iter()
            .any(|l| !matches!(l.kind, crate::links::FoundKind::Email))
    }

    /// Hits of one phrase list, in text order.
    pub(crate) fn hits(&self, list: PhraseList) -> impl Iterator<Item = &Hit<'e>> {
        self.hits.iter().filter(move |h| h.entry.list == list)
    }

    /// The cues behind the kind, as report entries (none when the kind was given).
    pub(crate) fn cues(&self) -> Vec<Cue> {
        if self.kind_source == KindSource::Given {
            return Vec::new();
        }
        let mut cues: Vec<Cue> = self
            .cues
            .all()
            .map(|(cue, start, end)| Cue {
                cue: cue.to_owned(),
                matched: self.text[start..end].to_owned(),
                span: self.span(start, end),
            })
            .collect();
        fill_char_offsets(self.text, cues.iter_mut().map(|c| &mut c.span));
        cues
    }

    /// A span for byte range `start..end`; character indices are filled in by
    /// [`fill_char_offsets`] once all spans are known.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        Span {
            start,
            end,
            char_start: 0,
            char_end: 0,
        }
    }

    /// A finding of `rule` with the policy's severity and points.
    pub(crate) fn finding(
        &self,
        rule: RuleId,
        at: Option<(usize, usize)>,
        message: String,
        evidence: Evidence,
        advice: String,
    ) -> Finding {
        let (severity, points) = severity_points(&self.engine.policy.rules, rule);
        Finding {
            rule,
            severity,
            points,
            span: at.map(|(start, end)| self.span(start, end)),
            matched: at.map(|(start, end)| self.text[start..end].to_owned()),
            message,
            evidence,
            advice,
        }
    }
}

/// A rule: reads the prepared message, pushes findings.
type Rule = fn(&Context<'_, '_>, &mut Vec<Finding>);

/// Runs every enabled rule and orders the findings by position.
pub(crate) fn run(context: &Context<'_, '_>) -> Vec<Finding> {
    let rules = &context.engine.policy.rules;
    let mut findings = Vec::new();
    // Context and audience rules return at once without a history, a topic or
    // an audience (each starts with that test); most checks have none, so they
    // are not called at all.
    let past = context.past.is_some();
    let topic = context.message.topic.is_some();
    let audience = context.screening.is_some();
    let table: [(bool, Rule); 19] = [
        (rules.bait_word.enabled, bait_word::check),
        (rules.missing_ad_label.enabled, missing_ad_label::check),
        (rules.mass_mention.enabled, mass_mention::check),
        (rules.invalid_link.enabled, invalid_link::check),
        (rules.risky_link.enabled, risky_link::check),
        (rules.pii_exposure.enabled, pii_exposure::check),
        (rules.missing_opt_out.enabled, missing_opt_out::check),
        (past && rules.near_duplicate.enabled, near_duplicate::check),
        (
            past && rules.duplicate_share.enabled,
            duplicate_share::check,
        ),
        (past && rules.fatigue.enabled, fatigue::check),
        (past && rules.daily_volume.enabled, daily_volume::check),
        (past && rules.content_mix.enabled, content_mix::check),
        (past && rules.link_streak.enabled, link_streak::check),
        (
            past && rules.mass_mention_repeat.enabled,
            mass_mention_repeat::check,
        ),
        (topic && rules.off_topic.enabled, off_topic::check),
        (
            past && rules.reported_content.enabled,
            reported_content::check,
        ),
        (audience && rules.no_consent.enabled, no_consent::check),
        (audience && rules.opted_out.enabled, opted_out::check),
        (audience && rules.untargeted.enabled, untargeted::check),
    ];
    for (enabled, check) in table {
        if enabled {
            check(context, &mut findings);
        }
    }
    findings.sort_by_key(|f| (f.span.map_or(usize::MAX, |s| s.start), f.rule));
    fill_char_offsets(
        context.text,
        findings.iter_mut().filter_map(|f| f.span.as_mut()),
    );
    findings
}

/// Fills in the character indices of spans ordered by start, in one pass over the
/// text (a report with many findings must not recount from the start each time).
pub(crate) fn fill_char_offsets<'s>(text: &str, spans: impl Iterator<Item = &'s mut Span>) {
    let (mut byte, mut chars) = (0, 0);
    for span in spans {
        chars += text[byte..span.start].chars().count();
        byte = span.start;
        span.char_start = chars;
        span.char_end = chars + text[span.start..span.end].chars().count();
    }
}

fn severity_points(rules: &Rules, rule: RuleId) -> (Severity, u8) {
    match rule {
        RuleId::BaitWord => (rules.bait_word.severity, rules.bait_word.points),
        RuleId::MissingAdLabel => (
            rules.missing_ad_label.severity,
            rules.missing_ad_label.points,
        ),
        RuleId::MassMention => (rules.mass_mention.severity, rules.mass_mention.points),
        RuleId::InvalidLink => (rules.invalid_link.severity, rules.invalid_link.points),
        RuleId::RiskyLink => (rules.risky_link.severity, rules.risky_link.points),
        RuleId::PiiExposure => (rules.pii_exposure.severity, rules.pii_exposure.points),
        RuleId::MissingOptOut => (rules.missing_opt_out.severity, rules.missing_opt_out.points),
        RuleId::NearDuplicate => (rules.near_duplicate.severity, rules.near_duplicate.points),
        RuleId::DuplicateShare => (rules.duplicate_share.severity, rules.duplicate_share.points),
        RuleId::Fatigue => (rules.fatigue.severity, rules.fatigue.points),
        RuleId::DailyVolume => (rules.daily_volume.severity, rules.daily_volume.points),
        RuleId::ContentMix => (rules.content_mix.severity, rules.content_mix.points),
        RuleId::LinkStreak => (rules.link_streak.severity, rules.link_streak.points),
        RuleId::MassMentionRepeat => (
            rules.mass_mention_repeat.severity,
            rules.mass_mention_repeat.points,
        ),
        RuleId::OffTopic => (rules.off_topic.severity, rules.off_topic.points),
        RuleId::ReportedContent => (
            rules.reported_content.severity,
            rules.reported_content.points,
        ),
        RuleId::NoConsent => (rules.no_consent.severity, rules.no_consent.points),
        RuleId::OptedOut => (rules.opted_out.severity, rules.opted_out.points),
        RuleId::Untargeted => (rules.untargeted.severity, rules.untargeted.points),
    }
}

/// Drops a hit that lies inside another hit of the same list ("free gift" inside
/// "claim your free gift"), so one stretch of text gives one finding.
fn drop_contained(hits: &mut Vec<Hit<'_>>) {
    hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
    // One hit lies inside no other: most messages stop here, without allocating.
    if hits.len() < 2 {
        return;
    }
    // Sorted by start (longest first), a hit lies inside an earlier one of its list
    // exactly when that list has already reached past its end.
    let mut reach: Vec<(PhraseList, usize)> = Vec::new();
    hits.retain(
        |hit| match reach.iter_mut().find(|(list, _)| *list == hit.entry.list) {
            Some((_, end)) if *end >= hit.end => false,
            Some((_, end)) => {
                *end = hit.end;
                true
            }
            None => {
                reach.push((hit.entry.list, hit.end));
                true
            }
        },
    );
}

/// A Unix time as RFC 3339.
pub(crate) fn time(unix_seconds: i64) -> String {
    jiff::Timestamp::from_second(unix_seconds)
        .map_or_else(|_| unix_seconds.to_string(), |t| t.to_string())
}

/// Builds an evidence object from key/value pairs.
pub(crate) fn evidence<const N: usize>(pairs: [(&'static str, Value); N]) -> Evidence {
    Evidence::of(pairs)
}
