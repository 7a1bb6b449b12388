//! The allocator's settings for a panel that runs for weeks. By default glibc's malloc gives
//! threads that meet contention arenas of their own (up to eight per core), and raises its
//! mmap threshold each time a large block is freed, so the next blocks of that size (a 6 MB
//! snapshot frame, a 14 MB task list at 20,000 tasks) come from an arena and its memory stays
//! with the process once they are freed. Two arenas and a fixed threshold give large blocks
//! back to the system when they go. Measured with benches/viewers.rs (1,000 nodes, 20,000
//! tasks, churning; see the issue 11 note): the figures are printed beside each setting there.

/// Blocks of this size and over are mapped on their own and unmapped when freed.
const MMAP_THRESHOLD: i32 = 256 * 1024;
/// The panel is bound by Docker and the network, not by malloc contention.
const ARENAS: i32 = 2;

/// Called first in `main`, before any thread is started.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets malloc's parameters; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
