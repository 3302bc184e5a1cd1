//! # sendlint
//!
//! A pre-send rules engine for chat marketing. It scores a message before it is
//! sent, says which rule it breaks, where in the text, why that matters and how to
//! fix it, for the habits that get business accounts reported and banned: bait
//! words, ads without a label, @all mentions, broken or shady links and exposed
//! personal data.
//!
//! ```
//! use sendlint::{Engine, Message, RuleId, Verdict};
//!
//! let engine = Engine::default(); // the built-in policy
//! let text = "@all Jetzt kostenlos erhalten: https://bit.ly/3xYz";
//! let report = engine.check(&Message::new(text))?;
//! assert_eq!(report.verdict, Verdict::Block);
//! for finding in &report.findings {
//!     let span = finding.span.expect("these findings have a place");
//!     println!("{} at {:?}: {} – {}", finding.rule, &text[span.start..span.end],
//!              finding.message, finding.advice);
//! }
//! assert!(report.has(RuleId::MassMention) && report.has(RuleId::BaitWord));
//! # Ok::<(), sendlint::Error>(())
//! ```
//!
//! ## How it works
//! Text → folded once ([normalisation](#matching)) → one automaton pass over every
//! phrase list → rules → findings → one risk from 0 to 100 and a verdict. An
//! [`Engine`] is built once from a [`Policy`] and shared between threads.
//!
//! ## Matching
//! Phrases match after case folding, Unicode compatibility folding (full-width and
//! mathematical letters), removal of zero-width characters and soft hyphens,
//! accent stripping, homoglyph folding (Cyrillic `а` → `a`), leetspeak inside words
//! (`fr3e`) and joining of letters spaced apart (`f r e e`). Latin-script phrases
//! match whole words only (`free` never matches `freelance`); in Chinese, Japanese
//! and Korean every character position is a boundary. Spans always index the
//! original text.
//!
//! ## Untrusted input
//! [`Engine::check`], [`Engine::triage`], [`Engine::reply_health`],
//! [`Policy::from_toml`], [`Policy::from_json`] and [`Policy::from_path`] never
//! panic, whatever the input; they return [`Error`].
//!
//! ## Inbound messages
//! [`Engine::triage`] reads what customers write back: the 15-5-1 reply time
//! (complaint 1 min, urgent 5, question 15), opt-outs (`STOP`, `unsubscribe`,
//! `abmelden`, `退订`, `수신거부`, through the same folding), and
//! [`Engine::reply_health`] an account's mean response time against the 6 h and
//! 24 h marks of seed 000.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod audience;
mod classify;
mod compiled;
mod engine;
mod error;
mod history;
mod inbound;
mod json_input;
mod lexicon;
mod links;
mod matcher;
mod message;
mod owned_message;
mod phone;
pub mod policy;
mod recipient;
mod report;
mod rules;
mod score;
mod simhash;
mod text;
mod topic;

/// A hash map for lookups on the hot path: foldhash, seeded per process, where
/// std's SipHash cost more than the rest of a memo lookup (see the workspace
/// `Cargo.toml`).
type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// A hash set for lookups on the hot path (see [`FastMap`]).
type FastSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

pub use engine::Engine;
pub use error::{Error, ErrorKind, Operation, PolicyError};
pub use history::History;
pub use inbound::{
    CueKind, Exchange, Inbound, InboundCue, OptOut, Priority, ReplyHealth, ReplyState, Triage,
};
pub use json_input::OwnedInbound;
pub use message::Message;
pub use owned_message::OwnedMessage;
pub use policy::Policy;
pub use report::{
    Cue, Evidence, Finding, Kind, KindSource, Report, RuleId, Severity, Span, Verdict,
    REPORT_SCHEMA_VERSION,
};
pub use simhash::similarity;
pub use topic::Topic;

/// The version of this build (`CARGO_PKG_VERSION`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
