//! Scoring: how findings combine into one risk, and the verdict for a risk.
//! Rules only push findings; they never score.

use crate::policy::Thresholds;
use crate::report::Verdict;

/// Combines finding points into one risk: `100 × (1 − Π(1 − pᵢ/100))`.
///
/// Each finding removes a share of the remaining "safety", so the risk never
/// exceeds 100 and adding a finding never lowers it.
pub(crate) fn combine(points: impl IntoIterator<Item = u8>) -> u8 {
    let safe: f64 = points
        .into_iter()
        .map(|p| 1.0 - f64::from(p.min(100)) / 100.0)
        .product();
    ((1.0 - safe) * 100.0).round().clamp(0.0, 100.0) as u8
}

/// The verdict for `risk`.
pub(crate) fn verdict(risk: u8, thresholds: &Thresholds) -> Verdict {
    if risk >= thresholds.block {
        Verdict::Block
    } else if risk >= thresholds.review {
        Verdict::Review
    } else {
        Verdict::Allow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combination_is_bounded_and_monotone() {
        assert_eq!(combine([]), 0);
        assert_eq!(combine([35]), 35);
        assert_eq!(combine([35, 30]), 55);
        assert_eq!(combine([100, 5]), 100);
        let mut points = Vec::new();
        let mut last = 0;
        for p in [0, 1, 35, 100, 0, 50] {
            points.push(p);
            let risk = combine(points.iter().copied());
            assert!(risk >= last);
            last = risk;
        }
    }

    #[test]
    fn verdict_thresholds_are_inclusive() {
        let thresholds = Thresholds::default();
        assert_eq!(verdict(thresholds.review - 1, &thresholds), Verdict::Allow);
        assert_eq!(verdict(thresholds.review, &thresholds), Verdict::Review);
        assert_eq!(verdict(thresholds.block - 1, &thresholds), Verdict::Review);
        assert_eq!(verdict(thresholds.block, &thresholds), Verdict::Block);
    }
}
