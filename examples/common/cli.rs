//! What every example's command line shares: `--quiet` / `--verbose`,
//! `--device`, and a `main` that prints an error once, as
//! `Error: <message>`, and exits with status 1 — no backtrace, whatever
//! `RUST_BACKTRACE` says. Flags are parsed by clap (derive); `--help`
//! lists every flag with its default.
//!
//! Each example includes this file with `#[path = "common/cli.rs"] mod cli;`.

// Each example uses the parts it needs.
#![allow(dead_code)]

use deeprust::tf::Device;
use std::process::ExitCode;

/// How much an example prints. The last line (the final metric) is
/// printed at every level.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct Verbosity {
    /// Print only the results: no summary, no progress
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: data sizes, timings and per-step details
    #[arg(short, long)]
    pub verbose: bool,
}

impl Verbosity {
    /// 0 = quiet, 1 = normal, 2 = verbose.
    pub fn level(self) -> u8 {
        match (self.quiet, self.verbose) {
            (true, _) => 0,
            (false, false) => 1,
            (false, true) => 2,
        }
    }
}

/// The help text of `--device`.
pub const DEVICE_HELP: &str =
    "cpu, cuda, cuda:N, or auto (the first GPU when built with --features cuda and one is present, else the CPU)";

/// Parses `--device`: `auto`, or whatever [`Device::parse`] accepts.
pub fn device(s: &str) -> Result<Device, String> {
    if s == "auto" {
        return Ok(Device::cuda_if_available(0));
    }
    Device::parse(s).map_err(|e| e.to_string())
}

/// Ends `main`: success, or `Error: <message>` (with its causes, on one
/// line) on stderr and exit status 1.
pub fn exit(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
