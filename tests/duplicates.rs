//! Duplicate reports end to end (issue 18), against the real binary and Redis: three garbage
//! reports within 50 m are offered as candidates of each other (a far one and another
//! category are not); an operator merges two into the first — the primary counts three
//! reporters, the duplicates are `merged`, the wall's snapshot and deltas carry the links and
//! count one open job; unmerging one restores its status and the count drops to two; every
//! event stays in each ticket's history. Merging into itself, into a closed ticket, back into
//! its own duplicate, or across tenants is refused naming the field; a viewer may look but
//! not merge. Then the console's drawer shows the candidates in a real browser.

use pantau_e2e::browser::open_wall;
use pantau_e2e::{eventually, report_in, Credentials, Pantau, RedisServer, Session};
use pantau_shared::event::{EventBody, TicketStatus};
use pantau_shared::protocol::ServerMsg;
use pantau_shared::ticket::Ticket;
use serde_json::{json, Value};
use std::collections::HashMap;

const TICKETS: &str = "/api/v1/tangerang/tickets";

/// A report in `category` `north_m` metres north of the sample point; its ticket number.
async fn report_at(pantau: &Pantau, category: &str, north_m: f64) -> String {
    let mut body = report_in(category, &format!("Sampah menumpuk {north_m} m"));
    body["lat"] = (body["lat"].as_f64().unwrap() + north_m / 111_195.0).into();
    let (status, answer) = pantau.post_event("tangerang", &body).await;
    assert_eq!(status, 202, "{answer}");
    answer["accepted"][0]["ticket"].as_str().unwrap().to_owned()
}

/// `GET /tickets/{id}` once the server's projection satisfies `ready`.
async fn ticket_when(pantau: &Pantau, id: &str, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
    eventually(what, || async {
        let (status, body) = pantau.get(&format!("{TICKETS}/{id}")).await;
        (status == 200 && ready(&body)).then_some(body)
    })
    .await
}

/// POST `body` to `/tickets/{id}/{command}` as `who`.
async fn command(pantau: &Pantau, who: &Session, id: &str, cmd: &str, body: Value) -> (u16, Value) {
    pantau
        .post_as(Credentials::User(who), &format!("{TICKETS}/{id}/{cmd}"), &body)
        .await
}

/// The refusal's status, code and field.
fn refusal(answer: (u16, Value)) -> (u16, String, String) {
    let (status, body) = answer;
    let text = |k: &str| body["error"][k].as_str().unwrap_or_default().to_owned();
    (status, text("code"), text("field"))
}

/// Close `id` (in progress → resolved → closed, validated when the tenant validates).
async fn close(pantau: &Pantau, id: &str) {
    for status in ["in_progress", "resolved"] {
        let (s, body) = pantau
            .post(&format!("{TICKETS}/{id}/status"), &json!({"status": status}))
            .await;
        assert_eq!(s, 202, "{status}: {body}");
    }
    let (s, _) = pantau
        .post(&format!("{TICKETS}/{id}/status"), &json!({"status": "closed"}))
        .await;
    if s != 202 {
        let (s, body) = pantau
            .post(&format!("{TICKETS}/{id}/validate"), &json!({"accepted": true}))
            .await;
        assert_eq!(s, 202, "validate: {body}");
    }
    ticket_when(pantau, id, "the ticket to be closed", |b| {
        b["ticket"]["status"] == "closed"
    })
    .await;
}

/// Fold the wall's deltas into tickets as the browser board does (own fold, then the
/// primary's link), until both merges are in.
async fn wall_fold(client: &mut pantau_e2e::WsClient, merges: usize) -> HashMap<String, Ticket> {
    let mut tickets: HashMap<String, Ticket> = HashMap::new();
    let mut seen = 0;
    while seen < merges {
        let ServerMsg::Deltas { events, .. } = client.next().await else {
            continue;
        };
        for e in events {
            let Some(id) = e.ticket.clone() else { continue };
            if let Some(t) = Ticket::open(&e) {
                tickets.insert(id.clone(), t);
                continue;
            }
            if let Some(t) = tickets.get_mut(&id) {
                t.apply(&e);
            }
            if let Some(p) = e.body.primary().and_then(|p| tickets.get_mut(p)) {
                p.link(&id, &e.body);
            }
            if matches!(e.body, EventBody::Merged(_)) {
                seen += 1;
            }
        }
    }
    tickets
}

/// Candidates, merge, the wall's view, unmerge, history, and every refusal.
#[tokio::test]
async fn three_reports_become_one_job_and_back() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (mut wall, _) = pantau.subscribe("tangerang").await;
    let first = report_at(&pantau, "sampah", 0.0).await;
    let second = report_at(&pantau, "sampah", 20.0).await;
    let third = report_at(&pantau, "drainase", 45.0).await; // a related category
    let far = report_at(&pantau, "sampah", 400.0).await;
    let lamp = report_at(&pantau, "lampu_jalan", 5.0).await;
    ticket_when(&pantau, &lamp, "the last report", |_| true).await;

    let operator = pantau.user("tangerang", "operator").await;
    let viewer = pantau.user("tangerang", "viewer").await;
    let (status, found) = pantau
        .get_as(Credentials::User(&viewer), &format!("{TICKETS}/{first}/duplicates"))
        .await;
    assert_eq!(status, 200, "{found}");
    let ids: Vec<&str> = found["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["ticket"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [second.as_str(), third.as_str()],
        "nearest first; not {far} nor {lamp}"
    );
    let d = found["candidates"][1]["distance_m"].as_f64().unwrap();
    assert!((40.0..50.0).contains(&d), "{d}");

    // A viewer may look but not merge; another tenant's operator not even that.
    let merge_second = json!({"into": first, "expected_version": 1});
    assert_eq!(
        command(&pantau, &viewer, &second, "merge", merge_second.clone())
            .await
            .0,
        403
    );
    let banjar = pantau.user("banjar", "operator").await;
    assert_eq!(
        command(&pantau, &banjar, &second, "merge", merge_second.clone())
            .await
            .0,
        403
    );
    // A stale version is a conflict.
    let stale = command(
        &pantau,
        &operator,
        &second,
        "merge",
        json!({"into": first, "expected_version": 7}),
    )
    .await;
    assert_eq!(
        refusal(stale),
        (409, "version_conflict".into(), "expected_version".into())
    );

    let (status, body) = command(&pantau, &operator, &second, "merge", merge_second).await;
    assert_eq!(status, 202, "{body}");
    let (status, body) = command(
        &pantau,
        &operator,
        &third,
        "merge",
        json!({"into": first, "expected_version": 1}),
    )
    .await;
    assert_eq!(status, 202, "{body}");

    let primary = ticket_when(&pantau, &first, "three reporters", |b| b["reporters"] == 3).await;
    let links: Vec<&str> = primary["ticket"]["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["ticket"].as_str().unwrap())
        .collect();
    assert_eq!(links, [second.as_str(), third.as_str()]);
    assert_eq!(
        primary["ticket"]["status"], "received",
        "the primary's own state is untouched"
    );
    for dup in [&second, &third] {
        let t = ticket_when(&pantau, dup, "merged", |b| b["ticket"]["status"] == "merged").await;
        assert_eq!(t["ticket"]["merged_into"], first.as_str());
        let merged = t["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(merged["type"], "ticket.merged");
        assert!(merged["actor"].as_str().unwrap().contains(&operator.name), "{merged}");
    }

    // The wall: deltas fold into the same links; a new snapshot carries them and counts one
    // open job for the three reports (plus the far one and the lamp).
    let folded = wall_fold(&mut wall, 2).await;
    assert_eq!(folded[&first].reporters(), 3);
    assert_eq!(folded[&second].status, TicketStatus::Merged);
    // A subscriber may be given the tenant's shared snapshot of up to a second ago, then the
    // entries after it as deltas (BENCHMARKS.md §11): wait for a snapshot taken after the merges.
    let (on_wall, open) = eventually("a snapshot taken after the merges", || async {
        let (_, snapshot) = pantau.subscribe("tangerang").await;
        let ServerMsg::Snapshot { tickets, kpis, .. } = snapshot else {
            panic!("expected a snapshot")
        };
        let on_wall = tickets.into_iter().find(|t| t.id == first && t.reporters() == 3)?;
        Some((on_wall, kpis.open))
    })
    .await;
    assert_eq!((on_wall.reporters(), on_wall.duplicates.len()), (3, 2));
    assert_eq!(open, 3, "{first}, {far}, {lamp}: the duplicates are not open");

    // Refusals, each naming the field.
    let own = command(&pantau, &operator, &first, "merge", json!({"into": first})).await;
    assert_eq!(refusal(own), (422, "invalid_field".into(), "into".into()));
    let cycle = command(&pantau, &operator, &first, "merge", json!({"into": second})).await;
    assert_eq!(refusal(cycle), (409, "merge_cycle".into(), "into".into()));
    let missing = command(&pantau, &operator, &far, "merge", json!({})).await;
    assert_eq!(refusal(missing), (422, "invalid_field".into(), "into".into()));
    let elsewhere = command(&pantau, &operator, &far, "merge", json!({"into": "BJR-000001"})).await;
    assert_eq!(refusal(elsewhere), (422, "invalid_field".into(), "into".into()));
    close(&pantau, &lamp).await;
    let closed = command(&pantau, &operator, &far, "merge", json!({"into": lamp})).await;
    assert_eq!(refusal(closed), (409, "not_mergeable".into(), "into".into()));
    assert_eq!(command(&pantau, &viewer, &third, "unmerge", json!({})).await.0, 403);

    // Unmerge the third: back to received, the primary counts two.
    let (status, body) = command(&pantau, &operator, &third, "unmerge", json!({"expected_version": 2})).await;
    assert_eq!(status, 202, "{body}");
    ticket_when(&pantau, &first, "two reporters", |b| b["reporters"] == 2).await;
    let back = ticket_when(&pantau, &third, "restored", |b| b["ticket"]["status"] == "received").await;
    assert!(back["ticket"].get("merged_into").is_none(), "{back}");
    let again = command(&pantau, &operator, &third, "unmerge", json!({})).await;
    assert_eq!(refusal(again), (409, "not_merged".into(), "ticket".into()));

    // Every event is still in each ticket's history.
    let types = |body: &Value| -> Vec<String> {
        body["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(types(&back), ["report.received", "ticket.merged", "ticket.unmerged"]);
    let second_now = pantau.get(&format!("{TICKETS}/{second}")).await.1;
    assert_eq!(types(&second_now), ["report.received", "ticket.merged"]);
    let first_now = pantau.get(&format!("{TICKETS}/{first}")).await.1;
    assert_eq!(types(&first_now), ["report.received"]);
}

/// The console's drawer lists the candidates of the open ticket, and a merge from it shows
/// the ticket's reporters and the merged duplicate; the wall's urgent row says ×2; the
/// merged one's drawer says where it went and unmerging it brings it back to the queue.
#[tokio::test]
async fn the_drawer_offers_candidates_and_merges() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let first = report_at(&pantau, "sampah", 0.0).await;
    let second = report_at(&pantau, "sampah", 15.0).await;
    ticket_when(&pantau, &second, "the second report", |_| true).await;
    let operator = pantau.user("tangerang", "operator").await;
    let console = open_wall(&pantau.url("/console"), &operator, 1920, 1080).await;
    console
        .wait_for(&format!("[data-testid=queue-row][data-ticket='{first}']"))
        .await
        .click()
        .await
        .unwrap();
    let candidate = console
        .wait_for(&format!("[data-testid=duplicate-candidate][data-ticket='{second}']"))
        .await;
    assert!(candidate.text().await.unwrap().contains(" m"), "a distance is shown");
    console
        .wait_for("[data-testid=merge-candidate]")
        .await
        .click()
        .await
        .unwrap();
    let reporters = console.wait_for("[data-testid=reporters]").await;
    assert_eq!(reporters.text().await.unwrap(), "2");
    console
        .wait_for(&format!("[data-testid=merged-duplicate][data-ticket='{second}']"))
        .await;
    console
        .wait_for(&format!(
            "[data-testid=queue-row][data-ticket='{first}'] [data-testid=reporters-badge]"
        ))
        .await;
    ticket_when(&pantau, &second, "merged", |b| b["ticket"]["status"] == "merged").await;
    console.save_screenshot("duplicates-drawer.png").await;

    // The wall's urgent list shows one job with two reporters.
    let wall = open_wall(&pantau.base, &pantau.admin, 1920, 1080).await;
    let badge = wall
        .wait_for(&format!(
            "[data-testid=urgent-item][data-ticket='{first}'] [data-testid=urgent-reporters]"
        ))
        .await;
    assert_eq!(badge.text().await.unwrap(), "×2");
    wall.close().await;

    // The merged ticket's drawer says where it went; unmerging brings it back to the queue.
    console
        .wait_for(&format!(
            "[data-testid=merged-duplicate][data-ticket='{second}'] button"
        ))
        .await
        .click()
        .await
        .unwrap();
    console
        .wait_for(&format!("[data-testid=drawer][data-ticket='{second}']"))
        .await;
    let went = console.wait_for("[data-testid=merged-into]").await;
    assert!(went.text().await.unwrap().contains(&first));
    console.wait_for("[data-testid=unmerge]").await.click().await.unwrap();
    ticket_when(&pantau, &second, "unmerged", |b| b["ticket"]["status"] == "received").await;
    console
        .wait_for(&format!("[data-testid=queue-row][data-ticket='{second}']"))
        .await;
    console.close().await;
}
