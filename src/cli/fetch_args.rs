//! The network options every command that downloads shares (`verify`, `download`), and the
//! progress bars (indicatif, on stderr, only on a terminal, never with --quiet or JSON output).

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use kakunin::fetch::{FetchOptions, HttpConfig};
use kakunin::progress::Progress;

#[derive(Debug, Clone, Args)]
pub struct FetchArgs {
    /// Use only the cache (or the kit given with --kit): no network. A missing file is named.
    #[arg(long)]
    pub offline: bool,
    /// Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed
    #[arg(long, value_name = "HOST")]
    pub allow_insecure_registry: Vec<String>,
    /// Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)
    #[arg(long, value_name = "DIR", env = "KAKUNIN_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Do not read or write the cache (with --offline and --kit: the kit alone)
    #[arg(long)]
    pub no_cache: bool,
    /// Seconds one file may take, from its first attempt to its last byte, retries included
    #[arg(long, value_name = "SECONDS", default_value_t = 120, allow_hyphen_values = true,
          value_parser = in_range(TIMEOUT_RANGE))]
    pub timeout: u64,
    /// Seconds to wait for a connection
    #[arg(long, value_name = "SECONDS", default_value_t = 10, allow_hyphen_values = true,
          value_parser = in_range(CONNECT_TIMEOUT_RANGE))]
    pub connect_timeout: u64,
    /// Retries after a connection error, a timeout, a truncated body or a 5xx
    #[arg(long, value_name = "N", default_value_t = 3, allow_hyphen_values = true,
          value_parser = in_range(RETRIES_RANGE))]
    pub retries: u64,
}

/// `--timeout`: a second to a day.
pub const TIMEOUT_RANGE: (u64, u64) = (1, 86_400);
/// `--connect-timeout`: a second to an hour.
pub const CONNECT_TIMEOUT_RANGE: (u64, u64) = (1, 3_600);
/// `--retries`: none to ten (the deadline of `--timeout` bounds them anyway).
pub const RETRIES_RANGE: (u64, u64) = (0, 10);

/// A clap value parser for an integer in `lo..=hi`: anything else (negative, too large, not a
/// number) is a usage error (exit 2) that states the range.
pub fn in_range((lo, hi): (u64, u64)) -> impl Fn(&str) -> Result<u64, String> + Clone {
    move |raw: &str| {
        raw.trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (lo..=hi).contains(n))
            .ok_or_else(|| format!("expected an integer from {lo} to {hi}, found {raw:?}"))
    }
}

impl FetchArgs {
    /// The library's options; `kit` is read first when given.
    pub fn options(&self, kit: Option<PathBuf>) -> FetchOptions {
        FetchOptions {
            http: HttpConfig {
                connect_timeout: Duration::from_secs(self.connect_timeout),
                timeout: Duration::from_secs(self.timeout),
                retries: u32::try_from(self.retries).unwrap_or(u32::MAX),
                insecure_hosts: self.allow_insecure_registry.clone(),
                ..HttpConfig::default()
            },
            offline: self.offline,
            cache_dir: self.cache_dir.clone(),
            no_cache: self.no_cache,
            kit,
        }
    }
}

/// Download bars on stderr, one per file in flight.
pub struct Bars {
    multi: MultiProgress,
    bars: Mutex<Vec<(String, ProgressBar)>>,
}

impl Bars {
    /// Bars when they are allowed (see `OutputArgs::progress_allowed`), else `None`.
    pub fn new(allowed: bool) -> Option<Bars> {
        allowed.then(|| Bars {
            multi: MultiProgress::new(),
            bars: Mutex::new(Vec::new()),
        })
    }
}

impl Progress for Bars {
    fn start(&self, what: &str, total: Option<u64>) {
        let bar = match total {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template("{msg:40} {bytes:>10}/{total_bytes:10} {bar:30}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{msg:40} {bytes:>10} {spinner}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        let bar = self.multi.add(bar);
        bar.set_message(what.to_string());
        if let Ok(mut bars) = self.bars.lock() {
            bars.push((what.to_string(), bar));
        }
    }

    fn advance(&self, what: &str, n: u64) {
        if let Ok(bars) = self.bars.lock() {
            if let Some((_, b)) = bars.iter().rev().find(|(w, _)| w == what) {
                b.inc(n);
            }
        }
    }

    fn finish(&self, what: &str) {
        if let Ok(mut bars) = self.bars.lock() {
            if let Some(i) = bars.iter().rposition(|(w, _)| w == what) {
                let (_, b) = bars.remove(i);
                b.finish_and_clear();
            }
        }
    }
}
