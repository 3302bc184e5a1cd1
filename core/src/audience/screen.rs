//! A send's recipients looked up in its audience, once, for the audience rules
//! (`no_consent`, `opted_out`, `untargeted`) and the report's remaining count.

use std::collections::HashSet;

use jiff::Timestamp;

use super::{Audience, AudienceError, Expression};

/// What the audience says about a send's recipients.
#[derive(Debug)]
pub(crate) struct Screening {
    /// Recipients looked at, each person once.
    pub(crate) recipients: usize,
    /// Recipients without a consent record, as written (opted-out ones excluded).
    pub(crate) no_consent: Vec<String>,
    /// How many of those the audience does not know at all.
    pub(crate) unknown: usize,
    /// Recipients who opted out, as written, with when.
    pub(crate) opted_out: Vec<(String, Timestamp)>,
    /// Recipients a message may go to.
    pub(crate) remaining: usize,
    /// The target expression and how many remaining recipients match it.
    pub(crate) target: Option<(String, usize)>,
}

/// Looks up `recipients` (all of the target's contacts when empty, or the
/// whole audience without a target). National numbers are read in the
/// audience's default region, else in `home`.
pub(crate) fn screen(
    audience: &Audience,
    recipients: &[String],
    target: Option<&str>,
    home: Option<phonenumber::country::Id>,
) -> Result<Screening, AudienceError> {
    let target_set = match target {
        Some(text) => Some(audience.evaluate(&Expression::parse(text)?)?),
        None => None,
    };
    let region = audience.default_region.or(home);
    let mut screening = Screening {
        recipients: 0,
        no_consent: Vec::new(),
        unknown: 0,
        opted_out: Vec::new(),
        remaining: 0,
        target: None,
    };
    let mut matching = 0;
    let mut judge = |written: &str, position: Option<usize>, screening: &mut Screening| {
        screening.recipients += 1;
        let Some(i) = position else {
            screening.unknown += 1;
            screening.no_consent.push(written.to_owned());
            return;
        };
        let contact = &audience.contacts[i];
        if let Some(at) = contact.opted_out_at {
            screening.opted_out.push((written.to_owned(), at));
        } else if contact.consent.is_none() {
            screening.no_consent.push(written.to_owned());
        } else {
            screening.remaining += 1;
            if target_set.as_ref().is_some_and(|set| set.contains(i)) {
                matching += 1;
            }
        }
    };
    if recipients.is_empty() {
        let everyone;
        let positions = match &target_set {
            Some(set) => set,
            None => {
                everyone = super::Bitset::full(audience.contacts.len());
                &everyone
            }
        };
        for i in positions.iter() {
            judge(&audience.contacts[i].phone, Some(i), &mut screening);
        }
    } else {
        let mut seen = HashSet::with_capacity(recipients.len());
        for written in recipients {
            let key = crate::recipient::normalise(written, region);
            if !seen.insert(key.clone()) {
                continue;
            }
            let position = audience.contact_index.get(key.as_ref()).copied();
            judge(written, position, &mut screening);
        }
    }
    screening.target = target.map(|text| (text.to_owned(), matching));
    Ok(screening)
}
