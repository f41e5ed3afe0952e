//! Step 11, the reconnect storm (issue 17, item 4): a server holding 10,000 open tickets
//! and 1,000 sockets subscribing at once — a room's walls and consoles after a restart.
//! Measured: time until the last socket has its snapshot, the server's CPU time per
//! reconnect and the bytes of one snapshot on the wire. Pantau as the wall runs it: snapshots
//! shared (built once per storm) and deflated (`compress: "deflate-raw"`, deflated once per
//! shared snapshot). The baseline, in the same run, is the storm before both: sharing off
//! (`--snapshot-share-ms 0`) and plain-text snapshots.

use crate::clients::{connect_many_with, SUBSCRIBE};
use crate::report::{Row, Target};
use crate::sys::CpuMeter;
use futures_util::{SinkExt, StreamExt};
use pantau_e2e::{Pantau, RedisServer};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

/// Open tickets on the server.
const TICKETS: usize = 10_000;
/// Sockets reconnecting at once.
const SOCKETS: usize = 1_000;

/// One storm's figures.
struct Storm {
    /// Seconds until the last socket had its snapshot.
    secs: f64,
    /// Server CPU milliseconds per reconnect.
    cpu_ms: f64,
    /// Bytes of one snapshot frame.
    snapshot_bytes: usize,
    held: usize,
}

/// The wall's subscribe: snapshots deflated.
const SUBSCRIBE_DEFLATED: &str = r#"{"type":"subscribe","tenant":"tangerang","compress":"deflate-raw"}"#;

async fn storm(share_ms: &str, subscribe: &str) -> anyhow::Result<Storm> {
    let redis = RedisServer::start().await;
    let cap = TICKETS.to_string();
    let pantau = Pantau::start_with(
        &redis,
        &["--snapshot-share-ms", share_ms, "--snapshot-max-tickets", &cap],
    )
    .await;
    pantau.wait_ready().await;
    let mut rng = Lcg(0x5eed);
    let rings = crate::frontend::boundary_rings();
    for _ in 0..TICKETS / 100 {
        let body: String = (0..100)
            .map(|_| format!("{}\n", varied_report(&mut rng, &rings)))
            .collect();
        let (status, answer) = pantau.post_batch("tangerang", body).await;
        anyhow::ensure!(status == 202, "seed batch refused: {answer}");
    }
    let bytes = snapshot_bytes(&pantau, subscribe).await?;
    let meter = CpuMeter::start(pantau.pid());
    let started = Instant::now();
    let sockets = connect_many_with(
        &pantau.ws_url,
        Some(&pantau.admin.cookie()),
        SOCKETS,
        SOCKETS,
        Some(subscribe),
    )
    .await;
    let secs = started.elapsed().as_secs_f64();
    let (cpu, _) = meter.stop();
    let held = sockets.len();
    anyhow::ensure!(held > 0, "no socket got its snapshot");
    println!(
        "  share {share_ms} ms: {held} of {SOCKETS} sockets had their snapshot ({bytes} bytes, {TICKETS} tickets) in {secs:.2} s; \
         server CPU {cpu:.2} s = {:.1} ms per reconnect",
        cpu * 1000.0 / held as f64
    );
    drop(sockets);
    Ok(Storm {
        secs,
        cpu_ms: cpu * 1000.0 / held as f64,
        snapshot_bytes: bytes,
        held,
    })
}

/// A small deterministic generator (the reports must differ as real ones do, or the
/// compressed snapshot would be unrealistically small).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 31) as f64
    }
}

/// A report like a citizen's: a category, a place in Tangerang, a time in the last 30 hours,
/// and a description from a few phrasings with a street number.
fn varied_report(rng: &mut Lcg, rings: &[Vec<[f64; 2]>]) -> serde_json::Value {
    const CATEGORIES: [&str; 6] = [
        "sampah",
        "jalan_rusak",
        "banjir",
        "lampu_jalan",
        "pohon_tumbang",
        "drainase",
    ];
    const TEXTS: [&str; 6] = [
        "Sampah menumpuk di pinggir jalan, belum diangkut tiga hari",
        "Jalan berlubang besar, berbahaya untuk pengendara motor",
        "Genangan air setinggi lutut setelah hujan deras",
        "Lampu penerangan jalan mati sejak minggu lalu",
        "Pohon tumbang menutup sebagian jalan",
        "Saluran air tersumbat, air meluap ke rumah warga",
    ];
    let (lon, lat) = loop {
        let (lon, lat) = (106.55 + rng.unit() * 0.18, -6.30 + rng.unit() * 0.21);
        if crate::frontend::inside(rings, lon, lat) {
            break (lon, lat);
        }
    };
    let k = (rng.next() % 6) as usize;
    let at = chrono::Utc::now() - chrono::Duration::seconds((rng.unit() * 30.0 * 3600.0) as i64);
    serde_json::json!({
        "type": "report.received",
        "category": CATEGORIES[k],
        "description": format!("{} (Jl. Nomor {})", TEXTS[(k + (rng.next() % 2) as usize) % 6], rng.next() % 300),
        "lat": lat,
        "lon": lon,
        "at": at.to_rfc3339(),
    })
}

/// The size on the wire of the snapshot frame one subscriber gets (subscribing with
/// `subscribe`), once the projection holds every ticket.
async fn snapshot_bytes(pantau: &Pantau, subscribe: &str) -> anyhow::Result<usize> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut request = pantau.ws_url.as_str().into_client_request()?;
        request
            .headers_mut()
            .insert("cookie", HeaderValue::from_str(&pantau.admin.cookie())?);
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await?;
        ws.send(Message::text(subscribe)).await?;
        let (text, wire) = match ws.next().await {
            Some(Ok(Message::Text(text))) => (text.to_string(), text.len()),
            Some(Ok(Message::Binary(packed))) => {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut flate2::read::DeflateDecoder::new(&packed[..]), &mut text)?;
                (text, packed.len())
            }
            _ => anyhow::bail!("no snapshot"),
        };
        let _ = ws.close(None).await;
        let value: serde_json::Value = serde_json::from_str(&text)?;
        let tickets = value["tickets"].as_array().map_or(0, Vec::len);
        if tickets >= TICKETS {
            println!(
                "  snapshot of {tickets} tickets: {} bytes of JSON, {wire} on the wire",
                text.len()
            );
            return Ok(wire);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the projection holds {tickets} of {TICKETS} tickets"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

pub async fn run() -> anyhow::Result<Vec<Row>> {
    let unshared = storm("0", SUBSCRIBE).await?;
    let shared = storm("1000", SUBSCRIBE_DEFLATED).await?;
    Ok(vec![
        Row::compared(
            "storm",
            &format!("s until {SOCKETS} reconnecting sockets all have their snapshot ({TICKETS} open tickets), shared+deflated vs each building its own text"),
            shared.secs,
            unshared.secs,
            Target::AtMost(3.0),
        ),
        Row::compared(
            "storm",
            "server CPU ms per reconnect, shared+deflated vs each building its own text",
            shared.cpu_ms,
            unshared.cpu_ms,
            Target::None,
        ),
        Row::compared(
            "storm",
            &format!("bytes on the wire of one snapshot ({TICKETS} tickets), deflated vs text"),
            shared.snapshot_bytes as f64,
            unshared.snapshot_bytes as f64,
            Target::None,
        ),
        Row::compared(
            "storm",
            &format!("sockets that got their snapshot (of {SOCKETS})"),
            shared.held as f64,
            unshared.held as f64,
            Target::AtLeast(SOCKETS as f64),
        ),
    ])
}
