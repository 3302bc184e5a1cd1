//! `near_duplicate`: SimHash similarity above 0.80 to a message the same account
//! sent in the last 48 hours. Seed 000: rotate content at least 48 h apart.

use serde_json::json;

use super::{evidence, time, Context};
use crate::report::{Finding, RuleId};
use crate::simhash::similarity;

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(past) = &context.past else {
        return;
    };
    let settings = &context.engine.policy.rules.near_duplicate;
    // Half-open (`own_since`/`all_since` exclude `since`): a send exactly one
    // window earlier is outside: a repeat exactly 48 h later passes.
    let since = past.at - i64::from(settings.window_hours) * 3600;
    let closest = past
        .own_since(since)
        .iter()
        .filter(|sent| sent.at <= past.at)
        .map(|sent| (similarity(sent.simhash, context.simhash), sent))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.at.cmp(&b.1.at)));
    let Some((similar, earlier)) = closest else {
        return;
    };
    if similar <= settings.similarity {
        return;
    }
    let hours = (past.at - earlier.at) as f64 / 3600.0;
    findings.push(context.finding(
        RuleId::NearDuplicate,
        None,
        format!(
            "{:.0} % similar to a message sent {hours:.1} h earlier ({})",
            similar * 100.0,
            time(earlier.at)
        ),
        evidence([
            ("similarity", json!(similar)),
            ("threshold", json!(settings.similarity)),
            ("earlier_at", json!(time(earlier.at))),
            ("hours_ago", json!(hours)),
            ("window_hours", json!(settings.window_hours)),
        ]),
        format!(
            "Rewrite the message or wait until {} h after the earlier one; repeated content marks an account as low quality.",
            settings.window_hours
        ),
    ));
}
