//! Checks the SMS corpus repeatedly, for profilers (`perf record`, callgrind).
//!
//! ```text
//! cargo run --release -p sendlint --example profile -- data/sms_spam_collection.tsv 20 [policy.toml]
//! SENDLINT_PROFILE_COLD=1 cargo run …   # every round on a fresh thread (empty phone memo)
//! ```
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("path to sms_spam_collection.tsv");
    let rounds: usize = args.next().map_or(10, |r| r.parse().expect("rounds"));
    let data = std::fs::read_to_string(path).expect("read corpus");
    let texts: Vec<&str> = data
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once('\t').map(|p| p.1))
        .collect();
    let policy = args.next().map_or_else(sendlint::Policy::default, |p| {
        sendlint::Policy::from_path(p).expect("policy")
    });
    let engine = sendlint::Engine::new(policy).expect("engine");
    let start = std::time::Instant::now();
    let mut findings = 0;
    // `SENDLINT_PROFILE_COLD=1`: each round on a fresh thread, so every round
    // starts with an empty per-thread phone memo (what a new worker sees).
    let cold = std::env::var_os("SENDLINT_PROFILE_COLD").is_some_and(|v| v == "1");
    let round = || {
        texts
            .iter()
            .map(|text| {
                engine
                    .check(&sendlint::Message::new(text))
                    .unwrap()
                    .findings
                    .len()
            })
            .sum::<usize>()
    };
    for _ in 0..rounds {
        findings += if cold {
            std::thread::scope(|scope| scope.spawn(round).join().unwrap())
        } else {
            round()
        };
    }
    let per = start.elapsed() / (rounds * texts.len()) as u32;
    println!(
        "{} checks, {findings} findings, {per:?} per message",
        rounds * texts.len()
    );
}
