//! The hub: one build per version, deltas and statuses, starts that catch up.

use super::*;

#[test]
fn the_snapshot_message_is_written_as_serde_writes_a_server_msg() {
    let snapshot = Snapshot {
        seq: 9,
        epoch: 5,
        state: state_with_network("n1"),
        engine: EngineStatus::Live,
    };
    let owned = serde_json::to_string(&ServerMsg::Snapshot(snapshot.clone())).unwrap();
    assert_eq!(snapshot_json(&snapshot), owned);
}
#[test]
fn the_delta_message_is_written_as_serde_writes_a_server_msg() {
    let old = state_with_network("gone");
    let new = state_with_network("n1");
    let changes = diff_refs(&old, &new);
    assert_eq!(changes.len(), 2, "one network added, one removed");
    let owned = ServerMsg::Delta {
        seq: 4,
        changes: changes.iter().map(|c| c.to_change()).collect(),
    };
    let owned = serde_json::to_string(&owned).unwrap();
    assert_eq!(delta_json(4, &changes), owned);
}

#[test]
fn a_publish_nobody_watches_still_makes_a_version() {
    let hub = Hub::default();
    assert!(hub.publish_state(state_with_network("a")));
    let (mut rx, current) = hub.join(None);
    assert_eq!(parsed(snap(&current)).seq, 1);
    assert_eq!(parsed(snap(&current)).state, state_with_network("a"));
    assert!(hub.publish_state(state_with_network("b")));
    assert_eq!(rx.try_recv().expect("a delta once watched").seq, 2);
}

use flotilla_app::model::{Network, Task, TaskState};

fn state_with_network(name: &str) -> ClusterState {
    let mut state = ClusterState::default();
    let network = Network {
        id: name.into(),
        name: name.into(),
        driver: "overlay".into(),
        scope: "swarm".into(),
        attachable: true,
        ingress: false,
        stack: None,
    };
    state.networks.insert(name.into(), network);
    state
}

#[test]
fn unchanged_state_publishes_nothing() {
    let hub = Hub::default();
    let (mut rx, _) = hub.join(None);
    assert!(hub.publish_state(state_with_network("a")));
    assert!(!hub.publish_state(state_with_network("a")));
    assert_eq!(rx.try_recv().expect("one delta").seq, 1);
    assert!(rx.try_recv().is_err());
    assert_eq!(hub.snapshot().seq, 1);
}

#[test]
fn engine_status_frames_do_not_advance_seq() {
    let hub = Hub::default();
    let (mut rx, _) = hub.join(None);
    hub.publish_engine(EngineStatus::Live);
    hub.publish_engine(EngineStatus::Live);
    let frame = rx.try_recv().expect("status frame");
    assert!(!frame.is_delta);
    assert_eq!(frame.seq, 0);
    assert!(
        rx.try_recv().is_err(),
        "an unchanged status is not sent again"
    );
    assert_eq!(hub.snapshot().engine, EngineStatus::Live);
}

/// What a viewer would make of the frame: the snapshot it carries.
fn parsed(json: &str) -> Snapshot {
    match serde_json::from_str(json).expect("the frame parses") {
        ServerMsg::Snapshot(snapshot) => snapshot,
        other => panic!("not a snapshot: {other:?}"),
    }
}

#[test]
fn one_version_is_serialized_once_and_shared() {
    let hub = Hub::default();
    hub.publish_state(state_with_network("a"));
    let (_rx, joined) = hub.join(None);
    let (snapshot, json) = hub.snapshot_and_json();
    assert!(Arc::ptr_eq(snap(&joined), &json), "a second build of seq 1");
    assert_eq!(parsed(snap(&joined)).seq, snapshot.seq);
    assert_eq!(parsed(&json), *snapshot);
}

#[test]
fn a_publish_or_a_status_change_makes_a_new_frame() {
    let hub = Hub::default();
    let (_, before) = hub.snapshot_and_json();

    assert!(hub.publish_state(state_with_network("a")));
    let (_, published) = hub.snapshot_and_json();
    assert!(!Arc::ptr_eq(&before, &published));
    let shown = parsed(&published);
    assert_eq!(shown.seq, 1);
    assert_eq!(shown.state, state_with_network("a"));

    // Unchanged state: no new version, the same frame.
    assert!(!hub.publish_state(state_with_network("a")));
    assert!(Arc::ptr_eq(&published, &hub.snapshot_and_json().1));

    hub.publish_engine(EngineStatus::Live);
    let (snapshot, status) = hub.snapshot_and_json();
    assert!(
        !Arc::ptr_eq(&published, &status),
        "a stale frame after a status change"
    );
    assert_eq!(parsed(&status).engine, EngineStatus::Live);
    assert_eq!(parsed(&status), *snapshot);
    // The same status again changes nothing, and keeps the frame.
    hub.publish_engine(EngineStatus::Live);
    assert!(Arc::ptr_eq(&status, &hub.snapshot_and_json().1));
}

#[test]
fn viewers_joining_at_once_share_one_build() {
    let hub = Arc::new(Hub::default());
    hub.publish_state(state_with_network("a"));
    let frames: Vec<Arc<str>> = std::thread::scope(|scope| {
        let joins: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| hub.join(None).1.json.expect("a snapshot")))
            .collect();
        joins.into_iter().map(|j| j.join().expect("join")).collect()
    });
    assert!(frames.iter().all(|f| Arc::ptr_eq(f, &frames[0])));
}

#[test]
fn a_panic_under_the_lock_does_not_break_later_readers() {
    let hub = Arc::new(Hub::default());
    let owner = hub.clone();
    let crashed = std::thread::spawn(move || {
        let _held = owner.current.write().expect("first use");
        panic!("the owner panics while publishing");
    })
    .join();
    assert!(crashed.is_err());
    assert!(hub.current.is_poisoned());
    hub.publish_engine(EngineStatus::Live);
    assert_eq!(hub.snapshot().engine, EngineStatus::Live);
    let (_, json) = hub.snapshot_and_json();
    assert_eq!(parsed(&json).engine, EngineStatus::Live);
}

#[test]
fn a_viewer_that_falls_behind_is_told_it_lagged() {
    let hub = Hub::default();
    let (mut rx, _) = hub.join(None);
    for i in 0..(FRAME_BUFFER + 10) {
        let mut state = ClusterState::default();
        let task = Task {
            id: "t".into(),
            service_id: "s".into(),
            slot: Some(1),
            node_id: None,
            image: String::new(),
            state: TaskState::Pending,
            desired_state: TaskState::Running,
            message: format!("{i}"),
            error: None,
            since: 0,
        };
        state.tasks.insert("t".into(), task);
        hub.publish_state(state);
    }
    assert!(matches!(
        rx.try_recv(),
        Err(broadcast::error::TryRecvError::Lagged(_))
    ));
    assert_eq!(hub.snapshot().seq, (FRAME_BUFFER + 10) as u64);
}

/// A start's snapshot frame; it has one unless it resumed.
fn snap(start: &Start) -> &Arc<str> {
    start.json.as_ref().expect("a snapshot")
}

/// What a viewer holds after its start: the snapshot with the catch-up applied.
fn replayed(start: &Start) -> Snapshot {
    caught_up(parsed(snap(start)), start)
}

/// `shown` with a start's catch-up applied.
fn caught_up(mut shown: Snapshot, start: &Start) -> Snapshot {
    for frame in &start.catch_up {
        shown.receive(serde_json::from_str(&frame.json).expect("a frame parses"));
    }
    shown
}

#[test]
fn a_viewer_starts_from_a_recent_build_and_catches_up() {
    let hub = Hub::default();
    hub.publish_engine(EngineStatus::Live);
    let (_watching, first) = hub.join(None);
    assert!(first.catch_up.is_empty(), "nothing to catch up on");
    for name in ["a", "b", "c"] {
        hub.publish_state(state_with_network(name));
    }

    // The frame built for the first viewer (seq 0) starts the second, then three deltas:
    // no build for seq 3, and it ends where the hub is.
    let second = hub.join(None).1;
    assert!(Arc::ptr_eq(snap(&first), snap(&second)));
    assert_eq!(second.catch_up.len(), 3);
    assert_eq!((replayed(&second).seq, second.order), (3, 4));
    assert_eq!(replayed(&second), *hub.snapshot());

    // A status since the build: a snapshot that says otherwise would be shown for a moment,
    // so the current version is built.
    hub.publish_engine(EngineStatus::Connecting);
    hub.publish_state(state_with_network("d"));
    let after_status = hub.join(None).1;
    assert!(after_status.catch_up.is_empty());
    assert_eq!(parsed(snap(&after_status)), *hub.snapshot());
    hub.publish_engine(EngineStatus::Live);

    // A second later the old frame is let go: the current version is built.
    let third = hub.start_at(Instant::now() + REUSE_FOR);
    assert!(third.catch_up.is_empty());
    assert!(!Arc::ptr_eq(snap(&first), snap(&third)));
    assert_eq!(parsed(snap(&third)), *hub.snapshot());
    assert_eq!((parsed(snap(&third)).seq, third.order), (4, 7));
}

#[test]
fn a_gap_in_what_was_sent_means_a_fresh_build() {
    let hub = Hub::default();
    let (watching, first) = hub.join(None);
    drop(watching);
    // Nobody watches: this change is not written as a delta, so cannot be caught up on.
    hub.publish_state(state_with_network("a"));
    let second = hub.join(None).1;
    assert!(!Arc::ptr_eq(snap(&first), snap(&second)));
    assert!(second.catch_up.is_empty());
    assert_eq!(replayed(&second), *hub.snapshot());
}

#[test]
fn a_viewer_that_holds_a_version_resumes_from_it() {
    let hub = Hub::default();
    let (_watching, _) = hub.join(None);
    hub.publish_state(state_with_network("a"));
    // What a page was rendered from, and the version it names.
    let (page, _) = hub.snapshot_and_json();
    let page = (*page).clone();
    let since = (page.epoch, page.seq);
    hub.publish_state(state_with_network("b"));
    hub.publish_engine(EngineStatus::Live);
    hub.publish_state(state_with_network("c"));

    let resumed = hub.join(Some(since)).1;
    assert!(
        resumed.json.is_none(),
        "no snapshot for a viewer that holds one"
    );
    assert_eq!(resumed.catch_up.len(), 3);
    assert_eq!(caught_up(page.clone(), &resumed), *hub.snapshot());
    assert_eq!(
        (caught_up(page.clone(), &resumed).seq, resumed.order),
        (3, 4)
    );

    // Another panel's numbers, or a version never published: the whole state.
    for since in [(page.epoch + 1, page.seq), (page.epoch, 9)] {
        let started = hub.join(Some(since)).1;
        assert_eq!(replayed(&started), *hub.snapshot(), "{since:?}");
    }
    // Up to date: nothing to send.
    let current = hub.snapshot();
    let idle = hub.join(Some((current.epoch, current.seq))).1;
    assert!(idle.json.is_none() && idle.catch_up.is_empty());
}
