//! The DMN TCK ratchet: the number of passing TCK test cases may only go
//! up. `tck-ratchet.txt` holds the committed minimum; raise it when more
//! cases pass.

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
