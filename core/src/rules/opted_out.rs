//! `opted_out`: recipients who opted out are excluded and named. Seed 004: an
//! easy opt-out is a core obligation, and it must hold.

use serde_json::json;

use super::{evidence, Context};
use crate::report::{Finding, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(screening) = &context.screening else {
        return;
    };
    if screening.opted_out.is_empty() {
        return;
    }
    let count = screening.opted_out.len();
    let shown: Vec<&str> = screening
        .opted_out
        .iter()
        .take(5)
        .map(|(r, _)| r.as_str())
        .collect();
    let latest = screening.opted_out.iter().map(|(_, at)| *at).max();
    findings.push(context.finding(
        RuleId::OptedOut,
        None,
        format!(
            "{count} of {} recipients opted out and are excluded: {}{}",
            screening.recipients,
            shown.join(", "),
            if count > shown.len() { ", …" } else { "" }
        ),
        evidence([
            ("recipients", json!(screening.opted_out.iter().map(|(r, _)| r).collect::<Vec<_>>())),
            (
                "opted_out_at",
                json!(screening.opted_out.iter().map(|(_, at)| at.to_string()).collect::<Vec<_>>()),
            ),
            ("count", json!(count)),
            ("latest_opt_out", json!(latest.map(|at| at.to_string()))),
            ("of", json!(screening.recipients)),
            ("remaining", json!(screening.remaining)),
        ]),
        "Remove opted-out contacts from every send list; messaging them again gets the account reported and breaks data protection law."
            .to_owned(),
    ));
}
