//! The citizen's status page `/lapor/<ticket>` and its public API, against the real server
//! and a real headless Chromium, signed out: the answer has exactly the allowed keys and
//! none of the reporter's name or contact, the description, the address or the coordinates;
//! the page shows the LAKSA light and the agency and nothing personal either; once the
//! ticket is resolved the light is green and its completion photo is shown — served
//! without the EXIF (GPS position) the upload had. Screenshots at 375×800 (a phone) and 1920×1080
//! are kept in `tests/artifacts/`.

use fantoccini::Locator;
use pantau_e2e::browser::Wall;
use pantau_e2e::{eventually, report, Credentials, Pantau, RedisServer};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const NAME: &str = "Siti Aminah";
const CONTACT: &str = "081298765432";
const PHRASE: &str = "kucing oranye tidur di atas tumpukan";
const ADDRESS: &str = "Jl. Kenanga Nomor 17";
/// The fixture's coordinates as they are written (`shared::fixtures::POINT`).
const COORDINATES: [&str; 2] = ["6.1888", "106.6406"];

const BOUNDARY: &str = "lapor-e2e-5b1c";

/// A 640×480 JPEG whose EXIF holds a GPS position (at the fixture's point).
fn photo_with_gps() -> Vec<u8> {
    use exif::{Field, In, Rational, Tag, Value as Exif};
    let ascii = |tag, text: &str| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Exif::Ascii(vec![text.as_bytes().to_vec()]),
    };
    let degrees = |tag, d: f64| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Exif::Rational(vec![
            Rational {
                num: (d.abs() * 1e6).round() as u32,
                denom: 1_000_000,
            },
            Rational { num: 0, denom: 1 },
            Rational { num: 0, denom: 1 },
        ]),
    };
    let (lat, lon) = pantau_shared::fixtures::POINT;
    let fields = [
        ascii(Tag::GPSLatitudeRef, "S"),
        degrees(Tag::GPSLatitude, lat),
        ascii(Tag::GPSLongitudeRef, "E"),
        degrees(Tag::GPSLongitude, lon),
    ];
    let mut writer = exif::experimental::Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut tiff = std::io::Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    let tiff = tiff.into_inner();
    let image = image::RgbImage::from_pixel(640, 480, image::Rgb([40, 160, 90]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut plain)
        .encode_image(&image)
        .unwrap();
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(u16::try_from(tiff.len() + 8).unwrap().to_be_bytes());
    out.extend(b"Exif\0\0");
    out.extend(tiff);
    out.extend(&plain[2..]);
    out
}

/// Upload `photo` as the after photo of `ticket` (as the superadmin).
async fn upload_after_photo(pantau: &Pantau, ticket: &str, photo: &[u8]) {
    let mut body = Vec::new();
    body.extend(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"stage\"\r\n\r\nafter\r\n").as_bytes());
    body.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\
             Content-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend(photo);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let response = pantau
        .request(
            Method::POST,
            &format!("/api/v1/tangerang/tickets/{ticket}/media"),
            Credentials::User(&pantau.admin),
        )
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert!(status < 300, "upload: {status} {}", response.text().await.unwrap());
}

/// Everything the page must never show.
fn secrets() -> Vec<&'static str> {
    let mut all = vec![NAME, "Aminah", CONTACT, PHRASE, "kucing", ADDRESS, "Kenanga"];
    all.extend(COORDINATES);
    all
}

/// A garbage report with a reporter, a telling description and an address; its ticket.
async fn post_report(pantau: &Pantau) -> String {
    let mut event = report(&format!("Ada {PHRASE} sampah"));
    event["address"] = ADDRESS.into();
    event["reporter"] = json!({"name": NAME, "contact": CONTACT});
    let (status, body) = pantau.post_event("tangerang", &event).await;
    assert_eq!(status, 202, "{body}");
    body["accepted"][0]["ticket"].as_str().unwrap().to_owned()
}

/// The public answer for `id`, without credentials, once it has `status`.
async fn public(pantau: &Pantau, id: &str, status: &str) -> Value {
    eventually(&format!("{id} to be {status}"), || async {
        let (code, body) = pantau
            .get_as(Credentials::Nobody, &format!("/api/v1/public/tickets/{id}"))
            .await;
        (code == 200 && body["status"] == status).then_some(body)
    })
    .await
}

/// The page for `id` in a signed-out browser of `width`×`height`, once its light shows.
async fn open(pantau: &Pantau, id: &str, width: u32, height: u32) -> Wall {
    let page = Wall::launch(width, height, &[]).await;
    page.goto(&pantau.url(&format!("/lapor/{id}"))).await.unwrap();
    page.wait_for("[data-testid=lapor-light]").await;
    page
}

async fn assert_nothing_personal(page: &Wall) {
    let html = page.source().await.unwrap();
    let text = page.text("body").await;
    for secret in secrets() {
        assert!(!html.contains(secret), "{secret:?} in the page's HTML");
        assert!(!text.contains(secret), "{secret:?} on the page: {text}");
    }
}

/// The public JSON has exactly the allowed keys, nothing personal, and refuses bad or
/// unknown numbers with the one error body; lower case numbers are found.
#[tokio::test]
async fn public_answer_has_only_the_allowed_keys() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let id = post_report(&pantau).await;
    let body = public(&pantau, &id, "received").await;
    let keys: BTreeSet<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    let allowed: BTreeSet<&str> = [
        "ticket",
        "region",
        "category",
        "agency",
        "kecamatan",
        "light",
        "status",
        "status_label",
        "step",
        "created_at",
        "assigned_at",
        "updated_at",
        "resolved_at",
        "merged_into",
        "after_photo_url",
    ]
    .into();
    assert_eq!(keys, allowed);
    let region: BTreeSet<&str> = body["region"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(region, ["id", "name", "zone_label", "utc_offset_minutes"].into());
    assert_eq!(body["ticket"], id.as_str());
    assert_eq!(body["light"], "red");
    assert_eq!(body["agency"]["name_id"], "Dinas Lingkungan Hidup");
    assert_eq!(body["region"]["zone_label"], "WIB");
    let raw = body.to_string();
    for secret in secrets() {
        assert!(!raw.contains(secret), "{secret:?} in {raw}");
    }

    let (status, lower) = pantau
        .get_as(
            Credentials::Nobody,
            &format!("/api/v1/public/tickets/{}", id.to_lowercase()),
        )
        .await;
    assert_eq!((status, &lower["ticket"]), (200, &body["ticket"]));
    let (status, unknown) = pantau
        .get_as(Credentials::Nobody, "/api/v1/public/tickets/TGR-999999")
        .await;
    assert_eq!(status, 404, "{unknown}");
    assert_eq!(unknown["error"]["field"], "ticket");
    let (status, other) = pantau
        .get_as(Credentials::Nobody, "/api/v1/public/tickets/XYZ-000001")
        .await;
    assert_eq!(status, 404, "no tenant has the prefix: {other}");
    let (status, bad) = pantau
        .get_as(Credentials::Nobody, "/api/v1/public/tickets/not-a-ticket")
        .await;
    assert_eq!(status, 422, "{bad}");
    assert_eq!(bad["error"]["field"], "ticket");
}

/// Signed out, on a phone and on a desk: the light is red with the agency named and
/// nothing personal anywhere in the page; once resolved it is green with the date done.
#[tokio::test]
async fn status_page_shows_the_light_and_nothing_personal() {
    let redis = RedisServer::start().await;
    let media = std::env::temp_dir().join(format!("pantau-lapor-media-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&media);
    let pantau = Pantau::start_with(&redis, &["--media-dir", media.to_str().unwrap()]).await;
    let id = post_report(&pantau).await;
    public(&pantau, &id, "received").await;

    let phone = open(&pantau, &id, 375, 800).await;
    let light = phone.find(Locator::Css("[data-testid=lapor-light]")).await.unwrap();
    assert_eq!(light.attr("data-light").await.unwrap().as_deref(), Some("red"));
    assert_eq!(phone.text("[data-testid=lapor-ticket]").await, id);
    assert_eq!(phone.text("[data-testid=lapor-agency]").await, "Dinas Lingkungan Hidup");
    assert!(phone.text("[data-testid=lapor-created]").await.ends_with(" WIB"));
    assert_nothing_personal(&phone).await;
    // Nothing is wider than the phone.
    let scroll = phone
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(scroll.as_u64().unwrap() <= 375, "the page scrolls sideways: {scroll}");
    phone.save_screenshot("lapor-375x800-received.png").await;

    let after = format!("/api/v1/public/tickets/{id}/after");
    for (path, body) in [
        ("assign", json!({"agency": "dlh", "officer": "dlh-budi"})),
        (
            "status",
            json!({"status": "in_progress", "note": "Petugas Budi Santoso berangkat"}),
        ),
    ] {
        let (status, answer) = pantau
            .post(&format!("/api/v1/tangerang/tickets/{id}/{path}"), &body)
            .await;
        assert_eq!(status, 202, "{path}: {answer}");
    }
    public(&pantau, &id, "in_progress").await;
    upload_after_photo(&pantau, &id, &photo_with_gps()).await;
    let (status, _) = pantau.get_as(Credentials::Nobody, &after).await;
    assert_eq!(status, 404, "no photo is public before the ticket is resolved");
    let (status, answer) = pantau
        .post(
            &format!("/api/v1/tangerang/tickets/{id}/status"),
            &json!({"status": "resolved", "note": "Sudah diangkut"}),
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    let resolved = eventually("the completion photo to be public", || async {
        let (_, body) = pantau
            .get_as(Credentials::Nobody, &format!("/api/v1/public/tickets/{id}"))
            .await;
        (body["status"] == "resolved" && body["after_photo_url"].is_string()).then_some(body)
    })
    .await;
    assert_eq!(resolved["after_photo_url"], after.as_str());
    let photo = pantau.http.get(pantau.url(&after)).send().await.unwrap();
    assert_eq!(photo.status().as_u16(), 200);
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    let bytes = photo.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8]), "a JPEG");
    assert!(
        !bytes.windows(6).any(|w| w == b"Exif\0\0"),
        "the public photo carries no EXIF (GPS)"
    );
    phone.refresh().await.unwrap();
    let light = phone.wait_for("[data-testid=lapor-light][data-light=green]").await;
    assert!(light.text().await.unwrap().contains("SELESAI"));
    assert!(phone.text("[data-testid=lapor-resolved]").await.ends_with(" WIB"));
    let img = phone.wait_for("[data-testid=lapor-photo]").await;
    let loaded = eventually("the photo to load", || async {
        let done = phone
            .execute(
                "const i = document.querySelector('[data-testid=lapor-photo]'); return i.complete && i.naturalWidth",
                vec![],
            )
            .await
            .ok()?;
        done.as_u64().filter(|w| *w > 0)
    })
    .await;
    assert!(loaded > 0 && img.attr("src").await.unwrap().as_deref() == Some(after.as_str()));
    assert_nothing_personal(&phone).await;
    let html = phone.source().await.unwrap();
    assert!(
        !html.contains("Budi") && !html.contains("dlh-budi"),
        "no officers on the page"
    );
    phone.save_screenshot("lapor-375x800-resolved.png").await;
    phone.close().await;

    let desk = open(&pantau, &format!("{id}?lang=en"), 1920, 1080).await;
    desk.wait_for("[data-testid=lapor-light][data-light=green]").await;
    assert_eq!(desk.text("[data-testid=lapor-agency]").await, "Environment Agency");
    assert_nothing_personal(&desk).await;
    desk.save_screenshot("lapor-1920x1080-resolved-en.png").await;
    desk.close().await;

    let unknown = Wall::launch(375, 800, &[]).await;
    unknown.goto(&pantau.url("/lapor/TGR-999999")).await.unwrap();
    unknown.wait_for("[data-testid=lapor-not-found]").await;
    unknown.close().await;
}
