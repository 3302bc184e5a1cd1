//! A fixed-universe bit set over contact positions: label membership and the
//! value of label expressions. One bit per contact, so 100,000 contacts take
//! 12.5 KB per label and AND/OR/NOT run over 1,563 words.

/// A set of contact positions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Bitset {
    words: Vec<u64>,
}

impl Bitset {
    /// The empty set with room for `len` positions.
    pub(crate) fn empty(len: usize) -> Bitset {
        Bitset {
            words: vec![0; len.div_ceil(64)],
        }
    }

    /// Every position below `len`.
    pub(crate) fn full(len: usize) -> Bitset {
        let mut set = Bitset {
            words: vec![u64::MAX; len.div_ceil(64)],
        };
        set.clear_from(len);
        set
    }

    /// Clears the bits at and above `len` in the last word (so NOT never adds
    /// positions past the last contact).
    fn clear_from(&mut self, len: usize) {
        let rest = len % 64;
        if rest != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << rest) - 1;
            }
        }
    }

    fn grow(&mut self, position: usize) {
        let needed = position / 64 + 1;
        if self.words.len() < needed {
            self.words.resize(needed, 0);
        }
    }

    pub(crate) fn insert(&mut self, position: usize) {
        self.grow(position);
        self.words[position / 64] |= 1 << (position % 64);
    }

    pub(crate) fn remove(&mut self, position: usize) {
        if let Some(word) = self.words.get_mut(position / 64) {
            *word &= !(1 << (position % 64));
        }
    }

    pub(crate) fn contains(&self, position: usize) -> bool {
        self.words
            .get(position / 64)
            .is_some_and(|word| word & (1 << (position % 64)) != 0)
    }

    pub(crate) fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub(crate) fn and(&mut self, other: &Bitset) {
        self.words.truncate(other.words.len());
        for (word, other) in self.words.iter_mut().zip(&other.words) {
            *word &= other;
        }
    }

    pub(crate) fn or(&mut self, other: &Bitset) {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (word, other) in self.words.iter_mut().zip(&other.words) {
            *word |= other;
        }
    }

    /// The complement within the first `len` positions.
    pub(crate) fn not(&mut self, len: usize) {
        self.words.resize(len.div_ceil(64), 0);
        for word in &mut self.words {
            *word = !*word;
        }
        self.clear_from(len);
    }

    /// The positions in the set, ascending.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(i * 64 + bit)
            })
        })
    }

    /// Heap bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.words.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations_stay_inside_the_universe() {
        let mut a = Bitset::empty(130);
        for i in [0, 63, 64, 129] {
            a.insert(i);
        }
        assert_eq!(a.iter().collect::<Vec<_>>(), [0, 63, 64, 129]);
        let mut b = Bitset::empty(130);
        b.insert(64);
        b.insert(5);
        let mut and = a.clone();
        and.and(&b);
        assert_eq!(and.iter().collect::<Vec<_>>(), [64]);
        let mut or = a.clone();
        or.or(&b);
        assert_eq!(or.len(), 5);
        let mut not = a.clone();
        not.not(130);
        assert_eq!(not.len(), 126);
        assert!(!not.contains(129) && !not.contains(130) && not.contains(128));
        assert_eq!(Bitset::full(130).len(), 130);
        a.remove(63);
        assert!(!a.contains(63));
        // A set that grew shorter than the universe still complements correctly.
        let mut short = Bitset::default();
        short.not(70);
        assert_eq!(short.len(), 70);
    }
}
