//! The engine: a policy compiled once, checked against many messages.

use std::sync::Arc;

use aho_corasick::MatchKind;

use crate::compiled::Compiled;
use crate::error::Error;
use crate::history::{History, Sent, UserReport};
use crate::inbound::{Exchange, Inbound, InboundLexicon, ReplyHealth, Triage};
use crate::lexicon::{Lexicons, Phrase, PhraseList};
use crate::matcher::Matcher;
use crate::message::Message;
use crate::policy::{Phrases, Policy};
use crate::report::{Report, REPORT_SCHEMA_VERSION};
use crate::rules::{self, Context};
use crate::score;
use crate::text::Folder;

/// Checks messages against a policy. Build it once (it compiles every phrase list
/// into one automaton), then share it: it is immutable, `Send + Sync`, and cloning
/// it is cheap.
///
/// # Examples
/// ```
/// use sendlint::{Engine, Message, RuleId, Verdict};
/// let engine = Engine::default();
/// let report = engine.check(&Message::new("Claim your FREE gift now!"))?;
/// assert!(report.has(RuleId::BaitWord));
/// assert_ne!(report.verdict, Verdict::Allow);
/// # Ok::<(), sendlint::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Engine {
    inner: Arc<Compiled>,
}

impl Default for Engine {
    /// The engine of the built-in policy.
    fn default() -> Engine {
        Engine::new(Policy::default()).expect("the built-in policy is valid")
    }
}

impl Engine {
    /// Builds an engine for `policy`, validating it first.
    ///
    /// # Examples
    /// ```
    /// let mut policy = sendlint::Policy::default();
    /// policy.rules.mass_mention.max_mentions = 3;
    /// let engine = sendlint::Engine::new(policy)?;
    /// assert_eq!(engine.policy().rules.mass_mention.max_mentions, 3);
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn new(policy: Policy) -> Result<Engine, Error> {
        policy.validate()?;
        let lexicons = Lexicons::builtin();
        let folder = Folder::new(lexicons.homoglyphs.clone());
        let phrases = phrases(&lexicons, &policy);
        let matcher = Matcher::new(&folder, &phrases)?;
        let inbound = InboundLexicon::new(&folder, &lexicons, &policy.inbound)?;
        let mention_keywords = lexicons
            .mention_keywords
            .iter()
            .chain(&policy.rules.mass_mention.keywords)
            .map(|k| folder.fold_phrase(k.trim_start_matches('@')))
            .filter(|k| !k.is_empty())
            .collect();
        let currencies = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            // A DFA: the marker scan runs on every message with a digit, and the
            // few dozen markers make a small table.
            .build(&lexicons.currencies)
            .expect("currency markers compile");
        let lower = |items: &[String]| -> Vec<String> {
            items.iter().map(|s| s.trim().to_lowercase()).collect()
        };
        let compiled = Compiled {
            mention_keywords,
            currencies,
            shop_words: lexicons.shop_words.iter().cloned().collect(),
            shop_domains: lexicons.shop_domains.iter().cloned().collect(),
            shorteners: lexicons
                .shorteners
                .iter()
                .cloned()
                .chain(lower(&policy.rules.risky_link.shorteners))
                .collect(),
            own_phones: policy
                .sender
                .phone_numbers
                .iter()
                .filter_map(|n| crate::phone::e164(n))
                .collect(),
            own_emails: policy
                .sender
                .emails
                .iter()
                .map(|e| crate::links::email_key(e))
                .collect(),
            // `Policy::validate` rejected names that have no ASCII form.
            allowed_domains: policy
                .sender
                .allowed_domains
                .iter()
                .filter_map(|d| crate::links::ascii_domain(d).map(std::borrow::Cow::into_owned))
                .collect(),
            phones: crate::phone::Regions::new(&policy.rules.pii_exposure.regions),
            time_zone: policy.tz()?,
            inbound,
            folder,
            matcher,
            policy,
        };
        Ok(Engine {
            inner: Arc::new(compiled),
        })
    }

    /// The policy this engine was built from.
    pub fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    /// Checks one message and explains every finding.
    ///
    /// Never panics. Errors: a text longer than the policy's
    /// `limits.max_text_bytes`, or a target expression that does not parse or
    /// names a label the audience does not have ([`Error::Audience`]).
    ///
    /// # Examples
    /// ```
    /// use sendlint::{Engine, Kind, Message, RuleId};
    /// let engine = Engine::default();
    /// let text = "20 % Rabatt auf alles – jetzt bestellen!";
    /// let report = engine.check(&Message::new(text))?;
    /// assert_eq!(report.kind, Kind::Ad);
    /// assert!(report.has(RuleId::MissingAdLabel));
    /// let labelled = engine.check(&Message::new("Anzeige: 20 % Rabatt auf alles – jetzt bestellen!"))?;
    /// assert!(!labelled.has(RuleId::MissingAdLabel));
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn check(&self, message: &Message<'_>) -> Result<Report, Error> {
        let compiled = &*self.inner;
        self.check_length(message.text)?;
        let mut context = Context::new(compiled, message, false);
        if let Some(audience) = message.audience {
            let home = crate::recipient::home_region(&compiled.policy.rules.pii_exposure.regions);
            context.screening = Some(crate::audience::screen::screen(
                audience,
                message.recipients,
                message.target,
                home,
            )?);
        }
        let findings = rules::run(&context);
        let risk = score::combine(findings.iter().map(|f| f.points));
        Ok(Report {
            schema_version: REPORT_SCHEMA_VERSION,
            risk,
            verdict: score::verdict(risk, &compiled.policy.verdict),
            kind: context.kind,
            kind_source: context.kind_source,
            cues: context.cues(),
            findings,
            recipients_remaining: context.screening.as_ref().map(|s| s.remaining),
        })
    }
}

impl Engine {
    fn check_length(&self, text: &str) -> Result<(), Error> {
        let limit = self.inner.policy.limits.max_text_bytes;
        if text.len() > limit {
            return Err(Error::Input(format!(
                "text is {} bytes, more than the policy's limit of {limit} (limits.max_text_bytes)",
                text.len()
            )));
        }
        Ok(())
    }

    /// Records a send in `history` once it really went out: account, group, time
    /// (now when the message has none), kind (classified unless given), SimHash,
    /// links, @all and the recipients as compact keyed ids (see
    /// [`History`](crate::History)). Then drops the account's sends older than the
    /// policy's `history.retention_days` before its newest one.
    ///
    /// # Errors
    /// [`Error::Input`] when the text is longer than `limits.max_text_bytes`, or
    /// the time is more than 24 hours ahead of the system clock: a send that went
    /// out cannot be in the future, and a mistyped year would otherwise sit in the
    /// account's log and push every correctly dated send out of retention.
    ///
    /// # Examples
    /// ```
    /// let engine = sendlint::Engine::default();
    /// let history = sendlint::History::new();
    /// engine.record(&history, &sendlint::Message::new("Frische Brezeln!").account("bakery"))?;
    /// assert_eq!(history.len(), 1);
    /// let typo = "2206-11-02T09:00:00Z".parse().unwrap();
    /// let err = engine.record(&history, &sendlint::Message::new("Brezeln").at(typo));
    /// assert!(matches!(err, Err(sendlint::Error::Input(_))));
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn record(&self, history: &History, message: &Message<'_>) -> Result<(), Error> {
        self.check_length(message.text)?;
        let at = recordable_time(message)?;
        let compiled = &*self.inner;
        let mut plain = message.clone();
        plain.history = None;
        plain.topic = None;
        let context = Context::new(compiled, &plain, true);
        let mass_mention = !rules::mass_mention::find(&context).whole_group.is_empty();
        let rules = &compiled.policy.rules;
        let threshold = rules.near_duplicate.similarity;
        let window = i64::from(rules.duplicate_share.window_days) * 86_400;
        let retention = i64::from(compiled.policy.history.retention_days) * 86_400;
        // Hashing the recipients needs no lock: do it before taking it.
        let recipients =
            history.recipient_ids(message.all_recipients(), &rules.pii_exposure.regions);

        let mut store = history.write();
        let account = store.intern_account(message.account.unwrap_or_default());
        let group = message.group.map(|g| store.intern_group(g));
        // Each send of a near-duplicate pair within the window remembers when the
        // other went out: `duplicate_share` counts it only while that is in its window.
        let mut duplicate_at = crate::history::NEVER;
        for sent in store.own_since_mut(account, at.saturating_sub(window)) {
            if sent.at <= at.saturating_add(window)
                && crate::simhash::similarity(sent.simhash, context.simhash) > threshold
            {
                // NEVER is i64::MIN, so `max` also replaces it.
                sent.duplicate_at = sent.duplicate_at.max(at);
                duplicate_at = duplicate_at.max(sent.at);
            }
        }
        store.insert(
            account,
            Sent {
                group,
                at,
                kind: context.kind,
                simhash: context.simhash,
                links: context.has_links(),
                mass_mention,
                duplicate_at,
                recipients,
            },
            retention,
        );
        Ok(())
    }

    /// Records that users reported the message's content (one report each call),
    /// for `reported_content`, and drops reports older than the policy's
    /// `history.retention_days` before the newest one.
    ///
    /// # Errors
    /// As [`Engine::record`]: a text over the limit, or a time more than 24 hours
    /// ahead of the system clock.
    pub fn record_report(&self, history: &History, message: &Message<'_>) -> Result<(), Error> {
        self.check_length(message.text)?;
        let at = recordable_time(message)?;
        let simhash = self.simhash(message.text);
        let retention = i64::from(self.inner.policy.history.retention_days) * 86_400;
        history
            .write()
            .insert_report(UserReport { simhash, at }, retention);
        Ok(())
    }

    /// The 64-bit SimHash of a text after the engine's folding; compare two with
    /// [`similarity`](crate::similarity).
    ///
    /// # Examples
    /// ```
    /// let engine = sendlint::Engine::default();
    /// let a = engine.simhash("Frische Brezeln und Croissants ab 6 Uhr in der Backstube am Markt!");
    /// let b = engine.simhash("Frische Brezeln & Croissants ab 6 Uhr in der Backstube am Markt!!");
    /// assert!(sendlint::similarity(a, b) > 0.8);
    /// ```
    pub fn simhash(&self, text: &str) -> u64 {
        crate::simhash::simhash(self.inner.folder.fold(text).as_str())
    }
}

impl Engine {
    /// Triages an inbound message (customer to business) by the 15-5-1 rule:
    /// complaints and negative feedback need a reply within
    /// `inbound.complaint_minutes` (1), urgent requests within `urgent_minutes`
    /// (5), other questions and requests within `question_minutes` (15);
    /// acknowledgements and bare opt-outs need none. Also finds an opt-out
    /// (`STOP`, `unsubscribe`, `abmelden`, `退订`, `수신거부`, …), with the same
    /// folding as [`Engine::check`], so `S T O P` and `ＳＴＯＰ` count too.
    ///
    /// The reply is due `received + minutes`; without a time the message is
    /// taken as received now.
    ///
    /// # Errors
    /// Only [`Error::Input`] for a text longer than `limits.max_text_bytes`;
    /// never panics.
    ///
    /// # Examples
    /// ```
    /// use sendlint::{Engine, Inbound, Priority};
    /// let engine = Engine::default();
    /// let at = "2026-11-25T09:00:00Z".parse().unwrap();
    /// let triage = engine.triage(&Inbound::new("Die Lieferung ist kaputt angekommen!").at(at))?;
    /// assert_eq!(triage.priority, Priority::Complaint);
    /// assert_eq!(triage.reply_due, Some("2026-11-25T09:01:00Z".parse().unwrap()));
    ///
    /// let stop = engine.triage(&Inbound::new("S T O P").sender("+4917012345678").at(at))?;
    /// let opt_out = stop.opt_out.expect("a whole-message STOP opts out");
    /// assert_eq!((opt_out.phrase.as_str(), opt_out.at), ("STOP", at));
    /// assert!(engine.triage(&Inbound::new("Don't stop the music tonight!"))?.opt_out.is_none());
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn triage(&self, message: &Inbound<'_>) -> Result<Triage, Error> {
        self.check_length(message.text)?;
        Ok(crate::inbound::triage(&self.inner, message))
    }

    /// An account's reply-time health from its exchanges (inbound message,
    /// reply) as of `now` (the system clock when `None`): the mean response
    /// time over messages received within `inbound.health_window_days` before
    /// `now` (half-open: one received exactly that long ago is outside), the
    /// state it puts the account in (mean above `inbound.slow_reply_hours`,
    /// 6 h: priority lowered 30 %; above `very_slow_reply_hours`, 24 h: ads
    /// low priority) and the share answered by their due time.
    ///
    /// Unanswered messages past their due time count with their wait so far (a
    /// lower bound: an account that never answers is not healthy); unanswered
    /// ones not yet due, or needing no reply, are `pending` and not counted.
    ///
    /// # Errors
    /// [`Error::Input`] naming the exchange whose reply or due time lies before
    /// the message was received.
    ///
    /// # Examples
    /// ```
    /// use sendlint::{Engine, Exchange, ReplyState};
    /// let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    /// let exchanges = [
    ///     Exchange::new(t("2026-11-24T08:00:00Z"), Some(t("2026-11-24T15:00:00Z"))), // 7 h
    ///     Exchange::new(t("2026-11-24T09:00:00Z"), Some(t("2026-11-24T14:00:00Z"))), // 5 h
    ///     Exchange::new(t("2026-11-24T10:00:00Z"), Some(t("2026-11-24T17:00:00Z"))), // 7 h
    /// ];
    /// let health = Engine::default().reply_health(&exchanges, Some(t("2026-11-25T09:00:00Z")))?;
    /// assert_eq!(health.mean_response_seconds, Some(6.333333333333333 * 3600.0));
    /// assert_eq!(health.state, ReplyState::PriorityLowered);
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn reply_health(
        &self,
        exchanges: &[Exchange],
        now: Option<jiff::Timestamp>,
    ) -> Result<ReplyHealth, Error> {
        let now = now.unwrap_or_else(jiff::Timestamp::now);
        crate::inbound::reply_health(&self.inner.policy.inbound, exchanges, now)
    }
}

/// How far ahead of the system clock a recorded time may be: clock skew between
/// machines and a send scheduled a little early, but not a mistyped year.
const MAX_AHEAD_SECONDS: i64 = 24 * 3600;

/// The message's time in Unix seconds (now when it has none), unless it is
/// too far in the future to have been sent.
fn recordable_time(message: &Message<'_>) -> Result<i64, Error> {
    let now = jiff::Timestamp::now().as_second();
    let at = message.at.map_or(now, |at| at.as_second());
    if at > now.saturating_add(MAX_AHEAD_SECONDS) {
        return Err(Error::Input(format!(
            "send time {} is more than 24 h ahead of the system clock ({}); only sends that \
             went out are recorded (a scheduled message can be checked without recording it)",
            rules::time(at),
            rules::time(now)
        )));
    }
    Ok(at)
}

/// The built-in phrases the policy keeps, plus the policy's own.
pub(crate) fn phrases(lexicons: &Lexicons, policy: &Policy) -> Vec<Phrase> {
    let bait = &policy.rules.bait_word;
    let mut phrases: Vec<Phrase> = lexicons
        .phrases
        .iter()
        // Inbound lists have their own automaton (`inbound.rs`).
        .filter(|p| !p.list.is_inbound())
        .filter(|p| p.list != PhraseList::Bait || bait.categories.contains(&p.category))
        .cloned()
        .collect();
    let mut add = |list: PhraseList, category: &str, by_lang: &Phrases| {
        for (lang, texts) in by_lang {
            phrases.extend(texts.iter().map(|text| Phrase {
                list,
                category: category.to_owned(),
                lang: lang.clone(),
                text: text.clone(),
            }));
        }
    };
    add(PhraseList::Bait, "custom", &bait.phrases);
    add(
        PhraseList::AdLabel,
        "ad_label",
        &policy.rules.missing_ad_label.labels,
    );
    add(
        PhraseList::OptOut,
        "opt_out",
        &policy.rules.missing_opt_out.phrases,
    );
    add(PhraseList::Discount, "discount", &policy.classify.discount);
    add(PhraseList::Coupon, "coupon", &policy.classify.coupon);
    add(
        PhraseList::CallToAction,
        "call_to_action",
        &policy.classify.call_to_action,
    );
    phrases
}
