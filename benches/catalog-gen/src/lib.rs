//! A generated catalog of minimal operations, linked only into the lookup and
//! start-up benchmarks.
//!
//! `build.rs` writes `DBOPS_BENCH_CATALOG_OPS` (default 1,000) operations
//! through the real `#[db_op]` macro. Each registers one handler per provider
//! in the linkme registries, exactly as the operations of `db-ops` do.
//! Operation `i` has the URN `db:bench:sNNN:op_IIIII:1` with `NNN = i / 100`.

/// The generated operations, 100 per subsystem module.
pub mod bench {
    include!(concat!(env!("OUT_DIR"), "/catalog.rs"));
}

/// Returns the URN of generated operation `index`.
pub fn urn(index: usize) -> String {
    format!("db:bench:s{:03}:op_{index:05}:1", index / 100)
}
