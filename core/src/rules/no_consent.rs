//! `no_consent`: recipients without a verifiable opt-in record (time stamp and
//! method) — or unknown to the audience — are excluded and named. Seed 004:
//! consent with a time stamp and opt-in method is the test of a legal list.

use serde_json::json;

use super::{evidence, Context};
use crate::report::{Finding, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(screening) = &context.screening else {
        return;
    };
    if screening.no_consent.is_empty() {
        return;
    }
    let count = screening.no_consent.len();
    let shown: Vec<&str> = screening
        .no_consent
        .iter()
        .take(5)
        .map(String::as_str)
        .collect();
    findings.push(context.finding(
        RuleId::NoConsent,
        None,
        format!(
            "{count} of {} recipients have no verifiable opt-in record ({} not in the audience at all) and are excluded: {}{}",
            screening.recipients,
            screening.unknown,
            shown.join(", "),
            if count > shown.len() { ", …" } else { "" }
        ),
        evidence([
            ("recipients", json!(screening.no_consent)),
            ("count", json!(count)),
            ("not_in_audience", json!(screening.unknown)),
            ("of", json!(screening.recipients)),
            ("remaining", json!(screening.remaining)),
        ]),
        "Send only to contacts with a consent record (time stamp and method: web form, in store, API, chat); collect opt-ins before messaging these numbers, never buy lists."
            .to_owned(),
    ));
}
