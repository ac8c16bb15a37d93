//! The release world: a reproducible, GomenHashai-shaped set of releases (charts in a Helm
//! repository, release assets in GitHub's layout, small images in a registry), built by the
//! tests themselves from [`history`] with deterministic bytes.

pub mod build;
pub mod history;
