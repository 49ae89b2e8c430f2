//! Criterion helpers shared by the benchmarks.
//!
//! [`pair`] measures two variants interleaved: while criterion times a batch
//! of variant A, the same number of untimed calls of variant B run right
//! after it, and the reverse for B. Both variants see the same cache, pool and
//! server state, and a drift of the machine during the run hits both alike.

#![allow(dead_code)]

use std::future::Future;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion};
use tokio::runtime::Runtime;

/// Calls timed back to back before the other variant runs the same number.
const CHUNK: u64 = 8;

/// Criterion settings of every benchmark: 60 samples, 1 s warm-up, 4 s measurement.
pub fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(60)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .noise_threshold(0.02)
        .configure_from_args()
}

async fn run_interleaved<TF, TFut, UF, UFut>(iters: u64, timed: &TF, untimed: &UF) -> Duration
where
    TF: Fn() -> TFut,
    TFut: Future<Output = ()>,
    UF: Fn() -> UFut,
    UFut: Future<Output = ()>,
{
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        let count = CHUNK.min(iters - done);
        let started = Instant::now();
        for _ in 0..count {
            timed().await;
        }
        total += started.elapsed();
        for _ in 0..count {
            untimed().await;
        }
        done += count;
    }
    total
}

/// Benchmarks `a` as `{name_a}/{case}` and `b` as `{name_b}/{case}`, interleaved.
#[allow(clippy::too_many_arguments)]
pub fn pair<AF, AFut, BF, BFut>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    runtime: &Runtime,
    case: &str,
    name_a: &str,
    a: AF,
    name_b: &str,
    b: BF,
) where
    AF: Fn() -> AFut,
    AFut: Future<Output = ()>,
    BF: Fn() -> BFut,
    BFut: Future<Output = ()>,
{
    // One call of each first, so a failing variant stops the run with its error.
    runtime.block_on(async {
        a().await;
        b().await;
    });
    group.bench_function(BenchmarkId::new(name_a, case), |bencher| {
        bencher.iter_custom(|iters| runtime.block_on(run_interleaved(iters, &a, &b)))
    });
    group.bench_function(BenchmarkId::new(name_b, case), |bencher| {
        bencher.iter_custom(|iters| runtime.block_on(run_interleaved(iters, &b, &a)))
    });
}
