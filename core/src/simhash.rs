//! 64-bit SimHash of a message, for near-duplicate detection.
//!
//! Features are character 3-grams of the folded view (letters and digits only,
//! case, accents, full-width forms and homoglyphs already folded), so the hash
//! works the same for text with spaces and for Chinese, Japanese or Korean text
//! without them, and ignores punctuation and emoji edits ("und" → "&", "!!!").
//! Each 3-gram is hashed with FNV-1a and a SplitMix64 finaliser: both are fixed
//! functions, so a hash stored in a history file means the same in every version.
//!
//! Similarity is `1 − Hamming/64`: unrelated texts sit near 0.5, light edits above
//! 0.8 (see the distribution test in `tests/history.rs` and BENCHMARKS.md).

/// The SimHash of a folded text.
pub(crate) fn simhash(folded: &str) -> u64 {
    let chars: Vec<char> = folded.chars().collect();
    let mut weights = [0i32; 64];
    let mut add = |feature: &[char]| {
        let hash = mix(fnv1a(feature));
        for (bit, weight) in weights.iter_mut().enumerate() {
            *weight += if hash >> bit & 1 == 1 { 1 } else { -1 };
        }
    };
    if chars.len() < 3 {
        if !chars.is_empty() {
            add(&chars);
        }
    } else {
        chars.windows(3).for_each(&mut add);
    }
    weights
        .iter()
        .enumerate()
        .filter(|(_, &w)| w > 0)
        .fold(0, |hash, (bit, _)| hash | 1 << bit)
}

/// `1 − Hamming(a, b)/64`, in `[0, 1]`.
///
/// # Examples
/// ```
/// assert_eq!(sendlint::similarity(0, 0), 1.0);
/// assert_eq!(sendlint::similarity(0, u64::MAX), 0.0);
/// ```
pub fn similarity(a: u64, b: u64) -> f64 {
    1.0 - f64::from((a ^ b).count_ones()) / 64.0
}

fn fnv1a(feature: &[char]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in feature {
        let mut buf = [0u8; 4];
        for &byte in c.encode_utf8(&mut buf).as_bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// SplitMix64's finaliser: spreads FNV's weak low bits over all 64.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_values() {
        // A stored history depends on these never changing.
        assert_eq!(simhash(""), 0);
        assert_eq!(simhash("abc"), simhash("abc"));
        assert_eq!(fnv1a(&['a']), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn edits_stay_close_and_strangers_far() {
        let a = simhash("unserneuerlippenstiftistdafur1990stattnur2490jetztimshop");
        let b = simhash("unserneuerlippenstiftistdafur1990stattnur2490jetztneuimshop");
        let c = simhash("morgengeschlossenwegeninventurwirfreuenunsaufihrenbesuch");
        assert!(similarity(a, b) > 0.8, "{}", similarity(a, b));
        assert!(similarity(a, c) < 0.8, "{}", similarity(a, c));
    }
}
