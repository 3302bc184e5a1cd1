//! `invalid_link`: a link that cannot work (malformed, no or unknown top-level
//! domain, empty host) or that the host application reports dead.
//! Seed 000: invalid links raise churn by 25 %.

use serde_json::json;

use super::{evidence, Context};
use crate::links::FoundKind;
use crate::report::{Finding, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    for link in &context.links {
        let reason = match &link.kind {
            FoundKind::Invalid(reason) => reason.clone(),
            FoundKind::Url(_) | FoundKind::AppLink
                if is_dead(context.message.dead_links, link.text) =>
            {
                "the host application reports this link dead".to_owned()
            }
            _ => continue,
        };
        findings.push(context.finding(
            RuleId::InvalidLink,
            Some((link.start, link.end)),
            format!("link {:?} cannot work: {reason}", link.text),
            evidence([("url", json!(link.text)), ("reason", json!(reason))]),
            "Fix the address and open it once before sending; broken links raise churn by 25 %."
                .to_owned(),
        ));
    }
}

fn is_dead(dead_links: &[String], link: &str) -> bool {
    let trim = |s: &str| s.trim().trim_end_matches('/').to_ascii_lowercase();
    let link = trim(link);
    dead_links.iter().any(|dead| trim(dead) == link)
}
