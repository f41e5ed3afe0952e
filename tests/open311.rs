//! Open311 GeoReport v2 conformance against the real binary: every endpoint's document has
//! the fields of the spec's example (with compatible JSON types), a form-encoded POST as an
//! existing client sends it creates a ticket that the GET endpoints return and filter, and
//! every error case answers in the spec's error format, in JSON and XML.

use pantau_e2e::{eventually, workspace_root, Pantau, RedisServer};
use serde_json::Value;

fn spec_example(name: &str) -> Value {
    let path = workspace_root().join("tests/data/open311").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// JSON type name, with null compatible with anything (the spec's examples use null for
/// absent optional values).
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `ours` has every field of `spec`, each of a compatible type, recursively (first array
/// element as the pattern).
fn assert_conforms(ours: &Value, spec: &Value, at: &str) {
    match (ours, spec) {
        (_, Value::Null) | (Value::Null, _) => {}
        (Value::Object(o), Value::Object(s)) => {
            for (k, sv) in s {
                let ov = o.get(k).unwrap_or_else(|| panic!("{at}.{k} is missing in {ours}"));
                assert_conforms(ov, sv, &format!("{at}.{k}"));
            }
        }
        (Value::Array(o), Value::Array(s)) => {
            if let (Some(o0), Some(s0)) = (o.first(), s.first()) {
                assert_conforms(o0, s0, &format!("{at}[0]"));
            }
        }
        _ => assert_eq!(kind(ours), kind(spec), "{at}: {ours} vs spec {spec}"),
    }
}

/// POST form-encoded to `path`, as existing Open311 clients do.
async fn post_form(pantau: &Pantau, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = pantau
        .http
        .post(pantau.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded_like(form))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn serde_urlencoded_like(form: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
                b' ' => "+".into(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

const REPORT: &[(&str, &str)] = &[
    ("api_key", "tangerang-demo-key"),
    ("service_code", "banjir"),
    ("lat", "-6.1702"),
    ("long", "106.6403"),
    ("address_string", "Jl. Daan Mogot"),
    ("description", "Genangan air setinggi 40 cm"),
    ("media_url", "https://laksa.example/foto/1.jpg"),
    ("first_name", "Siti"),
    ("email", "siti@example.org"),
];

/// Every endpoint, JSON and XML, in the spec's shape; POST then GET round-trips.
#[tokio::test]
async fn endpoints_match_the_spec_examples() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let base = "/open311/v2/tangerang";

    let (_, discovery) = pantau.get("/open311/v2/tangerang/discovery.json").await;
    assert_conforms(&discovery, &spec_example("discovery.json"), "discovery");
    let (_, services) = pantau.get("/open311/v2/tangerang/services.json").await;
    assert_conforms(&services, &spec_example("services.json"), "services");
    let codes: Vec<&str> = services
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service_code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"sampah") && codes.contains(&"banjir"), "{codes:?}");
    let (status, definition) = pantau.get("/open311/v2/tangerang/services/banjir.json").await;
    assert_eq!(status, 200);
    assert_conforms(&definition, &spec_example("service_definition.json"), "definition");

    let (status, created) = post_form(&pantau, &format!("{base}/requests.json"), REPORT).await;
    assert_eq!(status, 201, "{created}");
    let created: Value = serde_json::from_str(&created).unwrap();
    assert_conforms(&created, &spec_example("post_response.json"), "post");
    let id = created[0]["service_request_id"].as_str().unwrap().to_owned();
    assert_eq!(id, "TGR-000001");

    let path = format!("/open311/v2/tangerang/requests/{id}.json");
    let request = eventually("the request to be readable", || {
        let path = path.clone();
        let pantau = &pantau;
        async move {
            let (status, body) = pantau.get(&path).await;
            (status == 200).then_some(body)
        }
    })
    .await;
    assert_conforms(&request, &spec_example("requests.json"), "request");
    let r = &request[0];
    assert_eq!(r["status"], "open");
    assert_eq!(r["service_code"], "banjir");
    assert_eq!(r["service_name"], "Banjir");
    assert_eq!(r["description"], "Genangan air setinggi 40 cm");
    assert_eq!(r["agency_responsible"], "Badan Penanggulangan Bencana Daerah");
    assert_eq!(r["media_url"], "https://laksa.example/foto/1.jpg");
    // Public documents round coordinates to the tenant's decimals (3 by default, ≈110 m).
    assert_eq!(r["lat"], -6.17);
    assert_eq!(r["long"], 106.64);
    assert!(
        r["requested_datetime"].as_str().unwrap().ends_with("+07:00"),
        "times in WIB: {r}"
    );
    assert!(r["expected_datetime"].as_str().unwrap() > r["requested_datetime"].as_str().unwrap());
    // Where the citizen said they were is not repeated: the kelurahan and kecamatan only.
    let address = r["address"].as_str().unwrap();
    assert!(address.starts_with("Kel. ") && address.contains(", Kec. "), "{address}");
    assert!(!request.to_string().contains("Daan Mogot"), "{request}");
    assert!(!request.to_string().contains("siti"), "personal data is not kept");

    let (_, list) = pantau.get("/open311/v2/tangerang/requests.json").await;
    assert_conforms(&list, &spec_example("requests.json"), "requests");
    assert_eq!(list.as_array().unwrap().len(), 1);
    for (query, expected) in [
        ("?service_request_id=TGR-000001,TGR-000099", 1),
        ("?service_code=banjir", 1),
        ("?service_code=sampah", 0),
        ("?status=open", 1),
        ("?status=closed", 0),
        ("?start_date=2020-01-01T00:00:00Z&end_date=2020-12-31T00:00:00Z", 0),
        ("?start_date=2020-01-01T00:00:00%2B07:00", 1),
    ] {
        let (status, body) = pantau.get(&format!("/open311/v2/tangerang/requests.json{query}")).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(body.as_array().unwrap().len(), expected, "{query}: {body}");
    }

    let (status, xml) = pantau.get_text(&format!("{base}/requests/{id}.xml")).await;
    assert_eq!(status, 200);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(
        xml.contains("<service_requests><request>")
            && xml.contains("<service_request_id>TGR-000001</service_request_id>"),
        "{xml}"
    );
    let (_, xml) = pantau.get_text(&format!("{base}/services.xml")).await;
    assert!(
        xml.contains("<services><service>") && xml.contains("<service_code>banjir</service_code>"),
        "{xml}"
    );
    let (_, xml) = pantau.get_text(&format!("{base}/discovery.xml")).await;
    assert!(
        xml.contains("<discovery>")
            && xml.contains("<specification>http://wiki.open311.org/GeoReport_v2</specification>"),
        "{xml}"
    );
    let (status, xml) = post_form(&pantau, &format!("{base}/requests.xml"), REPORT).await;
    assert_eq!(status, 201);
    assert!(
        xml.contains("<service_request_id>TGR-000002</service_request_id>"),
        "{xml}"
    );
}

/// Each error case answers with its status and the spec's error list — and writes nothing.
#[tokio::test]
async fn errors_use_the_spec_format() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let base = "/open311/v2/tangerang";
    let without = |key: &str| REPORT.iter().copied().filter(|(k, _)| *k != key).collect::<Vec<_>>();
    let with = |key: &str, value: &'static str| {
        REPORT
            .iter()
            .map(|&(k, v)| if k == key { (k, value) } else { (k, v) })
            .collect::<Vec<_>>()
    };
    type Form = Vec<(&'static str, &'static str)>;
    let cases: Vec<(Form, u16, &str)> = vec![
        (without("api_key"), 403, "api_key"),
        (with("api_key", "banjar-demo-key"), 403, "api_key"),
        (without("service_code"), 400, "service_code"),
        (with("service_code", "ufo"), 400, "service_code"),
        (without("lat"), 400, "lat"),
        (with("long", "east"), 400, "long"),
        (with("long", "116.64"), 400, "outside Kota Tangerang"),
        (without("description"), 400, "description"),
    ];
    for (form, status, mention) in cases {
        let (got, body) = post_form(&pantau, &format!("{base}/requests.json"), &form).await;
        assert_eq!(got, status, "{body}");
        let errors: Value = serde_json::from_str(&body).unwrap();
        assert_conforms(&errors, &spec_example("error.json"), "error");
        assert_eq!(errors[0]["code"], status);
        assert!(errors[0]["description"].as_str().unwrap().contains(mention), "{body}");
    }
    let (status, body) = pantau.get("/open311/v2/tangerang/requests/TGR-000404.json").await;
    assert_eq!((status, &body[0]["code"]), (404, &Value::from(404)));
    let (status, body) = pantau.get("/open311/v2/tangerang/requests.json?status=pending").await;
    assert_eq!((status, &body[0]["code"]), (400, &Value::from(400)));
    let (status, body) = pantau
        .get("/open311/v2/tangerang/requests.json?start_date=yesterday")
        .await;
    assert_eq!((status, &body[0]["code"]), (400, &Value::from(400)));
    let (status, body) = pantau.get("/open311/v2/atlantis/services.json").await;
    assert_eq!((status, &body[0]["code"]), (404, &Value::from(404)));
    let (status, xml) = pantau.get_text(&format!("{base}/services/ufo.xml")).await;
    assert_eq!(status, 404);
    assert!(xml.contains("<errors><error><code>404</code>"), "{xml}");
    let (status, _) = pantau.get_text(&format!("{base}/services.csv")).await;
    assert_eq!(status, 404);
    assert_eq!(redis.stream_len("tangerang").await, 0, "refused requests wrote nothing");
}
