//! The page's query string: `?tenant=tangerang&lang=en&panels=all,agencies&rotate=30`.
//! Values are percent-decoded (`panels=all%2Cpupr`, `+` for a space) as browsers and link
//! builders encode them; [`encode`] does the reverse for links the frontend builds. Pure.

/// The value of parameter `name` in `search` (with or without its leading `?`), decoded;
/// `None` when absent or empty. The first occurrence wins.
pub fn query_value(search: &str, name: &str) -> Option<String> {
    search.trim_start_matches('?').split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == name).then(|| decode(v)).filter(|v| !v.is_empty())
    })
}

/// Percent-decoding of a query component (`+` is a space); a malformed escape is kept as
/// it is, and invalid UTF-8 becomes U+FFFD.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(b) = hex {
                    out.push(b);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encoding of a query component: everything but `A-Z a-z 0-9 - _ . ~` is escaped,
/// so the value survives as one parameter (`/?a=1&b=2` → `%2F%3Fa%3D1%26b%3D2`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `encode` writes, `decode` reads back unchanged.
    #[test]
    fn encode_round_trips() {
        for s in ["/?tenant=banjar&lang=en", "a b+c%", "Kec. Cipondoh – €", ""] {
            assert_eq!(decode(&encode(s)), s);
        }
        assert_eq!(encode("/?a=1&b=2"), "%2F%3Fa%3D1%26b%3D2");
    }

    /// Escapes and `+` decode; names match decoded; absent and empty values are `None`.
    #[test]
    fn reads_decoded_parameters() {
        let q = "?tenant=banjar&panels=all%2Cpupr&lang=en&empty=&note=a+b%20c";
        assert_eq!(query_value(q, "panels").as_deref(), Some("all,pupr"));
        assert_eq!(query_value(q, "tenant").as_deref(), Some("banjar"));
        assert_eq!(query_value(q, "note").as_deref(), Some("a b c"));
        assert_eq!(query_value(q, "empty"), None);
        assert_eq!(query_value(q, "rotate"), None);
        assert_eq!(query_value("", "tenant"), None);
        assert_eq!(query_value("p%61nels=x", "panels").as_deref(), Some("x"));
        assert_eq!(query_value("a=1&a=2", "a").as_deref(), Some("1"), "the first wins");
    }

    /// Malformed escapes stay as written; multi-byte UTF-8 decodes.
    #[test]
    fn decodes_leniently() {
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("Kec.%20Cipondoh"), "Kec. Cipondoh");
        assert_eq!(decode("%E2%80%93"), "–");
        assert_eq!(decode("%FF"), "\u{fffd}");
    }
}
