//! Real servers on loopback for the integration tests, reusable by every area:
//! [`http::Server`] (files in GitHub's and Helm's URL layout, and hostile behaviours) and
//! [`registry::Registry`] (Debian's docker-registry, distribution 2.8).
//!
//! Each server starts on 127.0.0.1 with a free port and stops when dropped.

#![allow(dead_code)]

pub mod cosign;
pub mod front;
pub mod http;
pub mod keyless;
pub mod oci;
pub mod openssl;
pub mod registry;
pub mod script;
pub mod signed_oci;
pub mod verify_cmd;

/// Runs a future on a small runtime of the test's own (the library never builds one; the CLI
/// owns the program's, `src/cli/runtime.rs`).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime starts")
        .block_on(f)
}
