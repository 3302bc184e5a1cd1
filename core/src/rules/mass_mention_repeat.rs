//! `mass_mention_repeat`: @all in the same group again within 24 hours
//! (the harassment mechanism of seed 000).

use serde_json::json;

use super::{evidence, mass_mention, time, Context};
use crate::report::{Finding, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(past) = &context.past else {
        return;
    };
    let Some(group) = past.group else {
        return;
    };
    let mentions = mass_mention::find(context);
    let Some(&(start, end)) = mentions.whole_group.first() else {
        return;
    };
    let settings = &context.engine.policy.rules.mass_mention_repeat;
    // Half-open (`own_since`/`all_since` exclude `since`): a send exactly one
    // window earlier is outside: @all exactly 24 h later passes.
    let since = past.at - i64::from(settings.window_hours) * 3600;
    let Some(earlier) = past
        .store
        .all_since(since)
        .filter(|s| s.at <= past.at && s.group == Some(group) && s.mass_mention)
        .max_by_key(|s| s.at)
    else {
        return;
    };
    let hours = (past.at - earlier.at) as f64 / 3600.0;
    findings.push(context.finding(
        RuleId::MassMentionRepeat,
        Some((start, end)),
        format!(
            "the group was already notified with @all {hours:.1} h ago ({})",
            time(earlier.at)
        ),
        evidence([
            ("earlier_at", json!(time(earlier.at))),
            ("hours_ago", json!(hours)),
            ("window_hours", json!(settings.window_hours)),
        ]),
        format!(
            "Use @all at most once in {} hours in a group.",
            settings.window_hours
        ),
    ));
}
