//! Screenshot a running wall in headless Chromium once it is live:
//! `cargo run -p pantau-e2e --example screenshot -- <url> <width>x<height> <out.png> <tenant>/<user>`
//! with the user's password as the first line of standard input (`/<user>` for the
//! superadmin). The wall is opened signed in as that user.

use pantau_e2e::browser::open_wall;
use pantau_e2e::Session;
use std::io::BufRead;
use std::time::Duration;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, size, out, user] = &args[..] else {
        panic!("usage: screenshot <url> <width>x<height> <out.png> <tenant>/<user> (password on stdin)");
    };
    let (w, h) = size.split_once('x').expect("WIDTHxHEIGHT");
    let (tenant, name) = user
        .split_once('/')
        .expect("<tenant>/<user>, or /<user> for the superadmin");
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).unwrap();
    let origin = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    let answer = reqwest::Client::new()
        .post(format!("{origin}/api/v1/session"))
        .json(&serde_json::json!({
            "tenant": (!tenant.is_empty()).then_some(tenant),
            "name": name,
            "password": password.trim_end_matches(['\r', '\n']),
        }))
        .send()
        .await
        .expect("the server answers");
    let session = Session::from_response(answer).await;
    let wall = open_wall(url, &session, w.parse().unwrap(), h.parse().unwrap()).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    std::fs::write(out, wall.screenshot_png().await).unwrap();
    wall.close().await;
}
