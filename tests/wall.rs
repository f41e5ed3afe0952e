//! The wall in a real headless Chromium (Debian's, driven by chromedriver): it goes live and
//! shows a posted report; a breached ticket turns red on the map and tops the urgent list;
//! the stale banner appears when the server stops and clears when it returns; the language
//! switch changes the labels; panels rotate and filter by agency; a configured tile layer
//! is drawn under the map. Screenshots at 1920×1080 and 3840×2160 are kept in
//! `tests/artifacts/` (not committed).

use fantoccini::Locator;
use pantau_e2e::browser::{open_wall, LIVE};
use pantau_e2e::{dated_report, eventually, report, report_in, workspace_root, Pantau, RedisServer};

/// The wall connects, shows "live", and a report posted over HTTP appears on it with its
/// ticket, description and time in WIB, and the open count goes up.
#[tokio::test]
async fn posted_report_appears_on_the_wall() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let wall = open_wall(&pantau.base, &pantau.admin, 1920, 1080).await;
    assert_eq!(wall.text("[data-testid=kpi-open]").await, "0");

    let description = "Pohon tumbang di Jl. Sudirman, lalu lintas tersendat";
    let (status, body) = pantau.post_event("tangerang", &report(description)).await;
    assert_eq!(status, 202);
    let ticket = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();
    let item = wall
        .wait_for(&format!("[data-testid=report-item][data-ticket='{ticket}']"))
        .await;
    let shown = item.text().await.unwrap();
    assert!(
        shown.contains(description) || shown.contains("Pohon tumbang"),
        "{shown}"
    );
    assert!(shown.contains("WIB"), "time shown in the tenant's zone: {shown}");
    eventually("the open count to include the report", || async {
        (wall.text("[data-testid=kpi-open]").await == "1").then_some(())
    })
    .await;
    wall.wait_for("[data-testid=map][data-markers='1']").await;

    let beds = serde_json::json!({"type": "resource.updated", "kind": "hospital_beds", "facility": "RSUD Kota Tangerang",
        "unit": "ICU", "capacity": 12, "used": 9, "queue": 2});
    assert_eq!(pantau.post_event("tangerang", &beds).await.0, 202);
    let gauge = wall.wait_for("[data-testid=gauge]").await.text().await.unwrap();
    assert!(
        gauge.contains("RSUD Kota Tangerang · ICU") && gauge.contains("3 / 12"),
        "free beds of capacity: {gauge}"
    );
    assert!(
        wall.find(Locator::Css("[data-testid=stale-banner]")).await.is_err(),
        "no stale banner while live"
    );
    wall.save_screenshot("wall-1920x1080.png").await;
    wall.close().await;
}

/// A ticket past its deadline is red on the map and heads the urgent list with an overdue
/// countdown (at 4K, screenshot kept).
#[tokio::test]
async fn breached_ticket_is_red_on_the_map_and_tops_the_urgent_list() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let wall = open_wall(&pantau.base, &pantau.admin, 3840, 2160).await;

    pantau.post_event("tangerang", &report("Sampah baru")).await;
    let old = dated_report("Banjir sejak semalam", "banjir", chrono::Duration::hours(20));
    let (_, body) = pantau.post_event("tangerang", &old).await;
    let ticket = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();

    wall.wait_for("[data-testid=urgent-item]").await;
    // The list re-renders as countdowns tick: read the head's attributes in one go and try
    // again if it was replaced meanwhile (a stale element is not a failure of the wall).
    let (breached, text) = eventually("the breached ticket to head the urgent list", || async {
        let head = wall.find(Locator::Css("[data-testid=urgent-item]")).await.ok()?;
        if head.attr("data-ticket").await.ok()?? != ticket {
            return None;
        }
        Some((head.attr("data-breached").await.ok()?, head.text().await.ok()?))
    })
    .await;
    assert_eq!(breached.as_deref(), Some("true"));
    assert!(text.starts_with('−'), "overdue countdown: {text}");
    wall.wait_for("[data-testid=map][data-breached='1']").await;
    assert_eq!(wall.text("[data-testid=kpi-breached]").await, "1");
    wall.save_screenshot("wall-3840x2160.png").await;
    wall.close().await;
}

/// Stopping the server raises the stale banner; a server back on the same address clears it.
#[tokio::test]
async fn stale_banner_while_the_server_is_gone() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let port = pantau.port();
    let wall = open_wall(&pantau.base, &pantau.admin, 1920, 1080).await;
    drop(pantau);
    let banner = wall.wait_for("[data-testid=stale-banner]").await;
    assert!(
        banner.text().await.unwrap().contains("usang"),
        "says the data may be out of date"
    );
    let _back = Pantau::start_on(&redis, port, &[]).await;
    eventually("the banner to clear", || async {
        wall.find(Locator::Css("[data-testid=stale-banner]"))
            .await
            .is_err()
            .then_some(())
    })
    .await;
    wall.wait_for(LIVE).await;
    wall.close().await;
}

/// `?lang=en` switches every label; Bahasa Indonesia is the default.
#[tokio::test]
async fn language_switch_changes_the_labels() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let wall = open_wall(&pantau.base, &pantau.admin, 1920, 1080).await;
    let indonesian = wall.text("[data-testid=wall]").await;
    for label in ["TERBUKA", "LANGSUNG", "MENDESAK", "TIKET TERBUKA PER OPD"] {
        assert!(indonesian.contains(label), "{label} in {indonesian}");
    }
    wall.show(&format!("{}/?lang=en", pantau.base)).await;
    let english = wall.text("[data-testid=wall]").await;
    for label in ["OPEN", "LIVE", "URGENT", "OPEN TICKETS BY AGENCY", "COMMAND CENTER"] {
        assert!(english.contains(label), "{label} in {english}");
    }
    for label in ["TERBUKA", "LANGSUNG", "MENDESAK", "RUANG KENDALI"] {
        assert!(!english.contains(label), "{label} left untranslated in {english}");
    }
    wall.close().await;
}

/// `?panels=all,pupr&rotate=5` rotates from the whole city to Public Works alone: the header
/// names the panel and its place, and the map and KPIs show only that agency's tickets.
#[tokio::test]
async fn panels_rotate_and_filter_by_agency() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let road = report_in("jalan_rusak", "Jalan berlubang");
    assert_eq!(pantau.post_event("tangerang", &road).await.0, 202);
    assert_eq!(pantau.post_event("tangerang", &report("Sampah menumpuk")).await.0, 202);
    let wall = open_wall(
        &format!("{}/?panels=all,pupr&rotate=5", pantau.base),
        &pantau.admin,
        1920,
        1080,
    )
    .await;
    wall.wait_for("[data-testid=panel][data-position='1/2']").await;
    assert!(wall.text("[data-testid=panel]").await.contains("SEMUA OPD"));
    wall.wait_for("[data-testid=map][data-markers='2']").await;
    assert_eq!(wall.text("[data-testid=kpi-open]").await, "2");

    wall.wait_for("[data-testid=panel][data-position='2/2']").await;
    let title = wall.text("[data-testid=panel]").await;
    assert!(title.contains("DINAS PEKERJAAN UMUM"), "agency named in full: {title}");
    wall.wait_for("[data-testid=map][data-markers='1']").await;
    assert_eq!(wall.text("[data-testid=kpi-open]").await, "1");
    let listed = wall.find_all(Locator::Css("[data-testid=report-item]")).await.unwrap();
    assert_eq!(listed.len(), 1, "only Public Works' report is listed");
    wall.close().await;
}

/// A 1×1 PNG (any tile).
const TILE_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x70, 0x68, 0x70, 0x00, 0x00, 0x02, 0x04, 0x01, 0x01, 0x5d, 0xfe, 0x04, 0x95,
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A tile server on loopback answering every GET with [`TILE_PNG`]; the paths asked for.
async fn tile_server() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let paths = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = paths.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                if let Some(path) = request.split_whitespace().nth(1) {
                    seen.lock().unwrap().push(path.to_owned());
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    TILE_PNG.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(TILE_PNG).await;
            });
        }
    });
    (base, paths)
}

/// A tenant config naming a tile URL gets tiles drawn under the map, with the attribution;
/// the tiles asked for are the ones over Kota Tangerang. (Without the setting — every other
/// test — the wall asks for none: it must work with no internet.)
#[tokio::test]
async fn configured_tile_layer_is_drawn_under_the_map() {
    let (tiles, paths) = tile_server().await;
    let config = std::env::temp_dir().join(format!("pantau-tiles-config-{}", std::process::id()));
    std::fs::create_dir_all(config.join("tenants")).unwrap();
    let root = workspace_root().join("config");
    std::fs::copy(root.join("holidays.toml"), config.join("holidays.toml")).unwrap();
    let tenant = std::fs::read_to_string(root.join("tenants/tangerang.toml")).unwrap();
    let layer = format!("[tiles]\nurl = \"{tiles}/{{z}}/{{x}}/{{y}}.png\"\nattribution = \"© Uji Peta\"\n");
    std::fs::write(config.join("tenants/tangerang.toml"), format!("{tenant}\n{layer}")).unwrap();

    let redis = RedisServer::start().await;
    let pantau = Pantau::start_with(&redis, &["--config-dir", config.to_str().unwrap()]).await;
    let wall = open_wall(&pantau.base, &pantau.admin, 1920, 1080).await;
    eventually("tiles to be drawn", || async {
        let map = wall.find(Locator::Css("[data-testid=map]")).await.ok()?;
        let drawn: usize = map.attr("data-tiles").await.ok()??.parse().ok()?;
        (drawn > 0).then_some(drawn)
    })
    .await;
    assert_eq!(wall.text("[data-testid=map-attribution]").await, "© Uji Peta");
    let asked = paths.lock().unwrap().clone();
    assert!(!asked.is_empty());
    for path in &asked {
        let parts: Vec<u32> = path
            .trim_start_matches('/')
            .trim_end_matches(".png")
            .split('/')
            .map(|p| p.parse().unwrap())
            .collect();
        let (z, x, y) = (parts[0], f64::from(parts[1]), f64::from(parts[2]));
        assert!((10..=16).contains(&z), "zoom for a city on a 1080p wall: {path}");
        // The tile's west edge and north edge, back in degrees.
        let n = f64::from(1u32 << z);
        let (west, east) = (x / n * 360.0 - 180.0, (x + 1.0) / n * 360.0 - 180.0);
        let lat = |row: f64| {
            (std::f64::consts::PI * (1.0 - 2.0 * row / n))
                .sinh()
                .atan()
                .to_degrees()
        };
        let (north, south) = (lat(y), lat(y + 1.0));
        assert!(
            east > 106.4 && west < 106.9 && north > -6.4 && south < -6.0,
            "tile {path} lies over the Tangerang area"
        );
    }
    wall.close().await;
    std::fs::remove_dir_all(&config).unwrap();
}
