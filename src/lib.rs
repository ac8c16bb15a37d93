//! kakunin (確認, "verification") proves, before `helm install`, that a release is what its
//! project published: the Helm chart, the container image it points at, their Sigstore bundles
//! and in-toto attestations, and that all their versions line up.
//!
//! The library never prints and never exits: it returns values ([`check::Check`]s, verified
//! types, errors) and the `kakunin` binary renders them. Verification functions are pure over
//! bytes already in memory; only [`fetch`] touches the network or the cache.
//!
//! Types whose name starts with `Verified` can only be built by the verification that
//! guarantees what they claim (as rustls's `ServerCertVerified`): code that takes one cannot be
//! handed an unverified input by accident.

pub mod attestation;
pub mod bundle;
pub mod chart;
pub mod chart_source;
pub mod chart_verify;
pub mod check;
pub mod cosign;
pub mod credentials;
pub mod deployed;
pub mod digest;
pub mod exit;
pub mod fetch;
pub mod helm_values;
pub mod image;
pub mod inspect;
pub mod limits;
pub mod manifests;
pub mod pin;
pub mod policy;
pub mod policy_export;
pub mod profile;
pub mod progress;
pub mod publish;
pub mod registry;
pub mod release;
pub mod report;
pub mod semver_rules;
pub mod strict_json;
pub mod trust;
pub mod values;
