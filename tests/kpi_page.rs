//! The executive page `/kpi` in a real headless Chromium against the real server: with a
//! known fixture (three garbage reports today, one of them resolved) its tiles show the
//! fixture's numbers, its trend charts are drawn as SVG paths, its agency table sorts by a
//! clicked header (`aria-sort`), its kecamatan map is shaded, and it prints on A4
//! landscape; an operator is refused and the signed-out are sent to sign in. The wall's
//! `panels=forecast` shows the breach forecast per agency. Screenshots (1920×1080,
//! 3840×2160, and the print layout) and the printed PDF are kept in `tests/artifacts/`.

use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintOrientation};
use fantoccini::Locator;
use pantau_e2e::browser::{open_wall, Wall};
use pantau_e2e::{eventually, report, report_in, workspace_root, Credentials, Pantau, RedisServer, Session};
use serde_json::json;

/// Three garbage reports (routed to dlh), the first assigned and resolved; their ticket ids.
async fn small_day(pantau: &Pantau) -> Vec<String> {
    let mut tickets = Vec::new();
    for i in 1..=3 {
        let (status, body) = pantau
            .post_event("tangerang", &report(&format!("Sampah menumpuk di pasar {i}")))
            .await;
        assert_eq!(status, 202, "{body}");
        tickets.push(body["accepted"][0]["ticket"].as_str().unwrap().to_owned());
    }
    for (path, body) in [
        ("assign", json!({"agency": "dlh"})),
        ("status", json!({"status": "resolved"})),
    ] {
        let (status, answer) = pantau
            .post(&format!("/api/v1/tangerang/tickets/{}/{path}", tickets[0]), &body)
            .await;
        assert_eq!(status, 202, "{path}: {answer}");
    }
    tickets
}

/// A browser of `width`×`height` signed in as `session`, showing `/kpi?window=today` once
/// its tiles are there.
async fn open_kpi(pantau: &Pantau, session: &Session, width: u32, height: u32) -> Wall {
    let page = Wall::launch(width, height, &[]).await;
    let url = pantau.url("/kpi?window=today");
    page.sign_in(&url, session).await;
    page.goto(&url).await.unwrap();
    page.wait_for("[data-testid=kpi-intake]").await;
    page
}

/// The `d` of the first element matching `css`, once it has one.
async fn path_d(page: &Wall, css: &str) -> String {
    eventually(&format!("{css} to be drawn"), || async {
        let d = page.find(Locator::Css(css)).await.ok()?.attr("d").await.ok()??;
        (!d.is_empty()).then_some(d)
    })
    .await
}

/// The fixture's numbers are on the tiles (3 received, 2 open, 1 resolved, on time), the
/// charts are SVG paths and bars, the agency table sorts by a clicked header, the map is
/// shaded, and the forecast and export links are there. Screenshots at 1920×1080 and
/// 3840×2160 are kept.
#[tokio::test]
async fn kpi_page_shows_the_fixture_numbers_and_charts() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let executive = pantau.user("tangerang", "executive").await;
    small_day(&pantau).await;
    // The report the page will read agrees with the fixture before the page is opened.
    eventually("the KPI report to count the fixture", || async {
        let (status, body) = pantau
            .get_as(Credentials::User(&executive), "/api/v1/tangerang/kpis?window=today")
            .await;
        (status == 200 && body["totals"]["intake"] == 3 && body["totals"]["resolved"] == 1).then_some(())
    })
    .await;

    let page = open_kpi(&pantau, &executive, 1920, 1080).await;
    assert_eq!(page.text("[data-testid=kpi-intake]").await, "3");
    assert_eq!(page.text("[data-testid=kpi-backlog]").await, "2");
    assert_eq!(page.text("[data-testid=kpi-resolved]").await, "1");
    assert_eq!(page.text("[data-testid=kpi-resolution-compliance]").await, "100%");
    // Yesterday had nothing: every count rose from zero.
    assert_eq!(page.text("[data-testid=kpi-intake-change]").await, "▲ +3");
    assert!(page.text("[data-testid=kpi-tenant]").await.contains("Kota Tangerang"));
    assert!(
        page.text("[data-testid=kpi-period]").await.contains("WIB"),
        "local time"
    );

    // Three charts, each an SVG with shapes: intake bars, a backlog area, compliance lines.
    let charts = page
        .find_all(Locator::Css("[data-testid=trend-chart] svg"))
        .await
        .unwrap();
    assert_eq!(charts.len(), 3);
    assert!(path_d(&page, "[data-testid=trend-chart] path.s-backlog.line")
        .await
        .starts_with('M'));
    assert!(path_d(&page, "[data-testid=trend-chart] path.s-resolution.line")
        .await
        .starts_with('M'));
    let bars = page
        .find_all(Locator::Css("[data-testid=trend-chart] rect.s-intake"))
        .await
        .unwrap();
    assert!(!bars.is_empty(), "hourly intake bars");

    // The agency table: dlh's row, sorted by a clicked header, which says so.
    page.wait_for("[data-testid=agency-row][data-agency=dlh]").await;
    let header = "[data-testid=sort-header][data-column='1']";
    assert_eq!(
        page.find(Locator::Css(header))
            .await
            .unwrap()
            .attr("aria-sort")
            .await
            .unwrap()
            .as_deref(),
        Some("none")
    );
    page.find(Locator::Css(&format!("{header} button")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait_for(&format!("{header}[aria-sort=descending]")).await;
    page.find(Locator::Css(&format!("{header} button")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait_for(&format!("{header}[aria-sort=ascending]")).await;

    // The map: the kecamatan with the fixture's open tickets is shaded (not the empty class).
    page.wait_for("[data-testid=kecamatan-map] path.kec").await;
    page.wait_for("[data-testid=kecamatan-map] path.kec.q4").await;
    page.wait_for("[data-testid=forecast-agency][data-agency=dlh]").await;
    for file in ["tickets.csv", "kpis.csv", "tickets.geojson"] {
        let link = page
            .find(Locator::Css(&format!("[data-testid='export-{file}']")))
            .await
            .unwrap();
        let href = link.attr("href").await.unwrap().unwrap_or_default();
        assert!(href.starts_with(&format!("/api/v1/tangerang/export/{file}?")), "{href}");
        let (status, _) = pantau.get_text(&href).await;
        assert_eq!(status, 200, "{href} downloads");
    }
    let csp: Vec<_> = page
        .console()
        .await
        .into_iter()
        .filter(|(_, m)| m.contains("Content Security Policy"))
        .collect();
    assert!(csp.is_empty(), "no CSP violations: {csp:?}");
    page.save_screenshot("kpi-1920x1080.png").await;
    // The rest of the page (it scrolls on screen): the table, the map, the forecast.
    page.execute("document.querySelector('.kpi-page').scrollTop = 1e6", vec![])
        .await
        .unwrap();
    page.save_screenshot("kpi-1920x1080-bottom.png").await;

    // The print-out: print media at A4 landscape's proportions, and the PDF itself.
    page.client.set_window_size(1123, 794).await.unwrap();
    emulate_print(&page).await;
    page.save_screenshot("kpi-print-a4.png").await;
    let pdf = page
        .print(
            PrintConfiguration::builder()
                .orientation(PrintOrientation::Landscape)
                .margins(PrintMargins {
                    top: 1.2,
                    bottom: 1.2,
                    left: 1.2,
                    right: 1.2,
                })
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    std::fs::write(workspace_root().join("tests/artifacts/kpi-print.pdf"), pdf).unwrap();
    page.close().await;

    let big = open_kpi(&pantau, &executive, 3840, 2160).await;
    assert_eq!(big.text("[data-testid=kpi-intake]").await, "3");
    big.wait_for("[data-testid=kecamatan-map] path.kec.q4").await;
    big.save_screenshot("kpi-3840x2160.png").await;
    big.close().await;
}

/// An operator is told the page is not theirs; the signed-out are sent to sign in and back.
#[tokio::test]
async fn operators_are_refused_and_the_signed_out_sign_in() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let operator = pantau.user("tangerang", "operator").await;
    let page = Wall::launch(1280, 800, &[]).await;
    let url = pantau.url("/kpi");
    page.goto(&url).await.unwrap();
    let at = eventually("the signed-out to be sent to sign in", || async {
        let at = page.current_url().await.ok()?.to_string();
        at.contains("/signin").then_some(at)
    })
    .await;
    assert!(at.contains("next=%2Fkpi"), "comes back to /kpi: {at}");
    page.sign_in(&url, &operator).await;
    page.goto(&url).await.unwrap();
    page.wait_for("[data-testid=refusal]").await;
    assert!(page.find(Locator::Css("[data-testid=kpi-page]")).await.is_err());
    page.close().await;
}

/// `panels=forecast`: a fresh flood report (bpbd, resolution due in 6 hours, no
/// resolutions yet, so no pace) is forecast to breach within 24 hours but not within 4.
#[tokio::test]
async fn wall_forecast_panel_counts_breaches_per_agency() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (status, body) = pantau
        .post_event("tangerang", &report_in("banjir", "Banjir setinggi lutut"))
        .await;
    assert_eq!(status, 202, "{body}");
    let wall = open_wall(&pantau.url("/?panels=forecast"), &pantau.admin, 1920, 1080).await;
    let row = "[data-testid=forecast-row][data-agency=bpbd]";
    wall.wait_for(row).await;
    assert_eq!(wall.text(&format!("{row} [data-testid=breach-24h]")).await, "1");
    assert_eq!(wall.text(&format!("{row} [data-testid=breach-4h]")).await, "0");
    assert!(wall
        .text("[data-testid=panel]")
        .await
        .to_lowercase()
        .contains("prakiraan"));
    wall.save_screenshot("wall-forecast-1920x1080.png").await;
    wall.close().await;
}

/// Switch the page to print media over chromedriver's DevTools bridge, so a screenshot
/// shows what paper gets.
async fn emulate_print(page: &Wall) {
    let params = json!({"cmd": "Emulation.setEmulatedMedia", "params": {"media": "print"}});
    page.client.issue_cmd(Cdp(params)).await.unwrap();
}

/// chromedriver's `POST /session/{id}/goog/cdp/execute`: one DevTools command.
#[derive(Debug)]
struct Cdp(serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}
