//! `mass_mention`: @all, @everyone, @alle, @전체, @所有人 … or more than
//! `max_mentions` individual @mentions. Seed 000: frequent "all members" mentions
//! trigger the harassment mechanism.

use serde_json::json;

use super::{evidence, Context};
use crate::report::{Finding, RuleId};
use crate::text::is_spaceless_script;

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let text = context.text;
    let settings = &context.engine.policy.rules.mass_mention;
    let mentions = find(context);
    for &(start, end) in &mentions.whole_group {
        findings.push(context.finding(
            RuleId::MassMention,
            Some((start, end)),
            format!("{:?} notifies every member of the group", &text[start..end]),
            evidence([("mention", json!(&text[start..end]))]),
            "Do not notify the whole group; post without @all, or message the people who asked."
                .to_owned(),
        ));
    }
    let individual = &mentions.individual;
    if individual.len() > settings.max_mentions {
        let (start, end) = (individual[0].0, individual[individual.len() - 1].1);
        findings.push(context.finding(
            RuleId::MassMention,
            Some((start, end)),
            format!(
                "{} people mentioned individually (more than {})",
                individual.len(),
                settings.max_mentions
            ),
            evidence([
                ("mentions", json!(individual.len())),
                ("max_mentions", json!(settings.max_mentions)),
            ]),
            "Mention only the few people a message is really for.".to_owned(),
        ));
    }
}

/// Whether `bytes` has an `@`: 32 bytes at a time without an early exit inside
/// a block, which the compiler turns into vector compares (`str::contains` ran a
/// word-at-a-time search costing several times more on a short message).
fn has_at_sign(bytes: &[u8]) -> bool {
    let mut blocks = bytes.chunks_exact(32);
    let in_blocks = blocks
        .by_ref()
        .any(|block| block.iter().fold(false, |any, &b| any | (b == b'@')));
    in_blocks || blocks.remainder().contains(&b'@')
}

/// The @mentions of a message.
#[derive(Debug, Default)]
pub(crate) struct Mentions {
    /// `@all`-like mentions of the whole group.
    pub(crate) whole_group: Vec<(usize, usize)>,
    /// Mentions of single people.
    pub(crate) individual: Vec<(usize, usize)>,
}

/// Finds the @mentions of the message.
pub(crate) fn find(context: &Context<'_, '_>) -> Mentions {
    let text = context.text;
    let mut mentions = Mentions::default();
    // Most messages have no sign at all: the fold saw that, else one pass (and
    // a second only for non-ASCII text, which may hold the full-width `＠`)
    // settles them.
    let signed = context.at_sign.unwrap_or_else(|| {
        has_at_sign(text.as_bytes()) || (!text.is_ascii() && text.contains('＠'))
    });
    if !signed {
        return mentions;
    }
    // Two single-pattern searches (memchr-backed) instead of one char-by-char scan.
    let mut signs: Vec<(usize, &str)> = text.match_indices('@').collect();
    if !text.is_ascii() {
        signs.extend(text.match_indices('＠'));
        signs.sort_unstable();
    }
    // Links and addresses are in text order, like the signs.
    let mut links = context.links.iter().peekable();
    for (at, sign) in signs {
        // An '@' in a link or address (https://x.com/@all, "@everyone"@example.com)
        // mentions nobody.
        while links.next_if(|link| link.end <= at).is_some() {}
        if links.peek().is_some_and(|link| link.start <= at) {
            continue;
        }
        // An '@' glued to a word is an e-mail address (info@allshop.com), not a mention.
        if text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || "._-+%".contains(c))
        {
            continue;
        }
        let name_start = at + sign.len();
        let name_len = text[name_start..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .unwrap_or(text.len() - name_start);
        let name = text[name_start..name_start + name_len].trim_end_matches(['.', '-']);
        if name.is_empty() {
            continue;
        }
        match group_keyword(context, name) {
            Some(len) => mentions.whole_group.push((at, name_start + len)),
            None => mentions.individual.push((at, name_start + name.len())),
        }
    }
    mentions
}

/// The byte length of the part of `name` that is a whole-group keyword, if any.
/// Chinese, Japanese and Korean keywords may be followed directly by more text.
fn group_keyword(context: &Context<'_, '_>, name: &str) -> Option<usize> {
    let folder = &context.engine.folder;
    let mut folded = String::with_capacity(name.len());
    // Original byte end of each folded character, to map a keyword back.
    let mut ends = Vec::with_capacity(name.len());
    for (offset, c) in name.char_indices() {
        folder.fold_char(c, |f| {
            if f.is_alphanumeric() {
                folded.push(f);
                ends.extend(std::iter::repeat_n(offset + c.len_utf8(), f.len_utf8()));
            }
        });
    }
    context.engine.mention_keywords.iter().find_map(|keyword| {
        let whole = folded == *keyword;
        let prefix = folded.starts_with(keyword.as_str())
            && keyword.chars().next_back().is_some_and(is_spaceless_script);
        (whole || prefix).then(|| ends[keyword.len() - 1])
    })
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Message, RuleId};

    proptest::proptest! {
        /// The blockwise test equals `contains`, across block edges.
        #[test]
        #[cfg_attr(miri, ignore = "256 proptest cases: hours under Miri")]
        fn the_at_sign_test_equals_contains(text in "[a-z .@]{0,100}") {
            proptest::prop_assert_eq!(super::has_at_sign(text.as_bytes()), text.contains('@'));
        }
    }

    fn flagged(text: &str) -> bool {
        Engine::default()
            .check(&Message::new(text))
            .unwrap()
            .has(RuleId::MassMention)
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn full_width_and_ascii_signs_are_found_past_the_shortcut() {
        // The full-width sign is only looked for in non-ASCII text, which it makes.
        assert!(flagged("Hallo ＠alle, morgen ist Markt!"));
        assert!(flagged("＠everyone meeting at 5"));
        assert!(flagged("Hallo @alle, morgen ist Markt!"));
        assert!(!flagged("Hallo alle, morgen ist Markt!"));
        assert!(!flagged("Hallo alle – morgen ist Markt!"));
    }
}
