//! A colour per service, chosen for the whole cluster at once so that services on one screen
//! stay apart.
//!
//! Why not a hash of the name mod 360 (what this replaces): five services came out at hues
//! 126, 146, 152, 159 and 75, four greens. Independent random hues collide often, however good
//! the hash. So the colours are handed out together, from the cluster's set of service names,
//! as slots on a wheel of 12 hues 30° apart:
//!
//! - **Apart.** The wheel is filled in two tiers: first the even slots (60° apart), then the
//!   odd ones. So up to 6 services are at least 60° apart, up to 12 at least 30° (the wheel
//!   is full then). Past 12, another ring of 12 is used, its hues 15° off the previous
//!   ring's and its lightness a step darker or lighter (`light`, -1..=1): up to 36 services,
//!   hues less than 30° apart differ in lightness too; `(hue, light)` pairs stay distinct for
//!   up to [`DISTINCT`] services and repeat past that (such a screen is in dense mode, where
//!   a mark's title says what colour cannot).
//! - **The same everywhere.** Only the set of names counts, not its order nor the filters, so
//!   every screen, the grid and the services table agree.
//! - **Stable.** Evenly spreading the sorted names would give the widest gaps, but one new
//!   service would shift every other colour. Instead each service has a priority and a
//!   preferred slot in each tier, both from a hash of its name; in priority order, each takes
//!   the first free slot from its preferred one in the lowest tier with room. A new service
//!   changes its own colour, plus those of lower-priority services it pushes along (a chain).
//!   Measured over random names, one more service repaints on average 0.4 others among 3,
//!   1.1 among 5, 2.5 among 11, 4.5 among 20; removing one is the mirror image. A third tier
//!   (3 slots 120° apart first) would keep 2 or 3 services further apart but moves services
//!   between tiers more often (1.1 repaints among 3, 1.4 among 5), so two it is. The
//!   starting hue is fixed, not derived from the set, for the same reason.

use crate::state::ClusterState;
use std::collections::BTreeMap;

/// Hues on one ring; 360 / RING = 30° between neighbours.
const RING: usize = 12;
const STEP: u16 = (360 / RING) as u16;
/// Slot 0's hue: a blue. The first tier is then 210 (blue), 270 (violet), 330 (pink), 30
/// (orange), 90 (lime), 150 (green): none on the red the page uses for failed tasks.
const START: u16 = 210;
/// A ring's slots, in the order tiers are filled: the second halves the gaps the first leaves.
const TIERS: [&[usize]; 2] = [&[0, 2, 4, 6, 8, 10], &[1, 3, 5, 7, 9, 11]];
/// Rings differ by hue offset (2 kinds) and lightness (3 kinds): 6 rings before a repeat.
const RINGS_DISTINCT: usize = 6;
/// How many services get distinct `(hue, light)` pairs.
pub const DISTINCT: usize = RING * RINGS_DISTINCT;

/// One service's colour: CSS reads it as `--svc-hue` (degrees) and `--svc-light` (a step,
/// -1 darker, 0, 1 lighter; each rule scales it to suit its own lightness).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Swatch {
    pub hue: u16,
    pub light: i8,
}

impl Swatch {
    fn of_slot(slot: usize) -> Swatch {
        let ring = slot / RING;
        let offset = if ring % 2 == 1 { STEP / 2 } else { 0 };
        let step = (slot % RING) as u16; // < 12
        Swatch {
            hue: (START + STEP * step + offset) % 360,
            light: [0, -1, 1][ring % 3],
        }
    }

    /// The inline style that sets the CSS variables.
    pub fn style(self) -> String {
        format!("--svc-hue: {}; --svc-light: {}", self.hue, self.light)
    }
}

/// Every service's colour, by name: built once per change of the set of services.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceColours(BTreeMap<String, Swatch>);

impl ServiceColours {
    /// The colours for a set of names (order and repeats do not matter).
    pub fn new<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> ServiceColours {
        let mut names: Vec<(u32, String)> = names
            .into_iter()
            .map(|n| (hash(n.as_ref()), n.as_ref().to_string()))
            .collect();
        // Priority: by hash, so which services yield their slot to a newcomer is not decided
        // by the alphabet (a stack's services share a prefix); the name breaks ties.
        names.sort();
        names.dedup();
        let rings = names.len().div_ceil(RING);
        let mut taken = vec![false; rings * RING];
        let mut colours = BTreeMap::new();
        for (hash, name) in names {
            // There are at least as many slots as names, so one is always free.
            if let Some(slot) = probe(hash, rings).find(|&s| !taken[s]) {
                taken[slot] = true;
                colours.insert(name, Swatch::of_slot(slot));
            }
        }
        ServiceColours(colours)
    }

    pub fn get(&self, name: &str) -> Option<Swatch> {
        self.0.get(name).copied()
    }

    /// The inline style for a service's card or swatch; empty for a name the cluster does
    /// not have (a task whose service is gone), which the CSS leaves untinted.
    pub fn style(&self, name: &str) -> String {
        self.get(name).map(Swatch::style).unwrap_or_default()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, Swatch)> {
        self.0.iter().map(|(name, swatch)| (name.as_str(), *swatch))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The cluster's service names, sorted: what the colours depend on, so a component can
/// memoise them and rebuild the colours only when the set changes, not on every task update.
pub fn service_names(state: &ClusterState) -> Vec<String> {
    let mut names: Vec<String> = state.services.values().map(|s| s.name.clone()).collect();
    names.sort();
    names.dedup();
    names
}

/// The slots a service tries, in order: ring by ring, tier by tier, each tier from the
/// service's preferred position in it round to the end.
fn probe(hash: u32, rings: usize) -> impl Iterator<Item = usize> {
    (0..rings).flat_map(move |ring| {
        TIERS.iter().enumerate().flat_map(move |(t, tier)| {
            // Different bits per tier, so the tiers' preferences are unrelated.
            let start = (hash.rotate_right(8 * t as u32) as usize) % tier.len();
            (0..tier.len()).map(move |i| ring * RING + tier[(start + i) % tier.len()])
        })
    })
}

/// FNV-1a: tiny, and spreads similar names apart.
fn hash(name: &str) -> u32 {
    name.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("svc-{i}")).collect()
    }

    /// Degrees between two hues, the short way round the wheel.
    fn gap(a: u16, b: u16) -> u16 {
        let d = a.abs_diff(b) % 360;
        d.min(360 - d)
    }

    fn min_gap(colours: &ServiceColours) -> u16 {
        let hues: Vec<u16> = colours.iter().map(|(_, s)| s.hue).collect();
        let mut min = 360;
        for (i, a) in hues.iter().enumerate() {
            for b in &hues[i + 1..] {
                min = min.min(gap(*a, *b));
            }
        }
        min
    }

    #[test]
    fn up_to_twelve_services_are_at_least_30_degrees_apart() {
        // The least gap promised: a tier of 6 slots, then all 12.
        let promised = |n: usize| if n <= 6 { 60 } else { 30 };
        // Two kinds of name sets: numbered, and the course lab's (stack services share a
        // prefix), whose hashed hues once made four of five cards green.
        let lab = [
            "echo",
            "echo_api",
            "echo_proxy",
            "viz_visualizer",
            "registry",
            "ch03_api",
            "ch03_proxy",
            "demo_web",
            "demo_api",
            "hello",
            "web",
            "proxy",
        ];
        for n in 1..=RING {
            for set in [names(n), lab[..n].iter().map(|s| s.to_string()).collect()] {
                let colours = ServiceColours::new(&set);
                assert_eq!(colours.len(), n, "{set:?}");
                assert!(min_gap(&colours) >= promised(n), "{n}: {colours:?}");
                assert!(colours.iter().all(|(_, s)| s.light == 0 && s.hue < 360));
            }
        }
    }

    #[test]
    fn the_same_set_in_any_order_gets_the_same_colours() {
        let forward = names(20);
        let mut backward = forward.clone();
        backward.reverse();
        let mut shuffled = forward.clone();
        shuffled.rotate_left(7);
        shuffled.swap(0, 13);
        let mut repeated = forward.clone();
        repeated.extend(forward[..5].iter().cloned());
        let want = ServiceColours::new(&forward);
        for (what, set) in [
            ("backward", backward),
            ("shuffled", shuffled),
            ("repeats", repeated),
        ] {
            assert_eq!(ServiceColours::new(&set), want, "{what}");
        }
    }

    #[test]
    fn past_twelve_lightness_keeps_neighbours_apart() {
        for n in [13, 18, 24, 25, 36, 40, DISTINCT] {
            let colours = ServiceColours::new(names(n));
            let mut pairs: Vec<Swatch> = colours.iter().map(|(_, s)| s).collect();
            pairs.sort();
            pairs.dedup();
            assert_eq!(pairs.len(), n, "{n} services share a (hue, light)");
            // Up to three rings, hues closer than a ring's 30° differ in lightness too.
            for a in pairs.iter().filter(|_| n <= 3 * RING) {
                for b in &pairs {
                    if a != b && gap(a.hue, b.hue) < STEP {
                        assert_ne!(a.light, b.light, "{a:?} {b:?}");
                    }
                }
            }
        }
        // Past what stays distinct, everyone still gets a colour.
        assert_eq!(
            ServiceColours::new(names(DISTINCT + 30)).len(),
            DISTINCT + 30
        );
    }

    #[test]
    fn no_services_and_one_service() {
        let none = ServiceColours::new(Vec::<String>::new());
        assert!(none.is_empty());
        assert_eq!(none.style("echo"), "");
        let one = ServiceColours::new(["echo"]);
        let swatch = one.get("echo").expect("a colour for echo");
        assert_eq!(
            one.style("echo"),
            format!("--svc-hue: {}; --svc-light: 0", swatch.hue)
        );
        assert_eq!(
            one.style("other"),
            "",
            "a name outside the set is left untinted"
        );
    }

    /// Growing a cluster one service at a time: services that outrank the newcomer never
    /// change, and most others keep their colour too. The figures are printed; the bound
    /// asserted is loose (a quarter of the colours in all), since repaints are a trade-off.
    #[test]
    fn a_new_service_repaints_few_others() {
        let (mut total, mut kept, mut worst) = (0, 0, 0);
        for n in 1..=40 {
            let before = ServiceColours::new(names(n));
            let after = ServiceColours::new(names(n + 1));
            let newcomer = format!("svc-{n}");
            let changed: Vec<&str> = before
                .iter()
                .filter(|(name, s)| after.get(name) != Some(*s))
                .map(|(name, _)| name)
                .collect();
            for name in &changed {
                assert!(
                    (hash(name), *name) > (hash(&newcomer), newcomer.as_str()),
                    "{name} outranks {newcomer} yet changed colour"
                );
            }
            assert!(
                n < 2 || changed.len() < n,
                "adding {newcomer} repainted all {n}"
            );
            worst = worst.max(changed.len());
            total += changed.len();
            kept += n - changed.len();
        }
        println!(
            "adding the 2nd..41st service: {total} repainted, {kept} kept, at most {worst} at once"
        );
        assert!(total * 4 < total + kept, "{total} repainted, {kept} kept");
    }
}
