//! Photo evidence end to end (issue 18), against the real binary and a real Redis: an
//! operator's upload becomes a `ticket.media_added` in the ticket's history and its
//! thumbnail is served; oversized, non-image, empty and missing photos are refused naming
//! `photo`; after photos taken before the report or too far away are kept and flagged;
//! Banjar (`evidence.require_after_photo`) resolves a ticket only once it has an after photo;
//! only roles allowed to upload may; the console drawer shows photos and uploads them; an
//! upload retried with its `id` is stored once.

#[path = "evidence/photos.rs"]
mod photos;

use chrono::Duration;
use pantau_e2e::browser::open_wall;
use pantau_e2e::{dated_report, eventually, report, Credentials, Pantau, RedisServer};
use photos::{form, jpeg, photo_taken, wib_now, BOUNDARY};
use reqwest::Method;
use serde_json::{json, Value as Json};
use std::path::PathBuf;

/// Tangerang's `evidence.max_bytes` (config/tenants/tangerang.toml).
const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Kecamatan Tangerang (the fixtures' report point).
const TGR: (f64, f64) = pantau_shared::fixtures::POINT;
/// Martapura, Kabupaten Banjar.
const BJR: (f64, f64) = (-3.41, 114.85);

/// The media folder of one test.
fn media_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("pantau-media-{}-{name}", std::process::id()))
}

/// A fresh media folder for one test.
fn media_dir(name: &str) -> PathBuf {
    let dir = media_path(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn start(redis: &RedisServer, name: &str) -> Pantau {
    let dir = media_dir(name);
    Pantau::start_with(redis, &["--media-dir", dir.to_str().unwrap()]).await
}

/// POST a photo form to a ticket as `who`; the status and the JSON answer.
async fn upload(pantau: &Pantau, who: Credentials<'_>, tenant: &str, ticket: &str, body: Vec<u8>) -> (u16, Json) {
    let path = format!("/api/v1/{tenant}/tickets/{ticket}/media");
    let response = pantau
        .request(Method::POST, &path, who)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await
        .expect("server answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON answer"))
}

/// A photo with a stage.
fn photo_form(photo: &[u8], stage: &str) -> Vec<u8> {
    form(&[("stage", None, stage.as_bytes()), ("photo", Some("foto.jpg"), photo)])
}

async fn open(pantau: &Pantau, tenant: &str, event: &Json) -> String {
    let (status, body) = pantau.post_event(tenant, event).await;
    assert_eq!(status, 202, "{body}");
    body["accepted"][0]["ticket"].as_str().unwrap().to_owned()
}

/// The ticket once the projection has at least `version`.
async fn ticket_at(pantau: &Pantau, tenant: &str, ticket: &str, version: u64) -> Json {
    let path = format!("/api/v1/{tenant}/tickets/{ticket}");
    eventually("the projection to reach the version", || {
        let path = path.clone();
        async move {
            let (status, body) = pantau.get(&path).await;
            (status == 200 && body["ticket"]["version"].as_u64() >= Some(version)).then_some(body)
        }
    })
    .await
}

/// An operator's upload is a `ticket.media_added` by that operator in the ticket's history;
/// the original and a 320 px JPEG thumbnail are served with their type and `nosniff` to a
/// viewer; a key's upload defaults to stage `report`, a person's to `progress`.
#[tokio::test]
async fn an_operators_photo_is_recorded_and_served() {
    let redis = RedisServer::start().await;
    let pantau = start(&redis, "served").await;
    let ticket = open(&pantau, "tangerang", &report("Sampah di jalan")).await;
    let operator = pantau.user("tangerang", "operator").await;
    let photo = jpeg();
    let (status, body) = upload(
        &pantau,
        Credentials::User(&operator),
        "tangerang",
        &ticket,
        form(&[("photo", Some("a.jpg"), &photo)]),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["media"]["stage"], "progress");
    assert_eq!(body["media"]["content_type"], "image/jpeg");
    assert_eq!(body["media"]["bytes"], photo.len());

    let got = ticket_at(&pantau, "tangerang", &ticket, 2).await;
    let event = got["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "ticket.media_added")
        .unwrap_or_else(|| panic!("no media event in {got}"));
    assert_eq!(event["actor"], format!("user:{}", operator.name));
    let media = &got["ticket"]["media"][0];
    assert_eq!(media["url"], body["media"]["url"]);

    let viewer = pantau.user("tangerang", "viewer").await;
    for (url, width) in [(&media["thumb_url"], 320), (&media["url"], 640)] {
        let response = pantau
            .request(Method::GET, url.as_str().unwrap(), Credentials::User(&viewer))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{url}");
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let bytes = response.bytes().await.unwrap();
        assert_eq!(image::load_from_memory(&bytes).unwrap().width(), width, "{url}");
    }
    // Names Pantau did not generate are not files.
    let (status, body) = pantau
        .get_as(
            Credentials::User(&viewer),
            "/api/v1/tangerang/media/..%2F..%2Fetc%2Fpasswd",
        )
        .await;
    assert_eq!(status, 404, "{body}");

    let key = pantau.ingest_key("tangerang").await.unwrap();
    let (status, body) = upload(
        &pantau,
        Credentials::Key(&key),
        "tangerang",
        &ticket,
        form(&[("photo", Some("b.jpg"), &photo)]),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["media"]["stage"], "report");
}

/// Oversized (413), not an image, empty, missing (422): one error body naming `photo`;
/// a bad stage names `stage`; an unknown ticket is 404; nothing is added to the ticket.
#[tokio::test]
async fn bad_photos_are_refused_naming_the_field() {
    let redis = RedisServer::start().await;
    let pantau = start(&redis, "limits").await;
    let ticket = open(&pantau, "tangerang", &report("Lampu mati")).await;
    let operator = pantau.user("tangerang", "operator").await;
    let who = Credentials::User(&operator);

    let mut huge = jpeg();
    huge.resize(MAX_BYTES + 1024, 0);
    let (status, body) = upload(&pantau, who, "tangerang", &ticket, photo_form(&huge, "progress")).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["field"], "photo");

    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    for (what, body) in [
        ("a GIF", photo_form(&gif, "progress")),
        ("an empty file", photo_form(b"", "progress")),
        ("no photo part", form(&[("stage", None, b"after")])),
        (
            "bytes that only look like a JPEG",
            photo_form(b"\xFF\xD8\xFFnot really", "progress"),
        ),
    ] {
        let (status, body) = upload(&pantau, who, "tangerang", &ticket, body).await;
        assert_eq!(status, 422, "{what}: {body}");
        assert_eq!(body["error"]["field"], "photo", "{what}: {body}");
    }
    let (status, body) = upload(&pantau, who, "tangerang", &ticket, photo_form(&jpeg(), "sebelum")).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("stage")),
        "{body}"
    );
    let (status, body) = upload(&pantau, who, "tangerang", "TGR-999999", photo_form(&jpeg(), "after")).await;
    assert_eq!(status, 404, "{body}");

    let (_, got) = pantau.get(&format!("/api/v1/tangerang/tickets/{ticket}")).await;
    assert!(got["ticket"]["media"].as_array().is_none_or(Vec::is_empty), "{got}");
}

/// Files under a media folder, at any depth.
fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| if e.path().is_dir() { files_in(&e.path()) } else { 1 })
            .sum()
    })
}

/// An upload retried with its `id` (after a lost reply) is stored once: the retry answers
/// `duplicate` with the first photo, the ticket lists one photo, its history one
/// `ticket.media_added`, and the retry's files are gone. An id that is not a UUID, or that
/// belongs to another event, is refused naming `id`.
#[tokio::test]
async fn a_retried_upload_is_stored_once() {
    let redis = RedisServer::start().await;
    let pantau = start(&redis, "retried").await;
    let (status, opened) = pantau.post_event("tangerang", &report("Pohon tumbang")).await;
    assert_eq!(status, 202, "{opened}");
    let ticket = opened["accepted"][0]["ticket"].as_str().unwrap().to_owned();
    let operator = pantau.user("tangerang", "operator").await;
    let who = Credentials::User(&operator);
    let id = "0193a5c0-1111-7000-8000-00000000abcd";
    let retry = || form(&[("id", None, id.as_bytes()), ("photo", Some("a.jpg"), &jpeg())]);

    let (status, first) = upload(&pantau, who, "tangerang", &ticket, retry()).await;
    assert_eq!((status, &first["duplicate"]), (202, &json!(false)), "{first}");
    assert_eq!(first["id"], id);
    let stored = files_in(&media_path("retried"));
    assert!(stored >= 1, "the photo is a file");
    let (status, again) = upload(&pantau, who, "tangerang", &ticket, retry()).await;
    assert_eq!((status, &again["duplicate"]), (202, &json!(true)), "{again}");
    assert_eq!(again["media"], first["media"], "the photo as first stored");
    assert_eq!(again["stream_id"], first["stream_id"]);
    assert_eq!(
        files_in(&media_path("retried")),
        stored,
        "the retry's files are deleted"
    );

    let got = ticket_at(&pantau, "tangerang", &ticket, 2).await;
    assert_eq!(got["ticket"]["media"].as_array().map(Vec::len), Some(1), "{got}");
    let events = got["history"].as_array().unwrap();
    assert_eq!(events.iter().filter(|e| e["type"] == "ticket.media_added").count(), 1);

    let report_id = opened["accepted"][0]["id"].as_str().unwrap();
    for (what, id) in [("not a UUID", "foto-1"), ("the report's id", report_id)] {
        let body = form(&[("id", None, id.as_bytes()), ("photo", Some("b.jpg"), &jpeg())]);
        let (status, body) = upload(&pantau, who, "tangerang", &ticket, body).await;
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (422, Some("id")),
            "{what}: {body}"
        );
    }
    assert_eq!(
        files_in(&media_path("retried")),
        stored,
        "refused uploads leave no file"
    );
    let (_, got) = pantau.get(&format!("/api/v1/tangerang/tickets/{ticket}")).await;
    assert_eq!(got["ticket"]["media"].as_array().map(Vec::len), Some(1), "{got}");
}

/// After photos are kept and flagged: one taken (camera clock, tenant zone) before the
/// report was made, one taken a kilometre away; one taken on the spot afterwards is clean.
#[tokio::test]
async fn after_photos_are_flagged_not_refused() {
    let redis = RedisServer::start().await;
    let pantau = start(&redis, "flags").await;
    let event = dated_report("Got mampet", "sampah", Duration::hours(2));
    let ticket = open(&pantau, "tangerang", &event).await;
    let operator = pantau.user("tangerang", "operator").await;
    let who = Credentials::User(&operator);
    let cases = [
        (
            "before",
            photo_taken(wib_now(-Duration::hours(3)), TGR),
            vec!["taken_before_report"],
        ),
        (
            "far",
            photo_taken(wib_now(-Duration::hours(1)), (TGR.0 + 0.009, TGR.1)),
            vec!["too_far"],
        ),
        (
            "good",
            photo_taken(wib_now(-Duration::hours(1)), (TGR.0 + 0.0005, TGR.1)),
            vec![],
        ),
        ("bare", jpeg(), vec!["no_exif_time", "no_exif_position"]),
    ];
    for (what, photo, flags) in &cases {
        let (status, body) = upload(&pantau, who, "tangerang", &ticket, photo_form(photo, "after")).await;
        assert_eq!(status, 202, "{what}: {body}");
        let got: Vec<&str> = body["media"]["flags"]
            .as_array()
            .map(|f| f.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        assert_eq!(&got, flags, "{what}: {body}");
    }
    let got = ticket_at(&pantau, "tangerang", &ticket, 1 + cases.len() as u64).await;
    let media = got["ticket"]["media"].as_array().unwrap();
    assert_eq!(media.len(), cases.len());
    assert_eq!(media[0]["flags"], json!(["taken_before_report"]));
    assert!(
        media[2]["taken_at"].is_string() && media[2]["lat"].is_number(),
        "{}",
        media[2]
    );
}

/// In Banjar (`require_after_photo = true`) resolving without an after photo is a 422
/// naming `photo`, from the status command and from the events API; a progress photo is not
/// enough; with an after photo the ticket resolves.
#[tokio::test]
async fn banjar_resolves_only_with_an_after_photo() {
    let redis = RedisServer::start().await;
    let pantau = start(&redis, "require").await;
    let mut event = report("Jalan berlubang di Martapura");
    event["lat"] = BJR.0.into();
    event["lon"] = BJR.1.into();
    let ticket = open(&pantau, "banjar", &event).await;
    let (status, body) = pantau
        .post(
            &format!("/api/v1/banjar/tickets/{ticket}/status"),
            &json!({"status": "in_progress"}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    ticket_at(&pantau, "banjar", &ticket, 2).await;

    let resolve = format!("/api/v1/banjar/tickets/{ticket}/status");
    let (status, body) = pantau.post(&resolve, &json!({"status": "resolved"})).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("photo")),
        "{body}"
    );
    let raw = json!({"type": "ticket.status_changed", "ticket": ticket, "status": "resolved"});
    let (status, body) = pantau.post_event("banjar", &raw).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("photo")),
        "{body}"
    );

    let operator = pantau.user("banjar", "operator").await;
    let who = Credentials::User(&operator);
    let (status, body) = upload(&pantau, who, "banjar", &ticket, photo_form(&jpeg(), "progress")).await;
    assert_eq!(status, 202, "{body}");
    ticket_at(&pantau, "banjar", &ticket, 3).await;
    let (status, body) = pantau.post(&resolve, &json!({"status": "resolved"})).await;
    assert_eq!(status, 422, "a progress photo is not a completion photo: {body}");

    let (status, body) = upload(&pantau, who, "banjar", &ticket, photo_form(&jpeg(), "after")).await;
    assert_eq!(status, 202, "{body}");
    ticket_at(&pantau, "banjar", &ticket, 4).await;
    let (status, body) = pantau.post(&resolve, &json!({"status": "resolved"})).await;
    assert_eq!(status, 202, "{body}");
    let got = ticket_at(&pantau, "banjar", &ticket, 5).await;
    assert_eq!(got["ticket"]["status"], "resolved");
}

/// A viewer may look but not upload (403); without a session, neither (401).
#[tokio::test]
async fn only_uploaders_upload() {
    let redis = RedisServer::start().await;
    let pantau = start(&redis, "authz").await;
    let ticket = open(&pantau, "tangerang", &report("Pohon tumbang")).await;
    let viewer = pantau.user("tangerang", "viewer").await;
    let (status, body) = upload(
        &pantau,
        Credentials::User(&viewer),
        "tangerang",
        &ticket,
        photo_form(&jpeg(), "progress"),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = upload(
        &pantau,
        Credentials::Nobody,
        "tangerang",
        &ticket,
        photo_form(&jpeg(), "progress"),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    let (status, _) = pantau
        .get_as(
            Credentials::Nobody,
            "/api/v1/tangerang/media/0193a5c0000070008000000000000001.jpg",
        )
        .await;
    assert_eq!(status, 401);
}

/// In the console's drawer an operator sees the ticket's photo (its thumbnail loads) with
/// its stage, uploads an after photo with the form, and sees it appear with its ⚠ line (a
/// photo without EXIF) — live, without reloading.
#[tokio::test]
async fn the_drawer_shows_photos_and_uploads_them() {
    let redis = RedisServer::start().await;
    let pantau = start(&redis, "console").await;
    let ticket = open(&pantau, "tangerang", &report("Sampah di Pasar Anyar")).await;
    let operator = pantau.user("tangerang", "operator").await;
    let (status, body) = upload(
        &pantau,
        Credentials::User(&operator),
        "tangerang",
        &ticket,
        photo_form(&jpeg(), "progress"),
    )
    .await;
    assert_eq!(status, 202, "{body}");

    let console = open_wall(&pantau.url("/console"), &operator, 1600, 1000).await;
    console
        .wait_for(&format!("[data-testid=queue-row][data-ticket='{ticket}']"))
        .await
        .click()
        .await
        .unwrap();
    console
        .wait_for("[data-testid=evidence-item][data-stage=progress][data-flagged=false]")
        .await;
    eventually("the thumbnail to load", || async {
        let width = console
            .client
            .execute(
                "const i = document.querySelector('[data-testid=evidence-item] img'); return i && i.complete ? i.naturalWidth : 0;",
                vec![],
            )
            .await
            .ok()?;
        (width.as_u64() == Some(320)).then_some(())
    })
    .await;

    let file = media_dir("console-upload").with_extension("jpg");
    std::fs::write(&file, jpeg()).unwrap();
    console
        .wait_for("[data-testid=evidence-file]")
        .await
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    console
        .wait_for("[data-testid=evidence-stage]")
        .await
        .select_by_value("after")
        .await
        .unwrap();
    console
        .wait_for("[data-testid=evidence-submit]")
        .await
        .click()
        .await
        .unwrap();
    let item = console
        .wait_for("[data-testid=evidence-item][data-stage=after][data-flagged=true]")
        .await;
    let text = item.text().await.unwrap();
    assert!(text.contains('⚠') && text.contains("EXIF"), "{text}");
    let got = ticket_at(&pantau, "tangerang", &ticket, 3).await;
    assert_eq!(got["ticket"]["media"][1]["stage"], "after");
    console.save_screenshot("evidence-drawer.png").await;
    let _ = std::fs::remove_file(file);
}
