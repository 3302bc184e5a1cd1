//! Saving and loading an audience: one versioned JSON file, written atomically
//! (a temporary file in the same directory, flushed, renamed over the target,
//! as a [`History`](crate::History) is), and checked on load: a corrupt,
//! foreign or newer file is refused with a clear error, never half-read.
//!
//! The file holds the contact database itself (phone numbers in clear, consent
//! records): it is created readable by its owner only.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Audience, AudienceError, AudienceSettings, Bitset, Contact, Label, LabelChange};
use crate::error::Operation;

const FORMAT: &str = "sendlint-audience";
const VERSION: u32 = 1;

/// A label as saved: the label and the positions of its contacts.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredLabel {
    #[serde(flatten)]
    label: Label,
    contacts: Vec<u32>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    format: String,
    version: u32,
    default_region: Option<String>,
    settings: AudienceSettings,
    labels: Vec<StoredLabel>,
    contacts: Vec<Contact>,
    changes: Vec<LabelChange>,
}

#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
}

fn corrupt(message: impl std::fmt::Display) -> String {
    format!("corrupt audience: {message}")
}

impl Audience {
    /// The audience as JSON (what [`Audience::from_json`] reads).
    pub fn to_json(&self) -> String {
        let stored = Stored {
            format: FORMAT.to_owned(),
            version: VERSION,
            default_region: self.default_region(),
            settings: self.settings.clone(),
            labels: self
                .labels
                .iter()
                .zip(&self.members)
                .map(|(label, members)| StoredLabel {
                    label: label.clone(),
                    contacts: members.iter().map(|i| i as u32).collect(),
                })
                .collect(),
            contacts: self.contacts.clone(),
            changes: self.changes.clone(),
        };
        serde_json::to_string(&stored).expect("an audience always serialises")
    }

    /// Reads an audience from its JSON.
    ///
    /// # Errors
    /// [`AudienceError::File`] (no path) when the text is not an audience this
    /// build reads: not JSON, another format, another version, or content that
    /// contradicts itself (a repeated number or label, a number not in E.164,
    /// a label naming a contact that does not exist, invalid settings).
    pub fn from_json(text: &str) -> Result<Audience, AudienceError> {
        Audience::parse_file(text).map_err(|message| AudienceError::File {
            path: None,
            operation: Operation::Read,
            kind: None,
            message,
        })
    }

    /// Writes the audience to `path` atomically.
    ///
    /// # Errors
    /// [`AudienceError::File`] with [`Operation::Write`] when it cannot be written.
    ///
    /// # Examples
    /// ```
    /// let dir = std::env::temp_dir().join(format!("sendlint-audience-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let path = dir.join("audience.json");
    /// let mut audience = sendlint::audience::Audience::new(["VIP"])?;
    /// audience.add_contact("+85291234567", &["VIP"], "2026-01-01T00:00:00Z".parse().unwrap())?;
    /// audience.save(&path)?;
    /// let loaded = sendlint::audience::Audience::load(&path)?;
    /// assert_eq!(loaded.select("VIP")?, ["+85291234567"]);
    /// # Ok::<(), sendlint::audience::AudienceError>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), AudienceError> {
        let path = path.as_ref();
        crate::history::write_atomically(path, self.to_json().as_bytes()).map_err(|err| {
            AudienceError::File {
                path: Some(path.to_owned()),
                operation: Operation::Write,
                kind: Some(err.kind()),
                message: err.to_string().to_lowercase(),
            }
        })
    }

    /// Reads an audience saved by [`Audience::save`].
    ///
    /// # Errors
    /// [`AudienceError::File`] when the file cannot be read or is not a valid
    /// audience (see [`Audience::from_json`]).
    pub fn load(path: impl AsRef<Path>) -> Result<Audience, AudienceError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|err| AudienceError::File {
            path: Some(path.to_owned()),
            operation: Operation::Read,
            kind: Some(err.kind()),
            message: err.to_string().to_lowercase(),
        })?;
        Audience::parse_file(&text).map_err(|message| AudienceError::File {
            path: Some(path.to_owned()),
            operation: Operation::Read,
            kind: None,
            message,
        })
    }

    fn parse_file(text: &str) -> Result<Audience, String> {
        let header: Header = serde_json::from_str(text).map_err(corrupt)?;
        if header.format.as_deref() != Some(FORMAT) {
            return Err("not a sendlint audience file".to_owned());
        }
        match header.version {
            Some(VERSION) => {}
            Some(version) => {
                return Err(format!(
                    "audience version {version} is not supported (this build reads {VERSION})"
                ))
            }
            None => return Err(corrupt("no version")),
        }
        let stored: Stored = serde_json::from_str(text).map_err(corrupt)?;
        stored.settings.validate().map_err(corrupt)?;
        let mut audience = Audience::new(Vec::<String>::new()).map_err(corrupt)?;
        audience.settings = stored.settings;
        audience
            .set_default_region(stored.default_region.as_deref())
            .map_err(corrupt)?;
        let mut contact_index = HashMap::with_capacity(stored.contacts.len());
        for (i, contact) in stored.contacts.iter().enumerate() {
            let phone = &contact.phone;
            let e164 = phone.strip_prefix('+').is_some_and(|d| {
                (7..=17).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit())
            });
            if !e164 {
                return Err(corrupt(format!(
                    "contact {i} has {phone:?}, not an E.164 number"
                )));
            }
            if contact_index.insert(phone.clone(), i).is_some() {
                return Err(corrupt(format!("contact {phone} is listed twice")));
            }
            if contact.interactions.windows(2).any(|w| w[0].at > w[1].at) {
                return Err(corrupt(format!(
                    "the interactions of {phone} are out of time order"
                )));
            }
        }
        let count = stored.contacts.len();
        for stored_label in stored.labels {
            let StoredLabel { label, contacts } = stored_label;
            let name = label.name.clone();
            audience
                .add_label(&name, label.created_at)
                .map_err(corrupt)?;
            if contacts.windows(2).any(|w| w[0] >= w[1]) {
                return Err(corrupt(format!(
                    "the contacts of label {name:?} are unsorted or repeated"
                )));
            }
            if contacts.last().is_some_and(|&last| last as usize >= count) {
                return Err(corrupt(format!(
                    "label {name:?} names a contact that does not exist"
                )));
            }
            let id = audience.labels.len() - 1;
            audience.labels[id].last_used = label.last_used;
            let mut members = Bitset::empty(count);
            for position in contacts {
                members.insert(position as usize);
            }
            audience.members[id] = members;
        }
        audience.contacts = stored.contacts;
        audience.contact_index = contact_index;
        audience.changes = stored.changes;
        Ok(audience)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Consent, ConsentMethod, InteractionKind};
    use super::*;

    fn sample() -> Audience {
        let mut audience = Audience::new(["VIP", "Kaufphase - Abgeschlossen"]).unwrap();
        audience.set_default_region(Some("DE")).unwrap();
        let at = "2026-01-01T00:00:00Z".parse().unwrap();
        audience.add_contact("(030) 1234567", &["VIP"], at).unwrap();
        audience
            .add_contact("+85291234567", &["Kaufphase - Abgeschlossen"], at)
            .unwrap();
        audience
            .set_consent(
                "+85291234567",
                Consent::new(at, ConsentMethod::WebForm)
                    .source("form")
                    .policy_version("v2"),
            )
            .unwrap();
        audience.opt_out("+49301234567", at).unwrap();
        audience
            .record_interaction("+85291234567", InteractionKind::Purchased, at)
            .unwrap();
        audience.record_target("VIP", at).unwrap();
        audience
            .change_labels("VIP", &["Kaufphase - Abgeschlossen"], &[], at, "test")
            .unwrap();
        audience
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn round_trip_keeps_everything() {
        let audience = sample();
        let json = audience.to_json();
        let back = Audience::from_json(&json).unwrap();
        assert_eq!(back.to_json(), json);
        assert_eq!(back.contacts(), audience.contacts());
        assert_eq!(back.labels(), audience.labels());
        assert_eq!(back.change_log(), audience.change_log());
        assert_eq!(back.default_region().as_deref(), Some("DE"));
        assert_eq!(
            back.select("VIP AND \"Kaufphase - Abgeschlossen\"")
                .unwrap(),
            ["+49301234567"]
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn corrupt_and_foreign_files_are_refused() {
        let json = sample().to_json();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let edit = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut v = value.clone();
            f(&mut v);
            Audience::from_json(&v.to_string()).unwrap_err().to_string()
        };
        for (err, says) in [
            (
                edit(&|v| v["version"] = 2.into()),
                "version 2 is not supported",
            ),
            (
                edit(&|v| v["format"] = "sendlint-history".into()),
                "not a sendlint audience",
            ),
            (
                edit(&|v| v["contacts"][1]["phone"] = "+49301234567".into()),
                "listed twice",
            ),
            (
                edit(&|v| v["contacts"][0]["phone"] = "030 1234567".into()),
                "not an E.164",
            ),
            (
                edit(&|v| v["labels"][0]["contacts"] = serde_json::json!([7])),
                "does not exist",
            ),
            (
                edit(&|v| v["labels"][0]["contacts"] = serde_json::json!([0, 0])),
                "unsorted or repeated",
            ),
            (edit(&|v| v["labels"][1]["name"] = "VIP".into()), "exists"),
            (
                edit(&|v| v["settings"]["label_max_share"] = 2.into()),
                "label_max_share",
            ),
            (edit(&|v| v["surprise"] = 1.into()), "unknown field"),
            (
                edit(&|v| v["contacts"][0]["consent"] = serde_json::json!({"at": "x"})),
                "corrupt audience",
            ),
        ] {
            assert!(err.contains(says), "{err} (wanted {says})");
        }
        assert!(Audience::from_json("{")
            .unwrap_err()
            .to_string()
            .contains("corrupt"));
    }

    #[test]
    #[cfg_attr(miri, ignore = "files and phone numbers")]
    fn save_is_atomic_and_load_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audience.json");
        sample().save(&path).unwrap();
        assert_eq!(Audience::load(&path).unwrap().len(), 2);
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        std::fs::write(&path, "{\"format\": \"sendlint-audience\", \"version\": 1}").unwrap();
        let err = Audience::load(&path).unwrap_err();
        assert!(matches!(
            err,
            AudienceError::File {
                operation: Operation::Read,
                kind: None,
                ..
            }
        ));
        assert!(err.to_string().contains("audience.json"), "{err}");
        let missing = Audience::load(dir.path().join("nope.json")).unwrap_err();
        assert!(matches!(
            missing,
            AudienceError::File {
                kind: Some(std::io::ErrorKind::NotFound),
                ..
            }
        ));
        let unwritable = sample()
            .save(dir.path().join("no/such/dir/a.json"))
            .unwrap_err();
        assert!(matches!(
            unwritable,
            AudienceError::File {
                operation: Operation::Write,
                ..
            }
        ));
    }
}
