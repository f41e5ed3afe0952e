//! The wall in a real headless Chromium (Debian's, driven by chromedriver): it goes live and
//! shows a posted report; a breached ticket turns red on the map and tops the urgent list;
//! the stale banner appears when the server stops and clears when it returns; the language
//! switch changes the labels. Screenshots at 1920×1080 and 3840×2160 are kept in
//! `tests/artifacts/` (not committed).

use fantoccini::Locator;
use pantau_e2e::browser::browser;
use pantau_e2e::{eventually, report, workspace_root, Pantau, RedisServer};

async fn text(client: &fantoccini::Client, css: &str) -> String {
    client.find(Locator::Css(css)).await.unwrap().text().await.unwrap()
}

async fn wait_for(client: &fantoccini::Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

async fn save_screenshot(client: &fantoccini::Client, name: &str) {
    let dir = workspace_root().join("tests/artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), client.screenshot().await.unwrap()).unwrap();
}

/// The wall connects, shows "live", and a report posted over HTTP appears on it with its
/// ticket, description and time in WIB, and the open count goes up.
#[tokio::test]
async fn posted_report_appears_on_the_wall() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (_driver, client) = browser(1920, 1080).await;

    client.goto(&pantau.base).await.unwrap();
    wait_for(&client, "[data-testid=conn-status][data-state=live]").await;
    assert_eq!(text(&client, "[data-testid=kpi-open]").await, "0");

    let description = "Pohon tumbang di Jl. Sudirman, lalu lintas tersendat";
    let (status, body) = pantau.post_event("tangerang", report(description)).await;
    assert_eq!(status, 202);
    let ticket = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();
    let item = wait_for(&client, &format!("[data-testid=report-item][data-ticket='{ticket}']")).await;
    let shown = item.text().await.unwrap();
    assert!(
        shown.contains(description) || shown.contains("Pohon tumbang"),
        "{shown}"
    );
    assert!(shown.contains("WIB"), "time shown in the tenant's zone: {shown}");
    eventually("the open count to include the report", || async {
        (text(&client, "[data-testid=kpi-open]").await == "1").then_some(())
    })
    .await;
    wait_for(&client, "[data-testid=map][data-markers='1']").await;

    let beds = serde_json::json!({"type": "resource.updated", "kind": "hospital_beds", "facility": "RSUD Kota Tangerang",
        "unit": "ICU", "capacity": 12, "used": 9, "queue": 2});
    assert_eq!(pantau.post_event("tangerang", beds.to_string()).await.0, 202);
    let gauge = wait_for(&client, "[data-testid=gauge]").await.text().await.unwrap();
    assert!(
        gauge.contains("RSUD Kota Tangerang · ICU") && gauge.contains("3 / 12"),
        "free beds of capacity: {gauge}"
    );
    assert!(
        client.find(Locator::Css("[data-testid=stale-banner]")).await.is_err(),
        "no stale banner while live"
    );
    save_screenshot(&client, "wall-1920x1080.png").await;
    client.close().await.unwrap();
}

/// A ticket past its deadline is red on the map and heads the urgent list with an overdue
/// countdown (at 4K, screenshot kept).
#[tokio::test]
async fn breached_ticket_is_red_on_the_map_and_tops_the_urgent_list() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (_driver, client) = browser(3840, 2160).await;
    client.goto(&pantau.base).await.unwrap();
    wait_for(&client, "[data-testid=conn-status][data-state=live]").await;

    pantau.post_event("tangerang", report("Sampah baru")).await;
    let mut old: serde_json::Value = serde_json::from_str(&report("Banjir sejak semalam")).unwrap();
    old["category"] = "banjir".into();
    old["at"] = (chrono::Utc::now() - chrono::Duration::hours(20)).to_rfc3339().into();
    let (_, body) = pantau.post_event("tangerang", old.to_string()).await;
    let ticket = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();

    let first = wait_for(&client, "[data-testid=urgent-item]").await;
    eventually("the breached ticket to head the urgent list", || async {
        let first = client.find(Locator::Css("[data-testid=urgent-item]")).await.ok()?;
        (first.attr("data-ticket").await.ok()?? == ticket).then_some(())
    })
    .await;
    drop(first);
    let head = client.find(Locator::Css("[data-testid=urgent-item]")).await.unwrap();
    assert_eq!(head.attr("data-breached").await.unwrap().as_deref(), Some("true"));
    assert!(head.text().await.unwrap().starts_with('−'), "overdue countdown");
    wait_for(&client, "[data-testid=map][data-breached='1']").await;
    assert_eq!(text(&client, "[data-testid=kpi-breached]").await, "1");
    save_screenshot(&client, "wall-3840x2160.png").await;
    client.close().await.unwrap();
}

/// Stopping the server raises the stale banner; a server back on the same address clears it.
#[tokio::test]
async fn stale_banner_while_the_server_is_gone() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let port = pantau.port();
    let (_driver, client) = browser(1920, 1080).await;
    client.goto(&pantau.base).await.unwrap();
    wait_for(&client, "[data-testid=conn-status][data-state=live]").await;
    drop(pantau);
    let banner = wait_for(&client, "[data-testid=stale-banner]").await;
    assert!(
        banner.text().await.unwrap().contains("usang"),
        "says the data may be out of date"
    );
    let _back = Pantau::start_on(&redis, port, &[]).await;
    eventually("the banner to clear", || async {
        client
            .find(Locator::Css("[data-testid=stale-banner]"))
            .await
            .is_err()
            .then_some(())
    })
    .await;
    wait_for(&client, "[data-testid=conn-status][data-state=live]").await;
    client.close().await.unwrap();
}

/// `?lang=en` switches every label; Bahasa Indonesia is the default.
#[tokio::test]
async fn language_switch_changes_the_labels() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (_driver, client) = browser(1920, 1080).await;
    client.goto(&pantau.base).await.unwrap();
    wait_for(&client, "[data-testid=conn-status][data-state=live]").await;
    let indonesian = text(&client, "[data-testid=wall]").await;
    for label in ["TERBUKA", "LANGSUNG", "MENDESAK", "TIKET TERBUKA PER OPD"] {
        assert!(indonesian.contains(label), "{label} in {indonesian}");
    }
    client.goto(&format!("{}/?lang=en", pantau.base)).await.unwrap();
    wait_for(&client, "[data-testid=conn-status][data-state=live]").await;
    let english = text(&client, "[data-testid=wall]").await;
    for label in ["OPEN", "LIVE", "URGENT", "OPEN TICKETS BY AGENCY", "COMMAND CENTER"] {
        assert!(english.contains(label), "{label} in {english}");
    }
    for label in ["TERBUKA", "LANGSUNG", "MENDESAK", "RUANG KENDALI"] {
        assert!(!english.contains(label), "{label} left untranslated in {english}");
    }
    client.close().await.unwrap();
}
