//! Credentials as the end-to-end clients present them: a signed-in person's session (the
//! `pantau_session` cookie, plus the CSRF token on writes) or an ingest API key
//! (`Authorization: Bearer`), or nothing at all.

use pantau_shared::auth::{CSRF_HEADER, SESSION_COOKIE};

/// The password every user the harness creates gets (the server wants at least 8 chars).
pub const PASSWORD: &str = "kata-sandi-uji-e2e";

/// A signed-in person, as `POST /api/v1/session` answered.
#[derive(Clone, Debug)]
pub struct Session {
    pub name: String,
    pub role: String,
    /// `None` for the superadmin.
    pub tenant: Option<String>,
    /// The value of the `pantau_session` cookie.
    pub token: String,
    /// What cookie-authenticated writes send in `x-csrf-token`.
    pub csrf: String,
    /// The whole `Set-Cookie` the server answered, so a browser gets exactly that cookie.
    pub set_cookie: String,
}

impl Session {
    /// Read a successful sign-in answer: its `Set-Cookie` and JSON body.
    pub async fn from_response(response: reqwest::Response) -> Session {
        let status = response.status().as_u16();
        let set_cookie = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{SESSION_COOKIE}=")))
            .map(str::to_owned);
        let body: serde_json::Value = response.json().await.expect("sign-in answers JSON");
        assert_eq!(status, 200, "sign-in failed: {body}");
        let set_cookie = set_cookie.unwrap_or_else(|| panic!("sign-in set no {SESSION_COOKIE} cookie: {body}"));
        let token = set_cookie[SESSION_COOKIE.len() + 1..]
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned();
        let text = |field: &str| {
            body[field]
                .as_str()
                .unwrap_or_else(|| panic!("no {field} in {body}"))
                .to_owned()
        };
        Session {
            name: text("name"),
            role: text("role"),
            tenant: body["tenant"].as_str().map(str::to_owned),
            token,
            csrf: text("csrf"),
            set_cookie,
        }
    }

    /// The `Cookie` request header that carries this session.
    pub fn cookie(&self) -> String {
        format!("{SESSION_COOKIE}={}", self.token)
    }
}

/// Who a request is sent as.
#[derive(Clone, Copy, Debug)]
pub enum Credentials<'a> {
    /// No credentials at all.
    Nobody,
    /// A person's session cookie (and its CSRF token on anything but GET).
    User(&'a Session),
    /// An ingest API key's secret.
    Key(&'a str),
}

impl Credentials<'_> {
    /// Add these credentials to `request`, a `method` request.
    pub fn apply(self, method: &reqwest::Method, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Credentials::Nobody => request,
            Credentials::Key(secret) => request.bearer_auth(secret),
            Credentials::User(session) => {
                let request = request.header(reqwest::header::COOKIE, session.cookie());
                if *method == reqwest::Method::GET {
                    request
                } else {
                    request.header(CSRF_HEADER, &session.csrf)
                }
            }
        }
    }
}
