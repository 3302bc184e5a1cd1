//! The label health report (seed 003): labels no send used for 30 days, labels
//! on more than 40 % of the contacts, and more than 100 labels in all.

use jiff::Timestamp;
use serde::Serialize;

use super::Audience;

/// A label no send has used for the settings' `label_unused_days`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UnusedLabel {
    /// The label.
    pub name: String,
    /// When a send last used it (`None`: never).
    pub last_used: Option<Timestamp>,
    /// Whole days since it was last used, or created when never used.
    pub days: i64,
}

/// A label on too large a share of the contacts.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LabelShare {
    /// The label.
    pub name: String,
    /// Contacts carrying it.
    pub contacts: usize,
    /// Their share of all contacts.
    pub share: f64,
}

/// What [`Audience::label_health`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LabelHealth {
    /// Labels in all.
    pub labels: usize,
    /// The most the settings allow before `too_many` (100).
    pub max_labels: usize,
    /// More labels than `max_labels`: hard to manage (seed 003).
    pub too_many: bool,
    /// Labels unused for the settings' days: archive or delete them.
    pub unused: Vec<UnusedLabel>,
    /// Labels on more than the settings' share of contacts: split them.
    pub overloaded: Vec<LabelShare>,
}

impl LabelHealth {
    /// Whether nothing was found.
    pub fn is_healthy(&self) -> bool {
        !self.too_many && self.unused.is_empty() && self.overloaded.is_empty()
    }
}

impl Audience {
    /// The label health report at `now`.
    ///
    /// # Examples
    /// ```
    /// use sendlint::audience::Audience;
    /// let created = "2026-01-01T00:00:00Z".parse().unwrap();
    /// let mut audience = Audience::new(Vec::<String>::new())?;
    /// audience.add_label("Allgemeiner Kunde", created)?;
    /// audience.add_label("Frühlings-Special", created)?;
    /// audience.add_contact("+4930123456", &["Allgemeiner Kunde"], created)?;
    /// audience.record_target("\"Allgemeiner Kunde\"", "2026-02-20T00:00:00Z".parse().unwrap())?;
    /// let health = audience.label_health("2026-03-01T00:00:00Z".parse().unwrap());
    /// assert_eq!(health.unused[0].name, "Frühlings-Special");
    /// assert_eq!(health.overloaded[0].name, "Allgemeiner Kunde");
    /// # Ok::<(), sendlint::audience::AudienceError>(())
    /// ```
    pub fn label_health(&self, now: Timestamp) -> LabelHealth {
        let settings = &self.settings;
        let total = self.contacts.len();
        let unused_seconds = i64::from(settings.label_unused_days) * 86_400;
        let mut unused = Vec::new();
        let mut overloaded = Vec::new();
        for (label, members) in self.labels.iter().zip(&self.members) {
            let since = label.last_used.unwrap_or(label.created_at);
            let seconds = now.as_second() - since.as_second();
            if seconds >= unused_seconds {
                unused.push(UnusedLabel {
                    name: label.name.clone(),
                    last_used: label.last_used,
                    days: seconds / 86_400,
                });
            }
            let contacts = members.len();
            if total > 0 {
                let share = contacts as f64 / total as f64;
                if share > settings.label_max_share {
                    overloaded.push(LabelShare {
                        name: label.name.clone(),
                        contacts,
                        share,
                    });
                }
            }
        }
        LabelHealth {
            labels: self.labels.len(),
            max_labels: settings.max_labels,
            too_many: self.labels.len() > settings.max_labels,
            unused,
            overloaded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn thresholds_of_seed_003() {
        let created: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let names: Vec<String> = (0..101).map(|i| format!("L{i}")).collect();
        let mut audience = Audience::new(&names).unwrap();
        // Created now by `new`: none unused yet; 101 labels are too many.
        let health = audience.label_health(Timestamp::now());
        assert!(health.too_many && health.unused.is_empty());
        // Five contacts: L0 on 2 (40 %, not more), L1 on 3 (60 %).
        for i in 0..5 {
            let labels: &[&str] = match i {
                0 | 1 => &["L0", "L1"],
                2 => &["L1"],
                _ => &[],
            };
            audience
                .add_contact(&format!("+4930123456{i}"), labels, created)
                .unwrap();
        }
        let in_40_days = Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(24 * 40))
            .unwrap();
        audience
            .record_target(
                "L5 OR L6",
                Timestamp::now()
                    .checked_add(jiff::SignedDuration::from_hours(24 * 11))
                    .unwrap(),
            )
            .unwrap();
        let health = audience.label_health(in_40_days);
        assert_eq!(health.overloaded.len(), 1);
        assert_eq!(health.overloaded[0].name, "L1");
        assert!((health.overloaded[0].share - 0.6).abs() < 1e-9);
        // Used 29 days before: not unused; the other 99 are (40 days).
        assert_eq!(health.unused.len(), 99);
        assert!(health.unused.iter().all(|u| u.name != "L5" && u.days == 40));
        assert!(!health.is_healthy());
    }
}
