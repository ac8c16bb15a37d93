//! A release's checks are decided in [`kakunin_verify::release`] (re-exported here); this module
//! adds how its evidence is gathered: [`gather`] from the Helm repository, the release page, the
//! kit or the cache, and [`registry`] from the image's registry.

pub use kakunin_verify::release::*;

pub mod gather;
pub mod registry;
