//! A headless Chromium (Debian's) driven through chromedriver, showing the wall: offline
//! flags, a fresh profile, and an exact viewport size. [`open_wall`] is how every wall test,
//! the screenshot tool and the frontend benchmark open it.

use crate::{eventually, free_port, workspace_root, Proc};
use fantoccini::elements::Element;
use fantoccini::{ClientBuilder, Locator};
use std::process::{Command, Stdio};

/// The wall's connection indicator once the first snapshot arrived.
pub const LIVE: &str = "[data-testid=conn-status][data-state=live]";

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

/// The wall at `url` in a headless Chromium whose viewport is `width`×`height`, once it is
/// live (connected, first snapshot shown).
pub async fn open_wall(url: &str, width: u32, height: u32) -> Wall {
    open_wall_with(url, width, height, &[]).await
}

/// [`open_wall`] with Chromium's DevTools protocol also on `port` (chromedriver then uses
/// that port too), for the frontend benchmark's performance trace.
pub async fn open_wall_with_devtools(url: &str, width: u32, height: u32, port: u16) -> Wall {
    open_wall_with(url, width, height, &[format!("--remote-debugging-port={port}")]).await
}

async fn open_wall_with(url: &str, width: u32, height: u32, extra_args: &[String]) -> Wall {
    let (driver, client) = browser(width, height, extra_args).await;
    let wall = Wall {
        client,
        _driver: driver,
    };
    wall.show(url).await;
    wall
}

/// A wall in a browser; derefs to the WebDriver client. chromedriver (and with it Chromium)
/// stops when this is dropped.
pub struct Wall {
    pub client: fantoccini::Client,
    _driver: Proc,
}

impl std::ops::Deref for Wall {
    type Target = fantoccini::Client;

    fn deref(&self) -> &fantoccini::Client {
        &self.client
    }
}

impl Wall {
    /// Navigate to `url` and wait until the wall there is live.
    pub async fn show(&self, url: &str) {
        self.client.goto(url).await.unwrap();
        self.wait_for(LIVE).await;
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.client.find(Locator::Css(css)).await.unwrap().text().await.unwrap()
    }

    /// The first element matching `css`, once there is one.
    pub async fn wait_for(&self, css: &str) -> Element {
        self.client
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    /// A screenshot of the viewport as PNG.
    pub async fn screenshot_png(&self) -> Vec<u8> {
        self.client.screenshot().await.unwrap()
    }

    /// Keep a screenshot in `tests/artifacts/<name>` (not committed).
    pub async fn save_screenshot(&self, name: &str) {
        let dir = workspace_root().join("tests/artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), self.screenshot_png().await).unwrap();
    }

    /// End the WebDriver session (closes Chromium).
    pub async fn close(self) {
        let Wall { client, _driver } = self;
        client.close().await.unwrap();
    }
}

/// chromedriver and a headless Chromium whose *viewport* is `width`×`height`, with
/// `extra_args` after [`chromium_args`].
async fn browser(width: u32, height: u32, extra_args: &[String]) -> (Proc, fantoccini::Client) {
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
    let mut args = chromium_args(&profile);
    args.extend_from_slice(extra_args);
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium_binary(),
            "args": args,
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
