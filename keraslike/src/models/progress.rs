//! Keras 3's progress output (`keras.utils.Progbar`).
//!
//! - `verbose=1`: a bar `12/12 ━━━━━━━━━━━━━━━━━━━━ 0s 310us/step - accuracy: 0.9500 - loss: 0.2100`,
//!   redrawn in place (through `indicatif`) when stdout is a terminal, at most
//!   [`REDRAW_INTERVAL`] apart so drawing never slows training; when stdout
//!   is not a terminal only the final line of each epoch is printed.
//! - `verbose=2`: one line per epoch, `12/12 - 0s - 3ms/step - accuracy: ... - loss: ...`.
//! - `verbose=0`: nothing.
//!
//! Values print as Keras prints them: `{:.4}` above 1e-3, else `1.2345e-04`.

use crate::callbacks::Logs;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// The shortest time between two redraws of a live bar (5 per second).
pub(crate) const REDRAW_INTERVAL: Duration = Duration::from_millis(200);

/// Width of the bar in characters, as in Keras.
const WIDTH: usize = 20;

/// A progress display for one epoch (or one `evaluate`/`predict` pass).
pub(crate) struct Progbar {
    target: usize,
    verbose: u8,
    start: Instant,
    after_first_step: Option<Instant>,
    last_draw: Instant,
    live: Option<indicatif::ProgressBar>,
}

impl Progbar {
    /// A bar over `target` steps; `verbose` as in `fit`.
    pub fn new(target: usize, verbose: u8) -> Self {
        let now = Instant::now();
        let live = (verbose == 1 && std::io::stdout().is_terminal()).then(|| {
            let pb = indicatif::ProgressBar::with_draw_target(
                Some(target as u64),
                indicatif::ProgressDrawTarget::stdout_with_hz(5),
            );
            pb.set_style(indicatif::ProgressStyle::with_template("{msg}").expect("a static template"));
            pb
        });
        Progbar {
            target,
            verbose,
            start: now,
            after_first_step: None,
            last_draw: now,
            live,
        }
    }

    /// Call after step `current` (1-based) finished; true when a live bar
    /// should be redrawn now (the caller then reads the logs and calls
    /// [`update`](Self::update)). Costs one clock read.
    pub fn step_done(&mut self, current: usize) -> bool {
        if current == 1 {
            self.after_first_step = Some(Instant::now());
        }
        self.live.is_some() && self.last_draw.elapsed() >= REDRAW_INTERVAL
    }

    /// Redraws the live bar at step `current` with the running `logs`.
    pub fn update(&mut self, current: usize, logs: &Logs) {
        self.last_draw = Instant::now();
        if let Some(pb) = &self.live {
            pb.set_message(self.line(current, logs, false, true));
        }
    }

    /// Prints the final line of the epoch.
    pub fn finish(&mut self, logs: &Logs) {
        match self.verbose {
            1 => {
                let colored = self.live.is_some();
                let line = self.line(self.target, logs, true, colored);
                if let Some(pb) = self.live.take() {
                    pb.finish_and_clear();
                }
                println!("{line}");
            }
            2 => println!("{}", self.line(self.target, logs, true, false)),
            _ => {}
        }
    }

    /// Keras' estimate of the time per step: the first step (warm-up) is
    /// left out once there are more.
    fn time_per_step(&self, current: usize, now: Instant) -> f64 {
        if current == 0 {
            return 0.0;
        }
        match self.after_first_step {
            Some(t) if current > 1 => now.duration_since(t).as_secs_f64() / (current - 1) as f64,
            _ => now.duration_since(self.start).as_secs_f64() / current as f64,
        }
    }

    fn line(&self, current: usize, logs: &Logs, finalize: bool, colored: bool) -> String {
        let now = Instant::now();
        let tps = self.time_per_step(current, now);
        let digits = self.target.max(1).to_string().len();
        let count = format!("{current:>digits$}/{}", self.target);
        let elapsed = format!("{:.0}s", now.duration_since(self.start).as_secs_f64());
        if self.verbose == 2 {
            return format!("{count} - {elapsed} -{}{}", format_time(tps), format_logs(logs, false));
        }
        let done = (WIDTH * current.min(self.target))
            .checked_div(self.target)
            .unwrap_or(WIDTH);
        let bar = if colored {
            format!(
                "\x1b[32m{}\x1b[0m\x1b[90m{}\x1b[0m",
                "━".repeat(done),
                "━".repeat(WIDTH - done)
            )
        } else {
            "━".repeat(WIDTH)
        };
        let when = if finalize {
            elapsed
        } else {
            format_eta(tps * (self.target - current.min(self.target)) as f64)
        };
        format!("{count} {bar} {when}{}{}", format_time(tps), format_logs(logs, true))
    }
}

/// ` - name: value` for every entry, in the logs' (alphabetical) order.
pub(crate) fn format_logs(logs: &Logs, abs: bool) -> String {
    let mut s = String::new();
    for (k, v) in logs {
        s.push_str(" - ");
        s.push_str(k);
        s.push_str(": ");
        s.push_str(&format_value(*v, abs));
    }
    s
}

/// Keras' number format: 4 decimals, or scientific with a two-digit
/// exponent (`1.2345e-04`) for values at most 1e-3 (in magnitude when `abs`,
/// as the live bar does; the `verbose=2` line compares the signed value).
pub(crate) fn format_value(v: f64, abs: bool) -> String {
    let big = if abs { v.abs() > 1e-3 } else { v > 1e-3 };
    if big || v.is_nan() || v.is_infinite() {
        return if v.is_nan() { "nan".into() } else { format!("{v:.4}") };
    }
    let s = format!("{v:.4e}");
    match s.split_once('e') {
        Some((m, e)) => {
            let e: i32 = e.parse().unwrap_or(0);
            format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
        }
        None => s,
    }
}

/// ` 310us/step`, ` 3ms/step` or ` 2s/step`.
pub(crate) fn format_time(t: f64) -> String {
    if t >= 1.0 || t == 0.0 {
        format!(" {t:.0}s/step")
    } else if t >= 1e-3 {
        format!(" {:.0}ms/step", t * 1e3)
    } else {
        format!(" {:.0}us/step", t * 1e6)
    }
}

/// `5s`, `1:05` or `1:00:05`.
fn format_eta(eta: f64) -> String {
    let e = eta as u64;
    if eta > 3600.0 {
        format!("{}:{:02}:{:02}", e / 3600, (e % 3600) / 60, e % 60)
    } else if eta > 60.0 {
        format!("{}:{:02}", e / 60, e % 60)
    } else {
        format!("{e}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_keras() {
        // Python: f"{0.21:.4f}" -> '0.2100'; f"{0.000123456:.4e}" -> '1.2346e-04'
        assert_eq!(format_value(0.21, true), "0.2100");
        assert_eq!(format_value(0.000123456, true), "1.2346e-04");
        assert_eq!(format_value(0.0, true), "0.0000e+00");
        assert_eq!(format_time(0.00031), " 310us/step");
        assert_eq!(format_time(0.003), " 3ms/step");
        assert_eq!(format_eta(65.0), "1:05");
        let logs = Logs::from([("loss".to_string(), 0.21), ("accuracy".to_string(), 0.95)]);
        assert_eq!(format_logs(&logs, true), " - accuracy: 0.9500 - loss: 0.2100");
    }

    #[test]
    fn final_line_has_keras_layout() {
        let bar = Progbar::new(12, 1);
        let line = bar.line(12, &Logs::from([("loss".to_string(), 0.5)]), true, false);
        assert!(line.starts_with("12/12 ━━━━━━━━━━━━━━━━━━━━ 0s "), "{line}");
        assert!(line.ends_with("/step - loss: 0.5000"), "{line}");
        let v2 = Progbar::new(12, 2).line(12, &Logs::from([("loss".to_string(), 0.5)]), true, false);
        assert!(
            v2.starts_with("12/12 - 0s - ") && v2.ends_with("/step - loss: 0.5000"),
            "{v2}"
        );
    }
}
