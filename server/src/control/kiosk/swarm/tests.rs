use super::*;

const ID: &str = "0123456789abcdef";

fn hash() -> String {
    "ab".repeat(32)
}

/// A well-made link's config, changed by `edit`.
fn config(edit: impl FnOnce(&mut LabelledConfig)) -> LabelledConfig {
    let mut config = LabelledConfig {
        id: "docker-id".into(),
        name: format!("{PREFIX}{ID}"),
        labels: HashMap::from([
            (LABEL.to_string(), ID.to_string()),
            (NAME_LABEL.to_string(), "ops wall".to_string()),
            (CREATED_LABEL.to_string(), "1000".to_string()),
        ]),
        data: Some(hash().into_bytes()),
    };
    edit(&mut config);
    config
}

fn set(key: &'static str, value: &'static str) -> impl FnOnce(&mut LabelledConfig) {
    move |c| _ = c.labels.insert(key.to_string(), value.to_string())
}

fn unset(key: &'static str) -> impl FnOnce(&mut LabelledConfig) {
    move |c| _ = c.labels.remove(key)
}

#[test]
fn configs_are_read_as_links_and_malformed_ones_refused() {
    type Edit = Box<dyn FnOnce(&mut LabelledConfig)>;
    let cases: Vec<(&str, Edit, Option<&str>)> = vec![
        ("well made", Box::new(|_| {}), None),
        ("no id label", Box::new(unset(LABEL)), Some("not a link id")),
        (
            "short id",
            Box::new(set(LABEL, "0123")),
            Some("not a link id"),
        ),
        (
            "upper-case id",
            Box::new(set(LABEL, "0123456789ABCDEF")),
            Some("not a link id"),
        ),
        (
            "another name",
            Box::new(|c| c.name = "flotilla-kiosk-fedcba9876543210".into()),
            Some("named"),
        ),
        ("no name", Box::new(unset(NAME_LABEL)), Some(NAME_LABEL)),
        (
            "empty name",
            Box::new(set(NAME_LABEL, "")),
            Some(NAME_LABEL),
        ),
        (
            "control character",
            Box::new(set(NAME_LABEL, "a\u{7}b")),
            Some(NAME_LABEL),
        ),
        (
            "no time",
            Box::new(unset(CREATED_LABEL)),
            Some(CREATED_LABEL),
        ),
        (
            "not a time",
            Box::new(set(CREATED_LABEL, "yesterday")),
            Some(CREATED_LABEL),
        ),
        (
            "negative time",
            Box::new(set(CREATED_LABEL, "-5")),
            Some(CREATED_LABEL),
        ),
        ("no data", Box::new(|c| c.data = None), Some("data")),
        (
            "short data",
            Box::new(|c| c.data = Some(b"abcd".to_vec())),
            Some("data"),
        ),
        (
            "upper-case data",
            Box::new(|c| c.data = Some("AB".repeat(32).into_bytes())),
            Some("data"),
        ),
        (
            "not text",
            Box::new(|c| c.data = Some(vec![0xff; 64])),
            Some("data"),
        ),
        (
            "a trailing newline",
            Box::new(|c| c.data = Some(format!("{}\n", hash()).into_bytes())),
            Some("data"),
        ),
    ];
    for (case, edit, refused) in cases {
        let parsed = link_from_config(&config(edit));
        match (refused, parsed) {
            (None, Ok(stored)) => {
                let want = KioskLink {
                    id: ID.into(),
                    name: "ops wall".into(),
                    created_ms: 1000,
                    last_used_ms: None,
                };
                assert_eq!(stored.link, want, "{case}");
                assert_eq!(stored.secret_sha256, hash(), "{case}");
            }
            (Some(why), Err(said)) => assert!(said.contains(why), "{case}: {said}"),
            (want, got) => panic!("{case}: wanted {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn a_link_reads_back_from_the_config_made_for_it() {
    let stored = Stored {
        link: KioskLink {
            id: ID.into(),
            name: "lobby — east".into(),
            created_ms: 1_700_000_000_000,
            last_used_ms: None,
        },
        secret_sha256: super::super::sha256_hex(&"7".repeat(64)),
    };
    let (name, labels, data) = config_for(&stored);
    assert_eq!(name, format!("flotilla-kiosk-{ID}"));
    assert_ne!(data, "7".repeat(64), "the secret itself is never kept");
    let config = LabelledConfig {
        id: "x".into(),
        name,
        labels,
        data: Some(data.into_bytes()),
    };
    assert_eq!(link_from_config(&config), Ok(stored));
}

#[test]
fn links_are_kept_oldest_first_and_bounded() {
    let made = |n: usize, created: u64| {
        config(|c| {
            let id = format!("{n:016x}");
            c.id = format!("docker-{n}");
            c.name = format!("{PREFIX}{id}");
            c.labels.insert(LABEL.into(), id);
            c.labels.insert(CREATED_LABEL.into(), created.to_string());
        })
    };
    let mut configs: Vec<_> = (0..MAX_LINKS + 5)
        .map(|n| made(n, 10_000 - n as u64))
        .collect();
    configs.push(config(|c| c.data = None));
    let (links, malformed) = links_from(&configs);
    assert_eq!(links.len(), MAX_LINKS);
    assert_eq!(malformed.len(), 1);
    let created: Vec<u64> = links.iter().map(|s| s.link.created_ms).collect();
    assert!(created.is_sorted(), "{created:?}");
    assert_eq!(
        created[0],
        10_000 - (MAX_LINKS + 4) as u64,
        "the oldest kept"
    );
}

#[test]
fn last_uses_stay_in_memory_across_refreshes() {
    let store = SwarmLinks::new("tcp://127.0.0.1:1".into(), DockerMetrics::default());
    let link = link_from_config(&config(|_| {})).expect("a link");
    store.publish(vec![link.clone()]);
    store.touch(ID, 5_000);
    store.publish(vec![link.clone()]);
    assert_eq!(store.links.list()[0].last_used_ms, Some(5_000));
    store.publish(vec![]);
    assert!(!store.links.exists(ID));
    store.publish(vec![link]);
    assert_eq!(
        store.links.list()[0].last_used_ms,
        None,
        "revoked, then back"
    );
}
