//! Context rules: boundaries, a multi-day scenario, persistence, SimHash spread.

use jiff::{SignedDuration, Timestamp};
use sendlint::{Engine, Error, History, Kind, Message, Policy, RuleId, Topic};

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

    for (bad, what) in [
        ("", "corrupt"),
        ("{\"format\": \"sendlint-history\", \"version\": 1", "corrupt"),
        ("{\"hello\": 1}", "not a sendlint history"),
        ("{\"format\":\"sendlint-history\",\"version\":9,\"key\":1,\"accounts\":[],\"groups\":[],\"reports\":[]}", "version 9"),
        ("{\"format\":\"sendlint-history\",\"version\":1,\"key\":1,\"accounts\":[{\"name\":\"a\",\"sends\":[{\"group\":3,\"at\":0,\"kind\":\"ad\",\"simhash\":1,\"links\":false,\"mass_mention\":false,\"duplicate\":false,\"recipients\":[]}]}],\"groups\":[],\"reports\":[]}", "unknown group"),
    ] {
        std::fs::write(&path, bad).unwrap();
        let err = History::load(&path).unwrap_err();
        assert!(matches!(err, Error::History { .. }), "{err}");
        assert!(err.to_string().contains(what), "{what}: {err}");
    }
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
