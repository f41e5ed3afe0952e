//! The simulated city's HTTP side: signing the operator in, and sending with retries while
//! the server is unreachable, busy or limiting — plus the picture that stands in for an
//! officer's after photo.

use crate::shutdown::Shutdown;
use pantau_shared::auth::SESSION_COOKIE;
use serde_json::{json, Value};
use std::time::Duration;

/// A signed-in operator: the session cookie and its CSRF token.
#[derive(Clone)]
pub struct Operator {
    pub cookie: String,
    pub csrf: String,
}

/// Sign in as `name` of `tenant` (the simulated operators act under that account).
pub async fn sign_in(base: &str, tenant: &str, name: &str, password: &str) -> anyhow::Result<Operator> {
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{}/api/v1/session", base.trim_end_matches('/')))
        .json(&json!({ "tenant": tenant, "name": name, "password": password }))
        .send()
        .await?;
    anyhow::ensure!(
        response.status().is_success(),
        "sign-in as {name} refused: {}",
        response.status()
    );
    let cookie = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{SESSION_COOKIE}=")))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("sign-in set no session cookie"))?;
    let body: Value = response.json().await?;
    let csrf = body["csrf"].as_str().unwrap_or_default().to_owned();
    Ok(Operator { cookie, csrf })
}

/// Send, retrying while the server is unreachable, busy (503) or limiting (429, after
/// its Retry-After); `None` on shutdown. The answer's status and JSON body.
pub async fn send(shutdown: &mut Shutdown, request: impl Fn() -> reqwest::RequestBuilder) -> Option<(u16, Value)> {
    let mut backoff = Duration::from_millis(250);
    loop {
        let wait = match request().send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok());
                if status == 429 || status == 503 {
                    retry_after.map(Duration::from_secs).unwrap_or(backoff)
                } else {
                    let body = response.json::<Value>().await.unwrap_or(Value::Null);
                    return Some((status, body));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "simulated city cannot reach the server; retrying");
                backoff
            }
        };
        backoff = (backoff * 2).min(Duration::from_secs(10));
        tokio::select! {
            _ = shutdown.wait() => return None,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// A small PNG standing in for the officer's after photo (made once).
pub fn after_photo() -> Vec<u8> {
    static PHOTO: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    PHOTO
        .get_or_init(|| {
            let img = image::RgbImage::from_fn(96, 64, |x, y| {
                if y > 40 {
                    image::Rgb([90, 90, 96])
                } else {
                    image::Rgb([120 + (x % 40) as u8, 170, 210 - (y * 2) as u8])
                }
            });
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png)
                .expect("a PNG encodes in memory");
            out.into_inner()
        })
        .clone()
}
