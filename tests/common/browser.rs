//! A headless Chromium (Debian's) driven through chromedriver, for the wall tests and the
//! screenshot tool: offline flags, a fresh profile, and an exact viewport size. The binary
//! and flags are shared with the frontend benchmark, which drives Chromium directly.

use crate::{eventually, free_port, workspace_root, Proc};
use fantoccini::ClientBuilder;
use std::process::{Command, Stdio};

/// Debian's Chromium (or `$CHROMIUM`).
pub fn chromium_binary() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// Flags for a headless, offline Chromium with a fresh profile in `profile`.
pub fn chromium_args(profile: &std::path::Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// chromedriver and a headless Chromium whose *viewport* is `width`×`height`.
pub async fn browser(width: u32, height: u32) -> (Proc, fantoccini::Client) {
    assert!(
        workspace_root().join("dist/index.html").exists(),
        "build the frontend first: trunk build --release (scripts/test does)"
    );
    let port = free_port();
    let driver = Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver must be installed (scripts/setup installs chromium-driver)");
    let driver = Proc(driver);
    let profile = std::env::temp_dir().join(format!("pantau-chromium-{port}"));
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium_binary(),
            "args": chromium_args(&profile),
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    let url = format!("http://127.0.0.1:{port}");
    let client = eventually("chromedriver to start a session", || {
        let (url, caps) = (url.clone(), caps.clone());
        async move {
            ClientBuilder::rustls()
                .ok()?
                .capabilities(caps)
                .connect(&url)
                .await
                .ok()
        }
    })
    .await;
    // Size the window so that the viewport (without browser chrome) is exactly as asked.
    client.set_window_size(width, height).await.unwrap();
    let inner = client
        .execute("return [window.innerWidth, window.innerHeight]", vec![])
        .await
        .unwrap();
    let (iw, ih) = (inner[0].as_u64().unwrap() as u32, inner[1].as_u64().unwrap() as u32);
    client.set_window_size(2 * width - iw, 2 * height - ih).await.unwrap();
    (driver, client)
}
