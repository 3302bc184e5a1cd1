//! `missing_opt_out`: a promotional broadcast that tells the reader no way to stop
//! messages. Seed 004: an easy opt-out is a core obligation. Off by default.

use serde_json::json;

use super::{evidence, Context};
use crate::lexicon::PhraseList;
use crate::report::{Finding, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    if !context.kind.is_promotional()
        || !context.message.is_broadcast()
        || context.hits(PhraseList::OptOut).next().is_some()
    {
        return;
    }
    findings.push(context.finding(
        RuleId::MissingOptOut,
        None,
        format!("this promotional {} tells the reader no way to stop messages", context.kind.as_str()),
        evidence([("kind", json!(context.kind.as_str()))]),
        "End with an opt-out such as \"Reply STOP to unsubscribe\", \"Antworte STOP zum Abmelden\" or \"수신거부\"."
            .to_owned(),
    ));
}
