//! kakunin-verify decides whether a Helm chart release, the images it deploys, their Sigstore
//! bundles, cosign signatures and in-toto attestations are what their project published.
//!
//! It never fetches: there is no tokio, reqwest or OCI client in this crate, so the compiler
//! holds the line between deciding and gathering. Callers (the `kakunin` binary, a fuzzer, an
//! admission webhook) hand it bytes, or paths they chose; it reads no configuration, cache or
//! environment of its own, never prints and never exits. It returns values: [`check::Check`]s,
//! [`report::Report`]s, verified types and errors.
//!
//! Types whose name starts with `Verified` can only be built by the verification that
//! guarantees what they claim (as rustls's `ServerCertVerified`): code that takes one cannot be
//! handed an unverified input by accident.

pub mod attestation;
pub mod bundle;
pub mod chart;
pub mod check;
pub mod cosign;
pub mod digest;
pub mod exit;
pub mod fuzz;
pub mod helm_values;
pub mod limits;
pub mod manifests;
pub mod policy;
pub mod profile;
pub mod release;
pub mod report;
pub mod semver_rules;
pub mod signature_memo;
pub mod strict_json;
pub mod trust;
pub mod values;
