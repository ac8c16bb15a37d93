//! The one tokio runtime of a kakunin run. The CLI builds it once, for the commands that do
//! async I/O, and hands it to them (`&Runtime`); they run the library's async ops on it with
//! `rt.block_on(..)`. Library code never builds a runtime of its own. A runtime that cannot
//! start (no threads left, say) is a clear error, exit 3, not a panic.

pub use tokio::runtime::Runtime;

use kakunin::exit::ExitCode;

use super::fail;

/// Worker threads: the fetches are I/O-bound; two keep concurrent gathers moving.
const WORKER_THREADS: usize = 2;

/// Starts the runtime, or says why not (exit 3).
pub fn start() -> Result<Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .enable_all()
        .build()
        .map_err(|e| {
            fail(
                ExitCode::Fetch,
                format!("cannot start the async runtime: {e}"),
            )
        })
}
