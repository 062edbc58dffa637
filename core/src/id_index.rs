//! Ids to positions (a rubric's criteria and themes): a list sorted by id, searched by
//! halving.
//!
//! It stands where a `HashMap` stood: for the tens of ids a rubric has, halving compares a
//! handful of short strings where a hash map hashes the whole key (SipHash) first, and it
//! keeps hashbrown, SipHash and the random seed's thread-local out of the browser module
//! (≈ 7 KB of code).

/// Ids (`K`: `String` or `&str`) to positions. Built from `(id, position)` pairs; an id
/// given twice keeps its last position, as `HashMap::from_iter` does.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex<K> {
    sorted: Vec<(K, usize)>,
}

impl<K: AsRef<str>> IdIndex<K> {
    /// The position of `id`, `None` when it is not there.
    pub(crate) fn get(&self, id: &str) -> Option<&usize> {
        self.sorted
            .binary_search_by(|(k, _)| k.as_ref().cmp(id))
            .ok()
            .and_then(|i| self.sorted.get(i))
            .map(|(_, v)| v)
    }
}

impl<K: AsRef<str>> FromIterator<(K, usize)> for IdIndex<K> {
    fn from_iter<I: IntoIterator<Item = (K, usize)>>(pairs: I) -> Self {
        let mut sorted: Vec<(K, usize)> = Vec::new();
        for (key, value) in pairs {
            match sorted.binary_search_by(|(k, _)| k.as_ref().cmp(key.as_ref())) {
                Ok(i) => {
                    if let Some(slot) = sorted.get_mut(i) {
                        slot.1 = value;
                    }
                }
                Err(i) => sorted.insert(i, (key, value)),
            }
        }
        IdIndex { sorted }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The same answers as a `HashMap` built from the same pairs, duplicates included.
    #[test]
    fn agrees_with_a_hash_map() {
        let ids = ["b", "a", "c", "a", "zz", "", "b-1", "B", "é", "a"];
        let pairs: Vec<(&str, usize)> = ids.iter().copied().zip(0..).collect();
        let index: IdIndex<&str> = pairs.iter().copied().collect();
        let map: HashMap<&str, usize> = pairs.iter().copied().collect();
        for probe in ids.iter().copied().chain(["x", "aa", "c ", "zzz"]) {
            assert_eq!(index.get(probe), map.get(probe), "{probe:?}");
        }
        let owned: IdIndex<String> = pairs.iter().map(|&(k, v)| (k.to_owned(), v)).collect();
        assert_eq!(owned.get("a"), Some(&9));
        assert_eq!(owned.get("q"), None);
    }
}
