//! The per-provider registries that `#[db_op]` fills, and the dispatch table
//! built from one of them at start-up.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::future::Future;
use std::pin::Pin;

use linkme::distributed_slice;
use serde_json::Value;
use serde_json::value::RawValue;
use sqlx::{Database, MySql, Postgres, Sqlite};

use crate::error::DbError;
use crate::operation::OperationInfo;
use crate::provider::{Backend, Provider};

/// A boxed future that can move between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The result of a dynamic call: the response as JSON text and its row
/// count, which the tracing span records.
pub type DynamicResult = Result<(Box<RawValue>, u64), DbError>;

/// A handler as `DatabaseModule::run` calls it: it decodes the JSON payload,
/// then returns the future that runs the request on the connection.
pub type DynamicHandler<DB> = for<'c> fn(
    &'c mut <DB as Database>::Connection,
    Value,
) -> Result<BoxFuture<'c, DynamicResult>, DbError>;

/// One operation in one provider's registry.
pub struct Registration<DB: Database> {
    /// The operation's descriptor.
    pub info: &'static OperationInfo,
    /// The dynamic entry point of the operation's handler for this provider.
    pub handler: DynamicHandler<DB>,
}

impl<DB: Database> std::fmt::Debug for Registration<DB> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Registration")
            .field("urn", &self.info.urn)
            .finish_non_exhaustive()
    }
}

/// The SQLite handlers of every operation linked into the binary.
#[distributed_slice]
pub static SQLITE_OPERATIONS: [Registration<Sqlite>];

/// The PostgreSQL handlers of every operation linked into the binary.
#[distributed_slice]
pub static POSTGRES_OPERATIONS: [Registration<Postgres>];

/// The MySQL and MariaDB handlers of every operation linked into the binary.
#[distributed_slice]
pub static MYSQL_OPERATIONS: [Registration<MySql>];

type UrnMap<V> = HashMap<&'static str, V, foldhash::fast::RandomState>;

/// A URN-to-handler map for one provider, built once at start-up.
pub(crate) struct DispatchTable<DB: Database> {
    by_urn: UrnMap<&'static Registration<DB>>,
}

impl<DB: Backend> DispatchTable<DB> {
    /// Builds the table from the provider's registry.
    ///
    /// Fails when a URN is registered twice, naming both source locations, or
    /// when an operation registered for another provider lacks a handler here.
    pub(crate) fn build() -> Result<Self, DbError> {
        Self::from_registrations(DB::registry(), &other_providers::<DB>())
    }

    fn from_registrations(
        registrations: &'static [Registration<DB>],
        others: &[(Provider, Vec<&'static OperationInfo>)],
    ) -> Result<Self, DbError> {
        if registrations.is_empty() {
            return Err(DbError::internal(format!(
                "no operations are registered for {}: the binary links no crate that \
                 defines them; reference the catalog crate (for example `use db_ops as _;`), \
                 and do not link with `-z start-stop-gc`, which discards the registry section",
                DB::PROVIDER
            )));
        }

        let mut by_urn = UrnMap::with_capacity_and_hasher(registrations.len(), Default::default());
        let mut problems = Vec::new();

        for registration in registrations {
            match by_urn.entry(registration.info.urn) {
                Entry::Vacant(slot) => {
                    slot.insert(registration);
                }
                Entry::Occupied(existing) => problems.push(format!(
                    "`{}` is defined twice, at {} and at {}",
                    registration.info.urn,
                    existing.get().info.location(),
                    registration.info.location()
                )),
            }
        }

        for (provider, infos) in others {
            for (position, info) in infos.iter().enumerate() {
                // `#[db_op]` registers an operation's handlers side by side, so
                // the linker usually lays the registries out in the same order.
                // The descriptor is then the very one registered here at the
                // same position, which saves hashing its URN.
                let same = registrations
                    .get(position)
                    .is_some_and(|registration| std::ptr::eq(registration.info, *info));
                if !same && !by_urn.contains_key(info.urn) {
                    problems.push(format!(
                        "`{}` (defined at {}) has a `{provider}` handler but no `{}` handler",
                        info.urn,
                        info.location(),
                        DB::PROVIDER
                    ));
                }
            }
        }

        if problems.is_empty() {
            Ok(DispatchTable { by_urn })
        } else {
            Err(DbError::internal(format!(
                "the {} operation registry is inconsistent: {}",
                DB::PROVIDER,
                problems.join("; ")
            )))
        }
    }

    /// Returns the registration for `urn`, with one hash lookup.
    #[inline]
    pub(crate) fn get(&self, urn: &str) -> Option<&'static Registration<DB>> {
        self.by_urn.get(urn).copied()
    }

    /// Returns every registered URN, in no particular order.
    pub(crate) fn urns(&self) -> Vec<&'static str> {
        self.by_urn.keys().copied().collect()
    }

    /// Returns the number of registered operations.
    pub(crate) fn len(&self) -> usize {
        self.by_urn.len()
    }
}

/// Collects the descriptors registered for every provider except `DB`'s.
fn other_providers<DB: Backend>() -> Vec<(Provider, Vec<&'static OperationInfo>)> {
    fn infos<Other: Backend>() -> Vec<&'static OperationInfo> {
        Other::registry().iter().map(|entry| entry.info).collect()
    }
    Provider::ALL
        .into_iter()
        .filter(|provider| *provider != DB::PROVIDER)
        .map(|provider| {
            let infos = match provider {
                Provider::Sqlite => infos::<Sqlite>(),
                Provider::Postgres => infos::<Postgres>(),
                Provider::MySql => infos::<MySql>(),
            };
            (provider, infos)
        })
        .collect()
}

/// Builds the dispatch table of `DB` and returns its operation count, for
/// benchmarks of start-up cost.
#[doc(hidden)]
pub fn build_dispatch_table<DB: Backend>() -> Result<usize, DbError> {
    DispatchTable::<DB>::build().map(|table| table.len())
}

/// Builds the SQLite dispatch table from the given registries and returns its
/// operation count.
///
/// It runs the same duplicate and completeness checks as start-up, so
/// benchmarks can measure start-up cost with catalogs of any size.
#[doc(hidden)]
pub fn build_dispatch_table_from(
    sqlite: &'static [Registration<Sqlite>],
    postgres: &'static [Registration<Postgres>],
    mysql: &'static [Registration<MySql>],
) -> Result<usize, DbError> {
    fn infos<DB: Database>(registry: &[Registration<DB>]) -> Vec<&'static OperationInfo> {
        registry.iter().map(|entry| entry.info).collect()
    }
    let others = [
        (Provider::Postgres, infos(postgres)),
        (Provider::MySql, infos(mysql)),
    ];
    DispatchTable::from_registrations(sqlite, &others).map(|table| table.len())
}

/// A dispatch table built from any set of registrations, for benchmarks that
/// compare lookups in catalogs of different sizes within one binary.
///
/// It runs the same duplicate check and uses the same map and lookup as the
/// table of a [`DatabaseModule`](crate::DatabaseModule). It skips the
/// completeness check against the other providers, because the set is a sample.
#[doc(hidden)]
pub struct LookupTable<DB: Database>(DispatchTable<DB>);

impl<DB: Backend> LookupTable<DB> {
    /// Builds the table from `registrations`.
    pub fn from_slice(registrations: &'static [Registration<DB>]) -> Result<Self, DbError> {
        DispatchTable::from_registrations(registrations, &[]).map(LookupTable)
    }

    /// Returns the registration for `urn`, as `DatabaseModule::run` finds it.
    #[inline]
    pub fn get(&self, urn: &str) -> Option<&'static Registration<DB>> {
        self.0.get(urn)
    }

    /// Returns the number of registered operations.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Returns whether the table is empty (never, since building one fails then).
    pub fn is_empty(&self) -> bool {
        self.0.len() == 0
    }
}

impl<DB: Database> std::fmt::Debug for LookupTable<DB> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("LookupTable")
            .field("operations", &self.0.by_urn.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn info(urn: &'static str, file: &'static str, line: u32) -> OperationInfo {
        OperationInfo {
            urn,
            domain: "",
            subsystem: "",
            function: "",
            version: 1,
            description: "",
            rust_path: "",
            file,
            line,
            request: &[],
            response: "",
            types: &[],
        }
    }

    fn unreachable_handler<'c>(
        _: &'c mut sqlx::SqliteConnection,
        _: Value,
    ) -> Result<BoxFuture<'c, DynamicResult>, DbError> {
        Ok(Box::pin(async { Err(DbError::internal("not called")) }))
    }

    static FIRST: OperationInfo = info("db:a:b:c:1", "first.rs", 10);
    static SECOND: OperationInfo = info("db:a:b:c:1", "second.rs", 20);
    static OTHER: OperationInfo = info("db:a:b:d:1", "other.rs", 30);

    static DUPLICATED: [Registration<Sqlite>; 2] = [
        Registration {
            info: &FIRST,
            handler: unreachable_handler,
        },
        Registration {
            info: &SECOND,
            handler: unreachable_handler,
        },
    ];

    static SINGLE: [Registration<Sqlite>; 1] = [Registration {
        info: &FIRST,
        handler: unreachable_handler,
    }];

    #[test]
    fn duplicate_urn_names_both_locations() {
        let error = DispatchTable::from_registrations(&DUPLICATED, &[])
            .err()
            .expect("a duplicate URN is rejected");
        assert_eq!(error.kind(), crate::ErrorKind::Internal);
        assert!(
            error.message().contains("`db:a:b:c:1` is defined twice"),
            "{error}"
        );
        assert!(error.message().contains("first.rs:10"), "{error}");
        assert!(error.message().contains("second.rs:20"), "{error}");
    }

    #[test]
    fn missing_provider_handler_is_listed() {
        let others = [(Provider::Postgres, vec![&FIRST, &OTHER])];
        let error = DispatchTable::from_registrations(&SINGLE, &others)
            .err()
            .expect("a missing handler is rejected");
        assert!(
            error
                .message()
                .contains("`db:a:b:d:1` (defined at other.rs:30) has a `postgres` handler but no `sqlite` handler"),
            "{error}"
        );
        assert!(!error.message().contains("db:a:b:c:1"), "{error}");
    }

    #[test]
    fn complete_registry_in_another_order_passes() {
        static PAIR: [Registration<Sqlite>; 2] = [
            Registration {
                info: &FIRST,
                handler: unreachable_handler,
            },
            Registration {
                info: &OTHER,
                handler: unreachable_handler,
            },
        ];
        let others = [(Provider::MySql, vec![&OTHER, &FIRST])];
        let table = DispatchTable::from_registrations(&PAIR, &others).unwrap();
        assert_eq!(table.len(), 2);
    }

    #[test]
    fn empty_registry_is_rejected() {
        static EMPTY: [Registration<Sqlite>; 0] = [];
        let error = DispatchTable::from_registrations(&EMPTY, &[])
            .err()
            .expect("an empty registry is rejected");
        assert!(
            error.message().contains("no operations are registered"),
            "{error}"
        );
    }

    /// Leaks registrations for `urns`, each with its own descriptor.
    fn registrations(urns: &[String]) -> &'static [Registration<Sqlite>] {
        urns.iter()
            .map(|urn| Registration {
                info: Box::leak(Box::new(info(urn.clone().leak(), "many.rs", 1))),
                handler: unreachable_handler,
            })
            .collect::<Vec<_>>()
            .leak()
    }

    #[test]
    fn lookup_finds_every_urn_of_a_large_catalog() {
        // URNs from 11 to 64 bytes long.
        let urns: Vec<String> = (0..3_000)
            .map(|index| format!("db:d{}:s:f{index}:1", "x".repeat(index % 51)))
            .collect();
        let registry = registrations(&urns);
        let table = DispatchTable::from_registrations(registry, &[]).unwrap();
        assert_eq!(table.len(), urns.len());
        for (urn, registration) in urns.iter().zip(registry) {
            let found = table.get(urn).expect("a registered URN is found");
            assert!(std::ptr::eq(found, registration), "{urn}");
            assert!(table.get(&format!("{urn}0")).is_none(), "{urn}0");
            assert!(
                table.get(&urn[..urn.len() - 1]).is_none(),
                "{urn} shortened"
            );
        }
        assert!(table.get("").is_none());
        let mut listed = table.urns();
        listed.sort_unstable();
        let mut expected: Vec<&str> = urns.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(listed, expected);
    }

    #[test]
    fn duplicate_in_a_large_catalog_is_named_once() {
        let mut urns: Vec<String> = (0..500).map(|index| format!("db:a:b:f{index}:1")).collect();
        urns.push(String::from("db:a:b:f123:1"));
        let error = DispatchTable::from_registrations(registrations(&urns), &[])
            .err()
            .expect("a duplicate URN is rejected");
        let message = error.message();
        assert_eq!(message.matches("is defined twice").count(), 1, "{error}");
        assert!(
            message.contains("`db:a:b:f123:1` is defined twice"),
            "{error}"
        );
    }

    #[test]
    fn lookup_finds_registration() {
        let table = DispatchTable::from_registrations(&SINGLE, &[]).unwrap();
        assert_eq!(table.len(), 1);
        assert!(table.get("db:a:b:c:1").is_some());
        assert!(table.get("db:a:b:c:2").is_none());
    }
}
