//! `pantau replay` end to end (issue 16, item 2): the first 300 San Francisco 311 cases
//! replayed onto Tangerang at `--speed max`. Every case becomes one ticket, in the history's
//! arrival order, inside a Tangerang kecamatan, in a Tangerang category, labelled as remapped
//! foreign data; a closed case's ticket is resolved after exactly its real open-to-close
//! duration. The command says what it replays and prints its throughput.

use pantau_e2e::cli::pantau_bin;
use pantau_e2e::{workspace_root, Pantau, RedisServer};
use serde_json::Value;

const CASES: usize = 300;

#[tokio::test]
async fn a_real_history_replays_onto_tangerang() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let key = pantau.ingest_key("tangerang").await.unwrap();
    let root = workspace_root();
    let output = tokio::process::Command::new(pantau_bin())
        .arg("replay")
        .args(["--tenant", "tangerang", "--speed", "max", "--limit", &CASES.to_string()])
        .arg("--file")
        .arg(root.join("tests/data/replay/sf311_replay_5k.csv"))
        .arg("--mapping")
        .arg(root.join("config/replay/sf311.toml"))
        .args(["--url", &pantau.url(""), "--key", &key])
        .arg("--config-dir")
        .arg(root.join("config"))
        .arg("--assets-dir")
        .arg(root.join("assets"))
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(out.contains("REPLAY — SF 311"), "{out}");
    assert!(out.contains("bukan laporan warga Indonesia"), "{out}");
    assert!(out.contains("events/s"), "{out}");
    assert!(out.contains(", 0 refused"), "{out}");

    // The history, read independently: case ids in arrival order with their durations.
    let csv = std::fs::read_to_string(root.join("tests/data/replay/sf311_replay_5k.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let mut cases: Vec<(String, String, String)> = reader
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[0].to_owned(), r[1].to_owned(), r[2].to_owned()))
        .collect();
    cases.sort_by(|a, b| a.1.cmp(&b.1));
    cases.truncate(CASES);
    let time = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();

    let closed_cases = cases
        .iter()
        .filter(|(_, opened, closed)| !closed.is_empty() && time(closed) >= time(opened))
        .count();
    let tickets: Vec<Value> =
        pantau_e2e::eventually("every case to be a ticket, every closed one resolved", || async {
            let (status, body) = pantau.get("/api/v1/tangerang/tickets?limit=1000").await;
            assert_eq!(status, 200, "{body}");
            let tickets = body["tickets"].as_array().cloned().unwrap_or_default();
            let resolved = tickets.iter().filter(|t| t["resolved_at"].is_string()).count();
            (tickets.len() == CASES && resolved == closed_cases).then_some(tickets)
        })
        .await;

    // Tickets are numbered in arrival order: oldest ticket = first case.
    let mut by_number = tickets.clone();
    by_number.sort_by_key(|t| t["id"].as_str().unwrap().to_owned());
    for (ticket, (case_id, opened, closed)) in by_number.iter().zip(&cases) {
        let address = ticket["address"].as_str().unwrap();
        assert!(
            address.contains(&format!("#{case_id} ")),
            "{address} is not case {case_id}"
        );
        assert!(ticket["description"]
            .as_str()
            .unwrap()
            .starts_with("[SF 311, data asing dipetakan ulang]"));
        assert!(
            ticket["kecamatan"]["code"].as_str().unwrap().starts_with("36.71"),
            "{ticket}"
        );
        if !closed.is_empty() && time(closed) >= time(opened) {
            let real = (time(closed) - time(opened)).num_seconds();
            let created = chrono::DateTime::parse_from_rfc3339(ticket["created_at"].as_str().unwrap()).unwrap();
            let resolved = chrono::DateTime::parse_from_rfc3339(ticket["resolved_at"].as_str().unwrap()).unwrap();
            assert_eq!((resolved - created).num_seconds(), real, "case {case_id}");
        }
    }
    let created: Vec<&str> = by_number.iter().map(|t| t["created_at"].as_str().unwrap()).collect();
    assert!(created.windows(2).all(|w| w[0] <= w[1]), "arrival order kept");
}
