//! `bpmn::parse` and `bpmn::Document::parse` must never panic, overflow the
//! stack or return an empty problem list, whatever the input; a document
//! that imports must export XML that imports again, to an equal document.
//!
//! Run with `cargo +nightly fuzz run bpmn_parse` from `fuzz/` (seed the
//! corpus with `../crates/model/tests/fixtures/**/*.bpmn`).
#![no_main]

use flowdesk_model::bpmn::{self, Document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(errors) = bpmn::parse(xml) {
        assert!(!errors.problems.is_empty());
        for problem in &errors.problems {
            assert!(problem.line >= 1 && problem.column >= 1);
        }
    }
    match Document::parse(xml) {
        Ok(document) => {
            let exported = document.to_xml();
            let again = Document::parse(&exported)
                .unwrap_or_else(|errors| panic!("export does not re-import: {errors}\n{exported}"));
            assert!(document == again, "round-trip changed the document");
            assert_eq!(document.diagram_bounds(), again.diagram_bounds());
            assert_eq!(document.validate().is_ok(), again.validate().is_ok());
        }
        Err(errors) => assert_eq!(errors.problems.len(), 1),
    }
});
