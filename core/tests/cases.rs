//! Runs `testdata/cases.toml`, the cases shared by the Rust, Python and C tests.

use std::collections::BTreeSet;

use sendlint::{Engine, Kind, Message, Policy};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    text: String,
    #[serde(default)]
    expect: Vec<String>,
    #[serde(default)]
    forbid: Vec<String>,
    /// Texts that a finding of an expected rule must cover (its matched text
    /// contains them; a longer listed phrase may cover more).
    #[serde(default)]
    matched: Vec<String>,
    kind: Option<String>,
    expect_kind: Option<String>,
    #[serde(default)]
    recipients: Vec<String>,
    group: Option<String>,
    #[serde(default)]
    dead_links: Vec<String>,
    policy: Option<String>,
    #[serde(default)]
    allowed_domains: Vec<String>,
    #[serde(default)]
    own_emails: Vec<String>,
    #[serde(default)]
    own_phones: Vec<String>,
}

impl Case {
    fn engine(&self) -> Engine {
        let mut policy = match self.policy.as_deref() {
            None | Some("default") => Policy::default(),
            Some("strict") => Policy::strict(),
            Some(other) => panic!("{}: unknown policy {other:?}", self.name),
        };
        policy.sender.allowed_domains = self.allowed_domains.clone();
        policy.sender.emails = self.own_emails.clone();
        policy.sender.phone_numbers = self.own_phones.clone();
        Engine::new(policy).unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    /// Everything wrong with the engine's answer for this case.
    fn failures(&self, engine: &Engine) -> Vec<String> {
        let kind: Option<Kind> = self.kind.as_deref().map(|k| k.parse().unwrap());
        let mut message = Message::new(&self.text)
            .recipients(&self.recipients)
            .dead_links(&self.dead_links);
        if let Some(kind) = kind {
            message = message.kind(kind);
        }
        if let Some(group) = &self.group {
            message = message.group(group);
        }
        let report = engine.check(&message).unwrap();
        let enabled = enabled_rules(engine.policy());
        for rule in self.expect.iter().chain(&self.forbid) {
            assert!(
                enabled.contains(rule.as_str()),
                "{}: names {rule}, which this case's policy never runs",
                self.name
            );
        }
        let fired: BTreeSet<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
        let mut failures = Vec::new();
        for rule in &self.expect {
            if !fired.contains(rule.as_str()) {
                failures.push(format!("expected {rule}"));
            }
        }
        for rule in &self.forbid {
            if fired.contains(rule.as_str()) {
                failures.push(format!("unexpected {rule}"));
            }
        }
        for want in &self.matched {
            let found = report.findings.iter().any(|f| {
                self.expect.contains(&f.rule.as_str().to_owned())
                    && f.matched
                        .as_deref()
                        .is_some_and(|m| m.contains(want.as_str()))
            });
            if !found {
                failures.push(format!("no expected finding matched {want:?}"));
            }
        }
        if let Some(want) = &self.expect_kind {
            if report.kind.as_str() != want {
                failures.push(format!("kind {} instead of {want}", report.kind.as_str()));
            }
        }
        for finding in &report.findings {
            match finding.span {
                Some(span) => assert_eq!(
                    finding.matched.as_deref(),
                    self.text.get(span.start..span.end),
                    "{}: span and matched text disagree",
                    self.name
                ),
                None => assert_eq!(
                    finding.matched, None,
                    "{}: matched text without a span",
                    self.name
                ),
            }
        }
        if !failures.is_empty() {
            let found: Vec<String> = report
                .findings
                .iter()
                .map(|f| format!("{}({:?})", f.rule, f.matched.as_deref().unwrap_or("")))
                .collect();
            failures.push(format!(
                "kind {}, findings: {}",
                report.kind.as_str(),
                found.join(", ")
            ));
        }
        failures
    }
}

/// The message rules the policy runs. (Context rules never fire here: the cases
/// carry no history.)
fn enabled_rules(policy: &Policy) -> BTreeSet<String> {
    const MESSAGE_RULES: [&str; 7] = [
        "bait_word",
        "missing_ad_label",
        "mass_mention",
        "invalid_link",
        "risky_link",
        "pii_exposure",
        "missing_opt_out",
    ];
    let policy: serde_json::Value = serde_json::from_str(&policy.to_json()).unwrap();
    MESSAGE_RULES
        .iter()
        .filter(|rule| policy["rules"][**rule]["enabled"] == serde_json::Value::Bool(true))
        .map(|rule| (*rule).to_owned())
        .collect()
}

#[test]
fn shared_cases() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/cases.toml");
    let cases: Cases = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(cases.case.len() >= 50, "the case file lost its cases");
    let mut names = BTreeSet::new();
    let default_engine = Engine::default();
    let mut failed = Vec::new();
    for case in &cases.case {
        assert!(
            names.insert(case.name.as_str()),
            "duplicate case {}",
            case.name
        );
        let custom = case.policy.is_some()
            || !case.allowed_domains.is_empty()
            || !case.own_emails.is_empty()
            || !case.own_phones.is_empty();
        let engine = if custom {
            case.engine()
        } else {
            default_engine.clone()
        };
        let failures = case.failures(&engine);
        if !failures.is_empty() {
            failed.push(format!(
                "{}: {:?}\n    {}",
                case.name,
                case.text,
                failures.join("\n    ")
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n{}",
        failed.len(),
        cases.case.len(),
        failed.join("\n")
    );
}
