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
    /// Seconds a whole download may take (connect to last byte)
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub timeout: u64,
    /// Seconds to wait for a connection
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub connect_timeout: u64,
    /// Retries after a connection error, a timeout, a truncated body or a 5xx
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
}

impl FetchArgs {
    /// The library's options; `kit` is read first when given.
    pub fn options(&self, kit: Option<PathBuf>) -> FetchOptions {
        FetchOptions {
            http: HttpConfig {
                connect_timeout: Duration::from_secs(self.connect_timeout.max(1)),
                timeout: Duration::from_secs(self.timeout.max(1)),
                retries: self.retries,
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
