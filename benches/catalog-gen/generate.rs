//! The build script of every catalog part: writes this part's share of
//! `DBOPS_BENCH_CATALOG_OPS` (default 10,000) minimal `#[db_op]` modules into
//! `OUT_DIR/catalog.rs`, 100 per subsystem module.
//!
//! Part `k` (the digit that ends the package name) generates operations
//! `k * total / PARTS` up to `(k + 1) * total / PARTS`. Operation `i` is
//! `db:bench:sNNN:op_IIIII:1` in module `bench::sNNN::op_IIIII`, where
//! `NNN = i / 100`. Every URN has the same length, so lookups in catalogs of
//! different sizes hash the same bytes.

use std::fmt::Write as _;
use std::path::PathBuf;

const DEFAULT_OPS: usize = 10_000;
const PER_SUBSYSTEM: usize = 100;
/// The number of part packages, `part0` to `part4`.
const PARTS: usize = 5;

fn main() {
    println!("cargo::rerun-if-changed=../generate.rs");
    println!("cargo::rerun-if-env-changed=DBOPS_BENCH_CATALOG_OPS");
    let total = match std::env::var("DBOPS_BENCH_CATALOG_OPS") {
        Ok(value) => value
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|count| (1..=99_999).contains(count))
            .unwrap_or_else(|| {
                panic!("DBOPS_BENCH_CATALOG_OPS is `{value}`; expected an integer from 1 to 99999")
            }),
        Err(_) => DEFAULT_OPS,
    };
    let package = std::env::var("CARGO_PKG_NAME").expect("cargo sets CARGO_PKG_NAME");
    let part = package
        .strip_prefix("dbops-bench-catalog-part")
        .and_then(|digit| digit.parse::<usize>().ok())
        .filter(|part| *part < PARTS)
        .unwrap_or_else(|| panic!("`{package}` is not a catalog part package"));
    let (start, end) = (part * total / PARTS, (part + 1) * total / PARTS);

    let mut code = String::with_capacity((end - start) * 900);
    writeln!(code, "/// The number of operations in this part.").unwrap();
    writeln!(code, "pub const COUNT: usize = {};", end - start).unwrap();
    let mut first = start;
    while first < end {
        let subsystem = first / PER_SUBSYSTEM;
        let last = end.min((subsystem + 1) * PER_SUBSYSTEM);
        writeln!(code, "/// Generated subsystem {subsystem}.").unwrap();
        writeln!(code, "pub mod s{subsystem:03} {{").unwrap();
        writeln!(code, "use db_core::prelude::*;").unwrap();
        for index in first..last {
            write!(
                code,
                r#"/// Generated operation {index}.
#[db_op("db:bench:s{subsystem:03}:op_{index:05}:1")]
pub mod op_{index:05} {{
use super::*;
pub struct Request {{}}
pub struct Response {{ pub n: i64 }}
async fn sqlite(_conn: &mut SqliteConnection, _request: Request) -> Result<Response, DbError> {{ Ok(Response {{ n: {index} }}) }}
async fn postgres(_conn: &mut PgConnection, _request: Request) -> Result<Response, DbError> {{ Ok(Response {{ n: {index} }}) }}
async fn mysql(_conn: &mut MySqlConnection, _request: Request) -> Result<Response, DbError> {{ Ok(Response {{ n: {index} }}) }}
}}
"#
            )
            .unwrap();
        }
        writeln!(code, "}}").unwrap();
        first = last;
    }

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("catalog.rs"), code).expect("cannot write catalog.rs");
}
