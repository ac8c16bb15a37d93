
use builtin;
use str;

set edit:completion:arg-completer[kakunin] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kakunin'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kakunin'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand verify 'Verify a chart release end to end: chart, image, bundles, attestations, versions'
            cand verify-bundle 'Verify an artifact (file or digest) against a Sigstore bundle, offline'
            cand trust-root 'Show the embedded Sigstore trusted roots, or refresh them through TUF into the cache'
            cand verify-attestation 'Verify an in-toto attestation: its bundle, subject, predicate type and SLSA provenance'
            cand verify-image 'Verify a container image''s signatures and attestations (cosign .sig/.att, Sigstore bundles)'
            cand download 'Download a release (chart, provenance, bundles, image manifests and attestations) into a kit for offline verification'
            cand inspect 'What is published for a chart (oci://, --repo, .tgz) and by whom, and a policy draft to review'
            cand completions 'Print shell completions for kakunin to stdout'
            cand man 'Print kakunin''s manual page (roff) to stdout, or write one page per command into a directory'
            cand sign-bundle 'Sign a file or an in-toto statement keylessly (the Sigstore conformance protocol)'
            cand publish 'Produce a release''s .sigstore bundle and .intoto.jsonl (SLSA provenance), keyless or with a key'
            cand post-render 'Helm post-renderer: verify every rendered image and pin it by digest (manifests on stdin, to stdout)'
            cand policy 'Export what kakunin verifies as a cluster admission policy (Kyverno, policy-controller) or GomenHashai values'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kakunin;verify'= {
            cand --version 'The chart version, as `helm install --version` takes it; for oci:// and --repo charts also a SemVer constraint as Helm reads it (`^1.2`, `~1.2.3`, `>=1.0 <2`, `1.2.x`; the highest match, pre-releases only when the constraint names one), and without it their newest release'
            cand --repo 'The chart''s HTTP Helm repository (helm''s --repo): CHART is looked up in URL/index.yaml'
            cand --profile 'The project''s profile (YAML); default: the chart''s built-in profile'
            cand --kit 'A release kit written by `kakunin download` (read before the cache and the network)'
            cand --trusted-root 'Verify against this trusted_root.json instead of the profile''s'
            cand --keyring 'PGP keyring for the chart''s .prov (overrides the profile''s require.prov_keyring); given, the .prov is required (for a .tgz, the <file>.prov beside it, as `helm verify` reads it)'
            cand --registry-config 'Registry credentials in Docker''s config.json format, tried before the Docker config''s (Helm''s registry config: `helm registry login` writes it)'
            cand --allow-insecure-registry 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed'
            cand --cache-dir 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)'
            cand --timeout 'Seconds one file may take, from its first attempt to its last byte, retries included'
            cand --connect-timeout 'Seconds to wait for a connection'
            cand --retries 'Retries after a connection error, a timeout, a truncated body or a 5xx'
            cand --emit-values 'Once verified, write Helm values that pin the verified image by digest (`helm install -f FILE`)'
            cand --policy 'A policy file (docs/policy.md): per artifact (the chart, each image by repository glob) the signer required, the attestations and the version rules; every image the chart deploys is then checked (image.policy, image.pinned, image.signature)'
            cand -f 'A values file the release will be installed with (helm''s -f/--values; repeatable, later files win): the images checked are those it deploys'
            cand --values 'A values file the release will be installed with (helm''s -f/--values; repeatable, later files win): the images checked are those it deploys'
            cand --set 'A value the release will be installed with, in helm''s --set syntax (a.b=c,list[0]=d; repeatable, applied after --values)'
            cand --image-policy 'An images rule for the repositories GLOB matches, before the policy''s own (repeatable): GLOB=FIELD=VALUE,… with the policy file''s signer fields (identity, identity_regexp, issuer, issuer_regexp, github, workflow, ref, key) and attestation, signature, resolve_by_tag; or GLOB=allow_unverified (docs/policy.md)'
            cand --certificate-identity 'The exact identity (SAN) the signing certificate must carry'
            cand --cert-identity 'The exact identity (SAN) the signing certificate must carry'
            cand --certificate-identity-regexp 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)'
            cand --cert-identity-regex 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)'
            cand --certificate-oidc-issuer 'The OIDC issuer the signing certificate must name'
            cand --cert-oidc-issuer 'The OIDC issuer the signing certificate must name'
            cand --certificate-oidc-issuer-regexp 'A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)'
            cand --owner 'Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)'
            cand --signer-repo 'The signing workflow is in this repository (a reusable workflow''s repository): identity https://github.com/OWNER/REPO/…'
            cand --signer-workflow 'The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com'
            cand --repository 'Source repository the certificate (and an attestation''s provenance) must name: OWNER/REPO (on github.com) or a URL'
            cand --source-ref 'Source ref the certificate (and an attestation''s provenance) must name, e.g. refs/tags/v1.2.3'
            cand --workflow 'Workflow file that must have run (certificate build config, and an attestation''s provenance), e.g. .github/workflows/release.yaml'
            cand --source-digest 'Commit (hex) the certificate (and an attestation''s provenance) must name as the source'
            cand --certificate-github-workflow-trigger 'The certificate''s (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign''s flag)'
            cand --certificate-github-workflow-sha 'The certificate''s (deprecated) GitHub Workflow SHA extension: the commit (cosign''s flag)'
            cand --certificate-github-workflow-name 'The certificate''s (deprecated) GitHub Workflow Name extension (cosign''s flag)'
            cand --certificate-github-workflow-repository 'The certificate''s (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign''s flag)'
            cand --certificate-github-workflow-ref 'The certificate''s (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign''s flag)'
            cand --key 'A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)'
            cand --attestation 'Require a verified attestation of this predicate type on the OCI chart and each image (cosign short name or URI; repeatable)'
            cand --instance 'Use the embedded trusted root of this instance (default public-good)'
            cand -o 'Report format (--format is the same option, as `gh attestation verify --format json`)'
            cand --output 'Report format (--format is the same option, as `gh attestation verify --format json`)'
            cand --format 'Report format (--format is the same option, as `gh attestation verify --format json`)'
            cand --color 'When to colour the human report'
            cand --github-repo 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)'
            cand --devel 'Helm''s --devel: without --version, pre-releases are candidates too (>0.0.0-0)'
            cand --all-versions 'Verify every version of the chart in its Helm index'
            cand --stats 'Print the number of HTTP requests and bytes received to stderr'
            cand --offline 'Use only the cache (or the kit given with --kit): no network. A missing file is named'
            cand --no-cache 'Do not read or write the cache (with --offline and --kit: the kit alone)'
            cand --github-release 'A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance''s root unless a root is given'
            cand --deny-self-hosted-runners 'Fail unless the certificate''s runner environment claim is github-hosted'
            cand --insecure-ignore-tlog 'DANGER: accept a bundle without transparency-log inclusion (e.g. publish --tlog-upload=false, cosign''s flag); the report says no log entry was checked'
            cand -q 'No progress bars'
            cand --quiet 'No progress bars'
            cand -v 'Also show expected and found values of checks that passed (human output)'
            cand --verbose 'Also show expected and found values of checks that passed (human output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kakunin;verify-bundle'= {
            cand --bundle 'The Sigstore bundle (.sigstore, .sigstore.json, or .jsonl with one bundle a line), or cosign''s older bundle JSON'
            cand --signature 'A detached signature (cosign sign-blob --output-signature; base64 or raw)'
            cand --certificate 'The signing certificate of --signature (PEM, or base64 of PEM)'
            cand --certificate-chain 'The certificate''s chain (PEM): intermediates, root'
            cand -o 'Report format (--format is the same option, as `gh attestation verify --format json`)'
            cand --output 'Report format (--format is the same option, as `gh attestation verify --format json`)'
            cand --format 'Report format (--format is the same option, as `gh attestation verify --format json`)'
            cand --color 'When to colour the human report'
            cand --certificate-identity 'The exact identity (SAN) the signing certificate must carry'
            cand --cert-identity 'The exact identity (SAN) the signing certificate must carry'
            cand --certificate-identity-regexp 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)'
            cand --cert-identity-regex 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)'
            cand --certificate-oidc-issuer 'The OIDC issuer the signing certificate must name'
            cand --cert-oidc-issuer 'The OIDC issuer the signing certificate must name'
            cand --certificate-oidc-issuer-regexp 'A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)'
            cand --owner 'Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)'
            cand --github-repo 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)'
            cand --repo 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)'
            cand --signer-repo 'The signing workflow is in this repository (a reusable workflow''s repository): identity https://github.com/OWNER/REPO/…'
            cand --signer-workflow 'The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com'
            cand --repository 'Source repository the certificate (and an attestation''s provenance) must name: OWNER/REPO (on github.com) or a URL'
            cand --source-ref 'Source ref the certificate (and an attestation''s provenance) must name, e.g. refs/tags/v1.2.3'
            cand --workflow 'Workflow file that must have run (certificate build config, and an attestation''s provenance), e.g. .github/workflows/release.yaml'
            cand --source-digest 'Commit (hex) the certificate (and an attestation''s provenance) must name as the source'
            cand --certificate-github-workflow-trigger 'The certificate''s (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign''s flag)'
            cand --certificate-github-workflow-sha 'The certificate''s (deprecated) GitHub Workflow SHA extension: the commit (cosign''s flag)'
            cand --certificate-github-workflow-name 'The certificate''s (deprecated) GitHub Workflow Name extension (cosign''s flag)'
            cand --certificate-github-workflow-repository 'The certificate''s (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign''s flag)'
            cand --certificate-github-workflow-ref 'The certificate''s (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign''s flag)'
            cand --key 'A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)'
            cand --instance 'Use the embedded trusted root of this instance (default public-good)'
            cand --trusted-root 'A trusted_root.json to verify against instead of an embedded root'
            cand -q 'No progress bars'
            cand --quiet 'No progress bars'
            cand -v 'Also show expected and found values of checks that passed (human output)'
            cand --verbose 'Also show expected and found values of checks that passed (human output)'
            cand --github-release 'A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance''s root unless a root is given'
            cand --deny-self-hosted-runners 'Fail unless the certificate''s runner environment claim is github-hosted'
            cand --insecure-ignore-tlog 'DANGER: accept a bundle without transparency-log inclusion (e.g. publish --tlog-upload=false, cosign''s flag); the report says no log entry was checked'
            cand --staging 'Use the Sigstore public-good staging instance''s embedded trusted root'
            cand --offline 'Accepted for cosign compatibility: verification never uses the network (a no-op)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kakunin;trust-root'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'Print an embedded trusted_root.json to stdout'
            cand update 'Fetch the current trusted roots through TUF (network) into the cache directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kakunin;trust-root;show'= {
            cand --instance 'Which instance''s root'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kakunin;trust-root;update'= {
            cand --instance 'Which instances to refresh (default: all three)'
            cand --cache-dir 'Where to keep the refreshed roots (default: $XDG_CACHE_HOME/kakunin/trust)'
            cand --tuf-url 'A mirror of the instance''s TUF repository (trust still starts from the embedded TUF root)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kakunin;trust-root;help'= {
            cand show 'Print an embedded trusted_root.json to stdout'
            cand update 'Fetch the current trusted roots through TUF (network) into the cache directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kakunin;trust-root;help;show'= {
        }
        &'kakunin;trust-root;help;update'= {
        }
        &'kakunin;trust-root;help;help'= {
        }
        &'kakunin;verify-attestation'= {
            cand --bundle 'The Sigstore bundle holding the attestation (.sigstore, .sigstore.json, or a .jsonl / .intoto.jsonl with one bundle a line)'
            cand --envelope 'An .intoto.jsonl that must be the same DSSE envelope as the bundle''s'
            cand --predicate-type 'The predicateType the statement must have'
            cand --builder-id 'The provenance''s builder id, exactly, or without its @ref to accept any ref'
            cand -o 'Report format (--format is the same option, as `gh attestation verify --format json`)'
            cand --output 'Report format (--format is the same option, as `gh attestation verify --format json`)'
            cand --format 'Report format (--format is the same option, as `gh attestation verify --format json`)'
            cand --color 'When to colour the human report'
            cand --certificate-identity 'The exact identity (SAN) the signing certificate must carry'
            cand --cert-identity 'The exact identity (SAN) the signing certificate must carry'
            cand --certificate-identity-regexp 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)'
            cand --cert-identity-regex 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)'
            cand --certificate-oidc-issuer 'The OIDC issuer the signing certificate must name'
            cand --cert-oidc-issuer 'The OIDC issuer the signing certificate must name'
            cand --certificate-oidc-issuer-regexp 'A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)'
            cand --owner 'Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)'
            cand --github-repo 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)'
            cand --repo 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)'
            cand --signer-repo 'The signing workflow is in this repository (a reusable workflow''s repository): identity https://github.com/OWNER/REPO/…'
            cand --signer-workflow 'The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com'
            cand --repository 'Source repository the certificate (and an attestation''s provenance) must name: OWNER/REPO (on github.com) or a URL'
            cand --source-ref 'Source ref the certificate (and an attestation''s provenance) must name, e.g. refs/tags/v1.2.3'
            cand --workflow 'Workflow file that must have run (certificate build config, and an attestation''s provenance), e.g. .github/workflows/release.yaml'
            cand --source-digest 'Commit (hex) the certificate (and an attestation''s provenance) must name as the source'
            cand --certificate-github-workflow-trigger 'The certificate''s (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign''s flag)'
            cand --certificate-github-workflow-sha 'The certificate''s (deprecated) GitHub Workflow SHA extension: the commit (cosign''s flag)'
            cand --certificate-github-workflow-name 'The certificate''s (deprecated) GitHub Workflow Name extension (cosign''s flag)'
            cand --certificate-github-workflow-repository 'The certificate''s (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign''s flag)'
            cand --certificate-github-workflow-ref 'The certificate''s (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign''s flag)'
            cand --key 'A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)'
            cand --instance 'Use the embedded trusted root of this instance (default public-good)'
            cand --trusted-root 'A trusted_root.json to verify against instead of an embedded root'
            cand --allow-self-hosted-runners 'Accept builds that ran on self-hosted runners'
            cand -q 'No progress bars'
            cand --quiet 'No progress bars'
            cand -v 'Also show expected and found values of checks that passed (human output)'
            cand --verbose 'Also show expected and found values of checks that passed (human output)'
            cand --github-release 'A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance''s root unless a root is given'
            cand --deny-self-hosted-runners 'Fail unless the certificate''s runner environment claim is github-hosted'
            cand --insecure-ignore-tlog 'DANGER: accept a bundle without transparency-log inclusion (e.g. publish --tlog-upload=false, cosign''s flag); the report says no log entry was checked'
            cand --staging 'Use the Sigstore public-good staging instance''s embedded trusted root'
            cand --offline 'Accepted for cosign compatibility: verification never uses the network (a no-op)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kakunin;verify-image'= {
            cand --certificate-identity 'The exact identity (SAN) the signing certificate must carry'
            cand --cert-identity 'The exact identity (SAN) the signing certificate must carry'
            cand --certificate-identity-regexp 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)'
            cand --cert-identity-regex 'A regular expression the whole SAN must match (always anchored: ^(?:RE)$)'
            cand --certificate-oidc-issuer 'The OIDC issuer the signing certificate must name'
            cand --cert-oidc-issuer 'The OIDC issuer the signing certificate must name'
            cand --certificate-oidc-issuer-regexp 'A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)'
            cand --owner 'Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)'
            cand --github-repo 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)'
            cand --repo 'Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)'
            cand --signer-repo 'The signing workflow is in this repository (a reusable workflow''s repository): identity https://github.com/OWNER/REPO/…'
            cand --signer-workflow 'The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com'
            cand --repository 'Source repository the certificate (and an attestation''s provenance) must name: OWNER/REPO (on github.com) or a URL'
            cand --source-ref 'Source ref the certificate (and an attestation''s provenance) must name, e.g. refs/tags/v1.2.3'
            cand --workflow 'Workflow file that must have run (certificate build config, and an attestation''s provenance), e.g. .github/workflows/release.yaml'
            cand --source-digest 'Commit (hex) the certificate (and an attestation''s provenance) must name as the source'
            cand --certificate-github-workflow-trigger 'The certificate''s (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign''s flag)'
            cand --certificate-github-workflow-sha 'The certificate''s (deprecated) GitHub Workflow SHA extension: the commit (cosign''s flag)'
            cand --certificate-github-workflow-name 'The certificate''s (deprecated) GitHub Workflow Name extension (cosign''s flag)'
            cand --certificate-github-workflow-repository 'The certificate''s (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign''s flag)'
            cand --certificate-github-workflow-ref 'The certificate''s (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign''s flag)'
            cand --key 'A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)'
            cand --docker-reference 'The repository the signed payload must name (critical.identity.docker-reference)'
            cand --attestation 'Require a verified attestation of this predicate type (cosign short name or URI; repeatable)'
            cand --platform 'For an image index: also look up the signatures of this platform''s manifest (os/arch[/variant])'
            cand --instance 'Use the embedded trusted root of this instance (default public-good)'
            cand --trusted-root 'A trusted_root.json to verify against instead of an embedded root'
            cand --allow-insecure-registry 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed'
            cand --cache-dir 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)'
            cand --timeout 'Seconds one file may take, from its first attempt to its last byte, retries included'
            cand --connect-timeout 'Seconds to wait for a connection'
            cand --retries 'Retries after a connection error, a timeout, a truncated body or a 5xx'
            cand -o 'Report format (--format is the same option, as `gh attestation verify --format json`)'
            cand --output 'Report format (--format is the same option, as `gh attestation verify --format json`)'
            cand --format 'Report format (--format is the same option, as `gh attestation verify --format json`)'
            cand --color 'When to colour the human report'
            cand --github-release 'A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance''s root unless a root is given'
            cand --deny-self-hosted-runners 'Fail unless the certificate''s runner environment claim is github-hosted'
            cand --insecure-ignore-tlog 'DANGER: accept a bundle without transparency-log inclusion (e.g. publish --tlog-upload=false, cosign''s flag); the report says no log entry was checked'
            cand --offline 'Use only the cache (or the kit given with --kit): no network. A missing file is named'
            cand --no-cache 'Do not read or write the cache (with --offline and --kit: the kit alone)'
            cand -q 'No progress bars'
            cand --quiet 'No progress bars'
            cand -v 'Also show expected and found values of checks that passed (human output)'
            cand --verbose 'Also show expected and found values of checks that passed (human output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kakunin;download'= {
            cand --version 'The chart version, as `helm pull --version` takes it: `CHART --version V` is `CHART@V`'
            cand --to 'Directory to write the kit into (created if needed)'
            cand --profile 'The project''s profile (default: kakunin''s built-in profile for CHART)'
            cand --allow-insecure-registry 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed'
            cand --cache-dir 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)'
            cand --timeout 'Seconds one file may take, from its first attempt to its last byte, retries included'
            cand --connect-timeout 'Seconds to wait for a connection'
            cand --retries 'Retries after a connection error, a timeout, a truncated body or a 5xx'
            cand -o 'What to print (--format is the same option)'
            cand --output 'What to print (--format is the same option)'
            cand --format 'What to print (--format is the same option)'
            cand --offline 'Use only the cache (or the kit given with --kit): no network. A missing file is named'
            cand --no-cache 'Do not read or write the cache (with --offline and --kit: the kit alone)'
            cand -q 'No progress bars, and no summary line'
            cand --quiet 'No progress bars, and no summary line'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kakunin;inspect'= {
            cand --version 'The chart version, as `helm install --version` takes it; for oci:// and --repo charts also a SemVer constraint as Helm reads it (`^1.2`, `~1.2.3`, `>=1.0 <2`, `1.2.x`; the highest match, pre-releases only when the constraint names one), and without it their newest release'
            cand --repo 'The chart''s HTTP Helm repository (helm''s --repo): CHART is looked up in URL/index.yaml'
            cand --trusted-root 'Verify signatures against this trusted_root.json instead of the embedded public-good root'
            cand --instance 'Use the embedded trusted root of this instance (default public-good)'
            cand -o 'human (default) or json'
            cand --output 'human (default) or json'
            cand --allow-insecure-registry 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed'
            cand --cache-dir 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)'
            cand --timeout 'Seconds one file may take, from its first attempt to its last byte, retries included'
            cand --connect-timeout 'Seconds to wait for a connection'
            cand --retries 'Retries after a connection error, a timeout, a truncated body or a 5xx'
            cand --devel 'Helm''s --devel: without --version, pre-releases are candidates too (>0.0.0-0)'
            cand --offline 'Use only the cache (or the kit given with --kit): no network. A missing file is named'
            cand --no-cache 'Do not read or write the cache (with --offline and --kit: the kit alone)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kakunin;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kakunin;man'= {
            cand --out-dir 'Write kakunin.1 and one kakunin-<command>.1 per command into this directory'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kakunin;sign-bundle'= {
            cand --identity-token 'The OIDC identity token (otherwise SIGSTORE_ID_TOKEN or GitHub Actions'' OIDC)'
            cand --bundle 'Where to write the bundle (v0.3 JSON)'
            cand --trusted-root 'Verify the new bundle against this trusted_root.json before keeping it'
            cand --signing-config 'Sign with the instance this signing_config.json describes'
            cand --staging 'Use Sigstore''s staging instance (sigstage.dev)'
            cand --in-toto 'FILE is an in-toto statement: sign it as a DSSE envelope, byte for byte'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kakunin;publish'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand chart 'Attest a Helm chart package: subject = the .tgz''s name and SHA-256'
            cand image 'Attest a container image: subject = its repository and manifest digest'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kakunin;publish;chart'= {
            cand --prov-key 'Also write <chart>.tgz.prov, signed with this armored OpenPGP secret key (passphrase from $KAKUNIN_PROV_PASSPHRASE, if any)'
            cand --oci 'Also push the chart to this OCI registry as `helm push` does (to PATH/<chart name>, tag = its version) and attach its signature and provenance as referrers'
            cand --out 'Directory to write the files into (created when missing; existing files are never replaced)'
            cand --identity-token 'OIDC identity token for keyless signing (else SIGSTORE_ID_TOKEN, else GitHub Actions OIDC)'
            cand --key 'Sign with this private key instead of keyless: cosign.key (passphrase from COSIGN_PASSWORD) or PKCS#8 PEM; ECDSA P-256 or Ed25519'
            cand --public-key-out 'Write the key''s public key (PEM) here (default: print it)'
            cand --tlog-upload 'With --key: upload to the transparency log (cosign''s name). --tlog-upload=false signs offline: no log entry, verifiable only with --insecure-ignore-tlog; needs --timestamp-server'
            cand --timestamp-server 'With --key: the RFC 3161 timestamp authority to use (instead of the signing config''s)'
            cand --signing-config 'Sign with the instance this signing_config.json describes (needs --trusted-root)'
            cand --trusted-root 'Verify what was written against this trusted_root.json (default: the instance''s embedded root)'
            cand --repository '[$GITHUB_REPOSITORY] OWNER/REPO that built the artifact'
            cand --workflow-ref '[$GITHUB_WORKFLOW_REF] OWNER/REPO/.github/workflows/FILE@REF'
            cand --job-workflow-ref 'The reusable workflow that signs, if not the top-level one (the builder id)'
            cand --ref '[$GITHUB_REF] git ref built, e.g. refs/tags/v1.3.1'
            cand --sha '[$GITHUB_SHA] commit built (40 hex digits)'
            cand --event-name '[$GITHUB_EVENT_NAME] e.g. push'
            cand --repository-id '[$GITHUB_REPOSITORY_ID]'
            cand --repository-owner-id '[$GITHUB_REPOSITORY_OWNER_ID]'
            cand --runner-environment '[$RUNNER_ENVIRONMENT] github-hosted or self-hosted'
            cand --run-id '[$GITHUB_RUN_ID]'
            cand --run-attempt '[$GITHUB_RUN_ATTEMPT] (default 1)'
            cand --server-url '[$GITHUB_SERVER_URL] (default https://github.com)'
            cand --builder-id 'Outside CI: who built it (a URI, e.g. mailto:you@example.com); with --source, makes a minimal provenance (weaker: only the signer vouches for it)'
            cand --source 'Outside CI: the repository and commit built, URI@COMMIT (with --builder-id)'
            cand --replace-tag 'With --oci: replace a version tag that holds another chart (never done otherwise)'
            cand --legacy-cosign 'With --oci: also write cosign''s legacy sha256-<hex>.sig and .att tags'
            cand --plain-http 'With --oci: talk to the registry over plain HTTP (loopback always is)'
            cand --staging 'Sign with Sigstore''s staging instance (sigstage.dev)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kakunin;publish;image'= {
            cand --tag 'The release tag, e.g. v1.3.1 (files are named <name>-<tag>)'
            cand --name 'The release name for file names (default: the GitHub repository''s name, else the image''s last path segment), e.g. GomenHashai → GomenHashai-v1.3.1.sigstore'
            cand --out 'Directory to write the files into (created when missing; existing files are never replaced)'
            cand --identity-token 'OIDC identity token for keyless signing (else SIGSTORE_ID_TOKEN, else GitHub Actions OIDC)'
            cand --key 'Sign with this private key instead of keyless: cosign.key (passphrase from COSIGN_PASSWORD) or PKCS#8 PEM; ECDSA P-256 or Ed25519'
            cand --public-key-out 'Write the key''s public key (PEM) here (default: print it)'
            cand --tlog-upload 'With --key: upload to the transparency log (cosign''s name). --tlog-upload=false signs offline: no log entry, verifiable only with --insecure-ignore-tlog; needs --timestamp-server'
            cand --timestamp-server 'With --key: the RFC 3161 timestamp authority to use (instead of the signing config''s)'
            cand --signing-config 'Sign with the instance this signing_config.json describes (needs --trusted-root)'
            cand --trusted-root 'Verify what was written against this trusted_root.json (default: the instance''s embedded root)'
            cand --repository '[$GITHUB_REPOSITORY] OWNER/REPO that built the artifact'
            cand --workflow-ref '[$GITHUB_WORKFLOW_REF] OWNER/REPO/.github/workflows/FILE@REF'
            cand --job-workflow-ref 'The reusable workflow that signs, if not the top-level one (the builder id)'
            cand --ref '[$GITHUB_REF] git ref built, e.g. refs/tags/v1.3.1'
            cand --sha '[$GITHUB_SHA] commit built (40 hex digits)'
            cand --event-name '[$GITHUB_EVENT_NAME] e.g. push'
            cand --repository-id '[$GITHUB_REPOSITORY_ID]'
            cand --repository-owner-id '[$GITHUB_REPOSITORY_OWNER_ID]'
            cand --runner-environment '[$RUNNER_ENVIRONMENT] github-hosted or self-hosted'
            cand --run-id '[$GITHUB_RUN_ID]'
            cand --run-attempt '[$GITHUB_RUN_ATTEMPT] (default 1)'
            cand --server-url '[$GITHUB_SERVER_URL] (default https://github.com)'
            cand --builder-id 'Outside CI: who built it (a URI, e.g. mailto:you@example.com); with --source, makes a minimal provenance (weaker: only the signer vouches for it)'
            cand --source 'Outside CI: the repository and commit built, URI@COMMIT (with --builder-id)'
            cand --push-attestation 'Also attach the signature and provenance to the image in its registry (OCI referrers; the sha256-<hex> fallback tag where the registry has no referrers API). Credentials: the Docker config'
            cand --legacy-cosign 'With --push-attestation: also write cosign''s legacy sha256-<hex>.sig and .att tags'
            cand --plain-http 'Talk to the registry over plain HTTP (loopback always is)'
            cand --staging 'Sign with Sigstore''s staging instance (sigstage.dev)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kakunin;publish;help'= {
            cand chart 'Attest a Helm chart package: subject = the .tgz''s name and SHA-256'
            cand image 'Attest a container image: subject = its repository and manifest digest'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kakunin;publish;help;chart'= {
        }
        &'kakunin;publish;help;image'= {
        }
        &'kakunin;publish;help;help'= {
        }
        &'kakunin;post-render'= {
            cand --profile 'The profile whose image repositories, signers and trusted root images are verified against (docs/profile.md); default: the built-in GomenHashai profile'
            cand --policy 'The profile whose image repositories, signers and trusted root images are verified against (docs/profile.md); default: the built-in GomenHashai profile'
            cand --trusted-root 'Verify against this trusted_root.json instead of the profile''s'
            cand --allow-unsigned 'A repository (`docker.io/library/alpine`, or `registry/prefix/*`) whose images are pinned by digest without a signature; repeatable'
            cand --registry-config 'Registry credentials in Docker''s config.json format (Helm''s registry config)'
            cand --report 'Also write the report to this file'
            cand --report-format 'Format of --report'
            cand --allow-insecure-registry 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed'
            cand --cache-dir 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)'
            cand --timeout 'Seconds one file may take, from its first attempt to its last byte, retries included'
            cand --connect-timeout 'Seconds to wait for a connection'
            cand --retries 'Retries after a connection error, a timeout, a truncated body or a 5xx'
            cand --pin 'Rewrite every image to `repo@sha256:…` (the default)'
            cand --no-pin 'Verify only: write the manifests unchanged'
            cand -q 'No report on stderr (errors are still printed)'
            cand --quiet 'No report on stderr (errors are still printed)'
            cand --offline 'Use only the cache (or the kit given with --kit): no network. A missing file is named'
            cand --no-cache 'Do not read or write the cache (with --offline and --kit: the kit alone)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kakunin;policy'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand export 'Write a cluster policy (Kyverno, policy-controller) or GomenHashai values to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kakunin;policy;export'= {
            cand --format 'What to write'
            cand --profile 'The profile (docs/profile.md); default: the built-in GomenHashai profile'
            cand --policy 'The profile (docs/profile.md); default: the built-in GomenHashai profile'
            cand --name 'metadata.name of the policy (default: kakunin-<chart>)'
            cand --key 'A PEM public key: key-based attestors instead of the profile''s keyless identities'
            cand --release 'Export from this release once `kakunin verify` verified it (CHART@VERSION, or with --kit): its image repository and signer (kyverno, policy-controller) or its pinned image (gomenhashai); nothing is written unless it verifies'
            cand --version 'With --release: the chart version, as `helm install --version` takes it'
            cand --kit 'Verify the release from this kit (`kakunin download`); names the release when --release is not given'
            cand --keyring 'With --release or --kit: PGP keyring for the chart''s .prov'
            cand --manifests 'Rendered manifests (`-` for stdin) whose images are verified as `post-render` verifies them; required for --format gomenhashai'
            cand --allow-unsigned 'With --manifests: a repository whose images are mapped by digest without a signature'
            cand --trusted-root 'With --manifests, --release or --kit: verify against this trusted_root.json instead of the profile''s'
            cand --registry-config 'With --manifests, --release or --kit: registry credentials in Docker''s config.json format (Helm''s registry config), tried before the Docker config''s'
            cand --allow-insecure-registry 'Allow plain HTTP to this registry or server (host or host:port); loopback is always allowed'
            cand --cache-dir 'Cache directory (default: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin)'
            cand --timeout 'Seconds one file may take, from its first attempt to its last byte, retries included'
            cand --connect-timeout 'Seconds to wait for a connection'
            cand --retries 'Retries after a connection error, a timeout, a truncated body or a 5xx'
            cand --offline 'Use only the cache (or the kit given with --kit): no network. A missing file is named'
            cand --no-cache 'Do not read or write the cache (with --offline and --kit: the kit alone)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kakunin;policy;help'= {
            cand export 'Write a cluster policy (Kyverno, policy-controller) or GomenHashai values to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kakunin;policy;help;export'= {
        }
        &'kakunin;policy;help;help'= {
        }
        &'kakunin;help'= {
            cand verify 'Verify a chart release end to end: chart, image, bundles, attestations, versions'
            cand verify-bundle 'Verify an artifact (file or digest) against a Sigstore bundle, offline'
            cand trust-root 'Show the embedded Sigstore trusted roots, or refresh them through TUF into the cache'
            cand verify-attestation 'Verify an in-toto attestation: its bundle, subject, predicate type and SLSA provenance'
            cand verify-image 'Verify a container image''s signatures and attestations (cosign .sig/.att, Sigstore bundles)'
            cand download 'Download a release (chart, provenance, bundles, image manifests and attestations) into a kit for offline verification'
            cand inspect 'What is published for a chart (oci://, --repo, .tgz) and by whom, and a policy draft to review'
            cand completions 'Print shell completions for kakunin to stdout'
            cand man 'Print kakunin''s manual page (roff) to stdout, or write one page per command into a directory'
            cand sign-bundle 'Sign a file or an in-toto statement keylessly (the Sigstore conformance protocol)'
            cand publish 'Produce a release''s .sigstore bundle and .intoto.jsonl (SLSA provenance), keyless or with a key'
            cand post-render 'Helm post-renderer: verify every rendered image and pin it by digest (manifests on stdin, to stdout)'
            cand policy 'Export what kakunin verifies as a cluster admission policy (Kyverno, policy-controller) or GomenHashai values'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kakunin;help;verify'= {
        }
        &'kakunin;help;verify-bundle'= {
        }
        &'kakunin;help;trust-root'= {
            cand show 'Print an embedded trusted_root.json to stdout'
            cand update 'Fetch the current trusted roots through TUF (network) into the cache directory'
        }
        &'kakunin;help;trust-root;show'= {
        }
        &'kakunin;help;trust-root;update'= {
        }
        &'kakunin;help;verify-attestation'= {
        }
        &'kakunin;help;verify-image'= {
        }
        &'kakunin;help;download'= {
        }
        &'kakunin;help;inspect'= {
        }
        &'kakunin;help;completions'= {
        }
        &'kakunin;help;man'= {
        }
        &'kakunin;help;sign-bundle'= {
        }
        &'kakunin;help;publish'= {
            cand chart 'Attest a Helm chart package: subject = the .tgz''s name and SHA-256'
            cand image 'Attest a container image: subject = its repository and manifest digest'
        }
        &'kakunin;help;publish;chart'= {
        }
        &'kakunin;help;publish;image'= {
        }
        &'kakunin;help;post-render'= {
        }
        &'kakunin;help;policy'= {
            cand export 'Write a cluster policy (Kyverno, policy-controller) or GomenHashai values to stdout'
        }
        &'kakunin;help;policy;export'= {
        }
        &'kakunin;help;help'= {
        }
    ]
    $completions[$command]
}
