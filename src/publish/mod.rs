//! Publishing: what a release pipeline runs to produce the artifacts kakunin verifies.
//!
//! `statement → sign (keyless | key) → bundle + .intoto.jsonl → write → verify what was
//! written`. What this module guarantees:
//!
//! - the statement is an in-toto Statement v1 whose subject is exactly the artifact's name and
//!   digest, with a SLSA provenance v1 predicate of GitHub's workflow build type
//!   ([`statement`]);
//! - a bundle is v0.3 JSON and its `dsseEnvelope` signs the statement's bytes as they were
//!   given (DSSE, payload type `application/vnd.in-toto+json`) ([`sign`]);
//! - a publish either leaves the complete, verified set of files under their final names or
//!   none of them ([`write`]).

pub mod identity;
pub mod sign;
pub mod write;

pub use identity::{IdentityError, TokenSource, identity_token};
pub use sign::{KeylessSigner, SignError, SigningInstance};
