//! Item 5: 1, 4, 16 and 64 concurrent tasks on a pool of 4 against
//! PostgreSQL on loopback, typed `get_roles` against raw sqlx on the same pool.
//!
//! ```text
//! cargo run --release -p dbops-benches --bin concurrency -- [--seconds 1] [--rounds 5] [--levels 1,4,16,64]
//! ```
//!
//! Each level runs `rounds` rounds; a round runs both variants for `seconds`
//! each, one after the other, alternating which goes first. The runtime is
//! tokio's current-thread runtime, as in the criterion benchmarks. The server
//! comes from `DBOPS_BENCH_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); the data lives in the schema
//! `dbops_bench`.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use db_core::{DatabaseModule, Guid, Provider};
use dbops_benches::{POOL_SIZE, config, module, raw, runtime};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Variant {
    Raw,
    Typed,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Raw => "raw sqlx",
            Variant::Typed => "typed",
        }
    }
}

struct Options {
    seconds: f64,
    rounds: usize,
    levels: Vec<usize>,
}

fn options() -> Options {
    let mut options = Options {
        seconds: 1.0,
        rounds: 5,
        levels: vec![1, 4, 16, 64],
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .unwrap_or_else(|| usage(&format!("`{flag}` needs a value")));
        match flag.as_str() {
            "--seconds" => {
                options.seconds = value
                    .parse()
                    .ok()
                    .filter(|seconds: &f64| *seconds > 0.0 && *seconds <= 60.0)
                    .unwrap_or_else(|| usage("--seconds takes a number from 0 to 60"));
            }
            "--rounds" => {
                options.rounds = value
                    .parse()
                    .ok()
                    .filter(|rounds| (1..=50).contains(rounds))
                    .unwrap_or_else(|| usage("--rounds takes an integer from 1 to 50"));
            }
            "--levels" => {
                options.levels = value
                    .split(',')
                    .map(|level| {
                        level
                            .trim()
                            .parse()
                            .ok()
                            .filter(|level| (1..=1024).contains(level))
                            .unwrap_or_else(|| usage("--levels takes integers from 1 to 1024"))
                    })
                    .collect();
            }
            other => usage(&format!("unknown option `{other}`")),
        }
    }
    options
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "error: {problem}\nusage: concurrency [--seconds S] [--rounds R] [--levels 1,4,16,64]"
    );
    std::process::exit(2);
}

/// The calls and latencies of one variant at one level, over every round.
#[derive(Default)]
struct Tally {
    calls: u64,
    elapsed: Duration,
    latencies_ns: Vec<u64>,
    round_rates: Vec<f64>,
}

async fn call(db: &DatabaseModule, guid: Guid, variant: Variant) {
    let roles = match variant {
        Variant::Raw => raw::get_roles(db, guid).await.expect("raw get_roles"),
        Variant::Typed => {
            db_ops::users::profile::get_roles(db, guid)
                .await
                .expect("typed get_roles")
                .roles
        }
    };
    assert_eq!(roles, 5);
}

async fn round(
    db: &DatabaseModule,
    guid: Guid,
    variant: Variant,
    tasks: usize,
    length: Duration,
    tally: &mut Tally,
) {
    let latencies = Rc::new(RefCell::new(Vec::<u64>::with_capacity(1 << 16)));
    let started = Instant::now();
    let deadline = started + length;
    let local = tokio::task::LocalSet::new();
    for _ in 0..tasks {
        let db = db.clone();
        let latencies = Rc::clone(&latencies);
        local.spawn_local(async move {
            while Instant::now() < deadline {
                let begun = Instant::now();
                call(&db, guid, variant).await;
                let took = u64::try_from(begun.elapsed().as_nanos()).unwrap_or(u64::MAX);
                latencies.borrow_mut().push(took);
            }
        });
    }
    local.await;
    let elapsed = started.elapsed();
    let latencies = Rc::try_unwrap(latencies)
        .expect("tasks are done")
        .into_inner();
    let calls = latencies.len() as u64;
    tally.round_rates.push(calls as f64 / elapsed.as_secs_f64());
    tally.calls += calls;
    tally.elapsed += elapsed;
    tally.latencies_ns.extend(latencies);
}

fn percentile(sorted: &[u64], fraction: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index] as f64 / 1_000.0
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let options = options();
    let runtime = runtime();
    let provider = Provider::Postgres;
    let Some((db, seed)) = runtime.block_on(module(provider, config(provider))) else {
        eprintln!("error: PostgreSQL is not reachable; set DBOPS_BENCH_POSTGRES_URL");
        std::process::exit(1);
    };
    let length = Duration::from_secs_f64(options.seconds);
    println!(
        "PostgreSQL, pool of {POOL_SIZE}, current-thread runtime, {} rounds of {:.1} s per variant and level",
        options.rounds, options.seconds
    );
    println!();
    println!(
        "| tasks | variant | ops/s (all rounds) | ops/s per round p10 / median / p90 | p50 µs | p99 µs | throughput ratio | p99 ratio |"
    );
    println!("|---:|---|---:|---|---:|---:|---:|---:|");
    for &tasks in &options.levels {
        let mut raw_tally = Tally::default();
        let mut typed_tally = Tally::default();
        runtime.block_on(async {
            // Warm every pooled connection and its statement cache first.
            round(
                &db,
                seed.guid,
                Variant::Raw,
                tasks.max(POOL_SIZE as usize),
                Duration::from_millis(200),
                &mut Tally::default(),
            )
            .await;
            round(
                &db,
                seed.guid,
                Variant::Typed,
                tasks.max(POOL_SIZE as usize),
                Duration::from_millis(200),
                &mut Tally::default(),
            )
            .await;
            for index in 0..options.rounds {
                let order = if index % 2 == 0 {
                    [Variant::Raw, Variant::Typed]
                } else {
                    [Variant::Typed, Variant::Raw]
                };
                for variant in order {
                    let tally = match variant {
                        Variant::Raw => &mut raw_tally,
                        Variant::Typed => &mut typed_tally,
                    };
                    round(&db, seed.guid, variant, tasks, length, tally).await;
                }
            }
        });
        let mut rows = Vec::new();
        for (variant, tally) in [
            (Variant::Raw, &mut raw_tally),
            (Variant::Typed, &mut typed_tally),
        ] {
            tally.latencies_ns.sort_unstable();
            let rate = tally.calls as f64 / tally.elapsed.as_secs_f64();
            let mut rates = tally.round_rates.clone();
            rates.sort_by(f64::total_cmp);
            let p10 = rates[(rates.len() - 1) / 10];
            let p90 = rates[(rates.len() - 1) * 9 / 10];
            let mid = median(&mut rates);
            rows.push((
                variant,
                rate,
                (p10, mid, p90),
                percentile(&tally.latencies_ns, 0.50),
                percentile(&tally.latencies_ns, 0.99),
            ));
        }
        let (raw_rate, raw_p99) = (rows[0].1, rows[0].4);
        for (variant, rate, (p10, mid, p90), p50, p99) in rows {
            let ratios = if variant == Variant::Typed {
                format!("{:.3}x | {:.3}x", rate / raw_rate, p99 / raw_p99)
            } else {
                "– | –".to_owned()
            };
            println!(
                "| {tasks} | {} | {rate:.0} | {p10:.0} / {mid:.0} / {p90:.0} | {p50:.1} | {p99:.1} | {ratios} |",
                variant.name()
            );
        }
    }
    runtime.block_on(db.close());
}
