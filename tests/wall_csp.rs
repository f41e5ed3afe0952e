//! The wall under the server's Content-Security-Policy, in a real headless Chromium: every
//! response carries the policy (its own scripts only, WebAssembly compiled from them, no
//! inline script, no outside origin) and the hardening headers, the browser enforces it, and
//! the built wall still loads, goes live and shows reports without a single violation in the
//! console.

use pantau_e2e::browser::open_wall;
use pantau_e2e::{report, Credentials, Pantau, RedisServer};

/// Console lines about the Content Security Policy (violations are logged as errors).
fn csp_complaints(console: &[(String, String)]) -> Vec<&(String, String)> {
    console
        .iter()
        .filter(|(_, message)| {
            message.contains("Content Security Policy") || message.contains("Content-Security-Policy")
        })
        .collect()
}

/// The page, its script and the API all answer with the policy and the hardening headers.
#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let mut policies = Vec::new();
    for (path, credentials) in [
        ("/", Credentials::Nobody),
        ("/signin", Credentials::Nobody),
        ("/healthz", Credentials::Nobody),
        ("/api/v1/tangerang/tickets", Credentials::User(&pantau.admin)),
        ("/api/v1/tangerang/tickets", Credentials::Nobody),
        ("/open311/v2/tangerang/services.json", Credentials::Nobody),
    ] {
        let response = pantau
            .request(reqwest::Method::GET, path, credentials)
            .send()
            .await
            .unwrap();
        let headers = response.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .unwrap_or_else(|| panic!("{path} ({}) has no {name}", response.status()))
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        policies.push(header("content-security-policy"));
    }
    let policy = &policies[0];
    assert!(
        policies.iter().all(|p| p == policy),
        "one policy everywhere: {policies:?}"
    );
    let directive = |name: &str| {
        policy
            .split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} in {policy}"))
            .to_owned()
    };
    assert_eq!(directive("default-src"), "default-src 'self'");
    assert_eq!(directive("script-src"), "script-src 'self' 'wasm-unsafe-eval'");
    assert_eq!(directive("connect-src"), "connect-src 'self'");
    assert_eq!(directive("frame-ancestors"), "frame-ancestors 'none'");
    assert!(
        !policy.contains("unsafe-inline") && !policy.contains("http"),
        "{policy}"
    );
}

/// A viewer's wall loads under the policy in headless Chromium, goes live and shows a report
/// posted afterwards; the browser enforces the policy (an inline script does not run), and the wall logs no
/// violation.
#[tokio::test]
async fn the_wall_works_under_the_policy_in_chromium() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let viewer = pantau.user("tangerang", "viewer").await;
    let wall = open_wall(&pantau.base, &viewer, 1920, 1080).await;
    let complaints = csp_complaints(&wall.console().await)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert!(complaints.is_empty(), "violations while loading: {complaints:?}");

    // The browser really enforces the header: an inline script added to the page does not run
    // (and is reported, which is the kind of console line checked for above and below).
    let ran = wall
        .execute(
            "const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; \
             document.head.appendChild(s); return window.inlineRan === true;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(ran, false, "an inline script is refused under script-src 'self'");
    let refused = wall.console().await;
    assert!(
        !csp_complaints(&refused).is_empty(),
        "the refusal is logged: {refused:?}"
    );

    let description = "Saluran tersumbat di Jl. Gatot Subroto";
    let (status, body) = pantau.post_event("tangerang", &report(description)).await;
    assert_eq!(status, 202, "{body}");
    let ticket = body["accepted"][0]["ticket"].as_str().unwrap();
    let item = wall
        .wait_for(&format!("[data-testid=report-item][data-ticket='{ticket}']"))
        .await;
    assert!(item.text().await.unwrap().contains("Saluran tersumbat"));
    wall.wait_for("[data-testid=map][data-markers='1']").await;
    let complaints = csp_complaints(&wall.console().await)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert!(complaints.is_empty(), "violations while live: {complaints:?}");
    wall.save_screenshot("wall-under-csp.png").await;
    wall.close().await;
}

/// The built frontend is served compressed to whoever accepts it (brotli first, else gzip)
/// and as it is to whoever does not: the wasm is the bulk of what a wall or a phone loads.
#[tokio::test]
async fn the_bundle_is_served_compressed() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let dist = pantau_e2e::workspace_root().join("dist");
    let wasm = std::fs::read_dir(&dist)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .find(|name| name.ends_with(".wasm"))
        .expect("trunk built the wasm");
    let raw = std::fs::metadata(dist.join(&wasm)).unwrap().len();
    let fetch = |encoding: Option<&'static str>| {
        let request = pantau.request(reqwest::Method::GET, &format!("/{wasm}"), Credentials::Nobody);
        async move {
            let request = match encoding {
                Some(e) => request.header("accept-encoding", e),
                None => request,
            };
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            let used = response
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_owned());
            (used, response.bytes().await.unwrap().len() as u64)
        }
    };
    let (used, br) = fetch(Some("br, gzip")).await;
    assert_eq!(used.as_deref(), Some("br"));
    assert!(br * 2 < raw, "brotli {br} bytes of {raw}");
    let (used, gz) = fetch(Some("gzip")).await;
    assert_eq!(used.as_deref(), Some("gzip"));
    assert!(gz < raw, "gzip {gz} bytes of {raw}");
    let (used, plain) = fetch(None).await;
    assert_eq!((used, plain), (None, raw), "as it is without Accept-Encoding");
    println!("{wasm}: {raw} bytes raw, {gz} gzip, {br} brotli (quality 5)");
}

/// Each page family is its own bundle: the wall's paths share one wasm, the console another,
/// the KPI page, sign-in and the screens admin a third, the citizen's status page a fourth —
/// a fraction of the wall's (what a citizen's phone downloads).
#[tokio::test]
async fn each_page_family_loads_its_own_bundle() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let get = |path: String| {
        let request = pantau.request(reqwest::Method::GET, &path, Credentials::Nobody);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            response.bytes().await.unwrap()
        }
    };
    let mut wasm_of = std::collections::BTreeMap::new();
    for path in [
        "/",
        "/wall",
        "/signin",
        "/admin/screens",
        "/console",
        "/kpi/",
        "/lapor",
        "/lapor/TGR-000001",
    ] {
        let page = String::from_utf8(get(path.to_owned()).await.to_vec()).unwrap();
        let wasm = page
            .split("data-pantau-wasm=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("{path} names no wasm: {page}"))
            .to_owned();
        wasm_of.insert(path, wasm);
    }
    let wall = &wasm_of["/"];
    assert_eq!(&wasm_of["/wall"], wall, "a screen's wall is the wall's family");
    for path in ["/signin", "/admin/screens"] {
        assert_eq!(wasm_of[path], wasm_of["/kpi/"], "{path} is the office family");
    }
    assert_eq!(wasm_of["/lapor"], wasm_of["/lapor/TGR-000001"]);
    let families = [wall, &wasm_of["/console"], &wasm_of["/kpi/"], &wasm_of["/lapor"]];
    let distinct: std::collections::BTreeSet<_> = families.iter().collect();
    assert_eq!(distinct.len(), 4, "one bundle per family: {wasm_of:?}");
    let wall_bytes = get(wall.clone()).await.len();
    let lapor_bytes = get(wasm_of["/lapor"].clone()).await.len();
    assert!(
        lapor_bytes * 2 < wall_bytes,
        "status page {lapor_bytes} B, wall {wall_bytes} B"
    );
    println!("bundles: {wasm_of:?}; wall {wall_bytes} B, status page {lapor_bytes} B raw");
}
