//! `kakunin post-render` as Helm runs it: rendered manifests on stdin, manifests on stdout,
//! nothing on stdout and a non-zero exit for anything that is not verified. On Helm's own
//! `helm template` golden files (../shared) and on the release world's signed images.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use crate::common::{TempDir, code, kakunin, shared_fixtures, stderr};
use crate::support::registry::Registry;
use crate::world::{trusted_root, world};

/// Runs `kakunin post-render ARGS` with `input` on stdin.
fn post_render(args: &[&str], input: &[u8]) -> Output {
    let mut child = kakunin()
        .arg("post-render")
        .args(args)
        .env_remove("HELM_REGISTRY_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kakunin starts");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // kakunin stops reading a stream that is too large: a broken pipe is expected then.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("kakunin finishes");
    writer.join().unwrap();
    out
}

/// The golden `helm template` outputs of ../shared (Helm's pkg/cmd/testdata/output).
pub(crate) fn golden(dir: &Path) -> Vec<PathBuf> {
    let out = dir.join("helm/pkg/cmd/testdata/output");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .filter(|p| !p.to_string_lossy().contains("invalid-yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "{files:?}");
    files
}

/// A profile (the built-in one) whose registries docker.io and gcr.io are the loopback
/// registry, so that the images of Helm's test charts resolve there.
pub(crate) fn loopback_profile(dir: &Path, registry: &Registry) -> PathBuf {
    let mut p = kakunin::profile::Profile::gomenhashai().to_raw();
    for host in ["docker.io", "gcr.io", "ghcr.io"] {
        p.image.mirrors.insert(host.into(), registry.base());
    }
    p.signers.trusted_root = trusted_root().display().to_string();
    let path = dir.join("profile.yaml");
    std::fs::write(&path, p.to_yaml()).unwrap();
    path
}

pub(crate) const UNSIGNED: [&str; 4] = [
    "--allow-unsigned",
    "docker.io/library/*",
    "--allow-unsigned",
    "gcr.io/google-samples/*",
];

#[test]
fn helm_golden_outputs_pass_through_byte_for_byte_and_pin_only_their_images() {
    let Some(shared) = shared_fixtures("helm_golden_outputs_pass_through") else {
        return;
    };
    let Some(reg) = Registry::start("helm_golden_outputs_pass_through") else {
        return;
    };
    let alpine = reg.push_image("library/alpine", "latest", "alpine");
    let nginx = reg.push_image("library/nginx", "stable", "nginx");
    let hello = reg.push_image("google-samples/node-hello", "1.0", "node-hello");
    let dir = TempDir::new("post-render-golden");
    let profile = loopback_profile(dir.path(), &reg);
    let profile = profile.to_str().unwrap();
    let cache = dir.path().join("cache");
    let mut args = vec!["--profile", profile, "--cache-dir", cache.to_str().unwrap()];
    args.extend(UNSIGNED);
    let mut pinned_some = 0;
    for file in golden(&shared) {
        let input = std::fs::read(&file).unwrap();
        let text = String::from_utf8(input.clone()).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();

        // Verify only: the very bytes.
        let mut a = args.clone();
        a.push("--no-pin");
        let out = post_render(&a, &input);
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        assert!(out.stdout == input, "{name}: --no-pin changed the stream");

        // Pinned: the input with each image value (and nothing else) replaced.
        let out = post_render(&args, &input);
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        let expected = text
            .replace(
                "image: \"alpine:latest\"",
                &format!("image: \"alpine@{}\"", alpine.digest),
            )
            .replace(
                "image: \"nginx:stable\"",
                &format!("image: \"nginx@{}\"", nginx.digest),
            )
            .replace(
                "image: gcr.io/google-samples/node-hello:1.0",
                &format!("image: gcr.io/google-samples/node-hello@{}", hello.digest),
            );
        let found = String::from_utf8(out.stdout.clone()).unwrap();
        assert_eq!(found, expected, "{name}");
        if expected != text {
            pinned_some += 1;
            assert!(
                stderr(&out).contains("VERIFIED"),
                "{name}: {}",
                stderr(&out)
            );
        } else {
            assert!(out.stdout == input, "{name}: nothing to pin, yet changed");
        }
    }
    assert!(
        pinned_some >= 12,
        "only {pinned_some} golden files had images"
    );
}

#[test]
fn helm_golden_images_outside_the_policy_block_the_install() {
    let Some(shared) = shared_fixtures("helm_golden_images_outside_the_policy") else {
        return;
    };
    let Some(reg) = Registry::start("helm_golden_images_outside_the_policy") else {
        return;
    };
    reg.push_image("library/nginx", "stable", "nginx");
    let dir = TempDir::new("post-render-outside");
    let profile = loopback_profile(dir.path(), &reg);
    let input = std::fs::read(
        shared
            .join("helm/pkg/cmd/testdata/output/template-chart-with-template-lib-archive-dep.txt"),
    )
    .unwrap();
    let out = post_render(
        &["--profile", profile.to_str().unwrap(), "--no-cache"],
        &input,
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("pin.image-policy"), "{err}");
    assert!(err.contains("docker.io/library/nginx"), "{err}");
    assert!(err.contains("ghcr.io/gomenhashai/gomenhashai"), "{err}");

    // Allowed unsigned, but the tag is not in the registry: a failure, not a fetch problem.
    let input = String::from_utf8(input)
        .unwrap()
        .replace("nginx:stable", "nginx:gone");
    let out = post_render(
        &[
            "--profile",
            profile.to_str().unwrap(),
            "--no-cache",
            "--allow-unsigned",
            "docker.io/library/nginx",
        ],
        input.as_bytes(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("pin.image-digest"),
        "{}",
        stderr(&out)
    );
}

fn deployment(images: &[&str]) -> String {
    let mut s = String::from(
        "---\n# Source: gomenhashai/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: \"gomenhashai\"\nspec:\n  template:\n    spec:\n      containers:\n",
    );
    for (i, image) in images.iter().enumerate() {
        s.push_str(&format!(
            "        - name: c{i}\n          image: '{image}'   # from values.yaml\n"
        ));
    }
    s
}

#[test]
fn signed_project_images_are_verified_and_pinned_and_tampered_ones_block() {
    let w = world();
    let Some(served) = w.serve("post_render_signed_project_images") else {
        return;
    };
    let profile = served.profile.to_str().unwrap().to_string();
    let img = w.image("v1.3.1");
    let repo = &img.repository;
    let digest = img.image.digest().to_string();
    let report = served.dir.path().join("report.json");
    let input = deployment(&[&format!("{repo}:v1.3.1")]);
    let out = post_render(
        &[
            "--profile",
            &profile,
            "--no-cache",
            "--report",
            report.to_str().unwrap(),
        ],
        input.as_bytes(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let expected = input.replace(&format!("'{repo}:v1.3.1'"), &format!("'{repo}@{digest}'"));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(json["verdict"], "verified", "{json}");
    let r = &json["reports"][0];
    assert_eq!(r["command"], "post-render");
    let ids: Vec<&str> = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "pin.image-policy",
            "pin.image-digest",
            "pin.image-signature"
        ]
    );
    assert_eq!(
        r["details"]["images"][0]["pinned"],
        format!("{repo}@{digest}")
    );
    assert!(
        r["details"]["images"][0]["signer"]
            .as_str()
            .unwrap()
            .ends_with("docker-release.yaml@refs/tags/v1.3.1"),
        "{r}"
    );

    // The moving `main` tag is the v1.3.1 image, but its identity would be the workflow at
    // refs/tags/main: blocked, nothing written.
    let out = post_render(
        &["--profile", &profile, "--no-cache"],
        deployment(&[&format!("{repo}:main")]).as_bytes(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("docker-release.yaml@refs/tags/main"), "{err}");
    assert!(err.contains("found https://github.com/GomenHashai/GomenHashai/.github/workflows/docker-release.yaml@refs/tags/v1.3.1"), "{err}");

    // An image of the project's repository that carries no attestation.
    let path = repo.strip_prefix("ghcr.io/").unwrap();
    served.registry.push_image(path, "v1.4.0", "unsigned");
    let out = post_render(
        &["--profile", &profile, "--no-cache"],
        deployment(&[&format!("{repo}:v1.4.0")]).as_bytes(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("no Sigstore bundle attached"),
        "{}",
        stderr(&out)
    );

    // Another image carrying v1.3.1's (properly signed) bundle: its subject is not this
    // image, so the signature does not verify for it.
    let other = served.registry.push_image(path, "other", "not-the-release");
    served.registry.attach_bundle(path, &other, &img.bundle);
    let out = post_render(
        &["--profile", &profile, "--no-cache", "--no-pin"],
        deployment(&[&format!("{repo}:v1.3.1@{}", other.digest)]).as_bytes(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("none of 1 attached bundles verifies"), "{err}");

    // A release tag signed by another identity than the profile's (the image workflow at
    // v1.3.1): v1.3.1's bundle attached to an image pushed as v9.9.9.
    let fake = served.registry.push_image(path, "v9.9.9", "fake-release");
    served.registry.attach_bundle(path, &fake, &img.bundle);
    let out = post_render(
        &["--profile", &profile, "--no-cache"],
        deployment(&[&format!("{repo}:v9.9.9")]).as_bytes(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("refs/tags/v9.9.9"),
        "{}",
        stderr(&out)
    );

    // One bad image among good ones blocks the whole stream.
    let out = post_render(
        &["--profile", &profile, "--no-cache"],
        deployment(&[&format!("{repo}:v1.3.1"), &format!("{repo}:main")]).as_bytes(),
    );
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unreachable_registry_is_a_check_that_could_not_run() {
    let dir = TempDir::new("post-render-unreachable");
    let mut p = kakunin::profile::Profile::gomenhashai().to_raw();
    // A loopback port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    p.image
        .mirrors
        .insert("ghcr.io".into(), format!("http://127.0.0.1:{port}"));
    let profile = dir.path().join("p.yaml");
    std::fs::write(&profile, p.to_yaml()).unwrap();
    let out = post_render(
        &[
            "--profile",
            profile.to_str().unwrap(),
            "--no-cache",
            "--retries",
            "0",
        ],
        deployment(&["ghcr.io/gomenhashai/gomenhashai:v1.3.1"]).as_bytes(),
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_input_is_refused_with_nothing_on_stdout() {
    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not YAML",
            b"kind: Pod\nspec: [\n".to_vec(),
            "not valid YAML",
        ),
        ("100 MiB", vec![b'#'; 100 * 1024 * 1024], "expected at most"),
        (
            "50,000 documents",
            "---\nkind: ConfigMap\n".repeat(50_000).into_bytes(),
            "more than",
        ),
        (
            "newline in an image",
            deployment(&["alpine"])
                .replace("'alpine'", "\"alp\\nine\"")
                .into_bytes(),
            "newline",
        ),
        (
            "YAML tag",
            deployment(&["alpine"])
                .replace("'alpine'", "!!str alpine")
                .into_bytes(),
            "YAML tag",
        ),
        (
            "unrendered template",
            deployment(&["{{ .Values.image.repository }}:{{ .Values.image.tag }}"]).into_bytes(),
            "unrendered template",
        ),
        (
            "unquoted unrendered template",
            b"kind: Pod\nspec:\n  containers:\n  - image: {{ .Values.image }}\n".to_vec(),
            "unrendered template",
        ),
    ];
    if let Some(shared) = shared_fixtures("bad_input_is_refused") {
        cases.push((
            "helm's invalid-yaml golden file",
            std::fs::read(
                shared.join("helm/pkg/cmd/testdata/output/template-with-invalid-yaml-debug.txt"),
            )
            .unwrap(),
            "not valid YAML",
        ));
    }
    for (what, input, want) in cases {
        let out = post_render(&["--no-cache", "--offline"], &input);
        assert_eq!(code(&out), 2, "{what}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{what}: wrote to stdout");
        assert!(stderr(&out).contains(want), "{what}: {}", stderr(&out));
    }
}
