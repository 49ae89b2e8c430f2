#!/usr/bin/env bash
# Item 7: the debug build time of a crate with N operations written with
# #[db_op], against the same operations written by hand with sqlx::query_as
# and serde derives, once as plain functions and once with a hand-written
# dynamic dispatch (see generate_handwritten). Two builds are timed: a clean
# build of the crate (its dependencies already built) and an incremental
# rebuild after `touch src/lib.rs`.
#
# usage: benches/scripts/compile_cost.sh [N ...]        (default: 100 1000)
#   REPEAT=3       rounds of rebuilds, in which the three crates take turns
#                  (the median is reported); the clean build is timed once
#   OPT_MACROS=1   build proc macros (ours and serde's alike) with opt-level 3,
#                  through `[profile.dev.build-override]` in both crates
#
# The crates are generated under target/compile-cost/ (each its own
# workspace, sharing one target dir there, so their dependencies build once and
# the workspace's own target dir is not locked). After a first build, the
# script removes the crate's own artifacts (`cargo clean -p`) and times the
# clean build. Then it touches src/lib.rs and times `cargo build` of each
# crate in turn, REPEAT rounds, so a slower minute on a shared machine
# affects the three crates alike.
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

# Writes the operations by hand. With `dispatch`, the crate also has what the
# macro generates beyond the typed call: a URN constant, a description and a
# length check per operation, and a dynamic call. The dynamic call reads the
# request from JSON, picks the operation with one `match` on the URN and
# writes the response as JSON text. Like the registrations, it makes rustc
# compile every handler in this crate.
generate_handwritten() { # dir n plain|dispatch
    local dir=$1 n=$2 kind=$3
    mkdir -p "$dir/src"
    local extra=""
    [ "$kind" = dispatch ] && extra='serde_json = { version = "1", features = ["raw_value"] }'
    manifest "cc_hand_${kind}_$n" "$extra" >"$dir/Cargo.toml"
    python3 - "$dir/src/lib.rs" "$n" "$kind" <<'PY'
import sys
path, n, dispatch = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "dispatch"
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
''')
        if dispatch:
            parts.append(f'''    pub const URN: &str = "db:gen_ops:s{s:03}:op_{i:05}:1";
    pub const DESCRIPTION: &str = "Reads configuration entry {i}.";
    impl Request {{
        pub fn validate(&self) -> Result<(), crate::Error> {{
            crate::check_text("key", &self.key, 1024)
        }}
    }}
    /// The dynamic call: JSON request in, JSON text out.
    pub async fn run(db: &crate::Db, payload: serde_json::Value) -> Result<Box<serde_json::value::RawValue>, crate::Error> {{
        let request: Request = serde_json::from_value(payload)?;
        request.validate()?;
        let response = call(db, request).await?;
        Ok(serde_json::value::to_raw_value(&response)?)
    }}
''')
        parts.append("}\n")
    parts.append("}\n")
parts.append("}\n")
if dispatch:
    paths = [f"gen_ops::s{i // 100:03}::op_{i:05}" for i in range(n)]
    parts.append('''
/// Any failure of a call.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Rejects text longer than `max_chars` characters.
pub fn check_text(field: &str, value: &str, max_chars: usize) -> Result<(), Error> {
    if value.chars().count() > max_chars {
        return Err(format!("`{field}` is longer than {max_chars} characters").into());
    }
    Ok(())
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Every operation's URN and description.
pub static CATALOG: &[(&str, &str)] = &[
''')
    parts.extend(f"    ({p}::URN, {p}::DESCRIPTION),\n" for p in paths)
    parts.append('''];

/// Runs the operation that `urn` names, or returns `None` for an unknown URN.
pub fn run<'a>(db: &'a Db, urn: &str, payload: serde_json::Value)
    -> Option<BoxFuture<'a, Result<Box<serde_json::value::RawValue>, Error>>> {
    Some(match urn {
''')
    parts.extend(f"        {p}::URN => Box::pin({p}::run(db, payload)),\n" for p in paths)
    parts.append("        _ => return None,\n    })\n}\n")
open(path, "w").write("".join(parts))
PY
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

timed_build() { # dir: prints the seconds `cargo build` takes
    local started ended
    started=$(date +%s.%N)
    (cd "$1" && cargo build -q)
    ended=$(date +%s.%N)
    echo "$ended - $started" | bc -l
}

clean_build() { # dir: prints the seconds of a clean build of the crate
    local dir=$1
    (cd "$dir" && cp -n "$root/Cargo.lock" Cargo.lock 2>/dev/null || true)
    (cd "$dir" && cargo build -q 2>&1 | tail -20 >&2)
    (cd "$dir" && cargo clean -q -p "$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml)")
    timed_build "$dir"
    # One untimed rebuild, so every timed rebuild starts from the same state.
    touch "$dir/src/lib.rs"
    timed_build "$dir" >/dev/null
}

rebuilds() { # dir...: prints each crate's median rebuild, the crates taking turns
    local dir round times=()
    for dir in "$@"; do times+=(""); done
    for round in $(seq 1 "$repeat"); do
        local index=0
        for dir in "$@"; do
            touch "$dir/src/lib.rs"
            local seconds
            seconds=$(timed_build "$dir")
            echo "round $round: $(basename "$dir") rebuilt in $seconds s" >&2
            times[index]+="$seconds "
            index=$((index + 1))
        done
    done
    for index in "${!times[@]}"; do
        printf '%s\n' ${times[index]} | median
    done
}

row() { # n build #[db_op]-s by-hand-s dispatch-s
    printf '| %d | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2fx | %.2fx |\n' "$1" "$2" "$3" "$4" "$5" \
        "$(echo "$3 * 100 / $1" | bc -l)" "$(echo "$4 * 100 / $1" | bc -l)" \
        "$(echo "$3 / $4" | bc -l)" "$(echo "$3 / $5" | bc -l)"
}

echo "| operations | build | #[db_op] s | by hand s | by hand with dispatch s | #[db_op] s per 100 ops | by hand s per 100 ops | ratio to by hand | ratio to by hand with dispatch |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    generate_dbops "$out/dbops_$n" "$n"
    generate_handwritten "$out/handwritten_$n" "$n" plain
    generate_handwritten "$out/handdispatch_$n" "$n" dispatch
    macro_clean=$(clean_build "$out/dbops_$n")
    hand_clean=$(clean_build "$out/handwritten_$n")
    dispatch_clean=$(clean_build "$out/handdispatch_$n")
    { read -r macro; read -r hand; read -r dispatch; } < <(
        rebuilds "$out/dbops_$n" "$out/handwritten_$n" "$out/handdispatch_$n")
    row "$n" clean "$macro_clean" "$hand_clean" "$dispatch_clean"
    row "$n" "rebuild (median of $repeat)" "$macro" "$hand" "$dispatch"
done
