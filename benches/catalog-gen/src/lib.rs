//! A generated catalog of minimal operations, linked only into the lookup and
//! start-up benchmarks.
//!
//! `generate.rs` writes `DBOPS_BENCH_CATALOG_OPS` (default 10,000) operations
//! through the real `#[db_op]` macro, split evenly over five packages,
//! `part0` to `part4`. rustc needs about 2 MB of memory per operation in one
//! crate, so a single crate of 10,000 does not build on a 24 GiB machine.
//!
//! Each operation registers one handler per provider in the linkme
//! registries, exactly as the operations of `db-ops` do. Operation `i` has
//! the URN `db:bench:sNNN:op_IIIII:1` with `NNN = i / 100`.

use dbops_bench_catalog_part0 as part0;
use dbops_bench_catalog_part1 as part1;
use dbops_bench_catalog_part2 as part2;
use dbops_bench_catalog_part3 as part3;
use dbops_bench_catalog_part4 as part4;

/// The number of generated operations, in all parts.
pub const COUNT: usize = part0::bench::COUNT
    + part1::bench::COUNT
    + part2::bench::COUNT
    + part3::bench::COUNT
    + part4::bench::COUNT;

/// Returns the URN of generated operation `index`.
pub fn urn(index: usize) -> String {
    format!("db:bench:s{:03}:op_{index:05}:1", index / 100)
}
