//! Test-only driver and generators for the fuzz targets next to each parser of outside input
//! (`validate/fuzz.rs`, `open311/fuzz.rs`, `realtime/session/tests/fuzz.rs`).
//!
//! Why proptest rather than cargo-fuzz: cargo-fuzz needs a nightly toolchain and a
//! sanitizer build of every dependency, which neither `scripts/test` nor CI has; a proptest
//! strategy runs on stable, shrinks a failure to a small input, and catches panics as
//! failures. Each target is a strategy run through [`run`]:
//!
//! - `cargo test` (and `scripts/test`): the committed corpus (`tests/data/fuzz/<target>/`)
//!   first, then `quick_cases` generated cases;
//! - `PANTAU_SOAK=1`: fresh batches of cases until `PANTAU_SOAK_SECS` (default 60) have
//!   passed, per target. Either way a target prints `soak: fuzz_<target>_executions N`.
//!
//! The generators here are shared: arbitrary JSON, hostile strings, and byte-level
//! mutations of a valid input (truncation, stray bytes, invalid UTF-8, deep nesting, a
//! duplicated key, a huge number, a BOM, trailing garbage).

use crate::error::AppError;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Cases per batch in the soak version.
const SOAK_BATCH: u32 = 2_000;
/// Seconds per target in the soak version unless `PANTAU_SOAK_SECS` says otherwise.
const DEFAULT_SOAK_SECS: u64 = 60;

/// The soak budget per target, if `PANTAU_SOAK=1`.
fn soak_budget() -> Option<Duration> {
    if std::env::var("PANTAU_SOAK").ok().as_deref() != Some("1") {
        return None;
    }
    let secs = std::env::var("PANTAU_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SOAK_SECS);
    Some(Duration::from_secs(secs))
}

/// Run `test` over `strategy`: `quick_cases` cases, or batches for the soak budget. Panics
/// with the shrunk input on the first failure (a panic inside `test` is one). `test` says
/// whether the input was accepted, so the figures show both sides were reached.
pub fn run<S: Strategy>(
    target: &str,
    quick_cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<bool, TestCaseError>,
) {
    let budget = soak_budget();
    let cases = if budget.is_some() { SOAK_BATCH } else { quick_cases };
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4_096,
        ..Config::default()
    };
    let started = Instant::now();
    let mut executions = 0u64;
    let accepted = AtomicU64::new(0);
    let counted = |input: S::Value| -> Result<(), TestCaseError> {
        let ok = test(input)?;
        accepted.fetch_add(u64::from(ok), Ordering::Relaxed);
        Ok(())
    };
    loop {
        let mut runner = TestRunner::new(config.clone());
        match runner.run(&strategy, counted) {
            Ok(()) => {}
            Err(TestError::Fail(reason, input)) => {
                panic!("fuzz target {target} failed: {reason}\nminimal input: {input:?}")
            }
            Err(TestError::Abort(reason)) => panic!("fuzz target {target} aborted: {reason}"),
        }
        executions += u64::from(cases);
        if budget.is_none_or(|b| started.elapsed() >= b) {
            break;
        }
    }
    println!("soak: fuzz_{target}_executions {executions}");
    println!("soak: fuzz_{target}_accepted {}", accepted.load(Ordering::Relaxed));
    println!("soak: fuzz_{target}_seconds {:.1}", started.elapsed().as_secs_f64());
}

/// The committed corpus of `target`: `(file name, bytes)`, sorted by name.
pub fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|entry| entry.expect("a corpus entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().expect("a file name").to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("a readable corpus file"))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "corpus {} is empty", dir.display());
    files
}

/// The corpus files whose name starts with `ok-`, parsed as JSON objects (the seeds that
/// structure-aware mutations start from).
pub fn ok_objects(target: &str) -> Vec<Map<String, Value>> {
    corpus(target)
        .into_iter()
        .filter(|(name, _)| name.starts_with("ok-"))
        .filter_map(|(_, bytes)| match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        })
        .collect()
}

/// Strings that tend to break parsers: empty, blank, control and bidi characters, lone
/// combining marks, non-ASCII digits, long runs, numbers in words, markup.
pub fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" \t\r\n".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\u{202e}kiri\u{200b}".to_owned()),
        Just("\u{301}\u{301}".to_owned()),
        Just("\u{663}\u{664}".to_owned()),
        Just("TGR-".to_owned()),
        Just("TGR-000001".to_owned()),
        Just("-1".to_owned()),
        Just("NaN".to_owned()),
        Just("1e999".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("../../etc/passwd".to_owned()),
        Just("%00%ff".to_owned()),
        Just("0000-01-01T00:00:00+23:59".to_owned()),
        Just("9999-12-31T23:59:59-23:59".to_owned()),
        Just("1970-01-01T00:00:00Z".to_owned()),
        Just("2026-11-23T02:59:59.999999999+00:00".to_owned()),
        Just("2026-11-23T03:05:00Z".to_owned()),
        Just("😀".repeat(2_001)),
        Just("a".repeat(70_000)),
        "[a-z_\\-.0-9]{0,70}",
        ".{0,64}",
    ]
}

/// Any JSON value (a few levels deep), numbers at their extremes included.
pub fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(f64::MAX),
            Just(f64::MIN_POSITIVE),
            Just(-6.1888)
        ]
        .prop_map(Value::from),
        hostile_string().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{0,10}", inner), 0..5).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// One change to a JSON object's fields.
#[derive(Clone, Debug)]
pub enum FieldEdit {
    /// Set the field (one of the object's or of `names`) to a value.
    Set(String, Value),
    Remove(String),
}

/// Field edits for objects whose interesting field names are `names`.
pub fn field_edits(names: &'static [&'static str]) -> impl Strategy<Value = Vec<FieldEdit>> {
    let name = prop_oneof![4 => prop::sample::select(names).prop_map(str::to_owned), 1 => "[a-z_]{1,12}"];
    let edit = prop_oneof![
        4 => (name.clone(), json_value()).prop_map(|(k, v)| FieldEdit::Set(k, v)),
        1 => name.prop_map(FieldEdit::Remove),
    ];
    prop::collection::vec(edit, 0..4)
}

/// `object` with `edits` applied.
pub fn apply_edits(mut object: Map<String, Value>, edits: &[FieldEdit]) -> Map<String, Value> {
    for edit in edits {
        match edit {
            FieldEdit::Set(k, v) => {
                object.insert(k.clone(), v.clone());
            }
            FieldEdit::Remove(k) => {
                object.remove(k);
            }
        }
    }
    object
}

/// A byte-level change to a serialised input.
#[derive(Clone, Debug)]
pub enum ByteEdit {
    /// Keep the first `at` (modulo the length) bytes.
    Truncate(usize),
    /// Insert bytes at a position.
    Insert(usize, Vec<u8>),
    /// Overwrite one byte.
    Replace(usize, u8),
    /// Wrap the whole input `depth` arrays or objects deep.
    Nest { depth: usize, objects: bool },
    /// Repeat `"key":value,` right after the first `{`, so the key appears twice.
    DuplicateKey(String, String),
    /// Put a number too large for any Rust number where the first number starts.
    HugeNumber(String),
    /// A UTF-8 byte-order mark in front.
    Bom,
    /// Trailing text after the value.
    Trailing(Vec<u8>),
}

/// Byte edits of any kind; `keys` are names worth duplicating.
pub fn byte_edits(keys: &'static [&'static str]) -> impl Strategy<Value = Vec<ByteEdit>> {
    let stray = prop_oneof![
        Just(vec![0xff]),
        Just(vec![0xc0, 0xaf]),
        Just(vec![0xed, 0xa0, 0x80]),
        Just(b"\\ud800".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\\".to_vec()),
        Just(b"\n".to_vec()),
        Just(vec![0]),
        prop::collection::vec(any::<u8>(), 1..8),
    ];
    let edit = prop_oneof![
        2 => any::<usize>().prop_map(ByteEdit::Truncate),
        2 => (any::<usize>(), stray.clone()).prop_map(|(at, b)| ByteEdit::Insert(at, b)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(at, b)| ByteEdit::Replace(at, b)),
        1 => (1usize..300, any::<bool>()).prop_map(|(depth, objects)| ByteEdit::Nest { depth, objects }),
        1 => (1usize..3_000).prop_map(|depth| ByteEdit::Nest { depth, objects: false }),
        2 => (prop::sample::select(keys), prop_oneof![
            Just("null".to_owned()), Just("\"\"".to_owned()), Just("{}".to_owned()), Just("[]".to_owned()),
            Just("\"report.received\"".to_owned()), Just("1".to_owned()),
        ]).prop_map(|(k, v)| ByteEdit::DuplicateKey(k.to_owned(), v)),
        1 => prop_oneof![
            Just("1e999".to_owned()), Just("-1e999".to_owned()), Just("184467440737095516160000".to_owned()),
            Just("-0".to_owned()), Just("1E+2".to_owned()), Just("0.0000000000000000000000001".to_owned()),
        ].prop_map(ByteEdit::HugeNumber),
        1 => Just(ByteEdit::Bom),
        1 => stray.prop_map(ByteEdit::Trailing),
    ];
    prop::collection::vec(edit, 0..3)
}

/// `bytes` with `edits` applied.
pub fn apply_byte_edits(mut bytes: Vec<u8>, edits: &[ByteEdit]) -> Vec<u8> {
    for edit in edits {
        let at = |n: usize, len: usize| if len == 0 { 0 } else { n % (len + 1) };
        match edit {
            ByteEdit::Truncate(n) => bytes.truncate(at(*n, bytes.len())),
            ByteEdit::Insert(n, b) => {
                let i = at(*n, bytes.len());
                bytes.splice(i..i, b.iter().copied());
            }
            ByteEdit::Replace(n, b) => {
                if !bytes.is_empty() {
                    let i = n % bytes.len();
                    bytes[i] = *b;
                }
            }
            ByteEdit::Nest { depth, objects } => {
                let (open, close): (&[u8], &[u8]) = if *objects { (b"{\"a\":", b"}") } else { (b"[", b"]") };
                let mut nested = open.repeat(*depth);
                nested.extend_from_slice(&bytes);
                nested.extend_from_slice(&close.repeat(*depth));
                bytes = nested;
            }
            ByteEdit::DuplicateKey(k, v) => {
                if let Some(i) = bytes.iter().position(|b| *b == b'{') {
                    let pair = format!("\"{k}\":{v},");
                    bytes.splice(i + 1..i + 1, pair.into_bytes());
                }
            }
            ByteEdit::HugeNumber(n) => {
                if let Some(start) = bytes.iter().position(|b| b.is_ascii_digit() || *b == b'-') {
                    let end = start
                        + bytes[start..]
                            .iter()
                            .position(|b| !(b.is_ascii_digit() || b"-+.eE".contains(b)))
                            .unwrap_or(bytes.len() - start);
                    bytes.splice(start..end, n.bytes());
                }
            }
            ByteEdit::Bom => bytes.splice(0..0, [0xef, 0xbb, 0xbf]).for_each(drop),
            ByteEdit::Trailing(t) => bytes.extend_from_slice(t),
        }
    }
    bytes
}

/// The refusal as the HTTP caller sees it: a 4xx, code and message, and the field for a 422.
pub fn check_refusal(e: AppError) -> Result<(), TestCaseError> {
    let status = e.status();
    prop_assert!(status.is_client_error(), "not a 4xx: {status} {e:?}");
    let body = e.body();
    prop_assert!(body["code"].as_str().is_some_and(|c| !c.is_empty()), "no code: {body}");
    prop_assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "no message: {body}"
    );
    match &e {
        AppError::MalformedJson(_) => prop_assert_eq!(status.as_u16(), 400),
        AppError::InvalidField { field, .. } => {
            prop_assert_eq!(status.as_u16(), 422);
            prop_assert!(!field.is_empty() && field != ".", "no field named: {:?}", e);
            prop_assert_eq!(body["field"].as_str(), Some(field.as_str()));
        }
        other => prop_assert!(false, "a parser refused with {:?}", other),
    }
    Ok(())
}
