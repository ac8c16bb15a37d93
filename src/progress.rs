//! Progress reporting: the one way the library tells the CLI that work is under way.
//! The CLI implements [`Progress`] with indicatif on a terminal; everything else uses [`Silent`].

/// Receives progress events. Implementations must be cheap and never fail.
pub trait Progress: Send + Sync {
    /// A named unit of work started; `total` bytes or items, when known.
    fn start(&self, _what: &str, _total: Option<u64>) {}
    /// `n` more bytes or items of the named unit were done.
    fn advance(&self, _what: &str, _n: u64) {}
    /// The named unit of work finished.
    fn finish(&self, _what: &str) {}
}

/// Progress that goes nowhere (tests, JSON output, `--quiet`, not a terminal).
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {}
