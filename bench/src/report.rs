//! Medians over rounds, ratios, and the tables the harness prints (Markdown, so a run's
//! output pastes into `BENCHMARKS.md` as it is).

use std::fmt::Write;

use crate::seed::Backend;
use crate::workload::Kind;

/// One round of one server.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The server process's CPU time per request, in microseconds.
    pub cpu_us: f64,
    pub failed: u64,
    /// CPU used meanwhile by other processes than the harness, the server and
    /// PostgreSQL, in percent of one core.
    pub others_pct: f64,
}

/// Every round of one operation on one backend, for both servers.
#[derive(Debug)]
pub struct Cell {
    pub backend: Backend,
    pub kind: Kind,
    pub ferrest: Vec<Sample>,
    pub baseline: Vec<Sample>,
}

/// Peak resident memory of each server process on one backend.
#[derive(Debug)]
pub struct Memory {
    pub backend: Backend,
    pub ferrest_mib: Option<f64>,
    pub baseline_mib: Option<f64>,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The `q` quantile of `values`, interpolated between neighbours.
fn quantile(mut values: Vec<f64>, q: f64) -> f64 {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let at = q * (values.len() - 1) as f64;
    let (low, high) = (at.floor() as usize, at.ceil() as usize);
    values[low] + (values[high] - values[low]) * (at - low as f64)
}

/// Each round's ratio ferrest/baseline in requests/s. The two servers of a round ran
/// back to back, so their ratio is what a drift of the machine moves least; the
/// quartiles show how far one round's ratio strays.
fn round_ratios(cell: &Cell) -> Vec<f64> {
    cell.ferrest
        .iter()
        .zip(&cell.baseline)
        .map(|(f, b)| f.requests_per_second / b.requests_per_second)
        .collect()
}

/// The medians over rounds of one server's samples.
#[derive(Debug, Clone, Copy)]
pub struct Medians {
    pub rps: f64,
    pub p50: f64,
    pub p99: f64,
    pub cpu_us: f64,
    pub failed: u64,
}

pub fn medians(samples: &[Sample]) -> Medians {
    Medians {
        rps: median(samples.iter().map(|s| s.requests_per_second).collect()),
        p50: median(samples.iter().map(|s| s.p50_ms).collect()),
        p99: median(samples.iter().map(|s| s.p99_ms).collect()),
        cpu_us: median(samples.iter().map(|s| s.cpu_us).collect()),
        failed: samples.iter().map(|s| s.failed).sum(),
    }
}

/// The results table and the memory table.
pub fn tables(cells: &[Cell], memory: &[Memory]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| backend | operation | ferrest req/s | baseline req/s | ratio req/s | round ratios: median [quartiles] | ferrest p50 ms | baseline p50 ms | ferrest p99 ms | baseline p99 ms | ratio p99 | ferrest CPU µs/req | baseline CPU µs/req |"
    );
    let _ = writeln!(out, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for cell in cells {
        let f = medians(&cell.ferrest);
        let b = medians(&cell.baseline);
        let failed = if f.failed + b.failed > 0 {
            format!(" (failed: ferrest {}, baseline {})", f.failed, b.failed)
        } else {
            String::new()
        };
        let ratios = round_ratios(cell);
        let _ = writeln!(
            out,
            "| {} | {}{failed} | {:.0} | {:.0} | **{:.3}** | {:.3} [{:.3}–{:.3}] | {:.2} | {:.2} | {:.2} | {:.2} | {:.3} | {:.0} | {:.0} |",
            cell.backend.name(),
            cell.kind.name(),
            f.rps,
            b.rps,
            f.rps / b.rps,
            median(ratios.clone()),
            quantile(ratios.clone(), 0.25),
            quantile(ratios, 0.75),
            f.p50,
            b.p50,
            f.p99,
            b.p99,
            f.p99 / b.p99,
            f.cpu_us,
            b.cpu_us,
        );
    }
    let others: Vec<f64> = cells
        .iter()
        .flat_map(|c| c.ferrest.iter().chain(&c.baseline))
        .map(|s| s.others_pct)
        .collect();
    let _ = writeln!(
        out,
        "\nOther processes' CPU during a round (% of one core): median {:.0}, max {:.0}.",
        median(others.clone()),
        others.iter().copied().fold(0.0, f64::max)
    );
    let mut kinds: Vec<Kind> = Vec::new();
    for cell in cells {
        if !kinds.contains(&cell.kind) {
            kinds.push(cell.kind);
        }
    }
    let _ = writeln!(out);
    for kind in kinds {
        let _ = writeln!(out, "- {}: `{}`", kind.name(), kind.describe());
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| backend | ferrest peak RSS MiB | baseline peak RSS MiB |"
    );
    let _ = writeln!(out, "|---|--:|--:|");
    for m in memory {
        let show = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.1}"));
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            m.backend.name(),
            show(m.ferrest_mib),
            show(m.baseline_mib)
        );
    }
    out
}

/// Every round's numbers, for the record.
pub fn rounds(cells: &[Cell]) -> String {
    let mut out = String::new();
    for cell in cells {
        for (server, samples) in [("ferrest", &cell.ferrest), ("baseline", &cell.baseline)] {
            let rps: Vec<String> = samples
                .iter()
                .map(|s| format!("{:.0}", s.requests_per_second))
                .collect();
            let others: Vec<String> = samples
                .iter()
                .map(|s| format!("{:.0}", s.others_pct))
                .collect();
            let _ = writeln!(
                out,
                "{:<8} {:<6} {:<8} req/s by round: {} (other processes' CPU, % of a core: {})",
                cell.backend.name(),
                cell.kind.name(),
                server,
                rps.join(" "),
                others.join(" ")
            );
        }
    }
    out
}

/// The instruction counts of `bench instructions`.
pub fn instructions(counts: &[crate::instructions::Count]) -> String {
    let mut out = String::from(
        "Instructions executed per request in the server process (valgrind's callgrind; 4 connections):\n\n\
         | backend | operation | ferrest | baseline | ratio |\n|---|---|--:|--:|--:|\n",
    );
    for count in counts {
        out += &format!(
            "| {} | {} | {:.1}k | {:.1}k | **{:.3}** |\n",
            count.backend.name(),
            count.kind.name(),
            count.ferrest / 1000.0,
            count.baseline / 1000.0,
            count.ferrest / count.baseline
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{median, quantile};

    #[test]
    fn quantiles_interpolate_between_rounds() {
        let values = vec![4.0, 1.0, 3.0, 2.0];
        assert_eq!(median(values.clone()), 2.5);
        assert_eq!(quantile(values.clone(), 0.25), 1.75);
        assert_eq!(quantile(values.clone(), 0.75), 3.25);
        assert_eq!(quantile(values, 1.0), 4.0);
        assert!(quantile(vec![f64::NAN], 0.5).is_nan());
    }
}
