//! Slow and idle clients against the real binary (issue 15, item 5).
//!
//! - Slowloris: a few thousand connections that send half a request line and stop, plus
//!   request bodies trickling at a few bytes a second, while a normal client keeps getting
//!   200s; the server closes every slowloris connection (the client reads EOF) and answers
//!   every trickle with 408 + `request_timeout`; its open files drop back to where they were.
//! - Limits: the per-address limit answers the next connection from that address 429 +
//!   `Retry-After` + `too_many_connections` (others still served); the total limit answers
//!   503 + `Retry-After` + `server_busy`; once the holders leave, the server serves again.
//!
//! Quick by default (2,000 slowloris, 20 trickles); `PANTAU_SOAK=1` runs the same code with
//! 10,000 slowloris and 200 trickles (as far as the open-file limit allows), printing its
//! figures (`soak:` lines) with `--nocapture`.

use futures_util::StreamExt;
use pantau_e2e::{Pantau, RedisServer};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// How long the server gets to close what it should close: far above any timeout given.
const GENEROUS: Duration = Duration::from_secs(90);
/// Header timeout and body grace given to the slowloris server, seconds.
const HEADER_TIMEOUT: &str = "3";
const BODY_GRACE: &str = "2";
/// Minimum body rate given to it, bytes/s; the trickles send 4.
const BODY_MIN_RATE: &str = "100";

struct Scale {
    slowloris: usize,
    trickles: usize,
    normal_requests: usize,
}

fn scale() -> Scale {
    let soak = std::env::var("PANTAU_SOAK").is_ok_and(|v| v == "1");
    let want = if soak {
        Scale {
            slowloris: 10_000,
            trickles: 200,
            normal_requests: 100,
        }
    } else {
        Scale {
            slowloris: 2_000,
            trickles: 20,
            normal_requests: 30,
        }
    };
    // This process and the server (which inherits the limit) each hold every connection.
    let limit = raise_open_files_limit();
    let room = (limit.saturating_sub(600) as usize).saturating_sub(want.trickles);
    Scale {
        slowloris: want.slowloris.min(room),
        ..want
    }
}

/// Raise this process's soft open-file limit to its hard limit (children inherit it);
/// the soft limit after.
fn raise_open_files_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        let target = lim.rlim_max.min(1 << 20);
        if lim.rlim_cur < target {
            let raised = libc::rlimit {
                rlim_cur: target,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            }
        }
    }
    lim.rlim_cur
}

/// Files the process has open now.
fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// A `pantau_connections_*` figure from `/metrics` (0 when absent).
async fn metric(pantau: &Pantau, series: &str) -> f64 {
    let text = pantau.get_text("/metrics").await.1;
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0.0)
}

/// A TCP connection to `server` from loopback address `from` (127.0.0.x).
async fn connect_from(from: &str, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(format!("{from}:0").parse().expect("a socket address"))?;
    socket.connect(server).await
}

fn server_addr(pantau: &Pantau) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], pantau.port()))
}

/// Read until the server closes: true when it did (EOF or reset), false if it did not in
/// [`GENEROUS`].
async fn closed_by_server(tcp: &mut TcpStream) -> bool {
    let mut scratch = [0u8; 1024];
    tokio::time::timeout(GENEROUS, async {
        loop {
            match tcp.read(&mut scratch).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// One HTTP/1.1 response read off a raw socket: status, lower-cased head, JSON body.
struct Answer {
    status: u16,
    head: String,
    body: Value,
}

/// Read one response (head, then `content-length` bytes of body).
async fn read_answer(tcp: &mut TcpStream) -> Answer {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    let read = async {
        loop {
            if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&bytes[..end]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if bytes.len() >= end + 4 + length {
                    let body = serde_json::from_slice(&bytes[end + 4..end + 4 + length]).unwrap_or(Value::Null);
                    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
                    return Answer { status, head, body };
                }
            }
            match tcp.read(&mut chunk).await {
                Ok(0) | Err(_) => panic!("connection ended before a whole answer: {bytes:?}"),
                Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::time::timeout(GENEROUS, read).await.expect("an answer in time")
}

/// A complete GET of `path`.
fn get_request(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
}

/// A slowloris connection: half a request line, then nothing. Returns whether the server
/// closed it, and after how long.
async fn slowloris(server: SocketAddr) -> (bool, Duration) {
    let started = Instant::now();
    let mut tcp = match TcpStream::connect(server).await {
        Ok(tcp) => tcp,
        Err(e) => panic!("cannot connect: {e}"),
    };
    tcp.write_all(b"GET /api/v1/tenants HT")
        .await
        .expect("half a line written");
    (closed_by_server(&mut tcp).await, started.elapsed())
}

/// A sign-in whose 400-byte body comes at 4 bytes a second: the answer it gets.
async fn trickle(server: SocketAddr) -> Answer {
    let tcp = TcpStream::connect(server).await.expect("connect");
    let (mut tcp, mut tx) = tcp.into_split();
    tx.write_all(
        b"POST /api/v1/session HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n\
          content-length: 400\r\n\r\n{",
    )
    .await
    .expect("head written");
    let writer = tokio::spawn(async move {
        for _ in 0..399 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if tx.write_all(b" ").await.is_err() {
                return;
            }
        }
    });
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(GENEROUS, tcp.read_to_end(&mut bytes)).await;
    writer.abort();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Answer {
        status: head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0),
        head: head.to_lowercase(),
        body: serde_json::from_str(body).unwrap_or(Value::Null),
    }
}

/// Thousands of half request lines and some trickling bodies are cut by the server while
/// a normal client keeps being served; the server's open files drop back afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_and_trickling_bodies_are_cut_while_others_are_served() {
    let scale = scale();
    let redis = RedisServer::start().await;
    let pantau = Pantau::start_with(
        &redis,
        &[
            "--header-timeout-secs",
            HEADER_TIMEOUT,
            "--body-grace-secs",
            BODY_GRACE,
            "--body-min-rate",
            BODY_MIN_RATE,
        ],
    )
    .await;
    pantau.wait_ready().await;
    let server = server_addr(&pantau);
    let files_before = open_files(pantau.pid());

    let attackers = async {
        let slow = futures_util::stream::iter(0..scale.slowloris)
            .map(|_| tokio::spawn(slowloris(server)))
            .buffer_unordered(scale.slowloris);
        let trickles = futures_util::stream::iter(0..scale.trickles)
            .map(|_| tokio::spawn(trickle(server)))
            .buffer_unordered(scale.trickles);
        tokio::join!(slow.collect::<Vec<_>>(), trickles.collect::<Vec<_>>())
    };
    let normal = async {
        // Opened after the attack began: a fresh client, fresh connections.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let client = reqwest::Client::new();
        let mut peak_files = 0;
        let mut statuses = Vec::new();
        for _ in 0..scale.normal_requests {
            let status = client
                .get(pantau.url("/api/v1/tenants"))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            statuses.push(status);
            peak_files = peak_files.max(open_files(pantau.pid()));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        (statuses, peak_files)
    };
    let ((slow, trickled), (statuses, peak_files)) = tokio::join!(attackers, normal);

    let served = statuses.iter().filter(|s| **s == 200).count();
    assert_eq!(
        served,
        statuses.len(),
        "the normal client was not always served: {statuses:?}"
    );
    let slow: Vec<(bool, Duration)> = slow.into_iter().map(|r| r.expect("slowloris task")).collect();
    let closed = slow.iter().filter(|(closed, _)| *closed).count();
    let slowest = slow.iter().map(|(_, d)| *d).max().unwrap_or_default();
    assert_eq!(closed, slow.len(), "slowloris connections the server left open");
    let trickled: Vec<Answer> = trickled.into_iter().map(|r| r.expect("trickle task")).collect();
    for answer in &trickled {
        assert_eq!(answer.status, 408, "a trickling body: {} {}", answer.head, answer.body);
        assert_eq!(answer.body["error"]["code"], "request_timeout", "{}", answer.body);
        assert!(answer.head.contains("connection: close"), "{}", answer.head);
    }

    let mut files_after = open_files(pantau.pid());
    let deadline = Instant::now() + GENEROUS;
    while files_after > files_before + 16 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        files_after = open_files(pantau.pid());
    }
    assert!(
        files_after <= files_before + 16,
        "the server's open files did not drop back: {files_before} before, {files_after} after"
    );
    let header_cuts = metric(&pantau, "pantau_connections_timed_out_total{phase=\"headers\"}").await;
    let body_cuts = metric(&pantau, "pantau_connections_timed_out_total{phase=\"body\"}").await;
    assert!(
        header_cuts >= scale.slowloris as f64,
        "{header_cuts} header timeouts counted"
    );
    assert!(body_cuts >= scale.trickles as f64, "{body_cuts} body timeouts counted");

    println!("soak: slowloris connections {}", scale.slowloris);
    println!("soak: slowloris closed by the server {closed}");
    println!("soak: slowest slowloris lived {:.1} s", slowest.as_secs_f64());
    println!("soak: trickling bodies answered 408 {}", trickled.len());
    println!("soak: normal requests served {served} of {}", statuses.len());
    println!("soak: server open files before {files_before}, peak {peak_files}, after {files_after}");
}

/// The per-address limit answers 429, the total limit 503, both with `Retry-After` and the
/// JSON error body; other addresses are unaffected by the first, and everyone is served
/// again once the holders leave.
#[tokio::test]
async fn connection_limits_refuse_with_the_documented_answer() {
    const PER_ADDR: usize = 40;
    const TOTAL: usize = 130;
    let redis = RedisServer::start().await;
    let pantau = Pantau::start_with(
        &redis,
        &[
            "--max-connections",
            &TOTAL.to_string(),
            "--max-connections-per-addr",
            &PER_ADDR.to_string(),
            "--limit-loopback",
            "--header-timeout-secs",
            "120",
        ],
    )
    .await;
    pantau.wait_ready().await;
    let server = server_addr(&pantau);

    // One address takes its share; its next connection is refused, another's is not.
    let mut held = Vec::new();
    for _ in 0..PER_ADDR {
        held.push(connect_from("127.0.0.2", server).await.expect("connect"));
    }
    let mut extra = connect_from("127.0.0.2", server).await.expect("connect");
    extra.write_all(get_request("/healthz").as_bytes()).await.unwrap();
    let refused = read_answer(&mut extra).await;
    assert_eq!(refused.status, 429, "{}", refused.head);
    assert!(refused.head.contains("retry-after: 2"), "{}", refused.head);
    assert_eq!(
        refused.body["error"]["code"], "too_many_connections",
        "{}",
        refused.body
    );
    assert!(closed_by_server(&mut extra).await, "a refused connection is closed");
    let mut other = connect_from("127.0.0.3", server).await.expect("connect");
    other.write_all(get_request("/healthz").as_bytes()).await.unwrap();
    assert_eq!(read_answer(&mut other).await.status, 200, "another address is served");
    held.push(other);

    // Fill the server from other addresses: sooner or later it is full for everyone.
    for from in ["127.0.0.3", "127.0.0.4"] {
        for _ in 0..PER_ADDR - 1 {
            held.push(connect_from(from, server).await.expect("connect"));
        }
    }
    let mut busy = None;
    for _ in 0..PER_ADDR {
        let mut tcp = connect_from("127.0.0.5", server).await.expect("connect");
        tcp.write_all(get_request("/healthz").as_bytes()).await.unwrap();
        let answer = read_answer(&mut tcp).await;
        if answer.status == 503 {
            busy = Some(answer);
            break;
        }
        assert_eq!(answer.status, 200, "{}", answer.head);
        held.push(tcp); // kept alive: still counted
    }
    let busy = busy.expect("the total limit refused a connection");
    assert!(busy.head.contains("retry-after: 2"), "{}", busy.head);
    assert_eq!(busy.body["error"]["code"], "server_busy", "{}", busy.body);
    assert!(
        held.len() <= TOTAL,
        "{} connections held past a limit of {TOTAL}",
        held.len()
    );

    drop(held);
    pantau_e2e::eventually("the server to serve again", || async {
        let client = reqwest::Client::new();
        let status = client.get(pantau.url("/healthz")).send().await.ok()?.status();
        (status == 200).then_some(())
    })
    .await;
    let per_addr = metric(&pantau, "pantau_connections_refused_total{limit=\"per_addr\"}").await;
    let total = metric(&pantau, "pantau_connections_refused_total{limit=\"total\"}").await;
    assert!(per_addr >= 1.0, "per-address refusals counted: {per_addr}");
    assert!(total >= 1.0, "total refusals counted: {total}");
}
