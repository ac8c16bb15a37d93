//! `verify`'s policy and values flags: `--policy FILE` (docs/policy.md), and Helm's
//! `--values`/`-f` and `--set`, so that the images checked are the ones the release deploys.
//! Loading them and the image checks they lead to are `kakunin::ops::verify::policy` and
//! `ops::verify::ImageChecks`.

use std::path::PathBuf;

use clap::Args;

use kakunin::ops::verify::policy::PolicyFiles;

#[derive(Debug, Clone, Default, Args)]
pub struct PolicyArgs {
    /// A policy file (docs/policy.md): per artifact (the chart, each image by repository glob)
    /// the signer required, the attestations and the version rules; every image the chart
    /// deploys is then checked (image.policy, image.pinned, image.signature)
    #[arg(long, value_name = "FILE", conflicts_with = "profile")]
    pub policy: Option<PathBuf>,

    /// A values file the release will be installed with (helm's -f/--values; repeatable, later
    /// files win): the images checked are those it deploys
    #[arg(long = "values", short = 'f', value_name = "FILE")]
    pub values: Vec<PathBuf>,

    /// A value the release will be installed with, in helm's --set syntax (a.b=c,list[0]=d;
    /// repeatable, applied after --values)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// An images rule for the repositories GLOB matches, before the policy's own (repeatable):
    /// GLOB=FIELD=VALUE,… with the policy file's signer fields (identity, identity_regexp,
    /// issuer, issuer_regexp, github, workflow, ref, key) and attestation, signature,
    /// resolve_by_tag; or GLOB=allow_unverified (docs/policy.md)
    #[arg(long = "image-policy", value_name = "GLOB=SPEC")]
    pub image_policy: Vec<String>,
}

impl PolicyArgs {
    /// The files and values given, for the op's request.
    pub fn files(&self) -> PolicyFiles {
        PolicyFiles {
            policy: self.policy.clone(),
            values: self.values.clone(),
            set: self.set.clone(),
            image_policy: self.image_policy.clone(),
        }
    }
}
