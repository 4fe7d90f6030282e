//! Stable sorting through one shared copy of the standard library's sort.
//!
//! `slice::sort_by` and friends are generic over the element *and* the comparison closure, so
//! every call site compiles its own copy of the whole driftsort machinery (≈ 4 KB of wasm each;
//! the app's sort code was ≈ 66 KB before this module, mostly one driftsort per call site). The
//! functions here sort a list of positions with a `dyn` comparison — one copy of the sort for
//! every caller — and then move the items into that order, which is a few hundred bytes per
//! element type. A caller that sorts row indexes already ([`sort_positions_by`]) sorts them
//! directly, without a second list of positions.
//!
//! For lists a person sees (dashboards, alerts, table rows, categories); the hot numeric paths
//! (M4's picked indices, live buckets) keep `sort_unstable` on their plain numbers.
//!
//! ```
//! let mut names = vec!["b".to_owned(), "A".to_owned(), "c".to_owned()];
//! vantage_widgets::sort::sort_by_key(&mut names, |n| n.to_lowercase());
//! assert_eq!(names, ["A", "b", "c"]);
//! ```

use std::cmp::Ordering;

/// Sorts `items` by `compare`, stably (equal items keep their order), like `<[T]>::sort_by`.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<u32> = (0..items.len() as u32).collect();
    sort_positions_by(&mut order, |a, b| {
        compare(&items[a as usize], &items[b as usize])
    });
    permute(items, &mut order);
}

/// Sorts positions (row indexes and the like) by `compare`, stably, in place — for a caller
/// whose list already is positions into its data, which [`sort_by`] would wrap in a second one.
pub fn sort_positions_by(order: &mut [u32], mut compare: impl FnMut(u32, u32) -> Ordering) {
    sort_positions(order, &mut compare);
}

/// Sorts `items` by the key `key` gives each (computed for each comparison), stably, like
/// `<[T]>::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` in their natural order, stably, like `<[T]>::sort`.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The one instance of the standard sort: positions ordered by a `dyn` comparison.
#[inline(never)]
fn sort_positions(order: &mut [u32], compare: &mut dyn FnMut(u32, u32) -> Ordering) {
    order.sort_by(|&a, &b| compare(a, b));
}

/// Moves `items` so that position `i` holds what was at `order[i]`, following each cycle of
/// the permutation with swaps (no copy of the items, no `Clone`). `order` is used up.
fn permute<T>(items: &mut [T], order: &mut [u32]) {
    for start in 0..items.len() {
        let mut at = start;
        // Each position is visited once: a placed position points at itself.
        while order[at] as usize != at {
            let from = order[at] as usize;
            order[at] = at as u32;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_library_and_keeps_equal_items_in_order() {
        // A small generator, so the permutations are many and varied but reproducible.
        let mut seed = 0x9e37_79b9_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for len in [0, 1, 2, 3, 7, 20, 21, 64, 65, 500, 2_000] {
            // (key, original position): the key has few values, so stability is tested.
            let items: Vec<(u32, usize)> = (0..len).map(|i| (next() % 7, i)).collect();
            let mut ours = items.clone();
            sort_by_key(&mut ours, |&(key, _)| key);
            let mut theirs = items.clone();
            theirs.sort_by_key(|&(key, _)| key);
            assert_eq!(ours, theirs, "length {len}");
            let mut reversed = items.clone();
            sort_by(&mut reversed, |a, b| b.0.cmp(&a.0));
            theirs.sort_by_key(|b| std::cmp::Reverse(b.0));
            assert_eq!(reversed, theirs, "length {len}, descending");
            let mut positions: Vec<u32> = (0..len as u32).collect();
            sort_positions_by(&mut positions, |a, b| {
                items[a as usize].0.cmp(&items[b as usize].0)
            });
            let mut expected: Vec<u32> = (0..len as u32).collect();
            expected.sort_by_key(|&i| items[i as usize].0);
            assert_eq!(positions, expected, "length {len}, positions");
        }
    }

    #[test]
    fn moves_items_that_are_not_clone() {
        let mut items: Vec<Box<str>> = ["pear", "apple", "fig", "apple"]
            .into_iter()
            .map(Box::from)
            .collect();
        sort(&mut items);
        assert_eq!(items, ["apple", "apple", "fig", "pear"].map(Box::from));
    }
}
