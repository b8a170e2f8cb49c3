//! `bpmn::parse` must never panic, overflow the stack or return an empty
//! problem list, whatever the input.
//!
//! Run with `cargo +nightly fuzz run bpmn_parse` from `fuzz/` (seed the
//! corpus with `../crates/model/tests/fixtures/**/*.bpmn`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(errors) = flowdesk_model::bpmn::parse(xml) {
        assert!(!errors.problems.is_empty());
        for problem in &errors.problems {
            assert!(problem.line >= 1 && problem.column >= 1);
        }
    }
});
