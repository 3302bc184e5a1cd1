//! `reported_content`: users reported this content (or a near-duplicate) more
//! than 5 times. Seed 000: more than 5 reports restrict the account's sending.

use serde_json::json;

use super::{evidence, Context};
use crate::report::{Finding, RuleId};
use crate::simhash::similarity;

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(past) = &context.past else {
        return;
    };
    let settings = &context.engine.policy.rules.reported_content;
    let threshold = context.engine.policy.rules.near_duplicate.similarity;
    // Half-open, like every window: a report exactly `window_days` old is out.
    let since = past.at - i64::from(settings.window_days) * 86_400;
    let start = past.store.reports.partition_point(|r| r.at <= since);
    let reports = past.store.reports[start..]
        .iter()
        .filter(|r| r.at <= past.at && similarity(r.simhash, context.simhash) > threshold)
        .count() as u32;
    if reports <= settings.max_reports {
        return;
    }
    findings.push(context.finding(
        RuleId::ReportedContent,
        None,
        format!(
            "users reported this content {reports} times in {} days (more than {})",
            settings.window_days, settings.max_reports
        ),
        evidence([
            ("reports", json!(reports)),
            ("max_reports", json!(settings.max_reports)),
            ("window_days", json!(settings.window_days)),
        ]),
        "Stop sending this content; more than five reports restrict the account.".to_owned(),
    ));
}
