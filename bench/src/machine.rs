//! What else the machine did during a round. On a shared machine another tenant's
//! build skews a round; the harness cannot prevent it, but it can say so: the CPU
//! time of every process other than the harness, the server under test and
//! PostgreSQL, as a share of one core.

use std::time::Instant;

/// Clock ticks per second of `/proc` times (`getconf CLK_TCK`, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU counters at one moment.
pub struct Snapshot {
    at: Instant,
    busy: u64,
    ours: u64,
}

impl Snapshot {
    /// `server` is the process under test.
    pub fn take(server: u32) -> Snapshot {
        Snapshot {
            at: Instant::now(),
            busy: machine_busy().unwrap_or(0),
            ours: process_ticks(std::process::id()) + process_ticks(server) + postgres_ticks(),
        }
    }

    /// The others' CPU since `self`, in percent of one core.
    pub fn others_since(&self, server: u32) -> f64 {
        let now = Snapshot::take(server);
        let seconds = now.at.duration_since(self.at).as_secs_f64();
        let others = now
            .busy
            .saturating_sub(self.busy)
            .saturating_sub(now.ours.saturating_sub(self.ours));
        others as f64 / TICKS_PER_SECOND / seconds * 100.0
    }
}

/// Busy ticks of all CPUs: the first line of `/proc/stat` without idle and iowait.
fn machine_busy() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal
    Some(
        fields.iter().take(8).sum::<u64>()
            - fields.get(3).copied().unwrap_or(0)
            - fields.get(4).copied().unwrap_or(0),
    )
}

/// User and system ticks of a process and its threads.
pub fn process_ticks(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// Every `postgres` process's ticks: the database works for both servers alike.
fn postgres_ticks() -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "postgres")
        })
        .map(process_ticks)
        .sum()
}
