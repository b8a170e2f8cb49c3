//! The DMN TCK ratchet: the number of passing TCK test cases may only go
//! up. `tck-ratchet.txt` holds the committed minimum; raise it when more
//! cases pass. Also the reader of the kit's test files that the rules
//! benchmark uses for its inputs.

use std::path::Path;

use flowdesk_rules::tck;

#[test]
fn tck_pass_count_does_not_drop_below_the_ratchet() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases = manifest.join("../../../shared/conformance/dmn-tck/TestCases");
    assert!(
        cases.is_dir(),
        "the DMN TCK is missing: expected its TestCases folder at {}",
        cases.display()
    );
    let ratchet: usize = std::fs::read_to_string(manifest.join("tck-ratchet.txt"))
        .expect("tck-ratchet.txt is committed next to Cargo.toml")
        .trim()
        .parse()
        .expect("tck-ratchet.txt holds one number");
    // Recursive models need more stack than a test thread has in debug builds.
    let report = std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(move || tck::run(&cases, None))
        .expect("spawn the TCK thread")
        .join()
        .expect("the TCK run does not panic")
        .expect("the TCK runs");
    let (passed, total) = report.counts(None);
    let failures: Vec<String> = report
        .cases
        .iter()
        .filter(|c| !c.success)
        .take(30)
        .map(|c| format!("{} {} {}: {}", c.folder, c.file, c.id, c.detail))
        .collect();
    assert!(
        passed >= ratchet,
        "{passed}/{total} TCK test cases pass, the ratchet requires {ratchet}; first failures:\n{}",
        failures.join("\n")
    );
    if passed > ratchet {
        eprintln!("{passed}/{total} TCK test cases pass: raise tck-ratchet.txt to {passed}");
    }
}

#[test]
fn test_files_read_as_inputs_and_expected_results() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/conformance/dmn-tck/TestCases/compliance-level-3/0041-multiple-nestedcontext/0041-multiple-nestedcontext-test-01.xml",
    );
    let xml = std::fs::read_to_string(&file).expect("the DMN TCK is next to the repository");
    let cases = tck::read_test_cases(&xml).expect("a TCK test file reads");
    let summary: Vec<String> = cases
        .iter()
        .map(|c| {
            let input = |n: &str| {
                c.inputs
                    .get(n)
                    .map_or("missing".to_string(), |v| v.to_string())
            };
            let expected: Vec<String> = c
                .expected
                .iter()
                .map(|(name, v)| format!("{name} = {v}"))
                .collect();
            format!(
                "{}: Principal {}, Term {} -> {}",
                c.id,
                input("Principal"),
                input("Term"),
                expected.join(", ")
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "001: Principal 600000, Term 360 -> Boxed Context = 2778.6935494327668",
            "002: Principal 30000, Term 60 -> Boxed Context = 549.1175498364003",
            "003: Principal 600000, Term 365 -> Boxed Context = 2758.1160998965915",
        ]
    );
    let error = tck::read_test_cases("<testCases>").expect_err("not well-formed XML");
    assert!(error.starts_with("the test file is not XML"), "{error}");
}
