//! Step 8: the supervisor console with 10,000 open tickets, 10% changing each second, while
//! someone scrolls its queue up and down — traced exactly as the wall is in step 7 (main-thread
//! time per frame, long tasks, animation frames). The console signs in as the harness's
//! superadmin, who may use it.

use crate::frontend::{frame_rows, measure_page, Page};
use crate::report::Row;

/// The console: ready when its queue counts every ticket.
const CONSOLE: Page = Page {
    path: "/console",
    ready: |tickets| format!("document.querySelector('[data-testid=queue-count] strong')?.textContent === '{tickets}'"),
    shot: "console-10k-tickets.png",
    scroll: Some("[data-testid=queue]"),
    live: true,
    every_500ms: None,
};

pub async fn run() -> anyhow::Result<Vec<Row>> {
    let f = measure_page(&CONSOLE, 10_000, 0.10, 15).await;
    println!(
        "console: {} tickets, {} changes/s, {} frames traced while scrolling",
        f.tickets, f.changes_per_sec, f.frames
    );
    let step = "console";
    Ok(frame_rows(step, &f, "10k tickets, 10%/s, scrolling"))
}
