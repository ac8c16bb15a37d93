//! DANGER: the choices that weaken what a verified bundle proves, as named values, after
//! rustls's `danger` module. Verification takes each only as a value of this module, so
//! `grep -rn 'danger::'` lists every place kakunin accepts one; nothing else turns them on.
//!
//! - [`IgnoreTlog`] (`--insecure-ignore-tlog`, cosign's name): transparency-log inclusion is not
//!   required ([`super::Policy::danger_ignore_tlog`], and for cosign's layers
//!   [`crate::cosign::Options::insecure_ignore_tlog`]). A bundle with no log entry is accepted on
//!   its signature and RFC 3161 timestamp alone: nothing proves the signature was ever made
//!   public. The signature check says so in its own text.
//! - [`TsaOnly`]: a trusted root without a transparency log (GitHub's instance) is accepted,
//!   its bundles verified on their RFC 3161 timestamps alone
//!   ([`crate::trust::Trust::accept_tsa_only`]). Without it, such a root verifies nothing.

/// DANGER: do not require transparency-log inclusion (`--insecure-ignore-tlog`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IgnoreTlog;

/// DANGER: accept a trusted root that has no transparency log (GitHub's instance): signing
/// times come from its timestamp authorities alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TsaOnly;
