//! The policy's time zone works where the system's time zone database lacks it
//! (slim containers have no `/usr/share/zoneinfo`, old systems miss newer zones):
//! sendlint carries a copy of the IANA database.
//!
//! Its own test binary, because it points jiff's system database at a directory
//! of our choosing (`TZDIR`) before anything reads it, which a process shared
//! with other tests could not promise.

use sendlint::{Engine, Policy};

#[test]
fn time_zones_resolve_without_the_system_database() {
    // A "system" database that knows one zone only (jiff ignores an empty one).
    let dir = std::env::temp_dir().join(format!("sendlint-tzdir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Factory"), b"").unwrap();
    // Only this test runs in this process, so nothing reads the variable concurrently.
    std::env::set_var("TZDIR", &dir);
    let system_has_berlin = jiff::tz::db().get("Europe/Berlin").is_ok();
    let policy = Policy::from_toml("schema_version = 1\ntime_zone = \"Europe/Berlin\"\n");
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        !system_has_berlin,
        "the test needs a system database without Berlin"
    );
    let policy = policy.expect("Europe/Berlin from the built-in copy");
    Engine::new(policy).unwrap();
    let err =
        Policy::from_toml("schema_version = 1\ntime_zone = \"Europe/Atlantis\"\n").unwrap_err();
    assert!(err.to_string().contains("time_zone"), "{err}");
}
