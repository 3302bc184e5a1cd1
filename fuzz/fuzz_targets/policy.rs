//! Any bytes as a TOML or JSON policy: an error or a valid engine, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sendlint::{Engine, Policy};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [Policy::from_toml(text), Policy::from_json(text)] {
        if let Ok(policy) = parsed {
            let _ = Engine::new(policy);
        }
    }
});
