//! `link_streak`: links sent to at least 100 recipients on each of the last 7
//! days, today's send included. Seed 003: daily links for a week raise spam risk
//! by 70 %. Days are calendar days in the policy's `time_zone` (UTC by default):
//! a Berlin shop's 00:30 send belongs to the new Berlin day, not to the UTC day
//! before.

use jiff::tz::TimeZone;
use jiff::Timestamp;
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
    let zone = &context.engine.time_zone;
    let today = local_day(zone, past.at);
    let days = i64::from(settings.days);
    let mut covered = vec![false; settings.days as usize];
    covered[0] = true;
    // The streak's first local day starts less than `days` days (plus an hour or
    // two of daylight-saving shift) before this send; one spare day covers that,
    // and the day test below decides.
    for sent in past.own_since(past.at - (days + 1) * 86_400) {
        let day = today - local_day(zone, sent.at);
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

/// The local calendar day of a Unix time in `zone`, as days since 1970-01-01.
fn local_day(zone: &TimeZone, unix_seconds: i64) -> i64 {
    // Times outside jiff's range (years beyond ±9999) cannot come from a
    // `Timestamp`; treat them as UTC rather than fail a check.
    let offset = Timestamp::from_second(unix_seconds)
        .map_or(0, |at| i64::from(zone.to_offset(at).seconds()));
    (unix_seconds + offset).div_euclid(86_400)
}
