//! Screenshot a running wall in headless Chromium once it is live:
//! `cargo run -p pantau-e2e --example screenshot -- <url> <width>x<height> <out.png>`.

use pantau_e2e::browser::open_wall;
use std::time::Duration;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (url, size, out) = (&args[1], &args[2], &args[3]);
    let (w, h) = size.split_once('x').expect("WIDTHxHEIGHT");
    let wall = open_wall(url, w.parse().unwrap(), h.parse().unwrap()).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    std::fs::write(out, wall.screenshot_png().await).unwrap();
    wall.close().await;
}
