//! `GET /metrics` end to end: the real server, real Redis, a real WebSocket session. The
//! page is parsed as the Prometheus text format (`# TYPE` lines, samples with labels) and
//! the counters must reflect what the test did: reports ingested for tangerang, a refusal
//! under its error code, an open session, the append histogram's count. With
//! `--metrics-token` the page wants the bearer token.

use pantau_e2e::{report, report_in, Pantau, RedisServer};
use std::collections::HashMap;

/// One sample: its metric name, labels and value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: HashMap<String, String>,
    value: f64,
}

/// A parsed page: `# TYPE` declarations and samples.
#[derive(Debug, Default)]
struct Page {
    types: HashMap<String, String>,
    samples: Vec<Sample>,
}

impl Page {
    fn parse(text: &str) -> Page {
        let mut page = Page::default();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("`# TYPE name kind`");
                page.types.insert(name.to_owned(), kind.to_owned());
                continue;
            }
            if line.starts_with('#') {
                continue;
            }
            let (series, value) = line.rsplit_once(' ').expect("`series value`");
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("a number in {line:?}"));
            let (name, labels) = match series.split_once('{') {
                None => (series.to_owned(), HashMap::new()),
                Some((name, rest)) => {
                    let inner = rest.strip_suffix('}').expect("labels end with `}`");
                    let labels = inner
                        .split("\",")
                        .filter(|p| !p.is_empty())
                        .map(|pair| {
                            let (k, v) = pair.split_once('=').expect("label=value");
                            (k.to_owned(), v.trim_matches('"').to_owned())
                        })
                        .collect();
                    (name.to_owned(), labels)
                }
            };
            page.samples.push(Sample { name, labels, value });
        }
        page
    }

    /// The sum of `name`'s samples whose labels include all of `labels`.
    fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .filter(|s| s.name == name)
            .filter(|s| {
                labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|s| s.value)
            .sum()
    }

    fn kind(&self, name: &str) -> Option<&str> {
        self.types.get(name).map(String::as_str)
    }
}

/// Scrape without credentials (or with a bearer token): the status and the page.
async fn scrape(server: &Pantau, token: Option<&str>) -> (u16, String) {
    let mut request = server.http.get(server.url("/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("server answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a text answer"))
}

/// Reports ingested and refused, an open session and the append histogram show on the
/// page with the right types and at least the counts the test caused.
#[tokio::test]
async fn the_page_counts_what_happened() {
    let redis = RedisServer::start().await;
    let server = Pantau::start(&redis).await;
    server.wait_ready().await;

    let posted = 3;
    for i in 0..posted {
        let (status, body) = server.post_event("tangerang", &report(&format!("Sampah {i}"))).await;
        assert_eq!(status, 202, "{body}");
    }
    let (status, refused) = server
        .post_event("tangerang", &report_in("no-such-category", "Ditolak"))
        .await;
    assert!((400..500).contains(&status), "{status} {refused}");
    let reason = refused["error"]["code"].as_str().expect("an error code").to_owned();

    let (_ws, first) = server.subscribe("tangerang").await;
    assert!(
        matches!(first, pantau_shared::protocol::ServerMsg::Snapshot { .. }),
        "{first:?}"
    );

    let (status, text) = scrape(&server, None).await;
    assert_eq!(status, 200, "{text}");
    let page = Page::parse(&text);

    assert_eq!(page.kind("pantau_events_ingested_total"), Some("counter"), "{text}");
    let ingested = page.sum(
        "pantau_events_ingested_total",
        &[("tenant", "tangerang"), ("type", "report.received")],
    );
    assert!(ingested >= posted as f64, "ingested {ingested}:\n{text}");

    assert_eq!(page.kind("pantau_events_refused_total"), Some("counter"), "{text}");
    let refusals = page.sum("pantau_events_refused_total", &[("reason", &reason)]);
    assert!(refusals >= 1.0, "refused under {reason}: {refusals}\n{text}");

    assert_eq!(page.kind("pantau_ws_sessions_open"), Some("gauge"), "{text}");
    assert!(page.sum("pantau_ws_sessions_open", &[]) >= 1.0, "{text}");
    assert!(page.sum("pantau_ws_frames_sent_total", &[]) >= 1.0, "{text}");
    assert!(page.sum("pantau_ws_sent_bytes_total", &[]) > 0.0, "{text}");

    assert_eq!(page.kind("pantau_append_duration_seconds"), Some("histogram"), "{text}");
    let appends = page.sum("pantau_append_duration_seconds_count", &[]);
    assert!(appends >= posted as f64, "append count {appends}:\n{text}");
    let in_inf = page.sum("pantau_append_duration_seconds_bucket", &[("le", "+Inf")]);
    assert_eq!(in_inf, appends, "the +Inf bucket holds every append:\n{text}");

    assert_eq!(page.kind("pantau_projection_lag_seconds"), Some("gauge"), "{text}");
    assert!(
        page.samples.iter().any(|s| s.name == "pantau_projection_lag_seconds"
            && s.labels.get("tenant").map(String::as_str) == Some("tangerang")),
        "{text}"
    );
    assert_eq!(page.kind("pantau_catch_up_duration_seconds"), Some("gauge"), "{text}");
}

/// With `--metrics-token` the page wants `Authorization: Bearer <token>`: 401 without it or
/// with another, 200 with it.
#[tokio::test]
async fn a_configured_token_is_required() {
    let redis = RedisServer::start().await;
    let server = Pantau::start_with(&redis, &["--metrics-token", "scrape-s3cret"]).await;
    server.wait_ready().await;
    let (status, body) = server.post_event("tangerang", &report("Sampah")).await;
    assert_eq!(status, 202, "{body}");

    let (status, body) = scrape(&server, None).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = scrape(&server, Some("scrape-s3cre")).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = scrape(&server, Some("scrape-s3cret")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("# TYPE pantau_events_ingested_total counter"), "{body}");
}
