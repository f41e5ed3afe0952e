//! Step 13: the executive KPI page (`/kpi`) over 10,000 open tickets, 10% changing each
//! second, while its reader re-sorts the agency table (a header clicked every 500 ms, column
//! after column) — traced exactly as the wall is in step 7. The page is not live over the
//! socket (it refreshes its report each minute), so the churn reaches it only through that.

use crate::frontend::{frame_rows, measure_page, Page};
use crate::report::Row;

/// The KPI page: ready when its agency table has rows.
const KPI: Page = Page {
    path: "/kpi?tenant=tangerang&window=today",
    ready: |_| "document.querySelector('[data-testid=agency-row]') !== null".to_owned(),
    shot: "kpi-10k-tickets.png",
    scroll: None,
    live: false,
    every_500ms: Some(
        "const h = document.querySelectorAll('[data-testid=sort-header] button'); \
         window.__sort = ((window.__sort || 0) + 1) % Math.max(h.length, 1); h[window.__sort]?.click();",
    ),
};

pub async fn run() -> anyhow::Result<Vec<Row>> {
    let f = measure_page(&KPI, 10_000, 0.10, 15).await;
    println!(
        "kpi: {} tickets, {} changes/s, {} frames traced while re-sorting",
        f.tickets, f.changes_per_sec, f.frames
    );
    let step = "kpi";
    Ok(frame_rows(step, &f, "10k tickets, table re-sorted 2×/s"))
}
