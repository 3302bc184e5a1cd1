//! `duplicate_share`: more than 70 % of the account's messages of the last 30
//! days (this one included) are near-duplicates of another message in that set.
//! Seed 000: over 70 % of content above 80 % similarity marks an account low quality.

use serde_json::json;

use super::{evidence, Context};
use crate::report::{Finding, RuleId};
use crate::simhash::similarity;

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(past) = &context.past else {
        return;
    };
    let settings = &context.engine.policy.rules.duplicate_share;
    let threshold = context.engine.policy.rules.near_duplicate.similarity;
    let since = past.at - i64::from(settings.window_days) * 86_400;
    let (mut messages, mut duplicates, mut this_is_duplicate) = (1u32, 0u32, false);
    for sent in past.own_since(since).iter().filter(|s| s.at <= past.at) {
        messages += 1;
        let similar = similarity(sent.simhash, context.simhash) > threshold;
        this_is_duplicate |= similar;
        // A send counts while its near-duplicate partner is in the window too.
        duplicates += u32::from(sent.duplicated_since(since) || similar);
    }
    duplicates += u32::from(this_is_duplicate);
    let share = f64::from(duplicates) / f64::from(messages);
    if messages < settings.min_messages || share <= settings.share {
        return;
    }
    findings.push(context.finding(
        RuleId::DuplicateShare,
        None,
        format!(
            "{duplicates} of the account's {messages} messages in {} days are near-duplicates ({:.0} %)",
            settings.window_days,
            share * 100.0
        ),
        evidence([
            ("share", json!(share)),
            ("threshold", json!(settings.share)),
            ("duplicates", json!(duplicates)),
            ("messages", json!(messages)),
            ("window_days", json!(settings.window_days)),
        ]),
        "Send fewer, more varied messages; an account whose content repeats is ranked low quality."
            .to_owned(),
    ));
}
