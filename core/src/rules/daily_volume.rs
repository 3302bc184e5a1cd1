//! `daily_volume`: the account would send more than 50 ads in the trailing 24 h.
//! Seed 000: accounts above 50 ads per day have a 70 % higher ban rate.

use serde_json::json;

use super::{evidence, Context};
use crate::report::{Finding, Kind, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(past) = &context.past else {
        return;
    };
    if context.kind != Kind::Ad {
        return;
    }
    let settings = &context.engine.policy.rules.daily_volume;
    // The trailing 24 hours: later than exactly one day ago, up to this send.
    let earlier = past
        .own_since(past.at - 86_400 + 1)
        .iter()
        .filter(|s| s.at <= past.at && s.kind == Kind::Ad)
        .count() as u32;
    let ads = earlier + 1;
    if ads <= settings.max_ads {
        return;
    }
    findings.push(context.finding(
        RuleId::DailyVolume,
        None,
        format!("this would be the account's ad number {ads} in 24 hours (limit {})", settings.max_ads),
        evidence([("ads_in_24h", json!(ads)), ("max_ads", json!(settings.max_ads))]),
        "Spread the ads over more days or send fewer; above 50 ads a day the ban rate is 70 % higher."
            .to_owned(),
    ));
}
