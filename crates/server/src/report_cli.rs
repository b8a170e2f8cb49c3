//! `flowdesk report run NAME --format pdf|png|svg|csv|xlsx|json --out FILE
//! [--param k=v]…`: runs a saved report on the database of `--db` (the
//! read model is caught up first), keeps the run, and writes the export.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use flowdesk_insights::reports::Format;
use flowdesk_insights::Insights;

use crate::config::{FileConfig, Settings};
use crate::DbArgs;

/// Events folded per transaction before a run.
const CATCH_UP_BATCH: usize = 2_000;

/// The report subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    /// Run a saved report and write it to a file: the whole report as pdf
    /// (cover, chart, table), its chart (png, svg), its table (csv, xlsx) or
    /// the whole run (json).
    Run(RunArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The report's name (or id).
    name: String,
    /// pdf, png, svg, csv, xlsx or json.
    #[arg(long)]
    format: String,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// A parameter of the run: process_id, version, from or to (ms since the epoch).
    #[arg(long = "param", value_name = "KEY=VALUE")]
    params: Vec<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// `key=value` pairs into a map; a pair without `=` is an error naming it.
fn parse_params(params: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    params
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
            _ => bail!("--param {pair:?} is not KEY=VALUE"),
        })
        .collect()
}

/// Runs a report command.
pub(crate) async fn run(command: ReportCommand, file: &FileConfig) -> anyhow::Result<()> {
    let ReportCommand::Run(args) = command;
    let format: Format = args.format.parse()?;
    let parameters = parse_params(&args.params)?;
    let settings = Settings::resolve(args.db.db, None, None, file)?;
    let store = crate::open(&settings.db).await?;
    let insights = Insights::new(store.clone());
    insights
        .catch_up(CATCH_UP_BATCH)
        .await
        .context("cannot catch up the analytics read model")?;
    let Some(report) = insights.find_report(&args.name).await? else {
        bail!(
            "no report named {:?}; list them with GET /api/reports",
            args.name
        );
    };
    let run = insights
        .run_report(&report, &parameters, "cli", crate::now_ms())
        .await
        .with_context(|| format!("cannot run report {:?}", report.name))?;
    let bytes = run.export(format)?;
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    store.close().await;
    println!(
        "{}: {} rows, as of {} ms, run {}",
        args.out.display(),
        run.result.rows.len(),
        run.as_of,
        run.id
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_params;

    #[test]
    fn params_are_key_value_pairs() {
        let parsed = parse_params(&["process_id=claims".into(), "to=5=6".into()]).unwrap();
        assert_eq!(parsed["process_id"], "claims");
        assert_eq!(parsed["to"], "5=6");
        let error = parse_params(&["version".into()]).unwrap_err().to_string();
        assert_eq!(error, "--param \"version\" is not KEY=VALUE");
        assert!(parse_params(&["=1".into()]).is_err());
    }
}
