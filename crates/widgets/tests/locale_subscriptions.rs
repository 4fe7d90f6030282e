//! Reactive closures that followed the locale leave nothing behind once their owner is cleaned
//! up, however many embeds were mounted and destroyed.
//!
//! The locale's revision signal lives for the page, and a reactive_graph source only forgets a
//! dead subscriber when it next notifies, which it does only on a locale change. Each closure
//! that called `locale::track()` therefore used to stay allocated after its embed was destroyed
//! (26 per mount/destroy of the demo dashboard: the wasm memory growth of the mount/destroy
//! benchmark). This test counts this thread's live heap allocations around such cycles.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use leptos::prelude::*;
use vantage_widgets::locale;

/// Counts this thread's live allocations (other test threads do not disturb it).
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    let _ = LIVE.try_with(|live| live.set(live.get() + delta));
}

// SAFETY: forwards to the system allocator; the bookkeeping neither allocates nor unwinds.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(1);
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-1);
        System.dealloc(ptr, layout);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_allocations() -> isize {
    LIVE.with(Cell::get)
}

/// One embed's worth: an owner with reactive closures that show localized text, then cleaned
/// up as `destroy()` does.
fn mount_and_destroy(closures: usize) {
    let owner = Owner::new();
    owner.with(|| {
        let memos: Vec<ArcMemo<&'static str>> = (0..closures)
            .map(|_| {
                ArcMemo::new(|_| {
                    locale::track();
                    locale::language()
                })
            })
            .collect();
        for memo in &memos {
            assert_eq!(memo.get_untracked(), "en");
        }
    });
    owner.cleanup();
}

#[test]
fn closures_that_tracked_the_locale_are_freed_with_their_owner() {
    // Warm-up: thread-locals, the reactive arena and the signal's subscriber list get their
    // first allocations here.
    mount_and_destroy(30);
    let baseline = live_allocations();
    for _ in 0..100 {
        mount_and_destroy(30);
    }
    let retained = live_allocations() - baseline;
    // Before the fix: 30 per cycle (3,000) plus the growing subscriber list.
    assert!(
        retained <= 0,
        "{retained} allocations outlived 100 cleaned-up owners of locale-tracking closures"
    );
}

#[test]
fn a_locale_change_still_reaches_a_live_closure() {
    let owner = Owner::new();
    owner.with(|| {
        let memo = ArcMemo::new(|_| {
            locale::track();
            locale::language()
        });
        assert_eq!(memo.get_untracked(), "en");
        locale::set_active(locale::Locale {
            tag: Some("de-DE".into()),
            time_zone: None,
        });
        assert_eq!(memo.get_untracked(), "de");
        locale::set_active(locale::Locale::default());
        assert_eq!(memo.get_untracked(), "en");
    });
    owner.cleanup();
}
