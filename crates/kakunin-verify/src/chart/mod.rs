//! Helm charts: the repository `index.yaml`, the chart package `.tgz`, the images a chart refers
//! to, and its PGP provenance (`.tgz.prov`).
//!
//! What this module guarantees:
//! - every parser is bounded where bytes enter ([`crate::limits`]): sizes, entry counts, depth;
//! - a chart package is read in memory and never extracted to disk; an entry whose path holds
//!   `..` or is absolute, a link, a device or an over-sized entry is an error, not skipped;
//! - nothing here trusts an input because it parsed: the only verified type is
//!   [`prov::VerifiedProvenance`], which only [`prov::verify`] constructs.

pub mod constraint;
pub mod images;
pub mod index;
pub mod package;
pub mod prov;
mod yaml_scalar;

pub use constraint::{Constraint, ConstraintError};
pub use images::{ChartImage, ImageSource, InvalidReference};
pub use index::{HelmIndex, IndexEntry, IndexError, VersionRequest};
pub use package::{ChartMetadata, ChartPackage, PackageError};
pub use prov::{ProvError, VerifiedProvenance};
