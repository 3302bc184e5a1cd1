//! Context rules: boundaries, a multi-day scenario, persistence, SimHash spread.

use jiff::{SignedDuration, Timestamp};
use sendlint::{Engine, Error, History, Kind, Message, Operation, Policy, RuleId, Topic};

fn t0() -> Timestamp {
    "2026-11-02T08:00:00Z".parse().unwrap()
}

fn hours(h: i64) -> Timestamp {
    t0() + SignedDuration::from_hours(h)
}

fn fired(engine: &Engine, message: Message<'_>) -> Vec<RuleId> {
    engine
        .check(&message)
        .unwrap()
        .findings
        .iter()
        .map(|f| f.rule)
        .collect()
}

const BREZEL: &str = "Frische Brezeln und Croissants ab 6 Uhr in der Backstube am Markt!";

#[test]
fn near_duplicate_within_48_hours_only() {
    let engine = Engine::default();
    // The exact edge of the half-open window: one second inside fires, a repeat
    // exactly 48 h later passes (RULES.md: "at least 48 h apart").
    for (gap, expected) in [(48 * 3600 - 1, true), (48 * 3600, false)] {
        let history = History::new();
        engine
            .record(&history, &Message::new(BREZEL).account("bakery").at(t0()))
            .unwrap();
        let edited = "Frische Brezeln & Croissants ab 6 Uhr in der Backstube am Markt!!";
        let message = Message::new(edited)
            .account("bakery")
            .at(t0() + SignedDuration::from_secs(gap))
            .history(&history);
        assert_eq!(
            fired(&engine, message).contains(&RuleId::NearDuplicate),
            expected,
            "{gap} s"
        );
    }
    // Another account's message is not this account's repetition.
    let history = History::new();
    engine
        .record(&history, &Message::new(BREZEL).account("other").at(t0()))
        .unwrap();
    let message = Message::new(BREZEL)
        .account("bakery")
        .at(hours(1))
        .history(&history);
    assert!(!fired(&engine, message).contains(&RuleId::NearDuplicate));
}

#[test]
fn near_duplicate_evidence_names_time_and_similarity() {
    let engine = Engine::default();
    let history = History::new();
    engine
        .record(&history, &Message::new(BREZEL).account("bakery").at(t0()))
        .unwrap();
    let report = engine
        .check(
            &Message::new(BREZEL)
                .account("bakery")
                .at(hours(5))
                .history(&history),
        )
        .unwrap();
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == RuleId::NearDuplicate)
        .unwrap();
    assert_eq!(finding.evidence["earlier_at"], "2026-11-02T08:00:00Z");
    assert_eq!(finding.evidence["similarity"], 1.0);
    assert_eq!(finding.evidence["hours_ago"], 5.0);
}

#[test]
fn daily_volume_fires_on_the_51st_ad() {
    let engine = Engine::default();
    let history = History::new();
    for i in 0..49 {
        let text = format!("Angebot {i}: jetzt kaufen, Artikel Nummer {i} im Laden");
        let at = t0() + SignedDuration::from_mins(i * 10);
        engine
            .record(
                &history,
                &Message::new(&text).account("shop").at(at).kind(Kind::Ad),
            )
            .unwrap();
    }
    let at = hours(10);
    let fiftieth = Message::new("Die fünfzigste Anzeige")
        .account("shop")
        .at(at)
        .kind(Kind::Ad);
    assert!(!fired(&engine, fiftieth.clone().history(&history)).contains(&RuleId::DailyVolume));
    engine.record(&history, &fiftieth).unwrap();
    let fifty_first = Message::new("Noch eine Anzeige")
        .account("shop")
        .at(at)
        .kind(Kind::Ad);
    assert!(fired(&engine, fifty_first.clone().history(&history)).contains(&RuleId::DailyVolume));
    // A useful message is never counted as an ad.
    let useful = Message::new("Danke!")
        .account("shop")
        .at(at)
        .kind(Kind::Useful);
    assert!(!fired(&engine, useful.history(&history)).contains(&RuleId::DailyVolume));
    // 24 hours after the first ads, they no longer count.
    let next_day = Message::new("Anzeige")
        .account("shop")
        .at(hours(32))
        .kind(Kind::Ad);
    assert!(!fired(&engine, next_day.history(&history)).contains(&RuleId::DailyVolume));
}

#[test]
fn fatigue_fires_at_the_third_exposure() {
    let engine = Engine::default();
    let history = History::new();
    let one = vec!["+4917012345678".to_owned()];
    let ad = "Anzeige: Adventskalender jetzt vorbestellen, 10 % Frühbucherrabatt";
    engine
        .record(
            &history,
            &Message::new(ad).account("a").recipients(&one).at(t0()),
        )
        .unwrap();
    let second = Message::new(ad).account("a").recipients(&one).at(hours(72));
    assert!(!fired(&engine, second.clone().history(&history)).contains(&RuleId::Fatigue));
    engine.record(&history, &second).unwrap();
    let third = Message::new(ad)
        .account("a")
        .recipients(&one)
        .at(hours(144));
    let report = engine.check(&third.history(&history)).unwrap();
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == RuleId::Fatigue)
        .unwrap();
    assert_eq!(finding.evidence["mean_exposures"], 3.0);
    assert_eq!(finding.evidence["share_at_3_or_more"], 1.0);
    // A fresh recipient brings the mean down: (3 + 1) / 2 = 2.0.
    let two = vec!["+4917012345678".to_owned(), "+4917099999999".to_owned()];
    let mixed = Message::new(ad)
        .account("a")
        .recipients(&two)
        .at(hours(144));
    assert!(!fired(&engine, mixed.history(&history)).contains(&RuleId::Fatigue));
}

#[test]
fn mass_mention_repeat_within_24_hours_in_the_same_group() {
    let engine = Engine::default();
    let history = History::new();
    let first = Message::new("@alle Morgen geschlossen")
        .account("b")
        .group("kiez")
        .at(t0());
    engine.record(&history, &first).unwrap();
    let again = |at, group| {
        Message::new("@all Kuchen ist fertig")
            .account("b")
            .group(group)
            .at(at)
    };
    // The exact edge: one second inside the 24 h fires, exactly 24 h later passes.
    let just_inside = hours(24) - SignedDuration::from_secs(1);
    assert!(fired(&engine, again(just_inside, "kiez").history(&history))
        .contains(&RuleId::MassMentionRepeat));
    assert!(!fired(&engine, again(hours(24), "kiez").history(&history))
        .contains(&RuleId::MassMentionRepeat));
    assert!(!fired(&engine, again(hours(2), "other").history(&history))
        .contains(&RuleId::MassMentionRepeat));
}

#[test]
fn content_mix_and_duplicate_share() {
    let engine = Engine::default();
    let history = History::new();
    let texts = [
        "Tipp: Brot im Leinenbeutel bleibt länger frisch",
        "Heute neu: Dinkel-Walnuss-Brot aus dem Steinofen",
        "Danke für die vielen Bestellungen zum Fest",
        "Wie lagert man Sauerteig richtig? Unsere Anleitung",
        "Anzeige: 20 % Rabatt auf alle Torten",
        "Anzeige: Gutschein für einen Kaffee zu jedem Brot",
        "Unsere Öffnungszeiten über die Feiertage",
        "Rezept der Woche: Apfelkuchen mit Streuseln",
    ];
    for (i, text) in texts.iter().enumerate() {
        engine
            .record(
                &history,
                &Message::new(text).account("b").at(hours(i as i64 * 12)),
            )
            .unwrap();
    }
    // 9 messages with this one: 1 ad is 11 % but below min_messages (10).
    let ad = || {
        Message::new("Anzeige: Jetzt bestellen, Stollen für 19,90 €")
            .account("b")
            .at(hours(100))
    };
    assert!(!fired(&engine, ad().history(&history)).contains(&RuleId::ContentMix));
    engine
        .record(
            &history,
            &Message::new("Schöne Feiertage!").account("b").at(hours(99)),
        )
        .unwrap();
    // Exactly 7 useful, 2 offers, 1 ad: 7-2-1 holds.
    let rules = fired(&engine, ad().history(&history));
    assert!(!rules.contains(&RuleId::ContentMix), "{rules:?}");
    assert!(!rules.contains(&RuleId::DuplicateShare));
    // A second ad makes 2 of 11 (18 %).
    engine.record(&history, &ad()).unwrap();
    let second = Message::new("Anzeige: Jetzt kaufen, Christstollen im Laden")
        .account("b")
        .at(hours(101));
    let report = engine.check(&second.history(&history)).unwrap();
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == RuleId::ContentMix)
        .expect("content_mix");
    assert_eq!(
        (
            finding.evidence["ads"].as_u64(),
            finding.evidence["messages"].as_u64()
        ),
        (Some(2), Some(11))
    );

    let spammy = History::new();
    for i in 0..6 {
        let text = format!("Anzeige: Frische Brezeln heute im Angebot, nur {i},50 € das Stück");
        engine
            .record(&spammy, &Message::new(&text).account("b").at(hours(i)))
            .unwrap();
    }
    let again = Message::new("Anzeige: Frische Brezeln heute im Angebot, nur 0,90 € das Stück");
    assert!(
        fired(&engine, again.account("b").at(hours(7)).history(&spammy))
            .contains(&RuleId::DuplicateShare)
    );
}

#[test]
fn link_streak_needs_seven_days_of_large_link_sends() {
    let engine = Engine::default();
    let history = History::new();
    let audience: Vec<String> = (0..120).map(|i| format!("+49170{i:07}")).collect();
    let small: Vec<String> = audience[..50].to_vec();
    let text = |day: i64| format!("Neu im Shop, Tag {day}: https://www.example-shop.de/neu/{day}");
    for day in 0..6 {
        let who = if day == 3 { &small } else { &audience };
        let message_text = text(day);
        engine
            .record(
                &history,
                &Message::new(&message_text)
                    .account("s")
                    .recipients(who)
                    .at(hours(day * 24)),
            )
            .unwrap();
    }
    let today = text(6);
    let message = || {
        Message::new(&today)
            .account("s")
            .recipients(&audience)
            .at(hours(6 * 24))
    };
    assert!(!fired(&engine, message().history(&history)).contains(&RuleId::LinkStreak));
    let day3 = text(3);
    engine
        .record(
            &history,
            &Message::new(&day3)
                .account("s")
                .recipients(&audience)
                .at(hours(3 * 24 + 1)),
        )
        .unwrap();
    assert!(fired(&engine, message().history(&history)).contains(&RuleId::LinkStreak));
}

#[test]
fn reported_content_after_more_than_five_reports() {
    let engine = Engine::default();
    let history = History::new();
    let spam = Message::new("Sie haben gewonnen! Jetzt Preis abholen").at(t0());
    for _ in 0..5 {
        engine.record_report(&history, &spam).unwrap();
    }
    let check = || Message::new("Sie haben gewonnen!! Jetzt Preis abholen").at(hours(1));
    assert!(!fired(&engine, check().history(&history)).contains(&RuleId::ReportedContent));
    engine.record_report(&history, &spam).unwrap();
    assert!(fired(&engine, check().history(&history)).contains(&RuleId::ReportedContent));
}

#[test]
fn off_topic_in_german_french_korean_chinese() {
    let engine = Engine::default();
    let cases = [
        (
            vec![
                "Wer hat Erfahrung mit Kinderwagen für Zwillinge?",
                "Suche gebrauchte Babykleidung Größe 68",
                "Tipps gegen Koliken beim Baby?",
                "Welcher Kinderarzt in Kreuzberg nimmt neue Patienten?",
            ],
            "Verkaufe gut erhaltenen Kinderwagen und Babykleidung",
            "Anzeige: Neuer Lippenstift Rosé Velvet für 19,90 €",
        ),
        (
            vec![
                "Quelle crème pour peau sèche en hiver ?",
                "Mon sérum préféré pour le visage",
                "Conseils maquillage pour les yeux sensibles",
            ],
            "Une crème pour le visage et la peau sèche ?",
            "Vente de pneus neige pour voiture, livraison rapide",
        ),
        (
            vec![
                "아기 이유식 어떻게 시작하셨어요?",
                "유모차 추천 부탁드려요",
                "아기 수면 교육 팁 공유합니다",
            ],
            "이유식 시작할 때 좋은 유모차 추천해요",
            "주식 투자 비법 공개 지금 가입하세요",
        ),
        (
            vec![
                "宝宝辅食怎么做比较好？",
                "推荐一款婴儿推车",
                "宝宝晚上睡觉总是哭怎么办",
            ],
            "宝宝辅食和婴儿推车推荐",
            "股票投资秘籍免费领取",
        ),
    ];
    for (group, on_topic, off) in cases {
        let topic = Topic::from_texts(&group).unwrap();
        assert!(
            topic.relevance(on_topic) >= 0.5,
            "{on_topic}: {}",
            topic.relevance(on_topic)
        );
        assert!(
            topic.relevance(off) < 0.3,
            "{off}: {}",
            topic.relevance(off)
        );
        assert!(!fired(&engine, Message::new(on_topic).topic(&topic)).contains(&RuleId::OffTopic));
        let report = engine.check(&Message::new(off).topic(&topic)).unwrap();
        let finding = report
            .findings
            .iter()
            .find(|f| f.rule == RuleId::OffTopic)
            .expect(off);
        assert!(!finding.evidence["topic_keywords"]
            .as_array()
            .unwrap()
            .is_empty());
    }
}

#[test]
fn save_and_load_round_trip_atomically() {
    let dir = std::env::temp_dir().join(format!("sendlint-history-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("history.json");
    let engine = Engine::default();
    let history = History::new();
    let people = vec!["+4917012345678".to_owned()];
    engine
        .record(
            &history,
            &Message::new(BREZEL)
                .account("b")
                .group("g")
                .recipients(&people)
                .at(t0()),
        )
        .unwrap();
    history.save(&path).unwrap();
    assert!(
        !std::fs::read_to_string(&path)
            .unwrap()
            .contains("4917012345678"),
        "raw number stored"
    );
    let loaded = History::load(&path).unwrap();
    assert_eq!(loaded.to_json(), history.to_json());
    let message = Message::new(BREZEL)
        .account("b")
        .recipients(&people)
        .at(hours(1))
        .history(&loaded);
    assert!(fired(&engine, message).contains(&RuleId::NearDuplicate));

    let send = |extra: &str| {
        format!(
            "{{\"format\":\"sendlint-history\",\"version\":2,\"key_fingerprint\":null,\
             \"accounts\":[{{\"name\":\"a\",\"sends\":[{{\"group\":null,\"at\":0,\"kind\":\"ad\",\
             \"simhash\":1,\"links\":false,\"mass_mention\":false,\"duplicate_at\":null,\
             \"recipients\":[]}}]}}{extra}],\"groups\":[],\"reports\":[]}}"
        )
    };
    for (bad, what) in [
        ("".to_owned(), "corrupt"),
        ("{\"format\": \"sendlint-history\", \"version\": 2".to_owned(), "corrupt"),
        ("{\"hello\": 1}".to_owned(), "not a sendlint history"),
        ("{\"format\":\"sendlint-history\",\"version\":9,\"key\":1,\"accounts\":[],\"groups\":[],\"reports\":[]}".to_owned(), "version 9"),
        ("{\"format\":\"sendlint-history\",\"version\":1,\"key\":1,\"accounts\":[],\"groups\":[],\"reports\":[]}".to_owned(), "version 1 is not supported"),
        (send("").replace("\"group\":null", "\"group\":3"), "unknown group"),
        (send("").replace("\"recipients\":[]", "\"recipients\":[2,2]"), "repeated recipients"),
        (send(",{\"name\":\"a\",\"sends\":[]}"), "account \"a\" is listed twice"),
    ] {
        std::fs::write(&path, &bad).unwrap();
        let err = History::load(&path).unwrap_err();
        assert!(
            matches!(err, Error::History { operation: Operation::Read, kind: None, .. }),
            "{err}"
        );
        assert!(err.to_string().contains(what), "{what}: {err}");
    }
    // The well-formed one loads.
    std::fs::write(&path, send("")).unwrap();
    assert_eq!(History::load(&path).unwrap().len(), 1);
    // A save into a missing directory fails cleanly and leaves no temporary file.
    assert!(history.save(dir.join("missing/history.json")).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn retention_bounds_memory() {
    let mut policy = Policy::default();
    policy.history.retention_days = 2;
    policy.rules.link_streak.days = 2;
    let engine = Engine::new(policy).unwrap();
    let history = History::new();
    for day in 0..10 {
        let text = format!("Tagesangebot {day}");
        engine
            .record(
                &history,
                &Message::new(&text).account("a").at(hours(day * 24)),
            )
            .unwrap();
    }
    assert_eq!(history.len(), 3);
}

#[test]
fn simhash_separates_strangers_from_light_edits() {
    let engine = Engine::default();
    let data = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/campaign.jsonl"
    ))
    .unwrap();
    let texts: Vec<String> = data
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let hashes: Vec<u64> = texts.iter().map(|t| engine.simhash(t)).collect();
    let mut unrelated = Vec::new();
    for i in 0..hashes.len() {
        for j in i + 1..hashes.len() {
            unrelated.push(sendlint::similarity(hashes[i], hashes[j]));
        }
    }
    // c13 and c21 are the same offer with one word added.
    let edit_pair = sendlint::similarity(hashes[12], hashes[20]);
    unrelated.retain(|&s| s != edit_pair);
    unrelated.sort_by(f64::total_cmp);
    let median = unrelated[unrelated.len() / 2];
    let p99 = unrelated[unrelated.len() * 99 / 100];
    assert!(median < 0.65 && p99 < 0.8, "median {median}, p99 {p99}");
    assert!(edit_pair > 0.8, "{edit_pair}");
    // Light edits of messages over 60 bytes stay near-duplicates.
    let long: Vec<&String> = texts.iter().filter(|t| t.len() > 60).collect();
    assert!(long.len() >= 20, "only {} long texts", long.len());
    for text in long {
        for edit in [
            text.replace(" und ", " & "),
            format!("{text}!!"),
            text.replacen(' ', " neu ", 1),
        ] {
            let similar = sendlint::similarity(engine.simhash(text), engine.simhash(&edit));
            assert!(similar > 0.8, "{similar}: {text:?} -> {edit:?}");
        }
    }
}

#[test]
fn history_is_shared_between_checking_and_recording_threads() {
    let engine = Engine::default();
    let history = std::sync::Arc::new(History::new());
    std::thread::scope(|scope| {
        for _ in 0..3 {
            let (engine, history) = (&engine, &history);
            scope.spawn(move || {
                for i in 0..200 {
                    let text = format!("Angebot Nummer {i}");
                    engine
                        .check(
                            &Message::new(&text)
                                .account("a")
                                .at(hours(i))
                                .history(history),
                        )
                        .unwrap();
                }
            });
        }
        for i in 0..200 {
            let text = format!("Angebot Nummer {i}");
            engine
                .record(&history, &Message::new(&text).account("a").at(hours(i)))
                .unwrap();
        }
    });
    // 200 hourly sends all lie within the 30-day retention.
    assert_eq!(history.len(), 200);
}

/// A fresh directory for one test's files, removed when dropped.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn a_wrong_year_in_one_account_costs_no_other_account_its_sends() {
    let engine = Engine::default();
    let history = History::new();
    // Back-filling last year's campaign of "bakery" …
    for day in 0..4 {
        let text = format!("Tagesangebot {day}: Brezeln und Croissants im Laden am Markt");
        let when = at("2024-01-01T09:00:00Z") + SignedDuration::from_hours(day * 24);
        engine
            .record(&history, &Message::new(&text).account("bakery").at(when))
            .unwrap();
    }
    let spam =
        Message::new("Sie haben gewonnen! Jetzt Preis abholen").at(at("2024-01-02T09:00:00Z"));
    for _ in 0..6 {
        engine.record_report(&history, &spam).unwrap();
    }
    // … while another account's line carries a year too late.
    engine
        .record(
            &history,
            &Message::new("Neue Öffnungszeiten")
                .account("florist")
                .at(at("2025-06-01T09:00:00Z")),
        )
        .unwrap();
    // The bakery's later, correctly dated send is kept, and so is everything before.
    engine
        .record(
            &history,
            &Message::new(BREZEL)
                .account("bakery")
                .at(at("2024-01-05T09:00:00Z")),
        )
        .unwrap();
    assert_eq!(history.len(), 6);
    assert_eq!(history.reports(), 6);
    let again = Message::new(BREZEL)
        .account("bakery")
        .at(at("2024-01-05T12:00:00Z"))
        .history(&history);
    assert!(fired(&engine, again).contains(&RuleId::NearDuplicate));
    let reported = Message::new("Sie haben gewonnen!! Jetzt Preis abholen")
        .at(at("2024-01-03T09:00:00Z"))
        .history(&history);
    assert!(fired(&engine, reported).contains(&RuleId::ReportedContent));
    // Reports are trimmed against the newest report: memory stays bounded.
    engine
        .record_report(&history, &spam.clone().at(at("2025-06-01T09:00:00Z")))
        .unwrap();
    assert_eq!(history.reports(), 1);
}

#[test]
fn record_refuses_a_time_far_in_the_future() {
    let engine = Engine::default();
    let history = History::new();
    let now = Timestamp::now();
    let typo = now + SignedDuration::from_hours(24 * 365);
    let message = Message::new(BREZEL).account("bakery").at(typo);
    let err = engine.record(&history, &message).unwrap_err();
    let Error::Input(text) = &err else {
        panic!("{err}");
    };
    let shown = Timestamp::from_second(typo.as_second())
        .unwrap()
        .to_string();
    assert!(text.contains(&shown) && text.contains("ahead"), "{text}");
    assert!(matches!(
        engine.record_report(&history, &message),
        Err(Error::Input(_))
    ));
    assert_eq!((history.len(), history.reports()), (0, 0));
    // Clock skew is tolerated, and a scheduled message can still be checked.
    let soon = Message::new(BREZEL)
        .account("bakery")
        .at(now + SignedDuration::from_hours(2));
    engine.record(&history, &soon).unwrap();
    assert_eq!(history.len(), 1);
    assert!(engine.check(&message.history(&history)).is_ok());
}

#[test]
fn duplicate_share_forgets_a_pair_once_the_partner_leaves_the_window() {
    let mut policy = Policy::default();
    // Fire on any duplicate, so the evidence shows the count.
    policy.rules.duplicate_share.share = 0.0;
    policy.rules.duplicate_share.min_messages = 1;
    let engine = Engine::new(policy).unwrap();
    let texts = [
        "Frische Brezeln und Croissants ab 6 Uhr in der Backstube am Markt",
        "Unser neuer Lippenstift kostet diese Woche nur 19,90 statt 24,90 Euro",
        "Morgen bleibt der Laden wegen Inventur geschlossen, wir bitten um Verständnis",
        "Rezept der Woche: Apfelkuchen mit Streuseln und einer Prise Zimt",
        "Tipp vom Gärtner: Tomaten im Herbst nur noch morgens und sparsam gießen",
        "Der Stadtlauf am Sonntag sperrt die Hauptstraße zwischen 8 und 14 Uhr",
        "Neue Kurse im Yogastudio: Montags und donnerstags um 18:30 Uhr für Anfänger",
        "Winterreifen jetzt wechseln lassen, Termine in der Werkstatt sind noch frei",
    ];
    let edit = |text: &str| format!("{text}!!");
    for (i, a) in texts.iter().enumerate() {
        let close = sendlint::similarity(engine.simhash(a), engine.simhash(&edit(a)));
        assert!(close > 0.8, "{a}: {close}");
        for b in &texts[i + 1..] {
            let far = sendlint::similarity(engine.simhash(a), engine.simhash(b));
            assert!(far <= 0.8, "{a} / {b}: {far}");
        }
    }
    let start = at("2026-01-05T09:00:00Z");
    let day = |d: f64| start + SignedDuration::from_secs_f64(d * 86_400.0);
    let history = History::new();
    for (i, text) in texts.iter().enumerate() {
        let message = Message::new(text).account("a").at(day(i as f64));
        engine.record(&history, &message).unwrap();
    }
    for (i, text) in texts.iter().enumerate() {
        let edited = edit(text);
        let message = Message::new(&edited).account("a").at(day(25.0 + i as f64));
        engine.record(&history, &message).unwrap();
    }
    let other = Message::new("Heute Abend Lesung in der Stadtbibliothek, Eintritt frei");
    engine
        .record(&history, &other.clone().account("a").at(day(33.0)))
        .unwrap();
    let share = |when: f64| {
        let check = Message::new("Wir suchen eine Aushilfe für Samstage, bitte im Laden melden")
            .account("a")
            .at(day(when))
            .history(&history);
        let report = engine.check(&check).unwrap();
        report
            .findings
            .iter()
            .find(|f| f.rule == RuleId::DuplicateShare)
            .map(|f| {
                (
                    f.evidence["duplicates"].as_u64().unwrap(),
                    f.evidence["messages"].as_u64().unwrap(),
                )
            })
    };
    // Day 33.5: the window starts at day 3.5. The last four originals and their
    // edits are pairs inside it; the first four edits' partners are outside.
    assert_eq!(share(33.5), Some((8, 14)));
    // Day 38: every original has left the window; the edits are no longer duplicates.
    assert_eq!(share(38.0), None);
}

#[test]
fn recipients_are_one_person_however_written_and_listed() {
    let engine = Engine::default();
    let history = History::new();
    let ad = "Anzeige: Adventskalender jetzt vorbestellen, 10 % Frühbucherrabatt";
    let first = vec!["+49 170 1234567".to_owned(), " customer-17 ".to_owned()];
    let second = vec!["0049 170 1234567".to_owned(), "customer-17".to_owned()];
    engine
        .record(
            &history,
            &Message::new(ad).account("a").recipients(&first).at(t0()),
        )
        .unwrap();
    engine
        .record(
            &history,
            &Message::new(ad)
                .account("a")
                .recipients(&second)
                .at(hours(72)),
        )
        .unwrap();
    // National format, read in the policy's first region (DE), and listed 100 times.
    let mut third = vec!["0170 1234567".to_owned(); 100];
    third.push("+491701234567".to_owned());
    third.push("customer-17\n".to_owned());
    let check = Message::new(ad)
        .account("a")
        .recipients(&third)
        .at(hours(144))
        .history(&history);
    let report = engine.check(&check).unwrap();
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == RuleId::Fatigue)
        .expect("fatigue");
    assert_eq!(finding.evidence["recipients"], 2);
    assert_eq!(finding.evidence["mean_exposures"], 3.0);
}

#[test]
fn link_streak_counts_people_not_lines() {
    let engine = Engine::default();
    let history = History::new();
    // 60 people a day, each listed twice in two spellings: 120 lines, 60 people.
    let people: Vec<String> = (0..60)
        .flat_map(|i| [format!("+49170{i:07}"), format!("0049 170 {i:07}")])
        .collect();
    let text = |day: i64| format!("Neu im Shop, Tag {day}: https://www.example-shop.de/neu/{day}");
    for day in 0..6 {
        let message_text = text(day);
        engine
            .record(
                &history,
                &Message::new(&message_text)
                    .account("s")
                    .recipients(&people)
                    .at(hours(day * 24)),
            )
            .unwrap();
    }
    // Today one number pasted 100 times.
    let one = vec!["+4917000000001".to_owned(); 100];
    let today = text(6);
    let check = |recipients: &[String]| {
        fired(
            &engine,
            Message::new(&today)
                .account("s")
                .recipients(recipients)
                .at(hours(6 * 24))
                .history(&history),
        )
        .contains(&RuleId::LinkStreak)
    };
    assert!(!check(&one));
    let audience: Vec<String> = (0..120).map(|i| format!("+49170{i:07}")).collect();
    assert!(!check(&audience), "past days had 60 people, not 120");
}

const KEY: &[u8] = b"a-secret-the-caller-keeps-b3f1c9";

#[test]
fn the_recipient_key_stays_with_the_caller() {
    let dir = scratch();
    let path = dir.path().join("history.json");
    let engine = Engine::default();
    let history = History::with_key(KEY).unwrap();
    let one = vec!["+4917012345678".to_owned()];
    let ad = "Anzeige: Adventskalender jetzt vorbestellen, 10 % Frühbucherrabatt";
    for h in [0, 72] {
        let message = Message::new(ad).account("a").recipients(&one).at(hours(h));
        engine.record(&history, &message).unwrap();
    }
    history.save(&path).unwrap();
    let saved = std::fs::read(&path).unwrap();
    let text = String::from_utf8(saved.clone()).unwrap();
    let hex: String = KEY.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!saved.windows(KEY.len()).any(|w| w == KEY), "key stored");
    assert!(!text.contains(&hex), "key stored as hex");
    assert!(!text.contains("4917012345678"), "raw number stored");
    let fingerprint = history.key_fingerprint().unwrap();
    assert!(text.contains(fingerprint));

    // Another key is refused, not silently never matching.
    let err = History::load_with_key(&path, b"another-secret-of-32-bytes-xxxxx").unwrap_err();
    assert!(
        matches!(&err, Error::History { path: Some(p), kind: None, .. } if p == &path),
        "{err}"
    );
    assert!(err.to_string().contains("another recipient key"), "{err}");
    let err = History::from_json_with_key(&text, b"another-secret-of-32-bytes-xxxxx").unwrap_err();
    assert!(matches!(err, Error::History { path: None, .. }), "{err}");
    assert!(matches!(
        History::load_with_key(&path, b""),
        Err(Error::Input(_))
    ));

    // The same key round-trips, and fatigue still counts the earlier exposures.
    let loaded = History::load_with_key(&path, KEY).unwrap();
    assert_eq!(loaded.to_json(), text);
    let third = Message::new(ad)
        .account("a")
        .recipients(&one)
        .at(hours(144))
        .history(&loaded);
    assert!(fired(&engine, third).contains(&RuleId::Fatigue));
    // An ephemeral key's ids do not reveal the numbers either, and differ from the keyed ones.
    let other = History::with_key(b"yet-another-secret-of-32-bytes-x").unwrap();
    engine
        .record(
            &other,
            &Message::new(ad).account("a").recipients(&one).at(t0()),
        )
        .unwrap();
    assert_ne!(
        other.to_json().split("\"recipients\"").nth(1),
        text.split("\"recipients\"").nth(1)
    );
}

#[test]
fn history_file_errors_say_read_or_write() {
    let dir = scratch();
    let missing = dir.path().join("nothing-here.json");
    let err = History::load(&missing).unwrap_err();
    assert!(
        matches!(&err, Error::History { path: Some(p), operation: Operation::Read, kind: Some(std::io::ErrorKind::NotFound), .. } if p == &missing),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("cannot read history "), "{err}");

    let history = History::new();
    let nowhere = dir.path().join("missing/history.json");
    let err = history.save(&nowhere).unwrap_err();
    assert!(
        matches!(&err, Error::History { path: Some(p), operation: Operation::Write, kind: Some(_), .. } if p == &nowhere),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("cannot write history "),
        "{err}"
    );
    // Saving over a directory fails as a write and leaves no temporary file behind.
    std::fs::create_dir(dir.path().join("taken")).unwrap();
    let err = history.save(dir.path().join("taken")).unwrap_err();
    assert!(
        err.to_string().starts_with("cannot write history "),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn concurrent_saves_to_one_path_never_fail_or_mix() {
    let dir = scratch();
    let path = dir.path().join("history.json");
    let engine = Engine::default();
    let histories: Vec<History> = (0..2)
        .map(|i| {
            let history = History::new();
            for j in 0..=i * 20 {
                let text = format!("Angebot {j} von Filiale {i}");
                let message = Message::new(&text).account("a").at(hours(j as i64));
                engine.record(&history, &message).unwrap();
            }
            history
        })
        .collect();
    std::thread::scope(|scope| {
        for history in &histories {
            let path = &path;
            scope.spawn(move || {
                for _ in 0..100 {
                    history.save(path).unwrap();
                    // Whatever is on disk at any moment is one whole history.
                    let len = History::load(path).unwrap().len();
                    assert!(len == 1 || len == 21, "{len}");
                }
            });
        }
    });
    assert!([1, 21].contains(&History::load(&path).unwrap().len()));
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "temporary files left: {files:?}");
}

#[test]
fn many_accounts_and_groups_keep_their_own_logs_across_save_and_load() {
    let engine = Engine::default();
    let history = History::new();
    for i in 0..3000 {
        let (account, group) = (format!("account-{}", i % 1000), format!("group-{}", i % 7));
        let text = format!("Angebot Nummer {i} für {account}");
        let message = Message::new(&text)
            .account(&account)
            .group(&group)
            .at(hours(i / 100));
        engine.record(&history, &message).unwrap();
    }
    let loaded = History::from_json(&history.to_json()).unwrap();
    assert_eq!(loaded.len(), 3000);
    // After loading, an account's new send joins its own log (the index is rebuilt).
    let text = "Anzeige: @all Sonderverkauf heute";
    let send = || {
        Message::new(text)
            .account("account-7")
            .group("group-3")
            .at(hours(40))
    };
    engine.record(&loaded, &send()).unwrap();
    let again = fired(&engine, send().at(hours(41)).history(&loaded));
    assert!(again.contains(&RuleId::NearDuplicate), "{again:?}");
    assert!(again.contains(&RuleId::MassMentionRepeat), "{again:?}");
    let other = fired(
        &engine,
        send().account("account-8").at(hours(41)).history(&loaded),
    );
    assert!(!other.contains(&RuleId::NearDuplicate), "{other:?}");
    assert_eq!(loaded.to_json().matches("\"account-7\"").count(), 1);
}
