//! One part of the generated benchmark catalog: the operations that
//! `generate.rs` assigns to this package. `dbops-bench-catalog` links every
//! part.

/// The generated operations of this part, 100 per subsystem module.
pub mod bench {
    include!(concat!(env!("OUT_DIR"), "/catalog.rs"));
}
