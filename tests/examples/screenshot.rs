//! Screenshot a running wall in headless Chromium once it is live:
//! `cargo run -p pantau-e2e --example screenshot -- <url> <width>x<height> <out.png>`.

use fantoccini::Locator;
use std::time::Duration;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (url, size, out) = (&args[1], &args[2], &args[3]);
    let (w, h) = size.split_once('x').expect("WIDTHxHEIGHT");
    let (_driver, client) = pantau_e2e::browser::browser(w.parse().unwrap(), h.parse().unwrap()).await;
    client.goto(url).await.unwrap();
    client
        .wait()
        .for_element(Locator::Css("[data-testid=conn-status][data-state=live]"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    std::fs::write(out, client.screenshot().await.unwrap()).unwrap();
    client.close().await.unwrap();
}
