//! People's sessions against the real binary: idle and absolute expiry, signing out, the
//! lockout after repeated failed sign-ins, and a socket cut off within seconds once its
//! session ends or its user is disabled. Users are made with the real CLI (`pantau user add`).
//! Expiry needs the wall clock here: the server is started with lifetimes of seconds.

use pantau_e2e::auth::PASSWORD;
use pantau_e2e::{subscribe_msg, Credentials, Pantau, RedisServer, Session, WsClient};
use pantau_shared::protocol::ServerMsg;
use std::time::{Duration, Instant};

/// `GET /api/v1/session` as `session`: the status and the JSON answer.
async fn who_am_i(pantau: &Pantau, session: &Session) -> (u16, serde_json::Value) {
    pantau.get_as(Credentials::User(session), "/api/v1/session").await
}

/// Whether a socket with `session`'s cookie may subscribe to `tenant`: its first answer.
async fn first_answer(pantau: &Pantau, session: &Session, tenant: &str) -> ServerMsg {
    WsClient::subscribe(&pantau.ws_url, Some(session), tenant).await.1
}

fn is_error(msg: &ServerMsg, want: &str) -> bool {
    matches!(msg, ServerMsg::Error { code, .. } if code == want)
}

/// A session used within its idle time lives on; left unused for longer it ends: the API
/// answers 401 `unauthenticated` and the socket refuses `subscribe`.
#[tokio::test]
async fn an_idle_session_ends() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start_with(&redis, &["--session-idle-secs", "2"]).await;
    let viewer = pantau.user("tangerang", "viewer").await;
    // Used every 1.2 s, it outlives its 2 s idle time: every use restarts the clock.
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let (status, me) = who_am_i(&pantau, &viewer).await;
        assert_eq!(status, 200, "{me}");
        assert_eq!(
            (me["name"].as_str(), me["role"].as_str()),
            (Some(viewer.name.as_str()), Some("viewer"))
        );
    }
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let (status, body) = who_am_i(&pantau, &viewer).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthenticated")),
        "{body}"
    );
    let (status, _) = pantau
        .get_as(Credentials::User(&viewer), "/api/v1/tangerang/tickets")
        .await;
    assert_eq!(status, 401);
    let answer = first_answer(&pantau, &viewer, "tangerang").await;
    assert!(is_error(&answer, "unauthorized"), "{answer:?}");
}

/// However busy, a session ends at its absolute expiry.
#[tokio::test]
async fn a_busy_session_ends_at_its_absolute_expiry() {
    let redis = RedisServer::start().await;
    let args = ["--session-idle-secs", "3", "--session-absolute-secs", "4"];
    let pantau = Pantau::start_with(&redis, &args).await;
    let operator = pantau.user("tangerang", "operator").await;
    let signed_in = Instant::now();
    while signed_in.elapsed() < Duration::from_millis(3400) {
        assert_eq!(who_am_i(&pantau, &operator).await.0, 200, "alive before 4 s");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(4).saturating_sub(signed_in.elapsed()) + Duration::from_millis(300)).await;
    let (status, body) = who_am_i(&pantau, &operator).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthenticated")),
        "{body}"
    );
}

/// Signing out needs the CSRF token, clears the cookie, ends the session on the server (the
/// old cookie is refused) and closes the session's open socket within seconds.
#[tokio::test]
async fn signing_out_ends_the_session_and_its_socket() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let supervisor = pantau.user("banjar", "supervisor").await;
    let (mut socket, first) = WsClient::subscribe(&pantau.ws_url, Some(&supervisor), "banjar").await;
    assert!(matches!(first, ServerMsg::Snapshot { .. }), "{first:?}");

    let without_csrf = pantau
        .request(reqwest::Method::DELETE, "/api/v1/session", Credentials::Nobody)
        .header(reqwest::header::COOKIE, supervisor.cookie())
        .send()
        .await
        .unwrap();
    assert_eq!(without_csrf.status().as_u16(), 403, "a cookie alone cannot sign out");
    assert_eq!(who_am_i(&pantau, &supervisor).await.0, 200);

    let response = pantau
        .request(
            reqwest::Method::DELETE,
            "/api/v1/session",
            Credentials::User(&supervisor),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let cleared = response.headers()[reqwest::header::SET_COOKIE].to_str().unwrap();
    assert!(
        cleared.starts_with("pantau_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let (status, body) = who_am_i(&pantau, &supervisor).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthenticated")),
        "{body}"
    );

    let started = Instant::now();
    let last = socket.until_closed(Duration::from_secs(10)).await;
    assert!(
        last.iter().any(|m| is_error(m, "revoked")),
        "told why before the close: {last:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(7),
        "closed within the 5 s re-check"
    );
    let answer = first_answer(&pantau, &supervisor, "banjar").await;
    assert!(is_error(&answer, "unauthorized"), "{answer:?}");
}

/// Five wrong passwords lock the name out: the sixth attempt gets 429 `locked_out` with
/// Retry-After, and so does the right password; other names are unaffected.
#[tokio::test]
async fn five_failures_lock_the_name_out() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let added = pantau
        .cli
        .user_add(Some("tangerang"), "budi", "operator", PASSWORD)
        .await;
    assert!(added.ok, "{}", added.err);
    let other = pantau.user("tangerang", "operator").await;

    for attempt in 1..=5 {
        let response = pantau
            .sign_in_response(Some("tangerang"), "budi", "bukan-sandinya")
            .await;
        assert_eq!(response.status().as_u16(), 401, "attempt {attempt}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_credentials", "attempt {attempt}: {body}");
    }
    for password in ["bukan-sandinya", PASSWORD] {
        let response = pantau.sign_in_response(Some("tangerang"), "budi", password).await;
        assert_eq!(response.status().as_u16(), 429, "{password}");
        let retry_after: u64 = response.headers()[reqwest::header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
        assert!(
            response.headers().get(reqwest::header::SET_COOKIE).is_none(),
            "no session while locked out"
        );
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "locked_out", "{body}");
    }
    // The lockout is per name: someone else signs in as usual.
    let again = pantau.sign_in(Some("tangerang"), &other.name, PASSWORD).await;
    assert_eq!(again.name, other.name);
}

/// Disabling a user (`pantau user disable`) ends its sessions: its subscribed socket is told
/// `revoked` and closed within seconds, its cookie is refused, and it cannot sign in again.
#[tokio::test]
async fn a_disabled_users_socket_is_closed() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let viewer = pantau.user("tangerang", "viewer").await;
    let (mut socket, first) = WsClient::subscribe(&pantau.ws_url, Some(&viewer), "tangerang").await;
    assert!(matches!(first, ServerMsg::Snapshot { .. }), "{first:?}");
    // Without any cookie, the same subscribe is refused.
    let mut anonymous = WsClient::connect(&pantau.ws_url, None).await;
    anonymous.send(&subscribe_msg("tangerang")).await;
    let refused = anonymous.next().await;
    assert!(is_error(&refused, "unauthorized"), "{refused:?}");

    pantau.cli.user_disable(Some("tangerang"), &viewer.name).await;
    let started = Instant::now();
    let last = socket.until_closed(Duration::from_secs(10)).await;
    assert!(last.iter().any(|m| is_error(m, "revoked")), "{last:?}");
    assert!(
        started.elapsed() < Duration::from_secs(7),
        "closed within the 5 s re-check"
    );

    let (status, _) = who_am_i(&pantau, &viewer).await;
    assert_eq!(status, 401);
    let response = pantau.sign_in_response(Some("tangerang"), &viewer.name, PASSWORD).await;
    assert_eq!(response.status().as_u16(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_credentials", "{body}");
}
