//! `missing_ad_label`: a promotional message (price, discount, coupon, call to
//! action, shop link, or the caller says so) without a disclosure label.
//! Seed 000: unlabelled ads raise violations by 30 %; Korean law wants `(광고)` first.

use serde_json::json;

use super::{evidence, Context};
use crate::classify::CALL_TO_ACTION;
use crate::lexicon::PhraseList;
use crate::report::{Finding, Kind, KindSource, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    if !context.kind.is_promotional() || context.hits(PhraseList::AdLabel).next().is_some() {
        return;
    }
    // Point at the cue that decided the kind: the call to action of an ad, else
    // the first promotional cue.
    let first_cue = context
        .cues
        .all()
        .find(|c| context.kind != Kind::Ad || c.0 == CALL_TO_ACTION)
        .or_else(|| context.cues.all().next());
    let (message, cue) = match (context.kind_source, first_cue) {
        (KindSource::Classified, Some((cue, _, _))) => (
            format!(
                "this {} carries no ad label (it has a {cue} cue)",
                context.kind.as_str()
            ),
            json!(cue),
        ),
        _ => (
            format!("this {} carries no ad label", context.kind.as_str()),
            json!(null),
        ),
    };
    let cues: Vec<&str> = context.cues.all().map(|c| c.0).collect();
    findings.push(context.finding(
        RuleId::MissingAdLabel,
        first_cue.map(|(_, start, end)| (start, end)),
        message,
        evidence([
            ("kind", json!(context.kind.as_str())),
            ("kind_source", json!(context.kind_source)),
            ("cue", cue),
            ("cues", json!(cues)),
        ]),
        "Start the message with a label such as \"Anzeige:\", \"[Ad]\", \"Publicité :\", \"(광고)\" or \"【广告】\"."
            .to_owned(),
    ));
}
