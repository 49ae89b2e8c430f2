//! The `dbops` binary as a user runs it: exit codes, output streams and secrets.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// A working directory of its own, so each test gets a fresh default SQLite file.
struct Workdir(PathBuf);

impl Workdir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir()
            .join("dbops-cli-tests")
            .join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("cannot create the test folder");
        Workdir(path)
    }

    fn dbops(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dbops"));
        command
            .args(args)
            .current_dir(&self.0)
            .env_remove("DATABASE_PROVIDER")
            .env_remove("DATABASE_URL")
            .env_remove("RUST_LOG");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    /// Runs `dbops` with `args` and the environment variables `env` set.
    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.dbops(args)
            .envs(env.iter().copied())
            .output()
            .expect("cannot start dbops")
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Returns a loopback port that nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("cannot bind a loopback port");
    listener.local_addr().unwrap().port()
}

#[test]
fn ops_lists_catalog() {
    let workdir = Workdir::new("ops");
    let output = workdir.run(&["ops", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let listed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let urns: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["urn"].as_str().unwrap())
        .collect();
    assert_eq!(urns.len(), 15, "{urns:?}");
    assert!(urns.contains(&"db:users:profile:get_roles:1"));
    assert!(
        listed[0]["description"]
            .as_str()
            .is_some_and(|text| !text.is_empty())
    );
}

#[test]
fn call_prints_json_and_exits_zero() {
    let workdir = Workdir::new("call");
    let output = workdir.run(&[
        "call",
        "db:system:config:upsert_config:1",
        r#"{"key": "Version", "value": "1.0.0"}"#,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        result,
        serde_json::json!({"key": "Version", "value": "1.0.0"})
    );
    assert!(workdir.0.join("dbops.sqlite3").exists());
}

#[test]
fn call_reads_payload_from_stdin() {
    let workdir = Workdir::new("stdin");
    let mut child = workdir
        .dbops(&["call", "db:system:config:get_config:1", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"key": "absent"}"#)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "null");
}

#[test]
fn operation_error_exits_one_with_kind() {
    let workdir = Workdir::new("error");
    let output = workdir.run(&["call", "db:users:profile:get_roles:1", r#"{"guid": "x"}"#]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    assert!(
        stderr(&output).starts_with("error[invalid_payload]: "),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("help: `dbops describe db:users:profile:get_roles:1` lists"),
        "{}",
        stderr(&output)
    );

    let output = workdir.run(&["call", "db:users:profile:get_roles:1"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("missing field `guid`"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("help: `dbops describe"),
        "{}",
        stderr(&output)
    );

    let output = workdir.run(&["call", "db:users:profile:get_rolez:1"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error[unknown_operation]"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("db:users:profile:get_roles:1"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn internal_error_is_printed_once() {
    let workdir = Workdir::new("internal");
    let output = workdir.run_with(
        &[
            "call",
            "db:users:profile:get_roles:1",
            r#"{"guid": "00000000-0000-0000-0000-000000000001"}"#,
        ],
        &[("DATABASE_AUTO_MIGRATE", "false")],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    assert!(stderr.starts_with("error[internal]: "), "{stderr}");
    assert_eq!(stderr.matches("no such table").count(), 1, "{stderr}");
    assert!(stderr.contains("dbops migrate"), "{stderr}");
}

#[test]
fn invalid_json_payload_is_invalid_payload() {
    let workdir = Workdir::new("json");
    let output = workdir.run(&["call", "db:system:config:get_config:1", "{key:"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error[invalid_payload]"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn usage_error_exits_two() {
    let workdir = Workdir::new("usage");
    let output = workdir.run(&["call"]);
    assert_eq!(output.status.code(), Some(2));

    let output = workdir
        .dbops(&["call", "db:system:config:get_configs:1"])
        .env("DATABASE_PROVIDER", "oracle")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`oracle`"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("`sqlite`, `postgres` or `mysql`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn describe_shows_fields() {
    let workdir = Workdir::new("describe");
    let output = workdir.run(&["describe", "db:system:config:upsert_config:1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("key: string (required, at most 1024 characters)"),
        "{text}"
    );
    assert!(
        text.contains("value: string (required, at most 65536 characters)"),
        "{text}"
    );
}

#[test]
fn migrate_reports_applied_then_nothing() {
    let workdir = Workdir::new("migrate");
    let output = workdir.run(&["migrate"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("applied 1 initial"),
        "{}",
        stdout(&output)
    );

    let output = workdir.run(&["migrate"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("no pending migrations"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn migrate_names_unreachable_server() {
    let workdir = Workdir::new("migrate-closed");
    let url = format!("postgres://app:pw@127.0.0.1:{}/test", closed_port());
    let output = workdir.run_with(
        &["migrate"],
        &[
            ("DATABASE_PROVIDER", "postgres"),
            ("DATABASE_URL", &url),
            ("DATABASE_ACQUIRE_TIMEOUT", "1"),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    assert!(stderr.starts_with("error[unavailable]: "), "{stderr}");
    let server = url.replace(":pw@", ":***@");
    assert!(
        stderr.contains(&format!("no connection to {server}")),
        "{stderr}"
    );
}

#[test]
fn invalid_url_names_reason_without_password() {
    let workdir = Workdir::new("invalid-url");
    let output = workdir.run_with(
        &["call", "db:system:config:get_configs:1"],
        &[
            ("DATABASE_PROVIDER", "postgres"),
            (
                "DATABASE_URL",
                "postgres://app:Hunter2Pw@127.0.0.1:99999/app",
            ),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr(&output);
    assert!(stderr.contains("invalid port number"), "{stderr}");
    assert!(
        stderr.contains("postgres://app:***@127.0.0.1:99999/app"),
        "{stderr}"
    );
    assert!(!stderr.contains("Hunter2Pw"), "{stderr}");
}

/// Connects with a password to a closed loopback port, with every log level on,
/// and checks that the password appears in no output.
fn assert_password_hidden(provider: &str, scheme: &str) {
    const PASSWORD: &str = "Hunter2SecretPw";
    let workdir = Workdir::new(&format!("secret-{provider}"));
    let url = format!("{scheme}://app:{PASSWORD}@127.0.0.1:{}/test", closed_port());
    let output = workdir
        .dbops(&["call", "db:system:config:get_config:1", r#"{"key": "k"}"#])
        .env("DATABASE_PROVIDER", provider)
        .env("DATABASE_URL", &url)
        .env("DATABASE_ACQUIRE_TIMEOUT", "1")
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{all}");
    assert!(all.contains("error[unavailable]"), "{all}");
    assert!(!all.contains(PASSWORD), "the password leaked:\n{all}");
}

#[test]
fn postgres_password_never_printed() {
    assert_password_hidden("postgres", "postgres");
}

#[test]
fn mysql_password_never_printed() {
    assert_password_hidden("mysql", "mysql");
}

#[test]
fn processes_share_one_sqlite_file() {
    let workdir = Workdir::new("processes");
    // Applies the migrations once, so the writers below only write.
    assert!(workdir.run(&["migrate"]).status.success());

    let writers: Vec<_> = (0..8)
        .map(|index| {
            let payload = format!(r#"{{"key": "writer-{index}", "value": "{index}"}}"#);
            workdir
                .dbops(&["call", "db:system:config:upsert_config:1", &payload])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for writer in writers {
        let output = writer.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    }

    let output = workdir.run(&["call", "db:system:config:get_configs:1"]);
    let entries: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(entries.as_array().unwrap().len(), 8, "{entries}");
}

#[test]
fn closed_stdout_is_not_an_error() {
    let workdir = Workdir::new("pipe");
    let mut child = workdir
        .dbops(&["ops"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Closes the read end before the listing is written, as `dbops ops | head -0` would.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}
