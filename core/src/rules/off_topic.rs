//! `off_topic`: relevance of the message to the group's topic below 0.30.
//! Seed 000: below 30 % relevance, delivery drops 42 % or is blocked.

use serde_json::json;

use super::{evidence, Context};
use crate::report::{Finding, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(topic) = context.message.topic else {
        return;
    };
    if topic.is_empty() {
        return;
    }
    let settings = &context.engine.policy.rules.off_topic;
    let relevance = topic.relevance(context.text);
    if relevance >= settings.min_relevance {
        return;
    }
    let keywords = topic.keywords(8);
    findings.push(context.finding(
        RuleId::OffTopic,
        None,
        format!(
            "relevance to the group's topic is {:.0} % (below {:.0} %); the group talks about {}",
            relevance * 100.0,
            settings.min_relevance * 100.0,
            keywords.join(", ")
        ),
        evidence([
            ("relevance", json!(relevance)),
            ("min_relevance", json!(settings.min_relevance)),
            ("topic_keywords", json!(keywords)),
        ]),
        "Send this to a group whose members care about it, or tie it to what this group discusses."
            .to_owned(),
    ));
}
