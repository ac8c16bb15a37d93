//! The one tokio runtime of a kakunin run. The CLI builds it once, for the commands that do
//! async I/O, and hands it to them (`&Runtime`); they run the library's async ops on it with
//! `rt.block_on(..)`. Library code never builds a runtime of its own. A runtime that cannot
//! start (no threads left, say) is a clear error, exit 3, not a panic.
//!
//! Two kinds: [`Threads::Workers`] (two worker threads, for commands that fetch over the network
//! and gather concurrently) and [`Threads::None`] (everything on the calling thread, for a
//! command whose inputs are all on this machine, as `verify-image oci-layout:DIR`): the work done
//! is the same, but no thread is started, woken or joined, which on a busy machine cost a run as
//! much as the verification itself (docs/performance.md, verify-image). Both have the I/O and
//! time drivers, so any async operation runs on either.

use tokio::runtime::Builder;
pub use tokio::runtime::Runtime;

use kakunin::exit::ExitCode;

use super::fail;

/// Worker threads: the fetches are I/O-bound; two keep concurrent gathers moving.
const WORKER_THREADS: usize = 2;

/// Which runtime a command gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threads {
    /// [`WORKER_THREADS`] worker threads: network fetches gathered concurrently.
    Workers,
    /// No thread of its own: the command's futures run on the calling thread (tasks it spawns
    /// still run concurrently, interleaved there).
    None,
}

/// Starts the multi-thread runtime, or says why not (exit 3).
pub fn start() -> Result<Runtime, ExitCode> {
    start_with(Threads::Workers)
}

/// Starts a runtime of that kind, or says why not (exit 3): the one place a runtime is built.
pub fn start_with(threads: Threads) -> Result<Runtime, ExitCode> {
    let mut builder = match threads {
        Threads::Workers => {
            let mut b = Builder::new_multi_thread();
            b.worker_threads(WORKER_THREADS);
            b
        }
        Threads::None => Builder::new_current_thread(),
    };
    builder.enable_all().build().map_err(|e| {
        fail(
            ExitCode::Fetch,
            format!("cannot start the async runtime: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spawned tasks and timers run on both kinds, the thread-less one runs them on the calling
    /// thread, and the other on its workers.
    #[test]
    fn both_kinds_run_tasks_and_timers_and_none_stays_on_the_calling_thread() {
        for threads in [Threads::Workers, Threads::None] {
            let rt = start_with(threads).unwrap();
            let caller = std::thread::current().id();
            let (sum, on) = rt.block_on(async {
                let mut set = tokio::task::JoinSet::new();
                for i in 0..4u32 {
                    set.spawn(async move {
                        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                        (i, std::thread::current().id())
                    });
                }
                let mut sum = 0;
                let mut on = Vec::new();
                while let Some(r) = set.join_next().await {
                    let (i, id) = r.unwrap();
                    sum += i;
                    on.push(id);
                }
                (sum, on)
            });
            assert_eq!(sum, 6, "{threads:?}");
            if threads == Threads::None {
                assert!(on.iter().all(|id| *id == caller), "{threads:?}: {on:?}");
            } else {
                assert!(on.iter().all(|id| *id != caller), "{threads:?}: {on:?}");
            }
        }
    }
}
