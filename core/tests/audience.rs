//! Audiences end to end: realistic contact files, the seed 003 worked example,
//! and checks of a send against an audience (`no_consent`, `opted_out`,
//! `untargeted`).

use sendlint::audience::{
    Audience, AudienceError, Consent, ConsentMethod, ImportOptions, RejectReason,
};
use sendlint::{Engine, Error, Message, RuleId};

const LABELS: [&str; 5] = [
    "VIP",
    "Interesse-Make-up",
    "Kaufphase-Abgeschlossen",
    "Produktkategorie-Lippenstift",
    "Neukunde",
];

fn testdata(name: &str) -> String {
    format!("{}/testdata/audience/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

#[test]
fn english_csv_with_mixed_number_formats() {
    let mut audience = Audience::new(LABELS).unwrap();
    let report = audience
        .import_csv_path(
            testdata("contacts_en.csv"),
            &ImportOptions::new().default_region("DE"),
        )
        .unwrap();
    assert!(report.applied);
    assert_eq!(report.rows, 42, "{}", report.summary());
    assert_eq!(report.delimiter, ',');
    // Row 14 writes row 5's number without spaces.
    assert_eq!(report.rows_with(RejectReason::Duplicate), [6, 14]);
    assert_eq!(report.rows_with(RejectReason::InvalidPhone), [7]);
    assert_eq!(report.rows_with(RejectReason::MissingConsent), [12]);
    assert_eq!(report.rows_with(RejectReason::UnknownLabel), [4]);
    assert_eq!(report.failed, 2);
    assert_eq!(report.accepted, 38);
    assert_eq!(audience.len(), 38);
    let counts = report.counts();
    assert_eq!(counts["duplicate"], 2);
    assert_eq!(counts["unknown_label"], 1);
    // The written forms all became E.164, and the first row of a duplicate won.
    assert_eq!(
        audience.labels_of("+85291234567"),
        ["VIP", "Interesse-Make-up"]
    );
    assert_eq!(
        audience.labels_of("+49301234567"),
        ["Kaufphase-Abgeschlossen"]
    );
    assert_eq!(audience.labels_of("+49301234568"), ["Interesse-Make-up"]);
    let first = audience.contact("+85291234567").unwrap();
    let consent = first.consent.as_ref().unwrap();
    assert_eq!(consent.method, ConsentMethod::WebForm);
    assert_eq!(consent.at, at("2026-03-14T10:00:00Z"));
    assert_eq!(consent.source.as_deref(), Some("checkout shop.example"));
    assert_eq!(
        audience
            .contact("+85251234567")
            .unwrap()
            .consent
            .as_ref()
            .unwrap()
            .source
            .as_deref(),
        Some("Chat, Kampagne \"Frühling\"")
    );
    assert!(audience.contact("+491701234570").is_none());
    // The summary names the reasons and rows.
    let summary = report.summary();
    assert!(summary.contains("38 of 42 rows accepted"), "{summary}");
    assert!(summary.contains("invalid_phone: 1 (rows 7)"), "{summary}");
    assert!(summary.contains("comma-separated"), "{summary}");
    let message = &report.issues.iter().find(|i| i.row == 7).unwrap().message;
    assert!(message.contains("\"12345\""), "{message}");
}

#[test]
fn german_semicolon_file_with_bom() {
    let mut audience = Audience::new(LABELS).unwrap();
    audience.set_default_region(Some("DE")).unwrap();
    let report = audience
        .import_csv_path(testdata("kontakte_de.csv"), &ImportOptions::new())
        .unwrap();
    assert_eq!(report.delimiter, ';');
    assert!(
        report
            .format
            .starts_with("semicolon-separated; labels separated by commas"),
        "{}",
        report.format
    );
    assert_eq!(report.rows, 26);
    assert_eq!(report.empty_lines, 1);
    assert_eq!(report.rows_with(RejectReason::Duplicate), [5]);
    assert_eq!(report.rows_with(RejectReason::InvalidPhone), [6]);
    assert!(
        report.issues[1].message.contains("\"030 76\""),
        "{}",
        report.issues[1].message
    );
    let unknown = report
        .issues
        .iter()
        .find(|i| i.reason == RejectReason::UnknownLabel)
        .unwrap();
    assert_eq!(unknown.row, 7);
    assert!(
        unknown.message.contains("did you mean \"VIP\""),
        "{}",
        unknown.message
    );
    assert_eq!(
        audience.labels_of("+49307654322"),
        ["Interesse-Make-up", "Kaufphase-Abgeschlossen"]
    );
    let consent = audience
        .contact("+49307654321")
        .unwrap()
        .consent
        .clone()
        .unwrap();
    assert_eq!(consent.method, ConsentMethod::InStore);
    assert_eq!(consent.at, at("2026-03-15T00:00:00Z"));
}

#[test]
fn plain_list_updates_labels_of_known_contacts() {
    let mut audience = Audience::new(LABELS).unwrap();
    audience
        .import_csv_path(
            testdata("contacts_en.csv"),
            &ImportOptions::new().default_region("DE"),
        )
        .unwrap();
    let report = audience
        .import_csv_path(
            testdata("label_update.txt"),
            &ImportOptions::new().default_region("DE"),
        )
        .unwrap();
    assert!(report.format.contains("no header row"), "{}", report.format);
    assert_eq!((report.rows, report.accepted, report.added), (3, 3, 0));
    assert_eq!(
        audience.labels_of("+85291234567"),
        ["VIP", "Interesse-Make-up", "Kaufphase-Abgeschlossen"]
    );
    assert_eq!(
        audience.labels_of("+49301234567"),
        ["VIP", "Kaufphase-Abgeschlossen"]
    );
    let last = audience.change_log().last().unwrap();
    assert_eq!(last.selection, "import");
    assert_eq!(last.contacts, 2);
}

#[test]
fn too_many_failures_stop_the_import_and_change_nothing() {
    let mut audience = Audience::new(LABELS).unwrap();
    audience
        .add_contact("+4930999999", &[], at("2026-01-01T00:00:00Z"))
        .unwrap();
    let before = audience.to_json();
    let err = audience
        .import_csv_path(testdata("broken.csv"), &ImportOptions::new())
        .unwrap_err();
    let AudienceError::ImportStopped(report) = &err else {
        panic!("{err}")
    };
    assert!(!report.applied);
    assert_eq!(report.failed, 20);
    assert_eq!(report.rows_with(RejectReason::InvalidPhone).len(), 20);
    assert!(report.issues[0].message.contains("no country code"));
    assert!(
        err.to_string()
            .contains("batch 1 (rows 2–22): 20 of 21 rows failed"),
        "{err}"
    );
    assert!(report.summary().contains("NOT imported"));
    assert_eq!(audience.to_json(), before);
}

#[test]
fn unquoted_labels_spill_into_further_columns() {
    let mut audience = Audience::new(LABELS).unwrap();
    let report = audience
        .import_csv_path(testdata("labels_spill.csv"), &ImportOptions::new())
        .unwrap();
    assert_eq!(report.accepted, 2);
    assert_eq!(
        audience.labels_of("+85291234567"),
        ["VIP", "Interesse-Make-up"]
    );
}

#[test]
fn a_latin1_row_is_rejected_not_misread() {
    let mut audience = Audience::new(LABELS).unwrap();
    let report = audience
        .import_csv_path(testdata("latin1_row.csv"), &ImportOptions::new())
        .unwrap();
    assert_eq!(report.rows_with(RejectReason::InvalidEncoding), [14]);
    assert!(report.issues[0].message.contains("UTF-8"));
    assert_eq!(report.accepted, 12);
}

#[test]
fn unreadable_files_are_clear_errors() {
    let mut audience = Audience::new(LABELS).unwrap();
    let import = |audience: &mut Audience, bytes: &[u8]| {
        audience
            .import_csv(bytes, &ImportOptions::new())
            .unwrap_err()
            .to_string()
    };
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "phone\n+85291234567\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    assert!(import(&mut audience, &utf16).contains("UTF-16"));
    assert!(import(&mut audience, b"").contains("empty"));
    assert!(import(&mut audience, b"\n\r\n  \n").contains("empty"));
    let no_phone = import(&mut audience, b"name,email\nAnna,anna@example.com\n");
    assert!(no_phone.contains("no phone column"), "{no_phone}");
    assert!(import(&mut audience, b"phone,Telefonnummer\n").contains("already there"));
    let region = audience
        .import_csv(
            b"phone\n+85291234567\n",
            &ImportOptions::new().default_region("Germany"),
        )
        .unwrap_err();
    assert!(region.to_string().contains("ISO 3166"));
    let missing = audience
        .import_csv_path("/nonexistent/contacts.csv", &ImportOptions::new())
        .unwrap_err();
    assert!(
        missing.to_string().contains("/nonexistent/contacts.csv"),
        "{missing}"
    );
    assert!(audience.is_empty());
}

#[test]
fn the_report_quotes_huge_header_names_and_labels_shortened() {
    // A file whose header line or label field is megabytes long (a broken
    // export) must give a report a person can read, not a copy of the file.
    let huge = "x".repeat(1 << 20);
    let mut audience = Audience::new(LABELS).unwrap();
    let csv = format!(
        "phone,labels,consent_at,consent_method,{huge}\n+85291234567,{huge},2026-03-01,web_form,\n"
    );
    let report = audience
        .import_csv(csv.as_bytes(), &ImportOptions::new())
        .unwrap();
    assert_eq!(report.accepted, 1);
    assert_eq!(report.ignored_columns, [format!("{}…", &huge[..60])]);
    assert_eq!(report.rows_with(RejectReason::UnknownLabel), [2]);
    assert!(
        report.issues[0].message.len() < 200,
        "{}",
        report.issues[0].message
    );
    assert!(report.summary().len() < 1_000, "{}", report.summary().len());
    let no_phone = audience
        .import_csv(
            format!("name,{huge}\nAnna,1\n").as_bytes(),
            &ImportOptions::new(),
        )
        .unwrap_err()
        .to_string();
    assert!(no_phone.len() < 300, "{}", no_phone.len());
}

/// One number per contact: German mobile numbers +49 170 1000000 and up.
fn phone(i: usize) -> String {
    format!("+49170{}", 1_000_000 + i)
}

#[test]
fn large_files_are_split_into_batches_and_judged_per_batch() {
    let mut csv = String::from("phone,labels,consent_at,consent_method\n");
    for i in 0..12_000 {
        // Batch 3 (rows 10,002–12,001) has 12 % bad numbers; the others 1 %.
        let bad = if i >= 10_000 {
            i % 25 < 3
        } else {
            i % 100 == 0
        };
        let number = if bad { "0170 12".to_owned() } else { phone(i) };
        csv.push_str(&format!("{number},VIP,2026-03-01,web_form\n"));
    }
    let mut audience = Audience::new(LABELS).unwrap();
    let err = audience
        .import_csv(csv.as_bytes(), &ImportOptions::new())
        .unwrap_err();
    let AudienceError::ImportStopped(report) = err else {
        panic!("{err}")
    };
    assert_eq!(report.batches.len(), 3);
    assert_eq!(
        report
            .batches
            .iter()
            .map(|b| (b.rows, b.failed))
            .collect::<Vec<_>>(),
        [(5_000, 50), (5_000, 50), (2_000, 240)]
    );
    assert_eq!(report.batches[2].first_row, 10_002);
    assert!(report
        .stop_reason
        .as_deref()
        .unwrap()
        .contains("batch 3 (rows 10002–12001)"));
    assert!(audience.is_empty());
    // Without the bad batch the file imports in three batches.
    let fine: String = csv.lines().take(10_001).collect::<Vec<_>>().join("\n");
    let report = audience
        .import_csv(fine.as_bytes(), &ImportOptions::new())
        .unwrap();
    assert_eq!(report.batches.len(), 2);
    assert_eq!(audience.len(), 9_900);
}

/// Seed 003's worked example: 10,000 customers, 2,500 interested in make-up,
/// 4,000 who bought recently, 1,200 in both, 800 of those already bought a
/// lipstick: about 400 remain.
fn seed_003_audience() -> Audience {
    let mut audience = Audience::new(LABELS).unwrap();
    let added = at("2026-01-01T00:00:00Z");
    for i in 0..10_000 {
        let mut labels = Vec::new();
        if i < 2_500 {
            labels.push("Interesse-Make-up");
        }
        if (1_300..5_300).contains(&i) {
            labels.push("Kaufphase-Abgeschlossen");
        }
        if (1_300..2_100).contains(&i) {
            labels.push("Produktkategorie-Lippenstift");
        }
        audience.add_contact(&phone(i), &labels, added).unwrap();
        audience
            .set_consent(
                &phone(i),
                Consent::new(added, ConsentMethod::WebForm).source("checkout"),
            )
            .unwrap();
    }
    audience
}

const TARGET: &str =
    "Interesse-Make-up AND Kaufphase-Abgeschlossen AND NOT Produktkategorie-Lippenstift";

#[test]
fn seed_003_worked_example() {
    let audience = seed_003_audience();
    assert_eq!(audience.label_count("Interesse-Make-up"), Some(2_500));
    assert_eq!(audience.label_count("Kaufphase-Abgeschlossen"), Some(4_000));
    assert_eq!(
        audience
            .select("Interesse-Make-up AND Kaufphase-Abgeschlossen")
            .unwrap()
            .len(),
        1_200
    );
    assert_eq!(
        audience.label_count("Produktkategorie-Lippenstift"),
        Some(800)
    );
    let selected = audience.select(TARGET).unwrap();
    assert_eq!(selected.len(), 400);
    assert_eq!(selected[0], phone(2_100));
    // The seed's German wording parses the same.
    let german =
        "Interesse-Make-up UND Kaufphase-Abgeschlossen UND NICHT Produktkategorie-Lippenstift";
    assert_eq!(audience.select(german).unwrap(), selected);
}

#[test]
fn sending_to_everyone_instead_of_the_target_is_untargeted() {
    let mut audience = seed_003_audience();
    let engine = Engine::default();
    let everyone: Vec<String> = (0..10_000).map(phone).collect();
    let text = "Anzeige: Neue Lippenstift-Farben – 15 % Rabatt am Wochenende. Abmelden: STOP";
    let blast = engine
        .check(
            &Message::new(text)
                .recipients(&everyone)
                .audience(&audience)
                .target(TARGET),
        )
        .unwrap();
    let finding = blast
        .findings
        .iter()
        .find(|f| f.rule == RuleId::Untargeted)
        .unwrap();
    assert_eq!(finding.evidence["matching"], 400);
    assert_eq!(finding.evidence["share"], 0.04);
    assert!(finding.message.contains("4.0 %"), "{}", finding.message);
    assert_eq!(blast.recipients_remaining, Some(10_000));
    assert!(!blast.has(RuleId::NoConsent) && !blast.has(RuleId::OptedOut));

    // The targeted send: given as the selection, or left to the target.
    let chosen = audience.select(TARGET).unwrap();
    for recipients in [chosen.clone(), Vec::new()] {
        let report = engine
            .check(
                &Message::new(text)
                    .recipients(&recipients)
                    .audience(&audience)
                    .target(TARGET),
            )
            .unwrap();
        assert!(!report.has(RuleId::Untargeted), "{report:#?}");
        assert_eq!(report.recipients_remaining, Some(400));
    }

    // Three of them opt out, and two numbers come from a bought list.
    for i in [2_100, 2_101, 2_102] {
        audience
            .opt_out(&phone(i), at("2026-04-01T08:00:00Z"))
            .unwrap();
    }
    let mut with_strangers = chosen.clone();
    with_strangers.push("+49 170 9999999".to_owned());
    with_strangers.push("0170 9999998".to_owned());
    let report = engine
        .check(
            &Message::new(text)
                .recipients(&with_strangers)
                .audience(&audience)
                .target(TARGET),
        )
        .unwrap();
    assert_eq!(report.recipients_remaining, Some(397));
    let opted = report
        .findings
        .iter()
        .find(|f| f.rule == RuleId::OptedOut)
        .unwrap();
    assert_eq!(opted.evidence["count"], 3);
    assert_eq!(opted.evidence["recipients"][0], phone(2_100));
    let no_consent = report
        .findings
        .iter()
        .find(|f| f.rule == RuleId::NoConsent)
        .unwrap();
    assert_eq!(
        no_consent.evidence["recipients"],
        serde_json::json!(["+49 170 9999999", "0170 9999998"])
    );
    assert_eq!(no_consent.evidence["not_in_audience"], 2);
    // The report JSON carries the remaining count.
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["recipients_remaining"], 397);
}

#[test]
fn audience_rules_stay_quiet_without_an_audience_and_fail_on_bad_targets() {
    let engine = Engine::default();
    let recipients = vec![phone(1)];
    let plain = engine
        .check(&Message::new("Hallo").recipients(&recipients))
        .unwrap();
    assert_eq!(plain.recipients_remaining, None);
    assert!(!plain.to_json().contains("recipients_remaining"));
    let audience = seed_003_audience();
    let err = engine
        .check(
            &Message::new("Hallo")
                .audience(&audience)
                .target("Interesse-Make-up AND Lipstick"),
        )
        .unwrap_err();
    let Error::Audience(AudienceError::Expression(err)) = err else {
        panic!("{err}")
    };
    assert_eq!(err.column, 23);
    // A contact without consent is excluded even when the target selects it.
    let mut audience = Audience::new(["VIP"]).unwrap();
    audience
        .add_contact("+85291234567", &["VIP"], at("2026-01-01T00:00:00Z"))
        .unwrap();
    let report = engine
        .check(&Message::new("Hallo").audience(&audience).target("VIP"))
        .unwrap();
    assert!(report.has(RuleId::NoConsent));
    assert_eq!(report.recipients_remaining, Some(0));
    // Rules can be switched off in the policy.
    let mut policy = sendlint::Policy::default();
    policy.rules.no_consent.enabled = false;
    let quiet = Engine::new(policy).unwrap();
    let report = quiet
        .check(&Message::new("Hallo").audience(&audience).target("VIP"))
        .unwrap();
    assert!(!report.has(RuleId::NoConsent));
}

#[test]
fn policy_carries_the_audience_settings() {
    let policy = sendlint::Policy::from_toml(
        "schema_version = 1\n[rules.untargeted]\nmin_share = 0.5\n[audience]\nimport_batch_rows = 100\n\
         [[audience.lifecycle]]\nname = \"trial\"\napplies_to = \"Neukunde\"\ndate = \"first_purchase\"\nafter_days = 30\nremove = [\"Neukunde\"]\n",
    )
    .unwrap();
    assert_eq!(policy.rules.untargeted.min_share, 0.5);
    assert_eq!(policy.audience.import_batch_rows, 100);
    assert_eq!(policy.audience.lifecycle.len(), 1);
    let err = sendlint::Policy::from_toml(
        "schema_version = 1\n[[audience.lifecycle]]\nname = \"x\"\napplies_to = \"A AND\"\ndate = \"last_opened\"\nafter_days = 3\nadd = [\"B\"]\n",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("audience.lifecycle[0].applies_to"),
        "{err}"
    );
    let audience = Audience::new(["Neukunde"])
        .unwrap()
        .with_settings(policy.audience.clone())
        .unwrap();
    assert_eq!(audience.settings().lifecycle[0].after_days, 30);
}

#[test]
fn example_policy_shows_the_audience_defaults() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.toml");
    let example = sendlint::Policy::from_path(path).unwrap();
    let defaults = sendlint::Policy::default();
    assert_eq!(example.audience, defaults.audience);
    assert_eq!(example.rules.no_consent, defaults.rules.no_consent);
    assert_eq!(example.rules.opted_out, defaults.rules.opted_out);
    assert_eq!(example.rules.untargeted, defaults.rules.untargeted);
}
