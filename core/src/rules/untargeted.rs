//! `untargeted`: fewer than 15 % of the remaining recipients match the
//! campaign's target labels — mass sending. Seed 000's comparison table (≥ 70 %
//! is targeted); seed 003: 400 well-chosen customers convert at 15 %, a blast to
//! all 10,000 at 1.5 % and disturbs 9,600.

use serde_json::json;

use super::{evidence, Context};
use crate::report::{Finding, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let Some(screening) = &context.screening else {
        return;
    };
    let Some((target, matching)) = &screening.target else {
        return;
    };
    if screening.remaining == 0 {
        return;
    }
    let settings = &context.engine.policy.rules.untargeted;
    let share = *matching as f64 / screening.remaining as f64;
    if share >= settings.min_share {
        return;
    }
    findings.push(context.finding(
        RuleId::Untargeted,
        None,
        format!(
            "only {matching} of {} recipients ({:.1} %) match the target {target:?}; below {:.0} % is mass sending",
            screening.remaining,
            share * 100.0,
            settings.min_share * 100.0
        ),
        evidence([
            ("share", json!(share)),
            ("min_share", json!(settings.min_share)),
            ("matching", json!(matching)),
            ("recipients", json!(screening.remaining)),
            ("target", json!(target)),
        ]),
        format!(
            "Send to the {matching} contacts the target selects instead of the whole list; a targeted send converts about ten times better and disturbs nobody else."
        ),
    ));
}
