//! Exports end to end: reports ingested through the real binary, an executive downloads
//! `tickets.csv` and `kpis.csv`, and Python's `csv` module (what a data analyst would use)
//! opens them. Skipped, saying so, where `python3` is not installed.

use pantau_e2e::{eventually, report_in, Credentials, Pantau, RedisServer};
use reqwest::Method;
use std::process::Command;

/// Python reading a CSV file with `csv.DictReader` (BOM stripped by `utf-8-sig`): prints the
/// row count and the values of `column`, comma-separated.
const READ_CSV: &str = r#"
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    rows = list(csv.DictReader(f))
print(len(rows))
print(",".join(sorted(r[sys.argv[2]] for r in rows)))
"#;

/// Whether `python3` runs here.
fn python() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `python3 READ_CSV <file> <column>` over `bytes`: (row count, sorted column values).
fn read_with_python(bytes: &[u8], column: &str) -> (usize, String) {
    let dir = std::env::temp_dir().join(format!("pantau-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{column}.csv"));
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("python3")
        .args(["-c", READ_CSV, path.to_str().unwrap(), column])
        .output()
        .unwrap();
    assert!(out.status.success(), "python: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let count = lines.next().unwrap().parse().unwrap();
    (count, lines.next().unwrap_or_default().to_owned())
}

/// An executive's `tickets.csv` and `kpis.csv` open with Python's csv module: one row per
/// ingested ticket, with its category; the KPI totals count them.
#[tokio::test]
async fn exports_open_with_python_csv() {
    if !python() {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    for (category, text) in [
        ("sampah", "Sampah menumpuk"),
        ("banjir", "Genangan"),
        ("sampah", "TPS penuh"),
    ] {
        let (status, body) = pantau.post_event("tangerang", &report_in(category, text)).await;
        assert_eq!(status, 202, "{body}");
    }
    let executive = pantau.user("tangerang", "executive").await;
    eventually("the projection to hold the reports", || async {
        let (status, body) = pantau
            .get_as(Credentials::User(&executive), "/api/v1/tangerang/kpis?window=7d")
            .await;
        (status == 200 && body["totals"]["intake"] == 3).then_some(())
    })
    .await;
    let download = |path: &'static str| {
        let request = pantau.request(Method::GET, path, Credentials::User(&executive));
        async move {
            let response = request.send().await.expect("server answers");
            assert_eq!(response.status(), 200, "{path}");
            response.bytes().await.expect("a body").to_vec()
        }
    };
    let tickets = download("/api/v1/tangerang/export/tickets.csv").await;
    assert!(tickets.starts_with("\u{feff}".as_bytes()), "BOM first");
    assert_eq!(
        read_with_python(&tickets, "category"),
        (3, "banjir,sampah,sampah".to_owned())
    );
    let kpis = download("/api/v1/tangerang/export/kpis.csv?window=7d&by=category").await;
    let (rows, periods) = read_with_python(&kpis, "period");
    assert_eq!(rows, 6, "all, banjir, sampah × current, previous");
    assert_eq!(periods, "current,current,current,previous,previous,previous");
}
