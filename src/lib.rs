//! kakunin (確認, "verification") proves, before `helm install`, that a release is what its
//! project published: the Helm chart, the container image it points at, their Sigstore bundles
//! and in-toto attestations, and that all their versions line up.
//!
//! This crate gathers; [`kakunin_verify`] decides. Everything that touches the network (HTTP,
//! the registry client, credentials, TUF updates, pushes) lives under [`fetch`]; the evidence it
//! gathers is handed to the verification crate, whose modules are re-exported here under their
//! own names (`kakunin::bundle`, `kakunin::release`, …) so callers need one path.
//!
//! The library never prints and never exits: it returns values and the `kakunin` binary renders
//! them.

pub use kakunin_verify::{
    attestation, bundle, chart, check, cosign, digest, exit, helm_values, limits, manifests,
    policy, profile, report, semver_rules, signature_memo, strict_json, trust, values,
};

pub mod chart_source;
pub mod chart_verify;
pub mod credentials;
pub mod deployed;
pub mod fetch;
pub mod fuzz;
pub mod image;
pub mod inspect;
pub mod ops;
pub mod pin;
pub mod policy_export;
pub mod progress;
pub mod publish;
pub mod release;

pub use fetch::registry;
