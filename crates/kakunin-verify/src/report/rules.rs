//! What each check id means, for reports that describe their rules (SARIF's
//! `tool.driver.rules`): a name, a one-line and a full description, and the page of the docs
//! that explains the check. A check id not listed here (a command newer than this table) is
//! still described, from its title, with the report docs as its help.

/// Where the docs of the checks are published (the repository's `docs/`).
pub const DOCS: &str = "https://github.com/kakunin/kakunin/blob/main/docs/";

/// One check's description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    /// A name for the rule (SARIF `name`: an identifier in UpperCamelCase).
    pub name: &'static str,
    pub short: &'static str,
    pub full: &'static str,
    /// The docs page, relative to [`DOCS`].
    pub page: &'static str,
}

const fn rule(
    id: &'static str,
    name: &'static str,
    page: &'static str,
    short: &'static str,
    full: &'static str,
) -> Rule {
    Rule {
        id,
        name,
        short,
        full,
        page,
    }
}

const VERIFY: &str = "verify.md";
const BUNDLE: &str = "verify-bundle.md";
const ATTESTATION: &str = "verify-attestation.md";
const POLICY: &str = "policy.md";

/// Every check id kakunin's commands report, in the order of `docs/report.md`.
pub const RULES: &[Rule] = &[
    rule(
        "bundle.signature",
        "BundleSignature",
        BUNDLE,
        "The Sigstore bundle verifies against the trusted root.",
        "The Sigstore bundle verifies against the trusted root: the certificate chains to a trusted Fulcio CA, its SCT and its transparency-log inclusion (or RFC 3161 timestamp) are valid, and the signature covers the artifact's digest.",
    ),
    rule(
        "bundle.identity",
        "BundleIdentity",
        BUNDLE,
        "The signing certificate's identity (SAN) is the expected one.",
        "The signing certificate's subject alternative name equals the expected identity, or matches the expected regular expression as a whole (^(?:RE)$).",
    ),
    rule(
        "bundle.issuer",
        "BundleIssuer",
        BUNDLE,
        "The signing certificate's OIDC issuer is the expected one.",
        "The Fulcio OIDC issuer extension of the signing certificate equals the expected issuer.",
    ),
    rule(
        "bundle.github-claims",
        "BundleGitHubClaims",
        BUNDLE,
        "A GitHub claim of the certificate is the expected one.",
        "A GitHub Actions claim of the signing certificate (source repository, ref, workflow, source digest) equals the one asked for.",
    ),
    rule(
        "attestation.payload-type",
        "AttestationPayloadType",
        ATTESTATION,
        "The DSSE envelope carries an in-toto statement.",
        "The bundle holds a DSSE envelope whose payloadType is application/vnd.in-toto+json.",
    ),
    rule(
        "attestation.statement",
        "AttestationStatement",
        ATTESTATION,
        "The payload is a well-formed in-toto Statement.",
        "The payload is an in-toto Statement v1 or v0.1 with at least one subject, every subject with a non-empty digest set, and a predicateType.",
    ),
    rule(
        "attestation.subject",
        "AttestationSubject",
        ATTESTATION,
        "A subject of the statement is the artifact.",
        "One of the statement's subjects names the artifact's digest (and its name, when given).",
    ),
    rule(
        "attestation.predicate-type",
        "AttestationPredicateType",
        ATTESTATION,
        "The predicateType is the expected one.",
        "The statement's predicateType is the one asked for (default https://slsa.dev/provenance/v1).",
    ),
    rule(
        "attestation.provenance",
        "AttestationProvenance",
        ATTESTATION,
        "The SLSA provenance is well formed and bound to the certificate.",
        "The SLSA predicate is well formed, of a build type kakunin binds to the signing certificate, with no external parameter the build type does not define.",
    ),
    rule(
        "attestation.workflow-repository",
        "AttestationWorkflowRepository",
        ATTESTATION,
        "The provenance's repository is the certificate's.",
        "The repository the provenance names equals the certificate's Source Repository URI (and the one asked for).",
    ),
    rule(
        "attestation.workflow-ref",
        "AttestationWorkflowRef",
        ATTESTATION,
        "The provenance's git ref is the certificate's.",
        "The git ref the provenance names equals the certificate's Source Repository Ref (and the one asked for).",
    ),
    rule(
        "attestation.workflow-path",
        "AttestationWorkflowPath",
        ATTESTATION,
        "The provenance's workflow is the certificate's build config.",
        "The workflow path the provenance names equals the path of the certificate's Build Config URI (and the one asked for).",
    ),
    rule(
        "attestation.source-commit",
        "AttestationSourceCommit",
        ATTESTATION,
        "The provenance's source commit is the certificate's.",
        "The resolved source commit of the provenance equals the certificate's Source Repository Digest (and the one asked for).",
    ),
    rule(
        "attestation.builder-id",
        "AttestationBuilderId",
        ATTESTATION,
        "The provenance's builder is the expected one.",
        "builder.id is the builder that the build type and the certificate name (and the one asked for).",
    ),
    rule(
        "attestation.runner-environment",
        "AttestationRunnerEnvironment",
        ATTESTATION,
        "The build ran on a GitHub-hosted runner.",
        "The build ran on a GitHub-hosted runner, unless self-hosted runners are allowed explicitly.",
    ),
    rule(
        "attestation.envelope",
        "AttestationEnvelope",
        ATTESTATION,
        "The .intoto.jsonl is the bundle's DSSE envelope.",
        "The .intoto.jsonl file holds the same DSSE envelope (payload and signatures) as the verified bundle.",
    ),
    rule(
        "chart.index-digest",
        "ChartIndexDigest",
        VERIFY,
        "The chart package's digest is the Helm index's.",
        "The sha256 of the chart package (.tgz) equals the digest that the Helm repository's index.yaml lists for the chart version.",
    ),
    rule(
        "chart.metadata",
        "ChartMetadata",
        VERIFY,
        "Chart.yaml's name, version and appVersion are the index entry's.",
        "The name, version and appVersion in the package's Chart.yaml equal the Helm index entry's.",
    ),
    rule(
        "chart.prov",
        "ChartProv",
        VERIFY,
        "The Helm .prov is signed by the keyring and covers the package.",
        "When the profile requires it, the chart's .prov is signed by a key of the keyring and its files: digest is the package's.",
    ),
    rule(
        "chart.bundle",
        "ChartBundle",
        VERIFY,
        "The chart's .sigstore verifies with the chart workflow's identity.",
        "The chart release's .sigstore bundle verifies against the trusted root, signed by the chart workflow's identity and OIDC issuer.",
    ),
    rule(
        "chart.subject",
        "ChartSubject",
        VERIFY,
        "The chart statement's subject is the chart package.",
        "The verified chart statement's subject is the chart package's sha256.",
    ),
    rule(
        "chart.envelope",
        "ChartEnvelope",
        VERIFY,
        "The chart's .intoto.jsonl is the bundle's DSSE envelope.",
        "The chart release's .intoto.jsonl is the DSSE envelope of its verified bundle.",
    ),
    rule(
        "chart.package",
        "ChartPackage",
        VERIFY,
        "The chart package is a chart Helm can read, within kakunin's caps.",
        "The chart package (a local .tgz, a repository download, an OCI chart layer) is within the size cap and is a gzip tar holding <chart>/Chart.yaml that kakunin's bounded reader accepts.",
    ),
    rule(
        "chart.oci-manifest",
        "ChartOciManifest",
        VERIFY,
        "The OCI manifest is a Helm chart's.",
        "The OCI manifest's config has Helm's media type (application/vnd.cncf.helm.config.v1+json), it has exactly one chart content layer and at most one provenance layer.",
    ),
    rule(
        "chart.oci-layer",
        "ChartOciLayer",
        VERIFY,
        "The chart layer's bytes are the manifest's digest and size.",
        "The chart content layer fetched from the registry hashes to the digest its descriptor names and has the size it names.",
    ),
    rule(
        "chart.signature",
        "ChartSignature",
        VERIFY,
        "A signature of the OCI chart manifest verifies with the expected signer.",
        "At least one signature of the OCI chart's manifest digest (a Sigstore bundle referrer, the referrers fallback tag, or a cosign .sig tag) verifies with the signer given.",
    ),
    rule(
        "chart.attestation",
        "ChartAttestation",
        VERIFY,
        "An attestation of the asked predicate type verifies for the OCI chart manifest.",
        "An attestation of the predicate type asked for (--attestation), attached to the OCI chart manifest in any form verify-image reads, verifies with the signer given and names the manifest digest.",
    ),
    rule(
        "image.reference",
        "ImageReference",
        VERIFY,
        "The chart deploys the project's image, pinned by digest.",
        "The chart deploys one of the project's image repositories (a valid, lower-case OCI reference) with a pinned sha256 digest; an unpinned image fails unless the profile allows it.",
    ),
    rule(
        "image.registry-digest",
        "ImageRegistryDigest",
        VERIFY,
        "The registry's digest for the tag is the pinned digest.",
        "The manifest digest the registry serves for the chart's image tag equals the digest the chart pins.",
    ),
    rule(
        "image.bundle",
        "ImageBundle",
        VERIFY,
        "The image release's .sigstore verifies with the image workflow's identity.",
        "The image release's .sigstore bundle (release <appVersion>) verifies, signed by the image workflow at refs/tags/<appVersion>.",
    ),
    rule(
        "image.envelope",
        "ImageEnvelope",
        VERIFY,
        "The image release's .intoto.jsonl is the bundle's DSSE envelope.",
        "The image release's .intoto.jsonl is the DSSE envelope of its verified bundle.",
    ),
    rule(
        "image.registry-attestation",
        "ImageRegistryAttestation",
        VERIFY,
        "An attestation attached in the registry verifies.",
        "When the profile requires it, a Sigstore bundle attached to the image in its registry verifies with the image workflow's identity and names the pinned digest.",
    ),
    rule(
        "image.subject",
        "ImageSubject",
        VERIFY,
        "The image attestations' subject is the pinned digest.",
        "Every verified image statement names the digest the chart pins as its subject.",
    ),
    rule(
        "image.source-ref",
        "ImageSourceRef",
        VERIFY,
        "The image was built from refs/tags/<appVersion>.",
        "The Source Repository Ref of the image certificates is refs/tags/<appVersion>.",
    ),
    rule(
        "semver.chart-version",
        "SemverChartVersion",
        VERIFY,
        "The chart version is SemVer 2.0 without v.",
        "The chart version is SemVer 2.0 without a leading v (a pre-release only when the profile allows pre-releases).",
    ),
    rule(
        "semver.release-tag",
        "SemverReleaseTag",
        VERIFY,
        "The chart release tag is <chart>-<version>.",
        "The chart was published under the release tag <chart>-<version>.",
    ),
    rule(
        "semver.app-version",
        "SemverAppVersion",
        VERIFY,
        "appVersion and the image tag are the same v + SemVer release.",
        "appVersion is v + SemVer and the image tag equals it; never main, latest or another moving tag.",
    ),
    rule(
        "semver.no-downgrade",
        "SemverNoDowngrade",
        VERIFY,
        "No newer chart points at an older image.",
        "No chart earlier in the Helm index (by SemVer precedence) points at a newer image than this chart does.",
    ),
    rule(
        "semver.image-release",
        "SemverImageRelease",
        VERIFY,
        "appVersion is an image release that exists.",
        "The appVersion is an image release that exists: a v + SemVer tag of the image repository.",
    ),
    rule(
        "image.pinned",
        "ImagePinned",
        POLICY,
        "The deployed image is pinned by digest.",
        "An image the chart deploys (with the user's --values and --set) is pinned by a sha256 digest, or, where its policy rule allows resolve_by_tag, by a tag that does not move and that the registry resolved; its rule's tag rules (tag = appVersion, SemVer tag) hold.",
    ),
    rule(
        "image.policy",
        "ImagePolicy",
        POLICY,
        "A policy rule covers the deployed image.",
        "An image the chart deploys is covered by an images rule of the policy (repository glob), or listed under allow_unverified (then reported as deployed without verification); an image no rule covers fails (fail-closed).",
    ),
];

/// The description of check `id`, when the table lists it.
pub fn rule_of(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// An UpperCamelCase name for an id the table does not list (`image.cosign-signature` →
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::ids;

    #[test]
    fn every_rule_is_complete_and_named_after_its_id() {
        let mut seen = std::collections::BTreeSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "{} listed twice", r.id);
            assert_eq!(
                r.name,
                name_of(r.id).replace("Github", "GitHub"),
                "{}",
                r.id
            );
            assert!(r.short.ends_with('.') && r.full.ends_with('.'), "{}", r.id);
            assert!(r.full.len() >= r.short.len(), "{}", r.id);
            // The workspace's docs/, two levels above this crate.
            let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../docs")
                .join(r.page);
            let text = std::fs::read_to_string(&page).unwrap();
            assert!(
                text.contains(&format!("`{}`", r.id)),
                "{} is not documented in docs/{}",
                r.id,
                r.page
            );
        }
        for id in [
            ids::BUNDLE_SIGNATURE,
            ids::ATTESTATION_RUNNER_ENVIRONMENT,
            ids::CHART_INDEX_DIGEST,
            ids::SEMVER_IMAGE_RELEASE,
        ] {
            assert!(seen.contains(id), "{id}");
        }
    }

    #[test]
    fn an_unlisted_id_gets_a_name() {
        assert_eq!(name_of("image.cosign-signature"), "ImageCosignSignature");
        assert!(rule_of("image.cosign-signature").is_none());
        assert_eq!(rule_of("chart.bundle").unwrap().name, "ChartBundle");
    }
}
