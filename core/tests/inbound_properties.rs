//! Properties of inbound triage that hold for every text.

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use sendlint::{CueKind, Engine, Inbound, Priority};

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

/// Text mixing inbound cues, evasions, scripts, marks and invisible characters.
fn inbound_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            any::<char>().prop_map(String::from),
            Just("STOP".to_owned()),
            Just("S T O P".to_owned()),
            Just("ＳＴＯＰ".to_owned()),
            Just("TD".to_owned()),
            Just("退订".to_owned()),
            Just("수신거부".to_owned()),
            Just("don't".to_owned()),
            Just("unsubscribe".to_owned()),
            Just("kaputt".to_owned()),
            Just("dringend".to_owned()),
            Just("?".to_owned()),
            Just("\u{200B}".to_owned()),
            Just("e\u{301}".to_owned()),
            Just(" ".to_owned()),
            "[a-zA-Z0-9 .,!?'-]{0,12}",
        ],
        0..30,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn triage_never_panics_and_spans_point_into_the_text(text in inbound_text(), minutes in 0i64..10_000_000) {
        let at = Timestamp::UNIX_EPOCH + SignedDuration::from_mins(minutes);
        let triage = engine().triage(&Inbound::new(&text).at(at)).unwrap();
        for cue in &triage.cues {
            let span = cue.span;
            prop_assert!(span.start <= span.end && span.end <= text.len());
            prop_assert_eq!(&text[span.start..span.end], cue.matched.as_str());
            prop_assert_eq!(text[..span.start].chars().count(), span.char_start);
            prop_assert_eq!(text[..span.end].chars().count(), span.char_end);
        }
        prop_assert_eq!(triage.priority == Priority::Other, triage.reply_within_minutes.is_none());
        let due = triage.reply_within_minutes.map(|m| at + SignedDuration::from_mins(i64::from(m)));
        prop_assert_eq!(triage.reply_due, due);
        if let Some(opt_out) = &triage.opt_out {
            prop_assert_eq!(opt_out.at, at);
            prop_assert!(triage.cues.iter().any(|c| c.cue == CueKind::OptOut && c.span == opt_out.span));
        }
    }

    #[test]
    fn any_string_at_all_is_triaged(text in any::<String>()) {
        engine().triage(&Inbound::new(&text)).unwrap();
    }
}

/// Any timestamp jiff can hold, in seconds.
fn seconds() -> impl Strategy<Value = i64> {
    prop_oneof![
        Timestamp::MIN.as_second()..=Timestamp::MAX.as_second(),
        1_700_000_000i64..1_800_000_000,
    ]
}

fn ts(second: i64) -> Timestamp {
    Timestamp::from_second(second).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Reply health takes any times without panicking; when they are
    /// consistent it succeeds, and its counts and shares add up.
    #[test]
    fn reply_health_never_panics_and_counts_add_up(
        items in prop::collection::vec((seconds(), prop::option::of(0i64..200_000), prop::option::of(0i64..2_000)), 0..40),
        now in seconds(),
    ) {
        let exchanges: Vec<sendlint::Exchange> = items
            .iter()
            .map(|&(received, reply_after, due_after)| {
                let received = ts(received);
                let later = |s: i64| received.checked_add(SignedDuration::from_secs(s)).unwrap_or(Timestamp::MAX);
                let exchange = sendlint::Exchange::new(received, reply_after.map(later));
                match due_after {
                    Some(s) => exchange.due(later(s)),
                    None => exchange,
                }
            })
            .collect();
        let health = engine().reply_health(&exchanges, Some(ts(now))).unwrap();
        prop_assert_eq!(health.measured, health.answered + health.overdue);
        prop_assert!(health.measured + health.pending <= exchanges.len());
        prop_assert_eq!(health.mean_response_seconds.is_some(), health.measured > 0);
        if let Some(share) = health.on_time_share {
            prop_assert!((0.0..=1.0).contains(&share));
        }
        if let Some(mean) = health.mean_response_seconds {
            prop_assert!(mean >= 0.0 && mean.is_finite());
        }
    }
}
