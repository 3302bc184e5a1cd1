//! Pseudonyms: stable `UID_…` ids from a keyed hash (HMAC-SHA-256), never a
//! bare hash — phone numbers are few enough to hash them all and look the
//! pseudonym up (`docs/RULES.md` §4, seed 000 on privacy).

use hmac::{KeyInit, Mac};

use super::{Audience, AudienceError};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The pseudonym of `value` under `key`: `UID_` and the first 128 bits of
/// HMAC-SHA-256(key, value) in lowercase hex. The value is trimmed first;
/// normalise phone numbers (E.164) before, so one person gets one id. The same
/// key always gives the same id; without the key nobody can tell which number
/// an id belongs to. Use a secret of at least 16 random bytes.
///
/// # Errors
/// [`AudienceError::Input`] when the key is empty.
///
/// # Examples
/// ```
/// let uid = sendlint::audience::pseudonymize("+85291234567", b"a secret key of 32 random bytes!")?;
/// assert!(uid.starts_with("UID_") && uid.len() == 36);
/// assert_eq!(uid, sendlint::audience::pseudonymize(" +85291234567 ", b"a secret key of 32 random bytes!")?);
/// # Ok::<(), sendlint::audience::AudienceError>(())
/// ```
pub fn pseudonymize(value: &str, key: &[u8]) -> Result<String, AudienceError> {
    if key.is_empty() {
        return Err(AudienceError::Input(
            "the pseudonym key is empty; use at least 16 random bytes".to_owned(),
        ));
    }
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(value.trim().as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut uid = String::with_capacity(36);
    uid.push_str("UID_");
    for byte in &digest[..16] {
        uid.push_str(&format!("{byte:02x}"));
    }
    Ok(uid)
}

impl Audience {
    /// The audience as CSV with every phone number replaced by its pseudonym
    /// under `key`: `uid`, `labels` (comma-separated), consent time, method,
    /// source and policy version, opt-out time, when added, last interaction,
    /// last opened, first purchase, purchase count. For analysis outside the
    /// system of record; the interaction log is not exported.
    ///
    /// # Errors
    /// [`AudienceError::Input`] when the key is empty.
    pub fn export_pseudonymized(&self, key: &[u8]) -> Result<String, AudienceError> {
        pseudonymize("", key)?;
        let mut writer = csv::Writer::from_writer(Vec::new());
        let time = |t: Option<jiff::Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
        let io = |err: csv::Error| AudienceError::Input(format!("cannot write the export: {err}"));
        writer
            .write_record([
                "uid",
                "labels",
                "consent_at",
                "consent_method",
                "consent_source",
                "consent_policy_version",
                "opted_out_at",
                "added_at",
                "last_interaction",
                "last_opened",
                "first_purchase",
                "purchase_count",
            ])
            .map_err(io)?;
        for (i, contact) in self.contacts.iter().enumerate() {
            let consent = contact.consent.as_ref();
            writer
                .write_record([
                    pseudonymize(&contact.phone, key)?,
                    self.labels_at(i).join(","),
                    time(consent.map(|c| c.at)),
                    consent
                        .map(|c| c.method.as_str().to_owned())
                        .unwrap_or_default(),
                    consent.and_then(|c| c.source.clone()).unwrap_or_default(),
                    consent
                        .and_then(|c| c.policy_version.clone())
                        .unwrap_or_default(),
                    time(contact.opted_out_at),
                    contact.added_at.to_string(),
                    time(contact.last_interaction),
                    time(contact.last_opened),
                    time(contact.first_purchase),
                    contact.purchase_count.to_string(),
                ])
                .map_err(io)?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|err| AudienceError::Input(format!("cannot write the export: {err}")))?;
        Ok(String::from_utf8(bytes).expect("every field written is UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_keyed_hmac() {
        // RFC 4231 test case 2: HMAC-SHA-256("Jefe", "what do ya want for nothing?").
        assert_eq!(
            pseudonymize("what do ya want for nothing?", b"Jefe").unwrap(),
            "UID_5bdcc146bf60754e6a042426089575c7"
        );
        let a = pseudonymize("+85291234567", b"key one").unwrap();
        assert_ne!(a, pseudonymize("+85291234567", b"key two").unwrap());
        assert_ne!(a, pseudonymize("+85291234568", b"key one").unwrap());
        assert!(pseudonymize("+85291234567", b"").is_err());
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn export_holds_no_phone_number() {
        let mut audience = Audience::new(["VIP", "Neukunde"]).unwrap();
        let at = "2026-01-01T00:00:00Z".parse().unwrap();
        audience
            .add_contact("+85291234567", &["VIP", "Neukunde"], at)
            .unwrap();
        audience
            .set_consent(
                "+85291234567",
                super::super::Consent::new(at, super::super::ConsentMethod::Chat),
            )
            .unwrap();
        let export = audience.export_pseudonymized(b"0123456789abcdef").unwrap();
        assert!(!export.contains("91234567"), "{export}");
        let uid = pseudonymize("+85291234567", b"0123456789abcdef").unwrap();
        let row = export.lines().nth(1).unwrap();
        assert!(
            row.starts_with(&format!("{uid},\"VIP,Neukunde\",2026-01-01T00:00:00Z,chat")),
            "{row}"
        );
    }
}
