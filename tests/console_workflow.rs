//! The console's workflow queues in a real headless Chromium (issue 18): an operator sees
//! new reports in the triage tab with their count, verifies one to another agency than the
//! suggested one and rejects another with a reason — each leaves the triage queue; a
//! supervisor finds a resolved ticket under "awaiting validation" and accepts it. The server
//! holds what the screen says. Screenshots at 1920×1080 and 3840×2160 go to
//! `tests/artifacts/` (not committed).

use pantau_e2e::browser::{open_wall, Wall};
use pantau_e2e::{eventually, report, Credentials, Pantau, RedisServer};
use serde_json::{json, Value};

async fn new_ticket(pantau: &Pantau, description: &str) -> String {
    let (status, body) = pantau.post_event("tangerang", &report(description)).await;
    assert_eq!(status, 202, "{body}");
    body["accepted"][0]["ticket"].as_str().unwrap().to_owned()
}

async fn ticket_state(pantau: &Pantau, ticket: &str) -> Value {
    let (status, body) = pantau
        .get_as(
            Credentials::User(&pantau.admin),
            &format!("/api/v1/tangerang/tickets/{ticket}"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn click(page: &Wall, css: &str) {
    page.wait_for(css).await.click().await.unwrap();
}

/// The number on a tab, once it equals `want`.
async fn tab_count(page: &Wall, tab: &str, want: &str) {
    let css = format!("[data-testid={tab}] .tab-count");
    eventually("the tab's count", || async {
        (page.text(&css).await == want).then_some(())
    })
    .await;
}

/// Triage: verify (to PUPR, not the suggested DLH) and reject (spam); the count follows.
#[tokio::test]
async fn operator_triages_new_reports() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let road = new_ticket(&pantau, "Gorong-gorong ambles di Jl. Daan Mogot").await;
    let spam = new_ticket(&pantau, "Promo pinjaman online").await;
    let operator = pantau.user("tangerang", "operator").await;
    let console = open_wall(&pantau.url("/console?status=triage"), &operator, 1920, 1080).await;
    tab_count(&console, "tab-triage", "2").await;
    assert_eq!(
        console
            .wait_for("[data-testid=tab-triage]")
            .await
            .attr("aria-selected")
            .await
            .unwrap()
            .as_deref(),
        Some("true"),
        "the URL's filter picked the tab"
    );

    click(&console, &format!("[data-testid=queue-row][data-ticket='{road}']")).await;
    console
        .wait_for("[data-testid=verify-agency]")
        .await
        .select_by_value("pupr")
        .await
        .unwrap();
    let note = console.wait_for("[data-testid=verify-note]").await;
    note.send_keys("Saluran, wewenang PUPR").await.unwrap();
    console.save_screenshot("console-triage-1920x1080.png").await;
    click(&console, "[data-testid=verify-submit]").await;
    tab_count(&console, "tab-triage", "1").await;
    let server = ticket_state(&pantau, &road).await;
    assert_eq!(
        (server["ticket"]["status"].as_str(), server["ticket"]["agency"].as_str()),
        (Some("assigned"), Some("pupr"))
    );
    assert_eq!(server["ticket"]["verified_by"], format!("user:{}", operator.name));

    click(&console, &format!("[data-testid=queue-row][data-ticket='{spam}']")).await;
    console
        .wait_for("[data-testid=reject-reason]")
        .await
        .select_by_value("spam")
        .await
        .unwrap();
    click(&console, "[data-testid=reject-submit]").await;
    tab_count(&console, "tab-triage", "0").await;
    let server = ticket_state(&pantau, &spam).await;
    assert_eq!(
        (
            server["ticket"]["status"].as_str(),
            server["ticket"]["rejection_reason"].as_str()
        ),
        (Some("rejected"), Some("spam"))
    );
    console.close().await;
}

/// Validation: a resolved ticket waits under its own tab; accepting it closes it.
#[tokio::test]
async fn supervisor_accepts_a_follow_up() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let ticket = new_ticket(&pantau, "Lampu jalan mati").await;
    let base = format!("/api/v1/tangerang/tickets/{ticket}");
    for (name, body) in [
        ("verify", json!({"agency": "dishub"})),
        ("status", json!({"status": "resolved", "note": "Lampu diganti"})),
    ] {
        let (status, answer) = pantau.post(&format!("{base}/{name}"), &body).await;
        assert_eq!(status, 202, "{name}: {answer}");
    }
    let supervisor = pantau.user("tangerang", "supervisor").await;
    let console = open_wall(&pantau.url("/console"), &supervisor, 3840, 2160).await;
    tab_count(&console, "tab-validation", "1").await;
    click(&console, "[data-testid=tab-validation]").await;
    click(&console, &format!("[data-testid=queue-row][data-ticket='{ticket}']")).await;
    console.wait_for("[data-testid=validate-form]").await;
    console.save_screenshot("console-validation-3840x2160.png").await;
    click(&console, "[data-testid=validate-accept]").await;
    tab_count(&console, "tab-validation", "0").await;
    eventually("the ticket to be closed", || async {
        (ticket_state(&pantau, &ticket).await["ticket"]["status"] == "closed").then_some(())
    })
    .await;
    console.close().await;
}
