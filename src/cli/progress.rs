//! Progress on a terminal: one spinner on stderr naming the downloads under way (indicatif).
//! Only used when stderr is a terminal, the output is human and not `--quiet`.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use kakunin::progress::Progress;

pub struct Bars {
    bar: ProgressBar,
    active: Mutex<BTreeSet<String>>,
}

impl Bars {
    pub fn new() -> Bars {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Bars {
            bar,
            active: Mutex::new(BTreeSet::new()),
        }
    }

    fn show(&self, active: &BTreeSet<String>) {
        let names: Vec<&str> = active
            .iter()
            .map(|s| s.rsplit('/').next().unwrap_or(s))
            .collect();
        self.bar
            .set_message(format!("fetching {}", names.join(", ")));
    }
}

impl Progress for Bars {
    fn start(&self, what: &str, _total: Option<u64>) {
        let mut a = self.active.lock().unwrap_or_else(|e| e.into_inner());
        a.insert(what.to_string());
        self.show(&a);
    }

    fn finish(&self, what: &str) {
        let mut a = self.active.lock().unwrap_or_else(|e| e.into_inner());
        a.remove(what);
        self.show(&a);
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
