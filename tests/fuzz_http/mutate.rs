//! Deterministic mutations of corpus inputs for `fuzz_http.rs`: a seeded generator (so a
//! failing run names the seed that reproduces it) and byte-, JSON- and form-level edits.
//! The unit-level fuzz targets (`server/src/fuzzing.rs`) explore far more; these are the
//! shapes worth sending through the real server.

use serde_json::{json, Map, Value};

/// SplitMix64: small, seedable, good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Strings that tend to break parsers.
const HOSTILE: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "\u{202e}kiri",
    "\u{663}\u{664}",
    "TGR-",
    "-1",
    "NaN",
    "1e999",
    "18446744073709551616",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "0000-01-01T00:00:00+23:59",
    "2999-01-01T00:00:00Z",
    "report.received",
    "sla.breached",
    "rejected",
    "spam",
];

/// A JSON value of any kind, extremes included.
pub fn value(rng: &mut Rng) -> Value {
    match rng.below(10) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 1),
        2 => json!(rng.next() as i64),
        3 => json!(rng.next()),
        // NaN and the infinities become null, as serde_json writes them.
        4 => json!(f64::from_bits(rng.next())),
        5 => json!([value(rng), value(rng)]),
        6 => json!({ "a": value(rng) }),
        7 => json!("x".repeat(rng.below(3_000))),
        _ => json!(rng.pick(HOSTILE)),
    }
}

/// `bytes` mangled once: truncated, a stray byte, deep nesting, a huge number, a BOM, or
/// trailing garbage.
pub fn bytes(rng: &mut Rng, mut b: Vec<u8>) -> Vec<u8> {
    let at = rng.below(b.len() + 1);
    match rng.below(8) {
        0 => b.truncate(at),
        1 => {
            let stray: &[&[u8]] = &[
                b"\xff",
                b"\xc0\xaf",
                b"\xed\xa0\x80",
                b"\\ud800",
                b"\"",
                b"\n",
                b"\0",
                b"}",
            ];
            b.splice(at..at, rng.pick(stray).iter().copied());
        }
        2 => {
            let depth = 100 + rng.below(3_000);
            let mut nested = b"[".repeat(depth);
            nested.extend_from_slice(&b);
            nested.extend_from_slice(&b"]".repeat(depth));
            b = nested;
        }
        3 => {
            if let Some(i) = b.iter().position(u8::is_ascii_digit) {
                let numbers: [&[u8]; 3] = [b"1e999", b"99999999999999999999999", b"-"];
                b.splice(i..i, rng.pick(&numbers).iter().copied());
            }
        }
        4 => b.splice(0..0, [0xef, 0xbb, 0xbf]).for_each(drop),
        5 => {
            let trailing: [&[u8]; 4] = [b"x", b"{}", b"\r\n{", b" null"];
            let t = *rng.pick::<&[u8]>(&trailing);
            b.extend_from_slice(t);
        }
        6 => {
            if !b.is_empty() {
                let i = rng.below(b.len());
                b[i] = rng.next() as u8;
            }
        }
        _ => {
            if let Some(i) = b.iter().position(|c| *c == b'{') {
                let key = rng.pick(&["type", "ticket", "lat", "id", "status"]);
                let pair = format!("\"{key}\":{},", value(rng));
                b.splice(i + 1..i + 1, pair.into_bytes());
            }
        }
    }
    b
}

/// `object` with one field set to any value, removed, or added.
pub fn object(rng: &mut Rng, mut object: Map<String, Value>, fields: &[&str]) -> Map<String, Value> {
    let existing: Vec<String> = object.keys().cloned().collect();
    let field = match rng.below(3) {
        0 if !existing.is_empty() => rng.pick(&existing).clone(),
        _ => rng.pick(fields).to_string(),
    };
    if rng.below(4) == 0 {
        object.remove(&field);
    } else {
        object.insert(field, value(rng));
    }
    object
}

/// A JSON seed mutated: field edits, then (sometimes) its bytes mangled.
pub fn json(rng: &mut Rng, seed: &[u8], fields: &[&str]) -> Vec<u8> {
    let mut body = match serde_json::from_slice::<Value>(seed) {
        Ok(Value::Object(map)) => {
            let mut map = map;
            for _ in 0..=rng.below(2) {
                map = object(rng, map, fields);
            }
            serde_json::to_vec(&map).expect("a map serialises")
        }
        _ => seed.to_vec(),
    };
    if rng.below(2) == 0 {
        body = bytes(rng, body);
    }
    body
}

/// A form seed mutated: a parameter replaced, dropped, duplicated or added with a hostile
/// value (percent-encoded or raw), sometimes its bytes mangled.
pub fn form(rng: &mut Rng, seed: &[u8], fields: &[&str]) -> Vec<u8> {
    let text = String::from_utf8_lossy(seed);
    let mut pairs: Vec<String> = text.split('&').map(str::to_owned).collect();
    let value = match value(rng) {
        Value::String(s) => s,
        other => other.to_string(),
    };
    let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let value = if rng.below(3) == 0 { value } else { encoded };
    let field = rng.pick(fields);
    match rng.below(3) {
        0 => pairs.retain(|p| !p.starts_with(&format!("{field}="))),
        1 => pairs.push(format!("{field}={value}")),
        _ => {
            for p in pairs.iter_mut().filter(|p| p.starts_with(&format!("{field}="))) {
                *p = format!("{field}={value}");
            }
        }
    }
    let mut body = pairs.join("&").into_bytes();
    if rng.below(3) == 0 {
        body = bytes(rng, body);
    }
    body
}
