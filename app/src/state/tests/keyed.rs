//! `by_id`: keying a list as `collect` keys it, whatever the list's order.

use super::super::*;

#[test]
fn by_id_table() {
    // (IDs in list order, payloads in list order, the map's (ID, payload) in key order)
    let cases: &[(&str, &[&str], &[(&str, u32)])] = &[
        ("empty", &[], &[]),
        ("sorted", &["a", "b"], &[("a", 0), ("b", 1)]),
        ("reversed", &["b", "a"], &[("a", 1), ("b", 0)]),
        (
            "eight bytes alike",
            &["abcdefgh2", "abcdefgh1", "abcdefgh"],
            &[("abcdefgh", 2), ("abcdefgh1", 1), ("abcdefgh2", 0)],
        ),
        (
            "zero padding",
            &["ab\0", "ab", "a"],
            &[("a", 2), ("ab", 1), ("ab\0", 0)],
        ),
        (
            "the later of one ID wins",
            &["x", "y", "x"],
            &[("x", 2), ("y", 1)],
        ),
        ("an empty ID", &["a", ""], &[("", 1), ("a", 0)]),
    ];
    for (name, ids, want) in cases {
        let items: Vec<(String, u32)> = (ids.iter().zip(0..))
            .map(|(id, at)| (id.to_string(), at))
            .collect();
        let collected: BTreeMap<String, (String, u32)> = (items.iter().cloned())
            .map(|item| (item.0.clone(), item))
            .collect();
        let keyed = by_id(items, |(id, _)| id);
        assert_eq!(keyed, collected, "{name}: as collect keys it");
        let got: Vec<(&str, u32)> = keyed.iter().map(|(k, v)| (k.as_str(), v.1)).collect();
        assert_eq!(got, *want, "{name}");
    }
}

#[test]
fn id_prefixes_sort_as_their_ids() {
    // (a, b): a sorts before b, or ties on its first eight bytes.
    let cases = [
        ("", "a"),
        ("a", "b"),
        ("a", "ab"),
        ("ab", "ab\0"),
        ("abcdefgh", "abcdefgh0"),
        ("abcdefgz", "abcdefh"),
        ("zz", "\u{e9}"),
    ];
    for (a, b) in cases {
        assert!(a < b, "{a:?} < {b:?}: the table's own order");
        assert!(id_prefix(a) <= id_prefix(b), "{a:?} vs {b:?}");
    }
}
