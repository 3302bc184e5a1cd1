//! What a check needs, compiled once from a policy and the lexicons. The rules
//! read it; only [`Engine::new`](crate::Engine::new) builds it, so the rules never
//! depend on the engine that calls them.

use crate::matcher::Matcher;
use crate::policy::Policy;
use crate::text::Folder;
use crate::FastSet;

/// Everything a check needs, built from the policy and the lexicons.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) policy: Policy,
    pub(crate) folder: Folder,
    pub(crate) matcher: Matcher,
    /// Folded words that after `@` address the whole group.
    pub(crate) mention_keywords: Vec<String>,
    /// Currency markers, matched case-insensitively on the original text
    /// (leftmost-longest, searched by [`crate::matcher::leftmost`]).
    pub(crate) currencies: aho_corasick::dfa::DFA,
    pub(crate) shop_words: FastSet<String>,
    /// Marketplace names: a link to `NAME.<public suffix>` is a shop link.
    pub(crate) shop_domains: FastSet<String>,
    pub(crate) shorteners: FastSet<String>,
    /// The sender's own numbers in E.164.
    pub(crate) own_phones: FastSet<String>,
    /// The sender's own addresses (`links::email_key`: local part lower case, domain in ASCII).
    pub(crate) own_emails: FastSet<String>,
    /// The sender's domains in ASCII (`links::ascii_domain`: punycode, lower case).
    pub(crate) allowed_domains: Vec<String>,
    /// Regions whose national phone formats are recognised.
    pub(crate) phones: crate::phone::Regions,
    /// The inbound phrase lists (`Engine::triage`), in their own automaton.
    pub(crate) inbound: crate::inbound::InboundLexicon,
    /// The policy's time zone, for day boundaries.
    pub(crate) time_zone: jiff::tz::TimeZone,
}
