//! The public API's promises: thread safety, errors, limits, JSON shape.

use std::panic::{RefUnwindSafe, UnwindSafe};

use sendlint::{
    Engine, Error, Finding, Kind, Message, Policy, PolicyError, Report, RuleId, Verdict,
};

fn assert_traits<T: Send + Sync + UnwindSafe + RefUnwindSafe>() {}

#[test]
fn public_types_are_thread_and_unwind_safe() {
    assert_traits::<Engine>();
    assert_traits::<Policy>();
    assert_traits::<Report>();
    assert_traits::<Finding>();
    assert_traits::<Error>();
    assert_traits::<PolicyError>();
    assert_traits::<Message<'static>>();
    assert_traits::<sendlint::History>();
    assert_traits::<sendlint::Topic>();
    assert_traits::<sendlint::OwnedMessage>();
    assert_traits::<sendlint::OwnedInbound>();
    assert_traits::<sendlint::ErrorKind>();
}

#[test]
fn engine_is_shared_between_threads() {
    let engine = Engine::default();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                let text = format!("Claim your free gift #{i}");
                engine
                    .check(&Message::new(&text))
                    .unwrap()
                    .has(RuleId::BaitWord)
            })
        })
        .collect();
    assert!(handles.into_iter().all(|h| h.join().unwrap()));
}

#[test]
fn text_over_the_limit_is_a_typed_error() {
    let mut policy = Policy::default();
    policy.limits.max_text_bytes = 100;
    let engine = Engine::new(policy).unwrap();
    let text = "x".repeat(101);
    let err = engine.check(&Message::new(&text)).unwrap_err();
    assert!(matches!(err, Error::Input(_)));
    assert!(err.to_string().contains("101 bytes"), "{err}");
}

#[test]
fn huge_text_within_the_limit_is_checked() {
    let mut policy = Policy::default();
    policy.limits.max_text_bytes = 4 << 20;
    let engine = Engine::new(policy).unwrap();
    let text = "Jetzt kostenlos erhalten! ".repeat(100_000);
    let report = engine.check(&Message::new(&text)).unwrap();
    assert!(report.findings.len() >= 100_000);
    assert_eq!(report.verdict, Verdict::Block);
}

#[test]
fn unknown_bait_category_is_a_policy_error() {
    let mut policy = Policy::default();
    policy.rules.bait_word.categories.push("weather".into());
    let err = Engine::new(policy).unwrap_err();
    assert!(err.to_string().contains("weather"), "{err}");
}

#[test]
fn custom_phrases_from_a_policy_file_are_used() {
    let policy = Policy::from_toml(
        "schema_version = 1\n[rules.bait_word.phrases]\nde = [\"Mega-Schnäppchen\"]\n\
         [rules.missing_ad_label.labels]\nen = [\"{promo}\"]\n",
    )
    .unwrap();
    let engine = Engine::new(policy).unwrap();
    let report = engine
        .check(&Message::new(
            "Nur heute: MEGA SCHNAEPPCHEN? nein: mega schnäppchen!",
        ))
        .unwrap();
    let bait: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == RuleId::BaitWord)
        .collect();
    assert!(
        bait.iter().any(|f| f.evidence["category"] == "custom"),
        "{report:#?}"
    );
    let labelled = engine
        .check(&Message::new("{promo} 20% discount on all bread"))
        .unwrap();
    assert!(!labelled.has(RuleId::MissingAdLabel), "{labelled:#?}");
}

#[test]
fn report_json_shape_is_stable() {
    let text = "Sie haben gewonnen! https://bit.ly/abc";
    let report = Engine::default()
        .check(&Message::new(text).kind(Kind::Ad))
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "cues",
            "findings",
            "kind",
            "kind_source",
            "risk",
            "schema_version",
            "verdict"
        ]
    );
    assert_eq!(json["schema_version"], sendlint::REPORT_SCHEMA_VERSION);
    assert_eq!(json["kind"], "ad");
    assert_eq!(json["kind_source"], "given");
    let finding = &json["findings"][0];
    let keys: Vec<&str> = finding
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["advice", "evidence", "matched", "message", "points", "rule", "severity", "span"]
    );
    assert_eq!(finding["rule"], "bait_word");
    assert_eq!(finding["span"]["start"], 0);
    let back: Report = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn disabled_rules_do_not_run() {
    let mut policy = Policy::default();
    policy.rules.bait_word.enabled = false;
    let engine = Engine::new(policy).unwrap();
    let report = engine
        .check(&Message::new("You have won a free gift"))
        .unwrap();
    assert!(!report.has(RuleId::BaitWord));
}

#[test]
fn example_policy_parses_and_sets_every_section() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.toml");
    let policy = Policy::from_path(path).unwrap();
    assert_eq!(policy.sender.allowed_domains, ["beauty-shop-shenzhen.com"]);
    assert!(policy.rules.missing_opt_out.enabled);
    let engine = Engine::new(policy).unwrap();
    let report = engine
        .check(&Message::new(
            "Mail kontakt@beauty-shop-shenzhen.com or call +86 755 8888 6666",
        ))
        .unwrap();
    assert!(!report.has(RuleId::PiiExposure), "{report:#?}");
}

#[test]
fn missing_label_points_at_the_cue_that_decided_the_kind() {
    let report = Engine::default()
        .check(&Message::new("20% Rabatt auf alles, jetzt bestellen!"))
        .unwrap();
    assert_eq!(report.kind, Kind::Ad);
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == RuleId::MissingAdLabel)
        .unwrap();
    assert_eq!(finding.matched.as_deref(), Some("jetzt bestellen"));
    assert_eq!(finding.evidence["cue"], "call_to_action");
}
