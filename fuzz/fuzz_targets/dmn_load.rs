//! Loads arbitrary text as a DMN model: must return a model or positioned
//! problems, never panic; a model that loads must evaluate each of its
//! decisions with no inputs without panicking.
#![no_main]

use flowdesk_rules::{Context, DmnModel};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    match DmnModel::parse(xml) {
        Ok(model) => {
            for name in model.decision_names() {
                let _ = model.evaluate_decision(name, Context::default());
            }
        }
        Err(problems) => {
            assert!(!problems.0.is_empty(), "a rejected model names its problems");
            for problem in &problems.0 {
                assert!(problem.line >= 1 && problem.column >= 1);
            }
        }
    }
});
