//! `dbops`: list the operation catalog, apply migrations and call any operation.
//!
//! The database comes from `DATABASE_PROVIDER` and `DATABASE_URL`; without them
//! the tool uses the SQLite file `dbops.sqlite3` in the working directory.

#![forbid(unsafe_code)]

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use db_core::{DatabaseModule, DbError, OperationInfo};
use serde_json::{Value, json};

// The catalog's registrations are linked only when the crate is referenced.
use db_ops as _;

/// Exit status of a failed operation.
const EXIT_OPERATION_ERROR: u8 = 1;
/// Exit status of a usage or configuration error.
const EXIT_USAGE_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "dbops",
    version,
    about = "List, describe and call the operations of the dbops catalog",
    after_help = "Environment: DATABASE_PROVIDER (sqlite, postgres, mysql; default sqlite), \
                  DATABASE_URL (default: the SQLite file dbops.sqlite3 in the working \
                  directory), DATABASE_MAX_CONNECTIONS, DATABASE_ACQUIRE_TIMEOUT (seconds), \
                  DATABASE_AUTO_MIGRATE (default true), RUST_LOG (log filter, default \
                  `warn,dbops::operation=error`)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List every operation with its description.
    Ops {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show the request and response fields of one operation.
    Describe {
        /// The operation URN, such as db:users:profile:get_roles:1.
        urn: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run one operation and print its result as JSON.
    Call {
        /// The operation URN, such as db:users:profile:get_roles:1.
        urn: String,
        /// The JSON payload, or `-` to read it from standard input.
        #[arg(default_value = "{}")]
        payload: String,
    },
    /// Apply pending migrations and list the ones applied.
    Migrate,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(EXIT_OPERATION_ERROR);
        }
    };
    runtime.block_on(run(cli.command))
}

/// The log filter when `RUST_LOG` is not set. `dbops` prints a failed call's
/// error itself, so the library's warning about the same failure is left out.
const DEFAULT_LOG_FILTER: &str = "warn,dbops::operation=error";

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

async fn run(command: Command) -> ExitCode {
    match command {
        Command::Ops { json } => list_operations(json),
        Command::Describe { urn, json } => describe(&urn, json),
        Command::Call { urn, payload } => call(&urn, &payload).await,
        Command::Migrate => migrate().await,
    }
}

fn list_operations(as_json: bool) -> ExitCode {
    let catalog = db_core::catalog();
    if as_json {
        let entries: Vec<Value> = catalog
            .iter()
            .map(|info| {
                json!({
                    "urn": info.urn,
                    "description": info.summary(),
                })
            })
            .collect();
        print_json(&Value::Array(entries));
    } else {
        let width = catalog.iter().map(|info| info.urn.len()).max().unwrap_or(0);
        for info in &catalog {
            write_stdout(&format!("{:width$}  {}\n", info.urn, info.summary()));
        }
    }
    ExitCode::SUCCESS
}

fn describe(urn: &str, as_json: bool) -> ExitCode {
    let Some(info) = db_core::find_operation(urn) else {
        let known: Vec<&str> = db_core::catalog().iter().map(|info| info.urn).collect();
        let error = db_core::lookup_error(urn, &known);
        return report(&error, EXIT_OPERATION_ERROR);
    };
    if as_json {
        print_json(&describe_json(info));
    } else {
        write_stdout(&describe_text(info));
    }
    ExitCode::SUCCESS
}

fn describe_json(info: &OperationInfo) -> Value {
    let fields = |fields: &[db_core::FieldInfo]| -> Vec<Value> {
        fields
            .iter()
            .map(|field| {
                json!({
                    "name": field.name,
                    "type": wire_type(field.rust_type),
                    "rust_type": field.rust_type,
                    "required": !field.rust_type.starts_with("Option<"),
                    "max_chars": field.max_chars,
                })
            })
            .collect()
    };
    let types: Vec<Value> = info
        .types
        .iter()
        .filter(|structure| structure.name != "Request")
        .map(|structure| json!({"name": structure.name, "fields": fields(structure.fields)}))
        .collect();
    json!({
        "urn": info.urn,
        "description": info.description,
        "request": fields(info.request),
        "response": wire_type(info.response),
        "types": types,
        "defined_at": info.location(),
    })
}

fn describe_text(info: &OperationInfo) -> String {
    let mut text = format!("{}\n\n{}\n\nRequest fields:\n", info.urn, info.description);
    if info.request.is_empty() {
        text.push_str("  (none; send {} or null)\n");
    }
    for field in info.request {
        let requirement = if field.rust_type.starts_with("Option<") {
            "optional"
        } else {
            "required"
        };
        let limit = field
            .max_chars
            .map(|max| format!(", at most {max} characters"))
            .unwrap_or_default();
        text.push_str(&format!(
            "  {}: {} ({requirement}{limit})\n",
            field.name,
            wire_type(field.rust_type)
        ));
    }
    let structs = info
        .types
        .iter()
        .filter(|structure| structure.name != "Request");
    if info.response == "Response" {
        text.push_str("\nResponse fields:\n");
    } else {
        text.push_str(&format!("\nResponse: {}\n", wire_type(info.response)));
    }
    for structure in structs {
        if structure.name != "Response" {
            text.push_str(&format!("\n{} fields:\n", structure.name));
        }
        for field in structure.fields {
            let line = format!("  {}: {}\n", field.name, wire_type(field.rust_type));
            text.push_str(&line);
        }
    }
    text.push_str(&format!("\nDefined at {}\n", info.location()));
    text
}

/// Names a Rust field type by its JSON form, as `string or null` for `Option<String>`.
fn wire_type(rust_type: &str) -> String {
    if let Some(inner) = generic_argument(rust_type, "Option") {
        return format!("{} or null", wire_type(inner));
    }
    if let Some(inner) = generic_argument(rust_type, "Vec") {
        return format!("list of {}", wire_type(inner));
    }
    match rust_type {
        "String" => "string".to_owned(),
        "Secret" => "string (secret)".to_owned(),
        "Guid" => "UUID string".to_owned(),
        "Timestamp" => "RFC 3339 timestamp string".to_owned(),
        "bool" => "boolean".to_owned(),
        "i64" => "integer (signed 64-bit)".to_owned(),
        "i32" => "integer (signed 32-bit)".to_owned(),
        other => other.to_owned(),
    }
}

fn generic_argument<'a>(rust_type: &'a str, wrapper: &str) -> Option<&'a str> {
    rust_type
        .strip_prefix(wrapper)?
        .strip_prefix('<')?
        .strip_suffix('>')
}

async fn call(urn: &str, payload_argument: &str) -> ExitCode {
    let payload_text = if payload_argument == "-" {
        let mut text = String::new();
        if let Err(error) = std::io::stdin().read_to_string(&mut text) {
            eprintln!("error: cannot read the payload from standard input: {error}");
            return ExitCode::from(EXIT_USAGE_ERROR);
        }
        text
    } else {
        payload_argument.to_owned()
    };
    let payload: Value = match serde_json::from_str(&payload_text) {
        Ok(payload) => payload,
        Err(error) => {
            let source = if payload_argument == "-" {
                "standard input"
            } else {
                "the payload argument"
            };
            let fields_hint = if db_core::find_operation(urn).is_some() {
                format!("; `dbops describe {urn}` lists its fields")
            } else {
                String::new()
            };
            let error = DbError::invalid_payload(format!(
                "{source} is not valid JSON ({error}); pass a JSON object{fields_hint}"
            ));
            return report(&error, EXIT_OPERATION_ERROR);
        }
    };

    let db = match connect().await {
        Ok(db) => db,
        Err(code) => return code,
    };
    match db.run_value(urn, payload).await {
        Ok(result) => {
            print_json(&result);
            ExitCode::SUCCESS
        }
        Err(error) => {
            let code = report(&error, EXIT_OPERATION_ERROR);
            if error.kind() == db_core::ErrorKind::InvalidPayload {
                eprintln!("help: `dbops describe {urn}` lists the fields, their types and limits");
            }
            code
        }
    }
}

async fn migrate() -> ExitCode {
    let config = match db_core::Config::from_env() {
        Ok(config) => config.auto_migrate(false),
        Err(error) => return report(&error, EXIT_USAGE_ERROR),
    };
    let db = match DatabaseModule::connect(config).await {
        Ok(db) => db,
        Err(error) => return report(&error, EXIT_OPERATION_ERROR),
    };
    match db.migrate().await {
        Ok(applied) if applied.is_empty() => {
            println!("no pending migrations ({})", db.provider());
            ExitCode::SUCCESS
        }
        Ok(applied) => {
            for migration in applied {
                println!(
                    "applied {} {} ({})",
                    migration.version,
                    migration.description,
                    db.provider()
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => report(&error, EXIT_OPERATION_ERROR),
    }
}

async fn connect() -> Result<DatabaseModule, ExitCode> {
    let config = db_core::Config::from_env().map_err(|error| report(&error, EXIT_USAGE_ERROR))?;
    DatabaseModule::connect(config)
        .await
        .map_err(|error| report(&error, EXIT_OPERATION_ERROR))
}

/// Prints `error` and returns `code`, or the usage status for a configuration error.
fn report(error: &DbError, code: u8) -> ExitCode {
    eprintln!("error[{}]: {}", error.kind(), error);
    if error.kind() == db_core::ErrorKind::InvalidConfig {
        ExitCode::from(EXIT_USAGE_ERROR)
    } else {
        ExitCode::from(code)
    }
}

fn print_json(value: &Value) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => write_stdout(&format!("{text}\n")),
        Err(error) => eprintln!("error: cannot print the result: {error}"),
    }
}

/// Writes to standard output, ignoring a closed pipe (as in `dbops ops | head -1`),
/// which `println!` would turn into a panic.
fn write_stdout(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
