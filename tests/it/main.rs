//! kakunin's integration tests: one test binary (one link), a module per area.

mod attestation;
mod attestation_key;
mod bundle;
mod byte_flip;
mod chart;
mod cli;
mod common;
mod cosign_key;
mod download;
mod evidence;
mod fetch;
mod kit;
mod network;
mod post_render;
mod publish;
mod registry;
mod release;
mod semver_rules;
mod sign_bundle;
mod signer_flags;
mod sigstore_instance;
mod support;
mod verify;
mod version_flag;
mod world;
