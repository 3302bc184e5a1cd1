//! `fatigue`: after this send, the recipients' mean exposures to this content
//! (itself or a near-duplicate, 30 days) exceed 2.8. Seed 000: the patience
//! threshold is usually 2.8; 57 % block at the third identical ad.

use serde_json::json;

use super::{evidence, Context};
use crate::report::{Finding, RuleId};
use crate::simhash::similarity;

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(past) = &context.past else {
        return;
    };
    if past.recipients.is_empty() {
        return;
    }
    let settings = &context.engine.policy.rules.fatigue;
    let threshold = context.engine.policy.rules.near_duplicate.similarity;
    let since = past.at - i64::from(settings.window_days) * 86_400;
    let similar: Vec<&[u64]> = past
        .own_since(since)
        .iter()
        .filter(|s| s.at <= past.at && similarity(s.simhash, context.simhash) > threshold)
        .map(|s| s.recipients.as_slice())
        .collect();
    let exposures: Vec<usize> = past
        .recipients
        .iter()
        .map(|r| {
            1 + similar
                .iter()
                .filter(|sent| sent.binary_search(r).is_ok())
                .count()
        })
        .collect();
    let mean = exposures.iter().sum::<usize>() as f64 / exposures.len() as f64;
    if mean <= settings.mean_exposures {
        return;
    }
    let tired = exposures.iter().filter(|&&e| e >= 3).count() as f64 / exposures.len() as f64;
    findings.push(context.finding(
        RuleId::Fatigue,
        None,
        format!(
            "recipients will have seen this content {mean:.1} times on average ({:.0} % three times or more)",
            tired * 100.0
        ),
        evidence([
            ("mean_exposures", json!(mean)),
            ("threshold", json!(settings.mean_exposures)),
            ("share_at_3_or_more", json!(tired)),
            ("recipients", json!(exposures.len())),
            ("window_days", json!(settings.window_days)),
        ]),
        "Leave out the people who have already seen this, or send new content; 57 % block at the third identical ad."
            .to_owned(),
    ));
}
