//! Inbound triage: the cases of `testdata/inbound.toml`, 15-5-1 due times,
//! reply-time health at its edges, and opt-outs on the SMS corpus.

use jiff::{SignedDuration, Timestamp};
use sendlint::{CueKind, Engine, Error, Exchange, Inbound, Policy, Priority, ReplyState};
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
    priority: String,
    opt_out: bool,
    matched: Option<String>,
    #[serde(default)]
    cues: Vec<String>,
}

fn cases() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/inbound.toml");
    let text = std::fs::read_to_string(path).unwrap();
    toml::from_str::<Cases>(&text).unwrap().case
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[test]
fn inbound_cases() {
    let engine = Engine::default();
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let triage = engine.triage(&Inbound::new(&case.text)).unwrap();
        let mut problems = Vec::new();
        if triage.priority.as_str() != case.priority {
            problems.push(format!(
                "priority {} (want {})",
                triage.priority, case.priority
            ));
        }
        if triage.is_opt_out() != case.opt_out {
            problems.push(format!("opt_out {:?}", triage.opt_out));
        }
        if let (Some(want), Some(opt_out)) = (&case.matched, &triage.opt_out) {
            if &opt_out.matched != want {
                problems.push(format!(
                    "opt-out matched {:?} (want {want:?})",
                    opt_out.matched
                ));
            }
            assert_eq!(
                &case.text[opt_out.span.start..opt_out.span.end],
                opt_out.matched
            );
        }
        for want in &case.cues {
            if !triage.cues.iter().any(|c| c.cue.as_str() == want) {
                problems.push(format!("no {want} cue"));
            }
        }
        for cue in &triage.cues {
            assert_eq!(
                &case.text[cue.span.start..cue.span.end],
                cue.matched,
                "{}",
                case.name
            );
            let by_chars: String = case
                .text
                .chars()
                .skip(cue.span.char_start)
                .take(cue.span.char_end - cue.span.char_start)
                .collect();
            assert_eq!(by_chars, cue.matched, "{}", case.name);
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {} — cues {:?}",
                case.name,
                problems.join("; "),
                triage.cues
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cases_cover_nine_languages_positives_and_negatives() {
    let cases = cases();
    let langs = ["en", "de", "fr", "es", "pt", "id", "zh", "ja", "ko"];
    for lang in langs {
        assert!(
            cases.iter().any(|c| c.name.starts_with(lang) && c.opt_out),
            "no opt-out case for {lang}"
        );
    }
    assert!(
        cases
            .iter()
            .filter(|c| c.name.starts_with("neg_") && !c.opt_out)
            .count()
            >= 10
    );
}

#[test]
fn due_time_is_received_plus_the_policy_minutes() {
    let engine = Engine::default();
    let at = t("2026-11-25T23:59:30Z");
    let due = |text: &str| {
        let triage = engine.triage(&Inbound::new(text).at(at)).unwrap();
        (
            triage.priority,
            triage.reply_within_minutes,
            triage.reply_due,
        )
    };
    assert_eq!(
        due("Beschwerde: der Toaster ist kaputt"),
        (
            Priority::Complaint,
            Some(1),
            Some(t("2026-11-26T00:00:30Z"))
        )
    );
    assert_eq!(
        due("dringend bitte"),
        (Priority::Urgent, Some(5), Some(t("2026-11-26T00:04:30Z")))
    );
    assert_eq!(
        due("Habt ihr das auch in Blau?"),
        (
            Priority::Question,
            Some(15),
            Some(t("2026-11-26T00:14:30Z"))
        )
    );
    assert_eq!(due("Danke!"), (Priority::Other, None, None));

    let mut policy = Policy::default();
    policy.inbound.complaint_minutes = 2;
    policy.inbound.urgent_minutes = 10;
    policy.inbound.question_minutes = 60;
    let engine = Engine::new(policy).unwrap();
    let triage = engine
        .triage(&Inbound::new("where is my order").at(at))
        .unwrap();
    assert_eq!(triage.reply_due, Some(at + SignedDuration::from_mins(10)));
}

#[test]
fn opt_out_carries_sender_time_phrase_and_span() {
    let at = t("2026-11-25T10:00:00Z");
    let text = "Ich will mich ａｂｍｅｌｄｅｎ";
    let triage = Engine::default()
        .triage(
            &Inbound::new(text)
                .at(at)
                .sender("+4917012345678")
                .account("bakery"),
        )
        .unwrap();
    assert_eq!(triage.sender.as_deref(), Some("+4917012345678"));
    assert_eq!(triage.account.as_deref(), Some("bakery"));
    let opt_out = triage.opt_out.unwrap();
    assert_eq!(opt_out.at, at);
    assert_eq!(opt_out.phrase, "abmelden");
    assert_eq!(opt_out.lang, "de");
    assert_eq!(opt_out.matched, "ａｂｍｅｌｄｅｎ");
    assert_eq!((opt_out.span.char_start, opt_out.span.char_end), (14, 22));
    assert!(!opt_out.whole_message);
    let stop = Engine::default().triage(&Inbound::new("STOP")).unwrap();
    assert!(stop.opt_out.unwrap().whole_message);
}

#[test]
fn policy_phrases_extend_the_lexicons() {
    let mut policy = Policy::default();
    policy
        .inbound
        .opt_out
        .insert("de".into(), vec!["raus aus der Liste".into()]);
    policy
        .inbound
        .opt_out_keywords
        .insert("en".into(), vec!["STOPMSG".into()]);
    policy
        .inbound
        .complaint
        .insert("en".into(), vec!["still no answer".into()]);
    let custom = Engine::new(policy).unwrap();
    let default = Engine::default();
    for (text, priority, opt_out) in [
        ("Hallo, bitte raus aus der liste", Priority::Other, true),
        ("stopmsg", Priority::Other, true),
        ("three days and still no answer", Priority::Complaint, false),
    ] {
        let triage = custom.triage(&Inbound::new(text)).unwrap();
        assert_eq!(
            (triage.priority, triage.is_opt_out()),
            (priority, opt_out),
            "{text}"
        );
        let before = default.triage(&Inbound::new(text)).unwrap();
        assert_ne!(
            (before.priority, before.is_opt_out()),
            (priority, opt_out),
            "{text}"
        );
    }
}

#[test]
fn policy_validates_inbound_settings() {
    let key =
        |toml: &str| match Policy::from_toml(&format!("schema_version = 1\n[inbound]\n{toml}\n")) {
            Err(Error::Policy(err)) => err.key,
            other => panic!("{toml}: {other:?}"),
        };
    assert_eq!(
        key("complaint_minutes = 0").as_deref(),
        Some("inbound.complaint_minutes")
    );
    assert_eq!(
        key("urgent_minutes = 30").as_deref(),
        Some("inbound.urgent_minutes")
    );
    assert_eq!(
        key("question_minutes = 2000").as_deref(),
        Some("inbound.question_minutes")
    );
    assert_eq!(
        key("slow_reply_hours = 24").as_deref(),
        Some("inbound.slow_reply_hours")
    );
    assert_eq!(
        key("very_slow_reply_hours = 5000").as_deref(),
        Some("inbound.very_slow_reply_hours")
    );
    assert_eq!(
        key("health_window_days = 0").as_deref(),
        Some("inbound.health_window_days")
    );
    assert!(key("reply_minutes = 3").is_none_or(|k| k.contains("reply_minutes")));
    let policy =
        Policy::from_toml("schema_version = 1\n[inbound]\nquestion_minutes = 30\n").unwrap();
    assert_eq!(policy.inbound.question_minutes, 30);
}

#[test]
fn text_over_the_limit_is_an_input_error() {
    let mut policy = Policy::default();
    policy.limits.max_text_bytes = 10;
    let err = Engine::new(policy)
        .unwrap()
        .triage(&Inbound::new("this text is too long"))
        .unwrap_err();
    assert!(
        matches!(err, Error::Input(ref m) if m.contains("max_text_bytes")),
        "{err}"
    );
}

/// Exchanges all answered after `hours` (fractional), received an hour apart
/// on the day before `now`.
fn answered_after(hours: &[f64], now: Timestamp) -> Vec<Exchange> {
    hours
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let received = now - SignedDuration::from_hours(30 - i as i64);
            let replied = received + SignedDuration::from_secs_f64(h * 3600.0);
            Exchange::new(received, Some(replied))
        })
        .collect()
}

#[test]
fn reply_health_edges_at_six_and_twenty_four_hours() {
    let engine = Engine::default();
    let now = t("2026-11-25T12:00:00Z");
    let state = |hours: &[f64]| {
        let health = engine
            .reply_health(&answered_after(hours, now), Some(now))
            .unwrap();
        (health.state, health.priority_factor)
    };
    // Exactly 6 h is not "more than 6 h"; one second more is.
    assert_eq!(state(&[6.0, 6.0]), (ReplyState::Healthy, 1.0));
    assert_eq!(
        state(&[6.0, 6.0 + 2.0 / 3600.0]),
        (ReplyState::PriorityLowered, 0.7)
    );
    assert_eq!(state(&[2.0, 10.0]), (ReplyState::Healthy, 1.0));
    assert_eq!(state(&[24.0]), (ReplyState::PriorityLowered, 0.7));
    assert_eq!(
        state(&[24.0 + 1.0 / 3600.0]),
        (ReplyState::AdsLowPriority, 0.7)
    );
    let health = engine.reply_health(&[], Some(now)).unwrap();
    assert_eq!(
        (health.state, health.mean_response_seconds),
        (ReplyState::Healthy, None)
    );
}

#[test]
fn reply_health_window_is_half_open() {
    let engine = Engine::default();
    let now = t("2026-11-25T12:00:00Z");
    let window = SignedDuration::from_hours(30 * 24);
    let old = now - window;
    let exchanges = [
        // Received exactly 30 days before: outside, though its 40 h reply would count.
        Exchange::new(old, Some(old + SignedDuration::from_hours(40))),
        Exchange::new(
            old + SignedDuration::from_secs(1),
            Some(old + SignedDuration::from_hours(2)),
        ),
        // Received after `now`: not yet.
        Exchange::new(now + SignedDuration::from_secs(1), None),
    ];
    let health = engine.reply_health(&exchanges, Some(now)).unwrap();
    assert_eq!(health.window_start, old);
    assert_eq!(health.measured, 1);
    assert_eq!(health.mean_response_seconds, Some(2.0 * 3600.0 - 1.0));
}

#[test]
fn overdue_messages_count_with_their_wait_and_pending_ones_do_not() {
    let engine = Engine::default();
    let now = t("2026-11-25T12:00:00Z");
    let at = |h: i64| now - SignedDuration::from_hours(h);
    let triage = |text: &str, received| engine.triage(&Inbound::new(text).at(received)).unwrap();
    let exchanges = [
        // A complaint answered after 30 s: on time.
        triage("Das Paket ist kaputt", at(10))
            .exchange(Some(at(10) + SignedDuration::from_secs(30))),
        // A question answered after 1 h: late.
        triage("Habt ihr Größe M?", at(9)).exchange(Some(at(8))),
        // A question never answered, 48 h ago: overdue, counts with 48 h.
        triage("Wann öffnet ihr?", at(48)).exchange(None),
        // A question received 1 minute ago: not yet due.
        triage("Habt ihr Größe L?", now - SignedDuration::from_mins(1)).exchange(None),
        // "Danke": no reply needed, none given.
        triage("Danke!", at(5)).exchange(None),
    ];
    let health = engine.reply_health(&exchanges, Some(now)).unwrap();
    assert_eq!(
        (
            health.measured,
            health.answered,
            health.overdue,
            health.pending
        ),
        (3, 2, 1, 2)
    );
    let mean = (30.0 + 3600.0 + 48.0 * 3600.0) / 3.0;
    assert_eq!(health.mean_response_seconds, Some(mean));
    assert_eq!(health.state, ReplyState::PriorityLowered);
    assert_eq!(health.on_time_share, Some(1.0 / 3.0));
    // The seed's silent account: nothing ever answered within a day.
    let silent: Vec<Exchange> = (0..5)
        .map(|i| triage("Ist die Größe zu groß?", at(30 + i)).exchange(None))
        .collect();
    let health = engine.reply_health(&silent, Some(now)).unwrap();
    assert_eq!(health.state, ReplyState::AdsLowPriority);
    assert_eq!(health.on_time_share, Some(0.0));
}

#[test]
fn reply_before_receipt_is_an_error_naming_the_exchange() {
    let now = t("2026-11-25T12:00:00Z");
    let exchanges = [
        Exchange::new(t("2026-11-25T08:00:00Z"), Some(t("2026-11-25T09:00:00Z"))),
        Exchange::new(t("2026-11-25T08:00:00Z"), Some(t("2026-11-25T07:00:00Z"))),
    ];
    let err = Engine::default()
        .reply_health(&exchanges, Some(now))
        .unwrap_err();
    assert!(
        matches!(err, Error::Input(ref m) if m.starts_with("exchange 1:")),
        "{err}"
    );
}

#[test]
fn triage_serialises_with_rfc3339_times() {
    let at = t("2026-11-25T10:00:00Z");
    let triage = Engine::default()
        .triage(&Inbound::new("STOP").at(at).sender("+4917012345678"))
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&triage.to_json()).unwrap();
    assert_eq!(json["priority"], "other");
    assert_eq!(json["received"], "2026-11-25T10:00:00Z");
    assert_eq!(json["opt_out"]["phrase"], "STOP");
    assert_eq!(json["opt_out"]["at"], "2026-11-25T10:00:00Z");
    assert_eq!(json["cues"][0]["cue"], "opt_out");
    assert_eq!(json["reply_due"], serde_json::Value::Null);
    assert_eq!(triage.cues[0].cue, CueKind::OptOut);
}

/// The ham messages of the SMS Spam Collection are person-to-person chat; as
/// inbound messages almost none asks to stop messages. The two that are flagged
/// really do ask the sender to stop writing.
#[test]
fn sms_corpus_ham_is_almost_never_an_opt_out() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/sms_spam_collection.tsv"
    );
    let corpus = std::fs::read_to_string(path).unwrap();
    let engine = Engine::default();
    let mut ham = 0;
    let mut flagged = Vec::new();
    for (label, text) in corpus.lines().skip(1).filter_map(|l| l.split_once('\t')) {
        if label != "ham" {
            continue;
        }
        ham += 1;
        if engine.triage(&Inbound::new(text)).unwrap().is_opt_out() {
            flagged.push(text);
        }
    }
    assert_eq!(ham, 4827);
    assert_eq!(
        flagged,
        [
            "Please don't text me anymore. I have nothing else to say.",
            "Any chance you might have had with me evaporated as soon as you violated my privacy by stealing my phone number from your employer's paperwork. Not cool at all. Please do not contact me again or I will report you to your supervisor.",
        ]
    );
}

#[test]
fn public_inbound_types_are_thread_safe_and_unwind_safe() {
    fn assert_traits<T: Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
    assert_traits::<Inbound<'static>>();
    assert_traits::<sendlint::Triage>();
    assert_traits::<sendlint::OptOut>();
    assert_traits::<sendlint::InboundCue>();
    assert_traits::<Exchange>();
    assert_traits::<sendlint::ReplyHealth>();
}
