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
        prop_assert!(report.risk <= 100);
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
        prop_assert!(after.findings.len() > before.findings.len());
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
