//! Calls to the HTTP API (`/api/v1/...`, same origin, so the session cookie rides along):
//! JSON in and out, the CSRF header on writes, and failures read from the server's one error
//! body ([`pantau_shared::auth::ApiError`]). Also a `sleep` for polling loops, and page
//! navigation. Plain web-sys `fetch`: gloo-net's wrappers cost the bundle more than they save.

use pantau_shared::auth::{ApiError, CSRF_HEADER};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// Why a call did not succeed.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// The server answered with an error status.
    Status {
        status: u16,
        /// The error body's `code` (empty when the body was not the usual one).
        code: String,
        /// `Retry-After`, seconds (a locked-out sign-in says when to try again).
        retry_after_secs: Option<u64>,
    },
    /// No answer, or an unreadable one.
    Network,
}

impl Failure {
    /// The HTTP status, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Failure::Status { status, .. } => Some(*status),
            Failure::Network => None,
        }
    }
}

/// A write: `POST`, `PATCH` or `DELETE`.
#[derive(Clone, Copy, Debug)]
pub enum Method {
    Post,
    Patch,
    Put,
    Delete,
}

/// `GET path`, the answer decoded as `T` (any 2xx).
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    let text = fetch("GET", path, None, None).await?;
    serde_json::from_str(&text).map_err(|_| Failure::Network)
}

/// A write to `path` with an optional JSON `body` and the session's `csrf` token; the answer
/// decoded as `T`, or `None` for an empty one (204).
pub async fn send<B: Serialize, T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<&B>,
    csrf: Option<&str>,
) -> Result<Option<T>, Failure> {
    let method = match method {
        Method::Post => "POST",
        Method::Patch => "PATCH",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
    };
    let body = body.map(|b| serde_json::to_string(b).expect("request bodies always serialise"));
    let text = fetch(method, path, body.as_deref(), csrf).await?;
    if text.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(&text).map(Some).map_err(|_| Failure::Network)
}

/// One request (web-sys `fetch`, same origin, so the cookie rides along): the body of a 2xx
/// answer as text, or the failure read from the error body. Not generic, so it is compiled
/// once however many answer types there are.
async fn fetch(method: &str, path: &str, body: Option<&str>, csrf: Option<&str>) -> Result<String, Failure> {
    let network = |_: JsValue| Failure::Network;
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = Request::new_with_str_and_init(path, &init).map_err(network)?;
    let headers = request.headers();
    if body.is_some() {
        headers.set("content-type", "application/json").map_err(network)?;
    }
    if let Some(csrf) = csrf {
        headers.set(CSRF_HEADER, csrf).map_err(network)?;
    }
    let window = web_sys::window().ok_or(Failure::Network)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(network)?
        .dyn_into()
        .map_err(network)?;
    let text = JsFuture::from(response.text().map_err(network)?)
        .await
        .map_err(network)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        return Ok(text);
    }
    let retry_after_secs = response
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    let code = serde_json::from_str::<ApiError>(&text)
        .map(|e| e.error.code)
        .unwrap_or_default();
    Err(Failure::Status {
        status: response.status(),
        code,
        retry_after_secs,
    })
}

/// Resolves after `ms` milliseconds (for polling loops in `spawn_local`).
pub async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                resolve.unchecked_ref(),
                ms.try_into().unwrap_or(i32::MAX),
            );
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Go to `href` on this site (a full load: every page starts from its own URL).
pub fn go(href: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(href);
    }
}

/// Replace this page with `href` (the sign-in page is not kept in history).
pub fn replace(href: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(href);
    }
}

/// This page's path and query (`/?tenant=banjar`), to come back to after sign-in.
pub fn here() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.pathname().ok()?, l.search().ok()?))
        })
        .unwrap_or_else(|| "/".into())
}
