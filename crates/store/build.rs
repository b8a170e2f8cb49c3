//! Lists the scenario folders of `../engine/tests/scenarios` (run durably
//! by `tests/scenarios.rs`) as
//! `scenario_test!(name, "folder");` lines in `$OUT_DIR/scenario_tests.rs`,
//! so that every scenario is its own, named test.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("../engine/tests/scenarios");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().join("scenario.json").is_file())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::new();
    for name in names {
        let ident: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let _ = writeln!(out, "scenario_test!({ident}, {name:?});");
    }
    let target = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(error) = std::fs::write(target.join("scenario_tests.rs"), out) {
        panic!("cannot write scenario_tests.rs: {error}");
    }
}
