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
