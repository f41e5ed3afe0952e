//! The supervisor console in a real headless Chromium, against the real server and Redis:
//! a supervisor reassigns a ticket and a wall in another browser shows the new agency; two
//! supervisors reassign the same ticket at once and the second gets the conflict dialog with
//! the first one's change (and can apply theirs again); an operator is offered no reassign
//! and the server refuses it anyway; a viewer is refused the page. Screenshots at 1920×1080
//! and 3840×2160 are kept in `tests/artifacts/` (not committed).

use fantoccini::elements::Element;
use fantoccini::Locator;
use pantau_e2e::browser::{open_wall, Wall};
use pantau_e2e::{eventually, report, Credentials, Pantau, RedisServer};
use serde_json::json;
use std::time::Instant;

/// Post a report to Tangerang (routed to DLH); its ticket number.
async fn new_ticket(pantau: &Pantau, description: &str) -> String {
    let (status, body) = pantau.post_event("tangerang", &report(description)).await;
    assert_eq!(status, 202, "{body}");
    body["accepted"][0]["ticket"].as_str().unwrap().to_owned()
}

/// Open `ticket` in the console's drawer (clicking its queue row).
async fn open_drawer(console: &Wall, ticket: &str) -> Element {
    console
        .wait_for(&format!("[data-testid=queue-row][data-ticket='{ticket}']"))
        .await
        .click()
        .await
        .unwrap();
    console
        .wait_for(&format!("[data-testid=drawer][data-ticket='{ticket}']"))
        .await
}

/// Fill the drawer's assign form (agency, reason) without sending it.
async fn fill_assign(console: &Wall, agency: &str, reason: &str) {
    let reason_input = console.wait_for("[data-testid=assign-reason]").await;
    reason_input.click().await.unwrap();
    reason_input.send_keys(reason).await.unwrap();
    console
        .wait_for("[data-testid=assign-agency]")
        .await
        .select_by_value(agency)
        .await
        .unwrap();
}

/// The ticket as the server has it.
async fn ticket_state(pantau: &Pantau, ticket: &str) -> serde_json::Value {
    let (status, body) = pantau
        .get_as(
            Credentials::User(&pantau.admin),
            &format!("/api/v1/tangerang/tickets/{ticket}"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A supervisor reassigns a ticket in the console (with a reason); the wall, open in another
/// browser as another person, shows the new agency on the ticket's urgent row; the console's
/// row, drawer and timeline follow.
#[tokio::test]
async fn supervisor_reassigns_and_the_wall_follows() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let ticket = new_ticket(&pantau, "Sampah menumpuk di Pasar Anyar").await;
    let supervisor = pantau.user("tangerang", "supervisor").await;
    let wall = open_wall(&pantau.base, &pantau.admin, 1920, 1080).await;
    let console = open_wall(&pantau.url("/console"), &supervisor, 1920, 1080).await;

    open_drawer(&console, &ticket).await;
    assert!(console.text("[data-testid=drawer-agency]").await.contains("DLH"));
    assert_eq!(
        console.text("[data-testid=citizen-light]").await,
        "Menunggu",
        "red: waiting"
    );
    fill_assign(&console, "pupr", "Saluran tersumbat, wewenang PUPR").await;
    let sent = Instant::now();
    console
        .wait_for("[data-testid=assign-submit]")
        .await
        .click()
        .await
        .unwrap();

    let urgent_row = format!("[data-testid=urgent-item][data-ticket='{ticket}']");
    eventually("the wall to show the new agency", || async {
        let row = wall.find(Locator::Css(&urgent_row)).await.ok()?;
        row.text().await.ok()?.contains("PUPR").then_some(())
    })
    .await;
    println!(
        "wall showed the reassignment {} ms after the click",
        sent.elapsed().as_millis()
    );

    console
        .wait_for(&format!(
            "[data-testid=queue-row][data-ticket='{ticket}'][data-agency=pupr]"
        ))
        .await;
    eventually("the timeline to show who reassigned", || async {
        let text = console.text("[data-testid=timeline]").await;
        (text.contains(&supervisor.name) && text.contains("PUPR") && text.contains("wewenang PUPR")).then_some(())
    })
    .await;
    let server = ticket_state(&pantau, &ticket).await;
    assert_eq!(server["ticket"]["agency"], "pupr");
    assert_eq!(server["history"][1]["actor"], format!("user:{}", supervisor.name));
    console.save_screenshot("console-1920x1080.png").await;
    wall.close().await;
    console.close().await;
}

/// Two supervisors have the same ticket open and both reassign it: the first wins; the
/// second is not silently applied but gets the conflict dialog naming the first one and
/// their change, keeps their own, applies it again on the new version — and both changes
/// are in the history, in order.
#[tokio::test]
async fn second_reassignment_gets_the_conflict_dialog() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let ticket = new_ticket(&pantau, "Lampu jalan mati di Jl. Daan Mogot").await;
    let (first, second) = (
        pantau.user("tangerang", "supervisor").await,
        pantau.user("tangerang", "supervisor").await,
    );
    let a = open_wall(&pantau.url("/console"), &first, 1920, 1080).await;
    let b = open_wall(&pantau.url("/console"), &second, 3840, 2160).await;
    open_drawer(&a, &ticket).await;
    open_drawer(&b, &ticket).await;
    // Both start typing on the version they see.
    fill_assign(&a, "pupr", "Tiang lampu milik PUPR").await;
    fill_assign(&b, "dishub", "Penerangan jalan urusan Dishub").await;

    a.wait_for("[data-testid=assign-submit]").await.click().await.unwrap();
    eventually("the first change to be saved", || async {
        (ticket_state(&pantau, &ticket).await["ticket"]["agency"] == "pupr").then_some(())
    })
    .await;
    b.wait_for("[data-testid=assign-submit]").await.click().await.unwrap();

    let theirs = b.wait_for("[data-testid=conflict-theirs]").await.text().await.unwrap();
    assert!(theirs.contains(&first.name) && theirs.contains("PUPR"), "{theirs}");
    let yours = b.text("[data-testid=conflict-yours]").await;
    assert!(yours.contains("DISHUB"), "{yours}");
    assert_eq!(
        ticket_state(&pantau, &ticket).await["ticket"]["agency"],
        "pupr",
        "no silent overwrite"
    );
    b.save_screenshot("console-conflict-3840x2160.png").await;

    b.wait_for("[data-testid=conflict-reapply]")
        .await
        .click()
        .await
        .unwrap();
    eventually("the second change to be applied on the new version", || async {
        (ticket_state(&pantau, &ticket).await["ticket"]["agency"] == "dishub").then_some(())
    })
    .await;
    let history = ticket_state(&pantau, &ticket).await["history"].clone();
    let actors: Vec<_> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "ticket.assigned")
        .map(|e| e["actor"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        actors,
        [format!("user:{}", first.name), format!("user:{}", second.name)]
    );
    assert!(
        b.find(Locator::Css("[data-testid=conflict-dialog]")).await.is_err(),
        "closed after applying"
    );
    a.close().await;
    b.close().await;
}

/// An operator works the queue (status, comment) but is offered no reassignment, and the
/// server refuses one anyway; a filter given in the URL applies; a viewer is refused the page.
#[tokio::test]
async fn operator_cannot_reassign_and_viewer_is_refused() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let ticket = new_ticket(&pantau, "Jalan berlubang dekat sekolah").await;
    new_ticket(&pantau, "Sampah di bantaran kali").await;
    let operator = pantau.user("tangerang", "operator").await;
    let console = open_wall(&pantau.url(&format!("/console?q={ticket}")), &operator, 1920, 1080).await;
    eventually("the URL's filter to leave one row", || async {
        (console.text("[data-testid=queue-count]").await.starts_with('1')).then_some(())
    })
    .await;
    open_drawer(&console, &ticket).await;
    console.wait_for("[data-testid=status-form]").await;
    assert!(console.find(Locator::Css("[data-testid=assign-form]")).await.is_err());
    assert!(console.find(Locator::Css("[data-testid=bulk-bar]")).await.is_err());
    let (status, body) = pantau
        .post_as(
            Credentials::User(&operator),
            &format!("/api/v1/tangerang/tickets/{ticket}/assign"),
            &json!({"agency": "pupr"}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    console.close().await;

    let viewer = pantau.user("tangerang", "viewer").await;
    let page = Wall::launch(1920, 1080, &[]).await;
    page.sign_in(&pantau.base, &viewer).await;
    page.goto(&pantau.url("/console")).await.unwrap();
    page.wait_for("[data-testid=refusal]").await;
    page.close().await;
}

/// A supervisor ticks two tickets and reassigns them at once to an agency and one of its
/// officers (from the tenant's configuration); both move, the workload panel shows the
/// officer's load, and a click on that row filters the queue to the officer's tickets.
#[tokio::test]
async fn bulk_reassign_moves_the_selection_to_an_officer() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let first = new_ticket(&pantau, "Jalan amblas di Jl. Imam Bonjol").await;
    let second = new_ticket(&pantau, "Trotoar rusak depan pasar").await;
    let untouched = new_ticket(&pantau, "Sampah belum diangkut").await;
    let supervisor = pantau.user("tangerang", "supervisor").await;
    let console = open_wall(&pantau.url("/console"), &supervisor, 1920, 1080).await;
    for ticket in [&first, &second] {
        console
            .wait_for(&format!(
                "[data-testid=queue-row][data-ticket='{ticket}'] [data-testid=row-check]"
            ))
            .await
            .click()
            .await
            .unwrap();
    }
    assert!(console.text("[data-testid=bulk-count]").await.starts_with('2'));
    console
        .wait_for("[data-testid=bulk-agency]")
        .await
        .select_by_value("pupr")
        .await
        .unwrap();
    console
        .wait_for("[data-testid=bulk-officer]")
        .await
        .select_by_value("pupr-dewi")
        .await
        .unwrap();
    console
        .wait_for("[data-testid=bulk-reason]")
        .await
        .send_keys("Kerusakan jalan: PUPR")
        .await
        .unwrap();
    console
        .wait_for("[data-testid=bulk-submit]")
        .await
        .click()
        .await
        .unwrap();
    eventually("the bulk outcome", || async {
        console
            .text("[data-testid=bulk-outcome]")
            .await
            .starts_with("2 dialihkan")
            .then_some(())
    })
    .await;
    for ticket in [&first, &second] {
        let t = ticket_state(&pantau, ticket).await;
        assert_eq!(
            (t["ticket"]["agency"].as_str(), t["ticket"]["officer"].as_str()),
            (Some("pupr"), Some("pupr-dewi"))
        );
    }
    assert_eq!(ticket_state(&pantau, &untouched).await["ticket"]["agency"], "dlh");

    let officer_row = "[data-testid=workload-row][data-agency=pupr][data-officer=pupr-dewi]";
    let row = console.wait_for(officer_row).await;
    assert!(row.text().await.unwrap().contains("Dewi Lestari"));
    row.click().await.unwrap();
    eventually("the queue to show the officer's two tickets", || async {
        console
            .text("[data-testid=queue-count]")
            .await
            .starts_with('2')
            .then_some(())
    })
    .await;
    let url = console.current_url().await.unwrap().to_string();
    assert!(
        url.contains("agency=pupr") && url.contains("officer=pupr-dewi"),
        "bookmarkable: {url}"
    );
    console.close().await;
}

/// A ticket passed between agencies three times is flagged as ping-pong, with the chain of
/// agencies, in the console's queue and on the wall's urgent list (from the `alert.raised`
/// event the SLA emitter appends, so every screen shows the same).
#[tokio::test]
async fn ping_pong_is_flagged_in_the_queue_and_on_the_wall() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let ticket = new_ticket(&pantau, "Genangan air setinggi lutut").await;
    let supervisor = pantau.user("tangerang", "supervisor").await;
    let wall = open_wall(&pantau.base, &pantau.admin, 1920, 1080).await;
    let console = open_wall(&pantau.url("/console"), &supervisor, 1920, 1080).await;
    for agency in ["pupr", "bpbd", "dlh"] {
        let path = format!("/api/v1/tangerang/tickets/{ticket}/assign");
        let body = json!({"agency": agency, "reason": "bukan wewenang kami"});
        let (status, answer) = pantau.post_as(Credentials::User(&supervisor), &path, &body).await;
        assert_eq!(status, 202, "{answer}");
    }
    let flag = console
        .wait_for(&format!(
            "[data-testid=queue-row][data-ticket='{ticket}'] [data-testid=ping-pong]"
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(flag.contains("DLH → PUPR → BPBD → DLH"), "{flag}");
    let on_wall = wall
        .wait_for(&format!(
            "[data-testid=urgent-item][data-ticket='{ticket}'] [data-testid=urgent-ping-pong]"
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(on_wall.contains("DLH → PUPR → BPBD → DLH"), "{on_wall}");
    wall.close().await;
    console.close().await;
}
