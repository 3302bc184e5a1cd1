//! Inbound messages (customer to business): opt-out and complaint detection, the
//! 15-5-1 triage of seed 000 and an account's reply-time health.
//!
//! Inbound phrases live in `lexicons/inbound/` and get their own automaton, built
//! with the same folding as the outbound rules, so `S T O P`, `ＳＴＯＰ`, `st0p` and
//! `Désabonner` are found as `stop` and `desabonner`. They never feed a rule of
//! [`Engine::check`](crate::Engine::check).
//!
//! Opt-outs come in two kinds:
//! - phrases that ask to stop wherever they stand (`unsubscribe`, `abmelden`,
//!   `退订`, `수신거부`), unless a negation stands right before them ("I don't want
//!   to unsubscribe");
//! - carrier keywords (`STOP`, `TD`, `UNREG`, `BAJA`) that count only when they
//!   are the whole message, give or take polite words (`STOP please`, `回复TD`):
//!   "don't stop the music" and "TD Bank" are no opt-outs.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::compiled::Compiled;
use crate::error::Error;
use crate::lexicon::{Lexicons, Phrase, PhraseList};
use crate::matcher::{Hit, Matcher};
use crate::policy::{InboundSettings, Phrases};
use crate::report::Span;
use crate::text::Folder;

/// An inbound message: what a customer wrote to the business.
///
/// # Examples
/// ```
/// let at = "2026-11-25T09:00:00Z".parse().unwrap();
/// let message = sendlint::Inbound::new("Is the blue one in stock?").at(at).sender("+4917012345678");
/// assert_eq!(message.sender, Some("+4917012345678"));
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Inbound<'a> {
    /// The text the customer wrote.
    pub text: &'a str,
    /// When it was received; now when `None`.
    pub at: Option<Timestamp>,
    /// Who wrote it (phone number or contact id), carried into the [`Triage`]
    /// so an opt-out can be applied to that contact.
    pub sender: Option<&'a str>,
    /// The business account that received it.
    pub account: Option<&'a str>,
}

impl<'a> Inbound<'a> {
    /// A message with only its text.
    pub fn new(text: &'a str) -> Inbound<'a> {
        Inbound {
            text,
            ..Inbound::default()
        }
    }

    /// Sets the time it was received.
    pub fn at(mut self, at: Timestamp) -> Inbound<'a> {
        self.at = Some(at);
        self
    }

    /// Sets who wrote it.
    pub fn sender(mut self, sender: &'a str) -> Inbound<'a> {
        self.sender = Some(sender);
        self
    }

    /// Sets the receiving account.
    pub fn account(mut self, account: &'a str) -> Inbound<'a> {
        self.account = Some(account);
        self
    }
}

/// How soon an inbound message needs a reply (15-5-1, seed 000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Priority {
    /// A complaint or negative feedback: reply within 1 minute by default.
    Complaint,
    /// An urgent request ("where is my order?"): within 5 minutes.
    Urgent,
    /// A general question or request, and any message that is more than an
    /// acknowledgement: within 15 minutes.
    Question,
    /// Needs no reply: an acknowledgement ("ok, thanks"), nothing but emoji or
    /// punctuation, or an opt-out without a complaint (honour it; do not reply
    /// with more messages).
    Other,
}

impl Priority {
    /// `"complaint"`, `"urgent"`, `"question"` or `"other"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Complaint => "complaint",
            Priority::Urgent => "urgent",
            Priority::Question => "question",
            Priority::Other => "other",
        }
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an inbound cue says about the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CueKind {
    /// The customer asks to stop receiving messages.
    OptOut,
    /// A complaint or negative feedback.
    Complaint,
    /// Urgency.
    Urgent,
    /// A question word or question mark.
    Question,
}

impl CueKind {
    /// `"opt_out"`, `"complaint"`, `"urgent"` or `"question"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CueKind::OptOut => "opt_out",
            CueKind::Complaint => "complaint",
            CueKind::Urgent => "urgent",
            CueKind::Question => "question",
        }
    }
}

/// One phrase found in an inbound message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InboundCue {
    /// What it says.
    pub cue: CueKind,
    /// The lexicon or policy phrase that matched (`unsubscribe`), or the
    /// question mark.
    pub phrase: String,
    /// The language of that phrase (`en`, `zh`, …; `""` for a question mark).
    pub lang: String,
    /// The original text at `span` (`U N S U B S C R I B E`).
    pub matched: String,
    /// Where it is in the message.
    pub span: Span,
}

/// A customer's request to stop receiving messages, with everything needed to
/// apply it to the contact (`audience.opt_out(triage.sender, opt_out.at)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OptOut {
    /// When the customer asked: the message's received time.
    pub at: Timestamp,
    /// The lexicon or policy phrase that matched (`STOP`, `退订`).
    pub phrase: String,
    /// The language of that phrase.
    pub lang: String,
    /// The original text at `span`.
    pub matched: String,
    /// Where it is in the message.
    pub span: Span,
    /// `true` for a keyword that counted because it was the whole message
    /// (`STOP`, `TD`), `false` for a phrase found inside a sentence.
    pub whole_message: bool,
}

/// The triage of one inbound message: how soon it needs a reply, whether it
/// opts out, and the phrases that decided it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Triage {
    /// When it was received.
    pub received: Timestamp,
    /// Who wrote it, as given in the [`Inbound`].
    pub sender: Option<String>,
    /// The receiving account, as given in the [`Inbound`].
    pub account: Option<String>,
    /// How soon it needs a reply.
    pub priority: Priority,
    /// The policy's minutes for that priority; `None` for [`Priority::Other`].
    pub reply_within_minutes: Option<u32>,
    /// `received` plus those minutes: a reply at or before this time is on time.
    pub reply_due: Option<Timestamp>,
    /// The opt-out, when the customer asks to stop receiving messages.
    pub opt_out: Option<OptOut>,
    /// Every cue found (opt-out, complaint, urgent, question), in text order.
    pub cues: Vec<InboundCue>,
}

impl Triage {
    /// Whether the customer asks to stop receiving messages.
    pub fn is_opt_out(&self) -> bool {
        self.opt_out.is_some()
    }

    /// The triage as one line of JSON (times in RFC 3339).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a triage always serialises")
    }

    /// This message and the time of its reply (`None`: not answered yet), for
    /// [`Engine::reply_health`](crate::Engine::reply_health).
    pub fn exchange(&self, replied: Option<Timestamp>) -> Exchange {
        Exchange {
            received: self.received,
            replied,
            reply_due: self.reply_due,
        }
    }
}

/// One inbound message and the business's reply, for reply-time health.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Exchange {
    /// When the customer's message was received.
    pub received: Timestamp,
    /// When the business replied; `None` while unanswered.
    pub replied: Option<Timestamp>,
    /// When the reply was due ([`Triage::reply_due`]); `None` when the message
    /// needed no reply.
    pub reply_due: Option<Timestamp>,
}

impl Exchange {
    /// A message received at `received` and answered at `replied` (or not yet).
    /// The due time is unknown: the exchange counts in the mean response time
    /// but not in the share answered on time; see [`Exchange::due`].
    pub fn new(received: Timestamp, replied: Option<Timestamp>) -> Exchange {
        Exchange {
            received,
            replied,
            reply_due: None,
        }
    }

    /// Sets when the reply was due.
    pub fn due(mut self, reply_due: Timestamp) -> Exchange {
        self.reply_due = Some(reply_due);
        self
    }
}

/// What an account's mean response time does to its delivery (seed 000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReplyState {
    /// Mean response at most `inbound.slow_reply_hours` (6 h), or nothing to
    /// measure yet.
    Healthy,
    /// Mean response above 6 h: push priority lowered by 30 %.
    PriorityLowered,
    /// Mean response above `inbound.very_slow_reply_hours` (24 h): the account's
    /// ads become low-priority messages, delivered 15–20 minutes late.
    AdsLowPriority,
}

impl ReplyState {
    /// `"healthy"`, `"priority_lowered"` or `"ads_low_priority"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyState::Healthy => "healthy",
            ReplyState::PriorityLowered => "priority_lowered",
            ReplyState::AdsLowPriority => "ads_low_priority",
        }
    }
}

/// An account's reply-time health over the policy's window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReplyHealth {
    /// The time the health is computed for.
    pub now: Timestamp,
    /// Messages received after this time (and not after `now`) count.
    pub window_start: Timestamp,
    /// Messages counted in the mean: answered ones, and unanswered ones already
    /// past their due time (with their wait so far).
    pub measured: usize,
    /// Of those, answered by `now`.
    pub answered: usize,
    /// Unanswered and past due: counted with their wait so far, a lower bound.
    pub overdue: usize,
    /// Unanswered but not yet due (or needing no reply): not counted yet.
    pub pending: usize,
    /// Mean response time in seconds; `None` when nothing was measured.
    pub mean_response_seconds: Option<f64>,
    /// What that mean does to delivery.
    pub state: ReplyState,
    /// Multiplier on the account's push priority: 1.0 healthy, 0.7 when lowered
    /// by 30 % or worse.
    pub priority_factor: f64,
    /// Of the measured messages that had a due time, the share answered at or
    /// before it; `None` when none had one.
    pub on_time_share: Option<f64>,
}

impl ReplyHealth {
    /// The health as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a reply health always serialises")
    }
}

/// The inbound phrase lists, compiled once per engine.
#[derive(Debug)]
pub(crate) struct InboundLexicon {
    matcher: Matcher,
    question_marks: Vec<char>,
}

impl InboundLexicon {
    /// Compiles the built-in inbound lists and the policy's additions.
    pub(crate) fn new(
        folder: &Folder,
        lexicons: &Lexicons,
        settings: &InboundSettings,
    ) -> Result<InboundLexicon, Error> {
        let mut phrases: Vec<Phrase> = lexicons
            .phrases
            .iter()
            .filter(|p| p.list.is_inbound())
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
        add(PhraseList::InboundOptOut, "opt_out", &settings.opt_out);
        add(
            PhraseList::OptOutKeyword,
            "opt_out_keyword",
            &settings.opt_out_keywords,
        );
        add(PhraseList::Complaint, "complaint", &settings.complaint);
        add(PhraseList::Urgent, "urgent", &settings.urgent);
        Ok(InboundLexicon {
            matcher: Matcher::new(folder, &phrases)?,
            question_marks: lexicons.question_marks.clone(),
        })
    }
}

/// Triage of one message; the length is checked by the caller.
pub(crate) fn triage(engine: &Compiled, message: &Inbound<'_>) -> Triage {
    let text = message.text;
    let received = message.at.unwrap_or_else(Timestamp::now);
    let folded = engine.folder.fold(text);
    let mut hits = Vec::new();
    engine
        .inbound
        .matcher
        .find(&engine.folder, text, &folded, &mut hits);
    drop(folded);
    // Text order, longest first at one position, so a phrase inside a longer one
    // of the same list (`désabonner` in `me désabonner`) is dropped below.
    hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));

    let of = |list: PhraseList| hits.iter().filter(move |h| h.entry.list == list);
    let negations: Vec<&Hit<'_>> = of(PhraseList::Negation).collect();
    let phrase_opt_outs = of(PhraseList::InboundOptOut).filter(|h| !negated(text, h, &negations));
    // A keyword counts only when keywords and fillers cover every letter and digit.
    let keywords: Vec<&Hit<'_>> = of(PhraseList::OptOutKeyword).collect();
    let keyword_is_whole = !keywords.is_empty()
        && covers(
            text,
            keywords
                .iter()
                .copied()
                .chain(of(PhraseList::Filler))
                .map(|h| (h.start, h.end)),
        );
    let keyword_opt_outs = keywords.iter().copied().filter(|_| keyword_is_whole);

    let mut cues: Vec<(CueKind, &Hit<'_>)> = Vec::new();
    for (kind, found) in [
        (
            CueKind::OptOut,
            phrase_opt_outs.chain(keyword_opt_outs).collect::<Vec<_>>(),
        ),
        (CueKind::Complaint, of(PhraseList::Complaint).collect()),
        (CueKind::Urgent, of(PhraseList::Urgent).collect()),
        (CueKind::Question, of(PhraseList::Question).collect()),
    ] {
        let mut kept_end = 0;
        let mut sorted = found;
        sorted.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        for hit in sorted {
            // Overlaps the previous cue of this kind: the same request, not two.
            if hit.start < kept_end {
                continue;
            }
            kept_end = hit.end;
            cues.push((kind, hit));
        }
    }
    let mut cues: Vec<InboundCue> = cues
        .into_iter()
        .map(|(cue, hit)| InboundCue {
            cue,
            phrase: hit.entry.phrase.clone(),
            lang: hit.entry.lang.clone(),
            matched: text[hit.start..hit.end].to_owned(),
            span: span(hit.start, hit.end),
        })
        .collect();
    for (start, c) in text.char_indices() {
        if engine.inbound.question_marks.contains(&c) {
            let end = start + c.len_utf8();
            cues.push(InboundCue {
                cue: CueKind::Question,
                phrase: c.to_string(),
                lang: String::new(),
                matched: c.to_string(),
                span: span(start, end),
            });
        }
    }
    cues.sort_by_key(|c| (c.span.start, c.cue));
    crate::rules::fill_char_offsets(text, cues.iter_mut().map(|c| &mut c.span));

    let opt_out = cues
        .iter()
        .find(|c| c.cue == CueKind::OptOut)
        .map(|c| OptOut {
            at: received,
            phrase: c.phrase.clone(),
            lang: c.lang.clone(),
            matched: c.matched.clone(),
            span: c.span,
            whole_message: keyword_is_whole && keywords.iter().any(|k| k.start == c.span.start),
        });
    let has = |kind: CueKind| cues.iter().any(|c| c.cue == kind);
    let acknowledgement = covers(
        text,
        of(PhraseList::Ack)
            .chain(of(PhraseList::Filler))
            .map(|h| (h.start, h.end)),
    );
    let settings = &engine.policy.inbound;
    let (priority, minutes) = if has(CueKind::Complaint) {
        (Priority::Complaint, Some(settings.complaint_minutes))
    } else if has(CueKind::Urgent) {
        (Priority::Urgent, Some(settings.urgent_minutes))
    } else if opt_out.is_some() || (acknowledgement && !has(CueKind::Question)) {
        (Priority::Other, None)
    } else {
        (Priority::Question, Some(settings.question_minutes))
    };
    let reply_due = minutes.map(|m| {
        received
            .checked_add(SignedDuration::from_mins(i64::from(m)))
            .unwrap_or(Timestamp::MAX)
    });
    Triage {
        received,
        sender: message.sender.map(str::to_owned),
        account: message.account.map(str::to_owned),
        priority,
        reply_within_minutes: minutes,
        reply_due,
        opt_out,
        cues,
    }
}

fn span(start: usize, end: usize) -> Span {
    Span {
        start,
        end,
        char_start: 0,
        char_end: 0,
    }
}

/// Whether every letter and digit of `text` lies inside one of `ranges`.
fn covers(text: &str, ranges: impl Iterator<Item = (usize, usize)>) -> bool {
    let mut ranges: Vec<(usize, usize)> = ranges.collect();
    ranges.sort_unstable();
    let mut at = 0;
    for (start, end) in ranges {
        if start > at && text[at..start].chars().any(char::is_alphanumeric) {
            return false;
        }
        at = at.max(end);
    }
    !text[at..].chars().any(char::is_alphanumeric)
}

/// Punctuation that ends a clause: a negation before it does not reach past it
/// ("I'm not interested, unsubscribe me").
const CLAUSE_END: &[char] = &[
    ',', '.', ';', ':', '!', '?', '，', '。', '；', '：', '！', '？', '\n',
];

/// Whether a negation stands at most two words before `hit` in the same clause
/// ("don't unsubscribe", "ich will mich nicht abmelden", "我不想退订").
fn negated(text: &str, hit: &Hit<'_>, negations: &[&Hit<'_>]) -> bool {
    negations.iter().any(|negation| {
        if negation.end > hit.start {
            return false;
        }
        let between = &text[negation.end..hit.start];
        !between.contains(CLAUSE_END)
            && between.split_whitespace().count() <= 2
            && between.chars().filter(|c| c.is_alphanumeric()).count() <= 16
    })
}

/// Reply-time health of `exchanges` as of `now`; see [`crate::Engine::reply_health`].
pub(crate) fn reply_health(
    settings: &InboundSettings,
    exchanges: &[Exchange],
    now: Timestamp,
) -> Result<ReplyHealth, Error> {
    let window = SignedDuration::from_hours(i64::from(settings.health_window_days) * 24);
    let window_start = now.checked_sub(window).unwrap_or(Timestamp::MIN);
    let (mut measured, mut answered, mut overdue, mut pending) = (0usize, 0usize, 0usize, 0usize);
    let (mut total_seconds, mut with_due, mut on_time) = (0f64, 0usize, 0usize);
    for (index, exchange) in exchanges.iter().enumerate() {
        if let Some(replied) = exchange.replied {
            if replied < exchange.received {
                return Err(Error::Input(format!(
                    "exchange {index}: reply at {replied} is before the message it answers, received at {}",
                    exchange.received
                )));
            }
        }
        if let Some(due) = exchange.reply_due {
            if due < exchange.received {
                return Err(Error::Input(format!(
                    "exchange {index}: reply due at {due} is before the message was received at {}",
                    exchange.received
                )));
            }
        }
        // Half-open: received exactly one window before `now` is outside.
        if exchange.received <= window_start || exchange.received > now {
            continue;
        }
        // A reply after `now` had not happened yet at `now`.
        let replied = exchange.replied.filter(|&r| r <= now);
        let waited = match (replied, exchange.reply_due) {
            (Some(replied), _) => {
                answered += 1;
                replied.duration_since(exchange.received)
            }
            (None, Some(due)) if due < now => {
                overdue += 1;
                now.duration_since(exchange.received)
            }
            (None, _) => {
                pending += 1;
                continue;
            }
        };
        measured += 1;
        total_seconds += waited.as_secs_f64();
        if let Some(due) = exchange.reply_due {
            with_due += 1;
            if replied.is_some_and(|r| r <= due) {
                on_time += 1;
            }
        }
    }
    let mean = (measured > 0).then(|| total_seconds / measured as f64);
    let hours = |h: u32| f64::from(h) * 3600.0;
    let state = match mean {
        Some(mean) if mean > hours(settings.very_slow_reply_hours) => ReplyState::AdsLowPriority,
        Some(mean) if mean > hours(settings.slow_reply_hours) => ReplyState::PriorityLowered,
        _ => ReplyState::Healthy,
    };
    Ok(ReplyHealth {
        now,
        window_start,
        measured,
        answered,
        overdue,
        pending,
        mean_response_seconds: mean,
        priority_factor: if state == ReplyState::Healthy {
            1.0
        } else {
            0.7
        },
        state,
        on_time_share: (with_due > 0).then(|| on_time as f64 / with_due as f64),
    })
}
