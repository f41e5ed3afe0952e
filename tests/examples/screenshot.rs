//! Screenshot a running wall in headless Chromium once it is live:
//! `cargo run -p pantau-e2e --example screenshot -- <url> <width>x<height> <out.png>`.
//! Starts and stops its own chromedriver.

use fantoccini::{ClientBuilder, Locator};
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (url, size, out) = (&args[1], &args[2], &args[3]);
    let (w, h) = size.split_once('x').expect("WIDTHxHEIGHT");
    let port = pantau_e2e::free_port();
    let mut driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let caps = serde_json::json!({"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars", format!("--user-data-dir=/tmp/pantau-shot-{port}")]}});
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    let client = ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap();
    // The viewport, not the window, must have the wall's size.
    client
        .set_window_size(w.parse().unwrap(), h.parse().unwrap())
        .await
        .unwrap();
    let (iw, ih) = {
        let v = client
            .execute("return [window.innerWidth, window.innerHeight]", vec![])
            .await
            .unwrap();
        (v[0].as_u64().unwrap(), v[1].as_u64().unwrap())
    };
    let (tw, th): (u64, u64) = (w.parse().unwrap(), h.parse().unwrap());
    client
        .set_window_size((2 * tw - iw) as u32, (2 * th - ih) as u32)
        .await
        .unwrap();
    client.goto(url).await.unwrap();
    client
        .wait()
        .for_element(Locator::Css("[data-testid=conn-status][data-state=live]"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    std::fs::write(out, client.screenshot().await.unwrap()).unwrap();
    client.close().await.unwrap();
    let _ = driver.kill();
    let _ = driver.wait();
}
