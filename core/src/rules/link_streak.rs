//! `link_streak`: links sent to at least 100 recipients on each of the last 7
//! days, today's send included. Seed 003: daily links for a week raise spam risk by 70 %.

use serde_json::json;

use super::{evidence, Context};
use crate::report::{Finding, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(past) = &context.past else {
        return;
    };
    let settings = &context.engine.policy.rules.link_streak;
    let large = |recipients: usize| recipients >= settings.min_recipients as usize;
    if !context.has_links() || !large(past.recipients.len()) {
        return;
    }
    let today = past.at.div_euclid(86_400);
    let days = i64::from(settings.days);
    let mut covered = vec![false; settings.days as usize];
    covered[0] = true;
    for sent in past.own_since((today - days + 1) * 86_400) {
        let day = today - sent.at.div_euclid(86_400);
        if (0..days).contains(&day) && sent.links && large(sent.recipients.len()) {
            covered[day as usize] = true;
        }
    }
    if covered.iter().any(|&c| !c) {
        return;
    }
    findings.push(context.finding(
        RuleId::LinkStreak,
        None,
        format!(
            "links to {}+ recipients on each of the last {} days",
            settings.min_recipients, settings.days
        ),
        evidence([
            ("days", json!(settings.days)),
            ("min_recipients", json!(settings.min_recipients)),
            ("recipients_today", json!(past.recipients.len())),
        ]),
        "Skip links for a day or two, or send them to a smaller, interested audience.".to_owned(),
    ));
}
