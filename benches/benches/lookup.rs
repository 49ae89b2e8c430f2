//! Items 3 and 4: URN lookup as the catalog grows, and building the dispatch table.
//!
//! The bench-only crate `dbops-bench-catalog` registers generated operations
//! (10,000 by default) through `#[db_op]` and linkme. Tables of 10, 100, 1,000
//! and 10,000 are built with `db_core::__private::LookupTable`, which uses the
//! map and lookup of `DatabaseModule`'s dispatch table. When
//! `DBOPS_BENCH_CATALOG_OPS` makes the catalog smaller than a size, the rest
//! are synthetic registrations (see `extended`).
//!
//! With `DBOPS_LOOKUP_CALLGRIND=SIZE,KIND,COUNT` (KIND `hot`, `all` or `miss`)
//! the binary instead runs COUNT lookups inside `measured_lookups` and exits,
//! for `valgrind --tool=callgrind --toggle-collect='*measured_lookups*'`.
//!
//! With `DBOPS_LOOKUP_LATENCY=1` it instead prints the machine's memory
//! latency: nanoseconds per dependent read in a random cycle through arrays
//! of 16 KiB to 8 MiB, which bounds what a lookup in a large table can cost.

mod common;

use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput};
use db_core::__private::{
    LookupTable, MYSQL_OPERATIONS, MySql, OperationInfo, POSTGRES_OPERATIONS, Postgres,
    Registration, SQLITE_OPERATIONS, Sqlite, build_dispatch_table, build_dispatch_table_from,
};
use dbops_bench_catalog as catalog;

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

/// Returns the generated registrations, sorted by URN.
fn generated() -> Vec<&'static Registration<Sqlite>> {
    let mut registrations: Vec<_> = SQLITE_OPERATIONS
        .iter()
        .filter(|registration| registration.info.urn.starts_with("db:bench:"))
        .collect();
    registrations.sort_by_key(|registration| registration.info.urn);
    assert_eq!(
        registrations.len(),
        catalog::COUNT,
        "every generated operation is registered"
    );
    registrations
}

/// Extends `generated` to `size` registrations: when the catalog was built
/// with fewer operations (`DBOPS_BENCH_CATALOG_OPS`), the rest are synthetic
/// copies of the first with the URNs the catalog would have generated.
fn extended(
    mut generated: Vec<&'static Registration<Sqlite>>,
    size: usize,
) -> Vec<&'static Registration<Sqlite>> {
    let template = generated[0];
    for index in generated.len()..size {
        let urn: &'static str = catalog::urn(index).leak();
        let info: &'static OperationInfo = Box::leak(Box::new(OperationInfo {
            urn,
            domain: template.info.domain,
            subsystem: template.info.subsystem,
            function: template.info.function,
            version: template.info.version,
            description: template.info.description,
            rust_path: template.info.rust_path,
            file: template.info.file,
            line: template.info.line,
            request: template.info.request,
            response: template.info.response,
            types: template.info.types,
        }));
        generated.push(Box::leak(Box::new(Registration {
            info,
            handler: template.handler,
        })));
    }
    generated
}

/// Returns a registry of `DB` for the operations of `infos`: each generated
/// operation keeps its own handler, and synthetic ones reuse the first's.
fn registry_for<DB: sqlx::Database>(
    infos: &[&'static OperationInfo],
    registry: &'static [Registration<DB>],
) -> &'static [Registration<DB>] {
    let by_urn: std::collections::HashMap<&str, &Registration<DB>> = registry
        .iter()
        .map(|registration| (registration.info.urn, registration))
        .collect();
    let template = by_urn[infos[0].urn];
    Vec::leak(
        infos
            .iter()
            .map(|info| Registration {
                info,
                handler: by_urn.get(info.urn).unwrap_or(&template).handler,
            })
            .collect(),
    )
}

/// Builds a table of the first `size` generated operations.
fn table(all: &[&'static Registration<Sqlite>], size: usize) -> LookupTable<Sqlite> {
    let sample: Vec<Registration<Sqlite>> = all[..size]
        .iter()
        .map(|registration| Registration {
            info: registration.info,
            handler: registration.handler,
        })
        .collect();
    LookupTable::from_slice(Vec::leak(sample)).expect("the generated URNs are distinct")
}

/// Returns the probe URNs of one case as owned strings, as a request carries them.
fn probes(size: usize, kind: &str) -> Vec<String> {
    // A fixed stride visits the entries in an order unrelated to their layout.
    let scattered =
        |count: usize| -> Vec<usize> { (0..count).map(|step| (step * 7_919) % size).collect() };
    match kind {
        // The 10 URNs a service calls most, repeated.
        "hot" => scattered(10).into_iter().map(catalog::urn).collect(),
        // Every URN of the table once, in scattered order.
        "all" => scattered(size).into_iter().map(catalog::urn).collect(),
        // URNs of the same length that are not registered (version 2).
        "miss" => scattered(size.max(10))
            .into_iter()
            .map(|index| catalog::urn(index).replace(":1", ":2"))
            .collect(),
        other => panic!("unknown probe kind `{other}`; use hot, all or miss"),
    }
}

#[inline(never)]
fn measured_lookups(table: &LookupTable<Sqlite>, probes: &[String], count: usize) -> usize {
    let mut found = 0;
    for step in 0..count {
        let urn = black_box(probes[step % probes.len()].as_str());
        found += usize::from(black_box(table.get(urn)).is_some());
    }
    found
}

fn callgrind(spec: &str) {
    let parts: Vec<&str> = spec.split(',').collect();
    let [size, kind, count] = parts[..] else {
        panic!("DBOPS_LOOKUP_CALLGRIND is `{spec}`; expected SIZE,KIND,COUNT");
    };
    let size: usize = size.parse().expect("SIZE is a number");
    let count: usize = count.parse().expect("COUNT is a number");
    let all = extended(generated(), size);
    let table = table(&all, size);
    let probes = probes(size, kind);
    let found = measured_lookups(&table, &probes, count);
    println!("size={size} kind={kind} count={count} found={found}");
}

fn lookup(criterion: &mut Criterion) {
    let all = extended(generated(), SIZES[SIZES.len() - 1]);
    if catalog::COUNT < all.len() {
        eprintln!(
            "the catalog was built with {} operations; larger tables use synthetic registrations \
             (set DBOPS_BENCH_CATALOG_OPS=10000 for all generated)",
            catalog::COUNT
        );
    }
    let mut group = criterion.benchmark_group("lookup");
    group.throughput(Throughput::Elements(1));
    for size in SIZES {
        let table = table(&all, size);
        assert_eq!(table.len(), size);
        for kind in ["hot", "all", "miss"] {
            let probes = probes(size, kind);
            let expected = if kind == "miss" { 0 } else { 64 };
            assert_eq!(measured_lookups(&table, &probes, 64), expected);
            group.bench_with_input(BenchmarkId::new(kind, size), &size, |bencher, _| {
                bencher.iter_custom(|iters| {
                    let started = Instant::now();
                    black_box(measured_lookups(&table, &probes, iters as usize));
                    started.elapsed()
                })
            });
        }
    }
    group.finish();
}

fn startup(criterion: &mut Criterion) {
    let started = Instant::now();
    let count = build_dispatch_table::<Sqlite>().expect("the registry is consistent");
    eprintln!(
        "first build_dispatch_table::<Sqlite>() of {count} operations: {:?}",
        started.elapsed()
    );
    assert_eq!(count, SQLITE_OPERATIONS.len());

    let mut group = criterion.benchmark_group("startup");
    group.bench_function(BenchmarkId::new("build_dispatch_table", count), |bencher| {
        bencher.iter(|| black_box(build_dispatch_table::<Sqlite>().unwrap()))
    });
    let all = extended(generated(), SIZES[SIZES.len() - 1]);
    for size in SIZES {
        // Three registries of `size` operations that share their descriptors,
        // as the linker lays them out for a catalog of that size.
        let infos: Vec<&'static OperationInfo> = all[..size]
            .iter()
            .map(|registration| registration.info)
            .collect();
        let sqlite = registry_for(&infos, &SQLITE_OPERATIONS);
        let postgres = registry_for::<Postgres>(&infos, &POSTGRES_OPERATIONS);
        let mysql = registry_for::<MySql>(&infos, &MYSQL_OPERATIONS);
        assert_eq!(
            build_dispatch_table_from(sqlite, postgres, mysql).unwrap(),
            size
        );
        group.bench_with_input(
            BenchmarkId::new("build_dispatch_table_from", size),
            &size,
            |bencher, _| {
                bencher.iter(|| black_box(build_dispatch_table_from(sqlite, postgres, mysql)))
            },
        );

        let sample: &'static [Registration<Sqlite>] = Vec::leak(
            all[..size]
                .iter()
                .map(|registration| Registration {
                    info: registration.info,
                    handler: registration.handler,
                })
                .collect(),
        );
        group.bench_with_input(
            BenchmarkId::new("lookup_table_from_slice", size),
            &size,
            |bencher, _| bencher.iter(|| black_box(LookupTable::from_slice(sample).unwrap())),
        );
    }
    group.finish();
}

/// Prints the time of one dependent read in a random cycle through arrays of
/// several sizes, one read per 64-byte line.
fn memory_latency() {
    const LINE: usize = 64 / size_of::<usize>();
    for kib in [16, 48, 128, 256, 512, 768, 1_024, 2_048, 8_192] {
        let lines = kib * 1_024 / 64;
        // The lines in a random order (Sattolo shuffle, fixed seed), linked
        // into one cycle.
        let mut order: Vec<usize> = (0..lines).collect();
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for index in (1..lines).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(index, (state % index as u64) as usize);
        }
        let mut next = vec![0usize; lines * LINE];
        for (position, &line) in order.iter().enumerate() {
            next[line * LINE] = order[(position + 1) % lines] * LINE;
        }
        let reads = 20_000_000;
        let started = Instant::now();
        let mut at = 0;
        for _ in 0..reads {
            at = next[at];
        }
        let elapsed = started.elapsed();
        black_box(at);
        println!(
            "{kib:>6} KiB: {:.2} ns per dependent read",
            elapsed.as_nanos() as f64 / f64::from(reads)
        );
    }
}

fn main() {
    if std::env::var_os("DBOPS_LOOKUP_LATENCY").is_some() {
        memory_latency();
        return;
    }
    if let Ok(spec) = std::env::var("DBOPS_LOOKUP_CALLGRIND") {
        callgrind(&spec);
        return;
    }
    let mut criterion = common::criterion();
    lookup(&mut criterion);
    startup(&mut criterion);
    criterion.final_summary();
}
