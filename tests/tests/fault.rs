//! Recovery from a PostgreSQL outage, on a private server that the test starts.
//!
//! The test never touches the shared server: it runs `initdb` into a temporary
//! folder and starts `postgres` on a free loopback port, stops it in the middle
//! of a run of calls and starts it again.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use db_core::{Config, DatabaseModule, ErrorKind, Provider};
use serde_json::json;

/// A PostgreSQL server in a temporary folder, stopped and removed on drop.
struct PrivateServer {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

impl PrivateServer {
    /// Initializes a cluster, or returns why it cannot.
    fn init() -> Result<Self, String> {
        let bin = postgres_bin().ok_or("no PostgreSQL server binaries in /usr/lib/postgresql")?;
        let data = std::env::temp_dir().join(format!("dbops-fault-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).map_err(|error| error.to_string())?;
        let server = PrivateServer {
            bin,
            data,
            port: free_port(),
        };
        if is_root() {
            // initdb and postgres refuse to run as root, so the cluster belongs to `postgres`.
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&server.data))?;
        }
        let data = server.data.display().to_string();
        server.run_tool(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        )?;
        Ok(server)
    }

    fn start(&self) -> Result<(), String> {
        let data = self.data.display().to_string();
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port, data
        );
        let log = format!("{data}/server.log");
        self.run_tool(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        )
    }

    fn stop(&self) -> Result<(), String> {
        let data = self.data.display().to_string();
        self.run_tool("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"])
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn run_tool(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let program = self.bin.join(tool);
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        run(command.args(args))
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = self.stop();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|error| format!("cannot run {command:?}: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|entry| entry.path().join("bin")))
        .filter(|bin| Path::new(bin).join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.starts_with(b"0\n"))
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("cannot bind a loopback port");
    listener.local_addr().unwrap().port()
}

async fn upsert(db: &DatabaseModule, value: usize) -> Result<serde_json::Value, db_core::DbError> {
    db.run_value(
        "db:system:config:upsert_config:1",
        json!({"key": "counter", "value": value.to_string()}),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_is_unavailable_then_recovers() {
    let server = match PrivateServer::init().and_then(|server| server.start().map(|()| server)) {
        Ok(server) => server,
        Err(reason) if std::env::var_os("CI").is_none() => {
            dbops_tests::report_skipped("postgres_outage_is_unavailable_then_recovers", &reason);
            return;
        }
        Err(reason) => panic!("cannot start a private PostgreSQL server: {reason}"),
    };
    let acquire_timeout = Duration::from_secs(2);
    let config = Config::new(Provider::Postgres)
        .url(server.url())
        .max_connections(2)
        .acquire_timeout(acquire_timeout);
    let db = DatabaseModule::connect(config).await.unwrap();

    for value in 0..10 {
        upsert(&db, value).await.unwrap();
    }

    server.stop().unwrap();
    for value in 10..14 {
        let started = Instant::now();
        let error = upsert(&db, value).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Unavailable, "{error}");
        // A bound against a hang, far above the acquire timeout.
        assert!(
            started.elapsed() < acquire_timeout * 5,
            "{:?}",
            started.elapsed()
        );
    }

    server.start().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut recovered = false;
    while Instant::now() < deadline {
        if upsert(&db, 100).await.is_ok() {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        recovered,
        "the module did not recover after the server restarted"
    );
    for value in 101..120 {
        upsert(&db, value).await.unwrap();
    }
    let stored = db
        .run_value("db:system:config:get_config:1", json!({"key": "counter"}))
        .await
        .unwrap();
    assert_eq!(stored["value"], "119");
}
