//! `dmn-tck`: runs the DMN TCK against `flowdesk-rules`, prints passed/total
//! per compliance level and the first failures, and optionally writes the
//! results CSV in the published format.
//!
//! Usage: `dmn-tck <TestCases folder> [--csv OUT] [--level 2|3] [--min N]`
//! (`--min` fails the run when fewer than N test cases pass).

use std::path::PathBuf;
use std::process::ExitCode;

use flowdesk_rules::tck;

fn main() -> ExitCode {
    // Deeply recursive models need more stack than the main thread has.
    let worker = std::thread::Builder::new()
        .stack_size(512 * 1024 * 1024)
        .spawn(real_main);
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => ExitCode::FAILURE,
    }
}

fn real_main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut root: Option<PathBuf> = None;
    let mut csv: Option<PathBuf> = None;
    let mut level: Option<u8> = None;
    let mut min: Option<usize> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--csv" => csv = args.next().map(PathBuf::from),
            "--level" => level = args.next().and_then(|l| l.parse().ok()),
            "--min" => min = args.next().and_then(|l| l.parse().ok()),
            other => root = Some(PathBuf::from(other)),
        }
    }
    let Some(root) = root else {
        eprintln!("usage: dmn-tck <TestCases folder> [--csv OUT] [--level 2|3] [--min N]");
        return ExitCode::FAILURE;
    };
    let report = match tck::run(&root, level) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &csv {
        if let Err(e) = std::fs::write(path, report.csv()) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    let failures: Vec<_> = report.cases.iter().filter(|c| !c.success).collect();
    if !failures.is_empty() {
        println!("first failures:");
        for f in failures.iter().take(30) {
            println!("  {} {} {}: {}", f.folder, f.file, f.id, f.detail);
        }
    }
    for l in [2u8, 3] {
        if level.is_none_or(|x| x == l) {
            let (p, t) = report.counts(Some(l));
            println!("compliance level {l}: {p}/{t} passed");
        }
    }
    let (passed, total) = report.counts(None);
    println!("total: {passed}/{total} passed");
    if level.is_none() {
        let (p, t) = report.non_compliant_counts();
        println!(
            "non-compliant folders (not counted; the kit's runners skip them): {p}/{t} passed"
        );
        for f in report.non_compliant.iter().filter(|c| !c.success) {
            println!("  {} {} {}: {}", f.folder, f.file, f.id, f.detail);
        }
    }
    match min {
        Some(n) if passed < n => {
            eprintln!("error: {passed} test cases passed, the ratchet requires at least {n}");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}
