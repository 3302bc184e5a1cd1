//! Properties that hold for every input.

use proptest::prelude::*;
use sendlint::{Engine, Message, Policy, RuleId};

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Policy::strict()).unwrap())
}

/// Text that mixes scripts, marks, invisible characters, links and numbers.
fn messy_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            any::<char>().prop_map(String::from),
            Just("free gift".to_owned()),
            Just("@all".to_owned()),
            Just("https://bit.ly/x".to_owned()),
            Just("+49 170 1234567".to_owned()),
            Just("무료 증정".to_owned()),
            Just("\u{200B}".to_owned()),
            Just("e\u{301}".to_owned()),
            Just(" ".to_owned()),
            Just("€19,90".to_owned()),
            "[a-zA-Z0-9 .:/@#-]{0,12}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_and_spans_are_valid(text in messy_text()) {
        let report = engine().check(&Message::new(&text)).unwrap();
        for finding in &report.findings {
            if let Some(span) = finding.span {
                prop_assert!(span.start <= span.end && span.end <= text.len());
                prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                prop_assert_eq!(text[..span.start].chars().count(), span.char_start);
                prop_assert_eq!(text[..span.end].chars().count(), span.char_end);
            }
        }
    }

    #[test]
    fn any_string_at_all_is_checked(text in any::<String>()) {
        engine().check(&Message::new(&text)).unwrap();
    }

    #[test]
    fn adding_a_finding_never_lowers_risk(text in messy_text()) {
        let before = engine().check(&Message::new(&text)).unwrap();
        let more = format!("{text} @everyone");
        let after = engine().check(&Message::new(&more)).unwrap();
        // Appending a mention must keep every earlier finding where it was and add one.
        for finding in &before.findings {
            prop_assert!(
                after.findings.iter().any(|f| f.rule == finding.rule && f.span == finding.span),
                "{:?} lost {:?}", more, finding
            );
        }
        prop_assert!(after.has(RuleId::MassMention));
        prop_assert!(after.risk >= before.risk);
    }

    #[test]
    fn invisible_characters_do_not_hide_bait(positions in prop::collection::vec(0usize..9, 1..4)) {
        let mut chars: Vec<char> = "free gift".chars().collect();
        for &p in positions.iter().rev() {
            chars.insert(p.min(chars.len()), '\u{200B}');
        }
        let text = format!("Get your {} today", chars.into_iter().collect::<String>());
        let report = engine().check(&Message::new(&text)).unwrap();
        prop_assert!(report.has(RuleId::BaitWord), "{}", text);
    }

    #[test]
    fn full_width_does_not_hide_bait(prefix in "[a-z ]{0,20}") {
        let wide: String = "free gift".chars()
            .map(|c| if c == ' ' { '\u{3000}' } else { char::from_u32(c as u32 + 0xFEE0).unwrap() })
            .collect();
        let text = format!("{prefix} {wide}!");
        let report = engine().check(&Message::new(&text)).unwrap();
        prop_assert!(report.has(RuleId::BaitWord), "{}", text);
    }
}

/// Texts for history properties: a few templates with small changes.
fn campaign_text() -> impl Strategy<Value = String> {
    (0usize..4, 0u32..50, "[a-z ]{0,12}").prop_map(|(template, n, extra)| {
        let templates = [
            "Anzeige: {} % Rabatt auf alle Torten, jetzt bestellen",
            "@alle Morgen ist der Laden ab {} Uhr geöffnet",
            "Neu im Shop {}: https://www.example-shop.de/neu",
            "Tipp {}: Brot im Leinenbeutel bleibt frisch",
        ];
        format!(
            "{} {extra}",
            templates[template].replace("{}", &n.to_string())
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_history_only_adds_findings_and_survives_a_round_trip(
        sends in prop::collection::vec((campaign_text(), 0i64..2_000_000, 0usize..3, 0usize..4), 0..40),
        text in campaign_text(),
        at in 0i64..2_000_000,
    ) {
        let engine = engine();
        // Keyed, so the recipient ids mean the same after a reload.
        let key = b"property-test recipient key 0001";
        let history = sendlint::History::with_key(key).unwrap();
        let start: jiff::Timestamp = "2026-10-01T00:00:00Z".parse().unwrap();
        let people: Vec<String> = (0..3).map(|i| format!("+4917012345{i:03}")).collect();
        for (sent, offset, account, recipients) in &sends {
            let account = ["a", "b", "c"][*account];
            let message = Message::new(sent)
                .account(account)
                .group("kiez")
                .recipients(&people[..*recipients.min(&3)])
                .at(start + jiff::SignedDuration::from_secs(*offset));
            engine.record(&history, &message).unwrap();
        }
        let message = Message::new(&text)
            .account("a")
            .group("kiez")
            .recipients(&people)
            .at(start + jiff::SignedDuration::from_secs(at));
        let without = engine.check(&message).unwrap();
        let with = engine.check(&message.clone().history(&history)).unwrap();
        // The message rules see the same text either way; a history only adds.
        for finding in &without.findings {
            prop_assert!(with.findings.contains(finding), "lost {:?}", finding);
        }
        // A saved and reloaded history judges exactly as the original.
        let reloaded = sendlint::History::from_json_with_key(&history.to_json(), key).unwrap();
        let again = engine.check(&message.clone().history(&reloaded)).unwrap();
        prop_assert_eq!(again, with);
    }
}

/// Text in composed form with the pieces that decompose or compose: accented
/// Latin, Hangul, half-width katakana with voicing marks, bait in several scripts.
fn composable_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            any::<char>().prop_map(String::from),
            Just("Dernière chance".to_owned()),
            Just("vous avez été sélectionné".to_owned()),
            Just("무료 증정".to_owned()),
            Just("(광고)".to_owned()),
            Just("무료ﾌﾟﾚｾﾞﾝﾄ".to_owned()),
            Just("ﾀﾀﾞでもらえる".to_owned()),
            Just("kostenlos erhältlich".to_owned()),
            Just("\u{200B}".to_owned()),
            Just(" ".to_owned()),
            "[a-zA-Zàéèüö가-힣ｦ-ﾟ .!]{0,12}",
        ],
        0..30,
    )
    .prop_map(|parts| parts.concat())
}

/// The bait phrases found in `text`, after checking that every span of the report
/// lies on character boundaries of `text`.
fn bait_phrases(text: &str) -> Result<Vec<String>, TestCaseError> {
    let report = engine().check(&Message::new(text)).unwrap();
    for finding in &report.findings {
        if let Some(span) = finding.span {
            prop_assert!(span.start <= span.end && span.end <= text.len());
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
    }
    Ok(report
        .findings
        .iter()
        .filter(|f| f.rule == RuleId::BaitWord)
        .map(|f| f.evidence["phrase"].to_string())
        .collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// NFD text (macOS, some keyboards) finds the same bait as the same text in NFC,
    /// and half-width katakana are found like full-width ones.
    #[test]
    fn decomposed_and_half_width_text_check_like_composed_text(text in composable_text()) {
        use unicode_normalization::UnicodeNormalization;
        let nfc: String = text.nfc().collect();
        let nfd: String = text.nfd().collect();
        prop_assert_eq!(bait_phrases(&nfc)?, bait_phrases(&nfd)?, "{:?}", nfd);
    }

    #[test]
    fn half_width_katakana_do_not_hide_bait(
        prefix in "[a-z 。、！あ-んア-ン]{0,12}",
        suffix in "[a-z 。、！あ-んア-ン]{0,12}",
    ) {
        let text = format!("{prefix}無料ﾌﾟﾚｾﾞﾝﾄ{suffix}");
        let report = engine().check(&Message::new(&text)).unwrap();
        let matched: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.rule == RuleId::BaitWord)
            .filter_map(|f| f.matched.as_deref())
            .collect();
        prop_assert!(matched.contains(&"無料ﾌﾟﾚｾﾞﾝﾄ"), "{:?}: {:?}", text, matched);
    }
}
