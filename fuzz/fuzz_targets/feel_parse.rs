//! Parses arbitrary text as a FEEL expression and as unary tests: must
//! return a value or a `ParseError`, never panic, and errors must point
//! inside the input.
#![no_main]

use flowdesk_feel::{parse_expression, parse_unary_tests, Scope};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let scope = Scope::with_names(["Loan Amount+Fee", "a b", "x"]);
    if let Err(e) = parse_expression(src, &scope) {
        assert!(e.span.start <= src.len() && e.span.end <= src.len());
        assert!(e.position.line >= 1 && e.position.column >= 1);
    }
    let _ = parse_unary_tests(src, &scope);
});
