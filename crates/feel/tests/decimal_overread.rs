//! Regression tests for the stack over-read in decNumber's `decQuadAdd`
//! (third_party/decnumber-sys/README.md): additions whose operands'
//! exponents differ by 33 take the unaligned tail copy that read past its
//! buffer. Under the fuzz targets' AddressSanitizer build the unpatched
//! library aborts on these; here the exact results are checked too.

use flowdesk_feel::Number;

fn number(text: &str) -> Number {
    Number::parse(text).unwrap_or_else(|| panic!("{text} is a number"))
}

#[test]
fn adding_across_a_one_digit_overlap_is_exact() {
    let cases = [
        ("1E+33", "1", "1000000000000000000000000000000001"),
        ("9E+33", "9", "9000000000000000000000000000000009"),
        ("1E+33", "-1", "999999999999999999999999999999999"),
        ("-1E+33", "1", "-999999999999999999999999999999999"),
        ("1E+33", "0.5", "1000000000000000000000000000000000"),
        ("1.5E+33", "7", "1500000000000000000000000000000007"),
        ("1E-1", "1E-34", "0.1000000000000000000000000000000001"),
    ];
    for (left, right, expected) in cases {
        let sum = number(left)
            .add(&number(right))
            .unwrap_or_else(|| panic!("{left} + {right} is finite"));
        assert_eq!(sum.to_string(), expected, "{left} + {right}");
        let swapped = number(right).add(&number(left)).expect("finite");
        assert_eq!(swapped.to_string(), expected, "{right} + {left}");
    }
}

#[test]
fn subtracting_across_a_one_digit_overlap_is_exact() {
    let difference = number("1E+33").sub(&number("3")).expect("finite");
    assert_eq!(difference.to_string(), "999999999999999999999999999999997");
    let difference = number("2").sub(&number("1E+33")).expect("finite");
    assert_eq!(difference.to_string(), "-999999999999999999999999999999998");
}
