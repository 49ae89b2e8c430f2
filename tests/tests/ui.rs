//! Compile-fail and compile-pass cases of `#[db_op]`.
//!
//! Each file in `ui/fail` breaks one rule and its `.stderr` contains the reviewed
//! diagnostics. Regenerate them with `TRYBUILD=overwrite cargo test -p dbops-tests --test ui`
//! and reread every changed `.stderr` before keeping it.

#[test]
fn db_op_diagnostics() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
