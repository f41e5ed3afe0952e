//! Unit tests of tenant loading, checking and lookups.

use super::*;
use pantau_shared::event::Priority;

fn demo() -> Tenants {
    test_tenants()
}

/// The shipped demo tenants load with their areas, agencies and categories.
#[test]
fn demo_tenants_load() {
    let tenants = demo();
    let tgr = tenants.get("tangerang").unwrap();
    assert_eq!(tgr.kecamatan.len(), 13);
    assert_eq!(tgr.kelurahan.len(), 104);
    assert_eq!(tgr.zone_label, "WIB");
    let bjr = tenants.get("banjar").unwrap();
    assert_eq!(bjr.kecamatan.len(), 20);
    assert_eq!(bjr.kelurahan.len(), 290);
    assert_eq!(bjr.utc_offset_minutes, 480);
    assert_eq!(tgr.category("banjir").unwrap().agency, "bpbd");
    assert_eq!(tgr.api_keys[0].source, "demo-citizen-app");
    assert_eq!(tgr.public_coordinate_decimals, DEFAULT_PUBLIC_COORDINATE_DECIMALS);
    let banjir = tgr.sla.policy("banjir", Priority::Critical).unwrap();
    assert_eq!(
        (banjir.response_minutes, banjir.resolution_minutes, banjir.calendar),
        (15, 180, 0)
    );
    let road = tgr.sla.policy("jalan_rusak", Priority::Low).unwrap();
    assert_eq!((road.response_minutes, road.calendar), (16 * 60, 1));
    let office = &tgr.sla.calendars[1];
    assert!(office.holidays.contains(&"2026-08-17".parse().unwrap()));
    assert_eq!(office.week.unwrap()[4].unwrap().close, 15 * 60, "short Friday");
    assert!(office.week.unwrap()[5].is_none(), "Saturday closed");
}

/// Points are placed in the right kecamatan and kelurahan; points elsewhere are refused.
#[test]
fn places_points_by_polygon() {
    let tenants = demo();
    let tgr = tenants.get("tangerang").unwrap();
    // The inside point of kecamatan Tangerang (36.71.01) from kecamatan_centroids.csv.
    let placed = tgr.place(-6.188816, 106.640638).unwrap();
    assert_eq!(placed.kecamatan.code, "36.71.01");
    assert_eq!(placed.kecamatan.name, "Tangerang");
    assert!(placed.kelurahan.unwrap().code.starts_with("36.71.01."));
    // Jakarta's Monas, Banjarmasin and the open sea are not in Kota Tangerang.
    assert_eq!(tgr.place(-6.1754, 106.8272), None);
    assert_eq!(tgr.place(-3.3186, 114.5944), None);
    assert_eq!(tgr.place(0.0, 0.0), None);
    let bjr = tenants.get("banjar").unwrap();
    assert!(bjr.place(-6.188816, 106.640638).is_none());
}
/// A config dir holding the demo Tangerang tenant with `extra` appended to its file.
fn tangerang_with(extra: &str) -> Result<Tenants, TenantError> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("config/tenants/tangerang.toml")).unwrap();
    with_tangerang_file(&format!("{text}\n{extra}\n"))
}

/// A config dir holding only a Tangerang tenant file with this text, loaded.
fn with_tangerang_file(text: &str) -> Result<Tenants, TenantError> {
    static DIRS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = DIRS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::temp_dir().join(format!("pantau-tenant-test-{}-{n}", std::process::id()));
    std::fs::create_dir_all(dir.join("tenants")).unwrap();
    std::fs::copy(root.join("config/holidays.toml"), dir.join("holidays.toml")).unwrap();
    std::fs::write(dir.join("tenants/tangerang.toml"), text).unwrap();
    let loaded = Tenants::load(&dir, &root.join("assets"));
    std::fs::remove_dir_all(&dir).unwrap();
    loaded
}

/// No tile layer unless configured; a configured one reaches the wall; a template
/// without {z}/{x}/{y} is refused naming the field.
#[test]
fn tile_layer_is_optional_and_checked() {
    assert_eq!(demo().get("tangerang").unwrap().info().geo.tiles, None);
    let ok = tangerang_with("[tiles]\nurl = \"http://tiles.local/{z}/{x}/{y}.png\"\nattribution = \"© OSM\"").unwrap();
    let tiles = ok.get("tangerang").unwrap().info().geo.tiles.unwrap();
    assert_eq!(
        (tiles.url.as_str(), tiles.attribution.as_str(), tiles.max_zoom),
        ("http://tiles.local/{z}/{x}/{y}.png", "© OSM", 18)
    );
    let err = tangerang_with("[tiles]\nurl = \"http://tiles.local/{z}/{x}.png\"").unwrap_err();
    assert!(err.to_string().contains("tiles.url"), "{err}");
}

/// The wall gets every agency with both names.
#[test]
fn info_names_agencies() {
    let info = demo().get("tangerang").unwrap().info();
    let dlh = info.agencies.iter().find(|a| a.code == "dlh").unwrap();
    assert_eq!(dlh.name_id, "Dinas Lingkungan Hidup");
    assert_eq!(dlh.name_en, "Environment Agency");
}

/// A time zone whose offset disagrees with `utc_offset_minutes` is refused at start-up,
/// naming both fields; an unknown zone name too.
#[test]
fn time_zone_must_agree_with_the_offset() {
    let text = |zone: &str, offset: i32| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let original = std::fs::read_to_string(root.join("config/tenants/tangerang.toml")).unwrap();
        original
            .lines()
            .map(|l| {
                if l.starts_with("time_zone") {
                    format!("time_zone = {zone:?}")
                } else if l.starts_with("utc_offset_minutes") {
                    format!("utc_offset_minutes = {offset}")
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let wrong = with_tangerang_file(&text("Asia/Makassar", 420))
        .unwrap_err()
        .to_string();
    assert!(
        wrong.contains("utc_offset_minutes") && wrong.contains("time_zone"),
        "{wrong}"
    );
    let unknown = with_tangerang_file(&text("Asia/Atlantis", 420))
        .unwrap_err()
        .to_string();
    assert!(unknown.contains("IANA"), "{unknown}");
    let ok = with_tangerang_file(&text("Asia/Makassar", 480)).unwrap();
    assert_eq!(ok.get("tangerang").unwrap().utc_offset_minutes, 480);
}

/// Officers per agency and the ping-pong rule load from the shipped file and reach the
/// wall's tenant info; an agency with officers accepts only theirs, one without any.
#[test]
fn officers_and_ping_pong_rule_load() {
    let tenants = demo();
    let tgr = tenants.get("tangerang").unwrap();
    let dlh = tgr.agency("dlh").unwrap();
    assert!(dlh.officers.len() >= 2);
    assert!(dlh.accepts_officer("dlh-budi"));
    assert!(!dlh.accepts_officer("pupr-andi"));
    let info = tgr.info();
    assert_eq!(info.agencies[0].officers[0].name, "Budi Santoso");
    assert_eq!(
        (info.ping_pong.min_reassignments, info.ping_pong.window_minutes),
        (3, 1440)
    );
    let mut open = dlh.clone();
    open.officers.clear();
    assert!(open.accepts_officer("anyone"));
}

/// A file without `[ping_pong]` gets the default rule; a set one is kept; an empty window,
/// an officer id that is not a slug and an id used twice are refused naming the field.
#[test]
fn ping_pong_rule_and_officers_are_checked() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("config/tenants/tangerang.toml")).unwrap();
    let rule = "[ping_pong]\nmin_reassignments = 3\nwindow_minutes = 1440\n";
    assert!(text.contains(rule));
    let without = with_tangerang_file(&text.replace(rule, "")).unwrap();
    assert_eq!(without.get("tangerang").unwrap().ping_pong, PingPongRule::default());
    let set =
        with_tangerang_file(&text.replace(rule, "[ping_pong]\nmin_reassignments = 4\nwindow_minutes = 60\n")).unwrap();
    assert_eq!(
        set.get("tangerang").unwrap().ping_pong,
        PingPongRule {
            min_reassignments: 4,
            window_minutes: 60
        }
    );
    let err = |text: String| with_tangerang_file(&text).unwrap_err().to_string();
    assert!(err(text.replace(rule, "[ping_pong]\nwindow_minutes = 0\n")).contains("ping_pong.window_minutes"));
    assert!(err(text.replace("\"dlh-budi\"", "\"Budi!\"")).contains("officer id"));
    assert!(err(text.replace("\"dlh-siti\"", "\"dlh-budi\"")).contains("used twice"));
}
