
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kakunin' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kakunin'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kakunin' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Verify a chart release end to end: chart, image, bundles, attestations, versions')
            [CompletionResult]::new('verify-bundle', 'verify-bundle', [CompletionResultType]::ParameterValue, 'Verify an artifact (file or digest) against a Sigstore bundle, offline')
            [CompletionResult]::new('trust-root', 'trust-root', [CompletionResultType]::ParameterValue, 'Show the embedded Sigstore trusted roots, or refresh them through TUF into the cache')
            [CompletionResult]::new('verify-attestation', 'verify-attestation', [CompletionResultType]::ParameterValue, 'Verify an in-toto attestation: its bundle, subject, predicate type and SLSA provenance')
            [CompletionResult]::new('verify-image', 'verify-image', [CompletionResultType]::ParameterValue, 'Verify a container image''s signatures and attestations (cosign .sig/.att, Sigstore bundles)')
            [CompletionResult]::new('download', 'download', [CompletionResultType]::ParameterValue, 'Download a release (chart, provenance, bundles, image manifests and attestations) into a kit for offline verification')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'What is published for a chart (oci://, --repo, .tgz) and by whom, and a policy draft to review')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions for kakunin to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print kakunin''s manual page (roff) to stdout, or write one page per command into a directory')
            [CompletionResult]::new('sign-bundle', 'sign-bundle', [CompletionResultType]::ParameterValue, 'Sign a file or an in-toto statement keylessly (the Sigstore conformance protocol)')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Produce a release''s .sigstore bundle and .intoto.jsonl (SLSA provenance), keyless or with a key')
            [CompletionResult]::new('post-render', 'post-render', [CompletionResultType]::ParameterValue, 'Helm post-renderer: verify every rendered image and pin it by digest (manifests on stdin, to stdout)')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Export what kakunin verifies as a cluster admission policy (Kyverno, policy-controller) or GomenHashai values')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kakunin;verify' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The chart version, as `helm install --version` takes it; for oci:// and --repo charts also a SemVer constraint as Helm reads it (`^1.2`, `~1.2.3`, `>=1.0 <2`, `1.2.x`; the highest match, pre-releases only when the constraint names one), and without it their newest release')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The chart''s HTTP Helm repository (helm''s --repo): CHART is looked up in URL/index.yaml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The project''s profile (YAML); default: the chart''s built-in profile')
            [CompletionResult]::new('--kit', '--kit', [CompletionResultType]::ParameterName, 'A release kit written by `kakunin download` (read before the cache and the network)')
            [CompletionResult]::new('--trusted-root', '--trusted-root', [CompletionResultType]::ParameterName, 'Verify against this trusted_root.json instead of the profile''s')
            [CompletionResult]::new('--keyring', '--keyring', [CompletionResultType]::ParameterName, 'PGP keyring for the chart''s .prov (overrides the profile''s require.prov_keyring); given, the .prov is required (for a .tgz, the <file>.prov beside it, as `helm verify` reads it)')
            [CompletionResult]::new('--registry-config', '--registry-config', [CompletionResultType]::ParameterName, 'Registry credentials in Docker''s config.json format, tried before the Docker config''s (Helm''s registry config: `helm registry login` writes it)')
            [CompletionResult]::new('--allow-insecure-registry', '--allow-insecure-registry', [CompletionResultType]::ParameterName, 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds one file may take, from its first attempt to its last byte, retries included')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connection error, a timeout, a truncated body or a 5xx')
            [CompletionResult]::new('--emit-values', '--emit-values', [CompletionResultType]::ParameterName, 'Once verified, write Helm values that pin the verified image by digest (`helm install -f FILE`)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'A policy file (docs/policy.md): per artifact (the chart, each image by repository glob) the signer required, the attestations and the version rules; every image the chart deploys is then checked (image.policy, image.pinned, image.signature)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A values file the release will be installed with (helm''s -f/--values; repeatable, later files win): the images checked are those it deploys')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'A values file the release will be installed with (helm''s -f/--values; repeatable, later files win): the images checked are those it deploys')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'A value the release will be installed with, in helm''s --set syntax (a.b=c,list[0]=d; repeatable, applied after --values)')
            [CompletionResult]::new('--image-policy', '--image-policy', [CompletionResultType]::ParameterName, 'An images rule for the repositories GLOB matches, before the policy''s own (repeatable): GLOB=FIELD=VALUE,… with the policy file''s signer fields (identity, identity_regexp, issuer, issuer_regexp, github, workflow, ref, key) and attestation, signature, resolve_by_tag; or GLOB=allow_unverified (docs/policy.md)')
            [CompletionResult]::new('--certificate-identity', '--certificate-identity', [CompletionResultType]::ParameterName, 'The exact identity (SAN) the signing certificate must carry')
            [CompletionResult]::new('--cert-identity', '--cert-identity', [CompletionResultType]::ParameterName, 'The exact identity (SAN) the signing certificate must carry')
            [CompletionResult]::new('--certificate-identity-regexp', '--certificate-identity-regexp', [CompletionResultType]::ParameterName, 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)')
            [CompletionResult]::new('--cert-identity-regex', '--cert-identity-regex', [CompletionResultType]::ParameterName, 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)')
            [CompletionResult]::new('--certificate-oidc-issuer', '--certificate-oidc-issuer', [CompletionResultType]::ParameterName, 'The OIDC issuer the signing certificate must name')
            [CompletionResult]::new('--cert-oidc-issuer', '--cert-oidc-issuer', [CompletionResultType]::ParameterName, 'The OIDC issuer the signing certificate must name')
            [CompletionResult]::new('--certificate-oidc-issuer-regexp', '--certificate-oidc-issuer-regexp', [CompletionResultType]::ParameterName, 'A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)')
            [CompletionResult]::new('--signer-repo', '--signer-repo', [CompletionResultType]::ParameterName, 'The signing workflow is in this repository (a reusable workflow''s repository): identity https://github.com/OWNER/REPO/…')
            [CompletionResult]::new('--signer-workflow', '--signer-workflow', [CompletionResultType]::ParameterName, 'The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com')
            [CompletionResult]::new('--repository', '--repository', [CompletionResultType]::ParameterName, 'Source repository the certificate (and an attestation''s provenance) must name: OWNER/REPO (on github.com) or a URL')
            [CompletionResult]::new('--source-ref', '--source-ref', [CompletionResultType]::ParameterName, 'Source ref the certificate (and an attestation''s provenance) must name, e.g. refs/tags/v1.2.3')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Workflow file that must have run (certificate build config, and an attestation''s provenance), e.g. .github/workflows/release.yaml')
            [CompletionResult]::new('--source-digest', '--source-digest', [CompletionResultType]::ParameterName, 'Commit (hex) the certificate (and an attestation''s provenance) must name as the source')
            [CompletionResult]::new('--certificate-github-workflow-trigger', '--certificate-github-workflow-trigger', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-sha', '--certificate-github-workflow-sha', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow SHA extension: the commit (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-name', '--certificate-github-workflow-name', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Name extension (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-repository', '--certificate-github-workflow-repository', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-ref', '--certificate-github-workflow-ref', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign''s flag)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)')
            [CompletionResult]::new('--attestation', '--attestation', [CompletionResultType]::ParameterName, 'Require a verified attestation of this predicate type on the OCI chart and each image (cosign short name or URI; repeatable)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Use the embedded trusted root of this instance (default public-good)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format (--format is the same option, as `gh attestation verify --format json`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format (--format is the same option, as `gh attestation verify --format json`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format (--format is the same option, as `gh attestation verify --format json`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human report')
            [CompletionResult]::new('--github-repo', '--github-repo', [CompletionResultType]::ParameterName, 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)')
            [CompletionResult]::new('--devel', '--devel', [CompletionResultType]::ParameterName, 'Helm''s --devel: without --version, pre-releases are candidates too (>0.0.0-0)')
            [CompletionResult]::new('--all-versions', '--all-versions', [CompletionResultType]::ParameterName, 'Verify every version of the chart in its Helm index')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print the number of HTTP requests and bytes received to stderr')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use only the cache (or the kit given with --kit): no network. A missing file is named')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Do not read or write the cache (with --offline and --kit: the kit alone)')
            [CompletionResult]::new('--github-release', '--github-release', [CompletionResultType]::ParameterName, 'A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance''s root unless a root is given')
            [CompletionResult]::new('--deny-self-hosted-runners', '--deny-self-hosted-runners', [CompletionResultType]::ParameterName, 'Fail unless the certificate''s runner environment claim is github-hosted')
            [CompletionResult]::new('--insecure-ignore-tlog', '--insecure-ignore-tlog', [CompletionResultType]::ParameterName, 'DANGER: accept a bundle without transparency-log inclusion (e.g. publish --tlog-upload=false, cosign''s flag); the report says no log entry was checked')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Also show expected and found values of checks that passed (human output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Also show expected and found values of checks that passed (human output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kakunin;verify-bundle' {
            [CompletionResult]::new('--bundle', '--bundle', [CompletionResultType]::ParameterName, 'The Sigstore bundle (.sigstore, .sigstore.json, or .jsonl with one bundle a line), or cosign''s older bundle JSON')
            [CompletionResult]::new('--signature', '--signature', [CompletionResultType]::ParameterName, 'A detached signature (cosign sign-blob --output-signature; base64 or raw)')
            [CompletionResult]::new('--certificate', '--certificate', [CompletionResultType]::ParameterName, 'The signing certificate of --signature (PEM, or base64 of PEM)')
            [CompletionResult]::new('--certificate-chain', '--certificate-chain', [CompletionResultType]::ParameterName, 'The certificate''s chain (PEM): intermediates, root')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format (--format is the same option, as `gh attestation verify --format json`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format (--format is the same option, as `gh attestation verify --format json`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format (--format is the same option, as `gh attestation verify --format json`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human report')
            [CompletionResult]::new('--certificate-identity', '--certificate-identity', [CompletionResultType]::ParameterName, 'The exact identity (SAN) the signing certificate must carry')
            [CompletionResult]::new('--cert-identity', '--cert-identity', [CompletionResultType]::ParameterName, 'The exact identity (SAN) the signing certificate must carry')
            [CompletionResult]::new('--certificate-identity-regexp', '--certificate-identity-regexp', [CompletionResultType]::ParameterName, 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)')
            [CompletionResult]::new('--cert-identity-regex', '--cert-identity-regex', [CompletionResultType]::ParameterName, 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)')
            [CompletionResult]::new('--certificate-oidc-issuer', '--certificate-oidc-issuer', [CompletionResultType]::ParameterName, 'The OIDC issuer the signing certificate must name')
            [CompletionResult]::new('--cert-oidc-issuer', '--cert-oidc-issuer', [CompletionResultType]::ParameterName, 'The OIDC issuer the signing certificate must name')
            [CompletionResult]::new('--certificate-oidc-issuer-regexp', '--certificate-oidc-issuer-regexp', [CompletionResultType]::ParameterName, 'A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)')
            [CompletionResult]::new('--github-repo', '--github-repo', [CompletionResultType]::ParameterName, 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)')
            [CompletionResult]::new('--signer-repo', '--signer-repo', [CompletionResultType]::ParameterName, 'The signing workflow is in this repository (a reusable workflow''s repository): identity https://github.com/OWNER/REPO/…')
            [CompletionResult]::new('--signer-workflow', '--signer-workflow', [CompletionResultType]::ParameterName, 'The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com')
            [CompletionResult]::new('--repository', '--repository', [CompletionResultType]::ParameterName, 'Source repository the certificate (and an attestation''s provenance) must name: OWNER/REPO (on github.com) or a URL')
            [CompletionResult]::new('--source-ref', '--source-ref', [CompletionResultType]::ParameterName, 'Source ref the certificate (and an attestation''s provenance) must name, e.g. refs/tags/v1.2.3')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Workflow file that must have run (certificate build config, and an attestation''s provenance), e.g. .github/workflows/release.yaml')
            [CompletionResult]::new('--source-digest', '--source-digest', [CompletionResultType]::ParameterName, 'Commit (hex) the certificate (and an attestation''s provenance) must name as the source')
            [CompletionResult]::new('--certificate-github-workflow-trigger', '--certificate-github-workflow-trigger', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-sha', '--certificate-github-workflow-sha', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow SHA extension: the commit (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-name', '--certificate-github-workflow-name', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Name extension (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-repository', '--certificate-github-workflow-repository', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-ref', '--certificate-github-workflow-ref', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign''s flag)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Use the embedded trusted root of this instance (default public-good)')
            [CompletionResult]::new('--trusted-root', '--trusted-root', [CompletionResultType]::ParameterName, 'A trusted_root.json to verify against instead of an embedded root')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Also show expected and found values of checks that passed (human output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Also show expected and found values of checks that passed (human output)')
            [CompletionResult]::new('--github-release', '--github-release', [CompletionResultType]::ParameterName, 'A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance''s root unless a root is given')
            [CompletionResult]::new('--deny-self-hosted-runners', '--deny-self-hosted-runners', [CompletionResultType]::ParameterName, 'Fail unless the certificate''s runner environment claim is github-hosted')
            [CompletionResult]::new('--insecure-ignore-tlog', '--insecure-ignore-tlog', [CompletionResultType]::ParameterName, 'DANGER: accept a bundle without transparency-log inclusion (e.g. publish --tlog-upload=false, cosign''s flag); the report says no log entry was checked')
            [CompletionResult]::new('--staging', '--staging', [CompletionResultType]::ParameterName, 'Use the Sigstore public-good staging instance''s embedded trusted root')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Accepted for cosign compatibility: verification never uses the network (a no-op)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kakunin;trust-root' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print an embedded trusted_root.json to stdout')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Fetch the current trusted roots through TUF (network) into the cache directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kakunin;trust-root;show' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Which instance''s root')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kakunin;trust-root;update' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Which instances to refresh (default: all three)')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Where to keep the refreshed roots (default: $XDG_CACHE_HOME/kakunin/trust)')
            [CompletionResult]::new('--tuf-url', '--tuf-url', [CompletionResultType]::ParameterName, 'A mirror of the instance''s TUF repository (trust still starts from the embedded TUF root)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kakunin;trust-root;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print an embedded trusted_root.json to stdout')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Fetch the current trusted roots through TUF (network) into the cache directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kakunin;trust-root;help;show' {
            break
        }
        'kakunin;trust-root;help;update' {
            break
        }
        'kakunin;trust-root;help;help' {
            break
        }
        'kakunin;verify-attestation' {
            [CompletionResult]::new('--bundle', '--bundle', [CompletionResultType]::ParameterName, 'The Sigstore bundle holding the attestation (.sigstore, .sigstore.json, or a .jsonl / .intoto.jsonl with one bundle a line)')
            [CompletionResult]::new('--envelope', '--envelope', [CompletionResultType]::ParameterName, 'An .intoto.jsonl that must be the same DSSE envelope as the bundle''s')
            [CompletionResult]::new('--predicate-type', '--predicate-type', [CompletionResultType]::ParameterName, 'The predicateType the statement must have')
            [CompletionResult]::new('--builder-id', '--builder-id', [CompletionResultType]::ParameterName, 'The provenance''s builder id, exactly, or without its @ref to accept any ref')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format (--format is the same option, as `gh attestation verify --format json`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format (--format is the same option, as `gh attestation verify --format json`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format (--format is the same option, as `gh attestation verify --format json`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human report')
            [CompletionResult]::new('--certificate-identity', '--certificate-identity', [CompletionResultType]::ParameterName, 'The exact identity (SAN) the signing certificate must carry')
            [CompletionResult]::new('--cert-identity', '--cert-identity', [CompletionResultType]::ParameterName, 'The exact identity (SAN) the signing certificate must carry')
            [CompletionResult]::new('--certificate-identity-regexp', '--certificate-identity-regexp', [CompletionResultType]::ParameterName, 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)')
            [CompletionResult]::new('--cert-identity-regex', '--cert-identity-regex', [CompletionResultType]::ParameterName, 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)')
            [CompletionResult]::new('--certificate-oidc-issuer', '--certificate-oidc-issuer', [CompletionResultType]::ParameterName, 'The OIDC issuer the signing certificate must name')
            [CompletionResult]::new('--cert-oidc-issuer', '--cert-oidc-issuer', [CompletionResultType]::ParameterName, 'The OIDC issuer the signing certificate must name')
            [CompletionResult]::new('--certificate-oidc-issuer-regexp', '--certificate-oidc-issuer-regexp', [CompletionResultType]::ParameterName, 'A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)')
            [CompletionResult]::new('--github-repo', '--github-repo', [CompletionResultType]::ParameterName, 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)')
            [CompletionResult]::new('--signer-repo', '--signer-repo', [CompletionResultType]::ParameterName, 'The signing workflow is in this repository (a reusable workflow''s repository): identity https://github.com/OWNER/REPO/…')
            [CompletionResult]::new('--signer-workflow', '--signer-workflow', [CompletionResultType]::ParameterName, 'The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com')
            [CompletionResult]::new('--repository', '--repository', [CompletionResultType]::ParameterName, 'Source repository the certificate (and an attestation''s provenance) must name: OWNER/REPO (on github.com) or a URL')
            [CompletionResult]::new('--source-ref', '--source-ref', [CompletionResultType]::ParameterName, 'Source ref the certificate (and an attestation''s provenance) must name, e.g. refs/tags/v1.2.3')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Workflow file that must have run (certificate build config, and an attestation''s provenance), e.g. .github/workflows/release.yaml')
            [CompletionResult]::new('--source-digest', '--source-digest', [CompletionResultType]::ParameterName, 'Commit (hex) the certificate (and an attestation''s provenance) must name as the source')
            [CompletionResult]::new('--certificate-github-workflow-trigger', '--certificate-github-workflow-trigger', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-sha', '--certificate-github-workflow-sha', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow SHA extension: the commit (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-name', '--certificate-github-workflow-name', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Name extension (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-repository', '--certificate-github-workflow-repository', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-ref', '--certificate-github-workflow-ref', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign''s flag)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Use the embedded trusted root of this instance (default public-good)')
            [CompletionResult]::new('--trusted-root', '--trusted-root', [CompletionResultType]::ParameterName, 'A trusted_root.json to verify against instead of an embedded root')
            [CompletionResult]::new('--allow-self-hosted-runners', '--allow-self-hosted-runners', [CompletionResultType]::ParameterName, 'Accept builds that ran on self-hosted runners')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Also show expected and found values of checks that passed (human output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Also show expected and found values of checks that passed (human output)')
            [CompletionResult]::new('--github-release', '--github-release', [CompletionResultType]::ParameterName, 'A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance''s root unless a root is given')
            [CompletionResult]::new('--deny-self-hosted-runners', '--deny-self-hosted-runners', [CompletionResultType]::ParameterName, 'Fail unless the certificate''s runner environment claim is github-hosted')
            [CompletionResult]::new('--insecure-ignore-tlog', '--insecure-ignore-tlog', [CompletionResultType]::ParameterName, 'DANGER: accept a bundle without transparency-log inclusion (e.g. publish --tlog-upload=false, cosign''s flag); the report says no log entry was checked')
            [CompletionResult]::new('--staging', '--staging', [CompletionResultType]::ParameterName, 'Use the Sigstore public-good staging instance''s embedded trusted root')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Accepted for cosign compatibility: verification never uses the network (a no-op)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kakunin;verify-image' {
            [CompletionResult]::new('--certificate-identity', '--certificate-identity', [CompletionResultType]::ParameterName, 'The exact identity (SAN) the signing certificate must carry')
            [CompletionResult]::new('--cert-identity', '--cert-identity', [CompletionResultType]::ParameterName, 'The exact identity (SAN) the signing certificate must carry')
            [CompletionResult]::new('--certificate-identity-regexp', '--certificate-identity-regexp', [CompletionResultType]::ParameterName, 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)')
            [CompletionResult]::new('--cert-identity-regex', '--cert-identity-regex', [CompletionResultType]::ParameterName, 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)')
            [CompletionResult]::new('--certificate-oidc-issuer', '--certificate-oidc-issuer', [CompletionResultType]::ParameterName, 'The OIDC issuer the signing certificate must name')
            [CompletionResult]::new('--cert-oidc-issuer', '--cert-oidc-issuer', [CompletionResultType]::ParameterName, 'The OIDC issuer the signing certificate must name')
            [CompletionResult]::new('--certificate-oidc-issuer-regexp', '--certificate-oidc-issuer-regexp', [CompletionResultType]::ParameterName, 'A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)')
            [CompletionResult]::new('--github-repo', '--github-repo', [CompletionResultType]::ParameterName, 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)')
            [CompletionResult]::new('--signer-repo', '--signer-repo', [CompletionResultType]::ParameterName, 'The signing workflow is in this repository (a reusable workflow''s repository): identity https://github.com/OWNER/REPO/…')
            [CompletionResult]::new('--signer-workflow', '--signer-workflow', [CompletionResultType]::ParameterName, 'The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com')
            [CompletionResult]::new('--repository', '--repository', [CompletionResultType]::ParameterName, 'Source repository the certificate (and an attestation''s provenance) must name: OWNER/REPO (on github.com) or a URL')
            [CompletionResult]::new('--source-ref', '--source-ref', [CompletionResultType]::ParameterName, 'Source ref the certificate (and an attestation''s provenance) must name, e.g. refs/tags/v1.2.3')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Workflow file that must have run (certificate build config, and an attestation''s provenance), e.g. .github/workflows/release.yaml')
            [CompletionResult]::new('--source-digest', '--source-digest', [CompletionResultType]::ParameterName, 'Commit (hex) the certificate (and an attestation''s provenance) must name as the source')
            [CompletionResult]::new('--certificate-github-workflow-trigger', '--certificate-github-workflow-trigger', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-sha', '--certificate-github-workflow-sha', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow SHA extension: the commit (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-name', '--certificate-github-workflow-name', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Name extension (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-repository', '--certificate-github-workflow-repository', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign''s flag)')
            [CompletionResult]::new('--certificate-github-workflow-ref', '--certificate-github-workflow-ref', [CompletionResultType]::ParameterName, 'The certificate''s (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign''s flag)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)')
            [CompletionResult]::new('--docker-reference', '--docker-reference', [CompletionResultType]::ParameterName, 'The repository the signed payload must name (critical.identity.docker-reference)')
            [CompletionResult]::new('--attestation', '--attestation', [CompletionResultType]::ParameterName, 'Require a verified attestation of this predicate type (cosign short name or URI; repeatable)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'For an image index: also look up the signatures of this platform''s manifest (os/arch[/variant])')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Use the embedded trusted root of this instance (default public-good)')
            [CompletionResult]::new('--trusted-root', '--trusted-root', [CompletionResultType]::ParameterName, 'A trusted_root.json to verify against instead of an embedded root')
            [CompletionResult]::new('--allow-insecure-registry', '--allow-insecure-registry', [CompletionResultType]::ParameterName, 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds one file may take, from its first attempt to its last byte, retries included')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connection error, a timeout, a truncated body or a 5xx')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format (--format is the same option, as `gh attestation verify --format json`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format (--format is the same option, as `gh attestation verify --format json`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format (--format is the same option, as `gh attestation verify --format json`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human report')
            [CompletionResult]::new('--github-release', '--github-release', [CompletionResultType]::ParameterName, 'A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance''s root unless a root is given')
            [CompletionResult]::new('--deny-self-hosted-runners', '--deny-self-hosted-runners', [CompletionResultType]::ParameterName, 'Fail unless the certificate''s runner environment claim is github-hosted')
            [CompletionResult]::new('--insecure-ignore-tlog', '--insecure-ignore-tlog', [CompletionResultType]::ParameterName, 'DANGER: accept a bundle without transparency-log inclusion (e.g. publish --tlog-upload=false, cosign''s flag); the report says no log entry was checked')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use only the cache (or the kit given with --kit): no network. A missing file is named')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Do not read or write the cache (with --offline and --kit: the kit alone)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Also show expected and found values of checks that passed (human output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Also show expected and found values of checks that passed (human output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kakunin;download' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The chart version, as `helm pull --version` takes it: `CHART --version V` is `CHART@V`')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Directory to write the kit into (created if needed)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The project''s profile (default: kakunin''s built-in profile for CHART)')
            [CompletionResult]::new('--allow-insecure-registry', '--allow-insecure-registry', [CompletionResultType]::ParameterName, 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds one file may take, from its first attempt to its last byte, retries included')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connection error, a timeout, a truncated body or a 5xx')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'What to print (--format is the same option)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'What to print (--format is the same option)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'What to print (--format is the same option)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use only the cache (or the kit given with --kit): no network. A missing file is named')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Do not read or write the cache (with --offline and --kit: the kit alone)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, and no summary line')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, and no summary line')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kakunin;inspect' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The chart version, as `helm install --version` takes it; for oci:// and --repo charts also a SemVer constraint as Helm reads it (`^1.2`, `~1.2.3`, `>=1.0 <2`, `1.2.x`; the highest match, pre-releases only when the constraint names one), and without it their newest release')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The chart''s HTTP Helm repository (helm''s --repo): CHART is looked up in URL/index.yaml')
            [CompletionResult]::new('--trusted-root', '--trusted-root', [CompletionResultType]::ParameterName, 'Verify signatures against this trusted_root.json instead of the embedded public-good root')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Use the embedded trusted root of this instance (default public-good)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'human (default) or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'human (default) or json')
            [CompletionResult]::new('--allow-insecure-registry', '--allow-insecure-registry', [CompletionResultType]::ParameterName, 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds one file may take, from its first attempt to its last byte, retries included')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connection error, a timeout, a truncated body or a 5xx')
            [CompletionResult]::new('--devel', '--devel', [CompletionResultType]::ParameterName, 'Helm''s --devel: without --version, pre-releases are candidates too (>0.0.0-0)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use only the cache (or the kit given with --kit): no network. A missing file is named')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Do not read or write the cache (with --offline and --kit: the kit alone)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kakunin;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kakunin;man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write kakunin.1 and one kakunin-<command>.1 per command into this directory')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kakunin;sign-bundle' {
            [CompletionResult]::new('--identity-token', '--identity-token', [CompletionResultType]::ParameterName, 'The OIDC identity token (otherwise SIGSTORE_ID_TOKEN or GitHub Actions'' OIDC)')
            [CompletionResult]::new('--bundle', '--bundle', [CompletionResultType]::ParameterName, 'Where to write the bundle (v0.3 JSON)')
            [CompletionResult]::new('--trusted-root', '--trusted-root', [CompletionResultType]::ParameterName, 'Verify the new bundle against this trusted_root.json before keeping it')
            [CompletionResult]::new('--signing-config', '--signing-config', [CompletionResultType]::ParameterName, 'Sign with the instance this signing_config.json describes')
            [CompletionResult]::new('--staging', '--staging', [CompletionResultType]::ParameterName, 'Use Sigstore''s staging instance (sigstage.dev)')
            [CompletionResult]::new('--in-toto', '--in-toto', [CompletionResultType]::ParameterName, 'FILE is an in-toto statement: sign it as a DSSE envelope, byte for byte')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kakunin;publish' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('chart', 'chart', [CompletionResultType]::ParameterValue, 'Attest a Helm chart package: subject = the .tgz''s name and SHA-256')
            [CompletionResult]::new('image', 'image', [CompletionResultType]::ParameterValue, 'Attest a container image: subject = its repository and manifest digest')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kakunin;publish;chart' {
            [CompletionResult]::new('--prov-key', '--prov-key', [CompletionResultType]::ParameterName, 'Also write <chart>.tgz.prov, signed with this armored OpenPGP secret key (passphrase from $KAKUNIN_PROV_PASSPHRASE, if any)')
            [CompletionResult]::new('--oci', '--oci', [CompletionResultType]::ParameterName, 'Also push the chart to this OCI registry as `helm push` does (to PATH/<chart name>, tag = its version) and attach its signature and provenance as referrers')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Directory to write the files into (created when missing; existing files are never replaced)')
            [CompletionResult]::new('--identity-token', '--identity-token', [CompletionResultType]::ParameterName, 'OIDC identity token for keyless signing (else SIGSTORE_ID_TOKEN, else GitHub Actions OIDC)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Sign with this private key instead of keyless: cosign.key (passphrase from COSIGN_PASSWORD) or PKCS#8 PEM; ECDSA P-256 or Ed25519')
            [CompletionResult]::new('--public-key-out', '--public-key-out', [CompletionResultType]::ParameterName, 'Write the key''s public key (PEM) here (default: print it)')
            [CompletionResult]::new('--tlog-upload', '--tlog-upload', [CompletionResultType]::ParameterName, 'With --key: upload to the transparency log (cosign''s name). --tlog-upload=false signs offline: no log entry, verifiable only with --insecure-ignore-tlog; needs --timestamp-server')
            [CompletionResult]::new('--timestamp-server', '--timestamp-server', [CompletionResultType]::ParameterName, 'With --key: the RFC 3161 timestamp authority to use (instead of the signing config''s)')
            [CompletionResult]::new('--signing-config', '--signing-config', [CompletionResultType]::ParameterName, 'Sign with the instance this signing_config.json describes (needs --trusted-root)')
            [CompletionResult]::new('--trusted-root', '--trusted-root', [CompletionResultType]::ParameterName, 'Verify what was written against this trusted_root.json (default: the instance''s embedded root)')
            [CompletionResult]::new('--repository', '--repository', [CompletionResultType]::ParameterName, '[$GITHUB_REPOSITORY] OWNER/REPO that built the artifact')
            [CompletionResult]::new('--workflow-ref', '--workflow-ref', [CompletionResultType]::ParameterName, '[$GITHUB_WORKFLOW_REF] OWNER/REPO/.github/workflows/FILE@REF')
            [CompletionResult]::new('--job-workflow-ref', '--job-workflow-ref', [CompletionResultType]::ParameterName, 'The reusable workflow that signs, if not the top-level one (the builder id)')
            [CompletionResult]::new('--ref', '--ref', [CompletionResultType]::ParameterName, '[$GITHUB_REF] git ref built, e.g. refs/tags/v1.3.1')
            [CompletionResult]::new('--sha', '--sha', [CompletionResultType]::ParameterName, '[$GITHUB_SHA] commit built (40 hex digits)')
            [CompletionResult]::new('--event-name', '--event-name', [CompletionResultType]::ParameterName, '[$GITHUB_EVENT_NAME] e.g. push')
            [CompletionResult]::new('--repository-id', '--repository-id', [CompletionResultType]::ParameterName, '[$GITHUB_REPOSITORY_ID]')
            [CompletionResult]::new('--repository-owner-id', '--repository-owner-id', [CompletionResultType]::ParameterName, '[$GITHUB_REPOSITORY_OWNER_ID]')
            [CompletionResult]::new('--runner-environment', '--runner-environment', [CompletionResultType]::ParameterName, '[$RUNNER_ENVIRONMENT] github-hosted or self-hosted')
            [CompletionResult]::new('--run-id', '--run-id', [CompletionResultType]::ParameterName, '[$GITHUB_RUN_ID]')
            [CompletionResult]::new('--run-attempt', '--run-attempt', [CompletionResultType]::ParameterName, '[$GITHUB_RUN_ATTEMPT] (default 1)')
            [CompletionResult]::new('--server-url', '--server-url', [CompletionResultType]::ParameterName, '[$GITHUB_SERVER_URL] (default https://github.com)')
            [CompletionResult]::new('--builder-id', '--builder-id', [CompletionResultType]::ParameterName, 'Outside CI: who built it (a URI, e.g. mailto:you@example.com); with --source, makes a minimal provenance (weaker: only the signer vouches for it)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Outside CI: the repository and commit built, URI@COMMIT (with --builder-id)')
            [CompletionResult]::new('--replace-tag', '--replace-tag', [CompletionResultType]::ParameterName, 'With --oci: replace a version tag that holds another chart (never done otherwise)')
            [CompletionResult]::new('--legacy-cosign', '--legacy-cosign', [CompletionResultType]::ParameterName, 'With --oci: also write cosign''s legacy sha256-<hex>.sig and .att tags')
            [CompletionResult]::new('--plain-http', '--plain-http', [CompletionResultType]::ParameterName, 'With --oci: talk to the registry over plain HTTP (loopback always is)')
            [CompletionResult]::new('--staging', '--staging', [CompletionResultType]::ParameterName, 'Sign with Sigstore''s staging instance (sigstage.dev)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kakunin;publish;image' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'The release tag, e.g. v1.3.1 (files are named <name>-<tag>)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The release name for file names (default: the GitHub repository''s name, else the image''s last path segment), e.g. GomenHashai → GomenHashai-v1.3.1.sigstore')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Directory to write the files into (created when missing; existing files are never replaced)')
            [CompletionResult]::new('--identity-token', '--identity-token', [CompletionResultType]::ParameterName, 'OIDC identity token for keyless signing (else SIGSTORE_ID_TOKEN, else GitHub Actions OIDC)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Sign with this private key instead of keyless: cosign.key (passphrase from COSIGN_PASSWORD) or PKCS#8 PEM; ECDSA P-256 or Ed25519')
            [CompletionResult]::new('--public-key-out', '--public-key-out', [CompletionResultType]::ParameterName, 'Write the key''s public key (PEM) here (default: print it)')
            [CompletionResult]::new('--tlog-upload', '--tlog-upload', [CompletionResultType]::ParameterName, 'With --key: upload to the transparency log (cosign''s name). --tlog-upload=false signs offline: no log entry, verifiable only with --insecure-ignore-tlog; needs --timestamp-server')
            [CompletionResult]::new('--timestamp-server', '--timestamp-server', [CompletionResultType]::ParameterName, 'With --key: the RFC 3161 timestamp authority to use (instead of the signing config''s)')
            [CompletionResult]::new('--signing-config', '--signing-config', [CompletionResultType]::ParameterName, 'Sign with the instance this signing_config.json describes (needs --trusted-root)')
            [CompletionResult]::new('--trusted-root', '--trusted-root', [CompletionResultType]::ParameterName, 'Verify what was written against this trusted_root.json (default: the instance''s embedded root)')
            [CompletionResult]::new('--repository', '--repository', [CompletionResultType]::ParameterName, '[$GITHUB_REPOSITORY] OWNER/REPO that built the artifact')
            [CompletionResult]::new('--workflow-ref', '--workflow-ref', [CompletionResultType]::ParameterName, '[$GITHUB_WORKFLOW_REF] OWNER/REPO/.github/workflows/FILE@REF')
            [CompletionResult]::new('--job-workflow-ref', '--job-workflow-ref', [CompletionResultType]::ParameterName, 'The reusable workflow that signs, if not the top-level one (the builder id)')
            [CompletionResult]::new('--ref', '--ref', [CompletionResultType]::ParameterName, '[$GITHUB_REF] git ref built, e.g. refs/tags/v1.3.1')
            [CompletionResult]::new('--sha', '--sha', [CompletionResultType]::ParameterName, '[$GITHUB_SHA] commit built (40 hex digits)')
            [CompletionResult]::new('--event-name', '--event-name', [CompletionResultType]::ParameterName, '[$GITHUB_EVENT_NAME] e.g. push')
            [CompletionResult]::new('--repository-id', '--repository-id', [CompletionResultType]::ParameterName, '[$GITHUB_REPOSITORY_ID]')
            [CompletionResult]::new('--repository-owner-id', '--repository-owner-id', [CompletionResultType]::ParameterName, '[$GITHUB_REPOSITORY_OWNER_ID]')
            [CompletionResult]::new('--runner-environment', '--runner-environment', [CompletionResultType]::ParameterName, '[$RUNNER_ENVIRONMENT] github-hosted or self-hosted')
            [CompletionResult]::new('--run-id', '--run-id', [CompletionResultType]::ParameterName, '[$GITHUB_RUN_ID]')
            [CompletionResult]::new('--run-attempt', '--run-attempt', [CompletionResultType]::ParameterName, '[$GITHUB_RUN_ATTEMPT] (default 1)')
            [CompletionResult]::new('--server-url', '--server-url', [CompletionResultType]::ParameterName, '[$GITHUB_SERVER_URL] (default https://github.com)')
            [CompletionResult]::new('--builder-id', '--builder-id', [CompletionResultType]::ParameterName, 'Outside CI: who built it (a URI, e.g. mailto:you@example.com); with --source, makes a minimal provenance (weaker: only the signer vouches for it)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Outside CI: the repository and commit built, URI@COMMIT (with --builder-id)')
            [CompletionResult]::new('--push-attestation', '--push-attestation', [CompletionResultType]::ParameterName, 'Also attach the signature and provenance to the image in its registry (OCI referrers; the sha256-<hex> fallback tag where the registry has no referrers API). Credentials: the Docker config')
            [CompletionResult]::new('--legacy-cosign', '--legacy-cosign', [CompletionResultType]::ParameterName, 'With --push-attestation: also write cosign''s legacy sha256-<hex>.sig and .att tags')
            [CompletionResult]::new('--plain-http', '--plain-http', [CompletionResultType]::ParameterName, 'Talk to the registry over plain HTTP (loopback always is)')
            [CompletionResult]::new('--staging', '--staging', [CompletionResultType]::ParameterName, 'Sign with Sigstore''s staging instance (sigstage.dev)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kakunin;publish;help' {
            [CompletionResult]::new('chart', 'chart', [CompletionResultType]::ParameterValue, 'Attest a Helm chart package: subject = the .tgz''s name and SHA-256')
            [CompletionResult]::new('image', 'image', [CompletionResultType]::ParameterValue, 'Attest a container image: subject = its repository and manifest digest')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kakunin;publish;help;chart' {
            break
        }
        'kakunin;publish;help;image' {
            break
        }
        'kakunin;publish;help;help' {
            break
        }
        'kakunin;post-render' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose image repositories, signers and trusted root images are verified against (docs/profile.md); default: the built-in GomenHashai profile')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The profile whose image repositories, signers and trusted root images are verified against (docs/profile.md); default: the built-in GomenHashai profile')
            [CompletionResult]::new('--trusted-root', '--trusted-root', [CompletionResultType]::ParameterName, 'Verify against this trusted_root.json instead of the profile''s')
            [CompletionResult]::new('--allow-unsigned', '--allow-unsigned', [CompletionResultType]::ParameterName, 'A repository (`docker.io/library/alpine`, or `registry/prefix/*`) whose images are pinned by digest without a signature; repeatable')
            [CompletionResult]::new('--registry-config', '--registry-config', [CompletionResultType]::ParameterName, 'Registry credentials in Docker''s config.json format (Helm''s registry config)')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report to this file')
            [CompletionResult]::new('--report-format', '--report-format', [CompletionResultType]::ParameterName, 'Format of --report')
            [CompletionResult]::new('--allow-insecure-registry', '--allow-insecure-registry', [CompletionResultType]::ParameterName, 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds one file may take, from its first attempt to its last byte, retries included')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connection error, a timeout, a truncated body or a 5xx')
            [CompletionResult]::new('--pin', '--pin', [CompletionResultType]::ParameterName, 'Rewrite every image to `repo@sha256:…` (the default)')
            [CompletionResult]::new('--no-pin', '--no-pin', [CompletionResultType]::ParameterName, 'Verify only: write the manifests unchanged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No report on stderr (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No report on stderr (errors are still printed)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use only the cache (or the kit given with --kit): no network. A missing file is named')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Do not read or write the cache (with --offline and --kit: the kit alone)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kakunin;policy' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a cluster policy (Kyverno, policy-controller) or GomenHashai values to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kakunin;policy;export' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'What to write')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (docs/profile.md); default: the built-in GomenHashai profile')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The profile (docs/profile.md); default: the built-in GomenHashai profile')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'metadata.name of the policy (default: kakunin-<chart>)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'A PEM public key: key-based attestors instead of the profile''s keyless identities')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Export from this release once `kakunin verify` verified it (CHART@VERSION, or with --kit): its image repository and signer (kyverno, policy-controller) or its pinned image (gomenhashai); nothing is written unless it verifies')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'With --release: the chart version, as `helm install --version` takes it')
            [CompletionResult]::new('--kit', '--kit', [CompletionResultType]::ParameterName, 'Verify the release from this kit (`kakunin download`); names the release when --release is not given')
            [CompletionResult]::new('--keyring', '--keyring', [CompletionResultType]::ParameterName, 'With --release or --kit: PGP keyring for the chart''s .prov')
            [CompletionResult]::new('--manifests', '--manifests', [CompletionResultType]::ParameterName, 'Rendered manifests (`-` for stdin) whose images are verified as `post-render` verifies them; required for --format gomenhashai')
            [CompletionResult]::new('--allow-unsigned', '--allow-unsigned', [CompletionResultType]::ParameterName, 'With --manifests: a repository whose images are mapped by digest without a signature')
            [CompletionResult]::new('--trusted-root', '--trusted-root', [CompletionResultType]::ParameterName, 'With --manifests, --release or --kit: verify against this trusted_root.json instead of the profile''s')
            [CompletionResult]::new('--registry-config', '--registry-config', [CompletionResultType]::ParameterName, 'With --manifests, --release or --kit: registry credentials in Docker''s config.json format (Helm''s registry config), tried before the Docker config''s')
            [CompletionResult]::new('--allow-insecure-registry', '--allow-insecure-registry', [CompletionResultType]::ParameterName, 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds one file may take, from its first attempt to its last byte, retries included')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connection error, a timeout, a truncated body or a 5xx')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use only the cache (or the kit given with --kit): no network. A missing file is named')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Do not read or write the cache (with --offline and --kit: the kit alone)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kakunin;policy;help' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a cluster policy (Kyverno, policy-controller) or GomenHashai values to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kakunin;policy;help;export' {
            break
        }
        'kakunin;policy;help;help' {
            break
        }
        'kakunin;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Verify a chart release end to end: chart, image, bundles, attestations, versions')
            [CompletionResult]::new('verify-bundle', 'verify-bundle', [CompletionResultType]::ParameterValue, 'Verify an artifact (file or digest) against a Sigstore bundle, offline')
            [CompletionResult]::new('trust-root', 'trust-root', [CompletionResultType]::ParameterValue, 'Show the embedded Sigstore trusted roots, or refresh them through TUF into the cache')
            [CompletionResult]::new('verify-attestation', 'verify-attestation', [CompletionResultType]::ParameterValue, 'Verify an in-toto attestation: its bundle, subject, predicate type and SLSA provenance')
            [CompletionResult]::new('verify-image', 'verify-image', [CompletionResultType]::ParameterValue, 'Verify a container image''s signatures and attestations (cosign .sig/.att, Sigstore bundles)')
            [CompletionResult]::new('download', 'download', [CompletionResultType]::ParameterValue, 'Download a release (chart, provenance, bundles, image manifests and attestations) into a kit for offline verification')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'What is published for a chart (oci://, --repo, .tgz) and by whom, and a policy draft to review')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions for kakunin to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print kakunin''s manual page (roff) to stdout, or write one page per command into a directory')
            [CompletionResult]::new('sign-bundle', 'sign-bundle', [CompletionResultType]::ParameterValue, 'Sign a file or an in-toto statement keylessly (the Sigstore conformance protocol)')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Produce a release''s .sigstore bundle and .intoto.jsonl (SLSA provenance), keyless or with a key')
            [CompletionResult]::new('post-render', 'post-render', [CompletionResultType]::ParameterValue, 'Helm post-renderer: verify every rendered image and pin it by digest (manifests on stdin, to stdout)')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Export what kakunin verifies as a cluster admission policy (Kyverno, policy-controller) or GomenHashai values')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kakunin;help;verify' {
            break
        }
        'kakunin;help;verify-bundle' {
            break
        }
        'kakunin;help;trust-root' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print an embedded trusted_root.json to stdout')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Fetch the current trusted roots through TUF (network) into the cache directory')
            break
        }
        'kakunin;help;trust-root;show' {
            break
        }
        'kakunin;help;trust-root;update' {
            break
        }
        'kakunin;help;verify-attestation' {
            break
        }
        'kakunin;help;verify-image' {
            break
        }
        'kakunin;help;download' {
            break
        }
        'kakunin;help;inspect' {
            break
        }
        'kakunin;help;completions' {
            break
        }
        'kakunin;help;man' {
            break
        }
        'kakunin;help;sign-bundle' {
            break
        }
        'kakunin;help;publish' {
            [CompletionResult]::new('chart', 'chart', [CompletionResultType]::ParameterValue, 'Attest a Helm chart package: subject = the .tgz''s name and SHA-256')
            [CompletionResult]::new('image', 'image', [CompletionResultType]::ParameterValue, 'Attest a container image: subject = its repository and manifest digest')
            break
        }
        'kakunin;help;publish;chart' {
            break
        }
        'kakunin;help;publish;image' {
            break
        }
        'kakunin;help;post-render' {
            break
        }
        'kakunin;help;policy' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a cluster policy (Kyverno, policy-controller) or GomenHashai values to stdout')
            break
        }
        'kakunin;help;policy;export' {
            break
        }
        'kakunin;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
