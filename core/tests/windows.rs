//! Time windows of the context rules: every window is half-open, so a send made
//! exactly one window length earlier is outside it (RULES.md, "Windows and
//! times"); `link_streak` counts calendar days in the policy's time zone;
//! `daily_volume` counts every promotional message.
//!
//! Each edge test checks one second inside the window (fires) and exactly the
//! window length (passes), with the same history.

use jiff::{SignedDuration, Timestamp};
use sendlint::{Engine, History, Kind, Message, Policy, RuleId};

fn t0() -> Timestamp {
    "2026-11-02T08:00:00Z".parse().unwrap()
}

fn days(d: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * d)
}

const SECOND: SignedDuration = SignedDuration::from_secs(1);

fn fires(engine: &Engine, message: &Message<'_>, rule: RuleId) -> bool {
    engine.check(message).unwrap().has(rule)
}

/// Asserts that `check(at)` fires `rule` one second before `edge` and not at it.
fn assert_edge<'a>(
    engine: &Engine,
    rule: RuleId,
    edge: Timestamp,
    check: impl Fn(Timestamp) -> Message<'a>,
) {
    assert!(
        fires(engine, &check(edge - SECOND), rule),
        "{rule}: one second inside the window must fire"
    );
    assert!(
        !fires(engine, &check(edge), rule),
        "{rule}: a send exactly one window earlier is outside the window"
    );
}

#[test]
fn daily_volume_window_is_24_hours_half_open() {
    let engine = Engine::default();
    let history = History::new();
    for i in 0..50 {
        let text = format!("Anzeige: Artikel {i} jetzt kaufen");
        engine
            .record(
                &history,
                &Message::new(&text).account("shop").at(t0()).kind(Kind::Ad),
            )
            .unwrap();
    }
    assert_edge(&engine, RuleId::DailyVolume, t0() + days(1), |at| {
        Message::new("Anzeige: noch ein Angebot")
            .account("shop")
            .at(at)
            .kind(Kind::Ad)
            .history(&history)
    });
}

#[test]
fn daily_volume_counts_offers_as_promotional() {
    let engine = Engine::default();
    let history = History::new();
    // 500 discount offers a day: today's count of hard ads stays at zero.
    for i in 0..500 {
        let text = format!("Anzeige: 10 % Rabatt auf Artikel {i}");
        let at = t0() + SignedDuration::from_secs(i * 60);
        engine
            .record(
                &history,
                &Message::new(&text).account("shop").at(at).kind(Kind::Offer),
            )
            .unwrap();
    }
    let at = t0() + SignedDuration::from_hours(10);
    let offer = Message::new("Anzeige: 15 % Rabatt auf alles")
        .account("shop")
        .at(at)
        .kind(Kind::Offer)
        .history(&history);
    let report = engine.check(&offer).unwrap();
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == RuleId::DailyVolume)
        .expect("500 offers a day are more than 50 promotional messages");
    assert_eq!(finding.evidence["promotional_in_24h"], 501);
    assert_eq!(finding.evidence["offers_in_24h"], 501);
    assert_eq!(finding.evidence["ads_in_24h"], 0);
    assert_eq!(finding.evidence["max_promotional"], 50);
    // A useful message is not promotional, however many offers went before.
    let useful = Message::new("Danke für Ihren Besuch!")
        .account("shop")
        .at(at)
        .kind(Kind::Useful)
        .history(&history);
    assert!(!fires(&engine, &useful, RuleId::DailyVolume));
}

#[test]
fn daily_volume_adds_ads_and_offers() {
    let engine = Engine::default();
    let history = History::new();
    for i in 0..50 {
        let kind = if i % 2 == 0 { Kind::Ad } else { Kind::Offer };
        let text = format!("Anzeige: Angebot Nummer {i}");
        engine
            .record(
                &history,
                &Message::new(&text).account("shop").at(t0()).kind(kind),
            )
            .unwrap();
    }
    let next = |kind| {
        Message::new("Anzeige: das nächste Angebot")
            .account("shop")
            .at(t0() + SECOND)
            .kind(kind)
    };
    let report = engine.check(&next(Kind::Ad).history(&history)).unwrap();
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == RuleId::DailyVolume)
        .expect("25 ads + 25 offers + this ad = 51");
    assert_eq!(finding.evidence["ads_in_24h"], 26);
    assert_eq!(finding.evidence["offers_in_24h"], 25);
    assert_eq!(finding.evidence["promotional_in_24h"], 51);
    // With the limit at 51 (written under its old name), 51 is allowed.
    let policy =
        Policy::from_toml("schema_version = 1\n[rules.daily_volume]\nmax_ads = 51\n").unwrap();
    assert_eq!(policy.rules.daily_volume.max_promotional, 51);
    let lenient = Engine::new(policy).unwrap();
    assert!(!fires(
        &lenient,
        &next(Kind::Offer).history(&history),
        RuleId::DailyVolume
    ));
}

#[test]
fn content_mix_window_is_7_days_half_open() {
    let engine = Engine::default();
    let history = History::new();
    // The ad at the edge, then nine useful messages well inside the window.
    engine
        .record(
            &history,
            &Message::new("Anzeige: Stollen jetzt bestellen")
                .account("b")
                .at(t0())
                .kind(Kind::Ad),
        )
        .unwrap();
    for i in 0..9 {
        let text = format!("Tipp {i}: so bleibt Brot länger frisch");
        engine
            .record(
                &history,
                &Message::new(&text)
                    .account("b")
                    .at(t0() + days(1) + SignedDuration::from_hours(i))
                    .kind(Kind::Useful),
            )
            .unwrap();
    }
    // Inside: 2 ads of 11 messages (18 % > 10 %). At the edge: 1 of 10 (10 %).
    assert_edge(&engine, RuleId::ContentMix, t0() + days(7), |at| {
        Message::new("Anzeige: Christstollen jetzt kaufen")
            .account("b")
            .at(at)
            .kind(Kind::Ad)
            .history(&history)
    });
}

#[test]
fn fatigue_window_is_30_days_half_open() {
    let engine = Engine::default();
    let history = History::new();
    let one = vec!["+4917012345678".to_owned()];
    let ad = "Anzeige: Adventskalender jetzt vorbestellen, 10 % Frühbucherrabatt";
    for at in [t0(), t0() + days(10)] {
        engine
            .record(
                &history,
                &Message::new(ad).account("a").recipients(&one).at(at),
            )
            .unwrap();
    }
    // Inside: the third exposure (3 > 2.8). At the edge: the second.
    assert_edge(&engine, RuleId::Fatigue, t0() + days(30), |at| {
        Message::new(ad)
            .account("a")
            .recipients(&one)
            .at(at)
            .history(&history)
    });
}

#[test]
fn duplicate_share_window_is_30_days_half_open() {
    let engine = Engine::default();
    let history = History::new();
    let spam = "Anzeige: Frische Brezeln heute im Angebot, nur 0,90 € das Stück";
    let record = |text: &str, at| {
        engine
            .record(&history, &Message::new(text).account("b").at(at))
            .unwrap();
    };
    record(spam, t0());
    for day in 10..13 {
        record(spam, t0() + days(day));
    }
    record("Tipp: Sauerteig einmal am Tag füttern", t0() + days(14));
    record("Unsere Öffnungszeiten über die Feiertage", t0() + days(15));
    // Inside: 5 near-duplicates of 7 messages (71 % > 70 %). At the edge the
    // first copy is out: 4 of 6 (67 %).
    assert_edge(&engine, RuleId::DuplicateShare, t0() + days(30), |at| {
        Message::new(spam).account("b").at(at).history(&history)
    });
}

#[test]
fn reported_content_window_is_30_days_half_open() {
    let engine = Engine::default();
    let history = History::new();
    let spam = "Sie haben gewonnen! Jetzt Preis abholen";
    engine
        .record_report(&history, &Message::new(spam).at(t0()))
        .unwrap();
    for _ in 0..5 {
        engine
            .record_report(&history, &Message::new(spam).at(t0() + days(1)))
            .unwrap();
    }
    // Inside: 6 reports (more than 5). At the edge: 5.
    assert_edge(&engine, RuleId::ReportedContent, t0() + days(30), |at| {
        Message::new(spam).at(at).history(&history)
    });
}

/// Records a link send to a large audience for each time, then checks one more
/// at `today`.
fn link_streak_fires(policy: &str, sends: &[&str], today: &str) -> bool {
    let engine = Engine::new(Policy::from_toml(policy).unwrap()).unwrap();
    let history = History::new();
    let audience: Vec<String> = (0..120).map(|i| format!("+49170{i:07}")).collect();
    let text = "Neu im Shop: https://www.example-shop.de/neu";
    for at in sends {
        engine
            .record(
                &history,
                &Message::new(text)
                    .account("s")
                    .recipients(&audience)
                    .at(at.parse().unwrap()),
            )
            .unwrap();
    }
    let message = Message::new(text)
        .account("s")
        .recipients(&audience)
        .at(today.parse().unwrap())
        .history(&history);
    fires(&engine, &message, RuleId::LinkStreak)
}

const UTC: &str = "schema_version = 1\n";
const BERLIN: &str = "schema_version = 1\ntime_zone = \"Europe/Berlin\"\n";

#[test]
fn link_streak_days_follow_the_policy_time_zone() {
    // November: Berlin is UTC+1. The 23:30 UTC send of 2 November is 00:30 on
    // 3 November in Berlin, so Berlin sees links on each of 2–8 November, while
    // UTC sees two sends on the 2nd and none on the 3rd.
    let sends = [
        "2026-11-02T08:00:00Z",
        "2026-11-02T23:30:00Z",
        "2026-11-04T11:00:00Z",
        "2026-11-05T11:00:00Z",
        "2026-11-06T11:00:00Z",
        "2026-11-07T11:00:00Z",
    ];
    let today = "2026-11-08T11:00:00Z";
    assert!(link_streak_fires(BERLIN, &sends, today));
    assert!(!link_streak_fires(UTC, &sends, today));

    // The other way round: 23:30 UTC sends on the 2nd and 3rd fall on the 3rd and
    // 4th in Berlin, leaving Berlin's 2 November without links.
    let sends = [
        "2026-11-02T23:30:00Z",
        "2026-11-03T23:30:00Z",
        "2026-11-04T11:00:00Z",
        "2026-11-05T11:00:00Z",
        "2026-11-06T11:00:00Z",
        "2026-11-07T11:00:00Z",
    ];
    assert!(link_streak_fires(UTC, &sends, today));
    assert!(!link_streak_fires(BERLIN, &sends, today));
}

#[test]
fn link_streak_counts_seven_calendar_days_not_more() {
    // Seven Berlin days are 2–8 November. The oldest send decides: the first
    // second of the 2nd (Berlin) is inside, the last second of the 1st is not.
    let rest = [
        "2026-11-03T11:00:00Z",
        "2026-11-04T11:00:00Z",
        "2026-11-05T11:00:00Z",
        "2026-11-06T11:00:00Z",
        "2026-11-07T11:00:00Z",
    ];
    let today = "2026-11-08T11:00:00Z";
    let with = |first: &'static str| {
        let mut sends = vec![first];
        sends.extend(rest);
        sends
    };
    // 23:00 UTC on 1 November is 00:00 on the 2nd in Berlin: inside.
    assert!(link_streak_fires(
        BERLIN,
        &with("2026-11-01T23:00:00Z"),
        today
    ));
    // One second earlier is 23:59:59 on the 1st in Berlin: the 8th day back.
    assert!(!link_streak_fires(
        BERLIN,
        &with("2026-11-01T22:59:59Z"),
        today
    ));
}

#[test]
fn link_streak_across_the_daylight_saving_change() {
    // Berlin leaves summer time on 25 October 2026 (03:00 CEST -> 02:00 CET).
    // 22:30 UTC is 00:30 in Berlin during summer time but 23:30 in winter.
    let sends = [
        "2026-10-21T22:30:00Z", // 22 Oct 00:30 CEST
        "2026-10-22T22:30:00Z", // 23 Oct
        "2026-10-23T22:30:00Z", // 24 Oct
        "2026-10-24T22:30:00Z", // 25 Oct 00:30 CEST
        "2026-10-25T22:30:00Z", // 25 Oct 23:30 CET: the 25th again, the 26th is empty
        "2026-10-27T11:00:00Z", // 27 Oct
    ];
    let today = "2026-10-28T11:00:00Z";
    assert!(!link_streak_fires(BERLIN, &sends, today));
    let mut filled = sends.to_vec();
    filled.push("2026-10-26T11:00:00Z");
    assert!(link_streak_fires(BERLIN, &filled, today));
}
