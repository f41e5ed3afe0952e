//! Stream ids as cursors: Redis stream ids `<ms>-<seq>` parsed so they can be ordered.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A Redis stream id. Orders like Redis does: by milliseconds, then by sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cursor {
    /// Milliseconds part (the appending server's clock).
    pub ms: u64,
    /// Sequence within the millisecond.
    pub seq: u64,
}

impl Cursor {
    /// The cursor before every entry (`0-0`), used for an empty stream.
    pub const ZERO: Cursor = Cursor { ms: 0, seq: 0 };
}

/// A string that is not `<u64>-<u64>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidCursor(pub String);

impl fmt::Display for InvalidCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid stream id {:?}", self.0)
    }
}

impl std::error::Error for InvalidCursor {}

impl FromStr for Cursor {
    type Err = InvalidCursor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidCursor(s.to_owned());
        let (ms, seq) = s.split_once('-').ok_or_else(bad)?;
        Ok(Cursor {
            ms: ms.parse().map_err(|_| bad())?,
            seq: seq.parse().map_err(|_| bad())?,
        })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

impl Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cursors order numerically, not lexically (`9-0` < `10-0`), and round-trip as text.
    #[test]
    fn orders_numerically_and_round_trips() {
        let a: Cursor = "9-5".parse().unwrap();
        let b: Cursor = "10-0".parse().unwrap();
        assert!(a < b);
        assert!("10-0".parse::<Cursor>().unwrap() < "10-1".parse().unwrap());
        assert_eq!(b.to_string(), "10-0");
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"9-5\"");
        assert_eq!(serde_json::from_str::<Cursor>("\"9-5\"").unwrap(), a);
    }

    /// Anything but `<u64>-<u64>` is refused.
    #[test]
    fn rejects_garbage() {
        for s in ["", "5", "a-1", "1-", "-1", "1-2-3", "$"] {
            assert!(s.parse::<Cursor>().is_err(), "{s}");
        }
    }
}
