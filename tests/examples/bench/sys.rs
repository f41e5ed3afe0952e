//! What the kernel says about a process and the machine: CPU time and RSS from `/proc`,
//! kernel TCP memory from `/proc/net/sockstat`, and the open-file limit.

/// Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`; 100 on Linux).
const CLK_TCK: f64 = 100.0;

/// CPU time (user + system) the process has used so far, seconds.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / CLK_TCK
}

/// Resident set size of the process, bytes.
pub fn rss_bytes(pid: u32) -> u64 {
    status_bytes(pid, "VmRSS:")
}

/// The highest resident set size the process reached, bytes.
pub fn peak_rss_bytes(pid: u32) -> u64 {
    status_bytes(pid, "VmHWM:")
}

/// A `kB` field of `/proc/<pid>/status` (e.g. `VmRSS:`), bytes.
fn status_bytes(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

/// Memory the kernel holds for all TCP sockets, bytes (pages of 4 KiB).
pub fn tcp_mem_bytes() -> u64 {
    let sockstat = std::fs::read_to_string("/proc/net/sockstat").unwrap_or_default();
    let Some(tcp) = sockstat.lines().find(|l| l.starts_with("TCP:")) else {
        return 0;
    };
    let fields: Vec<&str> = tcp.split_whitespace().collect();
    fields
        .iter()
        .position(|f| *f == "mem")
        .and_then(|i| fields.get(i + 1))
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(0)
        * 4096
}

/// The soft limit on open files of this process (children inherit it).
pub fn open_files_limit() -> u64 {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1024)
}

/// CPU seconds a process uses between [`CpuMeter::start`] and [`CpuMeter::stop`].
pub struct CpuMeter {
    pid: u32,
    cpu0: f64,
    wall0: std::time::Instant,
}

impl CpuMeter {
    pub fn start(pid: u32) -> CpuMeter {
        CpuMeter {
            pid,
            cpu0: cpu_seconds(pid),
            wall0: std::time::Instant::now(),
        }
    }

    /// (CPU seconds used, wall seconds passed).
    pub fn stop(&self) -> (f64, f64) {
        (cpu_seconds(self.pid) - self.cpu0, self.wall0.elapsed().as_secs_f64())
    }
}
