//! The table of checks: each check's id, its title in reports, its description for SARIF's
//! rules and its row in `docs/verify.md`, in one place.
//!
//! Guarantees: an id is listed once ([`SPECS`]), [`super::ids`] are these specs' ids, and the
//! table of release checks in `docs/verify.md` is generated from [`SPECS`] (a unit test fails
//! when the page differs; `KAKUNIN_WRITE_DOCS=1 cargo test -p kakunin-verify --lib check::spec`
//! rewrites it). A check of a spec is built by the spec ([`CheckSpec::pass`], …), so its id and
//! title cannot drift apart.

use super::Check;

/// Where the docs of the checks are published (the repository's `docs/`).
pub const DOCS: &str = "https://github.com/kakunin/kakunin/blob/main/docs/";

/// One check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckSpec {
    /// Stable id of the JSON report (add, never rename). See `docs/report.md`.
    pub id: &'static str,
    /// The title reports give the check, when it has one title; `None` when every report titles
    /// it after what it checked (a bundle, an image, a policy rule).
    pub title: Option<&'static str>,
    /// Its description for reports that describe their rules (SARIF's `tool.driver.rules`);
    /// `None`: described from the report's title, with the report docs as its help.
    pub rule: Option<Rule>,
    /// Its row in `docs/verify.md`'s table of the checks of a chart release ("passes when").
    pub passes_when: Option<&'static str>,
}

/// A check's description, for SARIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// A name for the rule (SARIF `name`: an identifier in UpperCamelCase).
    pub name: &'static str,
    /// The docs page, relative to [`DOCS`].
    pub page: &'static str,
    pub short: &'static str,
    pub full: &'static str,
}

impl CheckSpec {
    /// The title of its checks (its id when it has none: such a spec's callers give theirs).
    pub const fn title(&self) -> &'static str {
        match self.title {
            Some(t) => t,
            None => self.id,
        }
    }

    /// Its check, passed.
    pub fn pass(&self, expected: impl Into<String>, found: impl Into<String>) -> Check {
        Check::pass(self.id, self.title(), expected, found)
    }

    /// Its check, failed.
    pub fn fail(&self, expected: impl Into<String>, found: impl Into<String>) -> Check {
        Check::fail(self.id, self.title(), expected, found)
    }

    /// Its check, not run (`why` in `found`).
    pub fn not_run(&self, expected: impl Into<String>, why: impl Into<String>) -> Check {
        Check::not_run(self.id, self.title(), expected, why)
    }

    /// Its check: passed when `found == expected`, else failed.
    pub fn compare(&self, expected: impl Into<String>, found: impl Into<String>) -> Check {
        Check::compare(self.id, self.title(), expected, found)
    }

    /// Its check: passed when `ok`, else failed.
    pub fn pass_if(
        &self,
        ok: bool,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Check {
        Check::pass_if(ok, self.id, self.title(), expected, found)
    }
}

/// The spec of check `id`, when the table lists it.
pub fn spec_of(id: &str) -> Option<&'static CheckSpec> {
    SPECS.iter().find(|s| s.id == id)
}

/// The SARIF description of check `id`, when the table has one.
pub fn rule_of(id: &str) -> Option<&'static Rule> {
    spec_of(id).and_then(|s| s.rule.as_ref())
}

/// An UpperCamelCase name for an id the table does not describe (`image.cosign-signature` →
/// `ImageCosignSignature`).
pub fn name_of(id: &str) -> String {
    id.split(['.', '-', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// The table of the checks of a chart release in `docs/verify.md`: every spec with a
/// `passes_when`, in the order of [`SPECS`] (the order the checks run in).
pub fn release_table() -> String {
    let mut t = String::from("| id | passes when |\n|---|---|\n");
    for s in SPECS {
        if let Some(row) = s.passes_when {
            t.push_str(&format!("| `{}` | {row} |\n", s.id));
        }
    }
    t
}

const VERIFY: &str = "verify.md";
const BUNDLE: &str = "verify-bundle.md";
const ATTESTATION: &str = "verify-attestation.md";
const POLICY: &str = "policy.md";

/// `bundle.signature`.
pub const BUNDLE_SIGNATURE: CheckSpec = CheckSpec {
    id: "bundle.signature",
    title: None,
    rule: Some(Rule {
        name: "BundleSignature",
        page: BUNDLE,
        short: "The Sigstore bundle verifies against the trusted root.",
        full: "The Sigstore bundle verifies against the trusted root: the certificate chains to a trusted Fulcio CA, its SCT and its transparency-log inclusion (or RFC 3161 timestamp) are valid, and the signature covers the artifact's digest.",
    }),
    passes_when: None,
};

/// `bundle.identity`.
pub const BUNDLE_IDENTITY: CheckSpec = CheckSpec {
    id: "bundle.identity",
    title: None,
    rule: Some(Rule {
        name: "BundleIdentity",
        page: BUNDLE,
        short: "The signing certificate's identity (SAN) is the expected one.",
        full: "The signing certificate's subject alternative name equals the expected identity, or matches the expected regular expression as a whole (^(?:RE)$).",
    }),
    passes_when: None,
};

/// `bundle.issuer`.
pub const BUNDLE_ISSUER: CheckSpec = CheckSpec {
    id: "bundle.issuer",
    title: None,
    rule: Some(Rule {
        name: "BundleIssuer",
        page: BUNDLE,
        short: "The signing certificate's OIDC issuer is the expected one.",
        full: "The Fulcio OIDC issuer extension of the signing certificate equals the expected issuer.",
    }),
    passes_when: None,
};

/// `bundle.github-claims`.
pub const BUNDLE_GITHUB_CLAIMS: CheckSpec = CheckSpec {
    id: "bundle.github-claims",
    title: None,
    rule: Some(Rule {
        name: "BundleGitHubClaims",
        page: BUNDLE,
        short: "A GitHub claim of the certificate is the expected one.",
        full: "A GitHub Actions claim of the signing certificate (source repository, ref, workflow, source digest) equals the one asked for.",
    }),
    passes_when: None,
};

/// `attestation.payload-type`.
pub const ATTESTATION_PAYLOAD_TYPE: CheckSpec = CheckSpec {
    id: "attestation.payload-type",
    title: None,
    rule: Some(Rule {
        name: "AttestationPayloadType",
        page: ATTESTATION,
        short: "The DSSE envelope carries an in-toto statement.",
        full: "The bundle holds a DSSE envelope whose payloadType is application/vnd.in-toto+json.",
    }),
    passes_when: None,
};

/// `attestation.statement`.
pub const ATTESTATION_STATEMENT: CheckSpec = CheckSpec {
    id: "attestation.statement",
    title: None,
    rule: Some(Rule {
        name: "AttestationStatement",
        page: ATTESTATION,
        short: "The payload is a well-formed in-toto Statement.",
        full: "The payload is an in-toto Statement v1 or v0.1 with at least one subject, every subject with a non-empty digest set, and a predicateType.",
    }),
    passes_when: None,
};

/// `attestation.subject`.
pub const ATTESTATION_SUBJECT: CheckSpec = CheckSpec {
    id: "attestation.subject",
    title: None,
    rule: Some(Rule {
        name: "AttestationSubject",
        page: ATTESTATION,
        short: "A subject of the statement is the artifact.",
        full: "One of the statement's subjects names the artifact's digest (and its name, when given).",
    }),
    passes_when: None,
};

/// `attestation.predicate-type`.
pub const ATTESTATION_PREDICATE_TYPE: CheckSpec = CheckSpec {
    id: "attestation.predicate-type",
    title: None,
    rule: Some(Rule {
        name: "AttestationPredicateType",
        page: ATTESTATION,
        short: "The predicateType is the expected one.",
        full: "The statement's predicateType is the one asked for (default https://slsa.dev/provenance/v1).",
    }),
    passes_when: None,
};

/// `attestation.provenance`.
pub const ATTESTATION_PROVENANCE: CheckSpec = CheckSpec {
    id: "attestation.provenance",
    title: None,
    rule: Some(Rule {
        name: "AttestationProvenance",
        page: ATTESTATION,
        short: "The SLSA provenance is well formed and bound to the certificate.",
        full: "The SLSA predicate is well formed, of a build type kakunin binds to the signing certificate, with no external parameter the build type does not define.",
    }),
    passes_when: None,
};

/// `attestation.envelope`.
pub const ATTESTATION_ENVELOPE: CheckSpec = CheckSpec {
    id: "attestation.envelope",
    title: None,
    rule: Some(Rule {
        name: "AttestationEnvelope",
        page: ATTESTATION,
        short: "The .intoto.jsonl is the bundle's DSSE envelope.",
        full: "The .intoto.jsonl file holds the same DSSE envelope (payload and signatures) as the verified bundle.",
    }),
    passes_when: None,
};

/// `attestation.workflow-repository`.
pub const ATTESTATION_WORKFLOW_REPOSITORY: CheckSpec = CheckSpec {
    id: "attestation.workflow-repository",
    title: None,
    rule: Some(Rule {
        name: "AttestationWorkflowRepository",
        page: ATTESTATION,
        short: "The provenance's repository is the certificate's.",
        full: "The repository the provenance names equals the certificate's Source Repository URI (and the one asked for).",
    }),
    passes_when: None,
};

/// `attestation.workflow-ref`.
pub const ATTESTATION_WORKFLOW_REF: CheckSpec = CheckSpec {
    id: "attestation.workflow-ref",
    title: None,
    rule: Some(Rule {
        name: "AttestationWorkflowRef",
        page: ATTESTATION,
        short: "The provenance's git ref is the certificate's.",
        full: "The git ref the provenance names equals the certificate's Source Repository Ref (and the one asked for).",
    }),
    passes_when: None,
};

/// `attestation.workflow-path`.
pub const ATTESTATION_WORKFLOW_PATH: CheckSpec = CheckSpec {
    id: "attestation.workflow-path",
    title: None,
    rule: Some(Rule {
        name: "AttestationWorkflowPath",
        page: ATTESTATION,
        short: "The provenance's workflow is the certificate's build config.",
        full: "The workflow path the provenance names equals the path of the certificate's Build Config URI (and the one asked for).",
    }),
    passes_when: None,
};

/// `attestation.source-commit`.
pub const ATTESTATION_SOURCE_COMMIT: CheckSpec = CheckSpec {
    id: "attestation.source-commit",
    title: None,
    rule: Some(Rule {
        name: "AttestationSourceCommit",
        page: ATTESTATION,
        short: "The provenance's source commit is the certificate's.",
        full: "The resolved source commit of the provenance equals the certificate's Source Repository Digest (and the one asked for).",
    }),
    passes_when: None,
};

/// `attestation.builder-id`.
pub const ATTESTATION_BUILDER_ID: CheckSpec = CheckSpec {
    id: "attestation.builder-id",
    title: None,
    rule: Some(Rule {
        name: "AttestationBuilderId",
        page: ATTESTATION,
        short: "The provenance's builder is the expected one.",
        full: "builder.id is the builder that the build type and the certificate name (and the one asked for).",
    }),
    passes_when: None,
};

/// `attestation.runner-environment`.
pub const ATTESTATION_RUNNER_ENVIRONMENT: CheckSpec = CheckSpec {
    id: "attestation.runner-environment",
    title: None,
    rule: Some(Rule {
        name: "AttestationRunnerEnvironment",
        page: ATTESTATION,
        short: "The build ran on a GitHub-hosted runner.",
        full: "The build ran on a GitHub-hosted runner, unless self-hosted runners are allowed explicitly.",
    }),
    passes_when: None,
};

/// `cosign.payload`.
pub const COSIGN_PAYLOAD: CheckSpec = CheckSpec {
    id: "cosign.payload",
    title: None,
    rule: None,
    passes_when: None,
};

/// `cosign.docker-reference`.
pub const COSIGN_DOCKER_REFERENCE: CheckSpec = CheckSpec {
    id: "cosign.docker-reference",
    title: None,
    rule: None,
    passes_when: None,
};

/// `image.signature`.
pub const IMAGE_SIGNATURE: CheckSpec = CheckSpec {
    id: "image.signature",
    title: None,
    rule: None,
    passes_when: None,
};

/// `image.attestation`.
pub const IMAGE_ATTESTATION: CheckSpec = CheckSpec {
    id: "image.attestation",
    title: None,
    rule: None,
    passes_when: None,
};

/// `image.platform`.
pub const IMAGE_PLATFORM: CheckSpec = CheckSpec {
    id: "image.platform",
    title: None,
    rule: None,
    passes_when: None,
};

/// `chart.index-digest`.
pub const CHART_INDEX_DIGEST: CheckSpec = CheckSpec {
    id: "chart.index-digest",
    title: Some("chart package digest equals the Helm index"),
    rule: Some(Rule {
        name: "ChartIndexDigest",
        page: VERIFY,
        short: "The chart package's digest is the Helm index's.",
        full: "The sha256 of the chart package (.tgz) equals the digest that the Helm repository's index.yaml lists for the chart version.",
    }),
    passes_when: Some(
        "the package's sha256 is the digest the Helm index lists; fails, naming every entry, when the index lists the release twice differently (Helm may install either), and fails when the Helm repository serves something that is not an index",
    ),
};

/// `chart.metadata`.
pub const CHART_METADATA: CheckSpec = CheckSpec {
    id: "chart.metadata",
    title: Some("Chart.yaml name, version and appVersion are the index entry's"),
    rule: Some(Rule {
        name: "ChartMetadata",
        page: VERIFY,
        short: "Chart.yaml's name, version and appVersion are the index entry's.",
        full: "The name, version and appVersion in the package's Chart.yaml equal the Helm index entry's.",
    }),
    passes_when: Some(
        "the package's `Chart.yaml` name, version and appVersion are the index entry's; fails when the package obtained is not a readable chart",
    ),
};

/// `chart.prov`.
pub const CHART_PROV: CheckSpec = CheckSpec {
    id: "chart.prov",
    title: Some("Helm .prov signature and files: digest"),
    rule: Some(Rule {
        name: "ChartProv",
        page: VERIFY,
        short: "The Helm .prov is signed by the keyring and covers the package.",
        full: "When the profile requires it, the chart's .prov is signed by a key of the keyring and its files: digest is the package's.",
    }),
    passes_when: Some(
        "(when `require.prov`) the `.prov` is signed by a key of the keyring and its `files:` digest is the package's",
    ),
};

/// `chart.bundle`.
pub const CHART_BUNDLE: CheckSpec = CheckSpec {
    id: "chart.bundle",
    title: Some("chart .sigstore verifies with the chart workflow's identity"),
    rule: Some(Rule {
        name: "ChartBundle",
        page: VERIFY,
        short: "The chart's .sigstore verifies with the chart workflow's identity.",
        full: "The chart release's .sigstore bundle verifies against the trusted root, signed by the chart workflow's identity and OIDC issuer.",
    }),
    passes_when: Some(
        "the chart's `.sigstore` verifies against the trusted root, signed by the chart workflow's identity and issuer",
    ),
};

/// `chart.subject`.
pub const CHART_SUBJECT: CheckSpec = CheckSpec {
    id: "chart.subject",
    title: Some("chart statement's subject is the chart package"),
    rule: Some(Rule {
        name: "ChartSubject",
        page: VERIFY,
        short: "The chart statement's subject is the chart package.",
        full: "The verified chart statement's subject is the chart package's sha256.",
    }),
    passes_when: Some("that (verified) statement's subject is the package's sha256"),
};

/// `chart.envelope`.
pub const CHART_ENVELOPE: CheckSpec = CheckSpec {
    id: "chart.envelope",
    title: Some("chart .intoto.jsonl is the bundle's DSSE envelope"),
    rule: Some(Rule {
        name: "ChartEnvelope",
        page: VERIFY,
        short: "The chart's .intoto.jsonl is the bundle's DSSE envelope.",
        full: "The chart release's .intoto.jsonl is the DSSE envelope of its verified bundle.",
    }),
    passes_when: Some("the chart's `.intoto.jsonl` is that bundle's DSSE envelope"),
};

/// `chart.package`.
pub const CHART_PACKAGE: CheckSpec = CheckSpec {
    id: "chart.package",
    title: Some("chart package is a chart Helm can read (size, archive, Chart.yaml)"),
    rule: Some(Rule {
        name: "ChartPackage",
        page: VERIFY,
        short: "The chart package is a chart Helm can read, within kakunin's caps.",
        full: "The chart package (a local .tgz, a repository download, an OCI chart layer) is within the size cap and is a gzip tar holding <chart>/Chart.yaml that kakunin's bounded reader accepts.",
    }),
    passes_when: None,
};

/// `chart.oci-manifest`.
pub const CHART_OCI_MANIFEST: CheckSpec = CheckSpec {
    id: "chart.oci-manifest",
    title: Some("OCI manifest is a Helm chart (config and layer media types)"),
    rule: Some(Rule {
        name: "ChartOciManifest",
        page: VERIFY,
        short: "The OCI manifest is a Helm chart's.",
        full: "The OCI manifest's config has Helm's media type (application/vnd.cncf.helm.config.v1+json), it has exactly one chart content layer and at most one provenance layer.",
    }),
    passes_when: None,
};

/// `chart.oci-layer`.
pub const CHART_OCI_LAYER: CheckSpec = CheckSpec {
    id: "chart.oci-layer",
    title: Some("chart layer's bytes are the manifest's digest and size"),
    rule: Some(Rule {
        name: "ChartOciLayer",
        page: VERIFY,
        short: "The chart layer's bytes are the manifest's digest and size.",
        full: "The chart content layer fetched from the registry hashes to the digest its descriptor names and has the size it names.",
    }),
    passes_when: None,
};

/// `chart.signature`.
pub const CHART_SIGNATURE: CheckSpec = CheckSpec {
    id: "chart.signature",
    title: None,
    rule: Some(Rule {
        name: "ChartSignature",
        page: VERIFY,
        short: "A signature of the OCI chart manifest verifies with the expected signer.",
        full: "At least one signature of the OCI chart's manifest digest (a Sigstore bundle referrer, the referrers fallback tag, or a cosign .sig tag) verifies with the signer given.",
    }),
    passes_when: None,
};

/// `chart.attestation`.
pub const CHART_ATTESTATION: CheckSpec = CheckSpec {
    id: "chart.attestation",
    title: None,
    rule: Some(Rule {
        name: "ChartAttestation",
        page: VERIFY,
        short: "An attestation of the asked predicate type verifies for the OCI chart manifest.",
        full: "An attestation of the predicate type asked for (--attestation), attached to the OCI chart manifest in any form verify-image reads, verifies with the signer given and names the manifest digest.",
    }),
    passes_when: None,
};

/// `image.reference`.
pub const IMAGE_REFERENCE: CheckSpec = CheckSpec {
    id: "image.reference",
    title: Some("image reference: project repository, release tag, pinned digest"),
    rule: Some(Rule {
        name: "ImageReference",
        page: VERIFY,
        short: "The chart deploys the project's image, pinned by digest.",
        full: "The chart deploys one of the project's image repositories (a valid, lower-case OCI reference) with a pinned sha256 digest; an unpinned image fails unless the profile allows it.",
    }),
    passes_when: Some(
        "the chart deploys one of the project's image repositories (a valid, lower-case OCI reference) with a pinned sha256 digest; unpinned fails unless `require.allow_unpinned_image`, and then the report says the tag was resolved",
    ),
};

/// `image.registry-digest`.
pub const IMAGE_REGISTRY_DIGEST: CheckSpec = CheckSpec {
    id: "image.registry-digest",
    title: Some("registry's digest for the tag equals the pinned digest"),
    rule: Some(Rule {
        name: "ImageRegistryDigest",
        page: VERIFY,
        short: "The registry's digest for the tag is the pinned digest.",
        full: "The manifest digest the registry serves for the chart's image tag equals the digest the chart pins.",
    }),
    passes_when: Some("the registry's digest for the chart's tag is the pinned digest"),
};

/// `image.bundle`.
pub const IMAGE_BUNDLE: CheckSpec = CheckSpec {
    id: "image.bundle",
    title: Some("image release .sigstore verifies with the image workflow's identity"),
    rule: Some(Rule {
        name: "ImageBundle",
        page: VERIFY,
        short: "The image release's .sigstore verifies with the image workflow's identity.",
        full: "The image release's .sigstore bundle (release <appVersion>) verifies, signed by the image workflow at refs/tags/<appVersion>.",
    }),
    passes_when: Some(
        "the image release's `.sigstore` (release `<appVersion>`) verifies, signed by the image workflow at `refs/tags/<appVersion>`",
    ),
};

/// `image.envelope`.
pub const IMAGE_ENVELOPE: CheckSpec = CheckSpec {
    id: "image.envelope",
    title: Some("image .intoto.jsonl is the bundle's DSSE envelope"),
    rule: Some(Rule {
        name: "ImageEnvelope",
        page: VERIFY,
        short: "The image release's .intoto.jsonl is the bundle's DSSE envelope.",
        full: "The image release's .intoto.jsonl is the DSSE envelope of its verified bundle.",
    }),
    passes_when: Some("the image release's `.intoto.jsonl` is that bundle's DSSE envelope"),
};

/// `image.registry-attestation`.
pub const IMAGE_REGISTRY_ATTESTATION: CheckSpec = CheckSpec {
    id: "image.registry-attestation",
    title: Some("attestation attached in the registry verifies"),
    rule: Some(Rule {
        name: "ImageRegistryAttestation",
        page: VERIFY,
        short: "An attestation attached in the registry verifies.",
        full: "When the profile requires it, a Sigstore bundle attached to the image in its registry verifies with the image workflow's identity and names the pinned digest.",
    }),
    passes_when: Some(
        "(when `require.registry_attestation`) a bundle attached to the image in its registry verifies with the image workflow's identity and its statement names the pinned digest; every attached bundle is tried, and the others are listed with why each was not used (in `found`, and in JSON `details.registry_attestations`: `source`, `used`, `why`)",
    ),
};

/// `image.subject`.
pub const IMAGE_SUBJECT: CheckSpec = CheckSpec {
    id: "image.subject",
    title: Some("image attestations' subject is the pinned digest"),
    rule: Some(Rule {
        name: "ImageSubject",
        page: VERIFY,
        short: "The image attestations' subject is the pinned digest.",
        full: "Every verified image statement names the digest the chart pins as its subject.",
    }),
    passes_when: Some("both image statements name the pinned digest as their subject"),
};

/// `image.source-ref`.
pub const IMAGE_SOURCE_REF: CheckSpec = CheckSpec {
    id: "image.source-ref",
    title: Some("image was built from refs/tags/<appVersion>"),
    rule: Some(Rule {
        name: "ImageSourceRef",
        page: VERIFY,
        short: "The image was built from refs/tags/<appVersion>.",
        full: "The Source Repository Ref of the image certificates is refs/tags/<appVersion>.",
    }),
    passes_when: Some("both certificates' Source Repository Ref is `refs/tags/<appVersion>`"),
};

/// `semver.chart-version`.
pub const SEMVER_CHART_VERSION: CheckSpec = CheckSpec {
    id: "semver.chart-version",
    title: Some("chart version is SemVer 2.0 without `v`"),
    rule: Some(Rule {
        name: "SemverChartVersion",
        page: VERIFY,
        short: "The chart version is SemVer 2.0 without v.",
        full: "The chart version is SemVer 2.0 without a leading v (a pre-release only when the profile allows pre-releases).",
    }),
    passes_when: Some(
        "the chart version is SemVer 2.0 without `v` (a pre-release only if allowed)",
    ),
};

/// `semver.release-tag`.
pub const SEMVER_RELEASE_TAG: CheckSpec = CheckSpec {
    id: "semver.release-tag",
    title: Some("chart release tag is <chart>-<version>"),
    rule: Some(Rule {
        name: "SemverReleaseTag",
        page: VERIFY,
        short: "The chart release tag is <chart>-<version>.",
        full: "The chart was published under the release tag <chart>-<version>.",
    }),
    passes_when: Some("the chart was published under the release tag `<chart>-<version>`"),
};

/// `semver.app-version`.
pub const SEMVER_APP_VERSION: CheckSpec = CheckSpec {
    id: "semver.app-version",
    title: Some("appVersion and image tag are the same v + SemVer release"),
    rule: Some(Rule {
        name: "SemverAppVersion",
        page: VERIFY,
        short: "appVersion and the image tag are the same v + SemVer release.",
        full: "appVersion is v + SemVer and the image tag equals it; never main, latest or another moving tag.",
    }),
    passes_when: Some(
        "`appVersion` is `v` + SemVer and the image tag equals it; never `main`, `latest` or another moving tag (not run when the chart's image, and so its tag, is not known)",
    ),
};

/// `semver.no-downgrade`.
pub const SEMVER_NO_DOWNGRADE: CheckSpec = CheckSpec {
    id: "semver.no-downgrade",
    title: Some("no newer chart points at an older image than an earlier chart"),
    rule: Some(Rule {
        name: "SemverNoDowngrade",
        page: VERIFY,
        short: "No newer chart points at an older image.",
        full: "No chart earlier in the Helm index (by SemVer precedence) points at a newer image than this chart does.",
    }),
    passes_when: Some(
        "no earlier chart in the index points at a newer image (not run when the index has no entry for the release)",
    ),
};

/// `semver.image-release`.
pub const SEMVER_IMAGE_RELEASE: CheckSpec = CheckSpec {
    id: "semver.image-release",
    title: Some("appVersion is an image release that exists"),
    rule: Some(Rule {
        name: "SemverImageRelease",
        page: VERIFY,
        short: "appVersion is an image release that exists.",
        full: "The appVersion is an image release that exists: a v + SemVer tag of the image repository.",
    }),
    passes_when: Some(
        "the appVersion is an image release that exists: a `v` + SemVer tag in the registry's tag list (not run when the tag list could not be obtained or read: nothing else stands in for it)",
    ),
};

/// `image.pinned`.
pub const IMAGE_PINNED: CheckSpec = CheckSpec {
    id: "image.pinned",
    title: Some("the image is pinned by digest (or resolved by an allowed, non-moving tag)"),
    rule: Some(Rule {
        name: "ImagePinned",
        page: POLICY,
        short: "The deployed image is pinned by digest.",
        full: "An image the chart deploys (with the user's --values and --set) is pinned by a sha256 digest, or, where its policy rule allows resolve_by_tag, by a tag that does not move and that the registry resolved; its rule's tag rules (tag = appVersion, SemVer tag) hold.",
    }),
    passes_when: None,
};

/// `image.policy`.
pub const IMAGE_POLICY: CheckSpec = CheckSpec {
    id: "image.policy",
    title: Some("a policy rule covers the image"),
    rule: Some(Rule {
        name: "ImagePolicy",
        page: POLICY,
        short: "A policy rule covers the deployed image.",
        full: "An image the chart deploys is covered by an images rule of the policy (repository glob), or listed under allow_unverified (then reported as deployed without verification); an image no rule covers fails (fail-closed).",
    }),
    passes_when: None,
};

/// Every check, in the order of `docs/report.md`.
pub const SPECS: &[CheckSpec] = &[
    BUNDLE_SIGNATURE,
    BUNDLE_IDENTITY,
    BUNDLE_ISSUER,
    BUNDLE_GITHUB_CLAIMS,
    ATTESTATION_PAYLOAD_TYPE,
    ATTESTATION_STATEMENT,
    ATTESTATION_SUBJECT,
    ATTESTATION_PREDICATE_TYPE,
    ATTESTATION_PROVENANCE,
    ATTESTATION_ENVELOPE,
    ATTESTATION_WORKFLOW_REPOSITORY,
    ATTESTATION_WORKFLOW_REF,
    ATTESTATION_WORKFLOW_PATH,
    ATTESTATION_SOURCE_COMMIT,
    ATTESTATION_BUILDER_ID,
    ATTESTATION_RUNNER_ENVIRONMENT,
    COSIGN_PAYLOAD,
    COSIGN_DOCKER_REFERENCE,
    IMAGE_SIGNATURE,
    IMAGE_ATTESTATION,
    IMAGE_PLATFORM,
    CHART_INDEX_DIGEST,
    CHART_METADATA,
    CHART_PROV,
    CHART_BUNDLE,
    CHART_SUBJECT,
    CHART_ENVELOPE,
    CHART_PACKAGE,
    CHART_OCI_MANIFEST,
    CHART_OCI_LAYER,
    CHART_SIGNATURE,
    CHART_ATTESTATION,
    IMAGE_REFERENCE,
    IMAGE_REGISTRY_DIGEST,
    IMAGE_BUNDLE,
    IMAGE_ENVELOPE,
    IMAGE_REGISTRY_ATTESTATION,
    IMAGE_SUBJECT,
    IMAGE_SOURCE_REF,
    SEMVER_CHART_VERSION,
    SEMVER_RELEASE_TAG,
    SEMVER_APP_VERSION,
    SEMVER_NO_DOWNGRADE,
    SEMVER_IMAGE_RELEASE,
    IMAGE_PINNED,
    IMAGE_POLICY,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The markers around the generated table in `docs/verify.md`.
    const BEGIN: &str = "<!-- checks: generated from crates/kakunin-verify/src/check/spec.rs (KAKUNIN_WRITE_DOCS=1 cargo test -p kakunin-verify --lib check::spec) -->\n";
    const END: &str = "<!-- end of the generated checks -->\n";

    fn docs(page: &str) -> std::path::PathBuf {
        // The workspace's docs/, two levels above this crate.
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs")
            .join(page)
    }

    /// `text` with the generated table between the markers replaced by `table`.
    fn with_table(text: &str, table: &str) -> Option<String> {
        let start = text.find(BEGIN)? + BEGIN.len();
        let end = start + text[start..].find(END)?;
        Some(format!("{}\n{table}\n{}", &text[..start], &text[end..]))
    }

    #[test]
    fn docs_verify_md_lists_the_release_checks_of_the_table() {
        let path = docs(VERIFY);
        let text = std::fs::read_to_string(&path).unwrap();
        let generated = with_table(&text, &release_table()).unwrap_or_else(|| {
            panic!("docs/verify.md has no generated table between {BEGIN:?} and {END:?}")
        });
        if std::env::var_os("KAKUNIN_WRITE_DOCS").is_some_and(|v| v == "1") {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        assert!(
            text == generated,
            "docs/verify.md's table of checks differs from check/spec.rs: expected\n{}\nrewrite it with KAKUNIN_WRITE_DOCS=1 cargo test -p kakunin-verify --lib check::spec",
            release_table()
        );
    }

    #[test]
    fn a_changed_row_is_seen() {
        let text = format!("intro\n{BEGIN}\n{}\n{END}after\n", release_table());
        assert_eq!(with_table(&text, &release_table()).unwrap(), text);
        let stale = text.replace("| `chart.prov` |", "| `chart.prov-x` |");
        assert_ne!(with_table(&stale, &release_table()).unwrap(), stale);
        assert!(with_table("no markers", "t").is_none());
    }

    #[test]
    fn every_spec_is_complete_and_its_rule_named_after_its_id() {
        let mut seen = std::collections::BTreeSet::new();
        for s in SPECS {
            assert!(seen.insert(s.id), "{} listed twice", s.id);
            if s.passes_when.is_some() {
                assert!(s.title.is_some(), "{}: a release check has a title", s.id);
            }
            let Some(r) = &s.rule else { continue };
            assert_eq!(
                r.name,
                name_of(s.id).replace("Github", "GitHub"),
                "{}",
                s.id
            );
            assert!(r.short.ends_with('.') && r.full.ends_with('.'), "{}", s.id);
            assert!(r.full.len() >= r.short.len(), "{}", s.id);
            let text = std::fs::read_to_string(docs(r.page)).unwrap();
            assert!(
                text.contains(&format!("`{}`", s.id)),
                "{} is not documented in docs/{}",
                s.id,
                r.page
            );
        }
    }

    #[test]
    fn every_id_is_a_spec() {
        // The ids module names each spec's id; a `pub const` there without a spec fails here.
        let source = include_str!("../check.rs");
        let ids = source
            .split("pub mod ids {")
            .nth(1)
            .and_then(|s| s.split("\n}").next())
            .unwrap();
        let mut n = 0;
        for line in ids
            .lines()
            .filter(|l| l.trim_start().starts_with("pub const "))
        {
            let name = line.trim_start()["pub const ".len()..]
                .split(':')
                .next()
                .unwrap();
            assert!(
                line.contains(&format!("spec::{name}.id")),
                "expected ids::{name} to be spec::{name}.id, found {line:?}"
            );
            n += 1;
        }
        assert_eq!(n, SPECS.len(), "every spec has an id constant");
    }

    #[test]
    fn an_unlisted_id_gets_a_name() {
        assert_eq!(name_of("image.cosign-signature"), "ImageCosignSignature");
        assert!(rule_of("image.cosign-signature").is_none());
        assert_eq!(rule_of("chart.bundle").unwrap().name, "ChartBundle");
        assert_eq!(CHART_BUNDLE.fail("e", "f").title, CHART_BUNDLE.title());
    }
}
