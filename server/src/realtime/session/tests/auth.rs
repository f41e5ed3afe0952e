//! Sessions and credentials: refused without them, scoped to the screen's tenant, cut off
//! when revoked while watching.

use super::*;

/// Without credentials a subscription is refused (`unauthorized`); a screen may not watch
/// another tenant (`forbidden`); a screen revoked while watching is told and closed at the
/// next check.
#[tokio::test(start_paused = true)]
async fn credentials_are_checked_at_subscribe_and_while_watching() {
    let server = Server::new(16);
    let mut client = Client::connect(&server);
    client.send(serde_json::json!({ "type": "subscribe", "v": 1, "tenant": "tangerang" }));
    let ServerMsg::Error { code, .. } = client.msg().await else {
        panic!("error")
    };
    assert_eq!(code, "unauthorized");
    client.send(serde_json::json!({ "type": "subscribe", "v": 1, "tenant": "tangerang", "token": "bogus" }));
    let ServerMsg::Error { code, .. } = client.msg().await else {
        panic!("error")
    };
    assert_eq!(code, "revoked", "an unknown display token is treated as revoked");
    client.subscribe(None, serde_json::json!({}));
    assert!(matches!(client.msg().await, ServerMsg::Snapshot { .. }));
    let t0 = Instant::now();
    server.log.revoked.store(true, Ordering::SeqCst);
    let ServerMsg::Error { code, .. } = client.msg().await else {
        panic!("revoked")
    };
    assert_eq!(code, "revoked");
    assert!(t0.elapsed() <= Duration::from_secs(5), "cut off within one recheck");
    assert!(matches!(client.frame().await, Message::Close(_)));
}
