//! `daily_volume`: the account would send more than 50 promotional messages (ads
//! and offers) in the trailing 24 h. Seed 000: accounts above 50 ads per day have
//! a 70 % higher ban rate; the seed's "ads" are promotional messages of any kind,
//! so 500 discount offers a day count as much as 500 hard ads.

use serde_json::json;

use super::{evidence, Context};
use crate::report::{Finding, Kind, RuleId};

/// The window: the trailing 24 hours, half-open like every window (a send exactly
/// one day earlier is outside).
const WINDOW_SECONDS: i64 = 86_400;

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(past) = &context.past else {
        return;
    };
    if !context.kind.is_promotional() {
        return;
    }
    let settings = &context.engine.policy.rules.daily_volume;
    // This send counts too.
    let (mut ads, mut offers) = (
        u32::from(context.kind == Kind::Ad),
        u32::from(context.kind == Kind::Offer),
    );
    for sent in past
        .own_since(past.at - WINDOW_SECONDS)
        .iter()
        .filter(|s| s.at <= past.at)
    {
        ads += u32::from(sent.kind == Kind::Ad);
        offers += u32::from(sent.kind == Kind::Offer);
    }
    let promotional = ads + offers;
    if promotional <= settings.max_promotional {
        return;
    }
    findings.push(context.finding(
        RuleId::DailyVolume,
        None,
        format!(
            "this would be the account's promotional message number {promotional} in 24 hours ({ads} ads, {offers} offers; limit {})",
            settings.max_promotional
        ),
        evidence([
            ("promotional_in_24h", json!(promotional)),
            ("ads_in_24h", json!(ads)),
            ("offers_in_24h", json!(offers)),
            ("max_promotional", json!(settings.max_promotional)),
        ]),
        "Spread the ads and offers over more days or send fewer; above 50 a day the ban rate is 70 % higher."
            .to_owned(),
    ));
}
