//! How long the signature set takes to load and to answer: `cargo bench -p telltale-engine
//! --bench signatures`. Prints the median and the fastest of many runs (no assertions: figures
//! for docs/benchmarks.md, not a test).

use std::hint::black_box;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use telltale_engine::Signatures;

/// Median and minimum of `runs` timings of `f`.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort_unstable();
    let median = times.get(runs / 2).copied().unwrap_or_default();
    (median, times.first().copied().unwrap_or_default())
}

fn main() {
    let (median, min) = time(200, || Signatures::builtin().expect("built-in set loads"));
    println!("load built-in set:  median {median:?}, fastest {min:?} (200 runs)");

    let sigs = Signatures::builtin().expect("built-in set loads");
    let mut names: Vec<String> = sigs.rules().flat_map(|r| r.examples.clone()).collect();
    names.extend(
        [
            "notqq.com",
            "www.example.org",
            "a.b.c.d.e.example.net",
            "qq.com.evil.example",
        ]
        .map(String::from),
    );
    let rounds = 200;
    let (median, _) = time(rounds, || {
        names
            .iter()
            .filter(|n| sigs.match_name(n).is_some())
            .count()
    });
    println!(
        "match_name:         {:.0} ns per name (median of {rounds} rounds over {} names)",
        median.as_nanos() as f64 / names.len() as f64,
        names.len()
    );

    let addrs: Vec<IpAddr> = (0u32..4096)
        .map(|i| IpAddr::from((0x2b00_0000u32 | (i << 12)).to_be_bytes()))
        .collect();
    let (median, _) = time(rounds, || {
        addrs
            .iter()
            .filter(|a| sigs.match_addr(**a).is_some())
            .count()
    });
    println!(
        "match_addr:         {:.0} ns per address (median of {rounds} rounds over {} addresses)",
        median.as_nanos() as f64 / addrs.len() as f64,
        addrs.len()
    );
}
