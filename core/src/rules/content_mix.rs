//! `content_mix`: over the last 7 days the account's mix breaks 7-2-1: more than
//! 10 % hard ads or more than 20 % offers (this message included). Seed 000.

use serde_json::json;

use super::{evidence, Context};
use crate::report::{Finding, Kind, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(past) = &context.past else {
        return;
    };
    if !context.kind.is_promotional() {
        return;
    }
    let settings = &context.engine.policy.rules.content_mix;
    let since = past.at - i64::from(settings.window_days) * 86_400;
    let mut counts = [0u32; 3];
    let index = |kind: Kind| kind as usize;
    counts[index(context.kind)] += 1;
    for sent in past.own_since(since).iter().filter(|s| s.at <= past.at) {
        counts[index(sent.kind)] += 1;
    }
    let total: u32 = counts.iter().sum();
    if total < settings.min_messages {
        return;
    }
    let ads = f64::from(counts[index(Kind::Ad)]) / f64::from(total);
    let offers = f64::from(counts[index(Kind::Offer)]) / f64::from(total);
    let broken = match (
        ads > settings.max_ad_share,
        offers > settings.max_offer_share,
    ) {
        (true, true) => "ads and offers",
        (true, false) => "ads",
        (false, true) => "offers",
        (false, false) => return,
    };
    findings.push(context.finding(
        RuleId::ContentMix,
        None,
        format!(
            "too many {broken} over {} days: {:.0} % ads, {:.0} % offers of {total} messages (7-2-1 allows 10 % and 20 %)",
            settings.window_days,
            ads * 100.0,
            offers * 100.0
        ),
        evidence([
            ("messages", json!(total)),
            ("useful", json!(counts[index(Kind::Useful)])),
            ("offers", json!(counts[index(Kind::Offer)])),
            ("ads", json!(counts[index(Kind::Ad)])),
            ("ad_share", json!(ads)),
            ("offer_share", json!(offers)),
        ]),
        "Follow 7-2-1: for every ad, send two offers and seven useful messages (tips, news, answers)."
            .to_owned(),
    ));
}
