//! Status rules hold across processes: two servers on one Redis each check a move against
//! their own projection, which can lag the stream by the other's latest write — so the
//! append script must be the judge. Both moves of each pair are sent at once, one to each
//! server; for every ticket exactly one is stored and the other is refused with
//! `invalid_transition`.

use futures_util::future::join_all;
use pantau_e2e::{report, Pantau, RedisServer};
use serde_json::json;

/// Tickets raced at once (each a resolved ticket that one server closes, by validating its
/// follow-up, while the other reopens it: either order makes the second move invalid).
const TICKETS: usize = 40;

/// With two processes, a move made invalid by the other process's write is still refused.
#[tokio::test]
async fn two_servers_never_store_an_invalid_move() {
    let redis = RedisServer::start().await;
    let a = Pantau::start(&redis).await;
    let b = Pantau::start(&redis).await;
    a.wait_ready().await;
    b.wait_ready().await;

    let mut tickets = Vec::new();
    for i in 0..TICKETS {
        let (status, body) = a.post_event("tangerang", &report(&format!("sampah {i}"))).await;
        assert_eq!(status, 202, "{body}");
        let ticket = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();
        for (path, body) in [
            ("assign", json!({"agency": "dlh"})),
            ("status", json!({"status": "resolved"})),
        ] {
            let (status, answer) = a
                .post(&format!("/api/v1/tangerang/tickets/{ticket}/{path}"), &body)
                .await;
            assert_eq!(status, 202, "{path}: {answer}");
        }
        tickets.push(ticket);
    }
    // Both servers know every ticket as resolved before the race starts.
    let last = tickets.last().unwrap().clone();
    for server in [&a, &b] {
        pantau_e2e::eventually("both projections to hold the resolved tickets", || async {
            let (_, body) = server.get(&format!("/api/v1/tangerang/tickets/{last}")).await;
            (body["ticket"]["status"] == "resolved").then_some(())
        })
        .await;
    }

    let race = tickets.iter().map(|ticket| {
        let (a, b) = (&a, &b);
        async move {
            // Tangerang validates follow-ups: a validator's acceptance closes the ticket.
            let validate = format!("/api/v1/tangerang/tickets/{ticket}/validate");
            let status = format!("/api/v1/tangerang/tickets/{ticket}/status");
            let (accepted, reopened) = (json!({"accepted": true}), json!({"status": "in_progress"}));
            let (close, reopen) = (a.post(&validate, &accepted), b.post(&status, &reopened));
            let ((s1, b1), (s2, b2)) = tokio::join!(close, reopen);
            (ticket.clone(), s1, b1, s2, b2)
        }
    });
    for (ticket, s1, b1, s2, b2) in join_all(race).await {
        let mut statuses = [s1, s2];
        statuses.sort();
        assert_eq!(
            statuses,
            [202, 409],
            "{ticket}: one move wins, the other is refused: {b1} / {b2}"
        );
        let refused = if s1 == 409 { &b1 } else { &b2 };
        assert_eq!(refused["error"]["code"], "invalid_transition", "{ticket}: {refused}");
    }

    // The stream agrees: per ticket, exactly one of the two moves after `resolved`.
    let stored = redis.stream_events("tangerang").await;
    for ticket in &tickets {
        let moves = stored
            .iter()
            .map(|(_, e)| e)
            .filter(|e| e["ticket"] == ticket.as_str())
            .filter(|e| {
                e["type"] == "ticket.validated" || (e["type"] == "ticket.status_changed" && e["status"] != "resolved")
            })
            .count();
        assert_eq!(moves, 1, "{ticket}: exactly one move after resolved is stored");
    }
}
