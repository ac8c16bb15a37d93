# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kakunin_global_optspecs
    string join \n h/help V/version
end

function __fish_kakunin_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kakunin_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kakunin_using_subcommand
    set -l cmd (__fish_kakunin_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kakunin -n "__fish_kakunin_needs_command" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_needs_command" -s V -l version -d 'Print version'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "verify" -d 'Verify a chart release end to end: chart, image, bundles, attestations, versions'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "verify-bundle" -d 'Verify an artifact (file or digest) against a Sigstore bundle, offline'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "trust-root" -d 'Show the embedded Sigstore trusted roots, or refresh them through TUF into the cache'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "verify-attestation" -d 'Verify an in-toto attestation: its bundle, subject, predicate type and SLSA provenance'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "verify-image" -d 'Verify a container image\'s signatures and attestations (cosign .sig/.att, Sigstore bundles)'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "download" -d 'Download a release (chart, provenance, bundles, image manifests and attestations) into a kit for offline verification'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "inspect" -d 'What is published for a chart (oci://, --repo, .tgz) and by whom, and a policy draft to review'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "completions" -d 'Print shell completions for kakunin to stdout'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "man" -d 'Print kakunin\'s manual page (roff) to stdout, or write one page per command into a directory'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "sign-bundle" -d 'Sign a file or an in-toto statement keylessly (the Sigstore conformance protocol)'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "publish" -d 'Produce a release\'s .sigstore bundle and .intoto.jsonl (SLSA provenance), keyless or with a key'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "post-render" -d 'Helm post-renderer: verify every rendered image and pin it by digest (manifests on stdin, to stdout)'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "policy" -d 'Export what kakunin verifies as a cluster admission policy (Kyverno, policy-controller) or GomenHashai values'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l version -d 'The chart version, as `helm install --version` takes it; for oci:// and --repo charts also a SemVer constraint as Helm reads it (`^1.2`, `~1.2.3`, `>=1.0 <2`, `1.2.x`; the highest match, pre-releases only when the constraint names one), and without it their newest release' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l repo -d 'The chart\'s HTTP Helm repository (helm\'s --repo): CHART is looked up in URL/index.yaml' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l profile -d 'The project\'s profile (YAML); default: the chart\'s built-in profile' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l kit -d 'A release kit written by `kakunin download` (read before the cache and the network)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l trusted-root -d 'Verify against this trusted_root.json instead of the profile\'s' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l keyring -d 'PGP keyring for the chart\'s .prov (overrides the profile\'s require.prov_keyring); given, the .prov is required (for a .tgz, the <file>.prov beside it, as `helm verify` reads it)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l registry-config -d 'Registry credentials in Docker\'s config.json format, tried before the Docker config\'s (Helm\'s registry config: `helm registry login` writes it)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l allow-insecure-registry -d 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l cache-dir -d 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l timeout -d 'Seconds one file may take, from its first attempt to its last byte, retries included' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l connect-timeout -d 'Seconds to wait for a connection' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l retries -d 'Retries after a connection error, a timeout, a truncated body or a 5xx' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l emit-values -d 'Once verified, write Helm values that pin the verified image by digest (`helm install -f FILE`)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l policy -d 'A policy file (docs/policy.md): per artifact (the chart, each image by repository glob) the signer required, the attestations and the version rules; every image the chart deploys is then checked (image.policy, image.pinned, image.signature)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -s f -l values -d 'A values file the release will be installed with (helm\'s -f/--values; repeatable, later files win): the images checked are those it deploys' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l set -d 'A value the release will be installed with, in helm\'s --set syntax (a.b=c,list[0]=d; repeatable, applied after --values)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l image-policy -d 'An images rule for the repositories GLOB matches, before the policy\'s own (repeatable): GLOB=FIELD=VALUE,… with the policy file\'s signer fields (identity, identity_regexp, issuer, issuer_regexp, github, workflow, ref, key) and attestation, signature, resolve_by_tag; or GLOB=allow_unverified (docs/policy.md)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l certificate-identity -l cert-identity -d 'The exact identity (SAN) the signing certificate must carry' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l certificate-identity-regexp -l cert-identity-regex -d 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l certificate-oidc-issuer -l cert-oidc-issuer -d 'The OIDC issuer the signing certificate must name' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l certificate-oidc-issuer-regexp -d 'A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l owner -d 'Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l signer-repo -d 'The signing workflow is in this repository (a reusable workflow\'s repository): identity https://github.com/OWNER/REPO/…' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l signer-workflow -d 'The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l repository -d 'Source repository the certificate (and an attestation\'s provenance) must name: OWNER/REPO (on github.com) or a URL' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l source-ref -d 'Source ref the certificate (and an attestation\'s provenance) must name, e.g. refs/tags/v1.2.3' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l workflow -d 'Workflow file that must have run (certificate build config, and an attestation\'s provenance), e.g. .github/workflows/release.yaml' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l source-digest -d 'Commit (hex) the certificate (and an attestation\'s provenance) must name as the source' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l certificate-github-workflow-trigger -d 'The certificate\'s (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l certificate-github-workflow-sha -d 'The certificate\'s (deprecated) GitHub Workflow SHA extension: the commit (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l certificate-github-workflow-name -d 'The certificate\'s (deprecated) GitHub Workflow Name extension (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l certificate-github-workflow-repository -d 'The certificate\'s (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l certificate-github-workflow-ref -d 'The certificate\'s (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l key -d 'A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l attestation -d 'Require a verified attestation of this predicate type on the OCI chart and each image (cosign short name or URI; repeatable)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l instance -d 'Use the embedded trusted root of this instance (default public-good)' -r -f -a "public-good\t''
staging\t''
github\t''"
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -s o -l output -l format -d 'Report format (--format is the same option, as `gh attestation verify --format json`)' -r -f -a "human\t'A line per check for people (colour: see --color)'
json\t'The JSON report (docs/report.md)'
sarif\t'SARIF 2.1.0, for code-scanning dashboards'
junit\t'JUnit XML, for CI test reports'"
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l color -d 'When to colour the human report' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set, TERM=dumb or CLICOLOR=0 (CLICOLOR_FORCE forces it)'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l github-repo -d 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l devel -d 'Helm\'s --devel: without --version, pre-releases are candidates too (>0.0.0-0)'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l all-versions -d 'Verify every version of the chart in its Helm index'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l stats -d 'Print the number of HTTP requests and bytes received to stderr'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l offline -d 'Use only the cache (or the kit given with --kit): no network. A missing file is named'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l no-cache -d 'Do not read or write the cache (with --offline and --kit: the kit alone)'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l github-release -d 'A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance\'s root unless a root is given'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l deny-self-hosted-runners -d 'Fail unless the certificate\'s runner environment claim is github-hosted'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -l insecure-ignore-tlog -d 'DANGER: accept a bundle without transparency-log inclusion (e.g. publish --tlog-upload=false, cosign\'s flag); the report says no log entry was checked'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -s q -l quiet -d 'No progress bars'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -s v -l verbose -d 'Also show expected and found values of checks that passed (human output)'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l bundle -d 'The Sigstore bundle (.sigstore, .sigstore.json, or .jsonl with one bundle a line), or cosign\'s older bundle JSON' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l signature -d 'A detached signature (cosign sign-blob --output-signature; base64 or raw)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l certificate -d 'The signing certificate of --signature (PEM, or base64 of PEM)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l certificate-chain -d 'The certificate\'s chain (PEM): intermediates, root' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -s o -l output -l format -d 'Report format (--format is the same option, as `gh attestation verify --format json`)' -r -f -a "human\t'A line per check for people (colour: see --color)'
json\t'The JSON report (docs/report.md)'
sarif\t'SARIF 2.1.0, for code-scanning dashboards'
junit\t'JUnit XML, for CI test reports'"
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l color -d 'When to colour the human report' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set, TERM=dumb or CLICOLOR=0 (CLICOLOR_FORCE forces it)'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l certificate-identity -l cert-identity -d 'The exact identity (SAN) the signing certificate must carry' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l certificate-identity-regexp -l cert-identity-regex -d 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l certificate-oidc-issuer -l cert-oidc-issuer -d 'The OIDC issuer the signing certificate must name' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l certificate-oidc-issuer-regexp -d 'A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l owner -d 'Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l github-repo -l repo -d 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l signer-repo -d 'The signing workflow is in this repository (a reusable workflow\'s repository): identity https://github.com/OWNER/REPO/…' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l signer-workflow -d 'The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l repository -d 'Source repository the certificate (and an attestation\'s provenance) must name: OWNER/REPO (on github.com) or a URL' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l source-ref -d 'Source ref the certificate (and an attestation\'s provenance) must name, e.g. refs/tags/v1.2.3' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l workflow -d 'Workflow file that must have run (certificate build config, and an attestation\'s provenance), e.g. .github/workflows/release.yaml' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l source-digest -d 'Commit (hex) the certificate (and an attestation\'s provenance) must name as the source' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l certificate-github-workflow-trigger -d 'The certificate\'s (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l certificate-github-workflow-sha -d 'The certificate\'s (deprecated) GitHub Workflow SHA extension: the commit (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l certificate-github-workflow-name -d 'The certificate\'s (deprecated) GitHub Workflow Name extension (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l certificate-github-workflow-repository -d 'The certificate\'s (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l certificate-github-workflow-ref -d 'The certificate\'s (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l key -d 'A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l instance -d 'Use the embedded trusted root of this instance (default public-good)' -r -f -a "public-good\t''
staging\t''
github\t''"
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l trusted-root -d 'A trusted_root.json to verify against instead of an embedded root' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -s q -l quiet -d 'No progress bars'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -s v -l verbose -d 'Also show expected and found values of checks that passed (human output)'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l github-release -d 'A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance\'s root unless a root is given'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l deny-self-hosted-runners -d 'Fail unless the certificate\'s runner environment claim is github-hosted'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l insecure-ignore-tlog -d 'DANGER: accept a bundle without transparency-log inclusion (e.g. publish --tlog-upload=false, cosign\'s flag); the report says no log entry was checked'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l staging -d 'Use the Sigstore public-good staging instance\'s embedded trusted root'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -l offline -d 'Accepted for cosign compatibility: verification never uses the network (a no-op)'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-bundle" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and not __fish_seen_subcommand_from show update help" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and not __fish_seen_subcommand_from show update help" -f -a "show" -d 'Print an embedded trusted_root.json to stdout'
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and not __fish_seen_subcommand_from show update help" -f -a "update" -d 'Fetch the current trusted roots through TUF (network) into the cache directory'
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and not __fish_seen_subcommand_from show update help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and __fish_seen_subcommand_from show" -l instance -d 'Which instance\'s root' -r -f -a "public-good\t''
staging\t''
github\t''"
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and __fish_seen_subcommand_from update" -l instance -d 'Which instances to refresh (default: all three)' -r -f -a "public-good\t''
staging\t''
github\t''"
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and __fish_seen_subcommand_from update" -l cache-dir -d 'Where to keep the refreshed roots (default: $XDG_CACHE_HOME/kakunin/trust)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and __fish_seen_subcommand_from update" -l tuf-url -d 'A mirror of the instance\'s TUF repository (trust still starts from the embedded TUF root)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print an embedded trusted_root.json to stdout'
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and __fish_seen_subcommand_from help" -f -a "update" -d 'Fetch the current trusted roots through TUF (network) into the cache directory'
complete -c kakunin -n "__fish_kakunin_using_subcommand trust-root; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l bundle -d 'The Sigstore bundle holding the attestation (.sigstore, .sigstore.json, or a .jsonl / .intoto.jsonl with one bundle a line)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l envelope -d 'An .intoto.jsonl that must be the same DSSE envelope as the bundle\'s' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l predicate-type -d 'The predicateType the statement must have' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l builder-id -d 'The provenance\'s builder id, exactly, or without its @ref to accept any ref' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -s o -l output -l format -d 'Report format (--format is the same option, as `gh attestation verify --format json`)' -r -f -a "human\t'A line per check for people (colour: see --color)'
json\t'The JSON report (docs/report.md)'
sarif\t'SARIF 2.1.0, for code-scanning dashboards'
junit\t'JUnit XML, for CI test reports'"
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l color -d 'When to colour the human report' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set, TERM=dumb or CLICOLOR=0 (CLICOLOR_FORCE forces it)'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l certificate-identity -l cert-identity -d 'The exact identity (SAN) the signing certificate must carry' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l certificate-identity-regexp -l cert-identity-regex -d 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l certificate-oidc-issuer -l cert-oidc-issuer -d 'The OIDC issuer the signing certificate must name' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l certificate-oidc-issuer-regexp -d 'A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l owner -d 'Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l github-repo -l repo -d 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l signer-repo -d 'The signing workflow is in this repository (a reusable workflow\'s repository): identity https://github.com/OWNER/REPO/…' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l signer-workflow -d 'The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l repository -d 'Source repository the certificate (and an attestation\'s provenance) must name: OWNER/REPO (on github.com) or a URL' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l source-ref -d 'Source ref the certificate (and an attestation\'s provenance) must name, e.g. refs/tags/v1.2.3' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l workflow -d 'Workflow file that must have run (certificate build config, and an attestation\'s provenance), e.g. .github/workflows/release.yaml' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l source-digest -d 'Commit (hex) the certificate (and an attestation\'s provenance) must name as the source' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l certificate-github-workflow-trigger -d 'The certificate\'s (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l certificate-github-workflow-sha -d 'The certificate\'s (deprecated) GitHub Workflow SHA extension: the commit (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l certificate-github-workflow-name -d 'The certificate\'s (deprecated) GitHub Workflow Name extension (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l certificate-github-workflow-repository -d 'The certificate\'s (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l certificate-github-workflow-ref -d 'The certificate\'s (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l key -d 'A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l instance -d 'Use the embedded trusted root of this instance (default public-good)' -r -f -a "public-good\t''
staging\t''
github\t''"
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l trusted-root -d 'A trusted_root.json to verify against instead of an embedded root' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l allow-self-hosted-runners -d 'Accept builds that ran on self-hosted runners'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -s q -l quiet -d 'No progress bars'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -s v -l verbose -d 'Also show expected and found values of checks that passed (human output)'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l github-release -d 'A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance\'s root unless a root is given'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l deny-self-hosted-runners -d 'Fail unless the certificate\'s runner environment claim is github-hosted'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l insecure-ignore-tlog -d 'DANGER: accept a bundle without transparency-log inclusion (e.g. publish --tlog-upload=false, cosign\'s flag); the report says no log entry was checked'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l staging -d 'Use the Sigstore public-good staging instance\'s embedded trusted root'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -l offline -d 'Accepted for cosign compatibility: verification never uses the network (a no-op)'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-attestation" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l certificate-identity -l cert-identity -d 'The exact identity (SAN) the signing certificate must carry' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l certificate-identity-regexp -l cert-identity-regex -d 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l certificate-oidc-issuer -l cert-oidc-issuer -d 'The OIDC issuer the signing certificate must name' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l certificate-oidc-issuer-regexp -d 'A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l owner -d 'Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l github-repo -l repo -d 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l signer-repo -d 'The signing workflow is in this repository (a reusable workflow\'s repository): identity https://github.com/OWNER/REPO/…' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l signer-workflow -d 'The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l repository -d 'Source repository the certificate (and an attestation\'s provenance) must name: OWNER/REPO (on github.com) or a URL' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l source-ref -d 'Source ref the certificate (and an attestation\'s provenance) must name, e.g. refs/tags/v1.2.3' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l workflow -d 'Workflow file that must have run (certificate build config, and an attestation\'s provenance), e.g. .github/workflows/release.yaml' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l source-digest -d 'Commit (hex) the certificate (and an attestation\'s provenance) must name as the source' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l certificate-github-workflow-trigger -d 'The certificate\'s (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l certificate-github-workflow-sha -d 'The certificate\'s (deprecated) GitHub Workflow SHA extension: the commit (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l certificate-github-workflow-name -d 'The certificate\'s (deprecated) GitHub Workflow Name extension (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l certificate-github-workflow-repository -d 'The certificate\'s (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l certificate-github-workflow-ref -d 'The certificate\'s (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign\'s flag)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l key -d 'A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l docker-reference -d 'The repository the signed payload must name (critical.identity.docker-reference)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l attestation -d 'Require a verified attestation of this predicate type (cosign short name or URI; repeatable)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l platform -d 'For an image index: also look up the signatures of this platform\'s manifest (os/arch[/variant])' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l instance -d 'Use the embedded trusted root of this instance (default public-good)' -r -f -a "public-good\t''
staging\t''
github\t''"
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l trusted-root -d 'A trusted_root.json to verify against instead of an embedded root' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l allow-insecure-registry -d 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l cache-dir -d 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l timeout -d 'Seconds one file may take, from its first attempt to its last byte, retries included' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l connect-timeout -d 'Seconds to wait for a connection' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l retries -d 'Retries after a connection error, a timeout, a truncated body or a 5xx' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -s o -l output -l format -d 'Report format (--format is the same option, as `gh attestation verify --format json`)' -r -f -a "human\t'A line per check for people (colour: see --color)'
json\t'The JSON report (docs/report.md)'
sarif\t'SARIF 2.1.0, for code-scanning dashboards'
junit\t'JUnit XML, for CI test reports'"
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l color -d 'When to colour the human report' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set, TERM=dumb or CLICOLOR=0 (CLICOLOR_FORCE forces it)'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l github-release -d 'A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance\'s root unless a root is given'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l deny-self-hosted-runners -d 'Fail unless the certificate\'s runner environment claim is github-hosted'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l insecure-ignore-tlog -d 'DANGER: accept a bundle without transparency-log inclusion (e.g. publish --tlog-upload=false, cosign\'s flag); the report says no log entry was checked'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l offline -d 'Use only the cache (or the kit given with --kit): no network. A missing file is named'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -l no-cache -d 'Do not read or write the cache (with --offline and --kit: the kit alone)'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -s q -l quiet -d 'No progress bars'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -s v -l verbose -d 'Also show expected and found values of checks that passed (human output)'
complete -c kakunin -n "__fish_kakunin_using_subcommand verify-image" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -l version -d 'The chart version, as `helm pull --version` takes it: `CHART --version V` is `CHART@V`' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -l to -d 'Directory to write the kit into (created if needed)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -l profile -d 'The project\'s profile (default: kakunin\'s built-in profile for CHART)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -l allow-insecure-registry -d 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -l cache-dir -d 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -l timeout -d 'Seconds one file may take, from its first attempt to its last byte, retries included' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -l connect-timeout -d 'Seconds to wait for a connection' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -l retries -d 'Retries after a connection error, a timeout, a truncated body or a 5xx' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -s o -l output -l format -d 'What to print (--format is the same option)' -r -f -a "human\t'One line: where the kit is, how many files and bytes; what is missing'
json\t'The kit\'s manifest, what could not be fetched, and HTTP statistics'"
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -l offline -d 'Use only the cache (or the kit given with --kit): no network. A missing file is named'
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -l no-cache -d 'Do not read or write the cache (with --offline and --kit: the kit alone)'
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -s q -l quiet -d 'No progress bars, and no summary line'
complete -c kakunin -n "__fish_kakunin_using_subcommand download" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -l version -d 'The chart version, as `helm install --version` takes it; for oci:// and --repo charts also a SemVer constraint as Helm reads it (`^1.2`, `~1.2.3`, `>=1.0 <2`, `1.2.x`; the highest match, pre-releases only when the constraint names one), and without it their newest release' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -l repo -d 'The chart\'s HTTP Helm repository (helm\'s --repo): CHART is looked up in URL/index.yaml' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -l trusted-root -d 'Verify signatures against this trusted_root.json instead of the embedded public-good root' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -l instance -d 'Use the embedded trusted root of this instance (default public-good)' -r -f -a "public-good\t''
staging\t''
github\t''"
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -s o -l output -d 'human (default) or json' -r -f -a "human\t''
json\t''"
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -l allow-insecure-registry -d 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -l cache-dir -d 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -l timeout -d 'Seconds one file may take, from its first attempt to its last byte, retries included' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -l connect-timeout -d 'Seconds to wait for a connection' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -l retries -d 'Retries after a connection error, a timeout, a truncated body or a 5xx' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -l devel -d 'Helm\'s --devel: without --version, pre-releases are candidates too (>0.0.0-0)'
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -l offline -d 'Use only the cache (or the kit given with --kit): no network. A missing file is named'
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -l no-cache -d 'Do not read or write the cache (with --offline and --kit: the kit alone)'
complete -c kakunin -n "__fish_kakunin_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand completions" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand man" -l out-dir -d 'Write kakunin.1 and one kakunin-<command>.1 per command into this directory' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand man" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand sign-bundle" -l identity-token -d 'The OIDC identity token (otherwise SIGSTORE_ID_TOKEN or GitHub Actions\' OIDC)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand sign-bundle" -l bundle -d 'Where to write the bundle (v0.3 JSON)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand sign-bundle" -l trusted-root -d 'Verify the new bundle against this trusted_root.json before keeping it' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand sign-bundle" -l signing-config -d 'Sign with the instance this signing_config.json describes' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand sign-bundle" -l staging -d 'Use Sigstore\'s staging instance (sigstage.dev)'
complete -c kakunin -n "__fish_kakunin_using_subcommand sign-bundle" -l in-toto -d 'FILE is an in-toto statement: sign it as a DSSE envelope, byte for byte'
complete -c kakunin -n "__fish_kakunin_using_subcommand sign-bundle" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and not __fish_seen_subcommand_from chart image help" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and not __fish_seen_subcommand_from chart image help" -f -a "chart" -d 'Attest a Helm chart package: subject = the .tgz\'s name and SHA-256'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and not __fish_seen_subcommand_from chart image help" -f -a "image" -d 'Attest a container image: subject = its repository and manifest digest'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and not __fish_seen_subcommand_from chart image help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l prov-key -d 'Also write <chart>.tgz.prov, signed with this armored OpenPGP secret key (passphrase from $KAKUNIN_PROV_PASSPHRASE, if any)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l oci -d 'Also push the chart to this OCI registry as `helm push` does (to PATH/<chart name>, tag = its version) and attach its signature and provenance as referrers' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l out -d 'Directory to write the files into (created when missing; existing files are never replaced)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l identity-token -d 'OIDC identity token for keyless signing (else SIGSTORE_ID_TOKEN, else GitHub Actions OIDC)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l key -d 'Sign with this private key instead of keyless: cosign.key (passphrase from COSIGN_PASSWORD) or PKCS#8 PEM; ECDSA P-256 or Ed25519' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l public-key-out -d 'Write the key\'s public key (PEM) here (default: print it)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l tlog-upload -d 'With --key: upload to the transparency log (cosign\'s name). --tlog-upload=false signs offline: no log entry, verifiable only with --insecure-ignore-tlog; needs --timestamp-server' -r -f -a "true\t''
false\t''"
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l timestamp-server -d 'With --key: the RFC 3161 timestamp authority to use (instead of the signing config\'s)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l signing-config -d 'Sign with the instance this signing_config.json describes (needs --trusted-root)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l trusted-root -d 'Verify what was written against this trusted_root.json (default: the instance\'s embedded root)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l repository -d '[$GITHUB_REPOSITORY] OWNER/REPO that built the artifact' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l workflow-ref -d '[$GITHUB_WORKFLOW_REF] OWNER/REPO/.github/workflows/FILE@REF' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l job-workflow-ref -d 'The reusable workflow that signs, if not the top-level one (the builder id)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l ref -d '[$GITHUB_REF] git ref built, e.g. refs/tags/v1.3.1' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l sha -d '[$GITHUB_SHA] commit built (40 hex digits)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l event-name -d '[$GITHUB_EVENT_NAME] e.g. push' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l repository-id -d '[$GITHUB_REPOSITORY_ID]' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l repository-owner-id -d '[$GITHUB_REPOSITORY_OWNER_ID]' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l runner-environment -d '[$RUNNER_ENVIRONMENT] github-hosted or self-hosted' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l run-id -d '[$GITHUB_RUN_ID]' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l run-attempt -d '[$GITHUB_RUN_ATTEMPT] (default 1)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l server-url -d '[$GITHUB_SERVER_URL] (default https://github.com)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l builder-id -d 'Outside CI: who built it (a URI, e.g. mailto:you@example.com); with --source, makes a minimal provenance (weaker: only the signer vouches for it)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l source -d 'Outside CI: the repository and commit built, URI@COMMIT (with --builder-id)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l replace-tag -d 'With --oci: replace a version tag that holds another chart (never done otherwise)'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l legacy-cosign -d 'With --oci: also write cosign\'s legacy sha256-<hex>.sig and .att tags'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l plain-http -d 'With --oci: talk to the registry over plain HTTP (loopback always is)'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -l staging -d 'Sign with Sigstore\'s staging instance (sigstage.dev)'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from chart" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l tag -d 'The release tag, e.g. v1.3.1 (files are named <name>-<tag>)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l name -d 'The release name for file names (default: the GitHub repository\'s name, else the image\'s last path segment), e.g. GomenHashai → GomenHashai-v1.3.1.sigstore' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l out -d 'Directory to write the files into (created when missing; existing files are never replaced)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l identity-token -d 'OIDC identity token for keyless signing (else SIGSTORE_ID_TOKEN, else GitHub Actions OIDC)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l key -d 'Sign with this private key instead of keyless: cosign.key (passphrase from COSIGN_PASSWORD) or PKCS#8 PEM; ECDSA P-256 or Ed25519' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l public-key-out -d 'Write the key\'s public key (PEM) here (default: print it)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l tlog-upload -d 'With --key: upload to the transparency log (cosign\'s name). --tlog-upload=false signs offline: no log entry, verifiable only with --insecure-ignore-tlog; needs --timestamp-server' -r -f -a "true\t''
false\t''"
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l timestamp-server -d 'With --key: the RFC 3161 timestamp authority to use (instead of the signing config\'s)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l signing-config -d 'Sign with the instance this signing_config.json describes (needs --trusted-root)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l trusted-root -d 'Verify what was written against this trusted_root.json (default: the instance\'s embedded root)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l repository -d '[$GITHUB_REPOSITORY] OWNER/REPO that built the artifact' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l workflow-ref -d '[$GITHUB_WORKFLOW_REF] OWNER/REPO/.github/workflows/FILE@REF' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l job-workflow-ref -d 'The reusable workflow that signs, if not the top-level one (the builder id)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l ref -d '[$GITHUB_REF] git ref built, e.g. refs/tags/v1.3.1' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l sha -d '[$GITHUB_SHA] commit built (40 hex digits)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l event-name -d '[$GITHUB_EVENT_NAME] e.g. push' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l repository-id -d '[$GITHUB_REPOSITORY_ID]' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l repository-owner-id -d '[$GITHUB_REPOSITORY_OWNER_ID]' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l runner-environment -d '[$RUNNER_ENVIRONMENT] github-hosted or self-hosted' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l run-id -d '[$GITHUB_RUN_ID]' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l run-attempt -d '[$GITHUB_RUN_ATTEMPT] (default 1)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l server-url -d '[$GITHUB_SERVER_URL] (default https://github.com)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l builder-id -d 'Outside CI: who built it (a URI, e.g. mailto:you@example.com); with --source, makes a minimal provenance (weaker: only the signer vouches for it)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l source -d 'Outside CI: the repository and commit built, URI@COMMIT (with --builder-id)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l push-attestation -d 'Also attach the signature and provenance to the image in its registry (OCI referrers; the sha256-<hex> fallback tag where the registry has no referrers API). Credentials: the Docker config'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l legacy-cosign -d 'With --push-attestation: also write cosign\'s legacy sha256-<hex>.sig and .att tags'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l plain-http -d 'Talk to the registry over plain HTTP (loopback always is)'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -l staging -d 'Sign with Sigstore\'s staging instance (sigstage.dev)'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from image" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from help" -f -a "chart" -d 'Attest a Helm chart package: subject = the .tgz\'s name and SHA-256'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from help" -f -a "image" -d 'Attest a container image: subject = its repository and manifest digest'
complete -c kakunin -n "__fish_kakunin_using_subcommand publish; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l profile -l policy -d 'The profile whose image repositories, signers and trusted root images are verified against (docs/profile.md); default: the built-in GomenHashai profile' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l trusted-root -d 'Verify against this trusted_root.json instead of the profile\'s' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l allow-unsigned -d 'A repository (`docker.io/library/alpine`, or `registry/prefix/*`) whose images are pinned by digest without a signature; repeatable' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l registry-config -d 'Registry credentials in Docker\'s config.json format (Helm\'s registry config)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l report -d 'Also write the report to this file' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l report-format -d 'Format of --report' -r -f -a "human\t''
json\t''
sarif\t''
junit\t''"
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l allow-insecure-registry -d 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l cache-dir -d 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l timeout -d 'Seconds one file may take, from its first attempt to its last byte, retries included' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l connect-timeout -d 'Seconds to wait for a connection' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l retries -d 'Retries after a connection error, a timeout, a truncated body or a 5xx' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l pin -d 'Rewrite every image to `repo@sha256:…` (the default)'
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l no-pin -d 'Verify only: write the manifests unchanged'
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -s q -l quiet -d 'No report on stderr (errors are still printed)'
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l offline -d 'Use only the cache (or the kit given with --kit): no network. A missing file is named'
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -l no-cache -d 'Do not read or write the cache (with --offline and --kit: the kit alone)'
complete -c kakunin -n "__fish_kakunin_using_subcommand post-render" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and not __fish_seen_subcommand_from export help" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and not __fish_seen_subcommand_from export help" -f -a "export" -d 'Write a cluster policy (Kyverno, policy-controller) or GomenHashai values to stdout'
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and not __fish_seen_subcommand_from export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l format -d 'What to write' -r -f -a "kyverno\t'Kyverno ClusterPolicy (kyverno.io/v1) with a verifyImages rule'
policy-controller\t'sigstore policy-controller ClusterImagePolicy (policy.sigstore.dev/v1beta1)'
gomenhashai\t'GomenHashai chart values: digestsMapping.mapping of every verified image'"
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l profile -l policy -d 'The profile (docs/profile.md); default: the built-in GomenHashai profile' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l name -d 'metadata.name of the policy (default: kakunin-<chart>)' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l key -d 'A PEM public key: key-based attestors instead of the profile\'s keyless identities' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l release -d 'Export from this release once `kakunin verify` verified it (CHART@VERSION, or with --kit): its image repository and signer (kyverno, policy-controller) or its pinned image (gomenhashai); nothing is written unless it verifies' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l version -d 'With --release: the chart version, as `helm install --version` takes it' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l kit -d 'Verify the release from this kit (`kakunin download`); names the release when --release is not given' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l keyring -d 'With --release or --kit: PGP keyring for the chart\'s .prov' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l manifests -d 'Rendered manifests (`-` for stdin) whose images are verified as `post-render` verifies them; required for --format gomenhashai' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l allow-unsigned -d 'With --manifests: a repository whose images are mapped by digest without a signature' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l trusted-root -d 'With --manifests, --release or --kit: verify against this trusted_root.json instead of the profile\'s' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l registry-config -d 'With --manifests, --release or --kit: registry credentials in Docker\'s config.json format (Helm\'s registry config), tried before the Docker config\'s' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l allow-insecure-registry -d 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l cache-dir -d 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l timeout -d 'Seconds one file may take, from its first attempt to its last byte, retries included' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l connect-timeout -d 'Seconds to wait for a connection' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l retries -d 'Retries after a connection error, a timeout, a truncated body or a 5xx' -r
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l offline -d 'Use only the cache (or the kit given with --kit): no network. A missing file is named'
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -l no-cache -d 'Do not read or write the cache (with --offline and --kit: the kit alone)'
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write a cluster policy (Kyverno, policy-controller) or GomenHashai values to stdout'
complete -c kakunin -n "__fish_kakunin_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "verify" -d 'Verify a chart release end to end: chart, image, bundles, attestations, versions'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "verify-bundle" -d 'Verify an artifact (file or digest) against a Sigstore bundle, offline'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "trust-root" -d 'Show the embedded Sigstore trusted roots, or refresh them through TUF into the cache'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "verify-attestation" -d 'Verify an in-toto attestation: its bundle, subject, predicate type and SLSA provenance'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "verify-image" -d 'Verify a container image\'s signatures and attestations (cosign .sig/.att, Sigstore bundles)'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "download" -d 'Download a release (chart, provenance, bundles, image manifests and attestations) into a kit for offline verification'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "inspect" -d 'What is published for a chart (oci://, --repo, .tgz) and by whom, and a policy draft to review'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "completions" -d 'Print shell completions for kakunin to stdout'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "man" -d 'Print kakunin\'s manual page (roff) to stdout, or write one page per command into a directory'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "sign-bundle" -d 'Sign a file or an in-toto statement keylessly (the Sigstore conformance protocol)'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "publish" -d 'Produce a release\'s .sigstore bundle and .intoto.jsonl (SLSA provenance), keyless or with a key'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "post-render" -d 'Helm post-renderer: verify every rendered image and pin it by digest (manifests on stdin, to stdout)'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "policy" -d 'Export what kakunin verifies as a cluster admission policy (Kyverno, policy-controller) or GomenHashai values'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from verify verify-bundle trust-root verify-attestation verify-image download inspect completions man sign-bundle publish post-render policy help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and __fish_seen_subcommand_from trust-root" -f -a "show" -d 'Print an embedded trusted_root.json to stdout'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and __fish_seen_subcommand_from trust-root" -f -a "update" -d 'Fetch the current trusted roots through TUF (network) into the cache directory'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and __fish_seen_subcommand_from publish" -f -a "chart" -d 'Attest a Helm chart package: subject = the .tgz\'s name and SHA-256'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and __fish_seen_subcommand_from publish" -f -a "image" -d 'Attest a container image: subject = its repository and manifest digest'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "export" -d 'Write a cluster policy (Kyverno, policy-controller) or GomenHashai values to stdout'
