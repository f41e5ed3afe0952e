//! The wall page in a real headless Chromium (Debian's, driven by chromedriver): it goes
//! live, and a report posted over HTTP appears on it. Screenshots are kept in
//! `tests/artifacts/` (not committed).

use fantoccini::{ClientBuilder, Locator};
use pantau_e2e::{eventually, free_port, report, workspace_root, Pantau, Proc, RedisServer};
use std::process::{Command, Stdio};

/// Start chromedriver and a headless Chromium session at `width`×`height`.
async fn browser(width: u32, height: u32) -> (Proc, fantoccini::Client) {
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
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.display()),
                format!("--window-size={width},{height}"),
            ]
        }
    });
    let caps = match caps {
        serde_json::Value::Object(map) => map,
        _ => unreachable!(),
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
    (driver, client)
}

/// The wall connects, shows "live", and a report posted with curl-like HTTP appears on it
/// with its ticket, description and the count going up.
#[tokio::test]
async fn posted_report_appears_on_the_wall() {
    let dist = workspace_root().join("dist/index.html");
    assert!(
        dist.exists(),
        "build the frontend first: trunk build --release (scripts/test does)"
    );
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (_driver, client) = browser(1920, 1080).await;

    client.goto(&pantau.base).await.unwrap();
    client
        .wait()
        .for_element(Locator::Css("[data-testid=conn-status][data-state=live]"))
        .await
        .unwrap();
    let total = client.find(Locator::Css("[data-testid=report-total]")).await.unwrap();
    assert_eq!(total.text().await.unwrap(), "0");

    let description = "Pohon tumbang di Jl. Sudirman, lalu lintas tersendat";
    let (status, body) = pantau.post_event("tangerang", report(description)).await;
    assert_eq!(status, 202);
    let ticket = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();

    let item = client
        .wait()
        .for_element(Locator::Css(&format!(
            "[data-testid=report-item][data-ticket='{ticket}']"
        )))
        .await
        .unwrap();
    let text = item.text().await.unwrap();
    assert!(text.contains(description), "{text}");
    assert!(text.contains("WIB"), "time shown in the tenant's zone: {text}");
    let total_now = eventually("the total to count the report", || {
        let client = client.clone();
        async move {
            let t = client
                .find(Locator::Css("[data-testid=report-total]"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            (t == "1").then_some(t)
        }
    })
    .await;
    assert_eq!(total_now, "1");

    let shot = client.screenshot().await.unwrap();
    let dir = workspace_root().join("tests/artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("wall-1920x1080.png"), shot).unwrap();
    client.close().await.unwrap();
}
