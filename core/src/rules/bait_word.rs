//! `bait_word`: a bait phrase ("free gift", "kostenlos erhalten", "무료 증정").
//! Seed 000/001/002: bait words raise complaint rates by 45 %.

use serde_json::json;

use super::{evidence, Context};
use crate::lexicon::PhraseList;
use crate::report::{Finding, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    for hit in context.hits(PhraseList::Bait) {
        let entry = hit.entry;
        findings.push(context.finding(
            RuleId::BaitWord,
            Some((hit.start, hit.end)),
            format!("bait phrase {:?} ({}, {})", entry.phrase, entry.category, entry.lang),
            evidence([
                ("phrase", json!(entry.phrase)),
                ("category", json!(entry.category)),
                ("lang", json!(entry.lang)),
            ]),
            "Say what the reader actually gets, plainly; bait wording raises complaint rates by 45 %."
                .to_owned(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use unicode_normalization::UnicodeNormalization;

    use crate::{Engine, Message, RuleId};

    /// The bait phrases found in `text` and the original text each finding points at.
    fn bait(text: &str) -> Vec<(String, String)> {
        let report = Engine::default().check(&Message::new(text)).unwrap();
        report
            .findings
            .iter()
            .filter(|f| f.rule == RuleId::BaitWord)
            .map(|f| {
                let span = f.span.expect("bait findings have a span");
                assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                (
                    f.evidence["phrase"].as_str().unwrap().to_owned(),
                    text[span.start..span.end].to_owned(),
                )
            })
            .collect()
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn half_width_katakana_is_composed() {
        // Half-width katakana write voicing as a separate mark: ﾀﾞ is タ + ﾞ = ダ.
        let text = "【期間限定】今ならｱﾝｹｰﾄ回答で無料ﾌﾟﾚｾﾞﾝﾄ！ﾀﾀﾞでもらえるﾁｬﾝｽ";
        assert_eq!(
            bait(text),
            [
                ("無料プレゼント".to_owned(), "無料ﾌﾟﾚｾﾞﾝﾄ".to_owned()),
                ("タダでもらえる".to_owned(), "ﾀﾀﾞでもらえる".to_owned()),
            ]
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn decomposed_hangul_is_composed() {
        // Conjoining jamo (NFD), as macOS and some keyboards produce them.
        let text: String = "이벤트 참여 시 무료 증정! 지금 확인하세요".nfd().collect();
        assert_ne!(text, "이벤트 참여 시 무료 증정! 지금 확인하세요");
        let expected: String = "무료 증정".nfd().collect();
        assert_eq!(bait(&text), [("무료 증정".to_owned(), expected)]);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn decomposed_latin_keeps_its_accents_in_the_span() {
        // NFD French: every accent is a separate combining mark; the span must not
        // cut "sélectionné" before its last accent.
        let text: String = "Félicitations, vous avez été sélectionné ! Réclamez votre prix"
            .nfd()
            .collect();
        let nfd = |s: &str| -> String { s.nfd().collect() };
        assert_eq!(
            bait(&text),
            [
                (
                    "vous avez été sélectionné".to_owned(),
                    nfd("vous avez été sélectionné")
                ),
                ("réclamez votre prix".to_owned(), nfd("Réclamez votre prix")),
            ]
        );
    }
}
