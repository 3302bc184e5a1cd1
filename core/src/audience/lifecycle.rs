//! Lifecycle rules (seed 003) and the retention sweep.
//!
//! A rule looks at the contacts its `applies_to` expression selects and changes
//! the labels of those whose date (first purchase, last opened message, last
//! interaction; the day they were added when they never had one) is at least
//! `after_days` before now: "new customer" ends 60 days after the first
//! purchase, "high activity" is lost after 14 days without a read, "churn risk"
//! after 60 days without an opened message, a VIP sleeps after 180 days without
//! interaction. The rules are data in the policy (`audience.lifecycle`).

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::{Audience, Bitset, ContactDate, Expression, LabelChange};

/// What one lifecycle rule changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LifecycleChange {
    /// The rule's name.
    pub rule: String,
    /// The contacts whose labels changed (E.164).
    pub contacts: Vec<String>,
    /// Labels the rule adds.
    pub added: Vec<String>,
    /// Labels the rule removes.
    pub removed: Vec<String>,
}

/// A rule that could not run on this audience.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SkippedRule {
    /// The rule's name.
    pub rule: String,
    /// Why (a label the audience does not have).
    pub reason: String,
}

/// What [`Audience::apply_lifecycle`] changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LifecycleReport {
    /// One entry per rule that changed something, in rule order.
    pub changes: Vec<LifecycleChange>,
    /// Rules that name labels the audience does not have.
    pub skipped: Vec<SkippedRule>,
}

impl LifecycleReport {
    /// Contacts changed over all rules (a contact changed by two rules counts twice).
    pub fn changed(&self) -> usize {
        self.changes.iter().map(|c| c.contacts.len()).sum()
    }
}

impl Audience {
    /// Applies the lifecycle rules of the settings in order, logs each change
    /// and returns what changed. Rules naming a label the audience lacks are
    /// skipped and listed.
    ///
    /// # Examples
    /// ```
    /// use sendlint::audience::{Audience, InteractionKind};
    /// let mut audience = Audience::new(["Neukunde"])?;
    /// let day = |d: &str| format!("2026-{d}T12:00:00Z").parse().unwrap();
    /// audience.add_contact("+4930123456", &["Neukunde"], day("01-01"))?;
    /// audience.record_interaction("+4930123456", InteractionKind::Purchased, day("01-02"))?;
    /// assert!(audience.apply_lifecycle(day("02-15")).changes.is_empty());
    /// let report = audience.apply_lifecycle(day("03-10"));
    /// assert_eq!(report.changes[0].rule, "new_customer");
    /// assert!(audience.labels_of("+4930123456").is_empty());
    /// # Ok::<(), sendlint::audience::AudienceError>(())
    /// ```
    pub fn apply_lifecycle(&mut self, now: Timestamp) -> LifecycleReport {
        let mut report = LifecycleReport::default();
        for rule in self.settings.lifecycle.clone() {
            let skip = |reason: String| SkippedRule {
                rule: rule.name.clone(),
                reason,
            };
            let expression = match Expression::parse(&rule.applies_to) {
                Ok(expression) => expression,
                Err(err) => {
                    report.skipped.push(skip(err.to_string()));
                    continue;
                }
            };
            let names: Vec<&str> = rule
                .add
                .iter()
                .chain(&rule.remove)
                .map(String::as_str)
                .collect();
            let add = rule.add.iter().map(String::as_str).collect::<Vec<_>>();
            let remove = rule.remove.iter().map(String::as_str).collect::<Vec<_>>();
            let missing = names
                .iter()
                .copied()
                .chain(expression.labels())
                .find(|name| !self.label_index.contains_key(*name));
            if let Some(name) = missing {
                report
                    .skipped
                    .push(skip(format!("the audience has no label {name:?}")));
                continue;
            }
            let (Ok(mut selected), Ok(add_ids), Ok(remove_ids)) = (
                self.evaluate(&expression),
                self.label_ids(&add),
                self.label_ids(&remove),
            ) else {
                continue;
            };
            let cutoff = now
                .checked_sub(SignedDuration::from_hours(24 * i64::from(rule.after_days)))
                .unwrap_or(Timestamp::MIN);
            let due: Vec<usize> = selected
                .iter()
                .filter(|&i| {
                    let contact = &self.contacts[i];
                    let date = match rule.date {
                        ContactDate::FirstPurchase => contact.first_purchase,
                        ContactDate::LastOpened => contact.last_opened,
                        ContactDate::LastInteraction => contact.last_interaction,
                    };
                    date.unwrap_or(contact.added_at) <= cutoff
                })
                .collect();
            selected = Bitset::empty(self.contacts.len());
            for i in due {
                selected.insert(i);
            }
            let changed = self.apply(&selected, &add_ids, &remove_ids);
            if changed.len() == 0 {
                continue;
            }
            self.changes.push(LabelChange {
                at: now,
                selection: rule.applies_to.clone(),
                added: rule.add.clone(),
                removed: rule.remove.clone(),
                contacts: changed.len(),
                reason: format!("lifecycle rule {}", rule.name),
            });
            report.changes.push(LifecycleChange {
                rule: rule.name.clone(),
                contacts: changed
                    .iter()
                    .map(|i| self.contacts[i].phone.clone())
                    .collect(),
                added: rule.add.clone(),
                removed: rule.remove.clone(),
            });
        }
        report
    }

    /// Drops every recorded interaction older than the settings'
    /// `retention_days` (90) before `now`; returns how many were dropped. The
    /// summary dates (last opened, first purchase, …) and the purchase count
    /// stay: the lifecycle rules need them, and they are one date each, not a
    /// behaviour log. Consent records and opt-outs stay: they are the proof.
    pub fn sweep(&mut self, now: Timestamp) -> usize {
        let cutoff = now
            .checked_sub(SignedDuration::from_hours(
                24 * i64::from(self.settings.retention_days),
            ))
            .unwrap_or(Timestamp::MIN);
        let mut dropped = 0;
        for contact in &mut self.contacts {
            let old = contact.interactions.partition_point(|i| i.at <= cutoff);
            dropped += old;
            contact.interactions.drain(..old);
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::super::InteractionKind;
    use super::*;

    fn day(d: &str) -> Timestamp {
        format!("2026-{d}T12:00:00Z").parse().unwrap()
    }

    fn seed_audience() -> Audience {
        Audience::new([
            "Neukunde",
            "Hohe Aktivität",
            "Beobachtung notwendig",
            "Aktiver Kunde",
            "Drohender Abwanderungskunde",
            "VIP",
            "Historischer Bestand - Reaktivierung erforderlich",
        ])
        .unwrap()
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn seed_003_rules_fire_on_their_days() {
        let mut audience = seed_audience();
        let added = day("01-01");
        let phone = |n: u32| format!("+4930123456{n}");
        // 1: new customer, first purchase Jan 10 → ends 60 days later (Mar 11).
        audience
            .add_contact(&phone(1), &["Neukunde"], added)
            .unwrap();
        audience
            .record_interaction(&phone(1), InteractionKind::Purchased, day("01-10"))
            .unwrap();
        // 2: high activity, last opened Feb 20 → lost on Mar 6.
        audience
            .add_contact(&phone(2), &["Hohe Aktivität", "Aktiver Kunde"], added)
            .unwrap();
        audience
            .record_interaction(&phone(2), InteractionKind::Opened, day("02-20"))
            .unwrap();
        // 3: VIP whose last interaction was Jan 2 → sleeping after 180 days (Jul 1).
        audience.add_contact(&phone(3), &["VIP"], added).unwrap();
        audience
            .record_interaction(&phone(3), InteractionKind::Replied, day("01-02"))
            .unwrap();

        let report = audience.apply_lifecycle(day("03-05"));
        assert_eq!(report, LifecycleReport::default());
        let report = audience.apply_lifecycle(day("03-06"));
        assert_eq!(report.changes.len(), 1);
        assert_eq!(report.changes[0].rule, "high_activity");
        assert_eq!(
            audience.labels_of(&phone(2)),
            ["Beobachtung notwendig", "Aktiver Kunde"]
        );
        // Applying again changes nothing.
        assert!(audience.apply_lifecycle(day("03-06")).changes.is_empty());
        let report = audience.apply_lifecycle(day("03-11"));
        assert_eq!(report.changes[0].rule, "new_customer");
        assert_eq!(report.changes[0].contacts, [phone(1)]);
        // 60 days without an opened message since Feb 20: Apr 21.
        let report = audience.apply_lifecycle(day("04-21"));
        assert_eq!(report.changes[0].rule, "churn_risk");
        assert_eq!(
            audience.labels_of(&phone(2)),
            ["Beobachtung notwendig", "Drohender Abwanderungskunde"]
        );
        assert!(audience.apply_lifecycle(day("06-30")).changes.is_empty());
        let report = audience.apply_lifecycle(day("07-01"));
        assert_eq!(report.changes[0].rule, "sleeping_vip");
        assert_eq!(
            audience.labels_of(&phone(3)),
            ["Historischer Bestand - Reaktivierung erforderlich"]
        );
        assert_eq!(audience.change_log().len(), 4);
        assert!(audience
            .change_log()
            .iter()
            .all(|c| c.reason.starts_with("lifecycle rule")));
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn rules_with_missing_labels_are_skipped_and_named() {
        let mut audience = Audience::new(["VIP"]).unwrap();
        audience
            .add_contact("+4930123456", &["VIP"], day("01-01"))
            .unwrap();
        let report = audience.apply_lifecycle(day("12-31"));
        // Every built-in rule names a label this audience lacks (sleeping_vip
        // the one it adds), so none runs and the VIP keeps the label.
        assert_eq!(report.skipped.len(), 4);
        assert!(report.skipped[0].reason.contains("\"Neukunde\""));
        assert!(report.skipped[3].reason.contains("Historischer Bestand"));
        assert!(report.changes.is_empty());
        assert_eq!(audience.labels_of("+4930123456"), ["VIP"]);
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn sweep_drops_interactions_older_than_retention() {
        let mut audience = Audience::new(["VIP"]).unwrap();
        audience
            .add_contact("+4930123456", &[], day("01-01"))
            .unwrap();
        for d in ["01-01", "02-01", "03-01", "04-01"] {
            audience
                .record_interaction("+4930123456", InteractionKind::Opened, day(d))
                .unwrap();
        }
        // 90 days before May 1 is Jan 31: January's goes.
        assert_eq!(audience.sweep(day("05-01")), 1);
        let contact = audience.contact("+4930123456").unwrap();
        assert_eq!(contact.interactions.len(), 3);
        assert_eq!(contact.last_opened, Some(day("04-01")));
        assert_eq!(audience.sweep(day("05-01")), 0);
    }
}
