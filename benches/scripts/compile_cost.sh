#!/usr/bin/env bash
# Item 7: the incremental debug rebuild time of a crate with N operations
# written with #[db_op], against the same operations written by hand with
# sqlx::query_as and serde derives.
#
# usage: benches/scripts/compile_cost.sh [N ...]        (default: 100 1000)
#   REPEAT=3       timed rebuilds per crate (the median is reported)
#   OPT_MACROS=1   build proc macros (ours and serde's alike) with opt-level 3,
#                  through `[profile.dev.build-override]` in both crates
#
# The crates are generated under target/compile-cost/ (each its own
# workspace, sharing one target dir there, so their dependencies build once and
# the workspace's own target dir is not locked). After a first full build, the
# script touches src/lib.rs and times `cargo build` REPEAT times.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/target/compile-cost"
repeat=${REPEAT:-3}
opt_macros=${OPT_MACROS:-0}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000)
mkdir -p "$out"
if [ "$opt_macros" = 1 ]; then
    export CARGO_TARGET_DIR="$out/target-opt-macros"
else
    export CARGO_TARGET_DIR="$out/target"
fi

manifest() { # name extra-dependency
    cat <<TOML
[package]
name = "$1"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
$2
serde = { version = "1", features = ["derive"] }
sqlx = { version = "0.9.1", default-features = false, features = ["runtime-tokio", "sqlite", "postgres", "mysql", "uuid", "chrono", "migrate", "macros"] }

[workspace]
TOML
    if [ "$opt_macros" = 1 ]; then
        printf '\n[profile.dev.build-override]\nopt-level = 3\n'
    fi
}

generate_dbops() { # dir n
    local dir=$1 n=$2
    mkdir -p "$dir/src"
    manifest "cc_dbops_$n" "db-core = { path = \"$root/db-core\" }" >"$dir/Cargo.toml"
    python3 - "$dir/src/lib.rs" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
parts = ["//! Generated: operations written with #[db_op].\n#![allow(missing_docs)]\npub mod gen_ops {\n"]
for first in range(0, n, 100):
    s = first // 100
    parts.append(f"pub mod s{s:03} {{\nuse db_core::prelude::*;\n")
    for i in range(first, min(n, first + 100)):
        parts.append(f'''/// Reads configuration entry {i}.
#[db_op("db:gen_ops:s{s:03}:op_{i:05}:1")]
pub mod op_{i:05} {{
    use super::*;
    pub struct Request {{
        #[db(max_chars = 1024)]
        pub key: String,
    }}
    pub type Response = Option<Entry>;
    pub struct Entry {{
        pub key: String,
        pub value: String,
    }}
    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {{
        let row: Option<(String, String)> = sqlx::query_as("SELECT config_key, config_value FROM system_config WHERE config_key = ? AND {i} >= 0")
            .bind(request.key).fetch_optional(conn).await?;
        Ok(row.map(|(key, value)| Entry {{ key, value }}))
    }}
    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {{
        let row: Option<(String, String)> = sqlx::query_as("SELECT config_key, config_value FROM system_config WHERE config_key = $1 AND {i} >= 0")
            .bind(request.key).fetch_optional(conn).await?;
        Ok(row.map(|(key, value)| Entry {{ key, value }}))
    }}
    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {{
        let row: Option<(String, String)> = sqlx::query_as("SELECT config_key, config_value FROM system_config WHERE config_key = ? AND {i} >= 0")
            .bind(request.key).fetch_optional(conn).await?;
        Ok(row.map(|(key, value)| Entry {{ key, value }}))
    }}
}}
''')
    parts.append("}\n")
parts.append("}\n")
open(path, "w").write("".join(parts))
PY
}

generate_handwritten() { # dir n
    local dir=$1 n=$2
    mkdir -p "$dir/src"
    manifest "cc_handwritten_$n" "" >"$dir/Cargo.toml"
    python3 - "$dir/src/lib.rs" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
parts = ['''//! Generated: the same operations written by hand with sqlx::query_as and serde.
use sqlx::{MySqlPool, PgPool, SqlitePool};

/// The pool of the selected provider.
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
    MySql(MySqlPool),
}

pub mod gen_ops {
''']
for first in range(0, n, 100):
    s = first // 100
    parts.append(f"pub mod s{s:03} {{\n")
    for i in range(first, min(n, first + 100)):
        parts.append(f'''/// Reads configuration entry {i}.
pub mod op_{i:05} {{
    use serde::{{Deserialize, Serialize}};
    use sqlx::{{MySqlConnection, PgConnection, SqliteConnection}};
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Request {{
        pub key: String,
    }}
    pub type Response = Option<Entry>;
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Entry {{
        pub key: String,
        pub value: String,
    }}
    pub async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, sqlx::Error> {{
        let row: Option<(String, String)> = sqlx::query_as("SELECT config_key, config_value FROM system_config WHERE config_key = ? AND {i} >= 0")
            .bind(request.key).fetch_optional(conn).await?;
        Ok(row.map(|(key, value)| Entry {{ key, value }}))
    }}
    pub async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, sqlx::Error> {{
        let row: Option<(String, String)> = sqlx::query_as("SELECT config_key, config_value FROM system_config WHERE config_key = $1 AND {i} >= 0")
            .bind(request.key).fetch_optional(conn).await?;
        Ok(row.map(|(key, value)| Entry {{ key, value }}))
    }}
    pub async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, sqlx::Error> {{
        let row: Option<(String, String)> = sqlx::query_as("SELECT config_key, config_value FROM system_config WHERE config_key = ? AND {i} >= 0")
            .bind(request.key).fetch_optional(conn).await?;
        Ok(row.map(|(key, value)| Entry {{ key, value }}))
    }}
    /// The client function: runs the request on the selected provider.
    pub async fn call(db: &crate::Db, request: Request) -> Result<Response, sqlx::Error> {{
        match db {{
            crate::Db::Sqlite(pool) => sqlite(&mut *pool.acquire().await?, request).await,
            crate::Db::Postgres(pool) => postgres(&mut *pool.acquire().await?, request).await,
            crate::Db::MySql(pool) => mysql(&mut *pool.acquire().await?, request).await,
        }}
    }}
}}
''')
    parts.append("}\n")
parts.append("}\n")
open(path, "w").write("".join(parts))
PY
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

time_rebuilds() { # dir
    local dir=$1 times=()
    (cd "$dir" && cp -n "$root/Cargo.lock" Cargo.lock 2>/dev/null || true)
    (cd "$dir" && cargo build -q 2>&1 | tail -20)
    for _ in $(seq 1 "$repeat"); do
        touch "$dir/src/lib.rs"
        local started ended
        started=$(date +%s.%N)
        (cd "$dir" && cargo build -q)
        ended=$(date +%s.%N)
        times+=("$(echo "$ended - $started" | bc -l)")
    done
    printf '%s\n' "${times[@]}" | median
}

echo "| operations | #[db_op] s (median of $repeat) | by hand s | #[db_op] s per 100 ops | by hand s per 100 ops | ratio |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    generate_dbops "$out/dbops_$n" "$n"
    generate_handwritten "$out/handwritten_$n" "$n"
    macro=$(time_rebuilds "$out/dbops_$n")
    hand=$(time_rebuilds "$out/handwritten_$n")
    printf '| %d | %.2f | %.2f | %.2f | %.2f | %.2fx |\n' "$n" "$macro" "$hand" \
        "$(echo "$macro * 100 / $n" | bc -l)" "$(echo "$hand * 100 / $n" | bc -l)" \
        "$(echo "$macro / $hand" | bc -l)"
done
