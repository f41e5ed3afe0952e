//! Who is connected: open connections counted in total and per remote address, and the
//! admission rule (pure: no I/O). A [`Slot`] is one admitted connection; dropping it frees
//! its place.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// The connection limits; 0 means "no limit".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once, from everyone.
    pub total: usize,
    /// Connections open at once from one remote address.
    pub per_addr: usize,
    /// Whether `per_addr` applies to loopback clients too (off: a reverse proxy on the same
    /// host connects from loopback for everyone).
    pub limit_loopback: bool,
}

/// Why a connection was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The server holds `Limits::total` connections.
    Total,
    /// The client's address holds `Limits::per_addr` connections.
    PerAddr,
}

impl Refusal {
    /// The metric label and log word.
    pub fn label(self) -> &'static str {
        match self {
            Refusal::Total => "total",
            Refusal::PerAddr => "per_addr",
        }
    }
}

/// The open connections.
#[derive(Debug)]
pub struct Table {
    limits: Limits,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_addr: HashMap<IpAddr, usize>,
}

/// One admitted connection's place in the [`Table`], given back when dropped.
#[derive(Debug)]
pub struct Slot {
    table: Arc<Table>,
    addr: IpAddr,
}

impl Table {
    pub fn new(limits: Limits) -> Arc<Table> {
        Arc::new(Table {
            limits,
            counts: Mutex::new(Counts::default()),
        })
    }

    /// Admit a connection from `addr`, or say why not.
    pub fn admit(self: &Arc<Self>, addr: IpAddr) -> Result<Slot, Refusal> {
        let addr = addr.to_canonical(); // an IPv4 client on a dual-stack socket is itself
        let limits = self.limits;
        let mut counts = self.counts.lock().expect("the table's lock is never poisoned");
        if limits.total > 0 && counts.total >= limits.total {
            return Err(Refusal::Total);
        }
        let limited = limits.per_addr > 0 && (limits.limit_loopback || !addr.is_loopback());
        let mine = counts.by_addr.get(&addr).copied().unwrap_or(0);
        if limited && mine >= limits.per_addr {
            return Err(Refusal::PerAddr);
        }
        counts.total += 1;
        counts.by_addr.insert(addr, mine + 1);
        Ok(Slot {
            table: self.clone(),
            addr,
        })
    }

    /// Connections open now: (total, from `addr`).
    pub fn open(&self, addr: IpAddr) -> (usize, usize) {
        let counts = self.counts.lock().expect("the table's lock is never poisoned");
        let mine = counts.by_addr.get(&addr.to_canonical()).copied().unwrap_or(0);
        (counts.total, mine)
    }

    fn release(&self, addr: IpAddr) {
        let mut counts = self.counts.lock().expect("the table's lock is never poisoned");
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.by_addr.get_mut(&addr) {
            *n -= 1;
            if *n == 0 {
                counts.by_addr.remove(&addr);
            }
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.table.release(self.addr);
    }
}

/// The automatic total limit for an open-file limit of `nofile`: keep an eighth (between
/// 64 and 256 files) for Redis connections, files and refusals in progress.
pub fn auto_total(nofile: u64) -> usize {
    let reserve = (nofile / 8).clamp(64, 256);
    nofile.saturating_sub(reserve).max(16) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn per_address_limit_refuses_the_next_and_frees_on_drop() {
        let table = Table::new(Limits {
            total: 10,
            per_addr: 2,
            limit_loopback: false,
        });
        let a = table.admit(ip("10.0.0.1")).unwrap();
        let _b = table.admit(ip("10.0.0.1")).unwrap();
        assert_eq!(table.admit(ip("10.0.0.1")).unwrap_err(), Refusal::PerAddr);
        assert!(table.admit(ip("10.0.0.2")).is_ok(), "another address is not affected");
        drop(a);
        let _c = table.admit(ip("10.0.0.1")).unwrap();
        assert_eq!(
            table.open(ip("10.0.0.1")),
            (2, 2),
            "the other address's slot was dropped"
        );
    }

    #[test]
    fn total_limit_refuses_everyone() {
        let table = Table::new(Limits {
            total: 2,
            per_addr: 0,
            limit_loopback: true,
        });
        let _a = table.admit(ip("10.0.0.1")).unwrap();
        let b = table.admit(ip("10.0.0.2")).unwrap();
        assert_eq!(table.admit(ip("10.0.0.3")).unwrap_err(), Refusal::Total);
        drop(b);
        assert!(table.admit(ip("10.0.0.3")).is_ok());
    }

    #[test]
    fn loopback_is_exempt_from_the_per_address_limit_unless_asked() {
        let open = Table::new(Limits {
            total: 0,
            per_addr: 1,
            limit_loopback: false,
        });
        let _held: Vec<_> = (0..5).map(|_| open.admit(ip("127.0.0.1")).unwrap()).collect();
        let strict = Table::new(Limits {
            total: 0,
            per_addr: 1,
            limit_loopback: true,
        });
        let _one = strict.admit(ip("127.0.0.1")).unwrap();
        assert_eq!(strict.admit(ip("127.0.0.1")).unwrap_err(), Refusal::PerAddr);
    }

    #[test]
    fn mapped_ipv4_counts_as_the_same_address() {
        let table = Table::new(Limits {
            total: 0,
            per_addr: 1,
            limit_loopback: false,
        });
        let _a = table.admit(ip("10.0.0.1")).unwrap();
        assert_eq!(table.admit(ip("::ffff:10.0.0.1")).unwrap_err(), Refusal::PerAddr);
    }

    #[test]
    fn the_automatic_total_keeps_a_reserve() {
        assert_eq!(auto_total(1024), 896);
        assert_eq!(auto_total(20_000), 19_744);
        assert_eq!(auto_total(256), 192);
    }
}
