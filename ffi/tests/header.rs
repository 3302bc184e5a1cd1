//! The checked-in header is exactly what the pinned cbindgen makes of the
//! source. `SENDLINT_BLESS=1 cargo test -p sendlint-ffi --test header` rewrites it.

use std::path::Path;

#[test]
fn header_matches_the_source() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen reads ffi/src");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).unwrap();
    let path = crate_dir.join("include/sendlint.h");
    if std::env::var_os("SENDLINT_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "include/sendlint.h drifted from ffi/src/lib.rs: run \
         SENDLINT_BLESS=1 cargo test -p sendlint-ffi --test header and commit it"
    );
    // What C callers rely on is in it.
    for needle in [
        "SENDLINT_OK = 0",
        "typedef struct sendlint_engine sendlint_engine;",
        "sendlint_status sendlint_check_text(",
        "#define SENDLINT_RULE_OFF_TOPIC",
        "typedef struct sendlint_audience sendlint_audience;",
        "SENDLINT_IMPORT_STOPPED = 9",
        "SENDLINT_INVALID_AUDIENCE = 10",
        "sendlint_status sendlint_triage(",
        "extern \"C\"",
    ] {
        assert!(generated.contains(needle), "{needle}");
    }
}
