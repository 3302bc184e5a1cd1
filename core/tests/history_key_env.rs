//! The `SENDLINT_HISTORY_KEY` fallback. In its own test binary: the environment
//! is shared by every thread of a process, and only this one test touches it.

use jiff::Timestamp;
use sendlint::{Engine, Error, History, Message, RuleId};

const VARIABLE: &str = "SENDLINT_HISTORY_KEY";
const KEY: &str = "a-secret-from-the-environment-7e";

#[test]
fn the_key_comes_from_the_environment_when_none_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.json");
    let engine = Engine::default();
    let one = vec!["+4917012345678".to_owned()];
    let ad = "Anzeige: Adventskalender jetzt vorbestellen, 10 % Frühbucherrabatt";
    let at = |h: i64| {
        "2026-11-02T08:00:00Z".parse::<Timestamp>().unwrap() + jiff::SignedDuration::from_hours(h)
    };

    // No key anywhere: a random key, which the history says it has.
    std::env::remove_var(VARIABLE);
    assert_eq!(History::new().key_fingerprint(), None);
    std::env::set_var(VARIABLE, "");
    assert_eq!(
        History::new().key_fingerprint(),
        None,
        "empty counts as unset"
    );

    // A history recorded with the caller's key cannot be loaded without it.
    let keyed = History::with_key(KEY.as_bytes()).unwrap();
    for h in [0, 72] {
        let message = Message::new(ad).account("a").recipients(&one).at(at(h));
        engine.record(&keyed, &message).unwrap();
    }
    keyed.save(&path).unwrap();
    std::env::remove_var(VARIABLE);
    let err = History::load(&path).unwrap_err();
    assert!(matches!(err, Error::History { .. }), "{err}");
    assert!(err.to_string().contains(VARIABLE), "{err}");

    // The same key in the environment loads it, and recipients still match.
    std::env::set_var(VARIABLE, KEY);
    assert_eq!(History::new().key_fingerprint(), keyed.key_fingerprint());
    let loaded = History::load(&path).unwrap();
    let third = Message::new(ad)
        .account("a")
        .recipients(&one)
        .at(at(144))
        .history(&loaded);
    assert!(engine.check(&third).unwrap().has(RuleId::Fatigue));
    // Another key in the environment is refused.
    std::env::set_var(VARIABLE, "not-the-key-it-was-recorded-with");
    assert!(History::load(&path).is_err());

    // A history saved with a random key loads under any key, but its old
    // recipient ids match nothing: fatigue starts over.
    std::env::remove_var(VARIABLE);
    let random = History::new();
    for h in [0, 72] {
        let message = Message::new(ad).account("a").recipients(&one).at(at(h));
        engine.record(&random, &message).unwrap();
    }
    random.save(&path).unwrap();
    let reloaded = History::load(&path).unwrap();
    assert_eq!(reloaded.len(), 2);
    let third = Message::new(ad)
        .account("a")
        .recipients(&one)
        .at(at(144))
        .history(&reloaded);
    assert!(!engine.check(&third).unwrap().has(RuleId::Fatigue));
    let same_process = Message::new(ad)
        .account("a")
        .recipients(&one)
        .at(at(144))
        .history(&random);
    assert!(engine.check(&same_process).unwrap().has(RuleId::Fatigue));
}
