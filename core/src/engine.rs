//! The engine: a policy compiled once, checked against many messages.

use std::collections::HashSet;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::error::Error;
use crate::history::{History, Sent, UserReport};
use crate::lexicon::{Lexicons, Phrase, PhraseList};
use crate::matcher::Matcher;
use crate::message::Message;
use crate::policy::{Phrases, Policy};
use crate::report::{self, Report};
use crate::rules::{self, Context};
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

/// Everything a check needs, built from the policy and the lexicons.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) policy: Policy,
    pub(crate) folder: Folder,
    pub(crate) matcher: Matcher,
    /// Folded words that after `@` address the whole group.
    pub(crate) mention_keywords: Vec<String>,
    /// Currency markers, matched case-insensitively on the original text.
    pub(crate) currencies: AhoCorasick,
    pub(crate) shop_words: HashSet<String>,
    pub(crate) shorteners: HashSet<String>,
    /// The sender's own numbers in E.164.
    pub(crate) own_phones: HashSet<String>,
    /// The sender's own addresses, lower case.
    pub(crate) own_emails: HashSet<String>,
    /// The sender's domains, lower case.
    pub(crate) allowed_domains: Vec<String>,
    /// Regions whose national phone formats are recognised.
    pub(crate) phones: crate::phone::Regions,
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
        let known = lexicons.bait_categories();
        if let Some(unknown) = policy
            .rules
            .bait_word
            .categories
            .iter()
            .find(|c| !known.contains(&c.as_str()))
        {
            return Err(Error::invalid_key(
                "rules.bait_word.categories",
                format!("unknown category {unknown:?} (known: {})", known.join(", ")),
            ));
        }
        let folder = Folder::new(lexicons.homoglyphs.clone());
        let phrases = phrases(&lexicons, &policy);
        let matcher = Matcher::new(&folder, &phrases);
        let mention_keywords = lexicons
            .mention_keywords
            .iter()
            .chain(&policy.rules.mass_mention.keywords)
            .map(|k| folder.fold_phrase(k.trim_start_matches('@')))
            .filter(|k| !k.is_empty())
            .collect();
        let currencies = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&lexicons.currencies)
            .expect("currency markers compile");
        let lower = |items: &[String]| -> Vec<String> {
            items.iter().map(|s| s.trim().to_lowercase()).collect()
        };
        let compiled = Compiled {
            mention_keywords,
            currencies,
            shop_words: lexicons.shop_words.iter().cloned().collect(),
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
            own_emails: lower(&policy.sender.emails).into_iter().collect(),
            allowed_domains: lower(&policy.sender.allowed_domains),
            phones: crate::phone::Regions::new(&policy.rules.pii_exposure.regions),
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
    /// Never panics; the only error is a text longer than the policy's
    /// `limits.max_text_bytes`.
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
        let context = Context::new(compiled, message, false);
        let findings = rules::run(&context);
        let risk = report::combine(findings.iter().map(|f| f.points));
        Ok(Report {
            risk,
            verdict: report::verdict(risk, &compiled.policy.verdict),
            kind: context.kind,
            kind_source: context.kind_source,
            cues: context.cues(),
            findings,
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
    /// links, @all and the recipients as compact keyed ids. Drops entries older
    /// than the policy's `history.retention_days`.
    ///
    /// # Examples
    /// ```
    /// let engine = sendlint::Engine::default();
    /// let history = sendlint::History::new();
    /// engine.record(&history, &sendlint::Message::new("Frische Brezeln!").account("bakery"))?;
    /// assert_eq!(history.len(), 1);
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn record(&self, history: &History, message: &Message<'_>) -> Result<(), Error> {
        self.check_length(message.text)?;
        let compiled = &*self.inner;
        let mut plain = message.clone();
        plain.history = None;
        plain.topic = None;
        let context = Context::new(compiled, &plain, true);
        let mass_mention = !rules::mass_mention::find(&context).whole_group.is_empty();
        let at = message.unix_time();
        let rules = &compiled.policy.rules;
        let threshold = rules.near_duplicate.similarity;
        let window = i64::from(rules.duplicate_share.window_days) * 86_400;
        let retention = i64::from(compiled.policy.history.retention_days) * 86_400;

        let mut store = history.write();
        let account = store.intern_account(message.account.unwrap_or_default());
        let group = message.group.map(|g| store.intern_group(g));
        let mut recipients: Vec<u64> = message
            .recipients
            .iter()
            .map(|r| store.recipient(r))
            .collect();
        recipients.sort_unstable();
        recipients.dedup();
        let mut duplicate = false;
        for sent in store.own_since_mut(account, at - window) {
            if sent.at <= at + window
                && crate::simhash::similarity(sent.simhash, context.simhash) > threshold
            {
                sent.duplicate = true;
                duplicate = true;
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
                duplicate,
                recipients,
            },
            retention,
        );
        Ok(())
    }

    /// Records that users reported the message's content (one report each call),
    /// for `reported_content`.
    pub fn record_report(&self, history: &History, message: &Message<'_>) -> Result<(), Error> {
        self.check_length(message.text)?;
        let simhash = self.simhash(message.text);
        history.write().insert_report(UserReport {
            simhash,
            at: message.unix_time(),
        });
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
        crate::simhash::simhash(&self.inner.folder.fold(text).text)
    }
}

/// The built-in phrases the policy keeps, plus the policy's own.
fn phrases(lexicons: &Lexicons, policy: &Policy) -> Vec<Phrase> {
    let bait = &policy.rules.bait_word;
    let mut phrases: Vec<Phrase> = lexicons
        .phrases
        .iter()
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
