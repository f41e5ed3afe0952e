//! A headless Chromium (Debian's) driven through chromedriver, showing the wall: offline
//! flags, a fresh profile, and an exact viewport size. [`open_wall`] is how every wall test,
//! the screenshot tool and the frontend benchmark open it: as a signed-in person, whose
//! session cookie (exactly as the server set it at sign-in) is put into the browser over
//! WebDriver before the wall loads. The browser's console is kept ([`Wall::console`]).

use crate::auth::Session;
use crate::{eventually, free_port, workspace_root, Proc};
use fantoccini::cookies::Cookie;
use fantoccini::elements::Element;
use fantoccini::{ClientBuilder, Locator};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

/// The wall's connection indicator once the first snapshot arrived.
pub const LIVE: &str = "[data-testid=conn-status][data-state=live]";
/// The wall's connection indicator once it shows data: live, or replaying the past.
pub const SHOWING: &str = "[data-testid=conn-status][data-state=live], [data-testid=conn-status][data-state=replay]";

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

/// The wall at `url`, seen by `session`, in a headless Chromium whose viewport is
/// `width`×`height`, once it is live (connected, first snapshot shown).
pub async fn open_wall(url: &str, session: &Session, width: u32, height: u32) -> Wall {
    open_wall_with(url, session, width, height, &[]).await
}

/// A page (signed in as `session`) with Chromium's DevTools protocol also on `port`
/// (chromedriver then uses that port too), loaded once `showing` (CSS) matches: for the
/// frontend benchmarks' performance traces.
pub async fn open_page_with_devtools(
    url: &str,
    session: &Session,
    width: u32,
    height: u32,
    port: u16,
    showing: &str,
) -> Wall {
    let wall = Wall::launch(width, height, &[format!("--remote-debugging-port={port}")]).await;
    wall.sign_in(url, session).await;
    wall.client.goto(url).await.unwrap();
    wall.wait_for(showing).await;
    wall
}

async fn open_wall_with(url: &str, session: &Session, width: u32, height: u32, extra_args: &[String]) -> Wall {
    let wall = Wall::launch(width, height, extra_args).await;
    wall.sign_in(url, session).await;
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
    /// A headless Chromium with a `width`×`height` viewport, on no page yet.
    pub async fn launch(width: u32, height: u32, extra_args: &[String]) -> Wall {
        let (driver, client) = browser(width, height, extra_args).await;
        Wall {
            client,
            _driver: driver,
        }
    }

    /// Give the browser `session`'s cookie for the origin of `url`. (WebDriver sets cookies
    /// only for the page's own origin, so a small page of it is opened first: `/healthz`,
    /// which starts no wall.)
    pub async fn sign_in(&self, url: &str, session: &Session) {
        let origin = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
        self.client.goto(&format!("{origin}/healthz")).await.unwrap();
        let mut cookie = Cookie::parse(session.set_cookie.clone()).expect("the server's Set-Cookie parses");
        // The server sets a host-only cookie (no Domain); chromedriver wants the host named.
        let host = origin
            .rsplit('/')
            .next()
            .and_then(|h| h.split(':').next())
            .unwrap_or_default();
        cookie.set_domain(host.to_owned());
        self.client.add_cookie(cookie).await.unwrap();
    }

    /// Navigate to `url` and wait until the wall there shows data (live, or a replay).
    pub async fn show(&self, url: &str) {
        self.client.goto(url).await.unwrap();
        self.wait_for(SHOWING).await;
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.client.find(Locator::Css(css)).await.unwrap().text().await.unwrap()
    }

    /// The first element matching `css`, once there is one.
    pub async fn wait_for(&self, css: &str) -> Element {
        match self.client.wait().for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => {
                // Say what the browser shows instead, and what it logged.
                let url = self
                    .client
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                let body = match self.client.find(Locator::Css("body")).await {
                    Ok(body) => body.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                panic!(
                    "{css}: {e}\nat {url}, showing:\n{body}\nconsole: {:?}",
                    self.console().await
                )
            }
        }
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

    /// What the page wrote to the browser console since last asked, as chromedriver reports
    /// it: `(level, message)`, e.g. `("SEVERE", "… violates the following Content Security
    /// Policy directive …")`.
    pub async fn console(&self) -> Vec<(String, String)> {
        let entries = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("chromedriver returns the browser log");
        entries
            .as_array()
            .expect("the log is a list")
            .iter()
            .map(|e| {
                let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
                (text("level"), text("message"))
            })
            .collect()
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
    // In a process group of its own, so dropping it ends the Chromium it started too (a
    // test that fails before `close` used to leave a headless Chromium behind).
    let driver = Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("chromedriver must be installed (scripts/setup installs chromium-driver)");
    let driver = Proc::group(driver);
    let profile = std::env::temp_dir().join(format!("pantau-chromium-{port}"));
    let mut args = chromium_args(&profile);
    args.extend_from_slice(extra_args);
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium_binary(),
            "args": args,
        },
        "goog:loggingPrefs": {"browser": "ALL"},
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    let url = format!("http://127.0.0.1:{port}");
    // The server's webhooks bring rustls' `ring` provider into the build beside fantoccini's
    // `aws-lc-rs`; with two, rustls will not pick one for fantoccini: name it (once).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
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

/// chromedriver's `POST /session/{id}/se/log {"type": "browser"}`: the console messages (and
/// security errors such as CSP violations) logged since the last call.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}
